"""The evidence pages: submitting work with files, the inbox, the scoring page (certified or feedback only,
corrections), feedback and revisions, file downloads, observations and assessments, for the right and the
wrong users."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from tests.evidence.conftest import PNG_BYTES, Scene, png
from waypoint.core.models import Student
from waypoint.evidence.models import (
    Artifact,
    Assessment,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Feedback,
    Score,
)
from waypoint.evidence.services import evidence_submit
from waypoint.frameworks.models import Competency
from waypoint.mastery.models import MasteryLevel
from waypoint.mastery.services import score_record

# The start of a Windows executable: a type no evidence may have, whatever its name says.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(scene: Scene, username: str) -> Client:
    client = Client()
    client.force_login(scene.users[username])
    return client


def submit(scene: Scene, title: str = "My town hall talk", **overrides: Any) -> Evidence:
    fields: dict[str, Any] = {
        "context": scene.context("student"),
        "student_id": scene.student.pk,
        "title": title,
        "body": "I argued for a crosswalk on Main Street.",
        "assessment_id": scene.assessment.pk,
    }
    fields.update(overrides)
    return evidence_submit(**fields)


def rubric_choices(evidence: Evidence, level: str = "3") -> dict[str, str]:
    """A level for each rubric criterion of each competency of the evidence, as the scoring form names it."""
    return {
        f"c{criterion.competency_id}-k{criterion.pk}": level
        for criterion in evidence.assessment.rubric.criteria.all()  # type: ignore[union-attr]
    }


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_student_submits_work_with_a_file_and_downloads_it(scene: Scene) -> None:
    student = client_for(scene, "student")
    form = student.get(f"/evidence/new/?assessment={scene.assessment.pk}")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    assert f'<option value="{scene.assessment.pk}" selected>' in form.content.decode()

    response = student.post(
        "/evidence/new/",
        {
            "title": "Slides for the town hall",
            "assessment": scene.assessment.pk,
            "body": "My talk, and the slides.",
            "links": "https://example.org/slides\n\nhttps://example.org/video",
            "attachments": [png("slides.png")],
        },
    )
    evidence = Evidence.objects.get(title="Slides for the town hall")
    assert response.status_code == 302
    assert response["Location"] == f"/evidence/{evidence.pk}/"
    assert evidence.student == scene.student
    assert evidence.links == ["https://example.org/slides", "https://example.org/video"]
    artifact = Artifact.objects.get(evidence=evidence)

    detail = student.get(f"/evidence/{evidence.pk}/")
    assert f'href="/evidence/artifacts/{artifact.pk}/"' in detail.content.decode()
    assert "slides.png" in detail.content.decode()

    download = student.get(f"/evidence/artifacts/{artifact.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="slides.png"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "private" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PNG_BYTES  # type: ignore[attr-defined]


def test_a_wrong_type_of_file_shows_every_problem_and_writes_nothing(scene: Scene, settings: Any) -> None:
    student = client_for(scene, "student")
    before = (Evidence.objects.count(), Artifact.objects.count())
    response = student.post(
        "/evidence/new/",
        {
            "title": "",
            "assessment": scene.assessment.pk,
            "links": "ftp://example.org/file",
            "attachments": [
                SimpleUploadedFile("report.pdf", EXE_BYTES, content_type="application/pdf"),
                png("fine.png"),
            ],
        },
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "The evidence was not saved" in text
    assert "report.pdf: the content is" in text
    assert "which is not accepted" in text
    assert "a link must start with https:// or http://" in text
    assert "This field is required" in text  # the title
    assert (Evidence.objects.count(), Artifact.objects.count()) == before
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_the_service_problems_are_all_shown(scene: Scene) -> None:
    """Competencies of two frameworks and no work at all: the service refuses, naming each problem."""
    student = client_for(scene, "student")
    form = student.get("/evidence/new/").content.decode()
    boxes = re.findall(r'name="competencies" value="(\d+)"', form)
    assert len(boxes) > 20
    first, last = Competency.objects.get(pk=boxes[0]), Competency.objects.get(pk=boxes[-1])
    assert first.version.framework_id != last.version.framework_id
    response = student.post(
        "/evidence/new/", {"title": "Two frameworks", "competencies": [first.pk, last.pk]}
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "different framework versions" in text
    assert not Evidence.objects.filter(title="Two frameworks").exists()


def test_only_a_student_submits_their_own_work(scene: Scene) -> None:
    for username in ("teacher", "guardian", "district-admin"):
        assert client_for(scene, username).get("/evidence/new/").status_code == 403
    assert Client().get("/evidence/new/").status_code == 302


def test_the_inbox_lists_waiting_work_oldest_first_for_staff(scene: Scene) -> None:
    older = submit(scene, title="Older work")
    newer = submit(scene, title="Newer work")
    # Older than anything else waiting, so both are on the first page.
    long_ago = timezone.now() - datetime.timedelta(days=3650)
    Evidence.objects.filter(pk=older.pk).update(submitted_at=long_ago)
    Evidence.objects.filter(pk=newer.pk).update(submitted_at=long_ago + datetime.timedelta(days=1))
    teacher = client_for(scene, "teacher")
    response = teacher.get("/evidence/inbox/")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Older work") < text.index("Newer work")
    assert f'href="/evidence/{older.pk}/score/"' in text
    assert f'href="/evidence/{newer.pk}/score/"' in text
    for username in ("student", "guardian", "advisor", "mentor"):
        assert client_for(scene, username).get("/evidence/inbox/").status_code == 403


def test_an_uncertified_teachers_score_is_feedback_and_a_certified_one_sets_the_level(scene: Scene) -> None:
    evidence = submit(scene)
    levels = MasteryLevel.objects.filter(student=scene.student, competency=scene.competency)
    before = list(levels.values_list("level", "score_ids"))
    uncertified = client_for(scene, "teacher-uncertified")
    page = page_text(uncertified.get(f"/evidence/{evidence.pk}/score/"))
    assert "Recorded as feedback; it will not change the mastery level." in page
    assert "You hold a current certification" not in page
    # The rubric's cells, in teacher and student language, label the radio buttons.
    cell = scene.rubric.criteria.first().cells.first()  # type: ignore[union-attr]
    assert escape(cell.description) in page

    response = uncertified.post(f"/evidence/{evidence.pk}/score/", rubric_choices(evidence, "4"))
    assert response.status_code == 302
    criteria = scene.rubric.criteria.count()
    assert Score.objects.filter(evidence=evidence, counts_toward_mastery=False).count() == criteria
    assert list(levels.values_list("level", "score_ids")) == before
    detail = page_text(client_for(scene, "student").get(f"/evidence/{evidence.pk}/"))
    assert detail.count("Feedback only") >= criteria
    assert "Counts</span>" not in detail

    certified = client_for(scene, "teacher")
    page = page_text(certified.get(f"/evidence/{evidence.pk}/score/"))
    assert "You hold a current certification: this score sets the mastery level" in page
    response = certified.post(f"/evidence/{evidence.pk}/score/", rubric_choices(evidence, "3"))
    assert response.status_code == 302
    counted = Score.objects.get(evidence=evidence, competency=scene.competency, counts_toward_mastery=True)
    assert counted.pk in levels.get().score_ids
    detail = page_text(client_for(scene, "student").get(f"/evidence/{evidence.pk}/"))
    assert "Counts</span>" in detail


def test_a_students_self_assessment_is_kept_as_feedback(scene: Scene) -> None:
    evidence = submit(scene)
    student = client_for(scene, "student")
    page = page_text(student.get(f"/evidence/{evidence.pk}/score/"))
    assert "Assess your own work" in page
    assert "Recorded as feedback; it will not change the mastery level." in page
    assert "Self-assessment" in page
    # The student reads the rubric in student language first.
    cell = scene.rubric.criteria.first().cells.exclude(student_description="").first()  # type: ignore[union-attr]
    assert cell is not None
    assert page.index(escape(cell.student_description)) < page.index(escape(cell.description))
    response = student.post(f"/evidence/{evidence.pk}/score/", rubric_choices(evidence, "4"))
    assert response.status_code == 302
    assert set(Score.objects.filter(evidence=evidence).values_list("source", "counts_toward_mastery")) == {
        ("self", False)
    }


def test_a_submission_with_a_problem_records_no_score_at_all(scene: Scene) -> None:
    evidence = submit(scene)
    criteria = list(scene.rubric.criteria.order_by("position"))
    choices = {f"c{criteria[0].competency_id}-k{criteria[0].pk}": "3"}
    # A comment without a level on a second competency.
    choices[f"c{criteria[1].competency_id}-comment"] = "Good eye contact."
    teacher = client_for(scene, "teacher")
    response = teacher.post(f"/evidence/{evidence.pk}/score/", choices)
    text = page_text(response)
    assert response.status_code == 200
    assert "Nothing was scored" in text
    assert "Choose a level." in text
    assert not Score.objects.filter(evidence=evidence).exists()

    empty = teacher.post(f"/evidence/{evidence.pk}/score/", {})
    assert "Choose a level for at least one competency." in page_text(empty)


def test_a_correction_needs_a_reason_and_strikes_the_old_score_through(scene: Scene) -> None:
    evidence = submit(scene)
    first = score_record(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        competency_id=scene.competency.pk,
        criterion_levels={scene.rubric.criteria.get(competency=scene.competency).pk: 2.0},
    )
    criterion = scene.rubric.criteria.get(competency=scene.competency)
    teacher = client_for(scene, "teacher")
    prefix = f"c{scene.competency.pk}"
    page = page_text(teacher.get(f"/evidence/{evidence.pk}/score/"))
    assert "Correct a current score" in page

    refused = teacher.post(
        f"/evidence/{evidence.pk}/score/",
        {f"{prefix}-k{criterion.pk}": "3", f"{prefix}-supersedes": first.pk},
    )
    assert "Say why the score is corrected." in page_text(refused)
    assert Score.objects.filter(evidence=evidence).count() == 1

    corrected = teacher.post(
        f"/evidence/{evidence.pk}/score/",
        {
            f"{prefix}-k{criterion.pk}": "3",
            f"{prefix}-supersedes": first.pk,
            f"{prefix}-reason": "Misread the rubric row.",
        },
    )
    assert corrected.status_code == 302
    correction = Score.objects.get(supersedes=first)
    assert correction.value == 3
    detail = page_text(teacher.get(f"/evidence/{evidence.pk}/"))
    assert "<s>" in detail
    assert "Replaced by a correction" in detail
    assert "Misread the rubric row." in detail
    level = MasteryLevel.objects.get(student=scene.student, competency=scene.competency)
    assert correction.pk in level.score_ids
    assert first.pk not in level.score_ids


def test_a_teacher_asks_for_a_revision_and_both_see_the_chain(scene: Scene) -> None:
    evidence = submit(scene)
    teacher = client_for(scene, "teacher")
    response = teacher.post(
        f"/evidence/{evidence.pk}/feedback/",
        {"feedback-body": "Add a source for the traffic numbers.", "feedback-requests_revision": "on"},
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.REVISION_REQUESTED

    student = client_for(scene, "student")
    page = page_text(student.get(f"/evidence/{evidence.pk}/"))
    assert "Your teacher asked for a revision" in page
    assert "Submit version 2" in page
    assert "Ask for a revision" not in page  # a student cannot ask for revisions

    empty = student.post(f"/evidence/{evidence.pk}/revise/", {"revise-body": ""})
    assert empty.status_code == 200
    assert "Add some work to the revision" in page_text(empty)

    revised = student.post(
        f"/evidence/{evidence.pk}/revise/",
        {"revise-body": "Now with the city's traffic count.", "revise-attachments": [png("count.png")]},
    )
    revision = Evidence.objects.get(revision_of=evidence)
    assert revised.status_code == 302
    assert revised["Location"] == f"/evidence/{revision.pk}/"
    for client in (student, teacher):
        chain = page_text(client.get(f"/evidence/{revision.pk}/"))
        assert "Version 1" in chain
        assert "Version 2" in chain
        assert "Add a source for the traffic numbers." in chain
        assert "Now with the city&#x27;s traffic count." in chain
    # Only the latest version is revised, and only by its student.
    assert student.post(f"/evidence/{evidence.pk}/revise/", {"revise-body": "Again"}).status_code == 403
    assert teacher.post(f"/evidence/{revision.pk}/revise/", {"revise-body": "Mine"}).status_code == 403
    assert Feedback.objects.filter(evidence=evidence, requests_revision=True).count() == 1


def test_evidence_out_of_scope_is_not_found_and_read_only_roles_cannot_score(scene: Scene) -> None:
    evidence = submit(scene, files=[png()])
    artifact = Artifact.objects.get(evidence=evidence)
    for username in ("other-teacher", "mentor", "state-analyst"):
        client = client_for(scene, username)
        assert client.get(f"/evidence/{evidence.pk}/").status_code == 404
        assert client.get(f"/evidence/{evidence.pk}/score/").status_code == 404
        assert client.get(f"/evidence/artifacts/{artifact.pk}/").status_code == 404
        assert client.post(f"/evidence/{evidence.pk}/feedback/", {"feedback-body": "x"}).status_code == 404
    for username in ("guardian", "advisor"):
        client = client_for(scene, username)
        assert client.get(f"/evidence/{evidence.pk}/").status_code == 200
        assert client.get(f"/evidence/artifacts/{artifact.pk}/").status_code == 200
        assert client.get(f"/evidence/{evidence.pk}/score/").status_code == 403
        assert client.post(f"/evidence/{evidence.pk}/feedback/", {"feedback-body": "x"}).status_code == 403
    assert client_for(scene, "teacher").get("/evidence/999999/").status_code == 404


def test_staff_record_observations_from_the_students_evidence_page(scene: Scene) -> None:
    teacher = client_for(scene, "teacher")
    listing = teacher.get(f"/students/{scene.student.pk}/evidence/")
    assert listing.status_code == 200
    assert f'href="/students/{scene.student.pk}/observations/new/"' in listing.content.decode()
    assert teacher.get(f"/students/{scene.student.pk}/observations/new/").status_code == 200
    response = teacher.post(
        f"/students/{scene.student.pk}/observations/new/",
        {
            "title": "Chaired the class debate",
            "body": "Kept time and gave every side the floor.",
            "competencies": [scene.competency.pk],
        },
    )
    observation = Evidence.objects.get(title="Chaired the class debate")
    assert response.status_code == 302
    assert observation.kind == EvidenceKind.OBSERVATION
    assert observation.recorded_by == scene.users["teacher"]
    assert (
        "Chaired the class debate"
        in client_for(scene, "student").get(f"/students/{scene.student.pk}/evidence/").content.decode()
    )

    student = client_for(scene, "student")
    assert student.get(f"/students/{scene.student.pk}/observations/new/").status_code == 403
    assert (
        client_for(scene, "guardian").get(f"/students/{scene.student.pk}/observations/new/").status_code
        == 403
    )
    other = Student.objects.exclude(district=scene.district).first()
    assert other is not None
    assert teacher.get(f"/students/{other.pk}/observations/new/").status_code == 404
    assert teacher.get(f"/students/{other.pk}/evidence/").status_code == 404


def test_a_teacher_creates_an_assessment_and_a_student_submits_for_it(scene: Scene) -> None:
    teacher = client_for(scene, "teacher")
    form = teacher.get("/assessments/new/")
    assert form.status_code == 200
    response = teacher.post(
        "/assessments/new/",
        {
            "title": "Persuasive speech",
            "kind": "performance_task",
            "instructions": "Speak for three minutes.",
            "rubric": scene.rubric.pk,
            "due_on": "2030-05-01",
        },
    )
    assessment = Assessment.objects.get(title="Persuasive speech")
    assert response.status_code == 302
    # No competency ticked: the rubric's competencies are used.
    assert set(assessment.competencies.values_list("id", flat=True)) == set(
        scene.rubric.criteria.values_list("competency_id", flat=True)
    )
    refused = teacher.post("/assessments/new/", {"title": "No competencies", "kind": "project"})
    assert "Name at least one competency" in page_text(refused)

    student = client_for(scene, "student")
    assert "Persuasive speech" in student.get("/assessments/").content.decode()
    detail = student.get(f"/assessments/{assessment.pk}/").content.decode()
    assert f'href="/evidence/new/?assessment={assessment.pk}"' in detail
    assert "Submit evidence for this" not in teacher.get(f"/assessments/{assessment.pk}/").content.decode()
    assert student.get("/assessments/new/").status_code == 403
    assert client_for(scene, "other-teacher").get(f"/assessments/{assessment.pk}/").status_code == 404
