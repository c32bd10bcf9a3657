"""Django's sign-in signals feed the audit log, the one place Django reports every attempt (form, admin,
identity provider), and note the sign-in's time in the session for the recent sign-in rule."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from waypoint.core.audit import RequestContext, audit_context
from waypoint.core.models import User
from waypoint.core.recent_sign_in import record_sign_in
from waypoint.core.services import sign_in_failure_record, sign_in_record


@receiver(user_logged_in, dispatch_uid="waypoint-audit-login")
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # django.contrib.auth.login() has already set request.user to the new user.
    sign_in_record(context=audit_context(request) if request else RequestContext(user=user), user=user)


@receiver(user_logged_in, dispatch_uid="waypoint-recent-sign-in")
def note_sign_in_time(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None:
        record_sign_in(request)


@receiver(user_login_failed, dispatch_uid="waypoint-audit-login-failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    sign_in_failure_record(
        context=audit_context(request) if request else RequestContext(user=AnonymousUser()),
        attempted_username=str(credentials.get("username", ""))[:64],
    )
