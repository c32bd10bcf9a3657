"""Out-of-school learning in the browser: the student adds work from their active path's page, its mentor
records observations there (feedback, never a level), a certified teacher scores path evidence like any
other, and a mentor of another path sees nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import Demo
from waypoint.core.models import User
from waypoint.evidence.forms import competency_groups
from waypoint.evidence.models import Artifact, Evidence, EvidenceKind, Score
from waypoint.mastery.models import MasteryLevel
from waypoint.mastery.services import score_record
from waypoint.pathways.models import PathProposal, PathStatus

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def internship(demo: Demo) -> PathProposal:
    path = PathProposal.objects.get(student=demo.student, status=PathStatus.ACTIVE)
    assert path.mentor == demo.users["mentor"]
    assert path.competencies.exists()
    return path


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def payload(path: PathProposal, **extra: Any) -> dict[str, Any]:
    competency = path.competencies.order_by("path").first()
    assert competency is not None
    return {
        "work-title": "Week 3: first CNC part",
        "work-body": "Measured the tolerances of the bracket I machined.",
        "work-competencies": [competency.pk],
        **extra,
    }


def test_the_student_adds_work_from_the_path_page(demo: Demo, internship: PathProposal) -> None:
    student = client_for(demo.users["student"])
    page = student.get(reverse("path-detail", args=[internship.pk])).content.decode()
    assert reverse("path-evidence-new", args=[internship.pk]) in page
    assert 'name="work-attachments"' in page
    response = student.post(
        reverse("path-evidence-new", args=[internship.pk]),
        payload(internship, **{"work-attachments": SimpleUploadedFile("part.png", PNG_BYTES, "image/png")}),
    )
    assert response.status_code == 302
    work = Evidence.objects.get(path=internship, title="Week 3: first CNC part")
    assert work.kind == EvidenceKind.SUBMISSION
    assert work.recorded_by == demo.users["student"]
    assert work.artifacts.count() == 1
    assert (
        "Week 3: first CNC part" in student.get(reverse("path-detail", args=[internship.pk])).content.decode()
    )


def test_a_bad_upload_is_refused_and_nothing_is_written(demo: Demo, internship: PathProposal) -> None:
    before = (Evidence.objects.count(), Artifact.objects.count())
    response = client_for(demo.users["student"]).post(
        reverse("path-evidence-new", args=[internship.pk]),
        payload(
            internship, **{"work-attachments": SimpleUploadedFile("notes.pdf", EXE_BYTES, "application/pdf")}
        ),
    )
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert (Evidence.objects.count(), Artifact.objects.count()) == before


def test_the_mentors_observation_is_feedback_and_moves_no_level(demo: Demo, internship: PathProposal) -> None:
    levels = list(MasteryLevel.objects.filter(student=demo.student).values_list("competency_id", "level"))
    scores = Score.objects.count()
    mentor = client_for(demo.users["mentor"])
    page = mentor.get(reverse("path-detail", args=[internship.pk])).content.decode()
    assert "Record an observation" in page
    response = mentor.post(
        reverse("path-evidence-new", args=[internship.pk]),
        payload(internship, **{"work-title": "Set up the lathe safely"}),
    )
    assert response.status_code == 302
    observation = Evidence.objects.get(path=internship, title="Set up the lathe safely")
    assert observation.kind == EvidenceKind.OBSERVATION
    assert observation.recorded_by == demo.users["mentor"]
    # The mentor's own judgement of it is kept as feedback only.
    judgement = score_record(
        context=_context(demo.users["mentor"]),
        evidence_id=observation.pk,
        competency_id=observation.competencies.get().pk,
        value=4,
    )
    assert not judgement.counts_toward_mastery
    assert Score.objects.count() == scores + 1
    assert (
        list(MasteryLevel.objects.filter(student=demo.student).values_list("competency_id", "level"))
        == levels
    )


def test_a_certified_teacher_scores_path_evidence_and_the_level_moves(
    demo: Demo, internship: PathProposal
) -> None:
    client_for(demo.users["student"]).post(
        reverse("path-evidence-new", args=[internship.pk]), payload(internship)
    )
    work = Evidence.objects.get(path=internship, title="Week 3: first CNC part")
    competency = work.competencies.get()
    teacher = client_for(demo.users["teacher"])
    inbox = teacher.get(reverse("evidence-inbox"), {"subject": competency.version.framework.subjects[0]})
    assert inbox.status_code == 200
    judgement = score_record(
        context=_context(demo.users["teacher"]), evidence_id=work.pk, competency_id=competency.pk, value=3
    )
    assert judgement.counts_toward_mastery
    level = MasteryLevel.objects.get(student=demo.student, competency=competency)
    assert level.level is not None


def test_a_mentor_of_another_path_gets_404_and_others_may_not_add(
    demo: Demo, internship: PathProposal
) -> None:
    other_path = (
        PathProposal.objects.exclude(pk=internship.pk)
        .exclude(mentor=demo.users["mentor"])
        .filter(status=PathStatus.ACTIVE)
        .first()
    )
    assert other_path is not None
    before = Evidence.objects.count()
    mentor = client_for(demo.users["mentor"])
    assert (
        mentor.post(reverse("path-evidence-new", args=[other_path.pk]), payload(other_path)).status_code
        == 404
    )
    assert mentor.get(reverse("path-detail", args=[other_path.pk])).status_code == 404
    # A teacher reads the path but records observations from the student's evidence page, not here.
    teacher = client_for(demo.users["teacher"])
    assert (
        teacher.post(reverse("path-evidence-new", args=[internship.pk]), payload(internship)).status_code
        == 403
    )
    assert Evidence.objects.count() == before


def test_the_evidence_form_offers_the_students_paths(demo: Demo, internship: PathProposal) -> None:
    student = client_for(demo.users["student"])
    page = student.get(reverse("evidence-new"), {"path": internship.pk}).content.decode()
    assert 'name="path"' in page
    assert f'value="{internship.pk}" selected' in page
    # Any competency the picker offers (the form offers the leaves of the district's frameworks).
    competency = competency_groups(demo.riverside)[0].competencies[0]
    response = student.post(
        reverse("evidence-new"),
        {"title": "Shop log", "body": "Week 4.", "competencies": [competency.pk], "path": internship.pk},
    )
    assert response.status_code == 302
    assert Evidence.objects.get(title="Shop log").path == internship


def _context(user: User) -> Any:
    from waypoint.core.audit import RequestContext

    return RequestContext(user=user)
