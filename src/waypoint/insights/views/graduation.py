"""The graduation-rate calculator's page: a district's cohorts under the 4-year and the 3–6-year
definitions side by side, for its administrators and the state's analysts. Aggregates only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from waypoint.core.errors import Invalid
from waypoint.insights.selectors.dashboard import chart_data
from waypoint.insights.selectors.graduation import graduation_rates, parse_graduation_query
from waypoint.policy import request_context


@login_required
@require_GET
def graduation(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    try:
        query = parse_graduation_query(request.GET)
        report = graduation_rates(
            context=context,
            district_id=query.district_id,
            by=query.by,
            school_id=query.school_id,
            cohort=query.cohort,
        )
    except Invalid as error:
        # The page again, with what was wrong with the request and nothing read.
        return render(
            request, "insights/graduation.html", {"report": None, "problems": error.problems}, status=400
        )
    # Each table with what its chart draws (None: a table without a chart); the table stays the truth.
    sections = [(table, chart_data(table) if table.chart else None) for table in report.tables]
    return render(
        request,
        "insights/graduation.html",
        {
            "report": report,
            "sections": sections,
            "charted": any(chart for _table, chart in sections),
            "problems": (),
        },
    )


urlpatterns: list[URLPattern] = [path("insights/graduation/", graduation, name="insights-graduation")]
