"""A district adopts Waypoint, in a real browser (issue 15).

The first-run set-up has made the district and its first administrator (`district_setup`, as `waypoint setup`
does). The administrator signs in, finds "Roster imports" in the menu and uploads the district's OneRoster
export (the test kit), which has one bad row: the page names its file, line and column, and nothing is
imported. The administrator fixes the row and uploads again: the task page's progress bar finishes and the
counts per file show. Then `teacher` signs in through the district's OpenID Connect provider (a real one, in a
second process): the roster brought the teacher's account (its e-mail is the provider's `teacher`), and the
provider links it.
axe checks the import pages in each state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, follow_nav, screenshot, sign_out
from tests.interop import roster_kit as kit
from tests.interop.oidc_kit import (
    DEMO_TEACHER_EMAIL,
    OidcProvider,
    oidc_provider,  # noqa: F401  (the session's provider, a fixture)
    sign_in_at_provider_page,
)
from tests.operations.runner import run_queued
from waypoint.core.models import Student, User
from waypoint.interop.models import RosterImport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

ADMIN_PASSWORD = "an adoption pass phrase 2026"


def the_districts_export(row: dict[str, str]) -> dict[str, str]:
    """The kit as the district's SIS exports it: its first teacher is the provider's `teacher`, and the second
    teacher's row carries a role OneRoster does not know (the one bad row)."""
    if row["sourcedId"] == kit.sid("teacher-1"):
        row["email"] = DEMO_TEACHER_EMAIL
    if row["sourcedId"] == kit.sid("teacher-2"):
        row["role"] = "headteacher"
    return row


def no_violations(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {[(v['id'], [n['target'] for n in v['nodes']]) for v in violations]}"


def sign_in_with_password(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base_url}/")


def test_an_administrator_imports_the_roster_and_the_teacher_signs_in_through_the_provider(
    page: Page,
    demo_site: str,
    tmp_path: Path,
    oidc_provider: OidcProvider,  # noqa: F811
) -> None:
    set_up = kit.adoption_district(admin_password=ADMIN_PASSWORD)
    district = set_up.district
    folder = kit.write_roster(tmp_path / "export", edits={"users.csv": the_districts_export})
    bad_line = kit.line_of(folder, "users.csv", kit.sid("teacher-2"))
    kit.zip_roster(folder, tmp_path / "roster.zip")

    # 1. The administrator signs in and finds the roster imports in the menu: nothing imported yet.
    sign_in_with_password(page, demo_site, "adoption-admin", ADMIN_PASSWORD)
    expect(page.locator("#panel-set-up-district")).to_contain_text("Set up your district")
    follow_nav(page, "Roster imports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster imports")
    expect(page.locator(".empty-state")).to_contain_text("No roster has been imported yet.")
    no_violations(page, "the empty history")
    page.get_by_role("link", name="Import a roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a roster")
    no_violations(page, "the upload page")

    # 2. The export has one bad row: refused whole, with the row's file, line and column on the page.
    page.get_by_label("OneRoster zip file").set_input_files(tmp_path / "roster.zip")
    page.get_by_role("button", name="Import", exact=True).click()
    # The upload is queued: the browser goes to the task's page, which follows the worker's run to its end.
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster import")
    assert run_queued() == 1
    expect(page.locator("#task-status")).to_contain_text("The roster was refused; nothing was imported")
    no_violations(page, "the refused task")
    page.get_by_role("link", name="See the result").click()
    problem = page.locator(".roster-problems tbody tr").filter(has_text="headteacher")
    expect(problem.locator("td").nth(0)).to_have_text("users.csv")
    expect(problem.locator("td").nth(1)).to_have_text(str(bad_line))
    expect(problem.locator("td").nth(2)).to_have_text("role")
    assert not Student.objects.filter(district=district).exists()
    assert RosterImport.objects.get(district=district).status == RosterImport.Status.REFUSED
    screenshot(page, "adoption-roster-refused")
    no_violations(page, "the refused upload")

    # 3. Fixed, the set imports: the progress bar finishes and the counts per file show.
    kit.set_cell(folder, "users.csv", kit.sid("teacher-2"), "role", "teacher")
    kit.zip_roster(folder, tmp_path / "roster.zip")
    page.goto(f"{demo_site}/rosters/imports/new/")
    page.get_by_label("OneRoster zip file").set_input_files(tmp_path / "roster.zip")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    assert run_queued() == 1
    expect(page.locator("#task-status")).to_contain_text("The roster is imported.")
    bar = page.locator("#task-status progress")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "1")
    page.get_by_role("link", name="See the result").click()
    users = page.locator(".roster-counts tbody tr").filter(has_text="users.csv")
    expect(users.locator("td").nth(0)).to_have_text(str(kit.KIT_COUNTS["users.csv"]))  # rows
    expect(users.locator("td").nth(1)).to_have_text(str(kit.KIT_COUNTS["users.csv"]))  # created
    assert Student.objects.filter(district=district).count() == 12
    screenshot(page, "adoption-roster-imported")
    no_violations(page, "the imported upload")

    # The history lists both runs, newest first; the run's page shows the same counts.
    page.goto(f"{demo_site}/rosters/imports/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Imported")
    expect(rows.nth(1)).to_contain_text("Refused")
    no_violations(page, "the history")
    rows.nth(0).get_by_role("link").click()
    expect(page.locator(".roster-counts")).to_contain_text("enrollments.csv")
    no_violations(page, "the run's page")
    sign_out(page)

    # 4. The district signs its people in through its provider: `teacher` arrives as the roster's teacher.
    oidc_provider.configure(district)
    oidc_provider.allow_redirect_uri(demo_site)
    page.goto(f"{demo_site}/login/")
    page.get_by_role("link", name="Sign in with District Google (Adoption Unified)").click()
    sign_in_at_provider_page(page, "teacher")
    page.wait_for_url(f"{demo_site}/")
    teacher = User.objects.get(username=kit.username("teacher-1"))
    expect(page.locator(".account-name")).to_have_text(teacher.display_name)
    assert teacher.external_identities.get().provider.district == district
    screenshot(page, "adoption-teacher-signed-in")
