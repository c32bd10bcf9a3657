"""Variable time in a browser: a certified teacher advances `student` in the middle of the year; `advisor`
sees an off-track student and a subgroup alert, opens a support, and holds a conference with Jordan's family
whose next step becomes a success-plan milestone and whose notes are shared; `guardian` reads the shared
notes in Spanish. axe-core finds no serious violation on the pages the journey opens, and no page breaks the
Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import axe_violations, follow_nav, screenshot, sign_in
from waypoint.core.models import Student, User
from waypoint.policy import today
from waypoint.profiles.models import GoalMilestone
from waypoint.progress.models import Advancement, AlertKind, Conference, ConferenceShare, Support

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
BLOCKING = {"serious", "critical"}
NOTES = "Jordan presented his lab work; we agreed on a plan for the next unit."
STEP = "Finish the lab report revision"


def new_page(browser: Browser, violations: list[str], width: int = 1280, height: int = 900) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    return page


def scan(page: Page, failures: list[str]) -> None:
    for violation in axe_violations(page):
        if violation["impact"] in BLOCKING:
            failures.append(f"{page.url}: {violation['id']} ({violation['impact']})")


def test_advance_support_conference_and_shared_notes_in_spanish(browser: Browser, demo_site: str) -> None:
    violations: list[str] = []
    failures: list[str] = []
    jordan = Student.objects.get(user__username="student")

    # 1. The certified teacher advances Jordan, who meets his course's requirements, today: mid-year.
    teacher = new_page(browser, violations)
    sign_in(teacher, demo_site, "teacher")
    follow_nav(teacher, "Ready to advance")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Students ready to advance")
    teacher.get_by_role("link", name="Advance Jordan Alvarez").first.click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Advance Jordan Alvarez")
    scan(teacher, failures)
    teacher.get_by_role("button", name="Record the advancement").click()
    expect(teacher.locator(".messages")).to_contain_text("Jordan Alvarez moves to")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Jordan Alvarez’s pace toward graduation")
    expect(teacher.locator(".advancement").first).to_contain_text("Requirements met")
    advancement = Advancement.objects.get(student=jordan, advanced_on=today())
    assert advancement.requirements_met
    screenshot(teacher, "progress-advanced")

    # 2. The advisor sees an off-track student and a subgroup alert, and opens a support from the first.
    advisor = new_page(browser, violations, 390, 844)
    sign_in(advisor, demo_site, "advisor")
    follow_nav(advisor, "Alerts")
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Alerts about pace and progress")
    table = advisor.get_by_role("table")
    expect(table.get_by_text(str(AlertKind.SUBGROUP_PACE.label)).first).to_be_visible()
    scan(advisor, failures)
    advisor.get_by_label("Kind").select_option(AlertKind.OFF_TRACK.value)
    advisor.get_by_role("button", name="Show").click()
    off_track = advisor.get_by_role("table").get_by_role("rowheader").get_by_role("link").first
    off_track.click()
    expect(advisor.locator(".alert-sentence")).to_contain_text("Off track:")
    advisor.get_by_role("link", name="Open a support").click()
    advisor.get_by_label("Kind of support").select_option("tutoring")
    advisor.get_by_label("What it is").fill("Two tutoring sessions a week in mathematics.")
    scan(advisor, failures)
    advisor.get_by_role("button", name="Open the support").click()
    expect(advisor.locator(".messages")).to_contain_text("The support for")
    support = Support.objects.get(description="Two tutoring sessions a week in mathematics.")
    assert support.alert is not None
    assert support.alert.kind == AlertKind.OFF_TRACK

    # ...and holds a conference with Jordan and his guardian; its next step becomes a milestone.
    advisor.goto(f"{demo_site}/students/{jordan.pk}/trajectory/")
    advisor.get_by_role("link", name="Schedule a conference").click()
    advisor.get_by_label("Advisor–family conference").check()
    guardian_user = User.objects.get(username="guardian")
    advisor.get_by_label(guardian_user.display_name).check()
    advisor.get_by_role("button", name="Schedule the conference").click()
    expect(advisor.locator(".messages")).to_contain_text("The conference is scheduled")
    advisor.get_by_label("Notes").fill(NOTES)
    advisor.locator("#id_steps-0-text").fill(STEP)
    scan(advisor, failures)
    advisor.get_by_role("button", name="Record the conference").click()
    expect(advisor.locator(".messages")).to_contain_text("recorded with its next steps")
    expect(advisor.get_by_role("region", name="Next steps")).to_contain_text(
        "a milestone of the success plan"
    )
    assert GoalMilestone.objects.filter(goal__plan__student=jordan, description=STEP).exists()
    advisor.get_by_role("group", name=re.compile("Share the notes with")).get_by_label(
        guardian_user.display_name
    ).check()
    advisor.get_by_role("button", name="Share the notes").click()
    expect(advisor.locator(".messages")).to_contain_text("The notes are shared")
    conference = Conference.objects.get(student=jordan, notes=NOTES)
    assert ConferenceShare.objects.filter(conference=conference, guardian=guardian_user).exists()
    screenshot(advisor, "progress-conference")

    # 3. The guardian, who reads Waypoint in Spanish, finds the shared notes from the home page.
    guardian_user.language = "es"
    guardian_user.save(update_fields=["language"])
    guardian = new_page(browser, violations)
    sign_in(guardian, demo_site, "guardian")
    panel = guardian.locator("#panel-conference-notes")
    expect(panel).to_contain_text("Notas de reunión compartidas con usted")
    panel.get_by_role("link").first.click()
    expect(guardian.locator("html")).to_have_attribute("lang", "es")
    expect(guardian.get_by_role("heading", name="Próximos pasos")).to_be_visible()
    expect(guardian.get_by_role("heading", name="Notas")).to_be_visible()
    expect(guardian.locator(".conference-notes")).to_contain_text(NOTES)
    expect(guardian.locator("main")).to_contain_text(STEP)
    scan(guardian, failures)
    screenshot(guardian, "progress-guardian-notes-es")

    assert failures == [], "\n".join(failures)
    assert violations == []
