"""API of mastery: scoring evidence, a student's levels with how each was computed and its history, a
section's gradebook, and the calculation rules a district chooses (previewed, then applied as previewed)."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, WithJsonSchema

from waypoint import policy
from waypoint.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    PageOut,
    PageQuery,
    Problem,
    RefId,
    Text,
    page_fields,
    problem_response,
)
from waypoint.core.errors import NotPermitted
from waypoint.core.models import Organization, User
from waypoint.core.paging import page_of_sequence
from waypoint.evidence.api import ScoreOut, score_out
from waypoint.frameworks import selectors as framework_selectors
from waypoint.frameworks.models import Framework
from waypoint.mastery import selectors, services
from waypoint.mastery.calc import DEFAULT_WEIGHT, Method, RollupRule
from waypoint.mastery.models import CalculationRule
from waypoint.policy import Action, request_context

router = Router(tags=["mastery"])


# Scoring evidence ------------------------------------------------------------------------------------------


class ScoreIn(Schema):
    """One judgement: `value`, a level of the scale, or `criterion_levels`, a level per rubric criterion about
    the competency (their mean is the score). A correction names the current score it supersedes and why."""

    # Closed, so that a body is one judgement or a list of them, never read as both.
    model_config = ConfigDict(extra="forbid")

    competency_id: RefId
    value: float | None = None
    criterion_levels: Annotated[
        dict[int, float] | None,
        # Keys are criterion ids, which JSON can only carry as strings of digits.
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "object",
                        "propertyNames": {"pattern": "^[1-9][0-9]{0,17}$"},
                        "additionalProperties": {"type": "number"},
                    },
                    {"type": "null"},
                ]
            }
        ),
    ] = None
    comment: Text = ""
    supersedes_id: RefId | None = None
    correction_reason: Text = ""


class ScoresIn(Schema):
    """Several judgements of one piece of evidence, at most one per competency, recorded all or nothing."""

    model_config = ConfigDict(extra="forbid")

    scores: list[ScoreIn] = Field(min_length=1, max_length=services.MAX_SCORES_PER_CALL)


class ScoresOut(Schema):
    scores: list[ScoreOut]


class ScoreProblemOut(Schema):
    index: int = Field(description="The item's position in `scores` (0 for a single score).")
    competency_id: int
    problems: list[str]


class ScoringProblemOut(Problem):
    """Why nothing was recorded: `problems` lists every problem, each prefixed with its competency; `items`
    groups them per refused item."""

    items: list[ScoreProblemOut]


def _score_input(item: ScoreIn) -> services.ScoreInput:
    return services.ScoreInput(
        competency_id=item.competency_id,
        value=item.value,
        criterion_levels=item.criterion_levels or {},
        comment=item.comment,
        supersedes_id=item.supersedes_id,
        correction_reason=item.correction_reason,
    )


@router.post(
    "/evidence/{int:evidence_id}/scores",
    response={
        201: ScoresOut | ScoreOut,
        **WRITE_ERRORS,
        400: ScoringProblemOut,
    },
    summary="Judge the evidence on its competencies",
)
def score_record(
    request: HttpRequest, evidence_id: Id, payload: ScoresIn | ScoreIn
) -> Status[ScoresOut | ScoreOut] | HttpResponse:
    """Judge the evidence on its competencies: `{"scores": [...]}`, one judgement per competency (answered
    with `{"scores": [...]}`), or one judgement object (answered with the score). Each judgement is a level of
    the scale, or a level per rubric criterion. All or nothing: if any judgement is refused, nothing is
    recorded and the 400 lists every problem per item. Counts toward mastery only from a teacher with a
    current certification (then the levels are recomputed at once); a correction names the score it
    supersedes and why, and answers 409 when that score has been corrected meanwhile."""
    items = payload.scores if isinstance(payload, ScoresIn) else [payload]
    try:
        recorded = services.scores_record(
            context=request_context(request),
            evidence_id=evidence_id,
            scores=[_score_input(item) for item in items],
        )
    except services.ScoringError as error:
        refused = [
            ScoreProblemOut(index=item.index, competency_id=item.competency_id, problems=list(item.problems))
            for item in error.items
        ]
        return problem_response(status=400, problems=error.problems, items=[item.dict() for item in refused])
    if isinstance(payload, ScoresIn):
        return Status(201, ScoresOut(scores=[score_out(score) for score in recorded]))
    return Status(201, score_out(recorded[0]))


# Levels ----------------------------------------------------------------------------------------------------


class HistoryPointOut(Schema):
    date: datetime.date
    at: datetime.datetime
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


class RulePageOut(PageOut):
    items: list[RuleOut]


def _estimate(competency_level: selectors.CompetencyLevel) -> EstimateOut | None:
    estimate = competency_level.estimate
    if estimate is None:
        return None
    return EstimateOut(
        probability_mastered=estimate.probability_mastered,
        attempts=estimate.attempts,
        evidence_sufficient=estimate.evidence_sufficient,
    )


@router.get(
    "/students/{int:student_id}/mastery",
    response={200: StudentMasteryOut, **READ_ERRORS},
    summary="Every level the student has, with how it was reached and why",
)
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
                history=[
                    HistoryPointOut(date=point.date, at=point.at, level=point.level) for point in item.history
                ],
                knowledge_tracing_estimate=_estimate(item),
            )
            for item in mastery.levels
        ],
    )


@router.get(
    "/sections/{int:section_id}/gradebook",
    response={200: GradebookOut, **READ_ERRORS},
    summary="Students × competencies of a section, the current level in each cell",
)
def section_gradebook(request: HttpRequest, section_id: Id) -> GradebookOut:
    """Students × competencies of a section, the current level in each cell (null: no level yet)."""
    book = selectors.gradebook(context=request_context(request), section_id=section_id)
    return GradebookOut(
        section_id=book.section.pk,
        competency_ids=[competency.pk for competency in book.competencies],
        student_ids=[student.pk for student in book.students],
        levels=[[cell.level if cell else None for cell in row] for _, row in book.rows],
    )


def _framework(request: HttpRequest, framework_id: int) -> Framework:
    # Only a framework the caller may read: another district's draft answers 404 like a missing one, never
    # a refusal that names it.
    framework, _ = framework_selectors.framework_get(request.user, framework_id)
    return framework


def _rule_out(rule: CalculationRule) -> RuleOut:
    return RuleOut(
        framework_id=rule.framework_id,
        competency_identifier=rule.competency_identifier,
        method=rule.method,
        parameters=rule.parameters,
        rollup_rule=rule.rollup_rule,
    )


@router.get(
    "/frameworks/{int:framework_id}/calculation-rules",
    response={200: RulePageOut, **READ_ERRORS},
    summary="The rules your district chose for this framework",
)
def calculation_rules(request: HttpRequest, framework_id: Id, query: Query[PageQuery]) -> RulePageOut:
    """The rules your district chose for this framework; without one, the default applies (decaying
    average, weight 0.65, roll-up by mean)."""
    framework = _framework(request, framework_id)
    district_id = policy.request_access(request).acting_district_id
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
    page = page_of_sequence(rules, number=query.page, size=query.page_size)
    return RulePageOut(items=[_rule_out(rule) for rule in page.items], **page_fields(page))


@router.put(
    "/frameworks/{int:framework_id}/calculation-rules",
    response={200: RuleOut, **WRITE_ERRORS},
    summary="Choose the calculation method for the framework, or for one competency",
)
def calculation_rule_set(request: HttpRequest, framework_id: Id, payload: RuleIn) -> RuleOut:
    """Choose the method (and roll-up) for the framework, or for one competency by its CASE identifier, in
    your district; the district's levels are recomputed at once (district administrators)."""
    framework = _framework(request, framework_id)
    user = request.user
    district_id = policy.request_access(request).acting_district_id
    district = Organization.objects.filter(pk=district_id).first() if district_id is not None else None
    if district is None or not policy.can(user, Action.MANAGE_CALCULATION, district):
        raise NotPermitted(gettext("Only district administrators choose calculation methods."))
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


# Previewing a change of rule, then applying exactly what was previewed ------------------------------------


class MoveCountsOut(Schema):
    up: int = Field(description="Levels that would reach a higher named level of the scale.")
    down: int = Field(description="Levels that would fall to a lower named level.")
    same: int = Field(description="Levels that would stay on their named level.")
    shifted: int = Field(description="Of `same`, those whose number would change within the level.")
    total: int


class CompetencyMovesOut(Schema):
    competency_id: int
    human_code: str
    statement: str
    counts: MoveCountsOut


class LevelMoveOut(Schema):
    student_id: int
    student_name: str
    competency_id: int
    before: float | None
    before_label: str
    after: float | None
    after_label: str
    meets_mastery_before: bool
    meets_mastery_after: bool


class RulePreviewOut(Schema):
    """What saving the rule would do to the district's levels; nothing is saved. Send `token` to
    `…/calculation-rules/apply` to save exactly this rule."""

    framework_id: int
    competency_identifier: str
    method: str
    parameters: dict[str, int | float]
    rollup_rule: str
    counts: MoveCountsOut
    mastery_gained: int
    mastery_lost: int
    by_competency: list[CompetencyMovesOut]
    examples: list[LevelMoveOut]
    token: str
    seconds: float


class RuleApplyIn(Schema):
    token: str = Field(min_length=1, max_length=4000)


def _managed_district(request: HttpRequest) -> Organization:
    """The acting district, when the user administers it; else NotPermitted."""
    district_id = policy.request_access(request).acting_district_id
    district = Organization.objects.filter(pk=district_id).first() if district_id is not None else None
    if district is None or not policy.can(request.user, Action.MANAGE_CALCULATION, district):
        raise NotPermitted(gettext("Only district administrators choose calculation methods."))
    return district


def _counts_out(counts: services.MoveCounts) -> MoveCountsOut:
    return MoveCountsOut(
        up=counts.up, down=counts.down, same=counts.same, shifted=counts.shifted, total=counts.total
    )


@router.post(
    "/frameworks/{int:framework_id}/calculation-rules/preview",
    response={200: RulePreviewOut, **WRITE_ERRORS},
    summary="How many of your district's levels a rule would move, per competency, with examples",
)
def calculation_rule_preview(request: HttpRequest, framework_id: Id, payload: RuleIn) -> RulePreviewOut:
    """How many of your district's levels the rule would move up, down, or leave on their named level, per
    competency, with examples (student, competency, from → to); nothing is saved (district
    administrators). The students named in the examples are audited as viewed."""
    framework = _framework(request, framework_id)
    district = _managed_district(request)
    proposal = services.rule_proposal(
        district=district,
        framework=framework,
        method=payload.method.value,
        parameters=dict(payload.parameters),
        rollup_rule=payload.rollup_rule.value,
        competency_identifier=payload.competency_identifier,
    )
    preview = services.calculation_rule_preview(context=request_context(request), proposal=proposal)
    return RulePreviewOut(
        framework_id=framework.pk,
        competency_identifier=proposal.competency_identifier,
        method=proposal.spec.method.value,
        parameters=proposal.spec.parameters(),
        rollup_rule=proposal.rollup.value,
        counts=_counts_out(preview.counts),
        mastery_gained=preview.mastery_gained,
        mastery_lost=preview.mastery_lost,
        by_competency=[
            CompetencyMovesOut(
                competency_id=item.competency_id,
                human_code=item.human_code,
                statement=item.statement,
                counts=_counts_out(item.counts),
            )
            for item in preview.by_competency
        ],
        examples=[
            LevelMoveOut(
                student_id=move.student.pk,
                student_name=move.student.full_name,
                competency_id=move.competency_id,
                before=move.before,
                before_label=move.before_label,
                after=move.after,
                after_label=move.after_label,
                meets_mastery_before=move.mastery_before,
                meets_mastery_after=move.mastery_after,
            )
            for move in preview.examples
        ],
        token=preview.token,
        seconds=round(preview.seconds, 3),
    )


@router.post(
    "/frameworks/{int:framework_id}/calculation-rules/apply",
    response={200: RuleOut, **WRITE_ERRORS},
    summary="Save exactly the rule a preview showed (its `token`) and recompute your district's levels",
)
def calculation_rule_apply(request: HttpRequest, framework_id: Id, payload: RuleApplyIn) -> RuleOut:
    """Save exactly the rule a preview showed (its `token`) and recompute your district's levels. 409 when
    the district's rules or scores changed since the preview, or the preview is over an hour old: preview
    again (district administrators)."""
    framework = _framework(request, framework_id)
    district = _managed_district(request)
    rule = services.calculation_rule_apply(
        context=request_context(request), district=district, framework=framework, token=payload.token
    )
    return _rule_out(rule)
