"""The district administrator's roster import pages: the history of runs, the upload (with a progress bar
while the import runs), and one run's counts, problems and warnings. Thin: the selectors scope, the
importer (`services.roster_import`) checks the policy, writes and audits.

Progress: the upload page carries a token (a fresh uuid per page) and, when the form is sent with htmx,
polls `/rosters/imports/progress/<token>/` every 500 ms while the same POST request's thread runs the
import and publishes each step to Django's cache under the token and the person's id (nobody else reads
it). The default cache is per process, which holds for `runserver` (threaded) and the test live server; a
deployment with several worker processes needs a shared cache (Redis, memcached) for the bar to move.
Issue 17 moves imports to a task queue: the POST will then only queue the run, and the poll stays as it is.
Without JavaScript the form posts as any form does and the result page shows the run."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.middleware import HtmxDetails

from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid
from waypoint.core.http import page_number, user_of
from waypoint.core.models import Organization
from waypoint.core.paging import page_of
from waypoint.interop.forms.rosters import (
    SET_UP_PENDING,
    RosterUploadForm,
    counts_in_file_order,
    roster_max_bytes,
    upload_source,
)
from waypoint.interop.models import RosterImport
from waypoint.interop.selectors import rosters as reads
from waypoint.interop.services.roster_import import roster_import
from waypoint.policy import Action, request_context

# How long a run's progress stays readable after its last step: far longer than any import takes.
PROGRESS_SECONDS = 60 * 60
POLL_MILLISECONDS = 500


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True)
class Progress:
    """Where a run stands, as the poll shows it: the file being read or written and its rows, or the end."""

    file: str = ""
    done: int = 0
    total: int = 0
    finished: bool = False
    status: str = ""  # RosterImport.Status once finished

    @property
    def started(self) -> bool:
        return bool(self.file) or self.finished


def _progress_key(user_id: int, token: uuid.UUID) -> str:
    return f"interop:roster-progress:{user_id}:{token}"


def publish_progress(user_id: int, token: uuid.UUID, progress: Progress) -> None:
    cache.set(_progress_key(user_id, token), asdict(progress), PROGRESS_SECONDS)


def read_progress(user_id: int, token: uuid.UUID) -> Progress:
    """The person's run under this token; nothing yet (the upload still travelling) reads as not started."""
    found = cache.get(_progress_key(user_id, token))
    return Progress(**found) if isinstance(found, dict) else Progress()


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
    run: RosterImport | None = None
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        run, problems = _run_import(request, context, district, form)
        if run is not None and run.status == RosterImport.Status.IMPORTED:
            request.session.pop(SET_UP_PENDING, None)
        if run is not None and not request.htmx:
            if run.status == RosterImport.Status.IMPORTED:
                messages.success(request, gettext("The roster is imported."))
            else:
                messages.error(request, gettext("The roster was refused; nothing was imported."))
            return redirect("interop-roster-import", run.pk)
    page_context = {
        "district": district,
        # A fresh form (and token) after each run, so the next upload polls its own progress.
        "form": RosterUploadForm() if run is not None or problems else form,
        "run": run,
        "counts": counts_in_file_order(run.counts) if run is not None else [],
        "problems": problems,
        "max_upload_mb": roster_max_bytes() // (1024 * 1024),
        "poll_milliseconds": POLL_MILLISECONDS,
    }
    if request.htmx:
        # htmx swaps only successful answers: the refusal is the section's content, not the status.
        return render(request, "interop/roster_import_upload.html", page_context)
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/roster_import_new.html", page_context, status=status)


def _run_import(
    request: HttpRequest, context: RequestContext, district: Organization, form: RosterUploadForm
) -> tuple[RosterImport | None, list[str]]:
    """Import the upload in this request's thread, publishing each step under the form's token. Returns the
    run (imported or refused), or no run and the problems when the importer refused before recording one."""
    user_id = user_of(request).pk
    token: uuid.UUID = form.cleaned_data["token"]
    upload: UploadedFile = form.cleaned_data["file"]

    def progress(file: str, done: int, total: int) -> None:
        publish_progress(user_id, token, Progress(file=file, done=done, total=total))

    # A page sent twice (the browser's back button, no JavaScript) carries a token a run already holds.
    run_token = token if not RosterImport.objects.filter(progress_token=token).exists() else uuid.uuid4()
    started = RosterImport(
        district=district, started_by=context.actor, source_name=upload.name or "", progress_token=run_token
    )
    try:
        run = roster_import(
            context=context,
            district=district,
            source=upload_source(upload),
            source_name=upload.name or "",
            mode="delta" if form.cleaned_data["delta"] else None,
            progress=progress,
            run=started,
        )
    except Invalid as refusal:
        publish_progress(user_id, token, Progress(finished=True, status=RosterImport.Status.REFUSED))
        # The importer records the refused run in the row it was given, unless it refused before reading.
        return (started, []) if started.pk is not None else (None, list(refusal.problems))
    except BaseException:
        publish_progress(user_id, token, Progress(finished=True, status=RosterImport.Status.FAILED))
        raise
    publish_progress(user_id, token, Progress(finished=True, status=run.status))
    return run, []


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
    reads.acting_district(context=request_context(request), action=Action.IMPORT_ROSTER)
    try:
        parsed = uuid.UUID(progress_token)
    except ValueError:
        raise Http404 from None
    progress = read_progress(user_of(request).pk, parsed)
    return render(
        request,
        "interop/_roster_progress.html",
        {
            "progress": progress,
            "poll_url": reverse("interop-roster-import-progress", args=[str(parsed)]),
            "poll_milliseconds": POLL_MILLISECONDS,
        },
    )


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
