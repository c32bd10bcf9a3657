"""The school and district dashboard (GET, filters as query parameters) and the refresh of its figures
(POST, for the district's administrators: it starts a background task and sends to its status page, which
links back to the dashboard once the figures are rebuilt). A refused filter answers 400 with the page and the
reason, and reads nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from waypoint.insights import tasks
from waypoint.insights.selectors import dashboard as selectors
from waypoint.insights.selectors.filters import FilterError, parse_filters
from waypoint.operations.services import start_task
from waypoint.policy import request_context

TEMPLATE = "insights/dashboard.html"


@login_required
@require_GET
def insights_dashboard(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    try:
        filters = parse_filters(request.GET)
    except FilterError as error:
        page = selectors.dashboard_form(context=context)
        return render(request, TEMPLATE, {"page": page, "error": str(error)}, status=400)
    page = selectors.dashboard(context=context, filters=filters)
    return render(
        request,
        TEMPLATE,
        {
            "page": page,
            "error": "",
            "sections": [(table, selectors.chart_data(table)) for table in page.tables],
            "export_params": urlencode(filters.as_params()) if page.may_export else "",
        },
    )


@login_required
@require_POST
def insights_refresh(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    try:
        filters = parse_filters(request.POST)
    except FilterError as error:
        page = selectors.dashboard_form(context=context)
        return render(request, TEMPLATE, {"page": page, "error": str(error)}, status=400)
    district = selectors.refresh_target(context=context, filters=filters)
    query = urlencode(filters.as_params())
    run = start_task(
        context=context,
        district=district,
        work=tasks.refresh,
        arguments={"district_id": district.pk, "dashboard_query": query},
    )
    messages.success(
        request,
        gettext("The refresh of %(district)s’s figures has started; the dashboard shows them once it ends.")
        % {"district": district.name},
    )
    return redirect(reverse("task-run", args=[run.pk]))


urlpatterns: list[URLPattern] = [
    path("insights/", insights_dashboard, name="insights-dashboard"),
    path("insights/refresh/", insights_refresh, name="insights-refresh"),
]
