"""Importing a district's OneRoster set (1.1 or 1.2 CSV, a folder or a zip): all of it or nothing.

`roster_import` reads and checks the set (`oneroster.reader`), resolves what a delta leaves to earlier
imports against the database, and writes everything in one transaction (`_roster_writer`). Every run is kept
as a `RosterImport`: refused, it holds every problem (file, line, column, reason) and nothing of the roster
is written; imported, it holds the counts per file.

The mapping (decided for issue 15):
- orgs: the set's district is the district imported into (another district's sourcedId is taken for it
  when it is the only district in the set); schools hang under it; other organization types are ignored.
- users: students get a `Student` (and school enrollments with their grade) and an account; teachers and
  aides a teacher role at each school; administrators a school or district administrator role; parents,
  guardians and relatives a `GuardianLink` to each student either side names as agent; proctors are
  ignored. Accounts get no usable password (the district's provider, or a password reset, signs them in).
- classes become sections (dates: the span of their terms, else the current school year); enrollments
  become section enrollments (students) and teaching assignments (teachers; primary = lead).
- demographics are kept as given and reduced to core's `StudentDemographics`.

Nothing rostered is ever deleted. In a delta, `tobedeleted` ends a row on the import's date (a user's roles,
school enrollments and guardian links). In bulk, what the district's roster carried before and the set no
longer does ends the same way; accounts and students without a sourcedId (made by hand or by the demo)
are not the roster's and are left alone. Evidence and levels hang off the student, not the enrollment, so
a student who changes section keeps them.

Re-importing the same set changes nothing: every row counts `unchanged` and only the run is audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import (
    AuditAction,
    AuditEvent,
    GuardianLink,
    Organization,
    RoleAssignment,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentEnrollment,
    User,
)
from waypoint.interop.models import RosterImport
from waypoint.interop.oneroster.reader import read_roster
from waypoint.interop.oneroster.records import Problem, RosterSet
from waypoint.interop.services._roster_writer import COUNT_KEYS, RosterWriter, insert_rows
from waypoint.policy import Action

Progress = Callable[[str, int, int], None]
AUDIT_OBJECT = "roster-import"
SQLITE_CACHE_KIB = 64 * 1024
ANALYZE_AFTER_ROWS = 10_000
ANALYZED = (User, Student, StudentEnrollment, RoleAssignment, GuardianLink, SectionEnrollment, SectionTeacher)
ROSTER_FILES = (
    "orgs.csv",
    "academicSessions.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "enrollments.csv",
    "demographics.csv",
)


class _Refused(Exception):
    """Raised inside the import's transaction to roll back every write once a problem is known."""


def problem_sentence(problem: Problem) -> str:
    """`users.csv:7: role: reason`, the form the command prints and a refusal carries."""
    where = problem.file or _("the set")
    if problem.line is not None:
        where = f"{where}:{problem.line}"
    if problem.column:
        where = f"{where}: {problem.column}"
    return f"{where}: {problem.reason}"


def roster_import(
    *,
    context: RequestContext,
    district: Organization,
    source: Path | bytes,
    source_name: str,
    mode: Literal["bulk", "delta"] | None = None,
    progress: Progress | None = None,
    run: RosterImport | None = None,
) -> RosterImport:
    """Import a OneRoster set into `district`, all or nothing, and return the run.

    `mode` None follows the manifest (any file marked delta makes a delta); "delta" treats a bulk set as a
    delta. `progress(file, done, total)` hears of reading and writing every few thousand rows. `run`, when
    given, is the row a page created beforehand to follow. Refused: the run is saved with every problem and
    `Invalid` is raised listing them (`file:line: column: reason`)."""
    if not policy.can(context.user, Action.IMPORT_ROSTER, district):
        raise NotPermitted(_("You may not %(action)s.") % {"action": Action.IMPORT_ROSTER.label})
    if run is None:
        run = RosterImport(district=district, started_by=context.actor, source_name=source_name[:255])
    elif run.district_id != district.pk:
        raise ValueError("The run given belongs to another district.")
    run.source_name = source_name[:255]
    run.status = RosterImport.Status.RUNNING
    run.save()
    try:
        roster = read_roster(source, progress=progress)
        problems = _import_set(
            context=context, district=district, roster=roster, mode=mode, progress=progress, run=run
        )
    except BaseException:
        # A programming or database error: the run says so; what was written rolled back with it.
        run.status = RosterImport.Status.FAILED
        run.finished_at = timezone.now()
        run.save()
        raise
    if problems:
        run.status = RosterImport.Status.REFUSED
        run.problems = [problem.as_dict() for problem in problems]
        run.finished_at = timezone.now()
        run.save()
        raise Invalid([problem_sentence(problem) for problem in problems])
    return run


def _import_set(
    *,
    context: RequestContext,
    district: Organization,
    roster: RosterSet,
    mode: Literal["bulk", "delta"] | None,
    progress: Progress | None,
    run: RosterImport,
) -> list[Problem]:
    """Write a read set in one transaction; the problems that refused it (nothing written), or none."""
    run.version = roster.version
    run.mode = mode or (RosterImport.Mode.DELTA if roster.is_delta else RosterImport.Mode.BULK)
    run.warnings = [warning.as_dict() for warning in roster.warnings]
    if roster.problems:
        return list(roster.problems)
    writer = RosterWriter(
        district=district,
        roster=roster,
        mode="delta" if run.mode == RosterImport.Mode.DELTA else "bulk",
        on=timezone.localdate(),
        progress=progress,
        actor_id=context.actor.pk if context.actor else None,
    )
    try:
        with transaction.atomic(), _sqlite_cache():
            writer.run()
            if writer.problems:
                raise _Refused
            run.warnings += [warning.as_dict() for warning in writer.warnings]
            run.counts = {
                file: {key: writer.counts[file][key] if file in writer.counts else 0 for key in COUNT_KEYS}
                for file in ROSTER_FILES
            }
            run.status = RosterImport.Status.IMPORTED
            run.finished_at = timezone.now()
            run.save()
            _audit(context=context, district=district, run=run, writer=writer)
    except _Refused:
        run.warnings += [warning.as_dict() for warning in writer.warnings]
        return writer.problems
    if sum(counts["created"] for counts in run.counts.values()) >= ANALYZE_AFTER_ROWS:
        _refresh_statistics()
    return []


def _refresh_statistics() -> None:
    """After a large import, PostgreSQL's planner still believes the roster tables as small as they were
    (autovacuum gathers statistics later), and a delta's lookup by sourcedId read a million enrollments
    through the district's index instead of the sourcedId's (0.2 s a query instead of a millisecond).
    ANALYZE samples each table (some 30,000 rows), after the commit."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in ANALYZED]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """On SQLite, a larger page cache (64 MB) while the roster is written: a million enrollments update six
    indexes of one table, and with SQLite's default 2 MB cache the inserts read index pages back from the
    file (measured: the enrollments' inserts took about a fifth longer). The connection's own setting comes
    back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _audit(
    *, context: RequestContext, district: Organization, run: RosterImport, writer: RosterWriter
) -> None:
    """One event per student the roster created or changed, and one for the run.

    The students' events are the rows `audit_record_students` would write, inserted as plain rows: a
    district's first import creates some 100,000 students, and building that many `AuditEvent` instances
    took a fifth of the import's time. They are inserted inside the import's transaction, as the audit module
    does with changes (they commit or roll back with the roster)."""
    actor = context.actor
    reason = _("Roster import %(id)d") % {"id": run.pk}
    now = timezone.now()
    common = (now, actor.pk if actor else None, actor.username if actor else "", AUDIT_OBJECT, district.pk)
    insert_rows(
        AuditEvent,
        (
            "occurred_at",
            "actor",
            "actor_username",
            "object_type",
            "district",
            "action",
            "object_id",
            "student",
            "client_address",
            "path",
            "reason",
        ),
        [
            (*common, action, str(student_id), student_id, context.client_address, context.path[:300], reason)
            for action, student_ids in (
                (AuditAction.CREATE, writer.students_created),
                (AuditAction.UPDATE, writer.students_changed - writer.students_created),
            )
            for student_id in sorted(student_ids)
        ],
    )
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type=AUDIT_OBJECT,
        object_id=str(run.pk),
        district_id=district.pk,
    )
