"""The school and district dashboards: growth toward competencies, status and pace, equal access to paths,
advancements, alerts and supports, and evidence, by the breakdown the reader chooses.

Read only from the aggregate tables the refresh fills (`models.GroupFigures`, `MonthlyFigures`,
`EvidenceVolume`): each table is one SQL GROUP BY on the breakdown, and every figure is suppressed by
`waypoint.insights.suppression` with the settings' thresholds (Connecticut's rule) before it leaves this
module as a `FigureTable`. The tables that count students by group (status, pace bands, equal access) are
suppressed as 2-D tables whose columns are the groups, so a group's size is the denominator of its cells
and complementary suppression protects it; a group size one table hides is hidden in all of them. Means
(pace, mastery gained a month) are shown only for groups of at least the minimum size. Monthly counts hide
counts under the minimum numerator, with complements so that no hidden count can be worked out from a shown
total.

A district administrator reads the whole district or any of its schools; a school administrator reads their
own school(s) only. Each page view is audited once (`insights-dashboard`); a refusal is audited as denied."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, gettext_noop

from waypoint import policy
from waypoint.catalog.models import OpportunityKind
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization
from waypoint.evidence.models import AssessmentKind, EvidenceKind
from waypoint.insights.dimensions import ACCESS_KINDS, ALL, DIMENSIONS, PACE_BAND_LABELS, dimension
from waypoint.insights.models import (
    MONTHLY_COLUMNS,
    AggregateRefresh,
    EvidenceVolume,
    GroupFigures,
    MonthlyFigures,
)
from waypoint.insights.selectors.access import readable_schools, refused
from waypoint.insights.selectors.filters import BREAKDOWNS, MAX_GRADE, MIN_GRADE, Filters
from waypoint.insights.suppression import Table, rate, suppress, suppress_table
from waypoint.insights.tables import HIDDEN, Cell, FigureTable, Row
from waypoint.policy import Action

OBJECT_TYPE = "insights-dashboard"
TABLE_KEYS: tuple[str, ...] = ("growth", "status", "pace", "access", "advancements", "alerts", "evidence")
# Labels marked for the catalog here and translated when a table is made.
STATUSES: tuple[tuple[str, str], ...] = (
    ("ahead", gettext_noop("Ahead")),
    ("on_track", gettext_noop("On track")),
    ("at_risk", gettext_noop("At risk")),
    ("off_track", gettext_noop("Off track")),
    ("not_started", gettext_noop("Not started")),
)
BANDS: tuple[str, ...] = tuple(f"pace_band_{index}" for index in range(len(PACE_BAND_LABELS)))
ACCESS_COLUMNS: tuple[str, ...] = (*ACCESS_KINDS, "any")
GROUP_COLUMNS: tuple[str, ...] = (
    "students",
    *(status for status, _label in STATUSES),
    "mastered",
    "required",
    "paced",
    "pace_total",
    *BANDS,
    *(f"path_{kind}" for kind in ACCESS_COLUMNS),
)
# The breakdowns that are key columns of the aggregate rows, and the column each groups by.
KEY_FIELDS = {"grade": "grade", "cohort": "cohort", "school": "school_id"}
# Rows and columns a chart leaves out: the margins (all students, the year) and the group sizes; the table
# beneath the chart shows them.
UNCHARTED = frozenset({ALL, "year", "students", "paced", "attainment", "total"})
NOT_APPLICABLE = "—"


def _refused(context: RequestContext, reason: str, *, hide: bool = False) -> NotPermitted | NotVisible:
    return refused(context, NotVisible(reason) if hide else NotPermitted(reason), object_type=OBJECT_TYPE)


# Scope -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the figures cover: the district, the one school (None: every school of the district), and the
    schools the reader may choose (all of the district's for its administrators)."""

    district: Organization
    school: Organization | None
    schools: tuple[Organization, ...]
    whole_district: bool

    @property
    def organization(self) -> Organization:
        return self.school or self.district


def dashboard_scope(context: RequestContext, filters: Filters) -> Scope:
    """The district and school the reader's figures cover, checked against the access policy: someone who
    reads no dashboard is refused (403); a district or school outside their reach is not visible (404). A
    school administrator without a school filter reads their (first) school."""
    user = context.user
    if not policy.can(user, Action.VIEW_DASHBOARD):
        raise _refused(context, "The growth dashboards are for school and district administrators.")
    reach = readable_schools(user)
    readable, districts = reach.schools, reach.districts
    if filters.district_id is not None:
        if filters.district_id not in districts:
            raise _refused(
                context, f"District {filters.district_id} is not in this reader's scope.", hide=True
            )
        district_id = filters.district_id
    elif context.district_id in districts:
        district_id = context.district_id
    elif reach.administered:
        district_id = min(reach.administered)
    elif districts:
        district_id = min(districts)
    else:
        raise _refused(context, "No school or district is in this reader's scope.")
    district = Organization.objects.get(pk=district_id)
    schools = tuple(school for school in readable if school.parent_id == district_id)
    whole = district_id in reach.administered
    school: Organization | None = None
    if filters.school_id is not None:
        school = next((choice for choice in schools if choice.pk == filters.school_id), None)
        if school is None:
            raise _refused(context, f"School {filters.school_id} is not in this reader's scope.", hide=True)
    elif not whole:
        school = schools[0]
    if not policy.can(user, Action.VIEW_DASHBOARD, school or district):
        raise _refused(context, "This dashboard is not in this reader's scope.", hide=True)
    return Scope(district=district, school=school, schools=schools, whole_district=whole)


# Reading the cube ------------------------------------------------------------------------------------------


def _keyed(district_id: int, filters: Filters, school_id: int | None) -> Q:
    where = Q(district_id=district_id)
    if school_id is not None:
        where &= Q(school_id=school_id)
    if filters.grade is not None:
        where &= Q(grade=filters.grade)
    if filters.cohort is not None:
        where &= Q(cohort=filters.cohort)
    return where


def _population(filters: Filters) -> tuple[Q, str]:
    """The aggregate rows of the filtered population split along the breakdown, and the column that names
    each group. A breakdown by a dimension reads that dimension's rows (only the filtered group's when the
    filter is of the same dimension); a breakdown by grade, cohort or school reads the filtered group's."""
    if filters.by_dimension:
        where = Q(dimension=filters.by)
        if filters.dimension == filters.by:
            where &= Q(subgroup=filters.subgroup)
        return where, "subgroup"
    return Q(dimension=filters.dimension, subgroup=filters.subgroup), KEY_FIELDS[filters.by]


def group_figures(*, district_id: int, filters: Filters) -> dict[str, float]:
    """The summed `GroupFigures` columns of the filters' group (dimension and subgroup, school, grade,
    cohort) in the district: one query, no policy check and no suppression (callers check the policy and read
    a measure through `measures.read`)."""
    where = _keyed(district_id, filters, filters.school_id)
    where &= Q(dimension=filters.dimension, subgroup=filters.subgroup)
    sums = GroupFigures.objects.filter(where).aggregate(**{name: Sum(name) for name in GROUP_COLUMNS})
    return {name: float(value or 0) for name, value in sums.items()}


def _grouped(model: Any, where: Q, fields: Sequence[str], columns: Sequence[str]) -> list[dict[str, Any]]:
    """One GROUP BY: the sums of `columns` per distinct value of `fields`."""
    return list(
        model.objects.filter(where)
        .values(*fields)
        .annotate(**{name: Sum(name) for name in columns})
        .order_by(*fields)
    )


# Figures as cells ------------------------------------------------------------------------------------------


def _count(value: int | None) -> Cell:
    return Cell(None, HIDDEN) if value is None else Cell(float(value), number_format(value))


def _share(count: int, size: int, *, count_shown: bool, size_shown: bool, min_numerator: int) -> Cell:
    if size_shown and size == 0:
        return Cell(None, NOT_APPLICABLE)
    shown = rate(count, size, count_shown=count_shown, size_shown=size_shown, min_numerator=min_numerator)
    if shown.exact is not None:
        return Cell(shown.exact, f"{number_format(shown.exact, 1)} %")
    if shown.at_least is not None:
        return Cell(None, f"≥ {shown.at_least} %", at_least=shown.at_least)
    return Cell(None, HIDDEN)


def _mean(total: float, size: int, *, shown: bool, min_size: int) -> Cell:
    """A mean over a group, shown only when the group is shown and at least `min_size` strong."""
    if shown and size == 0:
        return Cell(None, NOT_APPLICABLE)
    if not shown or size < min_size:
        return Cell(None, HIDDEN)
    value = round(total / size, 2)
    return Cell(value, number_format(value, 2))


# The dashboard ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """What the filter form offers: the schools the reader may choose, the grades, the cohorts found in the
    figures, the groups of each dimension (as "<dimension>:<group>" values) and the breakdowns."""

    schools: tuple[Organization, ...]
    whole_district: bool
    grades: tuple[tuple[int, str], ...]
    cohorts: tuple[int, ...]
    subgroups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    breakdowns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Dashboard:
    scope: Organization
    district: Organization
    filters: Filters
    freshness: AggregateRefresh | None
    tables: tuple[FigureTable, ...]
    choices: FilterChoices
    can_refresh: bool
    may_export: bool
    min_numerator: int
    min_denominator: int

    def table(self, key: str) -> FigureTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def grade_label(grade: int) -> str:
    return gettext("Kindergarten") if grade == 0 else gettext("Grade %(grade)s") % {"grade": grade}


def _breakdown_label(key: str) -> str:
    labels = {"grade": gettext("Grade"), "cohort": gettext("Cohort"), "school": gettext("School")}
    return labels.get(key) or gettext(dimension(key).label)


def _choices(scope: Scope, cohorts: Iterable[int]) -> FilterChoices:
    return FilterChoices(
        schools=scope.schools,
        whole_district=scope.whole_district,
        grades=tuple((grade, grade_label(grade)) for grade in range(MIN_GRADE, MAX_GRADE + 1)),
        cohorts=tuple(sorted(cohorts)),
        subgroups=tuple(
            (
                gettext(found.label),
                tuple((f"{found.key}:{value}", gettext(str(label))) for value, label in found.groups),
            )
            for found in DIMENSIONS
            if found.key != ALL
        ),
        breakdowns=tuple((key, _breakdown_label(key)) for key in BREAKDOWNS),
    )


def school_year_start(on: datetime.date) -> datetime.date:
    """July 1 of the school year that contains the day (Connecticut's school year)."""
    return datetime.date(on.year if on.month >= 7 else on.year - 1, 7, 1)


def _months(start: datetime.date, last: datetime.date) -> list[datetime.date]:
    months = []
    month = start
    while month <= last:
        months.append(month)
        month = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


@dataclass(frozen=True)
class _Groups:
    """The groups of the breakdown (key and label) and their summed figures."""

    keys: list[str]
    labels: dict[str, str]
    figures: dict[str, dict[str, int | float]]


def _groups(
    filters: Filters, rows: list[dict[str, Any]], field: str, schools: Sequence[Organization]
) -> _Groups:
    def key_of(value: object) -> str:
        return "none" if value is None else str(value)

    figures = {
        key_of(row[field]): {name: row[name] or 0 for name in GROUP_COLUMNS}
        for row in rows
        if (row["students"] or 0) > 0
    }
    if filters.by_dimension:
        found = dimension(filters.by)
        chosen = [
            (value, label)
            for value, label in found.groups
            if filters.dimension != filters.by or value == filters.subgroup
        ]
        keys = [value for value, _label in chosen]
        labels = {value: gettext(str(label)) for value, label in chosen}
    else:
        values = [row[field] for row in rows if key_of(row[field]) in figures]
        keys = [key_of(value) for value in sorted(values, key=lambda v: (v is None, v or 0))]
        names = {str(school.pk): school.name for school in schools}
        if filters.by == "grade":
            labels = {key: grade_label(int(key)) for key in keys}
        elif filters.by == "cohort":
            labels = {key: gettext("Not known") if key == "none" else key for key in keys}
        else:
            labels = {key: names.get(key, gettext("School %(id)s") % {"id": key}) for key in keys}
    empty = dict.fromkeys(GROUP_COLUMNS, 0)
    return _Groups(keys, labels, {key: figures.get(key, empty) for key in keys})


@dataclass(frozen=True)
class _Sizes:
    """The group sizes (students) after suppression: which are hidden, and whether the whole is."""

    hidden: set[str]
    total_hidden: bool
    status: Table[str, str]
    access: dict[str, Table[str, str]]


def _student_tables(groups: _Groups, min_numerator: int, min_denominator: int) -> _Sizes:
    """The status table and one participation table per kind of path, each with the groups as columns (a
    group's students the denominator): a group size one hides is hidden in every one, until none hides
    another (as the equal access report does)."""
    keys, figures = groups.keys, groups.figures
    hidden: set[str] = set()
    while True:
        status = suppress_table(
            {status: {key: int(figures[key][status]) for key in keys} for status, _label in STATUSES},
            min_numerator=min_numerator,
            min_denominator=min_denominator,
            forced_columns=hidden,
        )
        access: dict[str, Table[str, str]] = {}
        for kind in ACCESS_COLUMNS:
            taking = {key: int(figures[key][f"path_{kind}"]) for key in keys}
            not_taking = {key: int(figures[key]["students"]) - taking[key] for key in keys}
            access[kind] = suppress_table(
                {"in": taking, "out": not_taking},
                min_numerator=min_numerator,
                min_denominator=min_denominator,
                # "None of them does not take part" names every one of them: hide it, and its complement.
                forced=[("out", key) for key in keys if taking[key] and not not_taking[key]],
                forced_columns=hidden,
            )
        more = {
            key
            for table in (status, *access.values())
            for key, shown in table.column_totals.items()
            if shown is None
        } - hidden
        if not more:
            break
        hidden |= more
    total_hidden = status.total is None or any(table.total is None for table in access.values())
    return _Sizes(hidden, total_hidden, status, access)


def _size_cell(groups: _Groups, sizes: _Sizes, key: str) -> Cell:
    if key == ALL:
        total = sum(int(groups.figures[k]["students"]) for k in groups.keys)
        return _count(None if sizes.total_hidden else total)
    return _count(None if key in sizes.hidden else int(groups.figures[key]["students"]))


def _status_table(groups: _Groups, sizes: _Sizes, row_header: str, min_numerator: int) -> FigureTable:
    table = sizes.status
    rows = []
    for key in (*groups.keys, ALL):
        if key == ALL:
            size = sum(int(groups.figures[k]["students"]) for k in groups.keys)
            counts = {status: table.row_totals[status] for status, _label in STATUSES}
            truth = {s: sum(int(groups.figures[k][s]) for k in groups.keys) for s, _label in STATUSES}
            size_shown = not sizes.total_hidden
        else:
            size = int(groups.figures[key]["students"])
            counts = {status: table.cells[status][key] for status, _label in STATUSES}
            truth = {s: int(groups.figures[key][s]) for s, _label in STATUSES}
            size_shown = key not in sizes.hidden
        cells = [_size_cell(groups, sizes, key)] + [
            _share(
                truth[status],
                size,
                count_shown=counts[status] is not None,
                size_shown=size_shown,
                min_numerator=min_numerator,
            )
            for status, _label in STATUSES
        ]
        rows.append(Row(key, groups.labels.get(key) or gettext("All students"), tuple(cells)))
    return FigureTable(
        key="status",
        title=gettext("Where students stand toward graduation"),
        row_header=row_header,
        columns=(gettext("Students"), *(gettext(label) for _status, label in STATUSES)),
        column_keys=("students", *(status for status, _label in STATUSES)),
        rows=tuple(rows),
        chart="stacked",
        unit="percent",
        note=gettext("Percent of the group's students in each status of pace toward graduation."),
    )


def _pace_table(
    groups: _Groups, sizes: _Sizes, row_header: str, min_numerator: int, min_denominator: int
) -> FigureTable:
    keys = groups.keys
    table = suppress_table(
        {band: {key: int(groups.figures[key][band]) for key in keys} for band in BANDS},
        min_numerator=min_numerator,
        min_denominator=min_denominator,
        forced_columns=sizes.hidden,
    )
    rows = [
        Row(
            key,
            groups.labels[key],
            (_count(table.column_totals[key]), *(_count(table.cells[band][key]) for band in BANDS)),
        )
        for key in keys
    ]
    total = None if sizes.total_hidden else table.total
    rows.append(
        Row(
            ALL,
            gettext("All students"),
            (_count(total), *(_count(table.row_totals[band]) for band in BANDS)),
        )
    )
    return FigureTable(
        key="pace",
        title=gettext("Distribution of pace"),
        row_header=row_header,
        columns=(gettext("Students with a pace"), *PACE_BAND_LABELS),
        column_keys=("paced", *BANDS),
        rows=tuple(rows),
        chart="stacked",
        unit="students",
        note=gettext("Students by pace, in competencies mastered a month (students not started have none)."),
    )


def _access_table(groups: _Groups, sizes: _Sizes, row_header: str, min_numerator: int) -> FigureTable:
    keys, figures = groups.keys, groups.figures
    total = sum(int(figures[key]["students"]) for key in keys)
    rows = []
    for key in (*keys, ALL):
        cells = [_size_cell(groups, sizes, key)]
        for kind in ACCESS_COLUMNS:
            table = sizes.access[kind]
            if key == ALL:
                count = sum(int(figures[k][f"path_{kind}"]) for k in keys)
                cells.append(
                    _share(
                        count,
                        total,
                        count_shown=table.row_totals["in"] is not None,
                        size_shown=not sizes.total_hidden,
                        min_numerator=min_numerator,
                    )
                )
            else:
                cells.append(
                    _share(
                        int(figures[key][f"path_{kind}"]),
                        int(figures[key]["students"]),
                        count_shown=table.cells["in"][key] is not None,
                        size_shown=key not in sizes.hidden,
                        min_numerator=min_numerator,
                    )
                )
        rows.append(Row(key, groups.labels.get(key) or gettext("All students"), tuple(cells)))
    kinds = dict(OpportunityKind.choices)
    return FigureTable(
        key="access",
        title=gettext("Equal access to paths"),
        row_header=row_header,
        columns=(
            gettext("Students"),
            *(gettext(str(kinds[kind])) for kind in ACCESS_KINDS),
            gettext("Any path"),
        ),
        column_keys=("students", *ACCESS_COLUMNS),
        rows=tuple(rows),
        chart="bar",
        unit="percent",
        note=gettext(
            "Percent of the group's students taking part in a path of each kind this school year "
            "(approved, active or completed)."
        ),
    )


def _growth_table(
    groups: _Groups,
    sizes: _Sizes,
    gained: Mapping[str, int],
    months: int,
    row_header: str,
    min_denominator: int,
) -> FigureTable:
    keys, figures = groups.keys, groups.figures
    rows = []
    for key in (*keys, ALL):
        if key == ALL:
            summed = {name: sum(float(figures[k][name]) for k in keys) for name in GROUP_COLUMNS}
            shown = not sizes.total_hidden
            gained_here = sum(gained.get(k, 0) for k in keys)
        else:
            summed = {name: float(figures[key][name]) for name in GROUP_COLUMNS}
            shown = key not in sizes.hidden
            gained_here = gained.get(key, 0)
        students = int(summed["students"])
        attainment = _attainment(summed, shown=shown, min_size=min_denominator)
        cells = (
            _size_cell(groups, sizes, key),
            attainment,
            _mean(gained_here / max(months, 1), students, shown=shown, min_size=min_denominator),
            _mean(summed["pace_total"], int(summed["paced"]), shown=shown, min_size=min_denominator),
        )
        rows.append(Row(key, groups.labels.get(key) or gettext("All students"), cells))
    return FigureTable(
        key="growth",
        title=gettext("Competency attainment and growth"),
        row_header=row_header,
        columns=(
            gettext("Students"),
            gettext("Requirements mastered"),
            gettext("Mastery gained a month"),
            gettext("Mean pace"),
        ),
        column_keys=("students", "attainment", "gained", "pace"),
        rows=tuple(rows),
        chart="bar",
        unit="pace",
        note=gettext(
            "Mastery gained a month: competencies first mastered this school year, per student and month "
            "(%(months)s so far). Mean pace: competencies mastered a month, over the students with a pace. "
            "Means are shown for groups of at least %(size)s students."
        )
        % {"months": months, "size": min_denominator},
    )


def _attainment(summed: Mapping[str, float], *, shown: bool, min_size: int) -> Cell:
    """The share of the required competencies the group has mastered, for a group shown and big enough."""
    students, required = int(summed["students"]), summed["required"]
    if shown and (students == 0 or required == 0):
        return Cell(None, NOT_APPLICABLE)
    if not shown or students < min_size:
        return Cell(None, HIDDEN)
    value = round(100 * summed["mastered"] / required, 1)
    return Cell(value, f"{number_format(value, 1)} %")


def _monthly_by_group(
    groups: _Groups,
    sizes: _Sizes,
    counts: Mapping[tuple[str, str], int],
    months: Sequence[datetime.date],
    min_numerator: int,
) -> FigureTable:
    """Advancements per month (rows) and group (columns), with the month's and the year's totals: counts
    under the minimum numerator hidden, and the groups whose size is hidden hidden whole."""
    keys = groups.keys
    month_keys = [month.isoformat()[:7] for month in months]
    small = set(keys) if sizes.total_hidden else sizes.hidden
    table = suppress_table(
        {month: {key: counts.get((month, key), 0) for key in keys} for month in month_keys},
        min_numerator=min_numerator,
        min_denominator=1,
        forced_columns=small,
    )
    everything = sizes.total_hidden
    rows = [
        Row(
            month_key,
            date_format(month, "YEAR_MONTH_FORMAT"),
            (
                *(_count(table.cells[month_key][key]) for key in keys),
                _count(None if everything else table.row_totals[month_key]),
            ),
        )
        for month, month_key in zip(months, month_keys, strict=True)
    ]
    rows.append(
        Row(
            "year",
            gettext("School year so far"),
            (
                *(_count(table.column_totals[key]) for key in keys),
                _count(None if everything else table.total),
            ),
        )
    )
    return FigureTable(
        key="advancements",
        title=gettext("Advancements over the school year"),
        row_header=gettext("Month"),
        columns=(*(groups.labels[key] for key in keys), gettext("All students")),
        column_keys=(*keys, ALL),
        rows=tuple(rows),
        chart="line",
        unit="count",
        note=gettext("Students moved on to their next course or level, per month."),
    )


def _alerts_table(
    sizes: _Sizes,
    counts: Mapping[tuple[str, str], int],
    months: Sequence[datetime.date],
    min_numerator: int,
) -> FigureTable:
    """Alerts and supports opened and resolved per month, for the whole filtered population: each column is
    suppressed with its year total (a small population hides everything)."""
    names = (
        ("alerts_opened", gettext("Alerts opened")),
        ("alerts_closed", gettext("Alerts closed")),
        ("supports_opened", gettext("Supports opened")),
        ("supports_resolved", gettext("Supports resolved")),
    )
    month_keys = [month.isoformat()[:7] for month in months]
    shown: dict[str, dict[str, int | None]] = {}
    totals: dict[str, int | None] = {}
    for name, _label in names:
        if sizes.total_hidden:
            shown[name], totals[name] = dict.fromkeys(month_keys), None
            continue
        column = suppress(
            {month: counts.get((month, name), 0) for month in month_keys},
            min_numerator=min_numerator,
            min_denominator=1,
        )
        shown[name], totals[name] = column.cells, column.total
    rows = [
        Row(
            month_key,
            date_format(month, "YEAR_MONTH_FORMAT"),
            tuple(_count(shown[name][month_key]) for name, _label in names),
        )
        for month, month_key in zip(months, month_keys, strict=True)
    ]
    rows.append(
        Row("year", gettext("School year so far"), tuple(_count(totals[name]) for name, _label in names))
    )
    return FigureTable(
        key="alerts",
        title=gettext("Alerts and supports"),
        row_header=gettext("Month"),
        columns=tuple(label for _name, label in names),
        column_keys=tuple(name for name, _label in names),
        rows=tuple(rows),
        chart="line",
        unit="count",
        note=gettext(
            "Alerts about pace and progress, and supports for students, opened and resolved each month."
        ),
    )


def _evidence_table(sizes: _Sizes, rows: list[dict[str, Any]], min_numerator: int) -> FigureTable:
    """Evidence recorded this school year by type (rows) and kind of path (columns), with both margins."""
    types = sorted({row["evidence_type"] for row in rows})
    paths = sorted({row["path_kind"] for row in rows}, key=lambda kind: (kind == "", kind))
    counts = {(row["evidence_type"], row["path_kind"]): int(row["count"] or 0) for row in rows}
    table = suppress_table(
        {kind: {path: counts.get((kind, path), 0) for path in paths} for kind in types},
        min_numerator=min_numerator,
        min_denominator=1,
        forced_columns=paths if sizes.total_hidden else (),
    )
    everything = sizes.total_hidden
    type_labels = {**dict(EvidenceKind.choices), **dict(AssessmentKind.choices)}
    path_labels = dict(OpportunityKind.choices)
    figure_rows = [
        Row(
            kind,
            gettext(str(type_labels.get(kind, kind))),
            (
                *(_count(table.cells[kind][path]) for path in paths),
                _count(None if everything else table.row_totals[kind]),
            ),
        )
        for kind in types
    ]
    figure_rows.append(
        Row(
            ALL,
            gettext("All evidence"),
            (
                *(_count(table.column_totals[path]) for path in paths),
                _count(None if everything else table.total),
            ),
        )
    )
    return FigureTable(
        key="evidence",
        title=gettext("Evidence recorded this school year"),
        row_header=gettext("Type of evidence"),
        columns=(
            *(gettext(str(path_labels.get(path, path))) if path else gettext("No path") for path in paths),
            gettext("Total"),
        ),
        column_keys=(*(path or "none" for path in paths), "total"),
        rows=tuple(figure_rows),
        chart="stacked",
        unit="count",
        note=gettext("Evidence by its type and the kind of path it was recorded on."),
    )


def _tables(scope: Scope, filters: Filters, as_of: datetime.date) -> tuple[FigureTable, ...]:
    """Every table of the dashboard, suppressed: three GROUP BY queries (the group figures, the monthly
    figures and the evidence volume)."""
    min_numerator = settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR
    min_denominator = settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    keyed = _keyed(scope.district.pk, filters, scope.school.pk if scope.school else None)
    population, field = _population(filters)
    group_rows = _grouped(GroupFigures, keyed & population, (field,), GROUP_COLUMNS)
    groups = _groups(filters, group_rows, field, scope.schools)
    sizes = _student_tables(groups, min_numerator, min_denominator)
    row_header = _breakdown_label(filters.by)

    start = school_year_start(as_of)
    months = _months(start, as_of.replace(day=1))
    monthly = _grouped(
        MonthlyFigures,
        keyed & population & Q(month__gte=start, month__lte=as_of),
        ("month", field),
        MONTHLY_COLUMNS,
    )
    gained: dict[str, int] = {}
    advancements: dict[tuple[str, str], int] = {}
    events: dict[tuple[str, str], int] = {}
    for row in monthly:
        key = "none" if row[field] is None else str(row[field])
        month = row["month"].isoformat()[:7]
        gained[key] = gained.get(key, 0) + int(row["mastered_gained"] or 0)
        advancements[(month, key)] = advancements.get((month, key), 0) + int(row["advancements"] or 0)
        for name in ("alerts_opened", "alerts_closed", "supports_opened", "supports_resolved"):
            events[(month, name)] = events.get((month, name), 0) + int(row[name] or 0)
    evidence = list(
        EvidenceVolume.objects.filter(keyed & population & Q(school_year=start.year))
        .values("evidence_type", "path_kind")
        .annotate(count=Sum("count"))
        .order_by("evidence_type", "path_kind")
    )
    return (
        _growth_table(groups, sizes, gained, len(months), row_header, min_denominator),
        _status_table(groups, sizes, row_header, min_numerator),
        _pace_table(groups, sizes, row_header, min_numerator, min_denominator),
        _access_table(groups, sizes, row_header, min_numerator),
        _monthly_by_group(groups, sizes, advancements, months, min_numerator),
        _alerts_table(sizes, events, months, min_numerator),
        _evidence_table(sizes, evidence, min_numerator),
    )


@dataclass(frozen=True)
class Headline:
    """The figures of all students a home page shows, as the dashboard's default view shows them."""

    students: Cell
    on_track: Cell
    mean_pace: Cell


def headline(*, district_id: int, school_id: int | None) -> Headline:
    """All students of the district (or school) under the dashboard's default filters: their number, the
    share on track or ahead (of all students, the sum of the status table's two columns) and the mean pace,
    suppressed exactly as the dashboard's tables suppress them, so the two never disagree and neither reveals
    what the other hides. One query; no policy check (callers check it)."""
    filters = Filters(school_id=school_id)
    min_numerator = settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR
    min_denominator = settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    population, field = _population(filters)
    rows = _grouped(
        GroupFigures, _keyed(district_id, filters, school_id) & population, (field,), GROUP_COLUMNS
    )
    groups = _groups(filters, rows, field, ())
    sizes = _student_tables(groups, min_numerator, min_denominator)
    summed = {name: sum(float(groups.figures[key][name]) for key in groups.keys) for name in GROUP_COLUMNS}
    ahead, on_track = sizes.status.row_totals["ahead"], sizes.status.row_totals["on_track"]
    return Headline(
        students=_size_cell(groups, sizes, ALL),
        on_track=_share(
            int(summed["ahead"] + summed["on_track"]),
            int(summed["students"]),
            count_shown=ahead is not None and on_track is not None,
            size_shown=not sizes.total_hidden,
            min_numerator=min_numerator,
        ),
        mean_pace=_mean(
            summed["pace_total"], int(summed["paced"]), shown=not sizes.total_hidden, min_size=min_denominator
        ),
    )


def _freshness(district_id: int) -> AggregateRefresh | None:
    return AggregateRefresh.objects.filter(district_id=district_id).order_by("-finished_at", "-id").first()


def _cohorts(freshness: AggregateRefresh | None) -> range:
    """The cohorts the form offers: the years students now in grades 6 to 13 entered or will enter grade 9
    (the filter itself takes any year in its range)."""
    year = (freshness.as_of if freshness else policy.today()).year
    return range(year - 4, year + 4)


def dashboard(*, context: RequestContext, filters: Filters) -> Dashboard:
    """The reader's dashboard under the filters: every table, suppressed, with the freshness of the figures
    and the filter choices; audited as one view (`insights-dashboard`)."""
    scope = dashboard_scope(context, filters)
    freshness = _freshness(scope.district.pk)
    tables = _tables(scope, filters, freshness.as_of if freshness else policy.today())
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type=OBJECT_TYPE,
        object_id=str(scope.school.pk) if scope.school else "",
        district_id=scope.district.pk,
        reason=policy.legitimate_interest(context.user),
    )
    return Dashboard(
        scope=scope.organization,
        district=scope.district,
        filters=filters,
        freshness=freshness,
        tables=tables if freshness else (),
        choices=_choices(scope, _cohorts(freshness)),
        can_refresh=policy.can(context.user, Action.REFRESH_INSIGHTS, scope.district),
        may_export=policy.can(context.user, Action.EXPORT_INSIGHTS, scope.organization),
        min_numerator=settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR,
        min_denominator=settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR,
    )


def dashboard_form(*, context: RequestContext, filters: Filters | None = None) -> Dashboard:
    """The dashboard's frame without its figures, for a page whose filters were refused: the scope is checked
    as for the page, nothing is read from the aggregates and nothing is audited but a refusal."""
    filters = filters or Filters()
    scope = dashboard_scope(context, filters)
    return Dashboard(
        scope=scope.organization,
        district=scope.district,
        filters=filters,
        freshness=None,
        tables=(),
        choices=_choices(scope, _cohorts(None)),
        can_refresh=False,
        may_export=False,
        min_numerator=settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR,
        min_denominator=settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR,
    )


def refresh_target(*, context: RequestContext, filters: Filters) -> Organization:
    """The district whose figures the reader asks to rebuild (the dashboard's, under the filters): only its
    administrators may, anyone else is refused (403) and the refusal audited (`insights-refresh`)."""
    scope = dashboard_scope(context, filters)
    if not policy.can(context.user, Action.REFRESH_INSIGHTS, scope.district):
        reason = "Only the district's administrators refresh its figures."
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type="insights-refresh",
            district_id=scope.district.pk,
            reason=reason,
        )
        raise NotPermitted(reason)
    return scope.district


def dashboard_table(*, context: RequestContext, filters: Filters, key: str) -> FigureTable:
    """One table of the reader's dashboard (for an export, which audits itself): `KeyError` for a key that
    is no table; the scope is checked as for the page."""
    if key not in TABLE_KEYS:
        raise KeyError(key)
    scope = dashboard_scope(context, filters)
    freshness = _freshness(scope.district.pk)
    tables = _tables(scope, filters, freshness.as_of if freshness else policy.today())
    return next(table for table in tables if table.key == key)


def chart_data(table: FigureTable) -> dict[str, Any]:
    """What `static/waypoint/insights-charts.js` draws of a table: one series per column (rows are the bars
    or the points), leaving out the margins and group sizes; a hidden value is a gap (null)."""
    keys = table.column_keys or tuple(str(index) for index in range(len(table.columns)))
    columns = [index for index, key in enumerate(keys) if key not in UNCHARTED]
    rows = [row for row in table.rows if row.key not in UNCHARTED]
    return {
        "type": table.chart,
        "unit": table.unit,
        "title": table.title,
        "labels": [row.label for row in rows],
        "series": [
            {"label": table.columns[index], "values": [row.cells[index].value for row in rows]}
            for index in columns
        ],
    }
