"""Two teachers correct the same score at the same moment: the database keeps one correction, and the other
teacher is told why in a 409 (never a 500, nor a 400 blaming their input). The API answers the loser with the
reason. The race runs on real PostgreSQL connections with committed transactions (see tests/concurrency.py);
the same refusal of a correction that came second runs on every database."""

from __future__ import annotations

import json
from functools import partial

import pytest
from django.test import Client

from tests.concurrency import (  # noqa: F401  (the fixtures)
    ScratchDatabase,
    _race_template,
    scratch_postgres_fixture,
)
from tests.evidence.conftest import Scene
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, Student, User
from waypoint.evidence.models import AssessmentKind, Evidence, Score
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks.models import Rubric
from waypoint.mastery.services import score_record

ROUNDS = 4
CORRECTED = "has been corrected since it was shown to you"


def _scored_piece(title: str) -> tuple[int, int, int]:
    """A piece of work with one counted score: (evidence id, competency id, score id)."""
    district = Organization.objects.get(slug="riverside")
    teacher = User.objects.get(username="teacher")
    rubric = Rubric.objects.get(owner=district, title="Goal setting and reflection")
    competency_id = rubric.criteria.order_by("position").values_list("competency_id", flat=True)[0]
    assessment = assessment_create(
        context=RequestContext(user=teacher),
        title=title,
        kind=AssessmentKind.PERFORMANCE_TASK,
        competency_ids=[competency_id],
        rubric_id=rubric.pk,
    )
    evidence = evidence_submit(
        context=RequestContext(user=User.objects.get(username="student")),
        student_id=Student.objects.get(user__username="student").pk,
        title=title,
        body="My reflection.",
        assessment_id=assessment.pk,
    )
    score = score_record(
        context=RequestContext(user=teacher), evidence_id=evidence.pk, competency_id=competency_id, value=2
    )
    return evidence.pk, competency_id, score.pk


def _correct(evidence_id: int, competency_id: int, score_id: int, value: int) -> tuple[int, dict[str, str]]:
    client = Client()
    client.force_login(User.objects.get(username="teacher"))
    response = client.post(
        f"/api/v1/evidence/{evidence_id}/scores",
        data=json.dumps(
            {
                "competency_id": competency_id,
                "value": value,
                "supersedes_id": score_id,
                "correction_reason": f"Read the rubric again ({value})",
            }
        ),
        content_type="application/json",
    )
    return response.status_code, response.json()


def _corrections_of(score_id: int) -> int:
    return Score.objects.filter(supersedes_id=score_id).count()


@pytest.mark.django_db
def test_two_corrections_of_one_score_at_once_one_wins_the_other_gets_409(
    scratch_postgres: ScratchDatabase,
) -> None:
    for round_number in range(ROUNDS):
        evidence_id, competency_id, score_id = scratch_postgres.one(
            partial(_scored_piece, f"Corrected twice, round {round_number}")
        )
        outcomes = scratch_postgres.run(
            partial(_correct, evidence_id, competency_id, score_id, 3),
            partial(_correct, evidence_id, competency_id, score_id, 4),
        )
        assert [outcome.error for outcome in outcomes] == [None, None]
        answers = sorted((outcome.value for outcome in outcomes), key=lambda answer: answer[0])
        (won, _), (lost, body) = answers
        assert (won, lost) == (201, 409), answers
        assert f"Score {score_id} {CORRECTED}" in str(body["detail"])
        assert scratch_postgres.one(partial(_corrections_of, score_id)) == 1


def test_correcting_a_score_corrected_before_answers_409_with_the_reason(scene: Scene) -> None:
    evidence = evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title="Corrected on the page",
        body="My reflection.",
        assessment_id=scene.assessment.pk,
    )
    first = score_record(
        context=scene.context("teacher"), evidence_id=evidence.pk, competency_id=scene.competency.pk, value=2
    )
    score_record(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        competency_id=scene.competency.pk,
        value=3,
        supersedes_id=first.pk,
        correction_reason="Misread the rubric",
    )
    client = Client()
    client.force_login(scene.users["teacher"])
    response = client.post(
        f"/api/v1/evidence/{evidence.pk}/scores",
        data=json.dumps(
            {
                "competency_id": scene.competency.pk,
                "value": 4,
                "supersedes_id": first.pk,
                "correction_reason": "Again",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert f"Score {first.pk} {CORRECTED}" in response.json()["detail"]
    assert Score.objects.filter(supersedes=first).count() == 1
    assert Evidence.objects.get(pk=evidence.pk).status == "scored"


def test_the_scoring_page_tells_a_teacher_whose_correction_came_second(scene: Scene) -> None:
    """The page offers only current scores to correct; one corrected meanwhile is refused with the reason."""
    evidence = evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title="Corrected on the page",
        body="My reflection.",
        assessment_id=scene.assessment.pk,
    )
    competency_id = scene.competency.pk
    first = score_record(
        context=scene.context("teacher"), evidence_id=evidence.pk, competency_id=competency_id, value=2
    )
    score_record(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        competency_id=competency_id,
        value=3,
        supersedes_id=first.pk,
        correction_reason="Misread the rubric",
    )
    client = Client()
    client.force_login(scene.users["teacher"])
    criterion = scene.rubric.criteria.get(competency_id=competency_id)
    response = client.post(
        f"/evidence/{evidence.pk}/score/",
        {
            f"c{competency_id}-k{criterion.pk}": "4",
            f"c{competency_id}-supersedes": str(first.pk),
            f"c{competency_id}-reason": "Again",
        },
    )
    assert response.status_code == 200
    assert "has been corrected since this page was shown" in response.content.decode()
    assert Score.objects.filter(supersedes=first).count() == 1
