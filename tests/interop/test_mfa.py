"""Two-step sign-in (TOTP) for staff: setting it up with real codes computed from the device's key, the code
page after a password sign-in that holds back every other page, wrong codes throttled and audited, turning it
off with a code, and a sign-in through the district's provider counting as verified."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.models import AuditAction, AuditEvent, User
from waypoint.core.services import access_token_create
from waypoint.interop.services import account

PASSWORD = "waypoint-demo"


def code_for(device: TOTPDevice) -> str:
    """The code the person's app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def time_passes(device: TOTPDevice) -> None:
    """What waiting does: the throttle's wait is over, and the current code may be used again (a code is
    accepted once per 30-second step)."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0, last_t=-1
    )


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=account.DEVICE_NAME, confirmed=True)


def second_factor_events(user: User) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(object_type="second-factor", actor=user)
        .order_by("occurred_at", "id")
        .values_list("action", "reason")
    )


def sign_in_with_password(client: Client, username: str) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


# Setting it up and turning it off ---------------------------------------------------------------------------


def test_a_teacher_turns_two_step_sign_in_on_with_a_code_from_the_app(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    client.force_login(teacher)
    page = client.get("/account/two-step/")
    assert page.status_code == 200
    assert b"Two-step sign-in is off" in page.content

    assert client.post("/account/two-step/", {"do": "start"}).status_code == 302
    device = TOTPDevice.objects.get(user=teacher)
    assert not device.confirmed
    page = client.get("/account/two-step/")
    body = page.content.decode()
    # The QR code is inline SVG (no script, no image request); the key is shown for typing in by hand.
    assert '<svg role="img"' in body
    secret = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', body)
    assert secret is not None
    typed = secret.group(1).replace(" ", "")
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == device.bin_key

    refused = client.post("/account/two-step/", {"do": "confirm", "code": wrong_code(device)})
    assert refused.status_code == 400
    assert b"That code is not right" in refused.content
    device.refresh_from_db()
    assert not device.confirmed

    time_passes(device)
    accepted = client.post("/account/two-step/", {"do": "confirm", "code": code_for(device)})
    assert accepted.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert b"Two-step sign-in is on" in client.get("/account/two-step/").content
    assert second_factor_events(teacher) == [
        (AuditAction.CREATE, "set-up started"),
        (AuditAction.LOGIN_FAILED, "set-up: wrong code"),
        (AuditAction.UPDATE, "turned on"),
    ]
    # The session that set it up is not asked for a code again.
    assert client.get("/").status_code == 200


def test_the_otpauth_link_names_waypoint_and_the_account(demo: Demo) -> None:
    teacher = demo.users["teacher"]
    context = RequestContext(user=teacher)
    account.second_factor_start(context=context)
    setup = account.second_factor_setup(context=context)
    assert setup.config_url.startswith("otpauth://totp/Waypoint%3Ateacher?secret=")
    assert "issuer=Waypoint" in setup.config_url
    assert "digits=6" in setup.config_url
    assert "period=30" in setup.config_url


def test_starting_again_replaces_the_unconfirmed_key(demo: Demo) -> None:
    context = RequestContext(user=demo.users["advisor"])
    first = account.second_factor_start(context=context)
    second = account.second_factor_start(context=context)
    assert list(TOTPDevice.objects.filter(user=demo.users["advisor"])) == [second]
    assert first.key != second.key


def test_turning_it_off_needs_a_current_code(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    device = confirmed_device(teacher)
    client.force_login(teacher)
    _mark_satisfied(client, teacher)
    refused = client.post("/account/two-step/", {"do": "turn-off", "code": wrong_code(device)})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=teacher).exists()
    no_code = client.post("/account/two-step/", {"do": "turn-off", "code": ""})
    assert no_code.status_code == 400
    time_passes(device)
    assert client.post("/account/two-step/", {"do": "turn-off", "code": code_for(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=teacher).exists()
    assert second_factor_events(teacher)[-1] == (AuditAction.DELETE, "turned off")


@pytest.mark.parametrize("username", ["student", "guardian", "mentor"])
def test_two_step_sign_in_is_for_staff(demo: Demo, client: Client, username: str) -> None:
    client.force_login(demo.users[username])
    assert client.get("/account/two-step/").status_code == 403
    assert client.post("/account/two-step/", {"do": "start"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=demo.users[username]).exists()


# The code page after a password sign-in ---------------------------------------------------------------------


def test_a_password_sign_in_waits_for_the_code_before_any_page(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    device = confirmed_device(teacher)
    sign_in_with_password(client, "teacher")

    for path in ("/", "/students/", "/account/two-step/", "/admin/"):
        held = client.get(path)
        assert held.status_code == 302, path
        assert held["Location"].startswith("/account/two-step/verify/?next="), path
    # A form posted before the code is not carried out either.
    assert client.post("/account/two-step/", {"do": "start"}).status_code == 302
    # The menu is left out of the code page (every link would lead back to it); signing out stays.
    page = client.get("/account/two-step/verify/?next=/students/")
    assert page.status_code == 200
    assert b'id="site-nav"' not in page.content
    assert b'action="/logout/"' in page.content

    refused = client.post("/account/two-step/verify/", {"code": wrong_code(device), "next": "/students/"})
    assert refused.status_code == 400
    assert b"That code is not right" in refused.content
    # Right away, even the right code waits: django-otp's throttle doubles the wait after each failure.
    throttled = client.post("/account/two-step/verify/", {"code": code_for(device), "next": "/students/"})
    assert throttled.status_code == 400
    assert b"Too many wrong codes" in throttled.content
    assert client.get("/students/").status_code == 302

    time_passes(device)
    session_before = client.session.session_key
    accepted = client.post("/account/two-step/verify/", {"code": code_for(device), "next": "/students/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/students/"
    # More trust, new session key.
    assert client.session.session_key != session_before
    assert client.get("/students/").status_code == 200
    assert client.get("/account/two-step/verify/").status_code == 302
    assert [event for event in second_factor_events(teacher) if event[0] != AuditAction.CREATE] == [
        (AuditAction.LOGIN_FAILED, "sign-in: wrong code"),
        (AuditAction.LOGIN_FAILED, "sign-in: throttled"),
        (AuditAction.LOGIN, "second step"),
    ]


def test_the_code_page_sends_only_to_pages_of_this_site(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    device = confirmed_device(teacher)
    sign_in_with_password(client, "teacher")
    for outside in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "https:/evil.example/"):
        time_passes(device)
        client.logout()
        sign_in_with_password(client, "teacher")
        response = client.post("/account/two-step/verify/", {"code": code_for(device), "next": outside})
        assert response.status_code == 302
        assert response["Location"] == "/", outside


def test_what_the_code_page_lets_through(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    confirmed_device(teacher)
    sign_in_with_password(client, "teacher")
    assert client.get("/healthz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "es"}).status_code == 302
    # htmx gets a full-page redirect instead of the code page pasted into a fragment.
    partial = client.get("/students/?q=a", HTTP_HX_REQUEST="true")
    assert partial.status_code == 204
    assert partial["HX-Redirect"].startswith("/account/two-step/verify/")
    assert client.post("/logout/").status_code == 302
    assert SESSION_KEY not in client.session


def test_the_api_answers_an_unverified_session_as_signed_out(demo: Demo, client: Client) -> None:
    teacher = demo.users["teacher"]
    confirmed_device(teacher)
    sign_in_with_password(client, "teacher")
    assert client.get("/api/v1/me").status_code == 401
    # A personal access token authenticates by itself (it was made in a verified session).
    _, raw = access_token_create(context=RequestContext(user=teacher), user=teacher, name="script")
    with_token = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert with_token.status_code == 200
    assert with_token.json()["username"] == "teacher"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wp_not-a-token").status_code == 401


def test_a_session_waiting_for_a_code_is_let_go_when_the_app_is_turned_off_elsewhere(
    demo: Demo, client: Client
) -> None:
    teacher = demo.users["teacher"]
    device = confirmed_device(teacher)
    sign_in_with_password(client, "teacher")
    assert client.get("/").status_code == 302
    device.delete()
    response = client.get("/account/two-step/verify/?next=/students/")
    assert (response.status_code, response["Location"]) == (302, "/students/")
    assert client.get("/").status_code == 200


def test_staff_without_a_device_are_not_asked(demo: Demo, client: Client) -> None:
    sign_in_with_password(client, "teacher")
    assert client.get("/").status_code == 200
    assert client.get("/account/two-step/verify/").status_code == 302


def test_a_sign_in_through_the_provider_counts_as_verified(demo: Demo, client: Client) -> None:
    """What T5's callback does after `login()`: the provider did its own multi-factor check."""
    teacher = demo.users["teacher"]
    confirmed_device(teacher)
    client.force_login(teacher)
    assert client.get("/").status_code == 302
    _mark_satisfied(client, teacher)
    assert client.get("/").status_code == 200


def test_a_verified_mark_is_for_its_own_user_only(demo: Demo, client: Client) -> None:
    """A session that changes hands is not trusted: the mark names the person it was given to."""
    advisor = demo.users["advisor"]
    confirmed_device(advisor)
    client.force_login(demo.users["teacher"])
    _mark_satisfied(client, demo.users["teacher"])
    session = client.session
    session[SESSION_KEY] = str(advisor.pk)
    session["_auth_user_hash"] = advisor.get_session_auth_hash()
    session.save()
    assert client.get("/").status_code == 302


def test_a_noted_session_costs_pages_no_query(demo: Demo) -> None:
    teacher = demo.users["teacher"]
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = teacher
    account.mark_second_factor_satisfied(request)
    with CaptureQueriesContext(connection) as captured:
        assert account.second_factor_pending(request) is False
    assert len(captured) == 0


def test_the_sign_in_receiver_notes_whether_a_code_is_owed(demo: Demo) -> None:
    teacher = demo.users["teacher"]
    request = RequestFactory().get("/")
    request.session = SessionStore()
    account.second_factor_note_sign_in(sender=User, request=request, user=teacher)
    assert request.session[account.SECOND_FACTOR_SESSION_KEY] == {"user": teacher.pk, "done": True}
    confirmed_device(teacher)
    account.second_factor_note_sign_in(sender=User, request=request, user=teacher)
    assert request.session[account.SECOND_FACTOR_SESSION_KEY] == {"user": teacher.pk, "done": False}


# Helpers ----------------------------------------------------------------------------------------------------


def _mark_satisfied(client: Client, user: User) -> None:
    """Call the function on a request carrying the client's session, as the provider's callback does."""
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    request.user = user
    account.mark_second_factor_satisfied(request)
    session.save()
