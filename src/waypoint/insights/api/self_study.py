"""The self-study's API: the same tables as the page, for one district of the reader's."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.api import READ_ERRORS, Problem, Text
from waypoint.insights.api.dashboard import FigureTableOut
from waypoint.insights.selectors import self_study as selector
from waypoint.policy import request_context

router = Router()


class SelfStudyQuery(Schema):
    district: Text | None = Field(
        None,
        description="The district's id; empty: the district you act for (a state analyst may name any "
        "district of their state).",
    )


class LeadOut(Schema):
    framework: str
    domain: str
    competencies: int
    aligned: int
    evidenced: int


class SelfStudyOut(Schema):
    district_id: int
    district: str
    year_start: str = Field(description="The first day of the school year the evidence counts in.")
    year_end: str
    summary: FigureTableOut = Field(description="One row per state framework: the four steps.")
    domains: list[FigureTableOut] = Field(description="One table per state framework, a row per domain.")
    where_to_look: list[LeadOut] = Field(description="The domains with the lowest coverage, lowest first.")


@router.get(
    "/self-study",
    summary="The district self-study against the state's frameworks",
    response={200: SelfStudyOut, 400: Problem, **READ_ERRORS},
)
def self_study(request: HttpRequest, query: Query[SelfStudyQuery]) -> SelfStudyOut:
    """For each state framework and each of its domains: adopted, aligned, evidenced this school year and
    mastered, as on the self-study page. District administrators read their district; the state's analysts
    any district of their state. Counts of students are suppressed as everywhere in insights."""
    study = selector.self_study(
        context=request_context(request), district_id=selector.parse_district(query.district)
    )
    return SelfStudyOut(
        district_id=study.district.pk,
        district=study.district.name,
        year_start=study.year_start.isoformat(),
        year_end=study.year_end.isoformat(),
        summary=FigureTableOut.of(study.summary),
        domains=[FigureTableOut.of(table) for table in study.domains],
        where_to_look=[
            LeadOut(
                framework=lead.framework,
                domain=lead.domain,
                competencies=lead.competencies,
                aligned=lead.aligned,
                evidenced=lead.evidenced,
            )
            for lead in study.leads
        ],
    )
