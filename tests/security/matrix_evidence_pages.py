"""Authorization matrix rows of the evidence and mastery HTML pages.

Evidence, its files, judgements and levels belong to the student's record: whoever reads the student reads
them (404 for everyone else); the actions on a visible record follow the role (403 page). Assessments are
read by every user of their district. POST rows send a filled form (the allowed roles are redirected), except
the scoring page's, which sends an empty one and gets the page back with its problem.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, READS_OWN_STUDENT, SIGNED_IN, Row, everyone, same_for_both
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, Section, Student, User
from waypoint.evidence.models import AssessmentKind
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks.models import Framework, FrameworkKind, VersionStatus
from waypoint.frameworks.services import (
    CompetencyFields,
    competency_create,
    framework_create,
    version_publish,
)

OWN_STAFF = {"teacher", "teacher-uncertified", "school-admin", "district-admin"}
STAFF = OWN_STAFF | {"other-teacher"}
# Who may judge `student`'s work: the student (a self-assessment) and the staff who teach or administer them.
OWN_JUDGES = OWN_STAFF | {"student"}
# They read the record but judge nothing: the page answers 403.
READ_ONLY = READS_OWN_STUDENT - OWN_JUDGES
STUDENT_READERS = {OWN: READS_OWN_STUDENT, OTHER: {"other-teacher"}}
JUDGES = {OWN: OWN_JUDGES, OTHER: {"other-teacher"}}
REFUSED_READERS = {(role, OWN): 403 for role in READ_ONLY}
OBSERVERS = {OWN: OWN_STAFF, OTHER: {"other-teacher"}}
NOT_OBSERVERS = {(role, OWN): 403 for role in READS_OWN_STUDENT - OWN_STAFF}
EVIDENCE = {"<int:evidence_id>": "page_evidence"}
SECTION_TEACHERS = {OWN: {"teacher", "school-admin", "district-admin"}, OTHER: {"other-teacher"}}
# The district's graduate profile in its own district; in the other, a framework of that district no one
# else adopts (so the administrator's district does not use it, whatever rows ran before).
CALCULATED = {"<int:framework_id>": "page_framework"}
# Every user whose account belongs to Riverside reads its assessments; Hillcrest's only other-teacher.
RIVERSIDE_USERS = READS_OWN_STUDENT | {"mentor"}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    "evidence/inbox/": same_for_both(STAFF, 403, leak_check=True),
    "evidence/new/": (
        same_for_both({"student"}, 403),
        same_for_both(
            {"student"},
            403,
            ok=302,
            method="post",
            multipart=True,
            payload={"title": "Matrix work", "body": "Done.", "competencies": "<int:page_competency_id>"},
        ),
    ),
    "evidence/<int:evidence_id>/": Row(allowed=STUDENT_READERS, objects=EVIDENCE),
    "evidence/<int:evidence_id>/score/": (
        Row(allowed=JUDGES, overrides=REFUSED_READERS, objects=EVIDENCE),
        # An empty form: the scorer gets the page back with its problem, nothing is recorded.
        Row(allowed=JUDGES, overrides=REFUSED_READERS, method="post", objects=EVIDENCE),
    ),
    "evidence/<int:evidence_id>/feedback/": Row(
        allowed=JUDGES,
        overrides=REFUSED_READERS,
        ok=302,
        method="post",
        multipart=True,
        payload={"feedback-body": "Matrix feedback."},
        objects=EVIDENCE,
    ),
    # The staff who judge the student name the competencies of evidence that names none (this one names
    # some, and the empty form names nothing: they are sent back to the scoring page); nobody else.
    "evidence/<int:evidence_id>/competencies/": Row(
        allowed=OBSERVERS,
        overrides={(role, OWN): 403 for role in READS_OWN_STUDENT - OWN_STAFF},
        ok=302,
        method="post",
        multipart=True,
        payload={},
        objects=EVIDENCE,
    ),
    # Only the student revises their own work (an observation is revised by no one).
    "evidence/<int:evidence_id>/revise/": Row(
        allowed={OWN: {"student"}, OTHER: set()},
        overrides={
            **{(role, OWN): 403 for role in READS_OWN_STUDENT - {"student"}},
            ("other-teacher", OTHER): 403,
        },
        ok=302,
        method="post",
        multipart=True,
        payload={"revise-body": "A revised version."},
        objects=EVIDENCE,
    ),
    "evidence/artifacts/<int:artifact_id>/": Row(
        allowed=STUDENT_READERS, objects={"<int:artifact_id>": "page_artifact"}
    ),
    "students/<int:student_id>/evidence/": Row(allowed=STUDENT_READERS),
    "students/<int:student_id>/observations/new/": (
        Row(allowed=OBSERVERS, overrides=NOT_OBSERVERS),
        Row(
            allowed=OBSERVERS,
            overrides=NOT_OBSERVERS,
            ok=302,
            method="post",
            multipart=True,
            payload={
                "title": "Matrix observation",
                "body": "Seen.",
                "competencies": "<int:page_competency_id>",
            },
        ),
    ),
    "students/<int:student_id>/mastery/": Row(allowed=STUDENT_READERS),
    "sections/<int:section_id>/gradebook/": Row(allowed=SECTION_TEACHERS),
    "assessments/": everyone(),
    "assessments/new/": (
        same_for_both(STAFF, 403),
        same_for_both(
            STAFF,
            403,
            ok=302,
            method="post",
            multipart=True,
            payload={
                "title": "Matrix page task",
                "kind": "formative",
                "competencies": "<int:page_competency_id>",
            },
        ),
    ),
    "assessments/<int:assessment_id>/": Row(
        allowed={OWN: RIVERSIDE_USERS, OTHER: {"other-teacher"}},
        objects={"<int:assessment_id>": "page_assessment"},
    ),
    # Anyone who reads the framework reads the rules in force; only the district administrator of a district
    # that uses the framework chooses them: the form previews the change (200, nothing saved); applying it
    # takes the preview's token (tests/mastery/test_rule_preview.py).
    "frameworks/<int:framework_id>/calculation/": (
        everyone(objects=CALCULATED),
        Row(
            objects=CALCULATED,
            allowed={OWN: {"district-admin"}, OTHER: set()},
            refused={OWN: 403, OTHER: 403},
            ok=200,
            method="post",
            multipart=True,
            payload={"method": "decaying_average", "weight_percent": 65, "rollup_rule": "mean"},
        ),
    ),
}
assert set(SIGNED_IN) >= STAFF | RIVERSIDE_USERS


def _target_student(district: Organization, users: dict[str, User]) -> tuple[Student, User]:
    """The student the matrix targets in the district, and who records evidence for them: `student`
    submits their own work; in the other district `other-teacher` records an observation."""
    if district.slug == "riverside":
        return Student.objects.get(user__username="student"), users["student"]
    other_teacher = users["other-teacher"]
    section = Section.objects.filter(teachers=other_teacher).order_by("pk").first()
    assert section is not None
    enrollment = section.roster.order_by("pk").first()
    assert enrollment is not None
    return enrollment.student, other_teacher


def _unshared_framework(district: Organization) -> Framework:
    """A small published framework of the district that no other district adopts."""
    version = framework_create(owner=district, title="Matrix calculation framework")
    competency_create(
        version=version, parent=None, fields=CompetencyFields(human_code="MC.1", full_statement="Calculates.")
    )
    return version_publish(version=version, actor=None).framework


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    student, recorder = _target_student(district, users)
    teacher = users["teacher"] if district.slug == "riverside" else users["other-teacher"]
    # A competency of a state framework both districts adopt: every user of either district is offered it.
    shared = (
        Framework.objects.filter(adoptions__district=district)
        .exclude(owner=district)
        .order_by("title")
        .first()
    )
    assert shared is not None
    leaf = (
        shared.versions.get(status=VersionStatus.PUBLISHED)
        .competencies.filter(children__isnull=True)
        .order_by("path")
        .first()
    )
    assert leaf is not None
    assessment = assessment_create(
        context=RequestContext(user=teacher),
        title="Matrix task",
        kind=AssessmentKind.FORMATIVE,
        competency_ids=[leaf.pk],
    )
    evidence = evidence_submit(
        context=RequestContext(user=recorder),
        student_id=student.pk,
        title="Matrix evidence",
        body="What the work shows.",
        competency_ids=[leaf.pk],
        files=[SimpleUploadedFile("notes.txt", b"Notes on the work.\n", content_type="text/plain")],
        observation=recorder.pk != student.user_id,
    )
    riverside = district.slug == "riverside"
    return {
        "page_competency": leaf,
        "page_evidence": evidence,
        "page_artifact": evidence.artifacts.get(),
        "page_assessment": assessment,
        "page_framework": Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
        if riverside
        else _unshared_framework(district),
    }
