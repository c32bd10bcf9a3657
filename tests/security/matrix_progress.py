"""Authorization-matrix rows of variable time, pages and API: the trajectory, advancement, test readiness
and sittings, alerts, supports, conferences, the school support plan, the repository, and the success
plan's graduation target.

A student's pace is read by whoever reads the student; a mentor and the state analyst reach no student's
pace (404). Only a certified teacher who teaches the student advances them (the uncertified teacher gets
403); a teacher who teaches the student marks them ready for a test; the school's administrators record
the sitting. Alerts, supports and the recording of conferences are for the staff who guide the student (the
student and the guardian get 403); a conference's page is read by those staff, the student and, once the
notes are shared with them, a linked guardian; an alert is assigned by those staff. The school support plan
is for school and district administrators; the repository for every staff role, the state analyst included
(it holds no student data); only district administrators write to it (practices, exemplar trajectories),
set the inquiry settings and the advancement rules (another district's rule: 404)."""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, Row, everyone, same_for_both
from tests.security.matrix_profiles import GUIDES_OWN, guided, readers, student_action, target_student
from waypoint.core.models import GuardianLink, Organization, StudentEnrollment, User
from waypoint.progress.models import (
    AdvancementRule,
    Alert,
    AlertKind,
    Conference,
    ConferenceKind,
    ConferenceShare,
    LargeScaleTest,
    PacingPractice,
    SchoolSupportTask,
    Support,
    TestReadiness,
)

TEACHERS = {"teacher", "teacher-uncertified", "other-teacher"}
# Staff who guide students somewhere: the alert, support and conference lists are theirs.
GUIDE_ROLES = TEACHERS | {"advisor", "school-admin", "district-admin"}
STAFF = GUIDE_ROLES | {"state-analyst"}
ADMINS = {"school-admin", "district-admin"}
OPEN_CONFERENCE = {"<int:conference_id>": "open_conference"}
DISTRICT_ADMIN = {"district-admin"}
# Every threshold within its range: the inquiry settings' API replaces them all at once.
INQUIRY_SETTINGS = {
    "pace_window_weeks": 12,
    "no_evidence_weeks": 4,
    "stuck_attempts": 3,
    "ahead_months": 3,
    "at_risk_months": 6,
    "subgroup_min_pace": 1.0,
    "subgroup_margin": 0.25,
    "min_cell_size": 10,
    "exemplar_min_students": 10,
    "requirement_kinds": ["graduate_profile"],
}
TODAY = timezone.localdate().isoformat()
IN_TWO_WEEKS = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
SOON = (timezone.now() + datetime.timedelta(days=3)).isoformat()

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/trajectory/": readers(),
    "students/<int:student_id>/advance/": student_action({"teacher"}, {"other-teacher"}),
    "students/<int:student_id>/test-ready/": student_action(
        {"teacher", "teacher-uncertified"}, {"other-teacher"}
    ),
    "students/<int:student_id>/supports/new/": guided(),
    "students/<int:student_id>/conferences/new/": guided(),
    "students/<int:student_id>/plan/target/": student_action(
        GUIDES_OWN | {"student"}, {"other-teacher"}, ok=302, method="post"
    ),
    "progress/ready/": same_for_both(TEACHERS, 403, leak_check=True),
    "progress/testing/": same_for_both(ADMINS, 403, leak_check=True),
    # The empty form is answered with a message on the testing page (302) for those who record sittings.
    "progress/testing/<int:readiness_id>/sitting/": student_action(ADMINS, set(), ok=302, method="post"),
    "progress/alerts/": same_for_both(GUIDE_ROLES, 403, leak_check=True),
    "progress/alerts/<int:alert_id>/": guided(),
    # The empty form comes back with its problem for the staff who guide the student.
    "progress/alerts/<int:alert_id>/assign/": guided(ok=400, method="post"),
    "progress/supports/": same_for_both(GUIDE_ROLES, 403, leak_check=True),
    "progress/supports/<int:support_id>/": guided(),
    "progress/conferences/": everyone(leak_check=True),
    # Held, with its notes shared with `guardian`.
    "progress/conferences/<int:conference_id>/": readers(),
    # Still to come: the guardian does not see it yet (404); the empty form comes back with its problems.
    "progress/conferences/<int:conference_id>/record/": Row(
        allowed={OWN: GUIDES_OWN, OTHER: {"other-teacher"}},
        overrides={("student", OWN): 403},
        ok=400,
        method="post",
        objects=OPEN_CONFERENCE,
    ),
    "progress/conferences/<int:conference_id>/share/": guided(ok=302, method="post"),
    "progress/school-plan/": same_for_both(ADMINS, 403),
    "progress/school-plan/<int:task_id>/done/": Row(
        allowed={OWN: ADMINS, OTHER: set()}, ok=302, method="post"
    ),
    # District administration: the acting district's settings and rules; the empty form comes back (400).
    "progress/inquiry-settings/": (
        same_for_both(DISTRICT_ADMIN, 403),
        same_for_both(DISTRICT_ADMIN, 403, ok=400, method="post"),
    ),
    "progress/advancement-rules/": (
        same_for_both(DISTRICT_ADMIN, 403),
        same_for_both(DISTRICT_ADMIN, 403, ok=400, method="post"),
    ),
    "progress/advancement-rules/<int:rule_id>/": (
        Row(
            allowed={OWN: DISTRICT_ADMIN, OTHER: set()},
            refused={OWN: 403, OTHER: 403},
            overrides={("district-admin", OTHER): 404},
        ),
        Row(
            allowed={OWN: DISTRICT_ADMIN, OTHER: set()},
            refused={OWN: 403, OTHER: 403},
            overrides={("district-admin", OTHER): 404},
            ok=400,
            method="post",
        ),
    ),
    "progress/repository/": same_for_both(STAFF, 403),
    "progress/repository/exemplars/new/": (
        same_for_both(DISTRICT_ADMIN, 403),
        same_for_both(DISTRICT_ADMIN, 403, ok=400, method="post"),
    ),
    "progress/repository/practices/new/": same_for_both({"district-admin"}, 403),
    "progress/repository/practices/<int:practice_id>/": same_for_both(STAFF, 403),
    "progress/repository/practices/<int:practice_id>/copy/": same_for_both(
        {"district-admin"}, 403, ok=302, method="post"
    ),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/progress/students/<int:student_id>/trajectory": readers(anonymous=401),
    "api/v1/progress/alerts": same_for_both(GUIDE_ROLES, 403, anonymous=401),
    "api/v1/progress/alerts/<int:alert_id>": guided(anonymous=401),
    "api/v1/progress/supports": same_for_both(GUIDE_ROLES, 403, anonymous=401),
    "api/v1/progress/students/<int:student_id>/supports": guided(
        ok=201,
        anonymous=401,
        method="post",
        payload={"kind": "tutoring", "starts_on": TODAY, "follow_up_on": IN_TWO_WEEKS},
    ),
    "api/v1/progress/conferences": everyone(anonymous=401),
    "api/v1/progress/conferences/<int:conference_id>": readers(anonymous=401),
    "api/v1/progress/students/<int:student_id>/conferences": guided(
        ok=201, anonymous=401, method="post", payload={"kind": "teacher_student", "scheduled_for": SOON}
    ),
    "api/v1/progress/ready": same_for_both(TEACHERS, 403, anonymous=401),
    # A certified teacher of the student reaches the service, which refuses a date still to come (400).
    "api/v1/progress/students/<int:student_id>/advancements": student_action(
        {"teacher"},
        {"other-teacher"},
        ok=400,
        anonymous=401,
        method="post",
        payload={"to_section_id": "<int:section_id>", "advanced_on": TOMORROW},
    ),
    "api/v1/progress/practices": same_for_both(STAFF, 403, anonymous=401),
    "api/v1/progress/inquiry-settings": (
        same_for_both(DISTRICT_ADMIN, 403, anonymous=401),
        same_for_both(DISTRICT_ADMIN, 403, anonymous=401, method="put", payload=INQUIRY_SETTINGS),
    ),
}


def _school_of(student_id: int) -> int:
    enrollment = StudentEnrollment.objects.filter(student_id=student_id).order_by("-entry_date").first()
    assert enrollment is not None
    return enrollment.school_id


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A student alert, a support, a held conference shared with the student's guardian and one still to
    come, a readiness for a test, a school support plan task, a published practice and an advancement
    rule."""
    student = target_student(district, users)
    now = timezone.now()
    today = timezone.localdate()
    staff = users["advisor"] if district.slug == "riverside" else users["other-teacher"]
    alert = Alert.objects.create(
        district=district,
        school_id=_school_of(student.pk),
        student=student,
        kind=AlertKind.NO_EVIDENCE,
        cause=f"matrix-{student.pk}",
        facts={"weeks": 4},
    )
    support = Support.objects.create(
        district=district,
        student=student,
        alert=alert,
        kind="tutoring",
        owner=staff,
        starts_on=today,
        follow_up_on=today + datetime.timedelta(days=14),
    )
    held = Conference.objects.create(
        district=district,
        student=student,
        kind=ConferenceKind.ADVISOR_FAMILY,
        scheduled_for=now - datetime.timedelta(days=2),
        held_on=today - datetime.timedelta(days=2),
        organizer=staff,
        notes="Matrix notes.",
    )
    for link in GuardianLink.objects.filter(student=student):
        ConferenceShare.objects.create(conference=held, guardian_id=link.guardian_id)
    upcoming = Conference.objects.create(
        district=district,
        student=student,
        kind=ConferenceKind.TEACHER_STUDENT,
        scheduled_for=now + datetime.timedelta(days=2),
        organizer=staff,
    )
    test, _ = LargeScaleTest.objects.get_or_create(
        owner=district, code="MATRIX", defaults={"title": "Matrix test"}
    )
    TestReadiness.objects.filter(student=student, test=test).delete()
    readiness = TestReadiness.objects.create(
        district=district, student=student, test=test, marked_by=staff, marked_on=today
    )
    subgroup = Alert.objects.create(
        district=district,
        school_id=_school_of(student.pk),
        kind=AlertKind.SUBGROUP_PACE,
        cause=f"matrix-subgroup-{district.pk}",
        facts={
            "group": "Matrix group",
            "school": "Matrix school",
            "pace": "0.1",
            "threshold": "1",
            "students": 12,
        },
    )
    task = SchoolSupportTask.objects.create(
        alert=subgroup,
        district=district,
        school_id=subgroup.school_id,
        due_on=today + datetime.timedelta(days=30),
    )
    practice = PacingPractice.objects.create(
        district=district,
        title="Matrix practice",
        write_up="Matrix.",
        for_struggling="Matrix.",
        published=True,
    )
    rule, _ = AdvancementRule.objects.get_or_create(
        district=district, course_code="MATRIX", defaults={"next_course_code": "MATRIX-NEXT"}
    )
    return {
        "rule": rule,
        "alert": alert,
        "support": support,
        "conference": held,
        "open_conference": upcoming,
        "readiness": readiness,
        "task": task,
        "practice": practice,
    }
