"""An external mentor reads and judges the evidence of a path they mentor, only while it is active, and
their judgement is feedback, never a mastery level."""

from __future__ import annotations

import pytest

from tests.evidence.conftest import Scene
from waypoint import policy
from waypoint.core.errors import NotVisible
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.evidence.models import Evidence, EvidenceKind, ScoreSource
from waypoint.evidence.selectors import evidence_get
from waypoint.evidence.services import EvidenceError, evidence_submit
from waypoint.mastery.services import score_record
from waypoint.pathways.models import PathProposal, PathStatus


@pytest.fixture
def internship(scene: Scene) -> PathProposal:
    path = PathProposal.objects.get(student=scene.student, status=PathStatus.ACTIVE)
    assert path.mentor == scene.users["mentor"]
    return path


def on_path(scene: Scene, path: PathProposal) -> Evidence:
    return evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title="Week 3: first CNC part",
        body="Measured tolerances on the bracket I machined.",
        competency_ids=[scene.competency.pk],
        path_id=path.pk,
    )


def test_the_mentor_reads_and_judges_only_the_paths_evidence(scene: Scene, internship: PathProposal) -> None:
    work = on_path(scene, internship)
    elsewhere = evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title="Essay for English",
        body="Not part of the internship.",
        competency_ids=[scene.competency.pk],
    )
    mentor = scene.users["mentor"]
    seen = policy.visible_evidence(mentor)
    assert work in seen
    assert elsewhere not in seen
    # Only the evidence of paths they mentor while active (the demo gives the mentor several such paths).
    assert set(seen.values_list("path_id", flat=True)) <= set(
        policy.mentor_active_paths(mentor).values_list("pk", flat=True)
    )
    assert not policy.visible_students(mentor).exists()
    assert evidence_get(context=scene.context("mentor"), evidence_id=work.pk) == work
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="evidence",
        actor=mentor,
        reason="External mentor of an active path",
    ).exists()
    with pytest.raises(NotVisible):
        evidence_get(context=scene.context("mentor"), evidence_id=elsewhere.pk)
    judgement = score_record(
        context=scene.context("mentor"), evidence_id=work.pk, competency_id=scene.competency.pk, value=4
    )
    assert judgement.source == ScoreSource.MENTOR
    assert not judgement.counts_toward_mastery


def test_the_mentor_records_observations_on_the_path_only(scene: Scene, internship: PathProposal) -> None:
    observation = evidence_submit(
        context=scene.context("mentor"),
        student_id=scene.student.pk,
        title="Set up the lathe safely",
        body="Followed the checklist without prompting.",
        competency_ids=[scene.competency.pk],
        path_id=internship.pk,
    )
    assert observation.kind == EvidenceKind.OBSERVATION
    assert observation.path == internship
    with pytest.raises(NotVisible):
        evidence_submit(
            context=scene.context("mentor"),
            student_id=scene.student.pk,
            title="Without the path",
            body="Refused.",
            competency_ids=[scene.competency.pk],
            observation=True,
        )


def test_access_ends_with_the_path(scene: Scene, internship: PathProposal) -> None:
    work = on_path(scene, internship)
    PathProposal.objects.filter(pk=internship.pk).update(status=PathStatus.COMPLETED)
    with pytest.raises(NotVisible):
        evidence_get(context=scene.context("mentor"), evidence_id=work.pk)
    assert not policy.visible_evidence(scene.users["mentor"]).filter(path=internship).exists()
    # The student keeps their work, and adds no new evidence to a completed path.
    assert evidence_get(context=scene.context("student"), evidence_id=work.pk) == work
    with pytest.raises(EvidenceError, match="approved or active path"):
        on_path(scene, internship)


def test_evidence_cannot_go_on_another_students_path(scene: Scene) -> None:
    foreign = PathProposal.objects.exclude(student=scene.student).filter(district=scene.district).first()
    assert foreign is not None
    with pytest.raises((NotVisible, EvidenceError)):
        evidence_submit(
            context=scene.context("student"),
            student_id=scene.student.pk,
            title="Not my path",
            body="Refused.",
            competency_ids=[scene.competency.pk],
            path_id=foreign.pk,
        )
