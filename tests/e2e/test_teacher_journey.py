"""A teacher signs in, finds own students, opens one, and cannot open a student of another district."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import follow_nav, screenshot, sign_in, sign_out
from waypoint.core.models import AuditAction, AuditEvent, Section, Student

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_teacher_sees_own_students_and_not_another_districts(page: Page, demo_site: str) -> None:
    jordan = Student.objects.get(user__username="student")
    other_section = Section.objects.filter(teachers__username="other-teacher").order_by("pk").first()
    assert other_section is not None
    outsider = other_section.roster.order_by("pk").first().student  # type: ignore[union-attr]

    sign_in(page, demo_site, "teacher")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana Whitfield")
    screenshot(page, "teacher-home")

    follow_nav(page, "Students")
    expect(page.get_by_role("heading", level=1)).to_have_text("Students")
    rows = page.locator("#student-results tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 5
    expect(page.locator("#student-results")).not_to_contain_text(
        outsider.last_name + ", " + outsider.first_name
    )

    page.get_by_label("Search students by name or state ID").fill("Alvarez")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Alvarez"))
    screenshot(page, "teacher-search")

    page.get_by_role("link", name="Alvarez, Jordan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jordan Alvarez")
    expect(page.get_by_text("Riverside High School").first).to_be_visible()
    expect(page.get_by_role("heading", name="Demographics")).to_have_count(0)
    screenshot(page, "teacher-student")
    assert page.url.endswith(f"/students/{jordan.pk}/")

    response = page.goto(f"{demo_site}/students/{outsider.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("not found", re.IGNORECASE))
    expect(page.locator("body")).not_to_contain_text(outsider.last_name)
    screenshot(page, "teacher-denied")

    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor__username="teacher")
    assert list(denied.values_list("student_id", flat=True)) == [outsider.pk]


def test_student_on_a_phone_sees_who_viewed_their_record(
    phone: Page, demo_site: str, browser: object
) -> None:
    jordan = Student.objects.get(user__username="student")
    sign_in(phone, demo_site, "teacher")
    phone.goto(f"{demo_site}/students/{jordan.pk}/")
    sign_out(phone)

    sign_in(phone, demo_site, "student")
    follow_nav(phone, "Who viewed my record")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Jordan Alvarez")
    expect(phone.locator("main")).to_contain_text("Dana Whitfield")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "student-phone-disclosures")


def test_skip_link_is_the_first_stop_for_keyboard_users(page: Page, demo_site: str) -> None:
    sign_in(page, demo_site, "advisor")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
