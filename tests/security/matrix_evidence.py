"""Authorization-matrix rows of the evidence and mastery API.

Evidence is part of the student's record: whoever reads the student reads it (404 for everyone else). Only
the student submits and revises their own work (403 for the other readers); the student and staff in scope
judge it and comment; only staff in scope ask for revisions. District administrators choose calculation
rules for the frameworks their district uses."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, READS_OWN_STUDENT, SIGNED_IN, Row, everyone, same_for_both
from waypoint.core.models import Organization, Section, Student, User
from waypoint.evidence.models import Assessment, AssessmentKind, Evidence
from waypoint.frameworks.models import Framework, FrameworkKind, Tier, VersionStatus
from waypoint.pathways.models import PathProposal, PathStatus

STAFF = {"teacher", "teacher-uncertified", "school-admin", "district-admin", "other-teacher"}
JUDGES_OWN = {"student", "teacher", "teacher-uncertified", "school-admin", "district-admin"}
IN_DISTRICT = set(SIGNED_IN) - {"other-teacher", "state-analyst"}
ADMIN = {"district-admin"}


def student_data(**kwargs: object) -> Row:
    """Readers of the target student get `ok`; visible readers without the right get 403; the rest 404."""
    allowed = kwargs.pop("allowed", {OWN: READS_OWN_STUDENT, OTHER: {"other-teacher"}})
    return Row(allowed=allowed, anonymous=401, **kwargs)  # type: ignore[arg-type]


def _refused_readers(allowed_own: set[str], allowed_other: set[str]) -> dict[tuple[str, str], int]:
    return {
        **{(role, OWN): 403 for role in READS_OWN_STUDENT - allowed_own},
        **{(role, OTHER): 403 for role in {"other-teacher"} - allowed_other},
    }


def _judged(**kwargs: object) -> Row:
    allowed_own, allowed_other = JUDGES_OWN, {"other-teacher"}
    return student_data(
        allowed={OWN: allowed_own, OTHER: allowed_other},
        overrides=_refused_readers(allowed_own, allowed_other),
        ok=201,
        method="post",
        **kwargs,
    )


ROWS: dict[str, Row | tuple[Row, ...]] = {
    "api/v1/assessments": (
        everyone(anonymous=401),
        same_for_both(
            STAFF,
            403,
            ok=201,
            anonymous=401,
            method="post",
            payload={
                "title": "Matrix task",
                "kind": "project",
                "competency_ids": ["<int:score_competency_id>"],
            },
        ),
    ),
    "api/v1/assessments/<int:assessment_id>": Row(
        allowed={OWN: IN_DISTRICT, OTHER: {"other-teacher"}}, anonymous=401
    ),
    # The matrix's leak check reads `"id": N` as a student; inbox items are evidence, so their scoping is
    # checked by student id in tests/evidence/test_api.py instead.
    "api/v1/evidence/inbox": same_for_both(STAFF, 403, anonymous=401),
    "api/v1/evidence": student_data(
        allowed={OWN: {"student"}, OTHER: set()},
        overrides=_refused_readers({"student"}, set()),
        ok=201,
        method="post",
        multipart=True,
        payload={
            "student_id": "<int:student_id>",
            "title": "Matrix work",
            "body": "Matrix text",
            "competency_ids": "<int:score_competency_id>",
        },
    ),
    "api/v1/evidence/<int:evidence_id>": (
        student_data(),
        # Work done on `student`'s active internship: its external mentor reads it too (Riverside only).
        student_data(
            allowed={OWN: READS_OWN_STUDENT | {"mentor"}, OTHER: {"other-teacher"}},
            objects={"<int:evidence_id>": "path_evidence"},
        ),
    ),
    "api/v1/evidence/<int:evidence_id>/revisions": student_data(
        allowed={OWN: {"student"}, OTHER: set()},
        overrides=_refused_readers({"student"}, set()),
        ok=201,
        method="post",
        multipart=True,
        payload={"body": "Matrix revision"},
        objects={"<int:evidence_id>": "revisable_evidence"},
    ),
    "api/v1/evidence/<int:evidence_id>/feedback": _judged(payload={"body": "Matrix feedback"}),
    "api/v1/evidence/<int:evidence_id>/scores": _judged(
        payload={"competency_id": "<int:score_competency_id>", "value": 3}
    ),
    "api/v1/students/<int:student_id>/evidence": student_data(),
    "api/v1/students/<int:student_id>/mastery": student_data(),
    "api/v1/sections/<int:section_id>/gradebook": Row(
        allowed={OWN: {"teacher", "school-admin", "district-admin"}, OTHER: {"other-teacher"}}, anonymous=401
    ),
    "api/v1/frameworks/<int:framework_id>/calculation-rules": (
        everyone(anonymous=401),
        # The matrix's adoption rows have made Hillcrest's profile one Riverside uses, so both are allowed;
        # tests/mastery/test_api.py covers a framework the district does not use (400).
        same_for_both(ADMIN, 403, anonymous=401, method="put", payload={"method": "highest"}),
    ),
}


def _evidence(student: Student, competency_id: int, title: str) -> Evidence:
    version_id = Framework.objects.get(versions__competencies=competency_id).versions.get(
        status=VersionStatus.PUBLISHED
    )
    author = student.user or User.objects.get(username="other-teacher")
    evidence = Evidence.objects.create(
        district=student.district,
        student=student,
        framework_version=version_id,
        title=title,
        body="Matrix evidence",
        recorded_by=author,
    )
    evidence.competencies.set([competency_id])
    return evidence


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A submission of the target student on a graduate-profile indicator, a spare one to revise, and an
    assessment of the district."""
    student = (
        Student.objects.get(user__username="student")
        if district.slug == "riverside"
        else Section.objects.filter(teachers=users["other-teacher"])
        .order_by("pk")[0]
        .roster.order_by("pk")[0]
        .student
    )
    profile = Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
    indicator = (
        profile.versions.get(status=VersionStatus.PUBLISHED)
        .competencies.filter(tier=Tier.INDICATOR)
        .order_by("path")[0]
    )
    creator = users["teacher"] if district.slug == "riverside" else users["other-teacher"]
    assessment = Assessment.objects.create(
        district=district,
        title="Matrix assessment",
        kind=AssessmentKind.PROJECT,
        framework_version=indicator.version,
        created_by=creator,
    )
    assessment.competencies.set([indicator])
    path_evidence = _evidence(student, indicator.pk, "Matrix internship evidence")
    internship = PathProposal.objects.filter(
        student=student, status=PathStatus.ACTIVE, mentor__isnull=False
    ).first()
    if internship is not None:
        Evidence.objects.filter(pk=path_evidence.pk).update(path=internship)
    return {
        "evidence": _evidence(student, indicator.pk, "Matrix evidence"),
        "path_evidence": path_evidence,
        "revisable_evidence": _evidence(student, indicator.pk, "Matrix revisable evidence"),
        "assessment": assessment,
        "score_competency": indicator,
    }
