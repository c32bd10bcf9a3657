"""Response headers that keep student data out of shared caches, browser history and injected scripts."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
