"""The site's own pages: the home page, made of every app's panels for the user, and the liveness check."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from waypoint.core.home import PROGRESS, TODAY, HomePanel
from waypoint.core.http import user_of
from waypoint.site.contributions import contributions


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without touching the database or any student data."""
    return JsonResponse({"status": "ok"})


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the home page draws it: the panel, and the body its own template rendered, if any."""

    panel: HomePanel
    body: SafeString | None = None


def _idle(panel: HomePanel) -> bool:
    """A panel of today's work with nothing in it: it keeps its empty state ("every plan is acknowledged"),
    but below the panels that have something, so it never takes the top of the page from them."""
    return TODAY <= panel.order < PROGRESS and not panel.items and not panel.template


def home_panels(request: HttpRequest) -> list[HomePanel]:
    """Every app's panels for the signed-in person, what needs them first (by `order`, then `key`), and the
    action panels with nothing waiting after the rest."""
    user = user_of(request)
    panels = [panel for offer in contributions("home") for panel in offer(request, user)]
    return sorted(panels, key=lambda panel: (_idle(panel), panel.order, panel.key))


def _shown(request: HttpRequest, panel: HomePanel) -> ShownPanel:
    if not panel.template:
        return ShownPanel(panel)
    return ShownPanel(panel, render_to_string(panel.template, {**panel.context, "panel": panel}, request))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What needs the person today, then how their learning or their students are doing, then reference."""
    shown = [_shown(request, panel) for panel in home_panels(request)]
    waiting = [item.panel for item in shown if item.panel.tone == "action" and item.panel.waiting]
    return render(request, "site/home.html", {"panels": shown, "waiting_panels": waiting})
