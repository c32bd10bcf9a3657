"""Rebuilding a district's aggregates: `GroupFigures`, `MonthlyFigures` and `EvidenceVolume`, then the
graduation cohorts (`cohort_figures.rebuild`) and the action plans' readings (`plans.record_readings`), in
one transaction, with an `AggregateRefresh` row saying when and how long.

Everything is set-based SQL that runs unchanged on SQLite and PostgreSQL: a district has tens of thousands
of students and millions of mastery changes, so no Python loop ever meets a student row. The steps:

1. `students`: a temporary table of the day's population, one row per student with an enrollment active on
   the refresh day (the latest such enrollment when two overlap): school, grade, cohort and the student's
   group in each reporting dimension, derived as the equal access report derives them
   (`waypoint.pathways.selectors._subgroups`).
2. Per-student facts (status, pace, paths taken; events per month; evidence per year and type) are summed
   into *cells*: one temporary row per school, grade, cohort, full combination of groups (and month, or
   school year, type and path kind).
3. Each dimension's rows are the cells summed over every other dimension (one INSERT … SELECT … GROUP BY per
   dimension), so the groups of any dimension add up to the `all` rows by construction.

Table and column names come from the models' `_meta`; the only values written into the SQL text are those
names and this module's own constants, every other value is a bound parameter. Dates of timestamps are taken
in the site's time zone through Django's own backend operations, as the ORM's lookups take them."""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import DateTimeField, Field, Model
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.catalog.models import Opportunity, OpportunityKind
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.demographics import RACE_FLAGS, RaceEthnicity
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.models import (
    AuditAction,
    Gender,
    Organization,
    Student,
    StudentDemographics,
    StudentEnrollment,
)
from waypoint.evidence.models import Assessment, Evidence
from waypoint.insights.dimensions import (
    ACCESS_KINDS,
    ALL,
    DIMENSION_KEYS,
    FLAG_DIMENSIONS,
    NO,
    PACE_BANDS,
    YES,
)
from waypoint.insights.models import (
    MONTHLY_COLUMNS,
    AggregateRefresh,
    EvidenceVolume,
    GroupFigures,
    MonthlyFigures,
)
from waypoint.insights.selectors.access import refused
from waypoint.insights.services import cohort_figures, plans
from waypoint.mastery.models import MasteryLevelChange
from waypoint.pathways.models import PARTICIPATING, PathProposal
from waypoint.pathways.selectors import school_year
from waypoint.policy import Action
from waypoint.progress.models import Advancement, Alert, FollowUp, Status, StudentProgress, Support

OBJECT_TYPE = "insights-refresh"
MONTHS = 36
# The temporary tables, named apart from every model's table (they live in the session's own schema).
STUDENTS = "insights_refresh_students"
MONTH_KEYS = "insights_refresh_months"
STUDENT_CELLS = "insights_refresh_student_cells"
MONTH_CELLS = "insights_refresh_month_cells"
EVIDENCE_CELLS = "insights_refresh_evidence_cells"
TEMPORARY = (STUDENTS, MONTH_KEYS, STUDENT_CELLS, MONTH_CELLS, EVIDENCE_CELLS)

# The dimensions other than "all" are columns of the temporary tables, named by their keys.
GROUP_COLUMNS: tuple[str, ...] = tuple(key for key in DIMENSION_KEYS if key != ALL)
STATUS_COLUMNS: dict[str, str] = {
    "ahead": Status.AHEAD,
    "on_track": Status.ON_TRACK,
    "at_risk": Status.AT_RISK,
    "off_track": Status.OFF_TRACK,
}


@dataclass(frozen=True)
class _Window:
    """The refresh day and the bounds of what it counts: the 36 months up to it (as month numbers, year ×
    12 + month − 1, and as instants in the site's time zone), and the school year of its paths."""

    on: datetime.date
    first_month: int
    last_month: int
    starts_at: datetime.datetime
    starts_on: datetime.date
    ends_at: datetime.datetime
    year_start: datetime.date
    year_end: datetime.date

    @classmethod
    def of(cls, on: datetime.date) -> _Window:
        last = on.year * 12 + on.month - 1
        first = last - (MONTHS - 1)
        starts_on = datetime.date(first // 12, first % 12 + 1, 1)
        zone = timezone.get_default_timezone()
        year_start, year_end = school_year(on)
        return cls(
            on=on,
            first_month=first,
            last_month=last,
            starts_at=datetime.datetime.combine(starts_on, datetime.time(), tzinfo=zone),
            starts_on=starts_on,
            ends_at=datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time(), tzinfo=zone),
            year_start=year_start,
            year_end=year_end,
        )


def refresh_district(
    *, district_id: int, on: datetime.date | None = None, context: RequestContext | None = None
) -> AggregateRefresh:
    """Delete the district's aggregate rows and rebuild them as of `on` (today by default), in one
    transaction; when a person asked for it (`context`), only if they may, and audited as
    `insights-refresh`. A refresh of the same district already running is a Conflict: on PostgreSQL two
    rebuilds at once would each delete what they saw and both insert, doubling every figure (SQLite's
    writers take turns, so there the second simply runs after the first)."""
    on = on or policy.today()
    district = Organization.objects.get(pk=district_id, kind=Organization.Kind.DISTRICT)
    if context is not None and not policy.can(context.user, Action.REFRESH_INSIGHTS, district):
        reason = gettext("You may not %(action)s.") % {"action": Action.REFRESH_INSIGHTS.label}
        raise refused(context, NotPermitted(reason), object_type=OBJECT_TYPE, object_id=str(district.pk))
    started_at = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        try:
            list(Organization.objects.select_for_update(nowait=True).filter(pk=district.pk).values("pk"))
        except OperationalError as error:
            raise Conflict(
                gettext("The figures of this district are being refreshed right now; try again in a minute.")
            ) from error
        for model in (GroupFigures, MonthlyFigures, EvidenceVolume):
            model.objects.filter(district_id=district.pk).delete()
        with connection.cursor() as cursor:
            rows = _rebuild(cursor, district_id=district.pk, window=_Window.of(on))
        rows += cohort_figures.rebuild(district_id=district.pk, on=on)
        plans.record_readings(district_id=district.pk, on=on)
        finished_at = timezone.now()
        refresh = AggregateRefresh.objects.create(
            district=district,
            as_of=on,
            started_at=started_at,
            finished_at=finished_at,
            seconds=round(time.perf_counter() - started, 3),
            rows=rows,
            requested_by=context.actor if context else None,
        )
        if context is not None:
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=str(refresh.pk),
                district_id=district.pk,
                reason=policy.legitimate_interest(context.user),
            )
    return refresh


def refresh_all(*, on: datetime.date | None = None) -> list[AggregateRefresh]:
    """Every district's aggregates, one district (one transaction) at a time: the nightly run."""
    return [
        refresh_district(district_id=district_id, on=on)
        for district_id in Organization.objects.filter(kind=Organization.Kind.DISTRICT)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


# Names ------------------------------------------------------------------------------------------------------


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise LookupError(f"{model.__name__}.{name} is not a column")
    return connection.ops.quote_name(field.column)


def _local(sql: str, lookup: str) -> tuple[str, list[Any]]:
    """The year or month of a timestamp column in the site's time zone, as the ORM's `__year` reads it."""
    found, params = connection.ops.datetime_extract_sql(lookup, sql, (), timezone.get_default_timezone_name())
    return found, list(params)


def _month_of_timestamp(sql: str) -> tuple[str, list[Any]]:
    """The month number (year × 12 + month − 1) of a timestamp, in the site's time zone."""
    year, year_params = _local(sql, "year")
    month, month_params = _local(sql, "month")
    return f"(({year}) * 12 + ({month}) - 1)", [*year_params, *month_params]


def _month_of_date(sql: str) -> tuple[str, list[Any]]:
    year, year_params = connection.ops.date_extract_sql("year", sql, ())
    month, month_params = connection.ops.date_extract_sql("month", sql, ())
    return f"(({year}) * 12 + ({month}) - 1)", [*year_params, *month_params]


def _instant(value: datetime.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: datetime.date) -> object:
    return connection.ops.adapt_datefield_value(value)


def _execute(cursor: CursorWrapper, sql: str, params: Sequence[Any] = ()) -> int:
    cursor.execute(sql, list(params))
    return max(int(cursor.rowcount), 0)


# The rebuild ------------------------------------------------------------------------------------------------


def _rebuild(cursor: CursorWrapper, *, district_id: int, window: _Window) -> int:
    for name in TEMPORARY:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    _students(cursor, district_id=district_id, window=window)
    rows = _group_figures(cursor, district_id=district_id, window=window)
    rows += _monthly_figures(cursor, district_id=district_id, window=window)
    rows += _evidence_volume(cursor, district_id=district_id, window=window)
    for name in TEMPORARY:
        cursor.execute(f"DROP TABLE {name}")
    return rows


def _students(cursor: CursorWrapper, *, district_id: int, window: _Window) -> None:
    """The day's population with its keys and groups (see the module's docstring)."""
    e, s, d = "e", "s", "d"
    enrollment = {
        name: f"{e}.{_column(StudentEnrollment, name)}"
        for name in ("id", "student", "district", "school", "grade_level", "entry_date", "exit_date")
    }
    later = {
        name: f"l.{_column(StudentEnrollment, name)}" for name in ("id", "student", "entry_date", "exit_date")
    }
    flag = {name: f"{d}.{_column(StudentDemographics, name)}" for name in [*RACE_FLAGS, "hispanic_or_latino"]}
    races_reported = " + ".join(f"CASE WHEN {flag[name]} THEN 1 ELSE 0 END" for name in RACE_FLAGS)
    one_race = " ".join(f"WHEN {flag[name]} THEN %s" for name in RACE_FLAGS)
    flags = ", ".join(
        f"CASE WHEN {d}.{_column(StudentDemographics, name)} THEN %s ELSE %s END AS {name}"
        for name in FLAG_DIMENSIONS
    )
    on = _day(window.on)
    params: list[Any] = [
        Gender.NOT_REPORTED,
        RaceEthnicity.HISPANIC,
        RaceEthnicity.TWO_OR_MORE,
        *RACE_FLAGS.values(),
        RaceEthnicity.NOT_REPORTED,
    ]
    for _ in FLAG_DIMENSIONS:
        params += [YES, NO]
    params += [district_id, on, on, on, on]
    _execute(
        cursor,
        f"""
        CREATE TEMPORARY TABLE {STUDENTS} AS
        SELECT {enrollment["student"]} AS student_id, {enrollment["school"]} AS school_id,
               {enrollment["grade_level"]} AS grade, {s}.{_column(Student, "cohort_year")} AS cohort,
               COALESCE({d}.{_column(StudentDemographics, "gender")}, %s) AS gender,
               CASE WHEN {flag["hispanic_or_latino"]} THEN %s
                    WHEN {races_reported} > 1 THEN %s
                    {one_race}
                    ELSE %s END AS race,
               {flags}
        FROM {_table(StudentEnrollment)} {e}
        JOIN {_table(Student)} {s} ON {s}.{_column(Student, "id")} = {enrollment["student"]}
        LEFT JOIN {_table(StudentDemographics)} {d}
          ON {d}.{_column(StudentDemographics, "student")} = {enrollment["student"]}
        WHERE {enrollment["district"]} = %s
          AND {enrollment["entry_date"]} <= %s
          AND ({enrollment["exit_date"]} IS NULL OR {enrollment["exit_date"]} >= %s)
          AND NOT EXISTS (
            SELECT 1 FROM {_table(StudentEnrollment)} l
            WHERE {later["student"]} = {enrollment["student"]}
              AND {later["entry_date"]} <= %s
              AND ({later["exit_date"]} IS NULL OR {later["exit_date"]} >= %s)
              AND ({later["entry_date"]} > {enrollment["entry_date"]}
                   OR ({later["entry_date"]} = {enrollment["entry_date"]}
                       AND {later["id"]} > {enrollment["id"]}))
          )
        """,  # noqa: S608 (names from the models' _meta and this module's constants; values are parameters)
        params,
    )
    cursor.execute(f"CREATE INDEX {STUDENTS}_student ON {STUDENTS} (student_id)")
    cursor.execute(f"ANALYZE {STUDENTS}")


def _spread(
    cursor: CursorWrapper,
    *,
    district_id: int,
    cells: str,
    target: type[Model],
    keys: Sequence[str],
    measures: Sequence[str],
) -> int:
    """Write `target`'s rows of every dimension from a cells table: per dimension, the cells summed by
    school, grade, cohort, the dimension's group and the extra `keys`."""
    key_columns = ["school_id", "grade", "cohort", *keys]
    fixed = ["district", "school", "grade", "cohort", "dimension", "subgroup"]
    columns = ", ".join(_column(target, name) for name in [*fixed, *keys, *measures])
    sums = ", ".join(f"SUM({connection.ops.quote_name(name)})" for name in measures)
    extra = "".join(f", {name}" for name in keys)
    written = 0
    for key in DIMENSION_KEYS:
        # "all" is one group, a constant: grouping by a bound constant is not portable, so it is selected
        # only.
        group, grouped = ("%s", "") if key == ALL else (key, f", {key}")
        _execute(
            cursor,
            f"""
            INSERT INTO {_table(target)} ({columns})
            SELECT %s, school_id, grade, cohort, %s, {group}{extra}, {sums}
            FROM {cells}
            GROUP BY {", ".join(key_columns)}{grouped}
            """,  # noqa: S608 (names from the models' _meta and this module's constants)
            [district_id, key, *([ALL] if key == ALL else [])],
        )
        written += max(cursor.rowcount, 0)
    return written


def _group_figures(cursor: CursorWrapper, *, district_id: int, window: _Window) -> int:
    p, o, k = "p", "o", "k"
    progress = {
        name: f"{p}.{_column(StudentProgress, name)}"
        for name in ("student", "status", "mastered", "required", "pace")
    }
    paced = f"({progress['status']} IS NOT NULL AND {progress['status']} <> %s)"
    params: list[Any] = []
    measures = ["COUNT(*) AS students"]
    for name, status in STATUS_COLUMNS.items():
        measures.append(f"SUM(CASE WHEN {progress['status']} = %s THEN 1 ELSE 0 END) AS {name}")
        params.append(status)
    measures.append(
        f"SUM(CASE WHEN {progress['status']} IS NULL OR {progress['status']} = %s THEN 1 ELSE 0 END)"
        " AS not_started"
    )
    params.append(Status.UNKNOWN)
    measures += [
        f"SUM(COALESCE({progress['mastered']}, 0)) AS mastered",
        f"SUM(COALESCE({progress['required']}, 0)) AS required",
        f"SUM(CASE WHEN {paced} THEN 1 ELSE 0 END) AS paced",
        f"SUM(CASE WHEN {paced} THEN {progress['pace']} ELSE 0.0 END) AS pace_total",
    ]
    params += [Status.UNKNOWN, Status.UNKNOWN]
    for band, lower in enumerate(PACE_BANDS):
        # The first band takes every pace below the second's edge, the last every pace from its own edge.
        bounds = [paced]
        edges: list[Any] = [Status.UNKNOWN]
        if band > 0:
            bounds.append(f"{progress['pace']} >= %s")
            edges.append(lower)
        if band + 1 < len(PACE_BANDS):
            bounds.append(f"{progress['pace']} < %s")
            edges.append(PACE_BANDS[band + 1])
        measures.append(f"SUM(CASE WHEN {' AND '.join(bounds)} THEN 1 ELSE 0 END) AS pace_band_{band}")
        params += edges
    path_columns = ["path_any", *(f"path_{kind}" for kind in ACCESS_KINDS)]
    measures += [f"SUM(COALESCE(t.{name}, 0)) AS {name}" for name in path_columns]

    path = {
        name: f"{p}.{_column(PathProposal, name)}"
        for name in ("student", "opportunity", "status", "starts_on", "ends_on")
    }
    kind = f"COALESCE({o}.{_column(Opportunity, 'kind')}, %s)"
    taking = ", ".join(
        f"MAX(CASE WHEN {kind} = %s THEN 1 ELSE 0 END) AS path_{name}" for name in ACCESS_KINDS
    )
    taking_params: list[Any] = []
    for name in ACCESS_KINDS:
        taking_params += [OpportunityKind.INDEPENDENT_STUDY, name]
    statuses = ", ".join("%s" for _ in PARTICIPATING)
    taking_params += [*PARTICIPATING, _day(window.year_end), _day(window.year_start)]
    groups = ", ".join(f"{k}.{name}" for name in GROUP_COLUMNS)
    _execute(
        cursor,
        f"""
        CREATE TEMPORARY TABLE {STUDENT_CELLS} AS
        SELECT {k}.school_id, {k}.grade, {k}.cohort, {groups}, {", ".join(measures)}
        FROM {STUDENTS} {k}
        LEFT JOIN {_table(StudentProgress)} {p} ON {progress["student"]} = {k}.student_id
        LEFT JOIN (
            SELECT {path["student"]} AS student_id, 1 AS path_any, {taking}
            FROM {_table(PathProposal)} {p}
            JOIN {STUDENTS} s ON s.student_id = {path["student"]}
            LEFT JOIN {_table(Opportunity)} {o} ON {o}.{_column(Opportunity, "id")} = {path["opportunity"]}
            WHERE {path["status"]} IN ({statuses}) AND {path["starts_on"]} <= %s AND {path["ends_on"]} >= %s
            GROUP BY {path["student"]}
        ) t ON t.student_id = {k}.student_id
        GROUP BY {k}.school_id, {k}.grade, {k}.cohort, {groups}
        """,  # noqa: S608 (names from the models' _meta and this module's constants; values are parameters)
        [*params, *taking_params],
    )
    names = [
        "students",
        *STATUS_COLUMNS,
        "not_started",
        "mastered",
        "required",
        "paced",
        "pace_total",
        *(f"pace_band_{band}" for band in range(len(PACE_BANDS))),
        *path_columns,
    ]
    return _spread(
        cursor, district_id=district_id, cells=STUDENT_CELLS, target=GroupFigures, keys=(), measures=names
    )


def _months(cursor: CursorWrapper, window: _Window) -> None:
    """The 36 months of the window: each month's number and its first day."""
    cursor.execute(f"CREATE TEMPORARY TABLE {MONTH_KEYS} (number INTEGER, month DATE)")
    numbers = range(window.first_month, window.last_month + 1)
    params: list[Any] = []
    for number in numbers:
        params += [number, _day(datetime.date(number // 12, number % 12 + 1, 1))]
    values = ", ".join("(%s, %s)" for _ in numbers)
    cursor.execute(f"INSERT INTO {MONTH_KEYS} (number, month) VALUES {values}", params)  # noqa: S608


def _monthly_figures(cursor: CursorWrapper, *, district_id: int, window: _Window) -> int:
    """What happened each month to the day's students, from one UNION ALL of the seven kinds of event (each
    row a student, a month number and which measure it counts)."""
    _months(cursor, window)
    starts_at, ends_at = _instant(window.starts_at), _instant(window.ends_at)
    sources: list[tuple[str, list[Any]]] = []

    def dated(measure: int, model: type[Model], field: str, extra: str = "", *extra_params: object) -> None:
        """One kind of event: a row per event of the district's in the window (students are joined later)."""
        column = f"x.{_column(model, field)}"
        if isinstance(model._meta.get_field(field), DateTimeField):
            month, month_params = _month_of_timestamp(column)
            bounds = [starts_at, ends_at]
        else:
            month, month_params = _month_of_date(column)
            bounds = [_day(window.starts_on), _day(window.on + datetime.timedelta(days=1))]
        sources.append(
            (
                f"""SELECT x.{_column(model, "student")} AS student_id, {month} AS month, {measure} AS measure
                FROM {_table(model)} x
                WHERE x.{_column(model, "district")} = %s AND {column} >= %s AND {column} < %s{extra}""",  # noqa: S608 (names from the models' _meta)
                [*month_params, district_id, *bounds, *extra_params],
            )
        )

    change = {
        name: f"c.{_column(MasteryLevelChange, name)}"
        for name in ("district", "student", "competency", "changed_at", "meets_mastery")
    }
    first_month, first_params = _month_of_timestamp("f.first_at")
    sources.append(
        (
            # A pair counts in the month of its first change at mastery, so the first is found over the
            # whole history up to the day, then kept when it falls in the window.
            f"""SELECT f.student_id, {first_month} AS month, 0 AS measure FROM (
                SELECT {change["student"]} AS student_id, MIN({change["changed_at"]}) AS first_at
                FROM {_table(MasteryLevelChange)} c
                JOIN {STUDENTS} s ON s.student_id = {change["student"]}
                WHERE {change["district"]} = %s AND {change["meets_mastery"]} = %s
                  AND {change["changed_at"]} < %s
                GROUP BY {change["student"]}, {change["competency"]}
            ) f WHERE f.first_at >= %s""",  # noqa: S608 (names from the models' _meta)
            [*first_params, district_id, True, ends_at, starts_at],
        )
    )
    dated(1, Advancement, "advanced_on")
    dated(2, Alert, "opened_at")
    dated(3, Alert, "closed_at")
    dated(4, Support, "created_at")
    dated(5, Support, "followed_up_at", f" AND x.{_column(Support, 'follow_up_result')} <> %s", FollowUp.NONE)
    dated(6, Evidence, "submitted_at")

    groups = ", ".join(f"k.{name}" for name in GROUP_COLUMNS)
    sums = ", ".join(
        f"SUM(CASE WHEN ev.measure = {measure} THEN 1 ELSE 0 END) AS {name}"
        for measure, name in enumerate(MONTHLY_COLUMNS)
    )
    union = " UNION ALL ".join(sql for sql, _ in sources)
    _execute(
        cursor,
        f"""
        CREATE TEMPORARY TABLE {MONTH_CELLS} AS
        SELECT k.school_id, k.grade, k.cohort, {groups}, mk.month, {sums}
        FROM ({union}) ev
        JOIN {STUDENTS} k ON k.student_id = ev.student_id
        JOIN {MONTH_KEYS} mk ON mk.number = ev.month
        GROUP BY k.school_id, k.grade, k.cohort, {groups}, mk.month
        """,  # noqa: S608 (names from the models' _meta and this module's constants; values are parameters)
        [param for _, params in sources for param in params],
    )
    return _spread(
        cursor,
        district_id=district_id,
        cells=MONTH_CELLS,
        target=MonthlyFigures,
        keys=("month",),
        measures=MONTHLY_COLUMNS,
    )


def _evidence_volume(cursor: CursorWrapper, *, district_id: int, window: _Window) -> int:
    """The day's students' evidence up to the day, by school year, type and kind of path."""
    evidence = {
        name: f"e.{_column(Evidence, name)}"
        for name in ("district", "student", "assessment", "kind", "path", "submitted_at")
    }
    year, year_params = _local(evidence["submitted_at"], "year")
    month, month_params = _local(evidence["submitted_at"], "month")
    groups = ", ".join(f"k.{name}" for name in GROUP_COLUMNS)
    count = connection.ops.quote_name("count")
    _execute(
        cursor,
        f"""
        CREATE TEMPORARY TABLE {EVIDENCE_CELLS} AS
        SELECT k.school_id, k.grade, k.cohort, {groups}, ev.school_year, ev.evidence_type, ev.path_kind,
               COUNT(*) AS {count}
        FROM (
            SELECT {evidence["student"]} AS student_id,
                   ({year}) - CASE WHEN ({month}) < 7 THEN 1 ELSE 0 END AS school_year,
                   COALESCE(a.{_column(Assessment, "kind")}, {evidence["kind"]}) AS evidence_type,
                   CASE WHEN {evidence["path"]} IS NULL THEN %s
                        ELSE COALESCE(o.{_column(Opportunity, "kind")}, %s) END AS path_kind
            FROM {_table(Evidence)} e
            LEFT JOIN {_table(Assessment)} a ON a.{_column(Assessment, "id")} = {evidence["assessment"]}
            LEFT JOIN {_table(PathProposal)} p ON p.{_column(PathProposal, "id")} = {evidence["path"]}
            LEFT JOIN {_table(Opportunity)} o
              ON o.{_column(Opportunity, "id")} = p.{_column(PathProposal, "opportunity")}
            WHERE {evidence["district"]} = %s AND {evidence["submitted_at"]} < %s
        ) ev
        JOIN {STUDENTS} k ON k.student_id = ev.student_id
        GROUP BY k.school_id, k.grade, k.cohort, {groups}, ev.school_year, ev.evidence_type, ev.path_kind
        """,  # noqa: S608 (names from the models' _meta and this module's constants; values are parameters)
        [
            *year_params,
            *month_params,
            "",
            OpportunityKind.INDEPENDENT_STUDY,
            district_id,
            _instant(window.ends_at),
        ],
    )
    return _spread(
        cursor,
        district_id=district_id,
        cells=EVIDENCE_CELLS,
        target=EvidenceVolume,
        keys=("school_year", "evidence_type", "path_kind"),
        measures=("count",),
    )
