"""Response headers that keep student data out of shared caches, browser history and injected scripts, the
one place where a refusal raised under a page becomes its response, the request's one audit insert,
problem+json for every error under /api/, the request id shared by the logs and the audit rows, and a 503
(never a 500) while the database is down or restarting."""

import re
import sys
import uuid
from collections.abc import Callable
from http import HTTPStatus

import psycopg
from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.views import defaults

from waypoint.core.api import (
    METHOD_REASON,
    NOT_FOUND_REASON,
    PROBLEM_MEDIA_TYPE,
    SERVER_ERROR_REASON,
    TOO_BIG_REASON,
    problem_response,
)
from waypoint.core.audit import audit_batched
from waypoint.core.errors import NotVisible, Refusal
from waypoint.core.logging import bound_request_id

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may be to be kept: it is echoed in a header, written into log lines and stored in
# audit rows (64 characters), so nothing that could split a header or a line, or inject markup.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Give every request an id: the caller's `X-Request-ID` when it is a safe token (a load balancer's or a
    proxy's, so one id follows the request through every hop), else a new one. The id is kept on the
    request (`request.request_id`), bound for logging for the request's duration
    (`waypoint.core.logging`), written into the request's audit rows and sent back in `X-Request-ID`. First
    in the stack, so every other middleware's log lines and responses carry it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        with bound_request_id(request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


# How long a client should wait before trying again: a restarting PostgreSQL is back within seconds.
RETRY_AFTER_SECONDS = 10
UNAVAILABLE_REASON = gettext_lazy(
    "Waypoint cannot reach its database just now, so nothing was read or saved. "
    "Please try again in a few seconds."
)
# The SQLSTATEs of a database that is not there: any connection exception (class 08), and the server
# shutting down, crashed or still starting (57P01-57P03; the rest of class 57, such as a statement timeout,
# is a fault of a working database). An error with no SQLSTATE is one the driver raised because no server
# answered.
_CONNECTION_EXCEPTION_CLASS = "08"
_SERVER_GOING_OR_COMING = frozenset({"57P01", "57P02", "57P03"})


def database_unavailable(error: BaseException) -> bool:
    """Whether a database error means the database is down or restarting (to try again later), rather than
    a fault in the request or the code (to fix). Django wraps the driver's error; its cause says which."""
    if isinstance(error, InterfaceError):
        # The connection was closed under the request (the server went away between two queries).
        return True
    cause = error.__cause__
    if not isinstance(cause, psycopg.OperationalError):
        return False
    state = cause.sqlstate
    return state is None or state.startswith(_CONNECTION_EXCEPTION_CLASS) or state in _SERVER_GOING_OR_COMING


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with `Retry-After`: problem+json under /api/, a plain page in words elsewhere, in the language of
    the request's language cookie or Accept-Language (a saved choice needs the database). The page uses no
    template, session or user, since each of those may need the database that is missing."""
    with translation.override(translation.get_language_from_request(request)):
        if request.path.startswith("/api/"):
            response = problem_response(status=503, problems=[UNAVAILABLE_REASON])
        else:
            title = gettext("Waypoint is briefly unavailable")
            response = HttpResponse(
                format_html(
                    '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{} · Waypoint</title>'
                    "</head><body><main><h1>{}</h1><p>{}</p></main></body></html>",
                    translation.get_language(),
                    title,
                    title,
                    UNAVAILABLE_REASON,
                ),
                status=503,
            )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with `Retry-After` when the database is down or restarting, before any layer that needs it
    runs: a client (or a load balancer) waits and retries, and IT staff see an outage, not a bug. Django
    reconnects on the next request once the database is back (with `CONN_HEALTH_CHECKS`, a persistent
    connection that a restart broke is replaced before it is used), so no web process needs a restart.

    Connecting here, above the session, the sign-in and the audit batch, makes the one connection attempt
    of a request that cannot be served; every layer below would otherwise try again on its own. The
    request's health check is the one Django would make at its first query anyway. A database that fails
    after this check, in the middle of a request, reaches `server_error`, which answers the same 503.
    /healthz is the process alone and /readyz reports the database itself, so neither is answered here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.probes = {reverse("healthz"), reverse("readyz")}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in self.probes:
            try:
                connection.close_if_health_check_failed()
                connection.ensure_connection()
            except DatabaseError as error:
                if not database_unavailable(error):
                    raise
                return unavailable_response(request)
        return self.get_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's handler500: a database that went away in the middle of a request is a 503 with
    `Retry-After` like one found missing at its start (`DatabaseUnavailableMiddleware`); anything else is
    Django's 500 page. Django calls the handler while it handles the exception, so the exception is the
    one being handled."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and database_unavailable(error):
        return unavailable_response(request)
    return defaults.server_error(request)


class AuditBatchMiddleware:
    """Store the audit events a request records in one insert when its response is ready, error responses
    included (`waypoint.core.audit.audit_batched` says which events wait and why). It sits near the top of
    the stack, so the events of every layer below it, sign-in and refusals included, join the batch, and
    the response is returned only once they are stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_batched():
            return self.get_response(request)


class PrivateCacheMiddleware:
    """Mark every response to a signed-in user `private, no-store`: pages name students, and school
    computers are shared, so no proxy or back button may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class ContentSecurityPolicyMiddleware:
    """Send `settings.WAYPOINT_CONTENT_SECURITY_POLICY` on every response. Pages load scripts and styles only
    from Waypoint's own static files, so an injected script could neither run nor send a record away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.WAYPOINT_CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        return response


class RefusalMiddleware:
    """Answer a `Refusal` that a page let through: what the access policy hides (`NotVisible`) with the same
    404 page as something that does not exist, anything else with its status and its reason in words.
    Pages that show a refused form again catch the refusal themselves; this is the answer for the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotVisible):
            return defaults.page_not_found(request, Http404())
        if isinstance(exception, Refusal):
            context = {"reason": exception.reason, "status": exception.status}
            return render(request, "403.html", context, status=exception.status)
        return None


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the browser's: a guardian who chose Spanish reads Spanish
    on a shared library computer. Runs after authentication; `LocaleMiddleware` has already honoured
    Accept-Language for everyone else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class ApiProblemMiddleware:
    """Under /api/, answer every error as `application/problem+json`, including those no API code produces:
    an unknown address (the URL resolver's 404), a method an address does not take (405), a body over
    `DATA_UPLOAD_MAX_MEMORY_SIZE` (Django's 400, answered 413) and a failure outside the API's views (500).
    The API's own errors are problem+json already and pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith(PROBLEM_MEDIA_TYPE)
        ):
            return response
        status, reason = response.status_code, _GENERIC_REASONS.get(response.status_code)
        if status == 400 and _body_too_big(request):
            status, reason = 413, TOO_BIG_REASON
        problem = problem_response(status=status, problems=[reason or HTTPStatus(status).phrase])
        if "Allow" in response:
            problem["Allow"] = response["Allow"]
        return problem


_GENERIC_REASONS = {404: NOT_FOUND_REASON, 405: METHOD_REASON, 500: SERVER_ERROR_REASON}


def _body_too_big(request: HttpRequest) -> bool:
    # Django answers a body over the limit with a generic 400 (`RequestDataTooBig`); the declared length
    # tells that case apart.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is not None and length > limit
