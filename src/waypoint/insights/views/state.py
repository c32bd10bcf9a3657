"""The state view's page: the state's districts compared, by subgroup and over three school years, for the
state's analysts. Aggregates only: no link on it reaches a student."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from waypoint.core.errors import Invalid
from waypoint.insights.selectors.dashboard import chart_data
from waypoint.insights.selectors.state import parse_state_query, state_view
from waypoint.policy import request_context


@login_required
@require_GET
def state(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    try:
        query = parse_state_query(request.GET)
        view = state_view(
            context=context,
            measure=query.measure,
            year=query.year,
            dimension=query.dimension,
            state_id=query.state_id,
        )
    except Invalid as error:
        # The page again, with what was wrong with the request and nothing read.
        return render(request, "insights/state.html", {"view": None, "problems": error.problems}, status=400)
    # Each table with what its chart draws (None: a table without a chart); the table stays the truth.
    sections = [(table, chart_data(table) if table.chart else None) for table in view.tables]
    return render(
        request,
        "insights/state.html",
        {
            "view": view,
            "sections": sections,
            "charted": any(chart for _table, chart in sections),
            "problems": (),
        },
    )


urlpatterns: list[URLPattern] = [path("insights/state/", state, name="insights-state")]
