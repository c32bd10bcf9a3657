"""API of mastery levels: a student's levels with how each was computed and its history, a section's
gradebook, and the calculation rules a district chooses."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router, Schema

from waypoint import policy
from waypoint.core.api import MAX_ID, NOT_FOUND, ErrorOut, Text, ValidationErrorOut
from waypoint.core.audit import request_context
from waypoint.core.models import Organization, User
from waypoint.core.selectors import NotPermitted, NotVisible
from waypoint.frameworks.models import Framework
from waypoint.mastery import selectors, services
from waypoint.mastery.calc import DEFAULT_WEIGHT, Method, RollupRule
from waypoint.mastery.models import CalculationRule
from waypoint.policy import Action

router = Router(tags=["mastery"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
READ_ERRORS = {**NOT_FOUND, 403: ErrorOut}


class HistoryPointOut(Schema):
    date: datetime.date
    level: float | None


class EstimateOut(Schema):
    probability_mastered: float
    attempts: int
    evidence_sufficient: bool


class MasteryLevelOut(Schema):
    competency_id: int
    human_code: str
    statement: str
    framework: str
    level: float | None
    label: str
    meets_mastery: bool
    method: str
    parameters: dict[str, int | float]
    framework_version_id: int
    score_ids: list[int]
    explanation: str
    history: list[HistoryPointOut]
    knowledge_tracing_estimate: EstimateOut | None


class StudentMasteryOut(Schema):
    student_id: int
    levels: list[MasteryLevelOut]


class GradebookOut(Schema):
    section_id: int
    competency_ids: list[int]
    student_ids: list[int]
    levels: list[list[float | None]]


class RuleIn(Schema):
    method: Method
    parameters: dict[str, int | float] = {}
    rollup_rule: RollupRule = RollupRule.MEAN
    competency_identifier: Text = ""


class RuleOut(Schema):
    framework_id: int
    competency_identifier: str
    method: str
    parameters: dict[str, int | float]
    rollup_rule: str


def _estimate(competency_level: selectors.CompetencyLevel) -> EstimateOut | None:
    estimate = competency_level.estimate
    if estimate is None:
        return None
    return EstimateOut(
        probability_mastered=estimate.probability_mastered,
        attempts=estimate.attempts,
        evidence_sufficient=estimate.evidence_sufficient,
    )


@router.get("/students/{int:student_id}/mastery", response={200: StudentMasteryOut, **READ_ERRORS})
def student_mastery(request: HttpRequest, student_id: Id) -> StudentMasteryOut:
    """Every level the student has, with the method, parameters, framework version and scores that made it, a
    plain-language explanation, its history, and the knowledge-tracing estimate beside it (never instead)."""
    mastery = selectors.student_mastery(context=request_context(request), student_id=student_id)
    return StudentMasteryOut(
        student_id=mastery.student.pk,
        levels=[
            MasteryLevelOut(
                competency_id=item.competency.pk,
                human_code=item.competency.human_code,
                statement=item.competency.full_statement,
                framework=item.competency.version.framework.title,
                level=item.level.level,
                label=item.label,
                meets_mastery=item.level.meets_mastery,
                method=item.level.method,
                parameters=item.level.parameters,
                framework_version_id=item.level.framework_version_id,
                score_ids=item.level.score_ids,
                explanation=item.explanation,
                history=[HistoryPointOut(date=point.date, level=point.level) for point in item.history],
                knowledge_tracing_estimate=_estimate(item),
            )
            for item in mastery.levels
        ],
    )


@router.get("/sections/{int:section_id}/gradebook", response={200: GradebookOut, **READ_ERRORS})
def section_gradebook(request: HttpRequest, section_id: Id) -> GradebookOut:
    """Students × competencies of a section, the current level in each cell (null: no level yet)."""
    book = selectors.gradebook(context=request_context(request), section_id=section_id)
    return GradebookOut(
        section_id=book.section.pk,
        competency_ids=[competency.pk for competency in book.competencies],
        student_ids=[student.pk for student in book.students],
        levels=[[cell.level if cell else None for cell in row] for _, row in book.rows],
    )


def _framework(framework_id: int) -> Framework:
    framework = Framework.objects.filter(pk=framework_id).first()
    if framework is None:
        raise NotVisible(f"No framework {framework_id}.")
    return framework


def _rule_out(rule: CalculationRule) -> RuleOut:
    return RuleOut(
        framework_id=rule.framework_id,
        competency_identifier=rule.competency_identifier,
        method=rule.method,
        parameters=rule.parameters,
        rollup_rule=rule.rollup_rule,
    )


@router.get("/frameworks/{int:framework_id}/calculation-rules", response={200: list[RuleOut], **NOT_FOUND})
def calculation_rules(request: HttpRequest, framework_id: Id) -> list[RuleOut]:
    """The rules your district chose for this framework; without one, the default applies (decaying
    average, weight 0.65, roll-up by mean)."""
    framework = _framework(framework_id)
    user = request.user
    district_id = user.district_id if isinstance(user, User) else None
    rules = list(CalculationRule.objects.filter(framework=framework, district_id=district_id))
    if not any(rule.competency_identifier == "" for rule in rules):
        rules.insert(
            0,
            CalculationRule(
                framework=framework,
                method=Method.DECAYING_AVERAGE.value,
                parameters={"weight": DEFAULT_WEIGHT},
                rollup_rule=RollupRule.MEAN.value,
            ),
        )
    return [_rule_out(rule) for rule in rules]


@router.put(
    "/frameworks/{int:framework_id}/calculation-rules",
    response={
        200: RuleOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
)
def calculation_rule_set(request: HttpRequest, framework_id: Id, payload: RuleIn) -> RuleOut:
    """Choose the method (and roll-up) for the framework, or for one competency by its CASE identifier, in
    your district; the district's levels are recomputed at once (district administrators)."""
    framework = _framework(framework_id)
    user = request.user
    district_id = user.district_id if isinstance(user, User) else None
    district = Organization.objects.filter(pk=district_id).first() if district_id is not None else None
    if district is None or not policy.can(user, Action.MANAGE_CALCULATION, district):
        raise NotPermitted("Only district administrators choose calculation methods.")
    rule = services.calculation_rule_set(
        district=district,
        framework=framework,
        method=payload.method.value,
        parameters=dict(payload.parameters),
        rollup_rule=payload.rollup_rule.value,
        competency_identifier=payload.competency_identifier,
        actor=user if isinstance(user, User) else None,
    )
    return _rule_out(rule)
