"""Middleware of the interop app: the second sign-in step."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from waypoint.interop.services.account import second_factor_pending

API_PREFIX = "/api/"
# Public pages no session changes: the CASE provider and the verification pages of issued records.
PUBLIC_PREFIXES = ("/ims/case/", "/verify/")


class SecondFactorMiddleware:
    """Holds back every page from a signed-in person whose confirmed authenticator app has not yet given a
    code this session, sending them to the code page. Let through: that page, signing out, choosing a
    language, static files, the health and readiness checks and the public CASE and verification pages. The
    API answers such a session as signed out, so only a personal access token (`Authorization: Bearer`,
    which authenticates by itself) works there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.exempt(request.path) or not second_factor_pending(request):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            request.user = AnonymousUser()
            return self.get_response(request)
        verify = reverse("interop-mfa-verify")
        if request.method == "GET":
            verify += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # A redirect followed inside an htmx request would paste the code page into a fragment.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = verify
            return response
        return HttpResponseRedirect(verify)

    @staticmethod
    def exempt(path: str) -> bool:
        if path.startswith(PUBLIC_PREFIXES):
            return True
        return path.startswith("/" + settings.STATIC_URL.lstrip("/")) or path in {
            reverse("interop-mfa-verify"),
            reverse("logout"),
            reverse("set_language"),
            reverse("healthz"),
            reverse("readyz"),
        }
