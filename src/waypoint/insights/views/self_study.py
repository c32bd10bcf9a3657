"""The district self-study page: the district set against the state's frameworks, step by step. A state
analyst chooses the district (`district`); a district administrator reads the one they act for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from waypoint.core.errors import Invalid
from waypoint.insights.selectors.self_study import parse_district, self_study
from waypoint.policy import request_context

TEMPLATE = "insights/self_study.html"


@login_required
@require_GET
def self_study_page(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    try:
        district_id = parse_district(request.GET.get("district"))
    except Invalid as error:
        return render(request, TEMPLATE, {"error": error.reason}, status=error.status)
    return render(request, TEMPLATE, {"study": self_study(context=context, district_id=district_id)})


urlpatterns: list[URLPattern] = [
    path("insights/self-study/", self_study_page, name="insights-self-study"),
]
