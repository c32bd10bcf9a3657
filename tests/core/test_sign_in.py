"""Sign-in: argon2 hashes, lockout after repeated failures, sessions and personal access tokens."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.factories import CertificationFactory, RoleFactory
from waypoint.core.audit import RequestContext
from waypoint.core.models import AccessToken, AuditAction, AuditEvent, Role, User
from waypoint.core.services import access_token_create, access_token_revoke, token_digest

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase"


@pytest.fixture
def teacher() -> User:
    user = RoleFactory(role=Role.TEACHER).user
    user.set_password(PASSWORD)
    user.save()
    return user


def test_passwords_are_hashed_with_argon2(teacher: User) -> None:
    assert teacher.password.startswith("argon2$argon2id$")


def test_login_page_signs_in_and_logout_needs_post(client: Client, teacher: User) -> None:
    response = client.post("/login/", {"username": teacher.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_account_locks_after_five_failures(client: Client, teacher: User) -> None:
    for _ in range(5):
        response = client.post("/login/", {"username": teacher.username, "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post("/login/", {"username": teacher.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get("/").status_code == 302, "the right password must not get through while locked"
    other_address = Client(REMOTE_ADDR="10.0.0.99")
    assert (
        other_address.post("/login/", {"username": teacher.username, "password": PASSWORD}).status_code == 302
    )


def test_bearer_token_authenticates_api_and_is_stored_as_digest(client: Client, teacher: User) -> None:
    token, raw = access_token_create(context=RequestContext(user=teacher), user=teacher, name="laptop")
    assert raw.startswith("wp_")
    assert len(raw) > 40
    assert token.token_digest == token_digest(raw)
    assert raw not in token.token_digest
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == teacher.username
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", ["", "Bearer wp_not-a-real-token", "Bearer ", "Basic dGVhY2hlcjp4"])
def test_api_refuses_missing_or_bad_credentials(client: Client, header: str) -> None:
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/api/v1/me", **headers).status_code == 401
    assert client.get("/api/v1/students", **headers).status_code == 401


def test_revoked_and_expired_tokens_are_refused(client: Client, teacher: User) -> None:
    context = RequestContext(user=teacher)
    revoked, revoked_raw = access_token_create(context=context, user=teacher, name="old")
    access_token_revoke(context=context, user=teacher, token_id=revoked.pk)
    _, expired_raw = access_token_create(
        context=context, user=teacher, name="short", expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    for raw in (revoked_raw, expired_raw):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_of_deactivated_user_is_refused(client: Client, teacher: User) -> None:
    _, raw = access_token_create(context=RequestContext(user=teacher), user=teacher, name="x")
    teacher.is_active = False
    teacher.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_command_prints_a_working_token(
    client: Client, teacher: User, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("token", teacher.username, days=30)
    raw = capsys.readouterr().out.strip()
    token = AccessToken.objects.get(user=teacher, token_digest=token_digest(raw))
    assert token.expires_at is not None
    assert 29 <= (token.expires_at - timezone.now()).days <= 30
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == teacher.username
    created = AuditEvent.objects.get(object_type="access-token", action=AuditAction.CREATE)
    assert created.actor_id is None, "the operator at the shell acted, not the token's owner"
    assert "waypoint token" in created.reason


@pytest.mark.parametrize("args", [["nobody-here"], ["--days", "0"], ["--days", "400"]])
def test_token_command_refuses_bad_input_and_writes_nothing(teacher: User, args: list[str]) -> None:
    if args[0].startswith("--"):
        args = [teacher.username, *args]
    with pytest.raises(CommandError):
        call_command("token", *args)
    assert not AccessToken.objects.exists()


def test_token_page_creates_shows_once_and_revokes(client: Client, teacher: User) -> None:
    client.force_login(teacher)
    created = client.post("/account/tokens/", {"name": "grading script", "days": "30"})
    assert created.status_code == 200
    token = AccessToken.objects.get(user=teacher)
    assert "wp_" in created.content.decode()
    assert "wp_" not in client.get("/account/tokens/").content.decode().replace(token.prefix, "")
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(object_type="access-token", action=AuditAction.UPDATE).count() == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "   ", "days": "90"}, "needs a name"),
        ({"name": "sync", "days": "5000"}, "30, 90 or 365 days"),
        ({"name": "sync", "days": "forever"}, "30, 90 or 365 days"),
    ],
)
def test_token_page_refuses_bad_input_and_writes_nothing(
    client: Client, teacher: User, form: dict[str, str], message: str
) -> None:
    client.force_login(teacher)
    response = client.post("/account/tokens/", form)
    assert message in response.content.decode()
    assert not AccessToken.objects.exists()


def test_cannot_revoke_someone_elses_token(client: Client, teacher: User) -> None:
    other = RoleFactory(role=Role.TEACHER).user
    token, _ = access_token_create(context=RequestContext(user=other), user=other, name="theirs")
    client.force_login(teacher)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_home_and_me_say_whether_a_teacher_is_certified(client: Client, teacher: User) -> None:
    client.force_login(teacher)
    assert "Not certified" in client.get("/").content.decode()
    assert client.get("/api/v1/me").json()["certified_teacher"] is False
    CertificationFactory(teacher=teacher)
    assert "Certified teacher" in client.get("/").content.decode()
    assert client.get("/api/v1/me").json()["certified_teacher"] is True


def test_pages_carry_privacy_and_security_headers(client: Client, teacher: User) -> None:
    anonymous = client.get("/login/")
    assert "script-src 'self'" in anonymous["Content-Security-Policy"]
    assert anonymous["X-Frame-Options"] == "DENY"
    client.force_login(teacher)
    signed_in = client.get("/")
    assert signed_in["Cache-Control"] == "private, no-store"
    assert "frame-ancestors 'none'" in signed_in["Content-Security-Policy"]
    assert client.get("/api/v1/me")["Cache-Control"] == "private, no-store"
