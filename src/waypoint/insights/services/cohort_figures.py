"""The graduation cohorts' figures (`models.CohortFigures`), rebuilt set-based in SQL by the refresh.

One statement does it: a per-student query (the ORM writes it, so dates and time zones are read the same way
on SQLite and PostgreSQL) gives each student of the district with a cohort year the school of their latest
enrollment, when they arrived, when they left the cohort, when they graduated, and their group in every
reporting dimension; an INSERT … SELECT … GROUP BY over it, one SELECT per dimension joined by UNION ALL,
writes the counts. No student row reaches Python.

Days are compared with a window's end by the school year they fall in, as the calendar year that school year
ends: a day of September to December belongs to the school year ending the next summer. A day falls within
year n of cohort c (on or before August 31 of c + n) exactly when that year minus c is at most n, which is
plain integer arithmetic in any SQL.

Definitions (the model's docstring, `CohortFigures`), as of the refresh day `on` (nothing after it counts):
- members: every student of the district with a cohort year and an enrollment in the district begun by
  `on` (a student never enrolled has no school to be counted at);
- transfers in: their first enrollment in the district began after October 1 of the cohort year;
- removed by n: their latest enrollment ended with a removing exit (transfer out, emigration, death) by the
  end of year n, or a transfer request released their record to another district by then; a student holding
  a diploma from within the six years is a graduate, never removed;
- graduated by n: a standing (unrevoked) diploma awarded by the end of year n.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncDate

from waypoint.core.demographics import RACE_FLAGS, RaceEthnicity
from waypoint.core.models import COHORT_REMOVING_EXITS, Gender, Student, StudentEnrollment
from waypoint.insights.dimensions import ALL, DIMENSION_KEYS, FLAG_DIMENSIONS, NO, YES
from waypoint.insights.models import CohortFigures
from waypoint.records.models import Diploma, TransferRequest, TransferStatus

# The last window of a cohort: a graduate within it is never counted as removed.
LAST_YEAR = 6
# October 1 as month * 100 + day: arriving after it makes a student a transfer in.
_COHORT_FALL = 1001


def _year_ending(day: str) -> Expression:
    """The calendar year in which the school year holding `day` (a date column) ends."""
    return ExtractYear(day) + Case(
        When(Q(**{f"{day}__month__gt": 8}), then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _race() -> tuple[Expression, Expression]:
    """The federal category, as `core.demographics.federal_race_ethnicity` reduces the flags (in SQL), and
    the number of races reported that it reads (annotated as `races_reported` before it)."""
    flags = [f"demographics__{flag}" for flag in RACE_FLAGS]
    reported = sum(
        (Case(When(Q(**{flag: True}), then=Value(1)), default=Value(0)) for flag in flags),
        start=Value(0),
    )
    return Case(
        When(demographics__hispanic_or_latino=True, then=Value(RaceEthnicity.HISPANIC.value)),
        When(Q(races_reported__gt=1), then=Value(RaceEthnicity.TWO_OR_MORE.value)),
        *(
            When(Q(**{flag: True}), then=Value(category.value))
            for flag, category in zip(flags, RACE_FLAGS.values(), strict=True)
        ),
        default=Value(RaceEthnicity.NOT_REPORTED.value),
        output_field=CharField(),
    ), reported


def _student_rows(district_id: int, on: datetime.date) -> tuple[str, tuple[Any, ...]]:
    """The per-student query: SQL and parameters (columns named below)."""
    enrollments = StudentEnrollment.objects.filter(
        student=OuterRef("pk"), district_id=district_id, entry_date__lte=on
    )
    latest = enrollments.order_by("-entry_date", "-id")
    race, races_reported = _race()
    groups: dict[str, Expression] = {
        ALL: Value(ALL, output_field=CharField()),
        "gender": Coalesce(
            F("demographics__gender"), Value(Gender.NOT_REPORTED.value), output_field=CharField()
        ),
        "race": race,
    }
    for flag in FLAG_DIMENSIONS:
        groups[flag] = Case(
            When(Q(**{f"demographics__{flag}": True}), then=Value(YES)),
            default=Value(NO),
            output_field=CharField(),
        )
    if set(groups) != set(DIMENSION_KEYS):
        raise RuntimeError("every reporting dimension needs its group expression here")
    rows = (
        Student.objects.filter(district_id=district_id, cohort_year__isnull=False)
        .annotate(
            races_reported=races_reported,
            at_school=Subquery(latest.values("school_id")[:1]),
            cohort=F("cohort_year"),
            # The first enrollment's day as month * 100 + day, and its year, to compare with October 1.
            entered_year=Subquery(
                enrollments.order_by("entry_date", "id").annotate(y=ExtractYear("entry_date")).values("y")[:1]
            ),
            entered_day=Subquery(
                enrollments.order_by("entry_date", "id")
                .annotate(d=ExtractMonth("entry_date") * 100 + ExtractDay("entry_date"))
                .values("d")[:1]
            ),
            exited=Subquery(
                latest.annotate(
                    ends=Case(
                        When(
                            exit_kind__in=COHORT_REMOVING_EXITS,
                            exit_date__lte=on,
                            then=_year_ending("exit_date"),
                        ),
                        default=None,
                        output_field=IntegerField(),
                    )
                ).values("ends")[:1]
            ),
            released=Subquery(
                TransferRequest.objects.filter(
                    from_district_id=district_id,
                    source_student=OuterRef("pk"),
                    status=TransferStatus.RELEASED,
                    decided_at__date__lte=on,
                )
                .annotate(day=TruncDate("decided_at"))
                .annotate(ends=_year_ending("day"))
                .order_by("decided_at", "id")
                .values("ends")[:1]
            ),
            graduated=Subquery(
                Diploma.objects.filter(student=OuterRef("pk"), revoked_at__isnull=True, awarded_on__lte=on)
                .annotate(ends=_year_ending("awarded_on"))
                .order_by("awarded_on", "id")
                .values("ends")[:1]
            ),
            **{f"group_{key}": expression for key, expression in groups.items()},
        )
        .values(
            "at_school",
            "cohort",
            "entered_year",
            "entered_day",
            "exited",
            "released",
            "graduated",
            *(f"group_{key}" for key in groups),
        )
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    return sql, tuple(params)


def _select(dimension: str) -> str:
    """One dimension's SELECT over the per-student rows `s`: the counts per school, cohort and group."""
    group = f"s.group_{dimension}"
    within = "s.{column} - s.cohort <= {years}"
    graduate_of_the_six_years = within.format(column="graduated", years=LAST_YEAR)
    removed = [
        f"SUM(CASE WHEN ({within.format(column='exited', years=n)}"
        f" OR {within.format(column='released', years=n)})"
        f" AND (s.graduated IS NULL OR NOT ({graduate_of_the_six_years})) THEN 1 ELSE 0 END)"
        for n in (4, 5, 6)
    ]
    graduated = [
        f"SUM(CASE WHEN {within.format(column='graduated', years=n)} THEN 1 ELSE 0 END)" for n in (3, 4, 5, 6)
    ]
    transfer_in = (
        "SUM(CASE WHEN s.entered_year > s.cohort"
        f" OR (s.entered_year = s.cohort AND s.entered_day > {_COHORT_FALL}) THEN 1 ELSE 0 END)"
    )
    # Only this module's constants and dimension keys (a closed vocabulary) are spliced in; values are params.
    return (
        f"SELECT %s, s.at_school, s.cohort, %s, {group}, COUNT(*), {transfer_in}, "  # noqa: S608
        + ", ".join(removed + graduated)
        # A student with no enrollment begun by the day has no school to be counted at.
        + f" FROM s WHERE s.at_school IS NOT NULL GROUP BY s.at_school, s.cohort, {group}"
    )


def rebuild(*, district_id: int, on: datetime.date) -> int:
    """Delete the district's cohort figures and write them again as of `on`; how many rows were written. The
    caller (`services.refresh`) holds the transaction."""
    CohortFigures.objects.filter(district_id=district_id).delete()
    students, student_params = _student_rows(district_id, on)
    table = connection.ops.quote_name(CohortFigures._meta.db_table)
    columns = (
        "district_id, school_id, cohort, dimension, subgroup, members, transfers_in, "
        "removed_by_4, removed_by_5, removed_by_6, "
        "graduated_by_3, graduated_by_4, graduated_by_5, graduated_by_6"
    )
    selects = " UNION ALL ".join(_select(key) for key in DIMENSION_KEYS)
    params: list[Any] = list(student_params)
    for key in DIMENSION_KEYS:
        params += [district_id, key]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH s AS ({students}) INSERT INTO {table} ({columns}) {selects}", params)
    # SQLite's driver reports no row count for a statement that begins with WITH: count what was written.
    return CohortFigures.objects.filter(district_id=district_id).count()
