"""The kit's own endpoints (users, redirect URIs, what the authorization endpoint was asked), behind the
token the starting process chose, and the log of authorization requests they read."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oidc_provider.models import Client

_AUTHORIZE_REQUESTS: list[dict[str, str]] = []
_LOCK = threading.Lock()


class AuthorizeRequestLog:
    """Keeps the query of every request to the authorization endpoint, so a test can check what Waypoint
    sent (its PKCE challenge, its nonce)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.rstrip("/").endswith("/authorize") and request.method == "GET":
            with _LOCK:
                _AUTHORIZE_REQUESTS.append(request.GET.dict())
        return self.get_response(request)


def _kit(
    view: Callable[[HttpRequest, dict[str, Any]], dict[str, Any]],
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    def guarded(request: HttpRequest) -> HttpResponse:
        if request.headers.get("X-Kit-Token") != getattr(settings, "OIDC_KIT_TOKEN", None):
            return JsonResponse({"error": "kit token required"}, status=403)
        body = json.loads(request.body or b"{}")
        return JsonResponse(view(request, body))

    return guarded


@_kit
def add_user(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    user, _ = User.objects.update_or_create(
        username=body["username"],
        defaults={
            "email": body.get("email", ""),
            "first_name": body.get("first_name", ""),
            "last_name": body.get("last_name", ""),
        },
    )
    user.set_password(body["password"])
    user.save()
    return {"sub": str(user.pk)}


@_kit
def allow_redirect_uri(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    for client in Client.objects.all():
        if body["uri"] not in client.redirect_uris:
            client.redirect_uris = [*client.redirect_uris, body["uri"]]
            client.save()
    return {"uri": body["uri"]}


@_kit
def authorize_requests(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    with _LOCK:
        return {"requests": list(_AUTHORIZE_REQUESTS)}
