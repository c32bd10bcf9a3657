"""Response headers that keep student data out of shared caches, browser history and injected scripts, the
one place where a refusal raised under a page becomes its response, and the request's one audit insert."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.defaults import page_not_found

from waypoint.core.audit import audit_batched
from waypoint.core.errors import NotVisible, Refusal


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
            return page_not_found(request, Http404())
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
