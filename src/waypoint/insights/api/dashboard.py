"""The dashboard's API: its tables and their freshness, and a refresh on request. `FigureTableOut` is the
shape of every insights table in the API (the state, graduation and self-study modules answer with it too)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.api import READ_ERRORS, Problem, Text
from waypoint.core.errors import Invalid
from waypoint.insights.models import AggregateRefresh
from waypoint.insights.selectors import dashboard as selectors
from waypoint.insights.selectors.filters import FilterError, Filters, parse_filters
from waypoint.insights.services.refresh import refresh_district
from waypoint.insights.tables import FigureTable
from waypoint.policy import request_context

router = Router()


class FigureCellOut(Schema):
    value: float | None = Field(description="The figure; null when hidden (suppressed) or not applicable.")
    text: str = Field(description="The figure as shown: `*` when hidden, `≥ 95 %` when recoded at the top.")
    at_least: int | None = Field(description="For a share recoded at the top: the lowest share it may be.")


class FigureRowOut(Schema):
    key: str
    label: str
    cells: list[FigureCellOut]


class FigureTableOut(Schema):
    """A table of aggregate figures, already suppressed: nothing hidden on the page is in it."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[FigureRowOut]
    chart: str = Field(description="How the page draws it: `bar`, `stacked`, `line` or empty (no chart).")
    unit: str = Field(description="What the values measure: `students`, `percent`, `pace` or `count`.")
    note: str

    @staticmethod
    def of(table: FigureTable) -> FigureTableOut:
        return FigureTableOut(
            key=table.key,
            title=table.title,
            row_header=table.row_header,
            columns=list(table.columns),
            rows=[
                FigureRowOut(
                    key=row.key,
                    label=row.label,
                    cells=[FigureCellOut(value=c.value, text=c.text, at_least=c.at_least) for c in row.cells],
                )
                for row in table.rows
            ],
            chart=table.chart,
            unit=table.unit,
            note=table.note,
        )


class FiltersIn(Schema):
    """The dashboard's filters, as the page takes them. Each is checked against its vocabulary and range by
    `parse_filters`, which answers 400 with the reason (the lengths here only bound the text)."""

    school: Text = Field("", max_length=200, description="A school's id (default: the whole district).")
    grade: Text = Field("", max_length=200, description="A grade, 0 (kindergarten) to 13.")
    cohort: Text = Field("", max_length=200, description="The year the students entered grade 9.")
    subgroup: Text = Field(
        "", max_length=200, description="`<dimension>:<group>`, e.g. `race:hispanic` (default `all`)."
    )
    by: Text = Field(
        "",
        max_length=200,
        description="The breakdown: a dimension, `grade`, `cohort` or `school` (default `race`).",
    )
    district: Text = Field(
        "", max_length=200, description="A district's id, for someone who administers several."
    )


class ScopeOut(Schema):
    id: int
    name: str
    kind: str = Field(description="`district` or `school`.")


class FreshnessOut(Schema):
    as_of: datetime.date = Field(description="The day the figures describe.")
    refreshed_at: datetime.datetime = Field(description="When they were computed.")
    seconds: float


class DashboardOut(Schema):
    scope: ScopeOut
    district_id: int
    freshness: FreshnessOut | None = Field(description="Null: the figures were never computed (no tables).")
    min_count: int = Field(description="Counts under this are hidden.")
    min_group_size: int = Field(description="Groups under this are hidden.")
    tables: list[FigureTableOut]


def _filters(query: FiltersIn) -> Filters:
    try:
        return parse_filters({key: value for key, value in query.dict().items() if value})
    except FilterError as error:
        raise Invalid(str(error)) from error


def _freshness(refresh: AggregateRefresh | None) -> FreshnessOut | None:
    if refresh is None:
        return None
    return FreshnessOut(as_of=refresh.as_of, refreshed_at=refresh.finished_at, seconds=refresh.seconds)


@router.get(
    "/dashboard",
    response={200: DashboardOut, 400: Problem, **READ_ERRORS},
    summary="The growth dashboard of a district or school: every table, suppressed",
)
def dashboard(request: HttpRequest, query: Query[FiltersIn]) -> DashboardOut:
    """The tables of the dashboard page under the same filters, each figure suppressed as on the page (a
    hidden figure is null, its text `*`), and how fresh the figures are. A bad filter answers 400."""
    page = selectors.dashboard(context=request_context(request), filters=_filters(query))
    return DashboardOut(
        scope=ScopeOut(id=page.scope.pk, name=page.scope.name, kind=page.scope.kind),
        district_id=page.district.pk,
        freshness=_freshness(page.freshness),
        min_count=page.min_numerator,
        min_group_size=page.min_denominator,
        tables=[FigureTableOut.of(table) for table in page.tables],
    )


@router.post(
    "/refresh",
    response={200: FreshnessOut, 400: Problem, **READ_ERRORS},
    summary="Rebuild the district's figures now (district administrators)",
)
def refresh(request: HttpRequest, query: Query[FiltersIn]) -> FreshnessOut:
    """Rebuild the aggregates of the district (the acting one, or `district`) in one transaction; answers
    the new freshness. Only the district's administrators may."""
    context = request_context(request)
    district = selectors.refresh_target(context=context, filters=_filters(query))
    done = refresh_district(district_id=district.pk, context=context)
    return FreshnessOut(as_of=done.as_of, refreshed_at=done.finished_at, seconds=done.seconds)
