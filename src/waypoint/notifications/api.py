"""The notifications API: the caller's own notifications, unread first, and marking one as read."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.api import LIST_ERRORS, READ_ERRORS, Id, PageOut, PageQuery, page_fields
from waypoint.notifications.selectors import NotificationView, notification_page, unread_count, view_of
from waypoint.notifications.services import notification_mark_read
from waypoint.policy import request_context

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="The kind's code, e.g. `evidence.feedback`.")
    subject: str = Field(description="In the caller's language.")
    body: str
    url: str = Field(description="The page of this site the notification is about (a path), or empty.")
    student_id: int
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPageOut(PageOut):
    items: list[NotificationOut]
    unread: int = Field(description="Your unread notifications, on every page.")


def _out(view: NotificationView) -> NotificationOut:
    return NotificationOut(
        id=view.id,
        kind=view.kind,
        subject=view.subject,
        body=view.body,
        url=view.url,
        student_id=view.student_id,
        created_at=view.created_at,
        read_at=view.read_at,
    )


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **LIST_ERRORS},
    summary="Your notifications, unread first, then newest first",
)
def notifications(request: HttpRequest, query: Query[PageQuery]) -> NotificationPageOut:
    context = request_context(request)
    page = notification_page(context=context, page=query.page, size=query.page_size)
    return NotificationPageOut(
        items=[_out(item) for item in page.items], unread=unread_count(context=context), **page_fields(page)
    )


@router.post(
    "/notifications/{int:notification_id}/read",
    response={200: NotificationOut, **READ_ERRORS},
    summary="Mark one of your notifications as read (another person's answers 404)",
)
def notification_read(request: HttpRequest, notification_id: Id) -> NotificationOut:
    row = notification_mark_read(context=request_context(request), notification_id=notification_id)
    return _out(view_of(row))
