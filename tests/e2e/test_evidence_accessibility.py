"""The evidence and mastery pages pass axe-core (no serious or critical violation) at desktop width (the role
journeys scan the main ones at phone width), and none of them needs an exception to the
Content-Security-Policy (the charts included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import axe_violations, sign_in
from waypoint.core.audit import RequestContext
from waypoint.core.models import Section, Student, User
from waypoint.evidence.models import AssessmentKind, Evidence
from waypoint.evidence.services import (
    assessment_create,
    evidence_revise,
    evidence_submit,
    feedback_add,
)
from waypoint.frameworks.models import Framework, FrameworkKind, Rubric
from waypoint.mastery.services import score_record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
BLOCKING = {"serious", "critical"}
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def seed() -> dict[str, list[str]]:
    """Evidence in every state for `student` (scored by an uncertified then a certified teacher, revised
    after a request, one waiting), and the paths of every evidence and mastery page, by who opens them."""
    users = {user.username: user for user in User.objects.filter(username__isnull=False)}
    jordan = Student.objects.get(user__username="student")
    rubric = Rubric.objects.get(owner__slug="riverside", title="Goal setting and reflection")
    teacher, student = RequestContext(user=users["teacher"]), RequestContext(user=users["student"])
    assessment = assessment_create(
        context=teacher,
        title="Town hall talk",
        kind=AssessmentKind.PERFORMANCE_TASK,
        competency_ids=list(rubric.criteria.values_list("competency_id", flat=True)),
        rubric_id=rubric.pk,
        instructions="Argue for one change in your town.",
    )

    def submitted(title: str) -> Evidence:
        return evidence_submit(
            context=student,
            student_id=jordan.pk,
            title=title,
            body="My talk, with its slides.",
            links=["https://example.org/slides"],
            assessment_id=assessment.pk,
            files=[SimpleUploadedFile("slides.png", PNG_BYTES, content_type="image/png")],
        )

    scored = submitted("First talk")
    for index, criterion in enumerate(rubric.criteria.all()):
        for judge, level in (("teacher-uncertified", 4.0), ("teacher", 2.0 + index % 2)):
            score_record(
                context=RequestContext(user=users[judge]),
                evidence_id=scored.pk,
                competency_id=criterion.competency_id,
                criterion_levels={criterion.pk: level},
                comment="Clear message.",
            )
    first = scored.scores.filter(counts_toward_mastery=True).first()
    assert first is not None
    score_record(
        context=teacher,
        evidence_id=scored.pk,
        competency_id=first.competency_id,
        criterion_levels={rubric.criteria.get(competency_id=first.competency_id).pk: 3.0},
        supersedes_id=first.pk,
        correction_reason="Read the wrong row.",
    )
    revised = submitted("Second talk")
    feedback_add(context=teacher, evidence_id=revised.pk, body="Add a source.", requests_revision=True)
    revision = evidence_revise(context=student, evidence_id=revised.pk, body="Now with a source.")
    waiting = submitted("Third talk")
    section = Section.objects.get(teachers__username="teacher", roster__student=jordan)
    profile = Framework.objects.get(owner__slug="riverside", kind=FrameworkKind.GRADUATE_PROFILE)
    evidence_pages = [
        f"/evidence/{scored.pk}/",
        f"/evidence/{revision.pk}/",
        f"/evidence/{waiting.pk}/score/",
        f"/evidence/{scored.pk}/score/",
        f"/students/{jordan.pk}/evidence/",
        f"/students/{jordan.pk}/mastery/",
        "/assessments/",
        f"/assessments/{assessment.pk}/",
        f"/frameworks/{profile.pk}/calculation/",
    ]
    return {
        "student": [*evidence_pages, "/evidence/new/"],
        "teacher": [
            "/evidence/inbox/",
            *evidence_pages,
            f"/sections/{section.pk}/gradebook/",
            "/assessments/new/",
            f"/students/{jordan.pk}/observations/new/",
        ],
        "district-admin": [f"/frameworks/{profile.pk}/calculation/"],
    }


# At desktop width only: the role journeys (test_role_journeys.py) scan the main evidence pages at phone
# width too, and a second width of every page here cost CI about 30 s for markup that does not change.
@pytest.mark.parametrize("viewport", [(1280, 900)], ids=["desktop"])
def test_evidence_pages_have_no_serious_accessibility_violations(
    browser: Browser, demo_site: str, viewport: tuple[int, int]
) -> None:
    pages = seed()
    failures: list[str] = []
    for username, paths in pages.items():
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = context.new_page()
        sign_in(page, demo_site, username)
        for path in paths:
            response = page.goto(demo_site + path)
            assert response is not None
            assert response.status == 200, f"{username} {path}"
            # Wide tables scroll inside their region; the page itself never scrolls sideways.
            if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                failures.append(f"{username} {path}: the page is wider than the screen")
            for violation in axe_violations(page):
                if violation["impact"] in BLOCKING:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    failures.append(f"{username} {path}: {violation['id']} ({violation['impact']}) {targets}")
        context.close()
    assert failures == [], "\n".join(failures)


def test_no_evidence_page_violates_the_content_security_policy(page: Page, demo_site: str) -> None:
    pages = seed()
    violations: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or message.type == "error":
            violations.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    for username, paths in pages.items():
        page.context.clear_cookies()
        sign_in(page, demo_site, username)
        for path in paths:
            response = page.goto(demo_site + path)
            assert response is not None
            assert "script-src 'self'" in response.headers["content-security-policy"]
            if path.endswith("/mastery/"):
                # Charts are drawn when their fold first opens: open one, and Chart.js draws it from its JSON
                # block, under the policy.
                folds = "details.progress-subject[open] details.progress-row-more:has(canvas)"
                row = page.locator(folds).first
                row.locator("summary").first.click()
                chart = row.locator("canvas.mastery-chart")
                expect(chart).to_be_visible()
                drawn = chart.evaluate("(canvas) => Boolean(window.Chart && window.Chart.getChart(canvas))")
                assert drawn, f"{username} {path}: the chart was not drawn"
    assert violations == []
