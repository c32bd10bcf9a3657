"""Assessments, the evidence students submit or staff observe, its files, judgements and feedback.

Scores are append-only (DESIGN.md invariant 3): a correction is a new score that supersedes the old one with a
reason. Only a score by a teacher holding a current certification counts toward a mastery level (invariant 4);
every other judgement is kept and shown as feedback. Every row about a student carries the student's district.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.core.models import Organization, Section, Student, TeacherCertification
from waypoint.frameworks.models import Competency, FrameworkVersion, Rubric


class AssessmentKind(models.TextChoices):
    FORMATIVE = "formative", _("Formative check")
    SUMMATIVE = "summative", _("Summative assessment")
    PERFORMANCE_TASK = "performance_task", _("Performance task")
    PROJECT = "project", _("Project")
    PORTFOLIO_REVIEW = "portfolio_review", _("Portfolio review")
    EXHIBITION = "exhibition", _("Exhibition")
    LARGE_SCALE_TEST = "large_scale_test", _("Large-scale test")
    SENIOR_DEMONSTRATION = "senior_demonstration", _("Senior Demonstration Project")


class Assessment(models.Model):
    """A task students answer with evidence, aligned to competencies of one framework version."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=AssessmentKind.choices, default=AssessmentKind.FORMATIVE)
    instructions = models.TextField(blank=True, help_text="What the student does, in words they understand.")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    competencies = models.ManyToManyField(Competency, related_name="assessments")
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_created"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    SUBMISSION = "submission", _("Student work")
    OBSERVATION = "observation", _("Observation")


class EvidenceStatus(models.TextChoices):
    AWAITING_SCORE = "awaiting_score", _("Waiting to be scored")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    SCORED = "scored", _("Scored")
    REVISED = "revised", _("Replaced by a revision")


class Evidence(models.Model):
    """One version of a piece of student work, or a staff or mentor observation, about named competencies.

    A revision is a new row pointing at the version it revises (`revision_of`); the chain keeps every version
    and its feedback."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="evidence")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    competencies = models.ManyToManyField(Competency, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices, default=EvidenceKind.SUBMISSION)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=24, choices=EvidenceStatus.choices, default=EvidenceStatus.AWAITING_SCORE, db_index=True
    )
    revision_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revised_by"
    )
    path = models.ForeignKey(
        "pathways.PathProposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="The approved path (internship, course, independent study…) the work was done on.",
    )
    version = models.PositiveSmallIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["district", "status", "submitted_at"], name="evidence_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


def artifact_upload_to(instance: Artifact, filename: str) -> str:
    """A random stored name under the district's folder: the student's file name never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.district_id}/{uuid.uuid4().hex}{suffix}"


class Artifact(models.Model):
    """A file attached to evidence, served only through an access-checked view."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="artifacts")
    file = models.FileField(upload_to=artifact_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ScoreSource(models.TextChoices):
    """Who judged: only a certified teacher's score counts toward mastery."""

    CERTIFIED_TEACHER = "certified_teacher", _("Certified teacher")
    TEACHER = "teacher", _("Teacher without a current certification")
    MENTOR = "mentor", _("External mentor")
    PEER = "peer", _("Peer")
    SELF = "self", _("Self-assessment")


class AppendOnlyScoreError(Exception):
    """Raised on any attempt to change or remove a score."""


class ScoreQuerySet(models.QuerySet["Score"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyScoreError("Scores are append-only: record a correction instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyScoreError("Scores are append-only: record a correction instead.")

    def current(self) -> ScoreQuerySet:
        """Scores no correction has superseded."""
        return self.filter(superseded=False)

    def counted(self) -> ScoreQuerySet:
        """The current scores that count toward mastery."""
        return self.current().filter(counts_toward_mastery=True)


class Score(models.Model):
    """A judgement of one piece of evidence on one competency of the version it was scored against."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="scores")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="scores")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="scores")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField()
    rubric = models.ForeignKey(Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="scores")
    criterion_levels = models.JSONField(
        default=dict, blank=True, help_text="Rubric criterion id → the level value chosen for it."
    )
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=24, choices=ScoreSource.choices)
    counts_toward_mastery = models.BooleanField()
    certification = models.ForeignKey(
        TeacherCertification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.CharField(max_length=300, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(default=timezone.now)
    # Whether a correction supersedes this score: the one change a score ever sees, made by `save` in the
    # transaction that writes the correction. It mirrors `superseded_by`, so reading the counted scores needs
    # no self-join, whose sort spilled to disk when a recompute read a district's million scores.
    superseded = models.BooleanField(default=False, db_default=False, editable=False)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["scored_at", "id"]
        indexes = [
            models.Index(fields=["student", "competency", "scored_at"], name="score_stream_idx"),
            # The counted scores of a district, for the bulk recompute.
            models.Index(
                fields=["district", "student", "competency", "scored_at"],
                condition=models.Q(counts_toward_mastery=True, superseded=False),
                name="score_counted_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(counts_toward_mastery=False) | models.Q(source="certified_teacher"),
                name="score_only_certified_counts",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="score_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} on {self.competency_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyScoreError("Scores are append-only: record a correction instead.")
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.supersedes_id is not None:
                # The flag is not a change of the judgement: QuerySet.update, bypassing the append-only guard.
                models.QuerySet.update(Score.objects.filter(pk=self.supersedes_id), superseded=True)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyScoreError("Scores are append-only: record a correction instead.")


class Feedback(models.Model):
    """A comment on a piece of evidence; a revision request asks the student for a new version."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    requests_revision = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
