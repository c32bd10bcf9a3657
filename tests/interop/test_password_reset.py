"""The password reset by e-mail: the link works once, the page never tells whether an account exists,
staff whose district requires its provider are sent there instead, requests are limited, the e-mail is in
the person's language, and every step is audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.conftest import Demo
from waypoint.core.models import AuditAction, AuditEvent, User
from waypoint.interop.models import IdentityProvider
from waypoint.interop.services import account

NEW_PASSWORD = "correct horse battery staple 42"
LINK = re.compile(r"https?://\S+/password-reset/\S+/\S+/")


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """The request limits count in the cache, which outlives a test's database rollback."""
    cache.clear()
    yield
    cache.clear()


def ask(client: Client, email: str, **extra: Any) -> Any:
    return client.post("/password-reset/", {"email": email}, **extra)


def link_in(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found is not None, message.body
    return found.group(0)


def password_events(username: str) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(object_type="password", object_id=username)
        .order_by("occurred_at", "id")
        .values_list("action", "reason")
    )


def test_the_page_asks_for_an_address(demo: Demo, client: Client) -> None:
    response = client.get("/password-reset/")
    assert response.status_code == 200
    assert b'type="email"' in response.content
    assert b'autocomplete="email"' in response.content


def test_a_link_sets_a_new_password_once(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    response = ask(client, teacher.email)
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert client.get(response["Location"]).status_code == 200
    (message,) = mail.outbox
    assert message.to == [teacher.email]
    link = link_in(message)
    # The link is built on the site's own address, not on the request's Host header.
    assert link.startswith(settings.WAYPOINT_BASE_URL + "/password-reset/")

    path = link.removeprefix(settings.WAYPOINT_BASE_URL)
    opened = client.get(path)
    # Django moves the token out of the address before showing the form (no leak through Referer).
    assert opened.status_code == 302
    assert opened["Location"].endswith("/set-password/")
    form = client.get(opened["Location"])
    assert form.status_code == 200
    assert b'name="new_password1"' in form.content
    saved = client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert saved.status_code == 302
    assert saved["Location"] == "/password-reset/done/"
    assert client.get("/password-reset/done/").status_code == 200

    teacher.refresh_from_db()
    assert teacher.check_password(NEW_PASSWORD)
    assert password_events("teacher") == [
        (AuditAction.CREATE, "reset link e-mailed"),
        (AuditAction.UPDATE, "set through a reset link"),
    ]
    changed = AuditEvent.objects.get(object_type="password", action=AuditAction.UPDATE)
    assert (changed.actor, changed.district_id) == (teacher, teacher.district_id)
    # Used once, the link opens nothing any more.
    again = Client().get(path)
    assert again.status_code == 200
    assert b"This link does not work" in again.content
    assert b'name="new_password1"' not in again.content


def test_a_weak_password_is_refused_with_reasons(demo: Demo, client: Client) -> None:
    ask(client, demo.users["advisor"].email)
    path = link_in(mail.outbox[0]).removeprefix(settings.WAYPOINT_BASE_URL)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert b"too short" in response.content
    assert not User.objects.get(username="advisor").check_password("short")


def test_an_unknown_address_gets_the_same_answer(demo: Demo, client: Client) -> None:
    known = ask(client, demo.users["teacher"].email)
    unknown = ask(client, "nobody-at-all@example.invalid")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1


def test_a_rostered_account_without_a_password_gets_a_link(demo: Demo, client: Client) -> None:
    """Roster imports create accounts with no usable password: the reset is how they choose a first one."""
    rostered = User.objects.create_user(
        username="rostered-teacher", email="rostered@example.invalid", district=demo.riverside
    )
    assert not rostered.has_usable_password()
    ask(client, "ROSTERED@example.invalid")
    (message,) = mail.outbox
    assert message.to == ["rostered@example.invalid"]
    assert "rostered-teacher" in str(message.body)


def test_a_closed_account_gets_nothing(demo: Demo, client: Client) -> None:
    mentor = demo.users["mentor"]
    ask(client, mentor.email)
    link = link_in(mail.outbox[0]).removeprefix(settings.WAYPOINT_BASE_URL)
    User.objects.filter(pk=mentor.pk).update(is_active=False)
    # A link sent before the account was closed opens nothing.
    assert b"This link does not work" in client.get(link).content
    mail.outbox.clear()
    cache.clear()
    assert ask(client, mentor.email).status_code == 302
    assert mail.outbox == []


@pytest.fixture
def provider_required(demo: Demo) -> IdentityProvider:
    return IdentityProvider.objects.create(
        district=demo.riverside,
        display_name="Riverside Google",
        issuer="https://accounts.example.invalid",
        client_id="waypoint",
        required_for_staff=True,
    )


def test_staff_of_a_district_that_requires_its_provider_are_sent_there(
    demo: Demo, client: Client, provider_required: IdentityProvider
) -> None:
    teacher = demo.users["teacher"]
    response = ask(client, teacher.email)
    # The page says nothing different: whether staff use a provider is not announced to strangers either.
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    (message,) = mail.outbox
    assert "Riverside Google" in str(message.body)
    assert LINK.search(str(message.body)) is None
    assert password_events("teacher") == [(AuditAction.DENIED, "told to sign in through the provider")]


def test_students_of_such_a_district_keep_their_passwords(
    demo: Demo, client: Client, provider_required: IdentityProvider
) -> None:
    student = demo.users["student"]
    ask(client, student.email)
    (message,) = mail.outbox
    assert LINK.search(str(message.body)) is not None


def test_a_link_sent_before_the_district_required_its_provider_is_refused(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    ask(client, teacher.email)
    form_url = client.get(link_in(mail.outbox[0]).removeprefix(settings.WAYPOINT_BASE_URL))["Location"]
    IdentityProvider.objects.create(
        district=demo.riverside,
        display_name="Riverside Google",
        issuer="https://accounts.example.invalid",
        client_id="waypoint",
        required_for_staff=True,
    )
    page = client.get(form_url)
    assert b"signs staff in through Riverside Google" in page.content
    assert b'name="new_password1"' not in page.content
    refused = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert refused.status_code == 403
    teacher.refresh_from_db()
    assert not teacher.check_password(NEW_PASSWORD)


def test_requests_are_limited_per_address_whether_or_not_it_is_used(demo: Demo, client: Client) -> None:
    for email in (demo.users["teacher"].email, "nobody-at-all@example.invalid"):
        answers = [ask(client, email).status_code for _ in range(account.RESETS_PER_ADDRESS_PER_HOUR + 1)]
        assert answers == [302] * account.RESETS_PER_ADDRESS_PER_HOUR + [429]
    assert len(mail.outbox) == account.RESETS_PER_ADDRESS_PER_HOUR
    refused = ask(client, demo.users["teacher"].email)
    assert b"Too many password reset requests" in refused.content


def test_requests_are_limited_per_computer(demo: Demo, client: Client) -> None:
    answers = [
        ask(client, f"person{n}@example.invalid", REMOTE_ADDR="203.0.113.9").status_code
        for n in range(account.RESETS_PER_CLIENT_PER_HOUR + 1)
    ]
    assert answers == [302] * account.RESETS_PER_CLIENT_PER_HOUR + [429]
    # Another computer is not held back.
    assert ask(client, "person0@example.invalid", REMOTE_ADDR="203.0.113.10").status_code == 302


def test_the_email_is_in_the_persons_language(
    demo: Demo, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    guardian = demo.users["guardian"]
    User.objects.filter(pk=guardian.pk).update(language="es")
    rendered_in: list[str | None] = []

    def noting_language(*args: Any, **kwargs: Any) -> str:
        rendered_in.append(translation.get_language())
        return render_to_string(*args, **kwargs)

    monkeypatch.setattr(account, "render_to_string", noting_language)
    # The page is asked for in English; the e-mail follows the account's choice.
    ask(client, guardian.email, HTTP_ACCEPT_LANGUAGE="en")
    assert rendered_in == ["es"]
    with translation.override("es"):
        assert mail.outbox[0].subject == translation.gettext("Waypoint: set your password")


def test_a_mail_server_failure_looks_like_any_other_answer(
    demo: Demo, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(account, "send_mail", refuse)
    response = ask(client, demo.users["teacher"].email)
    assert (response.status_code, response["Location"]) == (302, "/password-reset/sent/")
    assert password_events("teacher") == [(AuditAction.CREATE, "e-mail failed")]
