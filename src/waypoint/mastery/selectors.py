"""Reads of mastery levels: a student's levels with their explanation and history, a section's gradebook, and
the scoring sheet of a piece of evidence."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import Section, Student
from waypoint.evidence.models import Assessment, Score
from waypoint.evidence.selectors import EvidenceDetail, evidence_detail
from waypoint.frameworks.models import Competency, RubricCriterion, ScaleLevel
from waypoint.frameworks.selectors import level_name, scale_levels
from waypoint.mastery import calc
from waypoint.mastery.models import KnowledgeEstimate, MasteryLevel, MasteryLevelChange
from waypoint.people.selectors import section_roster, student_get


@dataclass(frozen=True)
class LevelSummary:
    level: float | None
    meets_mastery: bool


def student_levels(student_ids: Collection[int]) -> dict[tuple[int, int], LevelSummary]:
    """(student id, competency id) → the current level, for students the caller has already scoped."""
    return {
        (student_id, competency_id): LevelSummary(level, meets)
        for student_id, competency_id, level, meets in MasteryLevel.objects.filter(
            student_id__in=list(student_ids)
        ).values_list("student_id", "competency_id", "level", "meets_mastery")
    }


def explanation(method: str, parameters: dict[str, float | int], score_count: int) -> str:
    """The plain-language sentence of how a level was computed."""
    if method.startswith("rollup:"):
        rule = method.split(":", 1)[1]
        return {
            "mean": "Your level is the average of your levels on the parts of this competency.",
            "minimum": "Your level is your lowest level among the parts of this competency.",
            "all_mastered": "You reach this competency when every part of it is at mastery.",
            "points": "Your level grows with the parts of this competency you have mastered.",
        }.get(rule, "Your level comes from the parts of this competency.")
    return calc.explain(calc.MethodSpec.from_parameters(method, parameters), score_count=score_count)


@dataclass(frozen=True)
class HistoryPoint:
    date: datetime.date
    level: float | None


@dataclass(frozen=True)
class CompetencyLevel:
    competency: Competency
    level: MasteryLevel
    label: str
    explanation: str
    history: list[HistoryPoint]
    estimate: KnowledgeEstimate | None


@dataclass(frozen=True)
class StudentMastery:
    student: Student
    levels: list[CompetencyLevel]
    feedback_only: list[Score]
    estimates_without_level: list[KnowledgeEstimate]


def student_mastery(*, context: RequestContext, student_id: int) -> StudentMastery:
    """The student's levels by competency with how each was computed and its history, beside the knowledge
    tracing estimates; the judgements that did not count are listed apart. Audited once as viewed."""
    student = student_get(context=context, student_id=student_id, audit_as="mastery")
    stored = list(
        MasteryLevel.objects.filter(student=student)
        .select_related("competency__version__framework")
        .order_by("competency__version__framework__title", "competency__path")
    )
    levels_of = scale_levels(row.competency.version.framework.scale_id for row in stored)
    history: dict[int, list[HistoryPoint]] = defaultdict(list)
    for change in MasteryLevelChange.objects.filter(student=student).order_by("changed_at", "id"):
        history[change.competency_id].append(
            HistoryPoint(timezone.localdate(change.changed_at), change.level)
        )
    estimates = {
        estimate.competency_id: estimate
        for estimate in KnowledgeEstimate.objects.filter(student=student).select_related("competency")
    }
    levels = [
        CompetencyLevel(
            competency=row.competency,
            level=row,
            label=level_name(
                levels_of[row.competency.version.framework.scale_id], row.level, no_value="No evidence yet"
            ),
            explanation=explanation(row.method, row.parameters, len(row.score_ids)),
            history=history[row.competency_id],
            estimate=estimates.pop(row.competency_id, None),
        )
        for row in stored
    ]
    feedback_only = list(
        Score.objects.current()
        .filter(student=student, counts_toward_mastery=False)
        .select_related("competency", "scored_by", "evidence")
        .order_by("-scored_at")[:50]
    )
    return StudentMastery(
        student=student,
        levels=levels,
        feedback_only=feedback_only,
        estimates_without_level=list(estimates.values()),
    )


@dataclass(frozen=True)
class GradebookCell:
    level: float | None
    meets_mastery: bool
    band: int
    evidence_id: int | None


@dataclass(frozen=True)
class Gradebook:
    section: Section
    students: list[Student]
    competencies: list[Competency]
    rows: list[tuple[Student, list[GradebookCell | None]]]


MAX_GRADEBOOK_COLUMNS = 60


def _band(value: float | None, facts: tuple[float, float, float]) -> int:
    """0 (no level) … 4 (at or above the top of the scale), for the heatmap's colour."""
    if value is None:
        return 0
    minimum, maximum, threshold = facts
    if value >= maximum:
        return 4
    if value >= threshold:
        return 3
    return 2 if value >= (minimum + threshold) / 2 else 1


def gradebook(*, context: RequestContext, section_id: int) -> Gradebook:
    """Students × competencies of a section, coloured by level, each cell linked to the latest evidence
    scored; a fixed number of queries whatever the class size."""
    from waypoint.mastery.services import scale_facts

    section, students = section_roster(context=context, section_id=section_id)
    student_ids = [student.pk for student in students]
    assessed: set[int] = {
        competency_id
        for competency_id in Assessment.objects.filter(section=section).values_list("competencies", flat=True)
        if competency_id is not None
    }
    levels = list(
        MasteryLevel.objects.filter(student_id__in=student_ids, rolled_up=False).values_list(
            "student_id", "competency_id", "level", "meets_mastery", "score_ids"
        )
    )
    column_ids = assessed | {competency_id for _, competency_id, *_ in levels}
    competencies = list(
        Competency.objects.filter(pk__in=column_ids)
        .select_related("version__framework")
        .order_by("version__framework__title", "path")[:MAX_GRADEBOOK_COLUMNS]
    )
    shown = {competency.pk for competency in competencies}
    last_scores = {ids[-1] for _, competency_id, _, _, ids in levels if ids and competency_id in shown}
    evidence_of_score = dict(Score.objects.filter(pk__in=last_scores).values_list("id", "evidence_id"))
    scale_ids = {competency.version.framework.scale_id for competency in competencies}
    pairs: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for scale_id, value, meets in ScaleLevel.objects.filter(scale_id__in=scale_ids).values_list(
        "scale_id", "value", "meets_mastery"
    ):
        pairs[scale_id].append((value, meets))
    facts = {}
    for scale_id, scale_pairs in pairs.items():
        scale = scale_facts(scale_pairs)
        facts[scale_id] = (scale.minimum, scale.maximum, scale.threshold)
    cells = {
        (student_id, competency_id): (level, meets, ids)
        for student_id, competency_id, level, meets, ids in levels
        if competency_id in shown
    }
    rows = []
    for student in students:
        row: list[GradebookCell | None] = []
        for competency in competencies:
            found = cells.get((student.pk, competency.pk))
            if found is None:
                row.append(None)
                continue
            level, meets, ids = found
            row.append(
                GradebookCell(
                    level=level,
                    meets_mastery=meets,
                    band=_band(level, facts[competency.version.framework.scale_id]),
                    evidence_id=evidence_of_score.get(ids[-1]) if ids else None,
                )
            )
        rows.append((student, row))
    return Gradebook(section=section, students=students, competencies=competencies, rows=rows)


# The scoring sheet -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionView:
    """A rubric criterion about a competency, with its cell (teacher and student wording) per scale level."""

    criterion: RubricCriterion
    cells: list[tuple[ScaleLevel, str, str]]


@dataclass(frozen=True)
class CompetencyScoring:
    """What a scorer needs for one competency: the scale's levels, the rubric rows about it, and the current
    judgements (those a new score may correct)."""

    competency: Competency
    levels: list[ScaleLevel]
    criteria: list[CriterionView]
    current_scores: list[Score]


@dataclass(frozen=True)
class ScoringSheet:
    """The evidence as its scorer sees it (whether the judgement counts is `detail.judgement_counts`), and
    one block per competency of the evidence, in tree order."""

    detail: EvidenceDetail
    blocks: list[CompetencyScoring]


def scoring_sheet(*, context: RequestContext, evidence_id: int) -> ScoringSheet:
    """The evidence with, per competency, the scale, the assessment's rubric rows and the current judgements;
    for those who may judge it (the student's self-assessment included), else NotPermitted."""
    detail = evidence_detail(context=context, evidence_id=evidence_id)
    if not detail.may_judge:
        raise NotPermitted("Only the student's teachers and administrators score this evidence.")
    evidence = detail.evidence
    rubric = evidence.assessment.rubric if evidence.assessment is not None else None
    criteria: dict[int, list[CriterionView]] = {competency.pk: [] for competency in detail.competencies}
    if rubric is not None:
        for criterion in rubric.criteria.prefetch_related("cells__level").filter(
            competency_id__in=list(criteria)
        ):
            criteria[criterion.competency_id].append(
                CriterionView(
                    criterion,
                    [
                        (cell.level, cell.description, cell.student_description)
                        for cell in criterion.cells.all()
                    ],
                )
            )
    shown = next(view for view in detail.versions if view.evidence.pk == evidence.pk)
    current = [score for score in shown.scores if not hasattr(score, "superseded_by")]
    return ScoringSheet(
        detail=detail,
        blocks=[
            CompetencyScoring(
                competency=competency,
                levels=detail.levels[competency.pk],
                criteria=criteria[competency.pk],
                current_scores=[score for score in current if score.competency_id == competency.pk],
            )
            for competency in detail.competencies
        ],
    )
