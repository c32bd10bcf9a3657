"""The graduation-rate calculator's reads: a district's cohorts under every definition side by side (the
federal 4-year adjusted cohort rate, the extended 5- and 6-year rates, mastery-based completion within 3 to 6
years, early completion) and, for one cohort, the same by group, from the refreshed `CohortFigures` only.

Who reads it: the district's administrators, and the analysts of the district's state (aggregates only; the
policy decides, `Action.VIEW_GRADUATION_RATES`). Each read is audited (`graduation-rates`, VIEW).

Suppression: within a cohort, `graduation_rates.rates` (every rate through `suppression.rate`, and windows
that differ by a few graduates withheld). Across the groups of one cohort the groups add up to the whole,
so each rate's graduates and non-graduates by group are a `suppression.suppress_table` (the whole is its
total; the 4-year one also gives the adjusted cohorts shown), and the graduates counted differently a table
of their own: no hidden figure of a group can be worked out from the whole and the other groups."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, fields

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotVisible
from waypoint.core.models import AuditAction, Organization
from waypoint.insights import graduation_rates as gr
from waypoint.insights.dimensions import ALL, DIMENSION_KEYS, dimension
from waypoint.insights.graduation_rates import CohortCounts, CohortRates, Figure
from waypoint.insights.models import AggregateRefresh, CohortFigures
from waypoint.insights.selectors.access import E, readable_district, refused
from waypoint.insights.suppression import Rate, rate, suppress_table
from waypoint.insights.tables import HIDDEN, Cell, FigureTable, Row
from waypoint.policy import Action

OBJECT_TYPE = "graduation-rates"
COUNT_FIELDS = tuple(field.name for field in fields(CohortCounts) if field.name != "cohort")
# The breakdowns of the group table: every reporting dimension but the whole.
BREAKDOWNS = tuple(key for key in DIMENSION_KEYS if key != ALL)
DEFAULT_BY = "race"
MIN_COHORT, MAX_COHORT = 1990, 2100
_MAX_ID_DIGITS = 12
NOT_APPLICABLE = "—"
# The rate columns of the tables, in order (keys of graduation_rates), then the count of the policy question.
RATE_COLUMNS = (
    gr.FOUR_YEAR,
    gr.FIVE_YEAR,
    gr.SIX_YEAR,
    gr.MASTERY,
    gr.EARLY,
)
COUNTED_DIFFERENTLY = "counted_differently"
# "students" is a size, not a rate: the charts leave it out (`selectors.dashboard.UNCHARTED`).
ADJUSTED_COHORT = "students"


@dataclass(frozen=True)
class GraduationQuery:
    """The page's and the API's parameters, checked."""

    district_id: int | None = None
    by: str = DEFAULT_BY
    school_id: int | None = None
    cohort: int | None = None


@dataclass(frozen=True)
class GraduationReport:
    """A district's graduation rates as of its last refresh.

    `tables`: "cohorts" (every cohort, every definition), "comparison" (the 4-year rate beside mastery-based
    completion, charted) and "groups" (the chosen cohort by the groups of `by`). `question` is the chosen
    cohort's figures, for the white paper's question stated in words (None when the district has no cohort
    figures yet)."""

    district: Organization
    district_choices: tuple[Organization, ...]
    school: Organization | None
    school_choices: tuple[Organization, ...]
    by: str
    by_choices: tuple[tuple[str, str], ...]
    cohort: int | None
    cohort_choices: tuple[int, ...]
    on: datetime.date
    freshness: AggregateRefresh | None
    tables: tuple[FigureTable, ...]
    question: CohortRates | None
    min_numerator: int
    min_denominator: int

    def table(self, key: str) -> FigureTable:
        return next(table for table in self.tables if table.key == key)


def _number(params: Mapping[str, str], key: str, low: int, high: int, problem: str) -> int | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_ID_DIGITS or not low <= int(text) <= high:
        raise Invalid(problem)
    return int(text)


def parse_graduation_query(params: Mapping[str, str]) -> GraduationQuery:
    """The parameters `district`, `by`, `school` and `cohort` (empty: the default); a bad value is Invalid
    (400) with every reason, before anything is read."""
    problems: list[str] = []
    values: dict[str, int | None] = {}
    limits = {
        "district": (1, 10**_MAX_ID_DIGITS, _("The district must be given by its number.")),
        "school": (1, 10**_MAX_ID_DIGITS, _("The school must be given by its number.")),
        "cohort": (
            MIN_COHORT,
            MAX_COHORT,
            _("The cohort must be a year from %(low)s to %(high)s.")
            % {"low": MIN_COHORT, "high": MAX_COHORT},
        ),
    }
    for key, (low, high, problem) in limits.items():
        try:
            values[key] = _number(params, key, low, high, problem)
        except Invalid as error:
            problems.extend(error.problems)
    by = (params.get("by") or "").strip() or DEFAULT_BY
    if by not in BREAKDOWNS:
        problems.append(_("The rates cannot be broken down by “%(by)s”.") % {"by": by[:40]})
    if problems:
        raise Invalid(problems)
    return GraduationQuery(
        district_id=values["district"], by=by, school_id=values["school"], cohort=values["cohort"]
    )


def _refused(context: RequestContext, error: E, object_id: str = "") -> E:
    return refused(context, error, object_type=OBJECT_TYPE, object_id=object_id)


def _district(context: RequestContext, district_id: int | None) -> tuple[Organization, list[Organization]]:
    return readable_district(
        context,
        district_id,
        action=Action.VIEW_GRADUATION_RATES,
        object_type=OBJECT_TYPE,
        not_permitted=_("The graduation rates are for district administrators and the state's analysts."),
        not_visible=_("There is no district %(id)s whose graduation rates you may read."),
        none_visible=_("There is no district whose graduation rates you may read."),
    )


def _counts(cohort: int, row: Mapping[str, int | None]) -> CohortCounts:
    return CohortCounts(cohort=cohort, **{name: int(row.get(name) or 0) for name in COUNT_FIELDS})


def _percent(shown: Rate) -> Cell:
    if shown.exact is not None:
        return Cell(shown.exact, f"{shown.exact:.1f} %")
    if shown.at_least is not None:
        return Cell(None, f"≥ {shown.at_least} %", at_least=shown.at_least)
    return Cell(None, HIDDEN)


def _rate_cell(figure: Figure, shown: Rate, size_shown: bool = True) -> Cell:
    """A rate as shown: hidden, or for a window still open the share so far, marked and left out of charts
    (it is not the cohort's rate yet). An empty cohort has no rate ("—"), unless its size is hidden: saying
    so would show the size."""
    if figure.adjusted_cohort == 0:
        return Cell(None, NOT_APPLICABLE) if size_shown else Cell(None, HIDDEN)
    cell = _percent(shown)
    if cell.hidden or figure.final:
        return cell
    return Cell(
        None,
        _("still open: %(rate)s so far (closes %(day)s)")
        % {"rate": cell.text, "day": figure.closes_on.isoformat()},
    )


def _count_cell(count: int | None, provisional: bool = False) -> Cell:
    if count is None:
        return Cell(None, HIDDEN)
    if provisional:
        return Cell(None, _("still open: %(count)s so far") % {"count": count})
    return Cell(float(count), str(count))


def _columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    labels = {
        ADJUSTED_COHORT: _("Adjusted cohort (4 years)"),
        gr.FOUR_YEAR: _("4-year adjusted cohort graduation rate (federal)"),
        gr.FIVE_YEAR: _("5-year rate"),
        gr.SIX_YEAR: _("6-year rate"),
        gr.MASTERY: _("Mastery-based completion (3–6 years)"),
        gr.EARLY: _("Completed early (3 years)"),
        COUNTED_DIFFERENTLY: _("Non-graduates in 4 years who completed in 5 or 6"),
    }
    keys = (ADJUSTED_COHORT, *RATE_COLUMNS, COUNTED_DIFFERENTLY)
    return tuple(labels[key] for key in keys), keys


def _cohort_cells(figures: CohortRates) -> tuple[Cell, ...]:
    later = figures.counted_differently
    return (
        _count_cell(figures.adjusted_cohort),
        *(_rate_cell(figures.figures[key], figures.figures[key].shown) for key in RATE_COLUMNS),
        _count_cell(later.shown, later.provisional)
        if figures.figures[gr.SIX_YEAR].adjusted_cohort
        else Cell(None, NOT_APPLICABLE),
    )


def _group_cells(
    parts: dict[str, CohortRates], whole: CohortRates, min_numerator: int, min_denominator: int
) -> dict[str, tuple[Cell, ...]]:
    """Each group's cells, with the complementary suppression across the groups (see the module's text)."""
    groups = list(parts)
    shown_rates: dict[str, dict[str, Rate]] = {group: {} for group in groups}
    size_shown: dict[str, dict[str, bool]] = {group: {} for group in groups}
    # The adjusted cohorts shown are the 4-year table's group sizes, so the sizes and the rates of a group
    # are hidden together.
    sizes: dict[str, int | None] = {}
    for key in RATE_COLUMNS:
        table = suppress_table(
            {
                "graduated": {group: parts[group].figures[key].graduates for group in groups},
                "not graduated": {
                    group: parts[group].figures[key].adjusted_cohort - parts[group].figures[key].graduates
                    for group in groups
                },
            },
            min_numerator=min_numerator,
            min_denominator=min_denominator,
            # A rate the cohort's own arithmetic withheld stays hidden, and its complements are found.
            forced=[
                ("graduated", group)
                for group in groups
                if parts[group].figures[key].hidden_because == gr.WITHHELD
            ],
        )
        if key == gr.FOUR_YEAR:
            sizes = table.column_totals
        for group in groups:
            figure = parts[group].figures[key]
            shown = rate(
                figure.graduates,
                figure.adjusted_cohort,
                count_shown=table.cells["graduated"][group] is not None,
                size_shown=table.column_totals[group] is not None,
                min_numerator=min_numerator,
            )
            shown_rates[group][key] = Rate() if figure.hidden_because == gr.WITHHELD else shown
            size_shown[group][key] = table.column_totals[group] is not None
    # The graduates of years 5 and 6 of each group, beside the rest of its 6-year cohort: the group's size
    # is the denominator, as for the rates.
    later_table = suppress_table(
        {
            "later": {group: parts[group].counted_differently.count for group in groups},
            "rest": {
                group: parts[group].counts.adjusted_cohort(6) - parts[group].counted_differently.count
                for group in groups
            },
        },
        min_numerator=min_numerator,
        min_denominator=min_denominator,
        forced=[("later", group) for group in groups if parts[group].counted_differently.shown is None],
    )
    later = later_table.cells["later"]
    provisional = whole.counted_differently.provisional
    return {
        group: (
            _count_cell(sizes[group]),
            *(
                _rate_cell(parts[group].figures[key], shown_rates[group][key], size_shown[group][key])
                for key in RATE_COLUMNS
            ),
            _count_cell(later[group], provisional)
            if parts[group].counts.adjusted_cohort(6) or later_table.column_totals[group] is None
            else Cell(None, NOT_APPLICABLE),
        )
        for group in groups
    }


def _default_cohort(cohorts: list[int], on: datetime.date) -> int | None:
    """The latest cohort whose 6-year window has closed (the question has its answer), else the latest one."""
    closed = [cohort for cohort in cohorts if not gr.is_open(cohort, 6, on)]
    return max(closed) if closed else (max(cohorts) if cohorts else None)


def graduation_rates(
    *,
    context: RequestContext,
    district_id: int | None,
    by: str = DEFAULT_BY,
    school_id: int | None = None,
    cohort: int | None = None,
) -> GraduationReport:
    """The district's graduation rates (the acting district by default), all its schools or one, as of its
    last refresh. Invalid for an unknown breakdown or a cohort without figures; NotVisible for a district or
    school outside the reader's scope; NotPermitted for a reader with no graduation rates to read."""
    if by not in BREAKDOWNS:
        raise Invalid(_("The rates cannot be broken down by “%(by)s”.") % {"by": by[:40]})
    district, district_choices = _district(context, district_id)
    min_numerator = settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR
    min_denominator = settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    schools = list(
        Organization.objects.filter(parent=district, kind=Organization.Kind.SCHOOL).order_by("name", "pk")
    )
    school = None
    if school_id is not None:
        school = next((choice for choice in schools if choice.pk == school_id), None)
        if school is None:
            raise _refused(
                context,
                NotVisible(_("There is no school %(id)s in this district.") % {"id": school_id}),
                object_id=str(school_id),
            )
    freshness = AggregateRefresh.objects.filter(district=district).order_by("-finished_at", "-id").first()
    on = freshness.as_of if freshness else policy.today()

    rows = CohortFigures.objects.filter(district=district)
    if school is not None:
        rows = rows.filter(school=school)
    sums = {name: Sum(name) for name in COUNT_FIELDS}
    whole = {
        row["cohort"]: _counts(row["cohort"], row)
        for row in rows.filter(dimension=ALL).values("cohort").annotate(**sums).order_by("cohort")
    }
    cohorts = sorted(whole)
    if cohort is not None and cohort not in whole:
        raise Invalid(_("There are no figures for the cohort of %(cohort)s.") % {"cohort": cohort})
    chosen = cohort if cohort is not None else _default_cohort(cohorts, on)

    def rates_of(counts: CohortCounts) -> CohortRates:
        return gr.rates(counts, on=on, min_numerator=min_numerator, min_denominator=min_denominator)

    by_cohort = {year: rates_of(counts) for year, counts in whole.items()}
    columns, column_keys = _columns()
    place = school.name if school else district.name
    cohort_table = FigureTable(
        key="cohorts",
        title=_("Graduation rates by cohort, %(place)s") % {"place": place},
        row_header=_("Cohort (entered grade 9)"),
        columns=columns,
        column_keys=column_keys,
        rows=tuple(
            Row(key=str(year), label=str(year), cells=_cohort_cells(by_cohort[year]))
            for year in reversed(cohorts)
        ),
        chart="",
        unit="percent",
        note=_("A window still open on %(day)s shows its share so far, not a rate.")
        % {"day": on.isoformat()},
    )
    closed = [year for year in cohorts if by_cohort[year].figures[gr.MASTERY].final]
    comparison = FigureTable(
        key="comparison",
        title=_("The same cohorts under two definitions: 4 years, or 3 to 6 years"),
        row_header=_("Cohort (entered grade 9)"),
        columns=(columns[1], columns[4]),
        column_keys=(gr.FOUR_YEAR, gr.MASTERY),
        rows=tuple(
            Row(
                key=str(year),
                label=str(year),
                cells=tuple(
                    _percent(by_cohort[year].figures[key].shown)
                    if by_cohort[year].figures[key].adjusted_cohort
                    else Cell(None, NOT_APPLICABLE)
                    for key in (gr.FOUR_YEAR, gr.MASTERY)
                ),
            )
            for year in closed
        ),
        chart="bar",
        unit="percent",
        note=_("Cohorts whose 6-year window has closed."),
    )

    groups_of = dimension(by).groups
    group_rows: list[Row] = []
    if chosen is not None:
        parts = {
            row["subgroup"]: _counts(chosen, row)
            for row in rows.filter(dimension=by, cohort=chosen).values("subgroup").annotate(**sums)
        }
        present = {
            group: rates_of(parts.get(group, CohortCounts(cohort=chosen))) for group, _label in groups_of
        }
        cells = _group_cells(present, by_cohort[chosen], min_numerator, min_denominator)
        group_rows = [Row(key=ALL, label=_("All students"), cells=_cohort_cells(by_cohort[chosen]))] + [
            Row(key=group, label=_(label), cells=cells[group]) for group, label in groups_of
        ]
    group_table = FigureTable(
        key="groups",
        title=_("Cohort %(cohort)s by %(dimension)s")
        % {"cohort": chosen or "—", "dimension": _(dimension(by).label).lower()},
        row_header=_(dimension(by).label),
        columns=columns,
        column_keys=column_keys,
        rows=tuple(group_rows),
        chart="",
        unit="percent",
    )
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type=OBJECT_TYPE,
        district_id=district.pk,
        object_id=str(school.pk) if school else "",
    )
    return GraduationReport(
        district=district,
        district_choices=tuple(district_choices),
        school=school,
        school_choices=tuple(schools),
        by=by,
        by_choices=tuple((key, _(dimension(key).label)) for key in BREAKDOWNS),
        cohort=chosen,
        cohort_choices=tuple(reversed(cohorts)),
        on=on,
        freshness=freshness,
        tables=(comparison, cohort_table, group_table),
        question=by_cohort.get(chosen) if chosen is not None else None,
        min_numerator=min_numerator,
        min_denominator=min_denominator,
    )
