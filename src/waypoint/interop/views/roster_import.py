"""The district administrator's roster import pages: the history of runs, the upload, and one run's counts,
problems and warnings. Thin: the selectors scope, the importer (`services.roster_import`) checks the policy,
writes and audits.

The upload only queues the import (`interop.tasks.roster_import_start`): a worker imports it, and the page
sends the administrator to the task's status page (`/tasks/<id>/`), which shows its progress and, once it
ends, links to the run. The progress address the upload form polls (`/rosters/imports/progress/<token>/`)
reads the same task, found by the form's token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from waypoint.core.audit import RequestContext
from waypoint.core.http import page_number
from waypoint.core.paging import page_of
from waypoint.interop.forms.rosters import (
    SET_UP_PENDING,
    RosterUploadForm,
    counts_in_file_order,
    roster_max_bytes,
)
from waypoint.interop.selectors import rosters as reads
from waypoint.interop.tasks import roster_import_start
from waypoint.policy import Action, request_context
from waypoint.policy.operations import visible_task_runs

POLL_MILLISECONDS = 500


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True)
class Progress:
    """Where a run stands, as the poll shows it: what is being read or written and its rows, or the end."""

    file: str = ""
    done: int = 0
    total: int = 0
    finished: bool = False
    status: str = ""  # RosterImport.Status once finished

    @property
    def started(self) -> bool:
        return bool(self.file) or self.finished


@login_required
@require_GET
def roster_imports(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    district = reads.acting_district(context=context, action=Action.VIEW_ROSTER_IMPORTS)
    page = page_of(
        reads.roster_imports(context=context, district=district),
        number=page_number(request),
        size=settings.WAYPOINT_PAGE_SIZE,
    )
    return render(request, "interop/roster_imports.html", {"district": district, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def roster_import_new(request: HtmxHttpRequest) -> HttpResponse:
    context = request_context(request)
    district = reads.acting_district(context=context, action=Action.IMPORT_ROSTER)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        task_run = roster_import_start(
            context=context,
            district=district,
            upload=form.cleaned_data["file"],
            delta=form.cleaned_data["delta"],
            token=form.cleaned_data["token"],
        )
        # The roster is on its way; should the import fail, the home page finds the district still without
        # students and notes the set-up again.
        request.session.pop(SET_UP_PENDING, None)
        messages.success(request, gettext("The import has started; this page follows it."))
        status_page = reverse("task-run", args=[task_run.pk])
        # htmx would swap a redirect's page into the upload's section: it is told to go there instead.
        return HttpResponseClientRedirect(status_page) if request.htmx else redirect(status_page)
    page_context = {
        "district": district,
        "form": form,
        "max_upload_mb": roster_max_bytes() // (1024 * 1024),
        "poll_milliseconds": POLL_MILLISECONDS,
    }
    if request.htmx:
        # htmx swaps only successful answers: the refusal is the section's content, not the status.
        return render(request, "interop/roster_import_upload.html", page_context)
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/roster_import_new.html", page_context, status=status)


@login_required
@require_GET
def roster_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    run = reads.roster_import_get(context=request_context(request), import_id=import_id)
    return render(
        request, "interop/roster_import_detail.html", {"run": run, "counts": counts_in_file_order(run.counts)}
    )


@login_required
@require_GET
def roster_import_progress(request: HttpRequest, progress_token: str) -> HttpResponse:
    context = request_context(request)
    reads.acting_district(context=context, action=Action.IMPORT_ROSTER)
    try:
        parsed = uuid.UUID(progress_token)
    except ValueError:
        raise Http404 from None
    return render(
        request,
        "interop/_roster_progress.html",
        {
            "progress": _progress(context, parsed),
            "poll_url": reverse("interop-roster-import-progress", args=[str(parsed)]),
            "poll_milliseconds": POLL_MILLISECONDS,
        },
    )


def _progress(context: RequestContext, token: uuid.UUID) -> Progress:
    """Where the run under this token stands, read from its task; nothing yet (the upload still travelling,
    or a run the person may not read) reads as not started."""
    run = reads.roster_import_by_token(context=context, token=str(token))
    task_run = (
        visible_task_runs(context.user)
        .filter(kind="roster-import", arguments__roster_import_id=run.pk)
        .first()
        if run is not None
        else None
    )
    if run is None or task_run is None:
        return Progress()
    if task_run.finished:
        return Progress(finished=True, status=run.status)
    if not task_run.progress_total:
        # Queued, or started without a file read yet: no rows to count.
        return Progress()
    return Progress(file=task_run.message, done=task_run.progress_done, total=task_run.progress_total)


urlpatterns: list[URLPattern] = [
    path("rosters/imports/", roster_imports, name="interop-roster-imports"),
    path("rosters/imports/new/", roster_import_new, name="interop-roster-import-new"),
    path("rosters/imports/<int:import_id>/", roster_import_detail, name="interop-roster-import"),
    path(
        "rosters/imports/progress/<str:progress_token>/",
        roster_import_progress,
        name="interop-roster-import-progress",
    ),
]
