"""Authorization-matrix rows of learner profiles and success plans, pages and API; and the student-scoped
row helpers the paths rows use too (`matrix_pathways.py`).

A student's profile and plan are read by whoever reads the student (404 for everyone else, the external
mentor included). Only the student keeps the profile (403 for the other readers, guardians included); only
staff with the student in scope review the plan and comment on the profile (403 for the student and the
guardian); the student and those staff edit the plan's goals; a linked guardian acknowledges it."""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, READS_OWN_STUDENT, Row
from waypoint.core.models import Organization, Section, Student, User
from waypoint.profiles.models import PlanGoal

# Staff who guide `student`: teaching, caseload or administration (never the student or the guardian).
GUIDES_OWN = READS_OWN_STUDENT - {"student", "guardian"}
START = timezone.localdate() - datetime.timedelta(days=1)


def readers(**kwargs: object) -> Row:
    """Everyone who reads the target student gets `ok`; everyone else 404 (the mentor included)."""
    allowed = kwargs.pop("allowed", {OWN: READS_OWN_STUDENT, OTHER: {"other-teacher"}})
    return Row(allowed=allowed, **kwargs)  # type: ignore[arg-type]


def student_action(own: set[str], other: set[str], **kwargs: object) -> Row:
    """Readers of the student who may take the action get `ok`; the other readers 403; the rest 404."""
    overrides = {
        **{(role, OWN): 403 for role in READS_OWN_STUDENT - own},
        **{(role, OTHER): 403 for role in {"other-teacher"} - other},
    }
    return Row(allowed={OWN: own, OTHER: other}, overrides=overrides, **kwargs)  # type: ignore[arg-type]


def guided(**kwargs: object) -> Row:
    return student_action(GUIDES_OWN, {"other-teacher"}, **kwargs)


ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/profile/": readers(),
    "students/<int:student_id>/profile/edit/": student_action({"student"}, set()),
    "students/<int:student_id>/profile/history/": readers(),
    "students/<int:student_id>/profile/comments/": guided(ok=302, method="post"),
    "students/<int:student_id>/plan/": readers(),
    "students/<int:student_id>/plan/goals/new/": student_action(GUIDES_OWN | {"student"}, {"other-teacher"}),
    "students/<int:student_id>/plan/reviews/": guided(ok=302, method="post"),
    "students/<int:student_id>/plan/acknowledge/": student_action({"guardian"}, set(), ok=302, method="post"),
    "plan-goals/<int:goal_id>/edit/": student_action(GUIDES_OWN | {"student"}, {"other-teacher"}),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/students/<int:student_id>/profile": (
        readers(anonymous=401),
        student_action(
            {"student"}, set(), anonymous=401, method="put", payload={"interests": ["robotics", "matrix"]}
        ),
    ),
    "api/v1/students/<int:student_id>/profile/history": readers(anonymous=401),
    "api/v1/students/<int:student_id>/profile/comments": guided(
        ok=201, anonymous=401, method="post", payload={"text": "Matrix comment"}
    ),
    "api/v1/students/<int:student_id>/plan": readers(anonymous=401),
    "api/v1/students/<int:student_id>/plan/goals": student_action(
        GUIDES_OWN | {"student"},
        {"other-teacher"},
        ok=201,
        anonymous=401,
        method="post",
        payload={"domain": "academic", "statement": "Matrix goal"},
    ),
    "api/v1/students/<int:student_id>/plan/reviews": guided(
        ok=201, anonymous=401, method="post", payload={"reviewed_on": START.isoformat()}
    ),
    "api/v1/students/<int:student_id>/plan/acknowledgements": student_action(
        {"guardian"}, set(), ok=201, anonymous=401, method="post", payload={}
    ),
    "api/v1/plan-goals/<int:goal_id>": student_action(
        GUIDES_OWN | {"student"},
        {"other-teacher"},
        anonymous=401,
        method="put",
        payload={"domain": "career", "statement": "Matrix goal, revised"},
    ),
}


def target_student(district: Organization, users: dict[str, User]) -> Student:
    """`student` in Riverside; in Hillcrest the first student of other-teacher's first section (as the core
    matrix chooses)."""
    if district.slug == "riverside":
        return Student.objects.get(user__username="student")
    section = Section.objects.filter(teachers=users["other-teacher"]).order_by("pk")[0]
    return section.roster.order_by("pk")[0].student


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """The target student's first success plan goal."""
    student = target_student(district, users)
    return {"goal": PlanGoal.objects.filter(plan__student=student).order_by("pk")[0]}
