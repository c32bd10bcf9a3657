"""The notifications part of the demo: what the demo student and their guardian find when they sign in, a
few unread and one already read. Rows are written directly and marked as e-mailed, so loading the demo
sends no mail. This loader runs before the evidence and path demos (the app sits low), so the notifications
link to the student's pages rather than to single pieces of work."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from waypoint.core.demo import DemoWorld
from waypoint.core.models import Student, User
from waypoint.notifications.models import Delivery, Notification
from waypoint.policy.notifications import family_of


def _events(student: Student, teacher: User | None) -> list[tuple[str, dict[str, object], str, int, bool]]:
    """(kind, params, url, hours ago, read) of each demo event about the student."""
    author = teacher.display_name if teacher else "Waypoint"
    return [
        (
            "evidence.feedback",
            {"title": "Lab report: water quality of the Mill River", "author": author},
            reverse("student-evidence", args=[student.pk]),
            3,
            False,
        ),
        (
            "mastery.level_changed",
            {
                "evidence_title": "Lab report: water quality of the Mill River",
                "changes": [
                    {
                        "competency": "Analyzing and interpreting data",
                        "level": "Proficient",
                        "direction": "up",
                    }
                ],
            },
            reverse("student-mastery", args=[student.pk]),
            3,
            False,
        ),
        (
            "evidence.revision_requested",
            {"title": "Argument essay: a four-day school week", "author": author},
            reverse("student-evidence", args=[student.pk]),
            26,
            False,
        ),
        (
            "pathways.path_decision",
            {"title": "Internship at the Riverside Nature Center", "status": "approved", "note": ""},
            reverse("path-list"),
            24 * 6,
            True,
        ),
    ]


def load_demo(world: DemoWorld) -> dict[str, int]:
    student = Student.objects.filter(user__username="student").first()
    if student is None:
        return {"notifications": 0}
    teacher = User.objects.filter(username="teacher").first()
    now = timezone.now()
    rows = []
    for recipient in family_of(student, on=world.today):
        for kind, params, url, hours_ago, read in _events(student, teacher):
            created = now - datetime.timedelta(hours=hours_ago)
            rows.append(
                Notification(
                    district_id=student.district_id,
                    recipient=recipient,
                    student=student,
                    kind=kind,
                    params=params,
                    url=url,
                    delivery=Delivery.DIGEST,
                    created_at=created,
                    emailed_at=created,
                    read_at=created + datetime.timedelta(hours=2) if read else None,
                )
            )
    Notification.objects.bulk_create(rows)
    return {"notifications": len(rows)}
