"""Roster imports under /api/v1/interop/rosters/: the district's history of runs, one run with its counts,
problems and warnings, and an import of a OneRoster zip (multipart). The same importer and reads as the
pages; a refused import answers 400 with every problem's file, line and column (`rows`) and the run that
records it."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from waypoint.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    PageOut,
    PageQuery,
    Problem,
    page_fields,
    problem_response,
)
from waypoint.core.errors import Invalid
from waypoint.core.paging import page_of
from waypoint.interop.forms.rosters import (
    counts_in_file_order,
    upload_not_a_zip,
    upload_source,
    upload_too_large,
)
from waypoint.interop.models import RosterImport
from waypoint.interop.selectors import rosters as reads
from waypoint.interop.services.roster_import import roster_import
from waypoint.policy import Action, request_context

router = Router(tags=["interop"])


class RosterCountOut(Schema):
    file: str = Field(description="The OneRoster file, e.g. `users.csv`.")
    rows: int
    created: int
    updated: int
    ended: int = Field(description="Rows ended (tobedeleted, or no longer in a bulk set): never deleted.")
    unchanged: int
    ignored: int = Field(description="Rows the mapping skips with a warning (a proctor, a department).")


class RosterProblemOut(Schema):
    file: str = Field(description="The file at fault; empty for the set as a whole.")
    line: int | None = Field(description="The physical line (the header is line 1); empty for a whole file.")
    column: str | None = Field(
        description="The column's header; empty when the whole row or file is at fault."
    )
    reason: str


class RosterImportSummaryOut(Schema):
    id: int
    source_name: str
    version: str = Field(description="The OneRoster version read: 1.1 or 1.2 (empty when unreadable).")
    mode: str = Field(description="bulk or delta")
    status: str = Field(description="running, imported, refused or failed")
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    started_by: str = Field(description="The username of who started it; empty for a command.")
    problem_count: int
    warning_count: int


class RosterImportOut(RosterImportSummaryOut):
    counts: list[RosterCountOut]
    problems: list[RosterProblemOut] = Field(description="Every problem that refused the import.")
    warnings: list[RosterProblemOut] = Field(description="What was accepted but is worth reading.")


class RosterImportPageOut(PageOut):
    items: list[RosterImportSummaryOut]


class RosterRefusalOut(Problem):
    """A refused import: `problems` in words, and each problem's place in the files."""

    run_id: int | None = Field(None, description="The refused run, kept in the history with its problems.")
    rows: list[RosterProblemOut] = Field(
        default_factory=list, description="Every problem with its file, line and column."
    )


def _problem_rows(entries: list[dict[str, object]]) -> list[RosterProblemOut]:
    return [
        RosterProblemOut(
            file=str(entry.get("file") or ""),
            line=entry.get("line") if isinstance(entry.get("line"), int) else None,  # type: ignore[arg-type]
            column=str(entry["column"]) if entry.get("column") else None,
            reason=str(entry.get("reason") or ""),
        )
        for entry in entries
    ]


def _summary_fields(run: RosterImport) -> dict[str, object]:
    return {
        "id": run.pk,
        "source_name": run.source_name,
        "version": run.version,
        "mode": run.mode,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "started_by": run.started_by.username if run.started_by else "",
        "problem_count": len(run.problems),
        "warning_count": len(run.warnings),
    }


def _out(run: RosterImport) -> RosterImportOut:
    return RosterImportOut(
        **_summary_fields(run),  # type: ignore[arg-type]
        counts=[
            RosterCountOut(
                file=file,
                **{
                    key: int(count.get(key) or 0)
                    for key in ("rows", "created", "updated", "ended", "unchanged")
                },
                ignored=int(count.get("ignored") or 0),
            )
            for file, count in counts_in_file_order(run.counts)
        ],
        problems=_problem_rows(run.problems),
        warnings=_problem_rows(run.warnings),
    )


@router.get(
    "/rosters/imports",
    response={200: RosterImportPageOut, **LIST_ERRORS},
    summary="The district's roster imports, newest first",
)
def roster_imports(request: HttpRequest, query: Query[PageQuery]) -> RosterImportPageOut:
    """The roster imports of the district you act for (district administrators), newest first, without
    their problems and warnings (read one run for those)."""
    context = request_context(request)
    district = reads.acting_district(context=context, action=Action.VIEW_ROSTER_IMPORTS)
    page = page_of(
        reads.roster_imports(context=context, district=district), number=query.page, size=query.page_size
    )
    return RosterImportPageOut(
        items=[RosterImportSummaryOut(**_summary_fields(run)) for run in page.items],  # type: ignore[arg-type]
        **page_fields(page),
    )


@router.get(
    "/rosters/imports/{int:import_id}",
    response={200: RosterImportOut, **READ_ERRORS},
    summary="One roster import with its counts per file, problems and warnings",
)
def roster_import_detail(request: HttpRequest, import_id: Id) -> RosterImportOut:
    """One run of the district you administer; another district's answers 404."""
    return _out(reads.roster_import_get(context=request_context(request), import_id=import_id))


@router.post(
    "/rosters/imports",
    response={201: RosterImportOut, **WRITE_ERRORS, 400: RosterRefusalOut},
    summary="Import a OneRoster 1.1 or 1.2 CSV zip into the district",
)
def roster_import_create(
    request: HttpRequest, file: File[UploadedFile], delta: Form[bool] = False
) -> Status[RosterImportOut] | HttpResponse:
    """Import the zip (multipart field `file`) into the district you administer, all or nothing. `delta`
    reads it as a delta export (only what changed); otherwise the manifest decides, bulk by default. A
    refused import writes nothing of the roster and answers 400 with every problem in `rows` (file, line,
    column, reason) and the refused run's id; a file over `WAYPOINT_ROSTER_MAX_BYTES` answers 413."""
    context = request_context(request)
    district = reads.acting_district(context=context, action=Action.IMPORT_ROSTER)
    too_large = upload_too_large(file)
    if too_large:
        return problem_response(status=413, problems=[too_large])
    not_a_zip = upload_not_a_zip(file)
    if not_a_zip:
        raise Invalid(not_a_zip)
    started = RosterImport(district=district, started_by=context.actor, source_name=file.name or "")
    try:
        run = roster_import(
            context=context,
            district=district,
            source=upload_source(file),
            source_name=file.name or "",
            mode="delta" if delta else None,
            run=started,
        )
    except Invalid as refusal:
        # The importer records the refused run in the row it was given, unless it refused before reading.
        refused = started if started.pk is not None else None
        if refused is None:
            raise
        return problem_response(
            status=400,
            problems=list(refusal.problems),
            run_id=refused.pk,
            rows=[row.dict() for row in _problem_rows(refused.problems)],
        )
    return Status(201, _out(run))
