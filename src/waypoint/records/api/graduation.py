"""API of graduation rules and the diploma, under /api/v1/records/: the district's rule sets (read, and saved
by a district administrator), a student's diploma check, and the award. The same selectors and services as
the pages; a refused write answers 400 listing every problem."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Id, RefId, Text
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


class RequirementIn(Schema):
    kind: RequirementKind
    label: Annotated[Text, Field(max_length=300)] = ""
    competency_id: RefId | None = None
    framework_id: RefId | None = None
    min_level: float | None = Field(default=None, allow_inf_nan=False)
    count: int | None = Field(default=None, ge=0, le=1000)
    experience: ExperienceKind | None = None
    credits: Decimal | None = Field(default=None, max_digits=5, decimal_places=2)


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


class EvidenceOut(Schema):
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
    evidence: list[EvidenceOut]
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
    awarded_on: datetime.date


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
    response={200: list[RuleSetOut], **READ_ERRORS},
    operation_id="waypoint_records_api_rule_sets",
)
def rule_sets(request: HttpRequest) -> list[RuleSetOut]:
    """The graduation rule sets of the district the caller acts for, newest cohort first."""
    return [_rule_set_out(row) for row in reads.rule_sets_list(context=request_context(request))]


@router.get(
    "/graduation/rule-sets/{int:rule_set_id}",
    response={200: RuleSetOut, **READ_ERRORS},
    operation_id="waypoint_records_api_rule_set",
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
    operation_id="waypoint_records_api_rule_set_save",
)
def rule_set_save(request: HttpRequest, payload: RuleSetIn) -> Status[RuleSetOut]:
    """Save the rules of a cohort (district administrators): the cohort's draft is rewritten, otherwise the
    next version is made; `publish` puts it in force and supersedes the set before it."""
    return _save(request, payload.cohort_year, payload)


@router.post(
    "/graduation/rule-sets/{int:rule_set_id}",
    response={201: RuleSetOut, **WRITE_ERRORS},
    operation_id="waypoint_records_api_rule_set_change",
)
def rule_set_change(request: HttpRequest, rule_set_id: Id, payload: RuleSetChangeIn) -> Status[RuleSetOut]:
    """Change a rule set (district administrators): a draft is rewritten; a published one gets the next
    version, and stays as it was for the diplomas awarded under it. Answers the version written."""
    row = reads.rule_set_get(context=request_context(request), rule_set_id=rule_set_id)
    return _save(request, row.rule_set.cohort_year, payload)


@router.get(
    "/students/{int:student_id}/diploma-check",
    response={200: DiplomaCheckOut, **READ_ERRORS},
    operation_id="waypoint_records_api_diploma_check",
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
                evidence=[EvidenceOut(**e) for e in r.evidence],  # type: ignore[arg-type]
                remaining=r.remaining,
            )
            for r in check.requirements
        ],
        diploma_awarded_on=page.diploma.awarded_on if page.diploma else None,
    )


@router.post(
    "/students/{int:student_id}/diploma",
    response={201: DiplomaOut, **WRITE_ERRORS, 409: ErrorOut},
    operation_id="waypoint_records_api_diploma_award",
)
def diploma_award(request: HttpRequest, student_id: Id, payload: AwardIn) -> Status[DiplomaOut]:
    """Award the diploma to an eligible student (district administrators of the student's district); an
    ineligible student is refused with every requirement not yet met."""
    context = request_context(request)
    page = reads.diploma_page(context=context, student_id=student_id)
    diploma = services.diploma_award(context=context, student=page.student, awarded_on=payload.awarded_on)
    return Status(201, _diploma_out(diploma))
