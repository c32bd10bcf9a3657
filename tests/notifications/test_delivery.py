"""How notifications reach people: each person's choice per kind, e-mail at once only after the write commits,
the daily digest once, and every text in the reader's language."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid
from waypoint.core.models import AuditEvent, User
from waypoint.notifications.models import Delivery, Notification, NotificationPreference
from waypoint.notifications.registry import EventKind, render
from waypoint.notifications.services import digest_send, notification_preferences_set, notify

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def _mailbox(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def tell(demo: Demo, *usernames: str, kind: str = "evidence.feedback") -> list[Notification]:
    return notify(
        kind=kind,
        recipients=[demo.users[name] for name in usernames],
        student=demo.student,
        params={"title": "Lab report", "author": "Ms. Rivera"},
        url=f"/students/{demo.student.pk}/evidence/",
    )


def choose(user: User, kind: str, delivery: Delivery) -> None:
    notification_preferences_set(context=RequestContext(user=user), choices={kind: delivery})


def test_by_default_a_notification_waits_for_the_digest(demo: Demo) -> None:
    (row,) = tell(demo, "guardian")
    assert row.delivery == Delivery.DIGEST


def test_at_once_is_sent_after_commit_in_the_readers_language(
    demo: Demo, django_capture_on_commit_callbacks: Capture
) -> None:
    guardian = demo.users["guardian"]
    choose(guardian, "evidence.feedback", Delivery.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (row,) = tell(demo, "guardian")
    assert row.delivery == Delivery.IMMEDIATE
    assert mail.outbox == []  # nothing leaves inside the write
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == [guardian.email]
    assert message.subject == render(row, language="en").subject
    assert "Lab report" in message.subject
    assert f"/students/{demo.student.pk}/evidence/" in message.body
    row.refresh_from_db()
    assert row.emailed_at is not None


def test_a_write_that_rolls_back_sends_nothing(
    demo: Demo, django_capture_on_commit_callbacks: Capture
) -> None:
    choose(demo.users["guardian"], "evidence.feedback", Delivery.IMMEDIATE)
    before = Notification.objects.count()

    def failing_write() -> None:
        with transaction.atomic():
            tell(demo, "guardian")
            raise RuntimeError("the write fails after notifying")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_write()
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == before


def test_in_waypoint_only_is_never_e_mailed(demo: Demo, django_capture_on_commit_callbacks: Capture) -> None:
    choose(demo.users["guardian"], "evidence.feedback", Delivery.IN_APP)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (row,) = tell(demo, "guardian")
    assert callbacks == []
    assert row.delivery == Delivery.IN_APP
    digest_send()
    assert [m for m in mail.outbox if demo.users["guardian"].email in m.to] == []


def test_the_digest_sends_one_e_mail_per_person_once(demo: Demo) -> None:
    tell(demo, "guardian", "student")
    tell(demo, "guardian", kind="evidence.revision_requested")
    sent = digest_send()
    assert sent == 2
    by_person = {message.to[0]: message for message in mail.outbox}
    guardian = by_person[demo.users["guardian"].email]
    assert "2" in guardian.subject
    assert guardian.body.count("Lab report") == 2
    assert not Notification.objects.filter(emailed_at__isnull=True, delivery=Delivery.DIGEST).exists()
    output = io.StringIO()
    call_command("send_notification_digest", stdout=output)
    assert output.getvalue().strip() == "Sent 0 digest e-mails."
    assert len(mail.outbox) == 2  # run twice, sent once


def test_text_is_rendered_in_the_readers_language(demo: Demo, language_kind: EventKind) -> None:
    guardian, student = demo.users["guardian"], demo.users["student"]
    User.objects.filter(pk=guardian.pk).update(language="es")
    guardian.refresh_from_db()
    rows = notify(kind=language_kind.code, recipients=[guardian, student], student=demo.student, params={})
    by_reader = {row.recipient.username: row for row in rows}
    assert render(by_reader["guardian"], language="es").subject == "language=es"
    digest_send()
    subjects = {message.to[0]: message.body for message in mail.outbox}
    assert "language=es" in subjects[guardian.email]
    # No saved language: English.
    assert "language=en" in subjects[student.email]


def test_guardians_cannot_turn_off_e_mail_about_paths(demo: Demo) -> None:
    guardian = demo.users["guardian"]
    with pytest.raises(Invalid, match="always e-mailed"):
        choose(guardian, "pathways.path_decision", Delivery.IN_APP)
    choose(demo.users["student"], "pathways.path_decision", Delivery.IN_APP)
    assert NotificationPreference.objects.get(user=demo.users["student"]).delivery == Delivery.IN_APP


def test_a_preference_change_is_audited_and_unknown_kinds_refused(demo: Demo) -> None:
    guardian = demo.users["guardian"]
    choose(guardian, "mastery.level_changed", Delivery.IMMEDIATE)
    event = AuditEvent.objects.filter(object_type="notification-preferences", actor=guardian).get()
    assert "mastery.level_changed: immediate" in event.reason
    with pytest.raises(Invalid):
        choose(guardian, "no.such_kind", Delivery.IMMEDIATE)
