"""Multiple paths of study in a browser: `student` edits their interests, sees recommendations with reasons
and proposes an internship; `advisor` asks for a change, then approves; `mentor` sees that student's
internship evidence page and nothing else; the equal access report shows participation by subgroup with
small groups suppressed. No page breaks the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import follow_nav, screenshot, sign_in
from waypoint.core.models import Student
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.profiles.models import LearnerProfile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
INTERNSHIP = "Engineering design internship"


def new_page(browser: Browser, violations: list[str], width: int = 1280, height: int = 900) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    return page


def test_student_proposes_advisor_approves_mentor_sees_only_that_path(
    browser: Browser, demo_site: str
) -> None:
    violations: list[str] = []
    jordan = Student.objects.get(user__username="student")

    # The student edits their interests and sees recommendations with their reasons.
    student = new_page(browser, violations, 390, 844)
    sign_in(student, demo_site, "student")
    follow_nav(student, "Paths")
    student.get_by_role("link", name="Learner profile of Jordan Alvarez").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("My learner profile")
    student.get_by_role("link", name="Edit my profile").click()
    student.get_by_label("Interests").fill("robotics, engineering, drawing")
    screenshot(student, "pathways-profile-edit")
    student.get_by_role("button", name="Save my profile").click()
    expect(student.locator(".messages")).to_contain_text("Your profile is saved")
    assert LearnerProfile.objects.get(student=jordan).interests == ["robotics", "engineering", "drawing"]

    student.get_by_role("link", name="See opportunities recommended for me").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Recommended for you")
    card = student.locator(".recommendation").filter(has_text=INTERNSHIP)
    expect(card.locator(".reason")).to_contain_text("Recommended because")
    expect(card.locator(".reason")).to_contain_text("your interests in robotics and engineering")
    screenshot(student, "pathways-recommendations")

    # It proposes the internship.
    card.get_by_role("link", name=re.compile(f"^Propose this.*{INTERNSHIP}")).click()
    expect(student.get_by_role("heading", level=1)).to_have_text(f"Propose: {INTERNSHIP}")
    student.get_by_label("Why this path?").fill("I want to design machines, as my profile says.")
    student.get_by_role("button", name="Send my proposal").click()
    expect(student.get_by_role("heading", level=1)).to_have_text(INTERNSHIP)
    expect(student.locator(".lede")).to_contain_text("Proposed")
    path = PathProposal.objects.get(student=jordan, opportunity__title=INTERNSHIP)

    # The advisor asks for a change.
    advisor = new_page(browser, violations)
    sign_in(advisor, demo_site, "advisor")
    follow_nav(advisor, "Approvals")
    advisor.get_by_role("link", name=re.compile(f"^{INTERNSHIP} \\(Jordan Alvarez\\)")).click()
    advisor.get_by_label("Ask for changes").check()
    advisor.get_by_label("Notes for the student").fill("Say which goal of your success plan this serves.")
    advisor.get_by_role("button", name="Send the decision").click()
    expect(advisor.locator(".messages")).to_contain_text("sent back to Jordan Alvarez")
    path.refresh_from_db()
    assert path.status == PathStatus.CHANGES_REQUESTED

    # The student makes the change.
    student.reload()
    expect(student.locator(".alert-warning")).to_contain_text(
        "Say which goal of your success plan this serves."
    )
    student.get_by_role("link", name="Make the changes").click()
    student.get_by_label("Why this path?").fill(
        "It serves my career goal: an internship linked to my interests."
    )
    student.get_by_role("button", name="Send the revised proposal").click()
    expect(student.locator(".messages")).to_contain_text("sent back for approval")

    # The advisor approves: the path starts today, with the employer's mentor.
    advisor.reload()
    advisor.get_by_label("Approve").check()
    advisor.get_by_label("Notes for the student").fill("Approved. Gwen Harlow will mentor you.")
    advisor.get_by_role("button", name="Send the decision").click()
    expect(advisor.locator(".messages")).to_contain_text("approved and has started")
    screenshot(advisor, "pathways-approved")
    path.refresh_from_db()
    assert path.status == PathStatus.ACTIVE
    assert path.mentor is not None
    assert path.mentor.username == "mentor"

    # The mentor sees the student's internship page, and nothing else of the student's record.
    mentor = new_page(browser, violations)
    sign_in(mentor, demo_site, "mentor")
    main_nav = mentor.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Approvals")).to_have_count(0)
    follow_nav(mentor, "Paths")
    expect(mentor.get_by_role("heading", level=1)).to_have_text("Students you mentor")
    mentor.get_by_role("link", name=INTERNSHIP).click()
    expect(mentor.get_by_role("heading", level=1)).to_have_text(INTERNSHIP)
    expect(mentor.locator("main")).to_contain_text("Jordan Alvarez")
    expect(mentor.locator("main")).to_contain_text("Approved. Gwen Harlow will mentor you.")
    expect(mentor.locator("main")).not_to_contain_text("It serves my career goal")
    screenshot(mentor, "pathways-mentor-path")
    other = PathProposal.objects.exclude(student=jordan).filter(status=PathStatus.PROPOSED).first()
    assert other is not None
    for hidden in (
        f"/students/{jordan.pk}/",
        f"/students/{jordan.pk}/profile/",
        f"/students/{jordan.pk}/plan/",
        f"/students/{jordan.pk}/recommendations/",
        f"/paths/{other.pk}/",
        "/paths/queue/",
        "/access-report/",
    ):
        response = mentor.goto(demo_site + hidden)
        assert response is not None
        assert response.status in (403, 404), hidden

    # The equal access report: participation by subgroup, small groups hidden.
    admin = new_page(browser, violations)
    sign_in(admin, demo_site, "district-admin")
    follow_nav(admin, "Equal access")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Equal access to paths of study")
    gender = admin.get_by_role("table", name="Gender")
    expect(gender.get_by_role("columnheader", name=re.compile("^Female"))).to_be_visible()
    expect(gender.get_by_role("rowheader", name="Internship")).to_be_visible()
    expect(gender.locator("td", has_text="hidden").first).to_be_attached()
    expect(gender.locator("td", has_text=re.compile(r"^\d+")).first).to_be_visible()
    screenshot(admin, "pathways-access-report")
    assert violations == []
