"""Reads of notifications: a person's own, unread first, each rendered in the language of the request.

Reading one's own notifications is not written to the audit log: a notification only points at a page
(feedback, a level, a path), and opening that page is audited where it is read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from waypoint.core.audit import RequestContext
from waypoint.core.paging import Page, page_of
from waypoint.notifications.models import Delivery, Notification, NotificationPreference
from waypoint.notifications.registry import EventKind, kinds, render
from waypoint.notifications.services import delivery_for, roles_of
from waypoint.policy.notifications import visible_notifications


@dataclass(frozen=True)
class NotificationView:
    """A notification as its reader sees it, in the language of the request."""

    id: int
    kind: str
    subject: str
    body: str
    url: str
    student_id: int
    student_name: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    # The notification is about its reader (a student's own work): their name is not repeated to them.
    about_reader: bool = False

    @property
    def unread(self) -> bool:
        return self.read_at is None


def view_of(row: Notification) -> NotificationView:
    """A row (its student loaded with it) as its reader sees it."""
    text = render(row)
    return NotificationView(
        id=row.pk,
        kind=row.kind,
        subject=text.subject,
        body=text.body,
        url=row.url,
        student_id=row.student_id,
        student_name=row.student.full_name,
        created_at=row.created_at,
        read_at=row.read_at,
        about_reader=row.student.user_id is not None and row.student.user_id == row.recipient_id,
    )


def _own(context: RequestContext) -> QuerySet[Notification]:
    return visible_notifications(context.user)


def notification_page(*, context: RequestContext, page: int = 1, size: int = 20) -> Page[NotificationView]:
    """The reader's notifications, unread first, then newest first; two queries (count and page)."""
    unread_first = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    rows = page_of(
        _own(context).select_related("student").order_by(unread_first.desc(), "-created_at", "-id"),
        number=page,
        size=size,
    )
    return Page(
        items=[view_of(row) for row in rows.items], count=rows.count, number=rows.number, size=rows.size
    )


def unread_count(*, context: RequestContext) -> int:
    return _own(context).filter(read_at__isnull=True).count()


def unread_latest(*, context: RequestContext, limit: int = 5) -> list[NotificationView]:
    """The newest unread notifications, for the home page."""
    rows = _own(context).filter(read_at__isnull=True).select_related("student").order_by("-created_at", "-id")
    return [view_of(row) for row in rows[:limit]]


@dataclass(frozen=True)
class PreferenceView:
    """One line of the preferences page: a kind, how it reaches the reader now, and whether e-mail may be
    turned off."""

    kind: EventKind
    delivery: Delivery
    may_turn_off_email: bool


def notification_preferences(*, context: RequestContext) -> list[PreferenceView]:
    actor = context.actor
    if actor is None:
        return []
    chosen = dict(NotificationPreference.objects.filter(user=actor).values_list("kind", "delivery"))
    roles = roles_of(actor)
    return [
        PreferenceView(
            kind=kind,
            delivery=delivery_for(kind, chosen.get(kind.code), lambda: roles),
            may_turn_off_email=kind.may_turn_off_email(roles),
        )
        for kind in kinds()
    ]
