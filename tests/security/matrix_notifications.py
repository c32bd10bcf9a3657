"""Authorization-matrix rows of notifications, pages and API. Everyone signed in has a list and settings of
their own; a notification is read and marked only by its recipient, and is 404 for everyone else (the target
in Riverside is the guardian's, in Hillcrest other-teacher's)."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, Row, everyone
from tests.security.matrix_profiles import target_student
from waypoint.core.models import Organization, User
from waypoint.notifications.models import Notification

RECIPIENT = {"riverside": "guardian", "hillcrest": "other-teacher"}
OWNERS = {OWN: {"guardian"}, OTHER: {"other-teacher"}}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "notifications/": everyone(),
    "notifications/read/": everyone(302, method="post"),
    "notifications/<int:notification_id>/read/": Row(allowed=OWNERS, ok=302, method="post"),
    "account/notifications/": everyone(),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/notifications": everyone(anonymous=401),
    "api/v1/notifications/<int:notification_id>/read": Row(allowed=OWNERS, anonymous=401, method="post"),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A notification about the district's target student, for the one role in the district who reads it."""
    student = target_student(district, users)
    notification = Notification.objects.create(
        district=district,
        recipient=users[RECIPIENT[district.slug]],
        student=student,
        kind="evidence.feedback",
        params={"title": "Matrix work", "author": "Matrix"},
        url=f"/students/{student.pk}/",
    )
    return {"notification": notification}
