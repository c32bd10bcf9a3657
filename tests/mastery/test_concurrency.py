"""Two certified teachers score the same student on the same competency at the same moment, on two pieces of
work: both scores count. Each refresh of a student's levels takes the student's lock for the framework before
it reads the scores, so the second refresh sees the first one's score (without the lock, 5 rounds in 12 left
a counted score out of the stored level). Real PostgreSQL connections, committed transactions (see
tests/concurrency.py); skipped on SQLite, whose writing transactions begin one at a time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pytest

from tests.concurrency import (  # noqa: F401  (the fixtures)
    ScratchDatabase,
    _race_template,
    scratch_postgres_fixture,
)
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, Student, User
from waypoint.evidence.models import AssessmentKind, Score
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks.models import Competency, Rubric
from waypoint.mastery.models import MasteryLevel
from waypoint.mastery.services import recompute, score_record

ROUNDS = 12


@dataclass(frozen=True)
class Stage:
    student_id: int
    competency_id: int
    assessment_id: int
    district_id: int


def _stage() -> Stage:
    district = Organization.objects.get(slug="riverside")
    teacher = User.objects.get(username="teacher")
    rubric = Rubric.objects.get(owner=district, title="Goal setting and reflection")
    criterion = rubric.criteria.order_by("position").first()
    assert criterion is not None
    assessment = assessment_create(
        context=RequestContext(user=teacher),
        title="Two teachers at once",
        kind=AssessmentKind.PERFORMANCE_TASK,
        competency_ids=[criterion.competency_id],
        rubric_id=rubric.pk,
    )
    student = Student.objects.get(user__username="student")
    return Stage(student.pk, criterion.competency_id, assessment.pk, district.pk)


def _two_pieces(stage: Stage, round_number: int) -> list[int]:
    student_user = User.objects.get(username="student")
    return [
        evidence_submit(
            context=RequestContext(user=student_user),
            student_id=stage.student_id,
            title=f"Round {round_number}, piece {piece}",
            body="My reflection on this week's goals.",
            assessment_id=stage.assessment_id,
        ).pk
        for piece in (1, 2)
    ]


def _score(evidence_id: int, competency_id: int, value: float) -> int:
    teacher = User.objects.get(username="teacher")
    context = RequestContext(user=teacher)
    return score_record(context=context, evidence_id=evidence_id, competency_id=competency_id, value=value).pk


def _stored_and_counted(stage: Stage) -> tuple[list[int], list[int]]:
    level = MasteryLevel.objects.get(student_id=stage.student_id, competency_id=stage.competency_id)
    counted = list(
        Score.objects.counted()
        .filter(student_id=stage.student_id, competency_id=stage.competency_id)
        .order_by("scored_at", "id")
        .values_list("id", flat=True)
    )
    return list(level.score_ids), counted


def _levels(stage: Stage) -> dict[int, tuple[object, ...]]:
    """The student's stored levels on the scored competency and its ancestors."""
    chain = []
    competency: Competency | None = Competency.objects.get(pk=stage.competency_id)
    while competency is not None:
        chain.append(competency.pk)
        competency = competency.parent
    rows = MasteryLevel.objects.filter(student_id=stage.student_id, competency_id__in=chain).values_list(
        "competency_id", "level", "meets_mastery", "method", "score_ids", "rolled_up"
    )
    return {row[0]: row[1:] for row in rows}


def _recomputed(stage: Stage) -> tuple[dict[int, tuple[object, ...]], dict[int, tuple[object, ...]]]:
    before = _levels(stage)
    recompute(district=Organization.objects.get(pk=stage.district_id))
    return before, _levels(stage)


@pytest.mark.django_db
def test_two_teachers_scoring_at_once_both_count(scratch_postgres: ScratchDatabase) -> None:
    stage = scratch_postgres.one(_stage)
    missed = []
    for round_number in range(ROUNDS):
        first, second = scratch_postgres.one(partial(_two_pieces, stage, round_number))
        outcomes = scratch_postgres.run(
            partial(_score, first, stage.competency_id, 4), partial(_score, second, stage.competency_id, 1)
        )
        assert [outcome.error for outcome in outcomes] == [None, None]
        written = {outcome.value for outcome in outcomes}
        stored, counted = scratch_postgres.one(lambda: _stored_and_counted(stage))
        assert written <= set(counted)
        if stored != counted:
            missed.append((round_number, sorted(set(counted) - set(stored))))
    assert missed == [], f"rounds whose stored level left counted scores out: {missed}"
    # The incremental path agrees with the bulk recompute, which has no race to lose.
    before, after = scratch_postgres.one(lambda: _recomputed(stage))
    assert before == after
    assert len(scratch_postgres.one(lambda: _stored_and_counted(stage))[0]) >= 2 * ROUNDS
