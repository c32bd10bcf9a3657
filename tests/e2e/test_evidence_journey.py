"""The acceptance journey of evidence and mastery (issue 4), in a real browser: a teacher sets an assessment
with a rubric; the student submits work with a file; an uncertified teacher's score is kept as feedback and
moves no level; the certified teacher's rubric score sets the level, which the student reads on "My progress"
with its explanation and chart. Then a revision: the teacher asks, the student resubmits, both see the chain.
No page breaks the Content-Security-Policy on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import follow_nav, screenshot, sign_in
from waypoint.core.models import Student
from waypoint.evidence.models import Assessment, Evidence, EvidenceStatus, Score
from waypoint.frameworks.models import Rubric
from waypoint.mastery.models import MasteryLevel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# The smallest valid PNG: 1×1 transparent pixel.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class People:
    """One signed-in browser context per user; every page is watched for Content-Security-Policy reports."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.pages: dict[str, Page] = {}
        self.violations: list[str] = []

    def __call__(self, username: str) -> Page:
        if username not in self.pages:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)

            def collect(message: ConsoleMessage, page: Page = page) -> None:
                if "Content Security Policy" in message.text:
                    self.violations.append(f"{username} {page.url}: {message.text}")

            page.on("console", collect)
            sign_in(page, self.base_url, username)
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def people(browser: Browser, demo_site: str) -> Iterator[People]:
    crowd = People(browser, demo_site)
    yield crowd
    crowd.close()


def nav(page: Page, name: str) -> None:
    follow_nav(page, name)


def level_card(page: Page, competency_id: int) -> str:
    card = page.locator(f"#competency-{competency_id}")
    return card.inner_text() if card.count() else ""


def score_every_criterion(page: Page, evidence: Evidence, level: str) -> None:
    rubric = evidence.assessment.rubric  # type: ignore[union-attr]
    for criterion in rubric.criteria.all():  # type: ignore[union-attr]
        page.locator(f'input[name="c{criterion.competency_id}-k{criterion.pk}"][value="{level}"]').check()


def test_work_is_scored_uncertified_then_certified_and_revised(
    people: People, demo_site: str, tmp_path: Path
) -> None:
    jordan = Student.objects.get(user__username="student")
    # The demo has scored `student` on the presentation rubric; this one is still unscored for them.
    rubric = Rubric.objects.get(owner__slug="riverside", title="Goal setting and reflection")
    competency = rubric.criteria.order_by("position").first().competency  # type: ignore[union-attr]

    # A teacher sets an assessment with the rubric; its competencies come from the rubric.
    teacher = people("teacher")
    nav(teacher, "Assessments")
    teacher.get_by_role("link", name="New assessment").click()
    teacher.get_by_label("Title", exact=True).fill("Community garden pitch")
    teacher.get_by_label("Kind", exact=True).select_option(label="Performance task")
    teacher.get_by_label("Instructions (optional)", exact=True).fill(
        "Pitch the garden to the town council in three minutes."
    )
    teacher.get_by_label("Rubric (optional)", exact=True).select_option(
        label=f"{rubric.title} ({rubric.owner.name})"
    )
    teacher.get_by_role("button", name="Save the assessment").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Community garden pitch")
    assessment = Assessment.objects.get(title="Community garden pitch")
    assert assessment.competencies.count() == rubric.criteria.count()

    # The student submits work for it, with a file.
    student = people("student")
    nav(student, "My progress")
    before = level_card(student, competency.pk)
    nav(student, "My evidence")
    student.get_by_role("link", name="Submit evidence").click()
    student.get_by_label("Title", exact=True).fill("My garden pitch")
    student.get_by_label("Assessment (optional)", exact=True).select_option(
        label="Community garden pitch (Performance task)"
    )
    student.get_by_label("Your work or notes (optional)", exact=True).fill(
        "The garden feeds forty families; here is my plan."
    )
    picture = tmp_path / "garden-plan.png"
    picture.write_bytes(PNG_BYTES)
    student.get_by_label("Files (optional)", exact=True).set_input_files(str(picture))
    screenshot(student, "evidence-submit")
    student.get_by_role("button", name="Submit for scoring").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("My garden pitch")
    expect(student.locator(".messages")).to_contain_text("Your work is submitted for scoring.")
    expect(student.get_by_role("link", name="garden-plan.png")).to_be_visible()
    evidence = Evidence.objects.get(title="My garden pitch")

    # The uncertified teacher scores it: recorded as feedback, the level does not move.
    uncertified = people("teacher-uncertified")
    nav(uncertified, "Evidence inbox")
    # The inbox is oldest first and paged; the demo's own waiting work can fill its first page, so the teacher
    # narrows it to the assessment, as the filter is there for.
    assessment_filter = uncertified.get_by_label("Assessment", exact=True)
    assessment_filter.select_option(label="Community garden pitch (1 waiting)")
    uncertified.get_by_role("button", name="Filter").click()
    row = uncertified.get_by_role("row").filter(has_text="My garden pitch")
    row.get_by_role("link", name=re.compile("^Score")).click()
    expect(uncertified.locator(".score-banner")).to_contain_text(
        "Recorded as feedback; it will not change the mastery level."
    )
    score_every_criterion(uncertified, evidence, "4")
    uncertified.get_by_role("button", name="Record as feedback").click()
    expect(uncertified.locator(".messages")).to_contain_text("does not change the mastery level")
    expect(uncertified.locator(".judgement-table").first).to_contain_text("Feedback only")
    assert not Score.objects.filter(evidence=evidence, counts_toward_mastery=True).exists()

    student.reload()
    student.goto(f"{demo_site}/students/{jordan.pk}/mastery/")
    assert level_card(student, competency.pk) == before == ""
    feedback_only = student.locator(
        "section", has=student.get_by_role("heading", name="Judgements that did not count")
    )
    expect(feedback_only).to_contain_text("My garden pitch")
    expect(feedback_only).to_contain_text("Feedback only")

    # The certified teacher scores it with the rubric: the level is set.
    # The demo fills this teacher's inbox beyond a page: the teacher narrows it to the assessment.
    teacher.goto(f"{demo_site}/evidence/inbox/?assessment={assessment.pk}")
    teacher.get_by_role("row").filter(has_text="My garden pitch").get_by_role(
        "link", name=re.compile("^Score")
    ).click()
    expect(teacher.locator(".score-banner")).to_contain_text(
        "You hold a current certification: this score sets the mastery level"
    )
    score_every_criterion(teacher, evidence, "3")
    teacher.get_by_label("Comment (optional)", exact=True).first.fill(
        "Clear central message; cite the survey next time."
    )
    screenshot(teacher, "evidence-score")
    teacher.get_by_role("button", name="Record the score").click()
    expect(teacher.locator(".messages")).to_contain_text("It counts toward the mastery level.")
    expect(teacher.locator(".judgement-table").first).to_contain_text("Counts")
    level = MasteryLevel.objects.get(student=jordan, competency=competency)
    counted = Score.objects.get(evidence=evidence, competency=competency, counts_toward_mastery=True)
    assert counted.pk in level.score_ids

    # The student reads the new level, how it was computed, and its chart.
    nav(student, "My progress")
    card = student.locator(f"#competency-{competency.pk}")
    # Subjects fold, and so does each competency's explanation and chart: open the ones around this level.
    subject = student.locator(f"details.progress-subject:has(#competency-{competency.pk})")
    if subject.get_attribute("open") is None:
        subject.locator("summary").first.click()
    expect(card).to_be_visible()
    card.locator("details.progress-row-more > summary").click()
    expect(card.locator(".level-explanation")).to_contain_text("Your level is")
    expect(card.locator(".level-badge")).not_to_have_text("No evidence yet")
    canvas = card.locator("canvas.mastery-chart")
    expect(canvas).to_be_visible()
    assert student.evaluate(
        "(canvas) => Boolean(window.Chart && window.Chart.getChart(canvas))", canvas.element_handle()
    )
    assert level_card(student, competency.pk) != before
    screenshot(student, "evidence-progress")

    # The teacher asks for a revision; the student resubmits; both see the chain.
    teacher.get_by_label("Feedback", exact=True).fill("Add the cost of the raised beds.")
    teacher.get_by_label("Ask for a revision", exact=True).check()
    teacher.get_by_role("button", name="Send the feedback").click()
    expect(teacher.locator(".messages")).to_contain_text("asked for a revision")
    assert Evidence.objects.get(pk=evidence.pk).status == EvidenceStatus.REVISION_REQUESTED

    nav(student, "My evidence")
    student.get_by_role("link", name="My garden pitch").click()
    expect(student.get_by_role("status").filter(has_text="Your teacher asked for a revision")).to_be_visible()
    expect(student.locator("main")).to_contain_text("Add the cost of the raised beds.")
    student.get_by_label("Your revised work (optional)", exact=True).fill(
        "Raised beds cost $420, covered by the hardware store."
    )
    student.get_by_role("button", name="Submit version 2").click()
    expect(student.locator(".messages")).to_contain_text("Version 2 is submitted for scoring.")
    revision = Evidence.objects.get(revision_of=evidence)
    for page in (student, teacher):
        page.goto(f"{demo_site}/evidence/{revision.pk}/")
        chain = page.locator(".version-chain")
        expect(chain.get_by_role("heading", name=re.compile("^Version 1"))).to_be_visible()
        expect(chain.get_by_role("heading", name=re.compile("^Version 2"))).to_be_visible()
        expect(chain).to_contain_text("Add the cost of the raised beds.")
        expect(chain).to_contain_text("Raised beds cost $420")
    screenshot(teacher, "evidence-chain")
    teacher.goto(f"{demo_site}/evidence/inbox/?assessment={assessment.pk}")
    expect(teacher.get_by_role("row").filter(has_text="My garden pitch")).to_contain_text("Version 2")

    assert people.violations == []
