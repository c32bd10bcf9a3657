"""Notifications: a person reads and changes only their own notifications and preferences; a notification
about a student goes only to people who may read that student.

- `visible_notifications(user)`: the rows addressed to the user (everyone else's are hidden, answered 404);
- `family_of(student)`: the student's own account and their guardians with an active link, the people told
  about the student's feedback, levels and paths; `notifications.services.notify` checks each recipient
  against `visible_students` again, so a caller's mistake cannot tell a stranger.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import GuardianLink, Student, User
from waypoint.notifications.models import Notification
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, active_on, active_user, today
from waypoint.policy.registry import rule


def visible_notifications(user: Actor) -> QuerySet[Notification]:
    actor = active_user(user)
    if actor is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=actor)


def family_of(student: Student, on: datetime.date | None = None) -> QuerySet[User]:
    """The active accounts of the student and of their guardians on a date (today by default)."""
    on = on or today()
    guardians = GuardianLink.objects.filter(active_on(on), student=student).values("guardian_id")
    return User.objects.filter(Q(pk=student.user_id) | Q(pk__in=guardians), is_active=True).order_by("pk")


@rule("notifications")
def notifications_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    if isinstance(obj, Notification):
        return (
            action in (Action.VIEW_NOTIFICATION, Action.MARK_NOTIFICATION_READ)
            and obj.recipient_id == user.pk
        )
    if isinstance(obj, User):
        return action is Action.EDIT_NOTIFICATION_PREFERENCES and obj.pk == user.pk
    # Without an object: everyone signed in has notifications and preferences of their own.
    return obj is None
