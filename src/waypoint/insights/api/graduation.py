"""The graduation-rate calculator in the API: the same tables as the page, for the district's administrators
and the state's analysts."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.api import READ_ERRORS, Problem, Text
from waypoint.insights.api.dashboard import FigureTableOut
from waypoint.insights.selectors.graduation import graduation_rates, parse_graduation_query
from waypoint.policy import request_context

router = Router()


class GraduationQueryIn(Schema):
    district: Text = Field("", description="The district's id (default: the acting district).")
    by: Text = Field("", description="The groups of the group table (default `race`).")
    school: Text = Field("", description="One school's id (default: the whole district).")
    cohort: Text = Field(
        "",
        description="The cohort of the group table (default: the latest with 6 years over).",
    )


class CountedDifferentlyOut(Schema):
    cohort: int
    count: int | None = Field(
        description="Graduates of years 5 and 6: non-graduates to the 4-year rate, graduates to "
        "mastery-based completion (null when hidden)."
    )
    provisional: bool = Field(description="The 6-year window is still open: the count may still grow.")


class GraduationOut(Schema):
    district_id: int
    district_name: str
    school_id: int | None
    by: str
    cohort: int | None = Field(description="The cohort of the group table (null: no cohort figures yet).")
    as_of: datetime.date = Field(description="The day the figures were computed as of.")
    refreshed_at: datetime.datetime | None = Field(description="When they were computed (null: never).")
    min_count: int = Field(description="Counts under this are hidden.")
    min_group_size: int = Field(description="Groups under this are hidden.")
    counted_differently: CountedDifferentlyOut | None
    tables: list[FigureTableOut]


@router.get(
    "/graduation",
    response={200: GraduationOut, 400: Problem, **READ_ERRORS},
    summary="Graduation rates under the 4-year and the 3–6-year definitions, side by side (aggregates only)",
)
def graduation(request: HttpRequest, query: Query[GraduationQueryIn]) -> GraduationOut:
    """The district's cohorts under every definition (4-year adjusted cohort rate, 5- and 6-year rates,
    mastery-based completion within 3 to 6 years, early completion), the two definitions compared, and one
    cohort by group; each figure suppressed as on the page (null when hidden). A bad parameter answers 400."""
    checked = parse_graduation_query({key: value for key, value in query.dict().items() if value})
    report = graduation_rates(
        context=request_context(request),
        district_id=checked.district_id,
        by=checked.by,
        school_id=checked.school_id,
        cohort=checked.cohort,
    )
    question = report.question
    return GraduationOut(
        district_id=report.district.pk,
        district_name=report.district.name,
        school_id=report.school.pk if report.school else None,
        by=report.by,
        cohort=report.cohort,
        as_of=report.on,
        refreshed_at=report.freshness.finished_at if report.freshness else None,
        min_count=report.min_numerator,
        min_group_size=report.min_denominator,
        counted_differently=CountedDifferentlyOut(
            cohort=question.cohort,
            count=question.counted_differently.shown,
            provisional=question.counted_differently.provisional,
        )
        if question
        else None,
        tables=[FigureTableOut.of(table) for table in report.tables],
    )
