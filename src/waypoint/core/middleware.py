"""Response headers that keep student data out of shared caches and browser history."""

from collections.abc import Callable

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
