"""API of graduation rules and the diploma, under /api/v1/records/: the district's rule sets (read, and saved
by a district administrator), a student's diploma check, and the award. The same selectors and services as
the pages; a refused write answers 400 listing every problem."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from waypoint.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Id,
    PageOut,
    PageQuery,
    RefId,
    Text,
    page_fields,
)
from waypoint.core.paging import page_of_sequence
from waypoint.policy import Action, request_context
from waypoint.records.models import Diploma, ExperienceKind, RequirementKind
from waypoint.records.selectors import graduation as reads
from waypoint.records.services import graduation as services

router = Router(tags=["records"])


# Schemas --------------------------------------------------------------------------------------------------


class RequirementOut(Schema):
    id: int
    position: int
    kind: str = Field(description="competency, domain, count or experience")
    label: str
    competency_id: int | None
    framework_id: int | None
    min_level: float | None = Field(description="Empty: the scale's mastery level.")
    count: int | None
    experience: str
    credits: Decimal | None
    retired: str | None = Field(description="Why the competency it names is retired; fix the requirement.")


class RuleSetOut(Schema):
    id: int
    cohort_year: int
    version: int
    title: str
    description: str
    status: str = Field(description="draft, published (in force) or superseded")
    published_at: datetime.datetime | None
    requirements: list[RequirementOut]


class RuleSetPageOut(PageOut):
    items: list[RuleSetOut]


# Credits as the schema states them: up to 999.99, in a string (a JSON number is taken too).
Credits = Annotated[
    Decimal,
    Field(ge=0, le=999, max_digits=5, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": "^[0-9]{1,3}(\\.[0-9]{1,2})?$"}),
]


class RequirementIn(Schema):
    kind: RequirementKind
    label: Annotated[Text, Field(max_length=300)] = ""
    competency_id: RefId | None = None
    framework_id: RefId | None = None
    min_level: float | None = Field(default=None, allow_inf_nan=False)
    count: int | None = Field(default=None, ge=0, le=1000)
    experience: ExperienceKind | None = None
    credits: Credits | None = None


class RuleSetChangeIn(Schema):
    title: Annotated[Text, Field(max_length=200)]
    description: Annotated[Text, Field(max_length=5000)] = ""
    requirements: list[RequirementIn] = Field(max_length=60)
    publish: bool = False


class RuleSetIn(Schema):
    cohort_year: int = Field(ge=1900, le=2300)
    title: Annotated[Text, Field(max_length=200)]
    description: Annotated[Text, Field(max_length=5000)] = ""
    requirements: list[RequirementIn] = Field(max_length=60)
    publish: bool = False


class RequirementEvidenceOut(Schema):
    competency_id: int | None = None
    competency: str | None = None
    level: float | None = None
    level_name: str | None = None
    date: str | None = None
    score_ids: list[int] = []
    evidence_ids: list[int] = []
    experience: str | None = None
    title: str | None = None
    source: str | None = None
    source_id: int | None = None


class RequirementResultOut(Schema):
    id: int
    kind: str
    label: str
    met: bool
    evidence: list[RequirementEvidenceOut]
    remaining: str


class DiplomaCheckOut(Schema):
    student_id: int
    rule_set_id: int | None
    rule_set_version: int | None
    eligible: bool
    met: int
    total: int
    requirements: list[RequirementResultOut]
    diploma_awarded_on: datetime.date | None


class AwardIn(Schema):
    awarded_on: Day


class DiplomaOut(Schema):
    id: int
    student_id: int | None = Field(description="Empty once the student's record was disposed of.")
    rule_set_id: int
    awarded_on: datetime.date
    awarded_at: datetime.datetime


def _rule_set_out(row: reads.RuleSetRow) -> RuleSetOut:
    rule_set = row.rule_set
    return RuleSetOut(
        id=rule_set.pk,
        cohort_year=rule_set.cohort_year,
        version=rule_set.version,
        title=rule_set.title,
        description=rule_set.description,
        status=rule_set.status,
        published_at=rule_set.published_at,
        requirements=[
            RequirementOut(
                id=r.pk,
                position=r.position,
                kind=r.kind,
                label=str(r),
                competency_id=r.competency_id,
                framework_id=r.framework_id,
                min_level=r.min_level,
                count=r.count,
                experience=r.experience,
                credits=r.credits,
                retired=row.retired.get(r.pk),
            )
            for r in row.requirements
        ],
    )


def _diploma_out(diploma: Diploma) -> DiplomaOut:
    return DiplomaOut(
        id=diploma.pk,
        student_id=diploma.student_id,
        rule_set_id=diploma.rule_set_id,
        awarded_on=diploma.awarded_on,
        awarded_at=diploma.awarded_at,
    )


# Endpoints ------------------------------------------------------------------------------------------------


@router.get(
    "/graduation/rule-sets",
    response={200: RuleSetPageOut, **LIST_ERRORS},
    summary="The graduation rule sets of the district the caller acts for, newest cohort first",
)
def rule_sets(request: HttpRequest, query: Query[PageQuery]) -> RuleSetPageOut:
    """The graduation rule sets of the district the caller acts for, newest cohort first."""
    found = reads.rule_sets_list(context=request_context(request))
    page = page_of_sequence(found, number=query.page, size=query.page_size)
    return RuleSetPageOut(items=[_rule_set_out(row) for row in page.items], **page_fields(page))


@router.get(
    "/graduation/rule-sets/{int:rule_set_id}",
    response={200: RuleSetOut, **READ_ERRORS},
    summary="One rule set with its requirements; a requirement naming a retired competency says why",
)
def rule_set(request: HttpRequest, rule_set_id: Id) -> RuleSetOut:
    """One rule set with its requirements; a requirement naming a retired competency says why."""
    return _rule_set_out(reads.rule_set_get(context=request_context(request), rule_set_id=rule_set_id))


def _save(request: HttpRequest, cohort_year: int, payload: RuleSetChangeIn | RuleSetIn) -> Status[RuleSetOut]:
    context = request_context(request)
    district = reads.acting_district(context, Action.MANAGE_GRADUATION_RULES)
    saved = services.rule_set_save(
        context=context,
        district=district,
        cohort_year=cohort_year,
        title=payload.title,
        description=payload.description,
        requirements=[
            services.RequirementSpec(
                kind=r.kind,
                label=r.label,
                competency_id=r.competency_id,
                framework_id=r.framework_id,
                min_level=r.min_level,
                count=r.count,
                experience=r.experience or "",
                credits=r.credits,
            )
            for r in payload.requirements
        ],
        publish=payload.publish,
    )
    return Status(201, _rule_set_out(reads.rule_set_get(context=context, rule_set_id=saved.pk)))


@router.post(
    "/graduation/rule-sets",
    response={201: RuleSetOut, **WRITE_ERRORS},
    summary="Save the rules of a cohort (district administrators)",
)
def rule_set_save(request: HttpRequest, payload: RuleSetIn) -> Status[RuleSetOut]:
    """Save the rules of a cohort (district administrators): the cohort's draft is rewritten, otherwise the
    next version is made; `publish` puts it in force and supersedes the set before it."""
    return _save(request, payload.cohort_year, payload)


@router.post(
    "/graduation/rule-sets/{int:rule_set_id}",
    response={201: RuleSetOut, **WRITE_ERRORS},
    summary="Change a rule set (district administrators)",
)
def rule_set_change(request: HttpRequest, rule_set_id: Id, payload: RuleSetChangeIn) -> Status[RuleSetOut]:
    """Change a rule set (district administrators): a draft is rewritten; a published one gets the next
    version, and stays as it was for the diplomas awarded under it. Answers the version written."""
    row = reads.rule_set_get(context=request_context(request), rule_set_id=rule_set_id)
    return _save(request, row.rule_set.cohort_year, payload)


@router.get(
    "/students/{int:student_id}/diploma-check",
    response={200: DiplomaCheckOut, **READ_ERRORS},
    summary="The student's diploma check: each requirement met or not yet, its evidence, what remains",
)
def diploma_check(request: HttpRequest, student_id: Id) -> DiplomaCheckOut:
    """The student's diploma check: each requirement met or not yet, its evidence, what remains."""
    page = reads.diploma_page(context=request_context(request), student_id=student_id)
    check = page.check
    return DiplomaCheckOut(
        student_id=page.student.pk,
        rule_set_id=check.rule_set.pk if check.rule_set else None,
        rule_set_version=check.rule_set.version if check.rule_set else None,
        eligible=check.eligible,
        met=check.met_count,
        total=check.total,
        requirements=[
            RequirementResultOut(
                id=r.id,
                kind=r.kind,
                label=r.label,
                met=r.met,
                evidence=[RequirementEvidenceOut(**e) for e in r.evidence],  # type: ignore[arg-type]
                remaining=r.remaining,
            )
            for r in check.requirements
        ],
        diploma_awarded_on=page.diploma.awarded_on if page.diploma else None,
    )


@router.post(
    "/students/{int:student_id}/diploma",
    response={201: DiplomaOut, **WRITE_ERRORS},
    summary="Award the diploma to an eligible student (district administrators of the student's district)",
)
def diploma_award(request: HttpRequest, student_id: Id, payload: AwardIn) -> Status[DiplomaOut]:
    """Award the diploma to an eligible student (district administrators of the student's district); an
    ineligible student is refused with every requirement not yet met."""
    context = request_context(request)
    page = reads.diploma_page(context=context, student_id=student_id)
    diploma = services.diploma_award(context=context, student=page.student, awarded_on=payload.awarded_on)
    return Status(201, _diploma_out(diploma))
