"""No dead end on the scoring page: evidence that names no competency is offered its assessment's aligned
competencies, a teacher names them (audited, policy-checked), and then scores it; the work sits beside the
rubric, never collapsed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.evidence.conftest import Scene
from waypoint import policy
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.evidence.models import Evidence, EvidenceStatus
from waypoint.evidence.services import EvidenceError, evidence_competencies_add
from waypoint.mastery.forms import level_key
from waypoint.mastery.models import MasteryLevel
from waypoint.policy import Action


@pytest.fixture
def unnamed(scene: Scene) -> Evidence:
    """Like the demo's goal reflections: work answering an assessment, naming no competency."""
    return Evidence.objects.create(
        district=scene.district,
        student=scene.student,
        assessment=scene.assessment,
        framework_version=scene.assessment.framework_version,
        title="Goal reflection",
        body="My reflection on this quarter's goal.",
        recorded_by=scene.users["student"],
    )


def client_for(scene: Scene, username: str) -> Client:
    client = Client()
    client.force_login(scene.users[username])
    return client


def test_the_page_offers_the_aligned_competencies_then_the_work_is_scored(
    scene: Scene, unnamed: Evidence
) -> None:
    teacher = client_for(scene, "teacher")
    page = teacher.get(reverse("evidence-score", args=[unnamed.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "My reflection on this quarter" in html
    assert '<details class="panel work-summary">' not in html
    assert reverse("evidence-competencies", args=[unnamed.pk]) in html
    assert f'value="{scene.competency.pk}"' in html
    named = teacher.post(
        reverse("evidence-competencies", args=[unnamed.pk]), {"name-competencies": [scene.competency.pk]}
    )
    assert named.status_code == 302
    assert list(unnamed.competencies.all()) == [scene.competency]
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="evidence-competencies", object_id=str(unnamed.pk)
    ).exists()
    scoring = teacher.get(reverse("evidence-score", args=[unnamed.pk])).content.decode()
    criteria = list(scene.rubric.criteria.filter(competency=scene.competency).values_list("pk", flat=True))
    prefix = f"c{scene.competency.pk}"
    payload = {f"{prefix}-k{pk}": level_key(3) for pk in criteria} or {f"{prefix}-level": level_key(3)}
    assert prefix in scoring
    scored = teacher.post(reverse("evidence-score", args=[unnamed.pk]), payload)
    assert scored.status_code == 302
    unnamed.refresh_from_db()
    assert unnamed.status == EvidenceStatus.SCORED
    assert MasteryLevel.objects.filter(student=scene.student, competency=scene.competency).exists()


def test_only_the_students_staff_name_competencies_and_only_once(scene: Scene, unnamed: Evidence) -> None:
    assert not policy.can(scene.users["student"], Action.ADD_EVIDENCE_COMPETENCIES, unnamed)
    assert not policy.can(scene.users["mentor"], Action.ADD_EVIDENCE_COMPETENCIES, unnamed)
    assert policy.can(scene.users["teacher"], Action.ADD_EVIDENCE_COMPETENCIES, unnamed)
    refused = client_for(scene, "student").post(
        reverse("evidence-competencies", args=[unnamed.pk]), {"name-competencies": [scene.competency.pk]}
    )
    assert refused.status_code == 403
    assert not unnamed.competencies.exists()
    with pytest.raises(NotPermitted):
        evidence_competencies_add(
            context=scene.context("student"), evidence_id=unnamed.pk, competency_ids=[scene.competency.pk]
        )
    evidence_competencies_add(
        context=scene.context("teacher"), evidence_id=unnamed.pk, competency_ids=[scene.competency.pk]
    )
    with pytest.raises(Conflict):
        evidence_competencies_add(
            context=scene.context("teacher"), evidence_id=unnamed.pk, competency_ids=[scene.competency.pk]
        )


def test_a_competency_the_assessment_is_not_aligned_to_is_refused(scene: Scene, unnamed: Evidence) -> None:
    stray = (
        scene.assessment.framework_version.competencies.exclude(
            pk__in=scene.assessment.competencies.values("pk")
        )
        .order_by("path")
        .first()
    )
    assert stray is not None
    with pytest.raises(EvidenceError, match="not aligned"):
        evidence_competencies_add(
            context=scene.context("teacher"), evidence_id=unnamed.pk, competency_ids=[stray.pk]
        )
    assert not unnamed.competencies.exists()
