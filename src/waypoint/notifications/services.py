"""Every write of notifications: notifying (called by the domain apps inside their own transactions),
e-mail at once after commit and in the daily digest, marking as read, and choosing how each kind arrives.

`notify` writes rows and never sends: an e-mail chosen "at once" goes out in `transaction.on_commit`, so a
write that rolls back tells nobody, and a slow mail server never holds a database transaction open."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Student, User
from waypoint.notifications.models import Delivery, Notification, NotificationPreference
from waypoint.notifications.registry import EventKind, kind_for, kinds, render
from waypoint.policy import Action
from waypoint.policy.notifications import visible_notifications

logger = logging.getLogger(__name__)


def roles_of(user: User) -> frozenset[str]:
    """The roles a person acts in today (staff roles, and student and guardian from the records)."""
    return frozenset(policy.access_context(user).roles)


def delivery_for(kind: EventKind, chosen: str | None, roles: Callable[[], frozenset[str]]) -> Delivery:
    """How `kind` reaches a person: their choice, else the kind's default; never "in Waypoint only" for a
    role the kind always e-mails (`roles` is asked only then, as it costs queries)."""
    delivery = Delivery(chosen) if chosen in Delivery.values else kind.default_delivery
    if delivery == Delivery.IN_APP and kind.email_required_for and not kind.may_turn_off_email(roles()):
        return Delivery.DIGEST
    return delivery


def notify(
    *,
    kind: str,
    recipients: Iterable[User],
    student: Student,
    params: Mapping[str, Any],
    url: str = "",
) -> list[Notification]:
    """One notification of `kind` about `student` for each recipient who may read the student (anyone else
    is left out, whatever the caller passed), each delivered as that person chose. Call it inside the
    transaction of the write it reports; e-mails chosen "at once" are sent only once that commits."""
    event_kind = kind_for(kind)
    if event_kind is None:
        raise LookupError(f"No kind of notification is registered as {kind!r}.")
    if url and not url.startswith("/"):
        raise ValueError("A notification links only to a page of this site (a path starting with /).")
    readers = {
        user.pk: user
        for user in recipients
        if user.is_active and policy.can(user, Action.VIEW_STUDENT, student)
    }
    if not readers:
        return []
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=readers, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    now = timezone.now()
    rows = [
        Notification(
            district_id=student.district_id,
            recipient=user,
            student=student,
            kind=kind,
            params=dict(params),
            url=url,
            delivery=delivery_for(event_kind, chosen.get(user.pk), partial(roles_of, user)),
            created_at=now,
        )
        for user in readers.values()
    ]
    created = Notification.objects.bulk_create(rows)
    at_once = [row.pk for row in created if row.delivery == Delivery.IMMEDIATE and row.recipient.email]
    if at_once:
        transaction.on_commit(partial(send_immediately, notification_ids=at_once))
    return created


def _language_of(user: User) -> str:
    """The language of a person's e-mail: their saved choice; English when they have none."""
    return user.language or settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return f"{settings.WAYPOINT_BASE_URL}{path}" if path else settings.WAYPOINT_BASE_URL + "/"


@dataclass(frozen=True)
class _Line:
    subject: str
    body: str
    link: str


def _lines(notifications: Iterable[Notification], language: str) -> list[_Line]:
    return [
        _Line(subject=text.subject, body=text.body, link=_absolute(row.url))
        for row in notifications
        for text in [render(row, language=language)]
    ]


def _send(user: User, subject: str, template: str, lines: list[_Line], language: str) -> None:
    with translation.override(language):
        body = render_to_string(
            template,
            {
                "user": user,
                "lines": lines,
                "settings_link": _absolute(reverse("notification-preferences")),
                "inbox_link": _absolute(reverse("notifications")),
            },
        )
    send_mail(subject, body, None, [user.email])


def send_immediately(*, notification_ids: list[int]) -> int:
    """E-mail each notification chosen "at once" (after the write that made them committed); returns how
    many went out. Each row is claimed before sending, so the digest never sends it too; a failed send
    releases its claim and the next digest sends it."""
    sent = 0
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "recipient", "student"
    )
    for row in rows:
        if not Notification.objects.filter(pk=row.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        ):
            continue
        language = _language_of(row.recipient)
        (line,) = _lines([row], language)
        try:
            _send(row.recipient, line.subject, "notifications/email/immediate.txt", [line], language)
        except OSError:
            logger.exception("Could not e-mail notification %s; the daily digest will retry it.", row.pk)
            Notification.objects.filter(pk=row.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


# An "at once" e-mail still unsent this long after its event failed to go out; the digest sends it.
RETRY_AFTER = datetime.timedelta(hours=1)


def digest_pending(now: datetime.datetime | None = None) -> QuerySet[Notification]:
    """The rows the digest sends: every unsent digest row, and "at once" rows whose e-mail failed."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(delivery=Delivery.DIGEST) | Q(delivery=Delivery.IMMEDIATE, created_at__lt=now - RETRY_AFTER),
        emailed_at__isnull=True,
        recipient__is_active=True,
    ).exclude(recipient__email="")


def digest_send(*, now: datetime.datetime | None = None) -> int:
    """One e-mail per person of their unsent digest notifications, oldest first, each row marked as e-mailed
    in the same transaction that reads it: run twice, the second run finds nothing to send. Returns the
    number of e-mails sent."""
    now = now or timezone.now()
    recipient_ids = sorted(set(digest_pending(now).values_list("recipient_id", flat=True)))
    sent = 0
    for recipient_id in recipient_ids:
        with transaction.atomic():
            rows = list(
                digest_pending(now)
                .filter(recipient_id=recipient_id)
                .select_for_update(of=("self",))
                .select_related("recipient", "student")
                .order_by("created_at", "id")
            )
            if not rows:
                continue
            user = rows[0].recipient
            language = _language_of(user)
            with translation.override(language):
                subject = translation.ngettext(
                    "Waypoint: %(count)d new notification", "Waypoint: %(count)d new notifications", len(rows)
                ) % {"count": len(rows)}
            # Sent inside the transaction on purpose: if the mail server refuses, the rows stay unsent.
            _send(user, subject, "notifications/email/digest.txt", _lines(rows, language), language)
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
            sent += 1
    return sent


def notification_mark_read(*, context: RequestContext, notification_id: int) -> Notification:
    """Mark one of the reader's own notifications as read (again is harmless); someone else's is 404."""
    actor = context.actor
    if actor is None:
        raise NotPermitted(_("Sign in first."))
    with transaction.atomic():
        row = (
            visible_notifications(actor)
            .select_for_update(of=("self",))
            .select_related("student")
            .filter(pk=notification_id)
            .first()
        )
        if row is None or not policy.can(actor, Action.MARK_NOTIFICATION_READ, row):
            raise NotVisible(_("No such notification."))
        if row.read_at is None:
            row.read_at = timezone.now()
            row.save(update_fields=["read_at"])
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                object_type="notification",
                object_id=str(row.pk),
                student=row.student,
                reason="Marked as read",
            )
    return row


def notifications_mark_all_read(*, context: RequestContext) -> int:
    """Mark every unread notification of the reader as read; one audit row per student they were about."""
    actor = context.actor
    if actor is None:
        raise NotPermitted(_("Sign in first."))
    with transaction.atomic():
        unread = visible_notifications(actor).filter(read_at__isnull=True)
        student_ids = set(unread.values_list("student_id", flat=True))
        marked = unread.update(read_at=timezone.now())
        if marked:
            audit_record_students(
                context=context,
                action=AuditAction.UPDATE,
                object_type="notification",
                students=Student.objects.filter(pk__in=student_ids).order_by("pk"),
                reason="Marked all notifications as read",
            )
    return marked


def notification_preferences_set(*, context: RequestContext, choices: Mapping[str, str]) -> int:
    """Save the reader's delivery for each kind named in `choices` (code → delivery); returns how many
    changed. Every problem is listed before anything is written."""
    actor = context.actor
    if actor is None or not policy.can(actor, Action.EDIT_NOTIFICATION_PREFERENCES, actor):
        raise NotPermitted(_("Sign in first."))
    roles = roles_of(actor)
    known = {kind.code: kind for kind in kinds()}
    problems = []
    for code, delivery in choices.items():
        kind = known.get(code)
        if kind is None:
            problems.append(_("There is no kind of notification called “%(code)s”.") % {"code": code})
        elif delivery not in Delivery.values:
            problems.append(_("Choose how “%(kind)s” reaches you.") % {"kind": kind.label})
        elif delivery == Delivery.IN_APP and not kind.may_turn_off_email(roles):
            problems.append(
                _("“%(kind)s” is always e-mailed to you: choose at once or once a day.")
                % {"kind": kind.label}
            )
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        stored = dict(
            NotificationPreference.objects.filter(user=actor, kind__in=choices).values_list(
                "kind", "delivery"
            )
        )
        changed = {
            code: delivery
            for code, delivery in choices.items()
            if stored.get(code, known[code].default_delivery) != delivery
        }
        now = timezone.now()
        for code, delivery in changed.items():
            NotificationPreference.objects.update_or_create(
                user=actor, kind=code, defaults={"delivery": delivery, "updated_at": now}
            )
        if changed:
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                object_type="notification-preferences",
                object_id=str(actor.pk),
                district_id=actor.district_id,
                reason=", ".join(f"{code}: {delivery}" for code, delivery in sorted(changed.items())),
            )
    return len(changed)
