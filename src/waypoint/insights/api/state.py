"""The state view in the API: the same tables as the page, for the state's analysts."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.api import READ_ERRORS, Problem, Text
from waypoint.insights.api.dashboard import FigureTableOut
from waypoint.insights.selectors.state import parse_state_query, state_view
from waypoint.policy import request_context

router = Router()


class StateQueryIn(Schema):
    measure: Text = Field("", max_length=64, description="A dashboard measure (default `on_track_share`).")
    dimension: Text = Field(
        "", max_length=64, description="The groups of the subgroup table (default `race`)."
    )
    year: Text = Field("", max_length=64, description="The school year compared, by its first calendar year.")
    state: Text = Field("", max_length=64, description="The state's id, for an analyst of several states.")


class DistrictFreshnessOut(Schema):
    district_id: int
    name: str
    as_of: datetime.date | None = Field(description="The day the figures were computed as of (null: never).")
    refreshed_at: datetime.datetime | None


class StateOut(Schema):
    state_id: int
    state_name: str
    measure: str
    dimension: str
    year: int = Field(description="The school year compared, by its first calendar year (July 1).")
    cohort: int = Field(
        description="The cohort of the graduation columns: the latest whose 4 years are over."
    )
    min_count: int = Field(description="Counts under this are hidden.")
    min_group_size: int = Field(description="Groups under this are hidden.")
    freshness: list[DistrictFreshnessOut]
    tables: list[FigureTableOut]


@router.get(
    "/state",
    response={200: StateOut, 400: Problem, **READ_ERRORS},
    summary="The state's districts compared, by subgroup and by school year (aggregates only)",
)
def state(request: HttpRequest, query: Query[StateQueryIn]) -> StateOut:
    """For the state's analysts: the district comparison, a measure by subgroup per district, and the trends
    of the last three school years, each figure suppressed as on the page (null when hidden). An unknown
    measure, dimension or year answers 400 with the choices."""
    params = {key: value for key, value in query.dict().items() if value}
    checked = parse_state_query(params)
    view = state_view(
        context=request_context(request),
        measure=checked.measure,
        year=checked.year,
        dimension=checked.dimension,
        state_id=checked.state_id,
    )
    return StateOut(
        state_id=view.state.pk,
        state_name=view.state.name,
        measure=view.measure,
        dimension=view.dimension,
        year=view.year,
        cohort=view.cohort,
        min_count=view.min_numerator,
        min_group_size=view.min_denominator,
        freshness=[
            DistrictFreshnessOut(
                district_id=f.district_id, name=f.name, as_of=f.as_of, refreshed_at=f.refreshed_at
            )
            for f in view.freshness
        ],
        tables=[FigureTableOut.of(table) for table in view.tables],
    )
