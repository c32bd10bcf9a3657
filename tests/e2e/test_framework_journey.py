"""A district administrator imports a CASE package, browses its tree, searches a code and opens its rubric; a
student reads a competency in student language first."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import follow_nav, screenshot, sign_in
from waypoint.frameworks.models import Competency, Framework, FrameworkKind, Rubric

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
PACKAGE = Path(__file__).parents[1] / "frameworks" / "fixtures" / "case_rubrics.json"


def test_district_admin_imports_browses_searches_and_opens_a_rubric(page: Page, demo_site: str) -> None:
    sign_in(page, demo_site, "district-admin")
    follow_nav(page, "Frameworks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Competency frameworks")
    page.get_by_role("link", name="Import a CASE file").click()
    page.get_by_label("CASE file").set_input_files(str(PACKAGE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Imported a new framework")).to_be_visible()
    screenshot(page, "framework-import")
    imported = Framework.objects.get(title="Collaboration (sample, with a rubric)")
    assert imported.owner.slug == "riverside"

    page.get_by_role("link", name="Collaboration (sample, with a rubric), version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaboration (sample, with a rubric)")
    tree = page.locator(".competency-tree")
    expect(tree).to_contain_text("COL.1")

    page.get_by_label("Search by code or words").fill("COL.1")
    results = page.locator("#search-results")
    expect(results).to_contain_text("1 match for “COL.1”")
    screenshot(page, "framework-search")
    results.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("COL.1")

    page.locator("#rubrics-heading").scroll_into_view_if_needed()
    page.get_by_role("link", name="Team role rubric").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team role rubric")
    expect(page.locator("main")).to_contain_text("Needs reminders of the role.")
    expect(page.locator("main")).to_contain_text("I need reminders of what my role is.")
    screenshot(page, "framework-rubric")

    page.go_back()
    page.get_by_role("link", name="Write a rubric for COL.1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a rubric")
    page.get_by_label("Title").fill("Team role, short form")
    for level in ("Beginning", "Developing", "Proficient", "Advanced"):
        page.get_by_label(f"{level}, for teachers").fill(f"{level}: takes on a role.")
        page.get_by_label(f"{level}, for students").fill(f"I am {level.lower()} at taking a role.")
    screenshot(page, "framework-rubric-writer")
    page.get_by_role("button", name="Save the rubric").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team role, short form")
    expect(page.locator("main")).to_contain_text("I am proficient at taking a role.")
    written = Rubric.objects.get(title="Team role, short form")
    assert written.created_by is not None
    assert written.created_by.username == "district-admin"


def test_a_student_reads_the_student_friendly_statement_first(phone: Page, demo_site: str) -> None:
    profile = Framework.objects.get(owner__slug="riverside", kind=FrameworkKind.GRADUATE_PROFILE)
    competency = (
        Competency.objects.filter(version__framework=profile, version__status="published", tier="competency")
        .order_by("path")
        .first()
    )
    assert competency is not None
    assert competency.student_statement.startswith("I can")

    sign_in(phone, demo_site, "student")
    phone.goto(f"{demo_site}/frameworks/")
    phone.get_by_role("link", name=profile.title).click()
    phone.locator(f'.competency-tree a[href="/competencies/{competency.pk}/"]').click()
    expect(phone.get_by_role("heading", name="What this means for you")).to_be_visible()
    main_statement = phone.locator(".statement-main")
    expect(main_statement).to_have_text(competency.student_statement)
    statements = phone.locator(".statement-panel p").all_inner_texts()
    assert statements.index(competency.student_statement) < statements.index(competency.full_statement)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "student-competency")
