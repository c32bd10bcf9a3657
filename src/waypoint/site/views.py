"""The site's own pages: the home page, made of every app's items for the user, and the liveness check."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waypoint.core.http import user_of
from waypoint.site.contributions import contributions


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without touching the database or any student data."""
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    page: dict[str, Any] = {}
    for offer in contributions("home"):
        page.update(offer(request, user))
    return render(request, "site/home.html", page)
