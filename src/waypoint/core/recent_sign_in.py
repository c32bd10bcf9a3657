"""The "signed in within the last 15 minutes" rule, which student-level bulk exports require.

A session remembers when its person last signed in (`SIGNED_IN_AT_SESSION_KEY`), written by the
`user_logged_in` receiver in `core.signals`: the password form, a district's identity provider, the "confirm
it's you" page (which signs the person in again) and the test client's `force_login` all go through
`django.contrib.auth.login`, so all of them set it. A session without the time (one begun before this rule)
counts as old: its person confirms once.

A request authenticated by a personal access token carries no session of its own: for it the rule reads the
account's last interactive sign-in (`User.last_login`, which Django updates on the same signal). A token
alone, however old and wherever it leaked to, therefore exports nothing unless its owner signed in less than
15 minutes ago; a script that exports runs right after its owner signs in.

Why: in the December 2024 PowerSchool breach whole tables were exported through one support account whose
credentials were stolen. A fresh sign-in makes a stolen session cookie or token worth little for an export.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from waypoint.core.errors import NotPermitted
from waypoint.core.models import User

RECENT_SIGN_IN = datetime.timedelta(minutes=15)
SIGNED_IN_AT_SESSION_KEY = "waypoint.signed_in_at"
# The "confirm it's you" page (people app); named here so that core never imports the app above it.
CONFIRM_URL_NAME = "confirm-identity"

P = ParamSpec("P")


class SignInTooOld(NotPermitted):
    """The person last signed in more than 15 minutes ago; answered 403 with where to confirm who they are."""


def record_sign_in(request: HttpRequest) -> None:
    """Note in the request's session that its person signed in now (the `user_logged_in` receiver)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SIGNED_IN_AT_SESSION_KEY] = timezone.now().isoformat()


def signed_in_at(request: HttpRequest) -> datetime.datetime | None:
    """When the request's person last signed in: the session's sign-in when the session is theirs, the
    account's last sign-in for a request authenticated otherwise (a personal access token)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return None
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == str(user.pk):
        stored = session.get(SIGNED_IN_AT_SESSION_KEY)
        return datetime.datetime.fromisoformat(stored) if isinstance(stored, str) else None
    return user.last_login


def signed_in_recently(request: HttpRequest) -> bool:
    at = signed_in_at(request)
    return at is not None and timezone.now() - at <= RECENT_SIGN_IN


def confirm_url(next_url: str) -> str:
    """The "confirm it's you" page, coming back to `next_url` afterwards."""
    return f"{reverse(CONFIRM_URL_NAME)}?{urlencode({'next': next_url})}"


def require_recent_sign_in(request: HttpRequest) -> None:
    """For an API endpoint: refuse (403, `SignInTooOld`) unless the person signed in within 15 minutes."""
    if signed_in_recently(request):
        return
    raise SignInTooOld(
        gettext(
            "Exporting student records needs a sign-in within the last 15 minutes. Confirm it’s you at "
            "%(url)s (or sign in again), then retry."
        )
        % {"url": request.build_absolute_uri(reverse(CONFIRM_URL_NAME))}
    )


def recent_sign_in_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """For a page (behind `login_required`): a person who signed in more than 15 minutes ago is sent to
    the "confirm it's you" page, which brings them back here. A POST comes back as a GET of the same
    page, so nothing is exported on the way back without the person asking again."""

    @wraps(view)
    def checked(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if signed_in_recently(request):
            return view(request, *args, **kwargs)
        back = request.get_full_path() if request.method == "GET" else request.path
        return HttpResponseRedirect(confirm_url(back))

    return checked
