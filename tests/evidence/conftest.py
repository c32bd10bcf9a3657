"""The session's demo district with a rubric-backed assessment, for the evidence and mastery tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, Student, User
from waypoint.evidence.models import Artifact, Assessment, AssessmentKind, Evidence, Feedback, Score
from waypoint.evidence.services import assessment_create
from waypoint.frameworks.models import Competency, Rubric
from waypoint.mastery.models import MasteryLevel

# The smallest valid PNG: 1×1 transparent pixel.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def png(name: str = "work.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


@dataclass(frozen=True)
class Scene:
    district: Organization
    student: Student
    users: dict[str, User]
    rubric: Rubric
    assessment: Assessment
    competency: Competency
    counts: dict[str, int]

    def context(self, username: str) -> RequestContext:
        return RequestContext(user=self.users[username])


@pytest.fixture
def scene(demo: Demo) -> Scene:
    district, users = demo.riverside, demo.users
    # The demo has scored `student` on the presentation rubric; this one is still unscored for them.
    rubric = Rubric.objects.get(owner=district, title="Goal setting and reflection")
    competency = rubric.criteria.order_by("position").first().competency  # type: ignore[union-attr]
    assessment = assessment_create(
        context=RequestContext(user=users["teacher"]),
        title="Town hall presentation",
        kind=AssessmentKind.PERFORMANCE_TASK,
        competency_ids=list(rubric.criteria.values_list("competency_id", flat=True)),
        rubric_id=rubric.pk,
    )
    return Scene(
        district=district,
        student=demo.student,
        users=users,
        rubric=rubric,
        assessment=assessment,
        competency=competency,
        counts=written(),
    )


def written() -> dict[str, int]:
    """How many rows of each kind the evidence services write: tests compare them before and after."""
    return {
        "evidence": Evidence.objects.count(),
        "artifacts": Artifact.objects.count(),
        "scores": Score.objects.count(),
        "feedback": Feedback.objects.count(),
        "levels": MasteryLevel.objects.count(),
    }
