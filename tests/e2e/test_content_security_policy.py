"""Pages run under a strict Content-Security-Policy, and nothing on them needs an exception to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.conftest import sign_in
from waypoint.core.models import Student

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_no_page_violates_the_policy(page: Page, demo_site: str) -> None:
    violations: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    jordan = Student.objects.get(user__username="student")
    sign_in(page, demo_site, "teacher")
    for path in ["/", "/students/", f"/students/{jordan.pk}/", "/sections/", "/account/tokens/"]:
        response = page.goto(demo_site + path)
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(demo_site + "/students/")
    page.get_by_label("Search students by name or state ID").fill("Alvarez")
    expect(page.locator("#student-results tbody tr")).to_have_count(1)

    page.goto(demo_site + "/api/v1/docs")
    expect(page.get_by_text("Waypoint API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/students").first).to_be_visible()
    assert violations == []
