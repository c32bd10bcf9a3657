"""The interop work the background runs: a OneRoster import started from the upload page.

The page keeps the upload in the media folder (`roster-uploads/`, where every web node and worker reads the
same files), records the run (`RosterImport`) and queues the import, all in one transaction; a worker
imports it with progress, in the import's own single transaction (`services.roster_import`), so a worker
killed half-way leaves no roster row behind: only the run, which the reaper marks failed (`abandoned`). The
kept upload is deleted once the import has ended, either way."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid
from waypoint.core.models import Organization
from waypoint.interop.models import RosterImport
from waypoint.interop.services.roster_import import roster_import
from waypoint.operations.models import TaskRun
from waypoint.operations.services import start_task
from waypoint.operations.work import Outcome, Progress, background

logger = logging.getLogger(__name__)
UPLOADS = "roster-uploads"


def upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOADS


def roster_import_start(
    *,
    context: RequestContext,
    district: Organization,
    upload: UploadedFile,
    delta: bool,
    token: uuid.UUID | None = None,
) -> TaskRun:
    """Keep the upload, record the run and queue its import; one transaction (the file is removed again if it
    fails). `token`: the page's progress token, unless a run already holds it (a page sent twice)."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{uuid.uuid4()}.zip"
    with kept.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    if token is None or RosterImport.objects.filter(progress_token=token).exists():
        token = uuid.uuid4()
    try:
        with transaction.atomic():
            run = RosterImport.objects.create(
                district=district,
                started_by=context.actor,
                source_name=(upload.name or "")[:255],
                progress_token=token,
            )
            return start_task(
                context=context,
                district=district,
                work=import_roster,
                arguments={"roster_import_id": run.pk, "upload": kept.name, "delta": delta},
                message=_("Waiting to import %(name)s.") % {"name": run.source_name},
            )
    except BaseException:
        kept.unlink(missing_ok=True)
        raise


def _abandoned(arguments: dict[str, Any]) -> None:
    """The reaper's call when the worker died during the import: the import's transaction rolled back with
    the worker's connection, so the run says it failed and its kept upload goes."""
    RosterImport.objects.filter(pk=arguments["roster_import_id"], status=RosterImport.Status.RUNNING).update(
        status=RosterImport.Status.FAILED, finished_at=timezone.now()
    )
    (upload_folder() / str(arguments["upload"])).unlink(missing_ok=True)


@background(kind="roster-import", title=gettext_lazy("Roster import"), abandoned=_abandoned)
def import_roster(progress: Progress, *, roster_import_id: int, upload: str, delta: bool) -> Outcome:
    """Import the kept upload into the run's district as the person who uploaded it (the policy is asked
    again), reporting each file's rows as it goes."""
    run = RosterImport.objects.select_related("district").get(pk=roster_import_id)
    starter = progress.starter()
    context = RequestContext(
        user=starter, acting_district_id=run.district_id, path=reverse("interop-roster-import-new")
    )
    source = upload_folder() / upload
    url = reverse("interop-roster-import", args=[run.pk])

    def report(file: str, done: int, total: int) -> None:
        progress.report(done, total, file)

    try:
        roster_import(
            context=context,
            district=run.district,
            source=source,
            source_name=run.source_name,
            mode="delta" if delta else None,
            progress=report,
            run=run,
        )
    except Invalid as refusal:
        return Outcome(
            message=ngettext(
                "The roster was refused; nothing was imported (%(count)d problem).",
                "The roster was refused; nothing was imported (%(count)d problems).",
                len(refusal.problems),
            )
            % {"count": len(refusal.problems)},
            url=url,
            succeeded=False,
        )
    finally:
        source.unlink(missing_ok=True)
    return Outcome(message=_("The roster is imported."), url=url)
