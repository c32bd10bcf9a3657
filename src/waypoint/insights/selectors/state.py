"""The state view: every district of a state the analyst analyses, compared on the dashboard's measures, by
subgroup, and over the last three school years.

It reads only the aggregate tables (`GroupFigures`, `MonthlyFigures`, `CohortFigures`, `AggregateRefresh`),
never a student row, and every figure passes the one suppression rule with the settings' thresholds before
it is put in a table. The number of queries does not grow with the number of districts: each table is one
grouped read over all the state's districts."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization
from waypoint.insights import graduation_rates
from waypoint.insights.dimensions import ALL, DIMENSIONS, dimension
from waypoint.insights.measures import MEASURES, Measure, Reading, read
from waypoint.insights.models import AggregateRefresh, CohortFigures, GroupFigures, MonthlyFigures
from waypoint.insights.selectors.access import refused
from waypoint.insights.suppression import (
    SMALL_GROUP,
    Rate,
    Suppressed,
    is_small,
    suppress,
    suppress_sizes,
)
from waypoint.insights.tables import HIDDEN, Cell, FigureTable, Row
from waypoint.policy import Action

OBJECT_TYPE = "insights-state"
STATE_ROW = "state"
# The school years the trends cover: the monthly aggregates hold 36 months.
TREND_YEARS = 3
DEFAULT_MEASURE = "on_track_share"
DEFAULT_DIMENSION = "race"
# What a figure that does not apply reads as (a district with no figures yet, a year before its data).
NOT_APPLICABLE = "—"
# The GroupFigures columns the measures read, summed per district (and per group).
GROUP_SUMS = (
    "students",
    "ahead",
    "on_track",
    "at_risk",
    "off_track",
    "not_started",
    "mastered",
    "required",
    "paced",
    "pace_total",
    "path_any",
)
COHORT_SUMS = tuple(
    field.name for field in dataclasses.fields(graduation_rates.CohortCounts) if field.name != "cohort"
)
MONTHLY_SUMS = ("mastered_gained", "advancements", "evidence")
# The dimensions a subgroup table breaks the districts down by ("all" splits nothing).
BREAKDOWNS = tuple(found.key for found in DIMENSIONS if found.key != ALL)


@dataclass(frozen=True)
class StateQuery:
    """What the page and the API were asked for, checked."""

    measure: str = DEFAULT_MEASURE
    dimension: str = DEFAULT_DIMENSION
    year: int | None = None
    state_id: int | None = None


@dataclass(frozen=True)
class DistrictFreshness:
    """How fresh one district's figures are: the day they were computed as of, and when (None: never)."""

    district_id: int
    name: str
    as_of: datetime.date | None
    refreshed_at: datetime.datetime | None


@dataclass(frozen=True)
class StateView:
    state: Organization
    state_choices: tuple[Organization, ...]
    districts: tuple[Organization, ...]
    measure: str
    dimension: str
    year: int
    years: tuple[int, ...]
    # The latest cohort whose four years are over (the graduation columns are about it).
    cohort: int
    comparison: FigureTable
    subgroups: FigureTable
    trends: tuple[FigureTable, ...]
    freshness: tuple[DistrictFreshness, ...]
    min_numerator: int
    min_denominator: int

    @property
    def tables(self) -> tuple[FigureTable, ...]:
        return (self.comparison, self.subgroups, *self.trends)

    @property
    def measure_choices(self) -> list[tuple[str, str]]:
        return [(key, _(found.label)) for key, found in MEASURES.items()]

    @property
    def dimension_choices(self) -> list[tuple[str, str]]:
        return [(key, _(dimension(key).label)) for key in BREAKDOWNS]


def school_year_of(day: datetime.date) -> int:
    """The school year (July 1 to June 30) a day falls in, by the calendar year it starts."""
    return day.year if day.month >= 7 else day.year - 1


def year_label(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


def latest_closed_cohort(on: datetime.date) -> int:
    """The latest cohort whose 4-year window (to August 31 of cohort + 4) has closed by the day."""
    return on.year - 4 if on > datetime.date(on.year, 8, 31) else on.year - 5


def parse_state_query(params: Mapping[str, str]) -> StateQuery:
    """The view's parameters from GET text: `measure`, `dimension`, `year`, `state`. Unknown keys are
    ignored; a value that is not one Waypoint offers is Invalid (400), with the choices in words."""
    problems: list[str] = []
    measure = params.get("measure") or DEFAULT_MEASURE
    if measure not in MEASURES:
        problems.append(
            _("Unknown measure “%(value)s”; choose one of: %(choices)s.")
            % {"value": measure[:40], "choices": ", ".join(MEASURES)}
        )
    breakdown = params.get("dimension") or DEFAULT_DIMENSION
    if breakdown not in BREAKDOWNS:
        problems.append(
            _("Unknown dimension “%(value)s”; choose one of: %(choices)s.")
            % {"value": breakdown[:40], "choices": ", ".join(BREAKDOWNS)}
        )
    year = _whole_number(params.get("year", ""), _("The year"), problems)
    state_id = _whole_number(params.get("state", ""), _("The state"), problems)
    if problems:
        raise Invalid(problems)
    return StateQuery(measure=measure, dimension=breakdown, year=year, state_id=state_id)


def _whole_number(text: str, name: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        problems.append(_("%(name)s must be a whole number.") % {"name": name})
        return None
    return int(text)


def _refused(context: RequestContext, reason: str) -> NotPermitted:
    return refused(context, NotPermitted(reason), object_type=OBJECT_TYPE)


def _state(context: RequestContext, state_id: int | None) -> tuple[Organization, tuple[Organization, ...]]:
    """The state the view is about (the analyst's first, by name, unless one is asked for) and the states the
    analyst may choose."""
    user = context.user
    if not policy.can(user, Action.VIEW_STATE_INSIGHTS):
        raise _refused(context, _("The state view is for the state’s analysts."))
    choices = tuple(
        Organization.objects.filter(
            pk__in=policy.insights_scope(user).states, kind=Organization.Kind.STATE
        ).order_by("name", "pk")
    )
    state = next((s for s in choices if state_id is None or s.pk == state_id), None)
    if state is None or not policy.can(user, Action.VIEW_STATE_INSIGHTS, state):
        raise NotVisible(_("There is no such state, or you do not analyse it."))
    return state, choices


def state_view(
    *,
    context: RequestContext,
    measure: str,
    year: int | None,
    dimension: str = DEFAULT_DIMENSION,
    state_id: int | None = None,
) -> StateView:
    """The state view for a state analyst: the district comparison (this school year: `year`, the current
    one by default), `measure` by the groups of `dimension` per district, and the trends over the last three
    school years. Audited as one view of the state (no district, no student)."""
    state, choices = _state(context, state_id)
    today = policy.today()
    current = school_year_of(today)
    years = tuple(range(current - TREND_YEARS + 1, current + 1))
    problems = []
    if measure not in MEASURES:
        problems.append(_("Unknown measure “%(value)s”.") % {"value": measure[:40]})
    if dimension not in BREAKDOWNS:
        problems.append(_("Unknown dimension “%(value)s”.") % {"value": dimension[:40]})
    if year is not None and year not in years:
        problems.append(
            _("There are figures for the school years starting in %(years)s only.")
            % {"years": ", ".join(map(str, years))}
        )
    if problems:
        raise Invalid(problems)
    year = current if year is None else year

    districts = tuple(
        Organization.objects.filter(parent=state, kind=Organization.Kind.DISTRICT)
        .annotate(refreshed_as_of=_latest_refresh("as_of"), refreshed_at=_latest_refresh("finished_at"))
        .order_by("name", "pk")
    )
    ids = [district.pk for district in districts]
    freshness = tuple(DistrictFreshness(d.pk, d.name, d.refreshed_as_of, d.refreshed_at) for d in districts)
    cohort = latest_closed_cohort(today)
    figures = _Figures.read(ids, dimension=dimension, years=years, cohort=cohort)
    thresholds = _Thresholds(
        settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR, settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    )
    note = _freshness_note(freshness)
    view = StateView(
        state=state,
        state_choices=choices,
        districts=districts,
        measure=measure,
        dimension=dimension,
        year=year,
        years=years,
        cohort=cohort,
        comparison=_comparison(state, freshness, figures, year, cohort, today, thresholds, note),
        subgroups=_subgroups(state, freshness, figures, MEASURES[measure], dimension, thresholds, note),
        trends=_trends(state, freshness, figures, years, thresholds, note),
        freshness=freshness,
        min_numerator=thresholds.numerator,
        min_denominator=thresholds.denominator,
    )
    audit_record(context=context, action=AuditAction.VIEW, object_type=OBJECT_TYPE, object_id=str(state.pk))
    return view


def _latest_refresh(field: str) -> Subquery:
    return Subquery(
        AggregateRefresh.objects.filter(district=OuterRef("pk"))
        .order_by("-finished_at", "-id")
        .values(field)[:1]
    )


# Reading the aggregates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Thresholds:
    numerator: int
    denominator: int


@dataclass(frozen=True)
class _Figures:
    """The summed aggregates of every district of the state, read in four grouped queries."""

    totals: dict[int, dict[str, float]]  # district → GroupFigures sums over all its students
    groups: dict[int, dict[str, dict[str, float]]]  # district → group of the dimension → sums
    months: dict[int, dict[datetime.date, dict[str, int]]]  # district → month → MonthlyFigures sums
    cohorts: dict[int, dict[str, int]]  # district → CohortFigures sums of the cohort (COHORT_SUMS)

    @classmethod
    def read(cls, ids: list[int], *, dimension: str, years: tuple[int, ...], cohort: int) -> _Figures:
        sums = {name: Sum(name) for name in GROUP_SUMS}
        totals = {
            row["district_id"]: row
            for row in GroupFigures.objects.filter(district_id__in=ids, dimension=ALL)
            .values("district_id")
            .annotate(**sums)
            .order_by()
        }
        groups: dict[int, dict[str, dict[str, float]]] = {}
        for row in (
            GroupFigures.objects.filter(district_id__in=ids, dimension=dimension)
            .values("district_id", "subgroup")
            .annotate(**sums)
            .order_by()
        ):
            groups.setdefault(row["district_id"], {})[row["subgroup"]] = row
        months: dict[int, dict[datetime.date, dict[str, int]]] = {}
        for row in (
            MonthlyFigures.objects.filter(
                district_id__in=ids,
                dimension=ALL,
                month__gte=datetime.date(years[0], 7, 1),
                month__lt=datetime.date(years[-1] + 1, 7, 1),
            )
            .values("district_id", "month")
            .annotate(**{name: Sum(name) for name in MONTHLY_SUMS})
            .order_by()
        ):
            months.setdefault(row["district_id"], {})[row["month"]] = row
        cohorts = {
            row.pop("district_id"): row
            for row in CohortFigures.objects.filter(district_id__in=ids, dimension=ALL, cohort=cohort)
            .values("district_id")
            .annotate(**{name: Sum(name) for name in COHORT_SUMS})
            .order_by()
        }
        return cls(totals, groups, months, cohorts)

    def students(self, district_id: int) -> int:
        return int(self.totals.get(district_id, {}).get("students") or 0)

    def year_sum(self, district_id: int, year: int, name: str) -> int:
        return sum(
            int(row[name] or 0)
            for month, row in self.months.get(district_id, {}).items()
            if school_year_of(month) == year
        )


def _months_covered(as_of: datetime.date | None, year: int) -> int:
    """The months of the school year the figures computed as of the day cover (0: none yet)."""
    if as_of is None:
        return 0
    months = (as_of.year - year) * 12 + as_of.month - 7 + 1
    return max(0, min(12, months))


def _add(rows: Iterable[Mapping[str, float]], names: Iterable[str]) -> dict[str, float]:
    rows = list(rows)
    return {name: sum(float(row.get(name) or 0) for row in rows) for name in names}


# Cells --------------------------------------------------------------------------------------------------


def _hidden() -> Cell:
    return Cell(None, HIDDEN)


def _not_applicable() -> Cell:
    return Cell(None, NOT_APPLICABLE)


def _count_cell(count: int | None) -> Cell:
    return _hidden() if count is None else Cell(float(count), number_format(count, force_grouping=True))


def _percent_cell(reading: Reading | Rate) -> Cell:
    exact = reading.value if isinstance(reading, Reading) else reading.exact
    if exact is not None:
        return Cell(exact, f"{number_format(exact, 1)} %")
    if reading.at_least is not None:
        return Cell(None, f"≥ {reading.at_least} %", at_least=reading.at_least)
    return _hidden()


def _reading_cell(measure: Measure, reading: Reading) -> Cell:
    if measure.unit == "pace":
        return _hidden() if reading.value is None else Cell(reading.value, number_format(reading.value, 2))
    return _percent_cell(reading)


def _per_student_month(gained: int, student_months: int, students: int, thresholds: _Thresholds) -> Cell:
    """Mastery gained per student-month: a mean over the students, shown only for a group large enough."""
    if students <= 0 or student_months <= 0:
        return _not_applicable()
    if is_small(students, thresholds.denominator):
        return _hidden()
    value = round(gained / student_months, 2)
    return Cell(value, number_format(value, 2))


def _freshness_note(freshness: tuple[DistrictFreshness, ...]) -> str:
    parts = [
        _("%(district)s as of %(day)s") % {"district": f.name, "day": f.as_of.isoformat()}
        if f.as_of
        else _("%(district)s not computed yet") % {"district": f.name}
        for f in freshness
    ]
    return _("Figures: %(districts)s.") % {"districts": "; ".join(parts)}


def _row(key: object, label: str, cells: Iterable[Cell]) -> Row:
    return Row(str(key), label, tuple(cells))


# The tables ---------------------------------------------------------------------------------------------
#
# A district's students are a group: its size is suppressed across the districts with the state's total
# (`suppress_sizes`), and a district whose size is hidden, as a small group or as the complement of one, has
# every figure of it hidden too. Each measure's column is a line of its own (`_protect`): a district whose
# figure is hidden or only bounded needs others hidden with it, together at least the minimum group size,
# or the state's figure less the districts shown would give it by difference. The subgroup table applies
# the same rules to each group.


@dataclass(frozen=True)
class _Sizes:
    """The groups of one line of districts: which are shown, and whether the state's total is."""

    shown: dict[int, int | None]
    total: int | None

    @classmethod
    def of(cls, sizes: Mapping[int, int], thresholds: _Thresholds) -> _Sizes:
        suppressed = suppress_sizes(sizes, min_denominator=thresholds.denominator)
        return cls(suppressed.cells, suppressed.total)

    def hidden(self) -> set[int]:
        return {district_id for district_id, size in self.shown.items() if size is None}


def _comparison(
    state: Organization,
    freshness: tuple[DistrictFreshness, ...],
    figures: _Figures,
    year: int,
    cohort: int,
    on: datetime.date,
    thresholds: _Thresholds,
    note: str,
) -> FigureTable:
    """One row per district and the state's: students, on-track share, mean pace, mastery gained per
    student-month and advancements in the school year, participation in a path, the cohort's 4-year
    graduation rate and its mastery-based completion rate (3 to 6 years)."""
    ids = [f.district_id for f in freshness]
    sizes = {district_id: figures.students(district_id) for district_id in ids}
    shown = _Sizes.of(sizes, thresholds)
    advancements = _event_counts(
        {district_id: figures.year_sum(district_id, year, "advancements") for district_id in ids},
        shown,
        thresholds,
    )
    gained = {district_id: figures.year_sum(district_id, year, "mastered_gained") for district_id in ids}
    student_months = {f.district_id: sizes[f.district_id] * _months_covered(f.as_of, year) for f in freshness}
    closes_on = graduation_rates.deadline(cohort, graduation_rates.MASTERY_YEARS[1])
    columns = (
        _("Students"),
        _(MEASURES["on_track_share"].label),
        _(MEASURES["mean_pace"].label),
        _("Mastery gained per student per month, %(year)s") % {"year": year_label(year)},
        _(MEASURES["participation_share"].label),
        _("Advancements, %(year)s") % {"year": year_label(year)},
        _("4-year graduation rate, cohort %(cohort)s") % {"cohort": cohort},
        _("Mastery-based completion (3–6 years), cohort %(cohort)s") % {"cohort": cohort}
        + (
            " " + _("(so far: the window closes on %(day)s)") % {"day": closes_on.isoformat()}
            if on <= closes_on
            else ""
        ),
    )

    def cells(
        totals: Mapping[str, float],
        cohort_sums: Mapping[str, float],
        size: int | None,
        gained: int,
        student_months: int,
        advanced: int | None,
    ) -> list[Cell]:
        students = int(totals.get("students") or 0)
        if students == 0 and not cohort_sums:
            return [_not_applicable()] * len(columns)
        if size is None and students:
            # A hidden group: its advancements are a count on the line of districts (suppressed with it).
            return [_hidden()] * 5 + [_count_cell(advanced)] + [_hidden()] * 2
        return [
            _count_cell(size),
            _measure_cell("on_track_share", totals, thresholds),
            _measure_cell("mean_pace", totals, thresholds),
            _per_student_month(gained, student_months, students, thresholds),
            _measure_cell("participation_share", totals, thresholds),
            _count_cell(advanced) if students else _not_applicable(),
            _graduation_cell(cohort, cohort_sums, graduation_rates.FOUR_YEAR, on, thresholds),
            _graduation_cell(cohort, cohort_sums, graduation_rates.MASTERY, on, thresholds),
        ]

    district_cells = {
        f.district_id: cells(
            figures.totals.get(f.district_id, {}),
            figures.cohorts.get(f.district_id, {}),
            shown.shown[f.district_id],
            gained[f.district_id],
            student_months[f.district_id],
            advancements.cells[f.district_id],
        )
        for f in freshness
    }
    state_cells = cells(
        _add(figures.totals.values(), GROUP_SUMS),
        _add(figures.cohorts.values(), COHORT_SUMS) if figures.cohorts else {},
        shown.total,
        sum(gained.values()),
        sum(student_months.values()),
        advancements.total,
    )

    def group(district_id: int, name: str) -> int:
        totals, cohort_sums = figures.totals.get(district_id, {}), figures.cohorts.get(district_id, {})
        if name.startswith("removed"):
            return int(cohort_sums.get("members") or 0) - int(cohort_sums.get(name) or 0)
        return int(totals.get(name) or 0)

    # Each measure's column is a line of districts adding up to the state's: its groups (the measure's
    # denominator) are protected like the students' (see above).
    for index, name in (
        (1, "paced"),
        (2, "paced"),
        (3, "students"),
        (4, "students"),
        (6, "removed_by_4"),
        (7, "removed_by_6"),
    ):
        column = {d: row[index] for d, row in district_cells.items()}
        groups = {d: group(d, name) for d in district_cells}
        column, state_cells[index] = _protect(column, state_cells[index], groups, shown.hidden(), thresholds)
        for d, cell in column.items():
            district_cells[d][index] = cell
    rows = [_row(f.district_id, f.name, district_cells[f.district_id]) for f in freshness]
    rows.append(_row(STATE_ROW, _state_label(state), state_cells))
    return FigureTable(
        key="comparison",
        title=_("District comparison"),
        row_header=_("District"),
        columns=columns,
        rows=tuple(rows),
        chart="",
        unit="mixed",
        note=note,
        column_keys=(
            "students",
            "on_track_share",
            "mean_pace",
            "mastery_per_student_month",
            "participation_share",
            "advancements",
            "graduation_4_year",
            "completion_6_year",
        ),
    )


def _protect(
    cells: Mapping[int, Cell],
    state_cell: Cell,
    groups: Mapping[int, int],
    forced: set[int],
    thresholds: _Thresholds,
) -> tuple[dict[int, Cell], Cell]:
    """One measure's cells of the districts and the state's, protected along their line: a district whose
    figure is hidden (or only bounded, "≥ X %"), or whose students are, needs at least one more district's
    figure hidden, the hidden ones counting the minimum group size between them, so that the state's figure
    does not give it by difference; the state's is hidden with its group."""
    hidden = forced | {d for d, cell in cells.items() if cell.value is None and cell.text != NOT_APPLICABLE}
    # An empty group names nobody: it needs no protection.
    hidden &= {d for d, size in groups.items() if size > 0}
    line = suppress_sizes(groups, min_denominator=thresholds.denominator, forced=hidden)
    protected = {
        d: _hidden() if line.cells[d] is None and cell.value is not None else cell
        for d, cell in cells.items()
    }
    return protected, _hidden() if line.total is None and state_cell.value is not None else state_cell


def _state_label(state: Organization) -> str:
    return _("%(state)s (all districts)") % {"state": state.name}


def _event_counts(counts: Mapping[int, int], sizes: _Sizes, thresholds: _Thresholds) -> Suppressed[int]:
    """Counts of events (advancements, evidence) per district, on a line that adds up to the state's: a
    count under the minimum is hidden, and so is every count of a district whose size is hidden, with their
    complements along the line."""
    if sizes.total is None:
        # The state's students are too few to show: nothing of them is.
        return Suppressed(dict.fromkeys(counts), None, dict.fromkeys(counts, SMALL_GROUP))
    return suppress(
        counts,
        min_numerator=thresholds.numerator,
        # The line's total is a count of events, not a group of students: the group rule is the forcing.
        min_denominator=1,
        forced=sizes.hidden(),
    )


def _measure_cell(key: str, totals: Mapping[str, float], thresholds: _Thresholds) -> Cell:
    measure = MEASURES[key]
    return _reading_cell(
        measure,
        read(measure, totals, min_numerator=thresholds.numerator, min_denominator=thresholds.denominator),
    )


def _graduation_cell(
    cohort: int, cohort_sums: Mapping[str, float], key: str, on: datetime.date, thresholds: _Thresholds
) -> Cell:
    """One rate of the cohort (`graduation_rates`: graduates over the members who stayed in the cohort), as
    the graduation-rate calculator suppresses it."""
    if not cohort_sums:
        return _not_applicable()
    counts = graduation_rates.CohortCounts(
        cohort=cohort, **{name: int(cohort_sums.get(name) or 0) for name in COHORT_SUMS}
    )
    figures = graduation_rates.rates(
        counts, on=on, min_numerator=thresholds.numerator, min_denominator=thresholds.denominator
    )
    return _percent_cell(figures.figures[key].shown)


def _subgroups(
    state: Organization,
    freshness: tuple[DistrictFreshness, ...],
    figures: _Figures,
    measure: Measure,
    breakdown: str,
    thresholds: _Thresholds,
    note: str,
) -> FigureTable:
    """The measure per district (rows) and group of the dimension (columns), with all students first. Each
    column is a line of groups (one per district) whose sizes are suppressed together with the state's."""
    ids = [f.district_id for f in freshness]
    groups = [group for group, _label in dimension(breakdown).groups]
    columns: dict[str, tuple[Mapping[int, Mapping[str, float]], Mapping[str, float]]] = {
        ALL: ({d: figures.totals.get(d, {}) for d in ids}, _add(figures.totals.values(), GROUP_SUMS))
    }
    for group in groups:
        by_district = {d: figures.groups.get(d, {}).get(group, {}) for d in ids}
        columns[group] = (by_district, _add(by_district.values(), GROUP_SUMS))
    sizes = {
        key: _Sizes.of({d: int(line_figures[d].get("students") or 0) for d in ids}, thresholds)
        for key, (line_figures, _state_sums) in columns.items()
    }

    denominator = "students" if measure.denominator == "required" else measure.denominator
    table: dict[str, tuple[dict[int, Cell], Cell]] = {}
    for key, (line_figures, state_sums) in columns.items():
        cells = {
            d: (
                _measure_cell(measure.key, line_figures[d], thresholds)
                if figures.totals.get(d, {}).get("students")
                else _not_applicable()
            )
            for d in ids
        }
        state_cell = _measure_cell(measure.key, state_sums, thresholds)
        line_groups = {d: int(line_figures[d].get(denominator) or 0) for d in ids}
        table[key] = _protect(cells, state_cell, line_groups, sizes[key].hidden(), thresholds)
        if sizes[key].total is None:
            table[key] = (table[key][0], _hidden())

    rows = [
        _row(d, f.name, (table[key][0][d] for key in columns)) for f in freshness for d in (f.district_id,)
    ]
    rows.append(_row(STATE_ROW, _state_label(state), (table[key][1] for key in columns)))
    return FigureTable(
        key="subgroups",
        title=_("%(measure)s by %(dimension)s")
        % {"measure": _(measure.label), "dimension": _(dimension(breakdown).label).lower()},
        row_header=_("District"),
        columns=(_("All students"), *(_(label) for _group, label in dimension(breakdown).groups)),
        rows=tuple(rows),
        chart="bar",
        unit=measure.unit,
        note=note,
        column_keys=(ALL, *groups),
    )


def _trends(
    state: Organization,
    freshness: tuple[DistrictFreshness, ...],
    figures: _Figures,
    years: tuple[int, ...],
    thresholds: _Thresholds,
    note: str,
) -> tuple[FigureTable, ...]:
    """Per district and school year: mastery gained per student-month, advancements, evidence recorded."""
    ids = [f.district_id for f in freshness]
    columns = tuple(year_label(year) for year in years)
    column_keys = tuple(str(year) for year in years)
    sizes = {district_id: figures.students(district_id) for district_id in ids}
    shown = _Sizes.of(sizes, thresholds)

    def per_student_month(district_ids: list[int], size: int | None, year: int) -> Cell:
        students = sum(sizes[d] for d in district_ids)
        if size is None and students:
            return _hidden()
        return _per_student_month(
            sum(figures.year_sum(d, year, "mastered_gained") for d in district_ids),
            sum(
                sizes[f.district_id] * _months_covered(f.as_of, year)
                for f in freshness
                if f.district_id in district_ids
            ),
            students,
            thresholds,
        )

    mastery_rows = [
        _row(
            f.district_id,
            f.name,
            (per_student_month([f.district_id], shown.shown[f.district_id], year) for year in years),
        )
        for f in freshness
    ]
    mastery_rows.append(
        _row(STATE_ROW, _state_label(state), (per_student_month(ids, shown.total, year) for year in years))
    )
    tables = [
        FigureTable(
            key="trend_mastery",
            title=_("Mastery gained per student per month, by school year"),
            row_header=_("District"),
            columns=columns,
            rows=tuple(mastery_rows),
            chart="line",
            unit="pace",
            note=note,
            column_keys=column_keys,
        )
    ]
    for key, name, title in (
        ("trend_advancements", "advancements", _("Advancements, by school year")),
        ("trend_evidence", "evidence", _("Evidence recorded, by school year")),
    ):
        by_year = {
            year: _event_counts({d: figures.year_sum(d, year, name) for d in ids}, shown, thresholds)
            for year in years
        }
        rows = [
            _row(
                f.district_id,
                f.name,
                (
                    _count_cell(by_year[year].cells[f.district_id])
                    if sizes[f.district_id]
                    else _not_applicable()
                    for year in years
                ),
            )
            for f in freshness
        ]
        rows.append(
            _row(STATE_ROW, _state_label(state), (_count_cell(by_year[year].total) for year in years))
        )
        tables.append(
            FigureTable(
                key=key,
                title=title,
                row_header=_("District"),
                columns=columns,
                rows=tuple(rows),
                chart="line",
                unit="count",
                note=note,
                column_keys=column_keys,
            )
        )
    return tuple(tables)
