"""The district dashboard in a browser: `district-admin` opens it, narrows it to one school broken down by
school, sees the status chart drawn (Chart.js, from the page's json_script) with its table of figures
beneath, and downloads that table as XLSX. The school is named like a formula; the file, opened with
openpyxl, holds the name neutralised and the figures as numbers. No page breaks the Content-Security-Policy.

Thresholds are lowered through `settings` so the demo's small groups (scale 0.1) show figures."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import Demo
from tests.e2e.conftest import screenshot, sign_in
from waypoint.core.models import AuditAction, AuditEvent, StudentEnrollment
from waypoint.insights.services.refresh import refresh_district

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
FORMULA = "=1+1"


def test_filters_a_chart_its_table_and_a_neutralised_xlsx_export(
    page: Page, demo_site: str, demo: Demo, settings: Any
) -> None:
    settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR = 1
    settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = 1
    # Jordan's school, which has students in every table, renamed to a formula; the figures rebuilt.
    enrollment = StudentEnrollment.objects.filter(student=demo.student).select_related("school").first()
    assert enrollment is not None
    school = enrollment.school
    assert school.parent_id == demo.riverside.pk
    school.name = FORMULA
    school.save(update_fields=["name"])
    refresh_district(district_id=demo.riverside.pk)

    violations: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    sign_in(page, demo_site, "district-admin")
    page.goto(f"{demo_site}/insights/")
    filters = page.locator("#insights-filters")
    expect(filters).to_be_visible()

    # Narrow to the one school, broken down by school.
    filters.get_by_label("School").select_option(str(school.pk))
    filters.get_by_label("Break down by").select_option("school")
    filters.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"by=school"))
    assert f"school={school.pk}" in page.url

    section = page.locator("#table-status")
    canvas = section.locator("#chart-status")
    expect(canvas).to_be_visible()
    page.wait_for_function(
        "id => !!(window.Chart && window.Chart.getChart(document.getElementById(id)))", arg="chart-status"
    )
    drawn = canvas.evaluate(
        "c => { const chart = window.Chart.getChart(c); return chart.data.datasets.length; }"
    )
    assert drawn > 0

    # The table beneath the chart: the school's row, with figures shown.
    table = section.get_by_role("table")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=FORMULA, exact=True))
    expect(row).to_have_count(1)
    figures = [text.strip() for text in row.get_by_role("cell").all_inner_texts()]
    assert any(re.fullmatch(r"\d+", text) and text != "0" for text in figures), figures
    screenshot(page, "insights-dashboard-school")

    # The XLSX export of the same table.
    with page.expect_download() as download_info:
        section.get_by_role("link", name=re.compile("^XLSX")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert sheet is not None
    cells = [cell for row_cells in sheet.iter_rows() for cell in row_cells]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "no cell is a formula"
    values = [cell.value for cell in cells]
    assert "'" + FORMULA in values, "the school's name is neutralised"
    assert FORMULA not in values
    school_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "'" + FORMULA)
    assert any(isinstance(value, int | float) and value > 0 for value in school_row[1:]), school_row
    assert AuditEvent.objects.filter(
        actor=demo.users["district-admin"],
        action=AuditAction.EXPORT,
        object_type="insights-export",
        object_id="status",
        district_id=demo.riverside.pk,
    ).exists()
    assert violations == []
