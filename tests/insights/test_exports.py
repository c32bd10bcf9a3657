"""Exports of dashboard tables: what the file holds (the table as shown, suppressed, neutralised), who may
export what, the audit, the hourly allowance and bad input; through the service, the page and the API."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent, Organization, User
from waypoint.insights.selectors.dashboard import dashboard_table
from waypoint.insights.selectors.filters import Filters
from waypoint.insights.services.exports import (
    ExportsExhausted,
    export_request,
    export_subject,
    export_table,
)
from waypoint.insights.services.refresh import refresh_district
from waypoint.insights.tables import HIDDEN, Cell, FigureTable, Row
from waypoint.policy import insights_scope

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x")'
PAGE = "/insights/export/"
API = "/api/v1/insights/exports/"


def context_of(user: User) -> RequestContext:
    return RequestContext(user=user, path="/test/")


def exports_of(user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(actor=user, object_type="insights-export", action=AuditAction.EXPORT)
    )


def denials_of(user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(actor=user, object_type="insights-export", action=AuditAction.DENIED)
    )


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode()), "Excel reads UTF-8 only after a byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table_part(rows: list[list[str]], table: FigureTable) -> list[list[str]]:
    """The rows of a CSV export from the table's header row on (after the header block)."""
    start = rows.index([table.row_header, *table.columns])
    return rows[start:]


@pytest.fixture
def shown(settings: Any) -> None:
    """Thresholds low enough that the demo's small groups show figures (the demo runs at scale 0.1)."""
    settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR = 1
    settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = 1


@pytest.fixture
def formula_school(demo: Demo) -> Organization:
    """A Riverside school renamed to a formula, and the district's figures refreshed."""
    school = Organization.objects.filter(parent=demo.riverside, kind=Organization.Kind.SCHOOL).first()
    assert school is not None
    school.name = FORMULA
    school.save(update_fields=["name"])
    refresh_district(district_id=demo.riverside.pk)
    return school


@pytest.fixture
def admin(demo: Demo) -> User:
    return demo.users["district-admin"]


def school_of(user: User) -> Organization:
    schools = insights_scope(user).schools
    assert schools, "the demo's school administrator administers a school"
    return Organization.objects.get(pk=min(schools))


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


SAMPLE = FigureTable(
    key="status",
    title="Students by status",
    row_header="School",
    columns=("Students", "On track", "Mean pace", "Share"),
    rows=(
        Row("1", FORMULA, (Cell(25, "25"), Cell(None, HIDDEN), Cell(-0.5, "-0.5"), Cell(None, "≥ 95 %", 95))),
        Row("2", "Elm, North", (Cell(40, "40"), Cell(12, "12"), Cell(0.75, "0.75"), Cell(50, "50 %"))),
    ),
)


# The service --------------------------------------------------------------------------------------------


def test_a_csv_export_holds_the_header_block_and_the_table_as_shown(demo: Demo, admin: User) -> None:
    content, media_type, file_name = export_table(
        context=context_of(admin), table=SAMPLE, district_id=demo.riverside.pk, fmt="csv"
    )
    assert media_type.startswith("text/csv")
    assert file_name.endswith(".csv")
    assert "status" in file_name
    assert file_name.replace("-", "").replace(".", "").isalnum(), file_name
    rows = csv_rows(content)
    assert rows[0] == ["Students by status"]
    header = {row[0]: row[1] for row in rows[1:] if len(row) == 2}
    assert header["District"] == demo.riverside.name
    assert "every school of the district" in header["Filters"]
    assert "broken down by race" in header["Filters"]
    assert "Figures as of" in header
    assert "fewer than 6 students" in header["Suppression"]
    assert "fewer than 20 students" in header["Suppression"]
    assert table_part(rows, SAMPLE) == [
        ["School", "Students", "On track", "Mean pace", "Share"],
        ["'" + FORMULA, "25", HIDDEN, "-0.5", "≥ 95 %"],
        ["Elm, North", "40", "12", "0.75", "50 %"],
    ]


def test_an_xlsx_export_has_numbers_as_numbers_and_neutralised_text(demo: Demo, admin: User) -> None:
    content, media_type, file_name = export_table(
        context=context_of(admin), table=SAMPLE, district_id=demo.riverside.pk, fmt="xlsx"
    )
    assert media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert file_name.endswith(".xlsx")
    rows = xlsx_rows(content)
    assert rows[0][0] == "Students by status"
    start = rows.index(["School", "Students", "On track", "Mean pace", "Share"])
    assert rows[start + 1 :] == [
        ["'" + FORMULA, 25, HIDDEN, -0.5, "≥ 95 %"],
        ["Elm, North", 40, 12, 0.75, 0.5],
    ]


def test_a_school_export_names_the_school_and_its_filters(demo: Demo) -> None:
    school_admin = demo.users["school-admin"]
    school = school_of(school_admin)
    filters = Filters(school_id=school.pk, grade=9, subgroup="yes", dimension="english_learner", by="grade")
    content, _media, file_name = export_table(
        context=context_of(school_admin),
        table=SAMPLE,
        district_id=school.parent_id or 0,
        fmt="csv",
        filters=filters,
    )
    header = {row[0]: row[1] for row in csv_rows(content) if len(row) == 2}
    assert header["School"] == school.name
    assert header["Filters"] == f"school: {school.name}; grade 9; English learners: Yes; broken down by grade"
    assert school.slug in file_name


def test_every_export_is_audited(demo: Demo, admin: User) -> None:
    export_table(context=context_of(admin), table=SAMPLE, district_id=demo.riverside.pk, fmt="xlsx")
    [event] = exports_of(admin)
    assert event.district_id == demo.riverside.pk
    assert event.object_id == "status"
    assert event.student_id is None
    assert "XLSX" in event.reason


def test_the_hourly_allowance_is_counted_from_the_audit(demo: Demo, admin: User, settings: Any) -> None:
    settings.WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR = 2
    for _ in range(2):
        export_table(context=context_of(admin), table=SAMPLE, district_id=demo.riverside.pk, fmt="csv")
    with pytest.raises(ExportsExhausted) as refused:
        export_table(context=context_of(admin), table=SAMPLE, district_id=demo.riverside.pk, fmt="csv")
    assert refused.value.status == 429
    assert "2 tables in the last hour" in refused.value.reason
    assert len(exports_of(admin)) == 2
    assert len(denials_of(admin)) == 1
    # Another person's allowance is their own.
    other = User.objects.create_user(username="second-admin", district=demo.riverside)
    assert not exports_of(other)


@pytest.mark.parametrize("which", ["district", "school"])
def test_an_export_of_another_district_is_hidden_and_audited(demo: Demo, admin: User, which: str) -> None:
    hillcrest_school = Organization.objects.filter(parent=demo.hillcrest).first()
    assert hillcrest_school is not None
    filters = (
        Filters(district_id=demo.hillcrest.pk)
        if which == "district"
        else Filters(school_id=hillcrest_school.pk)
    )
    with pytest.raises(NotVisible):
        export_subject(context=context_of(admin), filters=filters, table_key="status")
    [denied] = denials_of(admin)
    assert denied.object_id == "status"
    assert str(demo.hillcrest.pk if which == "district" else hillcrest_school.pk) in denied.reason
    assert not exports_of(admin)
    with pytest.raises(NotVisible):
        export_table(context=context_of(admin), table=SAMPLE, district_id=demo.hillcrest.pk, fmt="csv")
    assert len(denials_of(admin)) == 2
    assert not exports_of(admin)


def test_a_school_of_one_district_cannot_be_exported_under_another(demo: Demo, admin: User) -> None:
    riverside_school = Organization.objects.filter(parent=demo.riverside).first()
    assert riverside_school is not None
    filters = Filters(school_id=riverside_school.pk, district_id=demo.hillcrest.pk)
    with pytest.raises(NotVisible):
        export_subject(context=context_of(admin), filters=filters, table_key="status")
    assert len(denials_of(admin)) == 1


@pytest.mark.parametrize("username", ["teacher", "student", "guardian", "state-analyst"])
def test_people_who_administer_nothing_may_not_export(demo: Demo, username: str) -> None:
    user = demo.users[username]
    with pytest.raises(NotPermitted):
        export_table(context=context_of(user), table=SAMPLE, district_id=demo.riverside.pk, fmt="csv")
    assert len(denials_of(user)) == 1
    assert not exports_of(user)


@pytest.mark.parametrize(
    ("table", "fmt", "params"),
    [
        ("status", "pdf", {}),
        ("status", "", {}),
        ("students", "csv", {}),
        ("status; DROP TABLE core_student", "csv", {}),
        ("status", "csv", {"subgroup": "race:martian"}),
        ("status", "csv", {"grade": "99"}),
        ("status", "csv", {"school": "1 OR 1=1"}),
        ("status", "csv", {"school": "9" * 40}),
        ("status", "csv", {"by": "student"}),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    demo: Demo, admin: User, table: str, fmt: str, params: dict[str, str]
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Invalid):
        export_request(context=context_of(admin), table_key=table, fmt=fmt, params=params)
    assert AuditEvent.objects.count() == before


# The page and the API -----------------------------------------------------------------------------------


def test_the_page_exports_a_dashboard_table_as_csv_with_its_suppressed_cells(demo: Demo, admin: User) -> None:
    """At the demo's scale most groups are small: the export has the table exactly as the dashboard's
    selector made it, hidden cells included."""
    refresh_district(district_id=demo.riverside.pk)
    table = dashboard_table(
        context=context_of(admin), filters=Filters(district_id=demo.riverside.pk, by="race"), key="status"
    )
    assert any(cell.hidden for row in table.rows for cell in row.cells), "the demo has small groups"
    response = admin_client(admin).get(PAGE, {"table": "status", "format": "csv", "by": "race"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="insights-')
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response.content)
    assert table_part(rows, table) == table.as_matrix()
    assert HIDDEN in {text for row in table_part(rows, table)[1:] for text in row[1:]}


@pytest.mark.usefixtures("shown")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_page_neutralises_a_school_named_like_a_formula(
    demo: Demo, admin: User, formula_school: Organization, fmt: str
) -> None:
    response = admin_client(admin).get(PAGE, {"table": "status", "format": fmt, "by": "school"})
    assert response.status_code == 200, response.content[:300]
    rows = csv_rows(response.content) if fmt == "csv" else xlsx_rows(response.content)
    labels = [row[0] for row in rows if row]
    assert "'" + FORMULA in labels
    assert FORMULA not in labels
    if fmt == "xlsx":
        figures = [value for row in rows for value in row[1:] if isinstance(value, int | float)]
        assert figures, "with low thresholds the figures show, as numbers"
    [event] = exports_of(admin)
    assert (event.district_id, event.object_id) == (demo.riverside.pk, "status")


@pytest.mark.usefixtures("shown")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_api_answers_the_same_file(
    demo: Demo, admin: User, formula_school: Organization, fmt: str
) -> None:
    response = admin_client(admin).get(f"{API}status", {"format": fmt, "by": "school"})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(response.content) if fmt == "csv" else xlsx_rows(response.content)
    assert "'" + FORMULA in [row[0] for row in rows if row]
    assert len(exports_of(admin)) == 1


def test_the_page_and_the_api_answer_429_over_the_allowance(demo: Demo, admin: User, settings: Any) -> None:
    settings.WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR = 2
    client = admin_client(admin)
    assert client.get(PAGE, {"table": "pace", "format": "csv"}).status_code == 200
    assert client.get(f"{API}pace", {"format": "xlsx"}).status_code == 200
    page = client.get(PAGE, {"table": "pace", "format": "csv"})
    assert page.status_code == 429
    assert "try again after" in page.content.decode()
    api = client.get(f"{API}pace", {"format": "csv"})
    assert api.status_code == 429
    assert api["Content-Type"] == "application/problem+json"
    assert "try again after" in api.json()["detail"]
    assert len(exports_of(admin)) == 2


def test_the_page_and_the_api_refuse_another_district_and_audit_it(demo: Demo, admin: User) -> None:
    client = admin_client(admin)
    page = client.get(PAGE, {"table": "status", "format": "csv", "district": str(demo.hillcrest.pk)})
    assert page.status_code == 404
    api = client.get(f"{API}status", {"format": "csv", "district": str(demo.hillcrest.pk)})
    assert api.status_code == 404
    assert api["Content-Type"] == "application/problem+json"
    assert len(denials_of(admin)) == 2
    assert not exports_of(admin)


@pytest.mark.parametrize("username", ["teacher", "student"])
def test_the_page_and_the_api_refuse_teachers_and_students(demo: Demo, username: str) -> None:
    client = admin_client(demo.users[username])
    assert client.get(PAGE, {"table": "status", "format": "csv"}).status_code == 403
    assert client.get(f"{API}status", {"format": "csv"}).status_code == 403
    # Refused before their input is read: a bare address tells them no more than a well-formed one.
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{API}nothing", {"format": "pdf"}).status_code == 403
    assert not exports_of(demo.users[username])
    assert len(denials_of(demo.users[username])) == 4


def test_anonymous_people_are_sent_to_sign_in_or_answered_401(demo: Demo) -> None:
    client = Client()
    assert client.get(PAGE, {"table": "status", "format": "csv"}).status_code == 302
    assert client.get(f"{API}status", {"format": "csv"}).status_code == 401


@pytest.mark.parametrize(
    ("table", "params"),
    [
        ("status", {"format": "pdf"}),
        ("nothing", {"format": "csv"}),
        ("status", {"format": "csv", "subgroup": "race:martian"}),
        ("status", {"format": "csv", "grade": "' OR 1=1 --"}),
        ("status", {"format": "csv", "cohort": "99999999999999999999"}),
    ],
)
def test_the_page_and_the_api_answer_400_with_a_reason(
    demo: Demo, admin: User, table: str, params: dict[str, str]
) -> None:
    client = admin_client(admin)
    before = AuditEvent.objects.count()
    page = client.get(PAGE, {"table": table, **params})
    assert page.status_code == 400
    assert "This could not be done" in page.content.decode()
    api = client.get(f"{API}{table}", params)
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["detail"]
    assert AuditEvent.objects.count() == before
