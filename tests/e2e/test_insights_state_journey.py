"""The state view in a browser: `state-analyst` signs in, opens the state view and sees the district
comparison with suppressed cells ("*") beside figures that are shown (the default thresholds, on the demo at
test scale), opens one district's graduation rates, and every attempt to reach a student (a student's
record, the student API, a student's evidence and path, with real ids) answers 404. No page breaks the
Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import Demo
from tests.e2e.conftest import screenshot, sign_in
from waypoint.evidence.models import Evidence
from waypoint.insights.models import AggregateRefresh
from waypoint.insights.services.refresh import refresh_district
from waypoint.pathways.models import PathProposal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_state_analyst_compares_districts_and_reaches_no_student(
    page: Page, demo_site: str, demo: Demo
) -> None:
    # The demo refreshes its districts' aggregates; a demo loaded without them is refreshed here.
    for district in (demo.riverside, demo.hillcrest):
        if not AggregateRefresh.objects.filter(district=district).exists():
            refresh_district(district_id=district.pk)

    violations: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    sign_in(page, demo_site, "state-analyst")
    response = page.goto(f"{demo_site}/insights/state/")
    assert response is not None
    assert response.status == 200

    # The district comparison: a row per district, some figures hidden beside figures shown.
    section = page.locator("#table-comparison")
    expect(section).to_be_visible()
    table = section.get_by_role("table")
    for district in (demo.riverside, demo.hillcrest):
        expect(table.get_by_role("rowheader", name=district.name, exact=True)).to_have_count(1)
    cells = [text.strip() for text in table.locator("tbody td").all_inner_texts()]
    assert any(text.startswith("*") for text in cells), cells
    assert any(re.search(r"\d", text) for text in cells), cells
    # A hidden cell says what it is to a screen reader.
    expect(table.locator("td .visually-hidden").first).to_have_text("hidden to protect a small group")
    screenshot(page, "insights-state")

    # One district's graduation rates, from the comparison's links.
    section.get_by_role("link", name=re.compile(f"Graduation rates.*{demo.riverside.name}")).click()
    page.wait_for_url(re.compile(rf"/insights/graduation/\?district={demo.riverside.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(demo.riverside.name)
    assert "/students/" not in page.content()

    # Every way to a student answers 404, as for something that does not exist.
    evidence = Evidence.objects.filter(student__district=demo.riverside).order_by("pk").first()
    path = PathProposal.objects.filter(student__district=demo.riverside).order_by("pk").first()
    assert evidence is not None
    assert path is not None
    student = demo.student
    for address in (
        f"/students/{student.pk}/",
        f"/students/{student.pk}/trajectory/",
        f"/students/{student.pk}/evidence/",
        f"/evidence/{evidence.pk}/",
        f"/paths/{path.pk}/",
    ):
        answer = page.goto(f"{demo_site}{address}")
        assert answer is not None
        assert answer.status == 404, address
        assert student.last_name not in page.content()
    for address in (
        f"/api/v1/students/{student.pk}",
        f"/api/v1/students/{student.pk}/mastery",
        f"/api/v1/evidence/{evidence.pk}",
        f"/api/v1/paths/{path.pk}",
    ):
        answer = page.request.get(f"{demo_site}{address}")
        assert answer.status == 404, address
        assert student.last_name not in answer.text()

    assert violations == []
