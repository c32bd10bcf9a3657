"""The first-run page: a district administrator's checklist for adopting Waypoint, each step with its live
state and the page that does it. Thin: the selector reads the state."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from waypoint.interop.selectors.first_run import acting_district, first_run_state
from waypoint.policy import Action, request_context


@login_required
@require_GET
def first_run(request: HttpRequest) -> HttpResponse:
    district = acting_district(context=request_context(request), action=Action.VIEW_FIRST_RUN)
    return render(request, "interop/first_run.html", {"state": first_run_state(district)})


urlpatterns: list[URLPattern] = [
    path("setup/", first_run, name="interop-first-run"),
]
