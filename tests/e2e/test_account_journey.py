"""A person's own account in the browser: a guardian who forgot their password sets a new one through the
e-mailed link; a teacher turns two-step sign-in on with an authenticator app (the codes computed from the key
the page shows) and then signs in with a code. axe finds no serious or critical violation on these pages."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from tests.e2e.conftest import axe_violations, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
BLOCKING = {"serious", "critical"}
NEW_PASSWORD = "a long new password for the guardian"


def blocking(page: Page) -> list[str]:
    return [violation["id"] for violation in axe_violations(page) if violation["impact"] in BLOCKING]


def test_a_guardian_sets_a_new_password_through_the_emailed_link(demo_site: str, page: Page) -> None:
    cache.clear()  # the reset limits count in the cache
    page.goto(f"{demo_site}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert blocking(page) == []
    page.get_by_label("E-mail address").fill("guardian@demo.waypoint.invalid")
    page.get_by_role("button", name="E-mail me a link").click()
    page.wait_for_url(f"{demo_site}/password-reset/sent/")
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    assert blocking(page) == []

    (message,) = mail.outbox
    link = re.search(r"\S+/password-reset/\S+/\S+/", str(message.body))
    assert link is not None
    page.goto(demo_site + link.group(0).removeprefix(settings.WAYPOINT_BASE_URL))
    page.wait_for_url("**/set-password/")
    assert blocking(page) == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url(f"{demo_site}/password-reset/done/")
    screenshot(page, "account-password-reset-done")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("guardian")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_site}/")


def test_a_teacher_turns_on_two_step_sign_in_and_signs_in_with_a_code(demo_site: str, page: Page) -> None:
    sign_in(page, demo_site, "teacher")
    page.goto(f"{demo_site}/account/two-step/")
    assert blocking(page) == []
    page.get_by_role("button", name="Set up two-step sign-in").click()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert blocking(page) == []
    screenshot(page, "account-two-step-set-up")
    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your authenticator app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("heading", name="Two-step sign-in is on").is_visible()

    sign_out(page)
    page.goto(f"{demo_site}/login/?next=/students/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("waypoint-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_site}/account/two-step/verify/**")
    assert blocking(page) == []
    screenshot(page, "account-two-step-verify")
    # A code is accepted once: the app's next one is what the person types now (the step after the one that
    # turned it on).
    device = TOTPDevice.objects.get(user__username="teacher")
    next_step = device.last_t + 1 - int(time.time()) // device.step
    page.get_by_label("Code from your authenticator app").fill(f"{totp(device.bin_key, drift=next_step):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{demo_site}/students/")
