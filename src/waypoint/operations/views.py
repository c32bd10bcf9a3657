"""The pages of background runs: the list of runs the reader may follow, and one run's status, which polls
itself with htmx every two seconds until the run ends."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waypoint.core.http import page_number
from waypoint.operations.selectors import task_run_get, task_runs_page
from waypoint.policy import request_context

POLL_MILLISECONDS = 2000


@login_required
@require_GET
def task_runs(request: HttpRequest) -> HttpResponse:
    page = task_runs_page(
        context=request_context(request), page=page_number(request), size=settings.WAYPOINT_PAGE_SIZE
    )
    return render(request, "operations/task_runs.html", {"page": page})


@login_required
@require_GET
def task_run(request: HttpRequest, task_run_id: int) -> HttpResponse:
    """The whole page, or (asked by htmx's poll) only its status part."""
    run = task_run_get(context=request_context(request), run_id=task_run_id)
    template = (
        "operations/_task_status.html" if request.headers.get("HX-Request") else "operations/task_run.html"
    )
    return render(request, template, {"run": run, "poll_milliseconds": POLL_MILLISECONDS})
