"""The OneRoster export: what the zip holds, the round trip import → export → import, formula
neutralisation (and what it costs the round trip), the hourly allowance, the audit, the page, the API and
the command."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.interop import roster_kit as kit
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.export_limits import STUDENT_EXPORTS_PER_HOUR as EXPORTS_PER_HOUR
from waypoint.core.export_limits import ExportsExhausted
from waypoint.core.models import (
    AuditAction,
    AuditEvent,
    GuardianLink,
    Organization,
    RoleAssignment,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentDemographics,
    StudentEnrollment,
    User,
)
from waypoint.interop.models import AcademicSession, Course, RosteredClass, RosteredDemographics, RosterImport
from waypoint.interop.oneroster.reader import read_roster
from waypoint.interop.services.roster_export import export_rows, neutralise, roster_export
from waypoint.interop.services.roster_import import roster_import
from waypoint.interop.services.setup import SchoolSpec, SetupResult, district_setup

# Every table a roster import writes: the round trip compares them whole, before and after.
ROSTER_MODELS: tuple[type[Model], ...] = (
    Organization,
    User,
    Student,
    StudentEnrollment,
    RoleAssignment,
    GuardianLink,
    Section,
    SectionEnrollment,
    SectionTeacher,
    StudentDemographics,
    AcademicSession,
    Course,
    RosteredClass,
    RosteredClass.terms.through,
    RosteredDemographics,
)
KIT_FILES = ("orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv")


@pytest.fixture
def setup(demo: Demo) -> SetupResult:
    """A district set up as `waypoint setup` leaves it, in the demo's state, with no roster yet."""
    return district_setup(
        state_name="Connecticut (demo)",
        state_code="ct-demo",
        district_name="Kit Unified",
        district_slug="kit-unified",
        schools=[],
        admin_username="kit-first-admin",
        admin_email="first-admin@kit.waypoint.invalid",
        admin_first_name="First",
        admin_last_name="Admin",
        admin_password=None,
    )


def admin_context(setup: SetupResult) -> RequestContext:
    return RequestContext(user=setup.admin, path="/test", acting_district_id=setup.district.pk)


def import_roster(setup: SetupResult, source: Path | bytes, name: str = "kit") -> RosterImport:
    return roster_import(
        context=admin_context(setup), district=setup.district, source=source, source_name=name
    )


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every roster table, as values (last_login aside: signing in is not the roster)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in ROSTER_MODELS:
        rows = list(model._default_manager.order_by("pk").values())
        for row in rows:
            row.pop("last_login", None)
        tables[model._meta.label] = rows
    return tables


def changes(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The rows that differ, table by table (empty when nothing changed)."""
    found = []
    for table, rows in after.items():
        old = {row["id"]: row for row in before[table]}
        new = {row["id"]: row for row in rows}
        found += [f"{table} added {new[pk]}" for pk in new.keys() - old.keys()]
        found += [f"{table} removed {old[pk]}" for pk in old.keys() - new.keys()]
        found += [f"{table} {old[pk]} -> {new[pk]}" for pk in old.keys() & new.keys() if old[pk] != new[pk]]
    return found


def files_of(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"), newline="")))
            for name in archive.namelist()
        }


@pytest.fixture
def imported(setup: SetupResult, tmp_path: Path) -> SetupResult:
    run = import_roster(setup, kit.write_roster(tmp_path / "kit"))
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    return setup


def test_the_export_holds_the_imported_roster(imported: SetupResult) -> None:
    content = roster_export(context=admin_context(imported), district=imported.district)
    files = files_of(content)
    assert sorted(files) == sorted(["manifest.csv", *KIT_FILES, "demographics.csv"]), (
        "a manifest and every data file, nothing else"
    )
    manifest = {row["propertyName"]: row["value"] for row in files["manifest.csv"]}
    assert manifest["oneroster.version"] == "1.1"
    assert manifest["file.users"] == "bulk"
    assert manifest["file.results"] == "absent"
    # The kit's rows, every one: its district row stands for the district it was imported into, and the
    # first administrator (made by hand, no roster identifier) is not in the roster.
    assert export_rows(content) == kit.KIT_COUNTS
    users = {row["sourcedId"]: row for row in files["users.csv"]}
    assert "kit-first-admin" not in {row["username"] for row in users.values()}
    teacher = users[kit.sid("teacher-3")]
    assert teacher["role"] == "teacher"
    assert set(teacher["orgSourcedIds"].split(",")) == {kit.sid("school-1"), kit.sid("school-2")}
    assert users[kit.sid("admin-1")]["orgSourcedIds"] == imported.district.sourced_id
    assert users[kit.sid("admin-1")]["role"] == "administrator"
    student = users[kit.sid(kit.student(1))]
    assert (student["givenName"], student["grades"], student["agentSourcedIds"]) == (
        "Ana",
        "09",
        kit.sid("guardian-1"),
    )
    assert users[kit.sid("guardian-1")]["role"] == "parent"
    enrollments = {row["sourcedId"]: row for row in files["enrollments.csv"]}
    leads = [row for row in enrollments.values() if row["role"] == "teacher" and row["primary"] == "true"]
    assert len(leads) == 4, "each class's lead teacher is its primary teacher"
    orgs = {row["sourcedId"]: row for row in files["orgs.csv"]}
    assert orgs[kit.sid("school-1")]["parentSourcedId"] == imported.district.sourced_id


def test_import_of_the_export_changes_nothing(imported: SetupResult) -> None:
    before = snapshot()
    content = roster_export(context=admin_context(imported), district=imported.district)
    run = import_roster(imported, content, name="export.zip")
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    assert changes(before, snapshot()) == []
    for file, counts in run.counts.items():
        changed = {key: value for key, value in counts.items() if key not in ("rows", "unchanged") and value}
        assert changed == {}, f"{file}: {counts}"
    assert sum(counts["unchanged"] for counts in run.counts.values()) > 0


def test_after_a_delta_the_round_trip_changes_no_row(imported: SetupResult, tmp_path: Path) -> None:
    """Rows a delta ended (a student who left a class, a guardian no longer on the roster) stay as they
    are: the enrollment is written with its end date, the guardian (whose every link ended) not at all,
    and importing the export ends nothing further and reopens nothing."""
    full = kit.kit_rows()
    leaving = [row for row in full["users.csv"] if row["sourcedId"] == kit.sid("guardian-2")]
    delta = {
        "enrollments.csv": [{**full["enrollments.csv"][0], "status": "tobedeleted"}],
        "users.csv": [{**row, "status": "tobedeleted"} for row in leaving],
    }
    run = import_roster(
        imported, kit.write_roster(tmp_path / "delta", rows=delta, mode="delta"), name="delta"
    )
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    before = snapshot()
    files = files_of(roster_export(context=admin_context(imported), district=imported.district))
    assert kit.sid("guardian-2") not in {row["sourcedId"] for row in files["users.csv"]}
    ended = next(
        row for row in files["enrollments.csv"] if row["sourcedId"] == full["enrollments.csv"][0]["sourcedId"]
    )
    assert ended["endDate"] == timezone.localdate().isoformat()
    run = import_roster(imported, roster_export(context=admin_context(imported), district=imported.district))
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    assert changes(before, snapshot()) == []


@pytest.mark.parametrize("sample", ["oat-sa-v1.1-base", "edfi-lms-toolkit-grandbend-v1.1"])
def test_the_real_samples_round_trip(setup: SetupResult, shared_data: Path, sample: str) -> None:
    """The real OneRoster samples, imported, exported and imported again: no row changes."""
    run = import_roster(setup, shared_data / "oneroster" / sample, name=sample)
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    before = snapshot()
    content = roster_export(context=admin_context(setup), district=setup.district)
    assert read_roster(content).problems == []
    written = export_rows(content)
    assert written["users.csv"] > 0
    assert written["enrollments.csv"] > 0
    run = import_roster(setup, content, name="export.zip")
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    assert changes(before, snapshot()) == []


def test_the_export_reads_without_problems(imported: SetupResult) -> None:
    roster = read_roster(roster_export(context=admin_context(imported), district=imported.district))
    assert roster.problems == []
    assert roster.version == "1.1"
    assert len(roster.users) == kit.KIT_COUNTS["users.csv"]


def test_a_cell_that_starts_like_a_formula_is_neutralised(imported: SetupResult) -> None:
    student = Student.objects.get(district=imported.district, sourced_id=kit.sid(kit.student(2)))
    student.first_name, student.last_name = "=HYPERLINK(1)", "O'Brien-Smith"
    student.save()
    content = roster_export(context=admin_context(imported), district=imported.district)
    row = next(r for r in files_of(content)["users.csv"] if r["sourcedId"] == student.sourced_id)
    assert row["givenName"] == "'=HYPERLINK(1)"
    assert row["familyName"] == "O'Brien-Smith", "only a cell's first character matters"
    # The price: importing the export again keeps the apostrophe (the one thing a round trip changes).
    run = import_roster(imported, content, name="export.zip")
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    student.refresh_from_db()
    assert (student.first_name, student.last_name) == ("'=HYPERLINK(1)", "O'Brien-Smith")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1 555", "'+1 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ana", "Ana"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value: str, written: str) -> None:
    assert neutralise(value) == written


def test_exports_are_audited_and_limited_per_hour(imported: SetupResult) -> None:
    context = admin_context(imported)
    before = AuditEvent.objects.count()
    for _ in range(EXPORTS_PER_HOUR):
        roster_export(context=context, district=imported.district)
    events = AuditEvent.objects.order_by("pk")[before:]
    runs = [event for event in events if event.student_id is None]
    assert len(runs) == EXPORTS_PER_HOUR
    assert {(e.action, e.object_type, e.district_id) for e in runs} == {
        (AuditAction.EXPORT, "roster-export", imported.district.pk)
    }
    students = Student.objects.filter(district=imported.district).count()
    assert len(events) - len(runs) == EXPORTS_PER_HOUR * students, "one event per student written, each time"
    with pytest.raises(ExportsExhausted) as refused:
        roster_export(context=context, district=imported.district)
    assert refused.value.status == 429
    assert "try again after" in refused.value.reason
    # Another administrator has their own allowance.
    other = User.objects.get(sourced_id=kit.sid("admin-1"))
    roster_export(context=RequestContext(user=other), district=imported.district)


def test_only_the_districts_administrators_export(imported: SetupResult, demo: Demo) -> None:
    teacher = User.objects.get(sourced_id=kit.sid("teacher-1"))
    with pytest.raises(NotPermitted):
        roster_export(context=RequestContext(user=teacher), district=imported.district)
    with pytest.raises(NotPermitted):
        roster_export(context=RequestContext(user=demo.users["district-admin"]), district=imported.district)


def test_the_page_downloads_the_zip(imported: SetupResult) -> None:
    client = Client()
    client.force_login(imported.admin)
    page = client.get(reverse("interop-roster-export"))
    assert page.status_code == 200
    assert b"Download the roster" in page.content
    response = client.post(reverse("interop-roster-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="oneroster-kit-unified-')
    assert export_rows(response.content) == kit.KIT_COUNTS


def test_the_page_refuses_past_the_allowance(imported: SetupResult) -> None:
    client = Client()
    client.force_login(imported.admin)
    for _ in range(EXPORTS_PER_HOUR):
        assert client.post(reverse("interop-roster-export")).status_code == 200
    refused = client.post(reverse("interop-roster-export"))
    assert refused.status_code == 429
    assert b"try again after" in refused.content


def test_the_api_returns_the_zip_and_429(imported: SetupResult) -> None:
    client = Client()
    client.force_login(imported.admin)
    url = "/api/v1/interop/rosters/export"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert export_rows(response.content)["users.csv"] == kit.KIT_COUNTS["users.csv"]
    for _ in range(EXPORTS_PER_HOUR - 1):
        client.get(url)
    refused = client.get(url)
    assert refused.status_code == 429
    assert "try again after" in refused.json()["detail"]
    assert Client().get(url).status_code == 401


def test_the_command_writes_the_zip(imported: SetupResult, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("export-oneroster", str(tmp_path / "roster.zip"), district="kit-unified", stdout=out)
    assert export_rows((tmp_path / "roster.zip").read_bytes()) == kit.KIT_COUNTS
    assert "users.csv: 18 rows" in out.getvalue()
    event = AuditEvent.objects.filter(object_type="roster-export", student__isnull=True).latest("pk")
    assert event.actor_id == imported.admin.pk, "made as the district's first administrator"
    with pytest.raises(CommandError, match="No district"):
        call_command("export-oneroster", str(tmp_path / "x.zip"), district="nowhere")


def test_a_demo_district_exports_without_server_error(demo: Demo) -> None:
    """The demo's rows carry no roster identifiers for enrollments or staff: the export still answers, with
    the students and sections it has."""
    admin = demo.users["district-admin"]
    content = roster_export(context=RequestContext(user=admin), district=demo.riverside)
    rows = export_rows(content)
    assert (
        rows["users.csv"]
        >= Student.objects.filter(district=demo.riverside, enrollments__exit_date=None).count()
    )
    assert rows["classes.csv"] > 0


def test_a_school_set_up_by_hand_is_found_by_the_roster(demo: Demo, tmp_path: Path) -> None:
    """`waypoint setup --school "Name::ID"`: the roster import matches the school by its identifier, so it
    is not created twice."""
    result = district_setup(
        state_name="Connecticut (demo)",
        state_code="ct-demo",
        district_name="Kit Unified",
        district_slug="kit-unified",
        schools=[
            SchoolSpec(name="North High", lowest_grade=9, highest_grade=12, sourced_id=kit.sid("school-1"))
        ],
        admin_username="kit-first-admin",
        admin_email="first-admin@kit.waypoint.invalid",
        admin_first_name="First",
        admin_last_name="Admin",
        admin_password=None,
    )
    run = import_roster(result, kit.write_roster(tmp_path / "kit"))
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    assert Organization.objects.filter(parent=result.district).count() == 2
    assert Organization.objects.get(sourced_id=kit.sid("school-1")).pk == result.schools[0].pk
