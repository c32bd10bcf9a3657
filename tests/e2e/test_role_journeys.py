"""One journey per role, at desktop (1280×900) and phone (390×844) widths: each starts on the role's home page
and does its main work by following links, as a person would. On every page it visits it checks that axe-core
finds no serious or critical violation and that the page does not scroll sideways, and it leaves a full-page
screenshot of the step in `var/screenshots/` (`<role>-<desktop|phone>-<nn>-<step>.png`). What a journey writes
rolls back at its end (see conftest)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import axe_violations, follow_nav, screenshot, sign_in
from waypoint.core.models import Section, Student, User
from waypoint.evidence.models import Evidence
from waypoint.profiles.models import PlanAcknowledgement, SuccessPlan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

BLOCKING = {"serious", "critical"}
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


class Journey:
    """One role's walk through the site at one width: `step` checks and pictures the page in front of it."""

    def __init__(self, page: Page, role: str, width: str) -> None:
        self.page, self.role, self.width = page, role, width
        self.steps = 0
        self.problems: list[str] = []

    def step(self, name: str) -> None:
        """The page has settled on what the journey asserted: picture it, run axe on it, measure its width.
        Problems are gathered, so one run reports every page that has them, and `done` fails on them."""
        self.steps += 1
        label = f"{self.role}-{self.width}-{self.steps:02d}-{name}"
        screenshot(self.page, label)
        where = f"{label} ({self.page.url.split('//', 1)[-1].split('/', 1)[-1] or '/'})"
        for violation in axe_violations(self.page):
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(
                    f"{where}: axe {violation['id']} ({violation['impact']}): {violation['help']} {targets}"
                )
        viewport = self.page.viewport_size
        assert viewport is not None
        scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > viewport["width"]:
            self.problems.append(f"{where}: the page scrolls sideways ({scroll_width}px wide)")

    def done(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture(params=list(VIEWPORTS))
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[Page, str]]:
    """A page at one of the two widths, and the width's name."""
    context = browser.new_context(**VIEWPORTS[request.param])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, request.param
    context.close()


def start(screen: tuple[Page, str], demo_site: str, username: str, role: str) -> Journey:
    page, width = screen
    sign_in(page, demo_site, username)
    return Journey(page, role, width)


def panel(page: Page, title: str) -> Locator:
    """A home page panel by its title (a section named by its heading, which may end with a count)."""
    return page.locator("main").get_by_role("region", name=re.compile(f"^{re.escape(title)}"))


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def count_in(locator: Locator) -> int:
    """The number a link or heading shows in its count badge ("Mathematics 10 (A) 15")."""
    return int(locator.locator(".home-count").inner_text().strip().strip("()"))


def test_student_acts_on_feedback_and_reads_their_progress(screen: tuple[Page, str], demo_site: str) -> None:
    journey = start(screen, demo_site, "student", "student")
    page = journey.page
    expect(heading(page)).to_have_text("Welcome, Jordan Alvarez")
    revisions = panel(page, "Revision requests")
    expect(revisions).to_be_visible()
    expect(panel(page, "Feedback to act on")).to_be_visible()
    journey.step("home")

    # The revision the teacher asked for: read the feedback, send version 2.
    request = revisions.get_by_role("link").first
    title = request.inner_text().strip()
    request.click()
    expect(heading(page)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("Revision requested")
    journey.step("revision-request")
    page.get_by_label("Your revised work (optional)").fill(
        "A narrower question: how has Instagram changed how students at Riverside High plan their weekends? "
        "Sources: two peer-reviewed studies and a survey of my class."
    )
    page.get_by_role("button", name="Submit version 2").click()
    expect(page.locator("main")).to_contain_text("version 2 of 2")
    expect(page.locator("main")).to_contain_text("A narrower question")
    journey.step("revision-sent")

    # Work done out of school, on the active path.
    follow_nav(page, "Home")
    panel(page, "Your paths").get_by_role("link", name="Precision machining internship").click()
    expect(heading(page)).to_have_text("Precision machining internship")
    journey.step("path")
    work = page.get_by_role("region", name="Add work done on this path")
    work.get_by_label("Title", exact=True).fill("Week 5 log: tolerances on the lathe")
    work.get_by_label("Your work or notes (optional)").fill(
        "I measured ten parts and all were within 0.05 mm."
    )
    work.get_by_role("checkbox").first.check()
    work.get_by_role("button", name="Add my work").click()
    evidence = page.get_by_role("region", name="Evidence for this path")
    expect(evidence).to_contain_text("Week 5 log: tolerances on the lathe")
    journey.step("path-work-added")

    # Progress: levels with their history charts, then how they are worked out.
    follow_nav(page, "Home")
    panel(page, "Your progress").get_by_role("link", name="My progress").click()
    expect(heading(page)).to_have_text("My progress")
    # A summary by subject, then folded subjects: the one changed last is open; a row unfolds its chart.
    expect(page.get_by_role("heading", name="Levels by subject")).to_be_visible()
    row = page.locator("details.progress-subject[open] details.progress-row-more:has(canvas)").first
    row.locator("summary").first.click()
    chart = row.locator("canvas.mastery-chart")
    expect(chart).to_be_visible()
    assert chart.evaluate("c => c.width > 0 && c.height > 0")
    journey.step("progress")
    page.locator("main").get_by_role("link", name="How learning is measured here").first.click()
    expect(heading(page)).to_have_text("How learning is measured here")
    journey.step("how-learning-is-measured")
    journey.done()


def test_guardian_follows_their_child_and_acknowledges_the_plan(
    screen: tuple[Page, str], demo_site: str
) -> None:
    jordan = Student.objects.get(user__username="student")
    guardian = User.objects.get(username="guardian")
    # The advisor changed Jordan's plan since the guardian last read it: it waits for an acknowledgement.
    plan = SuccessPlan.objects.get(student=jordan)
    newest = PlanAcknowledgement.objects.filter(plan=plan, guardian=guardian).order_by("-revision").first()
    if newest is not None and newest.revision >= plan.revision:
        SuccessPlan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1, updated_at=timezone.now())

    journey = start(screen, demo_site, "guardian", "guardian")
    page = journey.page
    expect(heading(page)).to_contain_text("Welcome,")
    children = panel(page, "How your children are doing")
    expect(children).to_contain_text("Jordan")
    journey.step("home")

    # The child's progress, in the third person.
    children.get_by_role("link", name="Jordan Alvarez").click()
    expect(heading(page)).to_have_text("Jordan Alvarez’s progress")
    expect(page.locator("main")).not_to_contain_text("My progress")
    expect(page.locator("main")).not_to_contain_text("Your level")
    journey.step("child-progress")

    # The plan that changed: read it, acknowledge it; the home page no longer asks.
    follow_nav(page, "Home")
    waiting = panel(page, "Plans to acknowledge")
    waiting.get_by_role("link", name="Jordan Alvarez’s success plan").click()
    expect(heading(page)).to_contain_text("Jordan Alvarez")
    journey.step("plan")
    page.get_by_role("button", name="I have read this plan").click()
    expect(page.locator("main")).to_contain_text("You acknowledged this version of the plan.")
    journey.step("plan-acknowledged")
    follow_nav(page, "Home")
    expect(panel(page, "Plans to acknowledge")).to_contain_text("You have acknowledged every plan.")

    # Spanish, from the account menu.
    follow_nav(page, "Language")
    expect(heading(page)).to_have_text("Choose your language")
    journey.step("language")
    page.get_by_label("Español").check()
    page.get_by_role("button", name="Save my language").click()
    follow_nav(page, "Inicio")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(heading(page)).to_contain_text("Hola,")
    journey.step("home-in-spanish")
    journey.done()


def test_teacher_scores_evidence_and_reads_the_gradebook(screen: tuple[Page, str], demo_site: str) -> None:
    section = Section.objects.get(title="Mathematics 10 (A)", teachers__username="teacher")
    journey = start(screen, demo_site, "teacher", "teacher")
    page = journey.page
    expect(heading(page)).to_have_text("Welcome, Dana Whitfield")
    to_score = panel(page, "Evidence to score")
    section_link = to_score.get_by_role("link", name=re.compile(r"^Mathematics 10 \(A\)"))
    waiting = count_in(section_link)
    assert waiting > 0
    journey.step("home")

    # The inbox, filtered to the class, then the scoring page: the work beside the rubric.
    section_link.click()
    expect(heading(page)).to_have_text("Evidence inbox")
    expect(page.locator("main")).to_contain_text(f"{waiting} pieces of evidence waiting")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(waiting)
    journey.step("inbox")
    # Work on a graduate-profile task, which the district's rubric covers.
    row = rows.filter(has_text="Quarterly goal reflection").first
    work_title = row.get_by_role("link").first.inner_text().strip()
    score_link = row.get_by_role("link", name=re.compile("^Score"))
    evidence_id = int(re.findall(r"\d+", score_link.get_attribute("href") or "")[0])
    score_link.click()
    expect(heading(page)).to_have_text(f"Score “{work_title}”")
    expect(page.get_by_role("region", name="The work being scored")).to_be_visible()
    expect(page.get_by_text("The rubric’s criteria for this competency").first).to_be_visible()
    criteria = page.locator("fieldset.criterion-choice")
    assert criteria.count() > 0
    competencies = page.locator("section.scoring-block").count()
    journey.step("scoring")
    for index in range(criteria.count()):
        # The third level of the scale: at mastery.
        criteria.nth(index).locator(".level-option label").nth(2).click()
    page.get_by_role("button", name="Record the score").click()
    expect(page.get_by_role("status").or_(page.locator(".messages")).first).to_contain_text("Scored")
    journey.step("scored")
    # A certified teacher's score, on every competency the work names.
    work = Evidence.objects.get(pk=evidence_id)
    counted = work.scores.filter(counts_toward_mastery=True, scored_by__username="teacher")
    assert counted.values("competency").distinct().count() == competencies

    # Back through the home page: one fewer to score in the class.
    follow_nav(page, "Home")
    section_link = panel(page, "Evidence to score").get_by_role(
        "link", name=re.compile(r"^Mathematics 10 \(A\)")
    )
    assert count_in(section_link) == waiting - 1
    section_link.click()
    expect(rows).to_have_count(waiting - 1)
    journey.step("inbox-one-fewer")

    # The class's gradebook: sort by the overall level, open a cell's evidence.
    follow_nav(page, "Home")
    panel(page, "Your gradebooks").get_by_role("link", name=section.title).click()
    expect(heading(page)).to_have_text(f"Gradebook: {section.title}")
    journey.step("gradebook")
    page.get_by_role("link", name=re.compile("^Overall")).click()
    expect(page.get_by_role("columnheader", name=re.compile("^Overall"))).to_have_attribute(
        "aria-sort", re.compile("ascending|descending")
    )
    cell = page.locator("button.heat-button").first
    cell.click()
    popover = page.locator(".cell-popover:popover-open")
    expect(popover).to_be_visible()
    expect(popover.get_by_role("link").first).to_be_visible()
    journey.step("gradebook-cell")
    journey.done()


def test_advisor_decides_a_path_and_searches_the_caseload(screen: tuple[Page, str], demo_site: str) -> None:
    journey = start(screen, demo_site, "advisor", "advisor")
    page = journey.page
    expect(heading(page)).to_have_text("Welcome, Rosa Delgado")
    approvals = panel(page, "Paths waiting for approval")
    waiting = count_in(approvals.get_by_role("heading"))
    journey.step("home")

    proposal = approvals.locator("li a").first
    student_name = proposal.inner_text().split(":")[0].strip()
    proposal.click()
    expect(page.locator("main")).to_contain_text(student_name)
    journey.step("proposal")
    decision = page.get_by_role("region", name="Decide on the proposal")
    decision.get_by_label("Approve").check()
    decision.get_by_label("Notes for the student").fill(
        "A good fit with your plan. Check in with me monthly."
    )
    decision.get_by_role("button", name="Send the decision").click()
    expect(page.locator("main")).to_contain_text("Approved")
    journey.step("approved")

    follow_nav(page, "Home")
    approvals = panel(page, "Paths waiting for approval")
    if waiting > 1:
        assert count_in(approvals.get_by_role("heading")) == waiting - 1
    expect(approvals).not_to_contain_text(f"{student_name}:")

    # The caseload: find one student, then see who needs attention first.
    panel(page, "Your caseload").get_by_role("link").first.click()
    expect(heading(page)).to_have_text("Your caseload")
    rows = page.locator("table.caseload tbody tr")
    everyone = rows.count()
    assert everyone > 1
    journey.step("caseload")
    last_name = student_name.split()[-1]
    page.get_by_label("Search by name").fill(last_name)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.caseload caption")).to_contain_text(last_name)
    assert 0 < rows.count() < everyone
    for text in rows.locator("th").all_inner_texts():
        assert last_name in text
    journey.step("caseload-search")
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Sort by").select_option("status")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.caseload caption")).to_contain_text("most in need of attention first")
    expect(rows).to_have_count(everyone)
    journey.step("caseload-sorted")
    journey.done()


def test_mentor_records_an_observation_on_a_path(screen: tuple[Page, str], demo_site: str) -> None:
    journey = start(screen, demo_site, "mentor", "mentor")
    page = journey.page
    expect(heading(page)).to_contain_text("Welcome,")
    mentored = panel(page, "Paths you mentor")
    journey.step("home")

    mentored.get_by_role("link", name=re.compile("^Jordan Alvarez: ")).click()
    expect(page.locator("main")).to_contain_text("Jordan Alvarez")
    journey.step("path")
    observation = page.get_by_role("region", name="Record an observation")
    observation.get_by_label("Title", exact=True).fill("Observed: set up the lathe without help")
    observation.get_by_label("What you observed").fill(
        "Jordan checked every tolerance twice and explained why."
    )
    observation.get_by_role("checkbox").first.check()
    observation.get_by_role("button", name="Record the observation").click()
    expect(page.get_by_role("region", name="Evidence for this path")).to_contain_text(
        "Observed: set up the lathe without help"
    )
    journey.step("observation-recorded")
    journey.done()


def test_district_admin_previews_a_calculation_rule_and_reads_the_audit_log(
    screen: tuple[Page, str], demo_site: str
) -> None:
    journey = start(screen, demo_site, "district-admin", "district-admin")
    page = journey.page
    expect(heading(page)).to_contain_text("Welcome,")
    drafts = panel(page, "Drafts to publish")
    expect(panel(page, "Data to fix")).to_be_visible()
    journey.step("home")

    drafts.get_by_role("link").first.click()
    expect(page.locator("main")).to_contain_text("Draft")
    journey.step("draft")
    page.get_by_role("link", name="How levels are calculated").click()
    expect(heading(page)).to_have_text("How mastery levels are calculated")
    journey.step("calculation")
    page.get_by_label("Most recent score").check()
    page.get_by_role("button", name="Preview the change").click()
    preview = page.get_by_role("region", name="Before you save: what this rule would change")
    expect(preview).to_contain_text("would move up")
    expect(preview).to_contain_text("Nothing is saved yet")
    journey.step("calculation-preview")
    preview.get_by_role("link", name="Cancel").click()
    expect(preview).to_have_count(0)

    follow_nav(page, "Audit log")
    expect(heading(page)).to_have_text("Audit log")
    # In plain words, newest first: this very opening, then the levels the preview just read.
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("opened the audit log")
    expect(rows.filter(has_text="in a preview of a new calculation rule").first).to_be_visible()
    journey.step("audit-log")
    journey.done()


def test_school_admin_checks_data_and_equal_access(screen: tuple[Page, str], demo_site: str) -> None:
    journey = start(screen, demo_site, "school-admin", "school-admin")
    page = journey.page
    expect(heading(page)).to_contain_text("Welcome,")
    expect(panel(page, "Data to fix")).to_be_visible()
    journey.step("home")

    follow_nav(page, "Equal access")
    expect(heading(page)).to_have_text("Equal access to paths of study")
    expect(page.locator("main table").first).to_be_visible()
    journey.step("equal-access")

    follow_nav(page, "Frameworks")
    page.locator("main").get_by_role("link", name=re.compile("Graduate Profile")).first.click()
    page.get_by_role("link", name="How levels are calculated").click()
    expect(heading(page)).to_have_text("How mastery levels are calculated")
    expect(page.get_by_role("region", name="Rules in force", exact=True)).to_be_visible()
    journey.step("calculation")
    journey.done()


def test_state_analyst_sees_aggregates_only(screen: tuple[Page, str], demo_site: str) -> None:
    journey = start(screen, demo_site, "state-analyst", "state-analyst")
    page = journey.page
    state = panel(page, "What the state sees today")
    expect(state).to_contain_text("Students enrolled today")
    expect(state).to_contain_text("Riverside Public Schools")
    assert Student.objects.filter(last_name__isnull=False).exists()
    expect(page.locator("main")).not_to_contain_text("Alvarez")
    journey.step("home")

    follow_nav(page, "Frameworks")
    expect(heading(page)).to_have_text("Competency frameworks")
    journey.step("frameworks")
    page.locator("main").get_by_role("link", name=re.compile("Graduate Profile")).first.click()
    expect(page.locator("main")).to_contain_text("Published")
    journey.step("framework")
    journey.done()
