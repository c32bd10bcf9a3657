"""Evidence, revision, feedback and certified scoring: what is written, what is refused, what counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.evidence.conftest import PNG_BYTES, Scene, png
from waypoint.core.errors import Conflict, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.evidence.models import (
    AppendOnlyScoreError,
    Artifact,
    Evidence,
    EvidenceStatus,
    Feedback,
    Score,
    ScoreSource,
)
from waypoint.evidence.services import (
    EvidenceError,
    evidence_revise,
    evidence_submit,
    feedback_add,
)
from waypoint.frameworks.models import Competency, ProficiencyScale, VersionStatus
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.mastery.services import score_record


def submit(scene: Scene, **overrides: object) -> Evidence:
    fields: dict[str, object] = {
        "context": scene.context("student"),
        "student_id": scene.student.pk,
        "title": "My town hall talk",
        "body": "I argued for a crosswalk on Main Street.",
        "assessment_id": scene.assessment.pk,
    }
    fields.update(overrides)
    return evidence_submit(**fields)  # type: ignore[arg-type]


def test_student_submits_own_work_with_a_file(scene: Scene) -> None:
    evidence = submit(scene, files=[png()], links=["https://example.org/slides"])
    assert evidence.status == EvidenceStatus.AWAITING_SCORE
    assert evidence.district_id == scene.student.district_id
    assert set(evidence.competencies.values_list("id", flat=True)) == set(
        scene.assessment.competencies.values_list("id", flat=True)
    )
    artifact = Artifact.objects.get(evidence=evidence)
    assert artifact.content_type == "image/png"
    assert artifact.original_name == "work.png"
    # Stored under a random name with the detected type's extension, not the student's name.
    assert "work" not in artifact.file.name
    assert artifact.file.name.endswith(".png")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="evidence", student=scene.student
    ).exists()


def test_a_student_cannot_submit_for_another_student(scene: Scene) -> None:
    classmate = (
        scene.student.section_enrollments.first()
        .section.roster.exclude(  # type: ignore[union-attr]
            student=scene.student
        )
        .first()
    )
    assert classmate is not None
    with pytest.raises((NotVisible, NotPermitted)):
        submit(scene, student_id=classmate.student_id)
    assert Evidence.objects.count() == scene.counts["evidence"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("essay.pdf", b"MZ\x90\x00\x03" + bytes(200), "not accepted"),
        ("notes.txt", b"", "empty"),
        ("photo.png", b"\x00\x01\x02binary" * 10, "not accepted"),
    ],
)
def test_files_are_checked_by_content_and_nothing_is_written(
    scene: Scene, name: str, content: bytes, message: str
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(EvidenceError) as refused:
        submit(scene, files=[upload])
    assert message in str(refused.value)
    assert name in str(refused.value)
    assert Evidence.objects.count() == scene.counts["evidence"]
    assert Artifact.objects.count() == scene.counts["artifacts"]


@override_settings(WAYPOINT_EVIDENCE_MAX_BYTES=len(PNG_BYTES) - 1)
def test_a_file_over_the_size_limit_is_refused(scene: Scene) -> None:
    with pytest.raises(EvidenceError, match="over the limit"):
        submit(scene, files=[png()])
    assert Evidence.objects.count() == scene.counts["evidence"]


def test_plain_text_is_accepted_whatever_its_name(scene: Scene) -> None:
    upload = SimpleUploadedFile("reflection.exe", "My reflection, naïvely.\n".encode(), content_type="x/y")
    evidence = submit(scene, files=[upload])
    artifact = evidence.artifacts.get()
    assert artifact.content_type == "text/plain"
    assert artifact.file.name.endswith(".txt")


def test_evidence_on_a_competency_of_another_version_is_refused(scene: Scene) -> None:
    other = Competency.objects.exclude(version=scene.assessment.framework_version).filter(
        version__status=VersionStatus.PUBLISHED
    )[0]
    with pytest.raises(EvidenceError, match="the version the assessment uses"):
        submit(scene, competency_ids=[other.pk])
    draft = Competency.objects.filter(version__status=VersionStatus.DRAFT)[0]
    with pytest.raises(EvidenceError, match="not a draft"):
        submit(scene, assessment_id=None, competency_ids=[draft.pk])
    assert Evidence.objects.count() == scene.counts["evidence"]


def test_links_must_be_web_addresses(scene: Scene) -> None:
    with pytest.raises(EvidenceError, match="must start with https"):
        submit(scene, links=["javascript:alert(1)"])
    assert Evidence.objects.count() == scene.counts["evidence"]


def test_a_certified_score_sets_the_level_in_the_same_transaction(scene: Scene) -> None:
    evidence = submit(scene)
    score = score_record(
        context=scene.context("teacher"), evidence_id=evidence.pk, competency_id=scene.competency.pk, value=3
    )
    assert score.source == ScoreSource.CERTIFIED_TEACHER
    assert score.counts_toward_mastery
    assert score.certification is not None
    level = MasteryLevel.objects.get(student=scene.student, competency=scene.competency)
    assert level.level == 3
    assert level.meets_mastery
    assert level.score_ids == [score.pk]
    assert level.method == "decaying_average"
    assert level.framework_version_id == scene.competency.version_id
    assert MasteryLevelChange.objects.filter(student=scene.student, competency=scene.competency).count() == 1
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SCORED
    scale = ProficiencyScale.objects.get(pk=scene.competency.version.framework.scale_id)
    assert scale.in_use_since is not None


def test_an_uncertified_teachers_score_is_feedback_and_never_counts(scene: Scene) -> None:
    evidence = submit(scene)
    score = score_record(
        context=scene.context("teacher-uncertified"),
        evidence_id=evidence.pk,
        competency_id=scene.competency.pk,
        value=4,
    )
    assert score.source == ScoreSource.TEACHER
    assert not score.counts_toward_mastery
    assert not MasteryLevel.objects.filter(student=scene.student, competency=scene.competency).exists()
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.AWAITING_SCORE


def test_a_self_assessment_is_recorded_and_never_counts(scene: Scene) -> None:
    evidence = submit(scene)
    score = score_record(
        context=scene.context("student"), evidence_id=evidence.pk, competency_id=scene.competency.pk, value=4
    )
    assert score.source == ScoreSource.SELF
    assert not score.counts_toward_mastery
    assert not MasteryLevel.objects.filter(student=scene.student, competency=scene.competency).exists()


def test_a_score_outside_the_scale_is_refused_and_nothing_written(scene: Scene) -> None:
    evidence = submit(scene)
    for value in (7, 0, 2.5, -1):
        with pytest.raises(EvidenceError, match="is not a level of the scale"):
            score_record(
                context=scene.context("teacher"),
                evidence_id=evidence.pk,
                competency_id=scene.competency.pk,
                value=value,
            )
    assert Score.objects.count() == scene.counts["scores"]
    assert not MasteryLevel.objects.filter(student=scene.student, competency=scene.competency).exists()


def test_a_score_on_a_competency_the_evidence_is_not_about_is_refused(scene: Scene) -> None:
    evidence = submit(scene)
    stranger = Competency.objects.exclude(pk__in=evidence.competencies.values("id"))[0]
    with pytest.raises(EvidenceError, match="not about competency"):
        score_record(
            context=scene.context("teacher"), evidence_id=evidence.pk, competency_id=stranger.pk, value=3
        )
    assert Score.objects.count() == scene.counts["scores"]


def test_rubric_scoring_averages_the_criteria_of_the_competency(scene: Scene) -> None:
    evidence = submit(scene)
    criterion = scene.rubric.criteria.get(competency=scene.competency)
    score = score_record(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        competency_id=scene.competency.pk,
        criterion_levels={criterion.pk: 4},
    )
    assert score.value == 4
    assert score.rubric == scene.rubric
    assert score.criterion_levels == {str(criterion.pk): 4}
    other = scene.rubric.criteria.exclude(competency=scene.competency).first()
    assert other is not None
    with pytest.raises(EvidenceError, match="not about this competency"):
        score_record(
            context=scene.context("teacher"),
            evidence_id=evidence.pk,
            competency_id=scene.competency.pk,
            criterion_levels={other.pk: 3},
        )


def test_a_correction_supersedes_with_a_reason(scene: Scene) -> None:
    evidence = submit(scene)
    teacher = scene.context("teacher")
    first = score_record(context=teacher, evidence_id=evidence.pk, competency_id=scene.competency.pk, value=2)
    with pytest.raises(EvidenceError, match="Say why"):
        score_record(
            context=teacher,
            evidence_id=evidence.pk,
            competency_id=scene.competency.pk,
            value=3,
            supersedes_id=first.pk,
        )
    with pytest.raises(EvidenceError, match="Only a teacher with a current certification"):
        score_record(
            context=scene.context("teacher-uncertified"),
            evidence_id=evidence.pk,
            competency_id=scene.competency.pk,
            value=4,
            supersedes_id=first.pk,
            correction_reason="Misread the rubric",
        )
    corrected = score_record(
        context=teacher,
        evidence_id=evidence.pk,
        competency_id=scene.competency.pk,
        value=3,
        supersedes_id=first.pk,
        correction_reason="Misread the second criterion",
    )
    assert list(Score.objects.current().filter(evidence=evidence)) == [corrected]
    level = MasteryLevel.objects.get(student=scene.student, competency=scene.competency)
    assert (level.level, level.score_ids) == (3, [corrected.pk])
    # Correcting the superseded score again is a race lost to the correction before it (409), not bad input.
    with pytest.raises(Conflict, match=f"Score {first.pk} has been corrected since it was shown to you"):
        score_record(
            context=teacher,
            evidence_id=evidence.pk,
            competency_id=scene.competency.pk,
            value=4,
            supersedes_id=first.pk,
            correction_reason="Again",
        )


def test_scores_are_append_only(scene: Scene) -> None:
    evidence = submit(scene)
    score = score_record(
        context=scene.context("teacher"), evidence_id=evidence.pk, competency_id=scene.competency.pk, value=3
    )
    score.value = 4
    with pytest.raises(AppendOnlyScoreError):
        score.save()
    with pytest.raises(AppendOnlyScoreError):
        Score.objects.filter(pk=score.pk).update(value=4)
    with pytest.raises(AppendOnlyScoreError):
        Score.objects.filter(pk=score.pk).delete()


def test_teacher_out_of_district_cannot_score(scene: Scene) -> None:
    evidence = submit(scene)
    with pytest.raises(NotVisible):
        score_record(
            context=scene.context("other-teacher"),
            evidence_id=evidence.pk,
            competency_id=scene.competency.pk,
            value=3,
        )
    assert Score.objects.count() == scene.counts["scores"]
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, object_type="evidence").exists()


def test_revision_chain(scene: Scene) -> None:
    evidence = submit(scene)
    feedback_add(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        body="Add a source for the traffic numbers.",
        requests_revision=True,
    )
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.REVISION_REQUESTED
    revision = evidence_revise(
        context=scene.context("student"), evidence_id=evidence.pk, body="Now with the DOT traffic count."
    )
    evidence.refresh_from_db()
    assert (revision.version, revision.revision_of_id, revision.status) == (
        2,
        evidence.pk,
        EvidenceStatus.AWAITING_SCORE,
    )
    assert evidence.status == EvidenceStatus.REVISED
    assert set(revision.competencies.all()) == set(evidence.competencies.all())
    with pytest.raises(NotPermitted):
        evidence_revise(context=scene.context("student"), evidence_id=evidence.pk, body="Once more.")


def test_a_revision_of_someone_elses_evidence_is_refused(scene: Scene) -> None:
    evidence = submit(scene)
    for username in ("teacher", "guardian", "advisor"):
        with pytest.raises(NotPermitted):
            evidence_revise(context=scene.context(username), evidence_id=evidence.pk, body="Not mine.")
    with pytest.raises(NotVisible):
        evidence_revise(context=scene.context("other-teacher"), evidence_id=evidence.pk, body="Not mine.")
    assert Evidence.objects.count() == scene.counts["evidence"] + 1


def test_only_staff_request_revisions_and_feedback_needs_words(scene: Scene) -> None:
    evidence = submit(scene)
    with pytest.raises(NotPermitted):
        feedback_add(
            context=scene.context("student"), evidence_id=evidence.pk, body="Redo", requests_revision=True
        )
    with pytest.raises(EvidenceError, match="Write the feedback"):
        feedback_add(context=scene.context("teacher"), evidence_id=evidence.pk, body="  ")
    assert Feedback.objects.count() == scene.counts["feedback"]


def test_a_teacher_records_an_observation(scene: Scene) -> None:
    observation = evidence_submit(
        context=scene.context("teacher"),
        student_id=scene.student.pk,
        title="Led the lab clean-up",
        body="Organised the team without prompting.",
        competency_ids=[scene.competency.pk],
        observation=True,
    )
    assert observation.kind == "observation"
    assert observation.recorded_by == scene.users["teacher"]
    with pytest.raises(NotPermitted):
        evidence_submit(
            context=scene.context("guardian"),
            student_id=scene.student.pk,
            title="x",
            body="y",
            competency_ids=[scene.competency.pk],
            observation=True,
        )
