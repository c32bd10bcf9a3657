"""Importing a OneRoster set: the mapping onto core rows, idempotence, deltas, bulk endings, atomic refusal
and the run's record, on the roster kit's small set."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from tests.conftest import Demo
from tests.interop import roster_kit as kit
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import (
    AuditEvent,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentDemographics,
    StudentEnrollment,
    User,
)
from waypoint.evidence.models import Score
from waypoint.interop.models import AcademicSession, Course, RosteredClass, RosteredDemographics, RosterImport
from waypoint.interop.services import roster_import as roster_import_module
from waypoint.interop.services.roster_import import roster_import
from waypoint.mastery.models import MasteryLevel

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
    RosteredDemographics,
)


@pytest.fixture
def district(demo: Demo) -> Organization:
    """A district of its own (the kit's sourcedId) with its first administrator, as `waypoint setup` leaves
    it."""
    state = demo.riverside.parent
    assert state is not None
    district = Organization.objects.create(
        kind=Organization.Kind.DISTRICT,
        name="Kit Unified",
        slug="kit-unified",
        sourced_id=kit.sid("district"),
        parent=state,
    )
    admin = User.objects.create_user(username="kit-first-admin", district=district)
    RoleAssignment.objects.create(
        user=admin, role=Role.DISTRICT_ADMIN, organization=district, district=district
    )
    return district


def admin_context(district: Organization) -> RequestContext:
    """The district's first administrator (the roster brings another one)."""
    return RequestContext(user=User.objects.get(username="kit-first-admin"), path="/test")


def run_import(district: Organization, folder: Path, **options: Any) -> RosterImport:
    return roster_import(
        context=admin_context(district), district=district, source=folder, source_name=folder.name, **options
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every roster table's rows, field by field, to compare before and after."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in ROSTER_MODELS:
        names = [field.attname for field in model._meta.concrete_fields if field.attname != "last_login"]
        tables[model.__name__] = list(model._default_manager.order_by("pk").values_list(*names))
    terms = RosteredClass.terms.through
    tables["terms"] = list(terms.objects.order_by("pk").values_list("rosteredclass_id", "academicsession_id"))
    return tables


def test_the_kit_maps_onto_people_roles_sections_and_demographics(
    tmp_path: Path, district: Organization
) -> None:
    run = run_import(district, kit.write_roster(tmp_path / "set"))

    assert run.status == RosterImport.Status.IMPORTED
    assert run.counts["users.csv"] == {
        "rows": 18,
        "created": 18,
        "updated": 0,
        "ended": 0,
        "unchanged": 0,
        "ignored": 0,
    }
    assert run.counts["enrollments.csv"]["created"] == 31
    assert run.counts["orgs.csv"]["created"] == 2
    assert run.counts["orgs.csv"]["unchanged"] == 1  # the district itself
    schools = Organization.objects.filter(parent=district, kind=Organization.Kind.SCHOOL)
    assert sorted(schools.values_list("sourced_id", flat=True)) == [kit.sid("school-1"), kit.sid("school-2")]
    students = Student.objects.filter(district=district)
    assert students.count() == 12
    ana = students.get(sourced_id=kit.sid(kit.student(1)))
    assert (ana.first_name, ana.last_name) == ("Ana", "Alvarez")
    account = User.objects.get(student_record=ana)
    assert account.username == kit.username(kit.student(1))
    assert not account.has_usable_password()
    assert account.district == district
    assert ana.enrollments.get().grade_level == 9
    assert ana.enrollments.get().school.sourced_id == kit.sid("school-1")
    assert ana.birth_date is not None
    assert ana.demographics.gender == "female"
    assert ana.demographics.hispanic_or_latino is True
    assert ana.oneroster_demographics.columns["cityOfBirth"] == "Riverside"
    rita = User.objects.get(sourced_id=kit.sid("teacher-3"))
    assert set(rita.role_assignments.values_list("role", "organization__sourced_id")) == {
        (Role.TEACHER, kit.sid("school-1")),
        (Role.TEACHER, kit.sid("school-2")),
    }
    assert set(rita.section_assignments.values_list("teaching_role", flat=True)) == {"co_teacher"}
    assert SectionTeacher.objects.filter(section__district=district, teaching_role="lead").count() == 4
    admin = User.objects.get(sourced_id=kit.sid("admin-1"))
    assert admin.role_assignments.get().role == Role.DISTRICT_ADMIN
    paula = User.objects.get(sourced_id=kit.sid("guardian-1"))
    assert sorted(paula.guardian_links.values_list("student__sourced_id", "relationship")) == [
        (kit.sid(kit.student(1)), "parent"),
        (kit.sid(kit.student(2)), "parent"),
    ]
    assert GuardianLink.objects.filter(district=district).count() == 3
    class_1 = Section.objects.get(district=district, sourced_id=kit.sid("class-1"))
    start = kit.school_year_start()
    assert (class_1.starts_on, class_1.ends_on) == (start, datetime.date(start.year + 1, 6, 30))
    assert (class_1.course_code, class_1.subject) == ("ALG-1", "Algebra I")
    assert class_1.oneroster.course is not None
    assert class_1.oneroster.course.sourced_id == kit.sid("course-algebra")
    assert list(class_1.oneroster.terms.values_list("sourced_id", flat=True)) == [kit.sid("year")]
    assert class_1.roster.count() == 6
    assert SectionEnrollment.objects.filter(section__district=district).exclude(sourced_id="").count() == 24


def test_the_run_is_audited_with_one_event_per_student_created(
    tmp_path: Path, district: Organization
) -> None:
    run = run_import(district, kit.write_roster(tmp_path / "set"))

    events = AuditEvent.objects.filter(object_type="roster-import")
    assert events.filter(action="create", student__isnull=False).count() == 12
    assert events.filter(object_id=str(run.pk), student__isnull=True).count() == 1
    assert run.started_by is not None
    assert run.started_by.username == "kit-first-admin"
    assert run.finished_at is not None


def test_importing_the_same_set_again_changes_nothing(tmp_path: Path, district: Organization) -> None:
    folder = kit.write_roster(tmp_path / "set")
    run_import(district, folder)
    before = snapshot()
    events_before = AuditEvent.objects.count()

    again = run_import(district, folder)

    assert snapshot() == before
    for file, counts in again.counts.items():
        assert counts["created"] == counts["updated"] == counts["ended"] == 0, file
        assert counts["unchanged"] + counts["ignored"] == counts["rows"], file
    # The run alone is recorded: no student was changed.
    assert AuditEvent.objects.count() == events_before + 1


def test_a_zip_imports_like_the_folder(tmp_path: Path, district: Organization) -> None:
    data = kit.zip_roster(kit.write_roster(tmp_path / "set"))

    run = roster_import(
        context=admin_context(district), district=district, source=data, source_name="kit.zip"
    )

    assert run.status == RosterImport.Status.IMPORTED
    assert Student.objects.filter(district=district).count() == 12


def test_version_1_2_with_roles_csv_imports_the_same_people(tmp_path: Path, district: Organization) -> None:
    run = run_import(district, kit.write_roster(tmp_path / "set", version="1.2"))

    assert run.version == "1.2"
    assert run.counts["users.csv"]["created"] == 18
    assert RoleAssignment.objects.filter(district=district, role=Role.TEACHER).count() == 4


def test_a_delta_ends_what_it_marks_tobedeleted(tmp_path: Path, district: Organization) -> None:
    run_import(district, kit.write_roster(tmp_path / "full"))
    enrollment_sid = kit.kit_rows()["enrollments.csv"][0]["sourcedId"]
    full = kit.kit_rows()
    delta = {
        "enrollments.csv": [{**full["enrollments.csv"][0], "status": "tobedeleted"}],
        "users.csv": [
            {**row, "status": "tobedeleted"}
            for row in full["users.csv"]
            if row["sourcedId"] == kit.sid("teacher-2")
        ],
    }

    run = run_import(district, kit.write_roster(tmp_path / "delta", rows=delta, mode="delta"))

    assert run.mode == RosterImport.Mode.DELTA
    today = timezone.localdate()
    ended = SectionEnrollment.objects.get(district=district, sourced_id=enrollment_sid)
    assert ended.ends_on == max(today, ended.starts_on)
    omar = User.objects.get(sourced_id=kit.sid("teacher-2"))
    assert [assignment.ends_on for assignment in omar.role_assignments.all()] == [today]
    assert run.counts["enrollments.csv"]["ended"] == 1
    assert run.counts["users.csv"]["ended"] == 1
    # Nothing else moved: the other 23 student enrollments are as the bulk import left them.
    assert SectionEnrollment.objects.filter(district=district, ends_on__lte=today).count() == 1
    assert Student.objects.filter(district=district).count() == 12


def test_a_delta_refers_to_rows_imported_before(tmp_path: Path, district: Organization) -> None:
    run_import(district, kit.write_roster(tmp_path / "full"))
    start = kit.school_year_start()
    new_enrollment = {
        "sourcedId": kit.sid("enrollment-new"),
        "status": "active",
        "dateLastModified": "",
        "classSourcedId": kit.sid("class-2"),
        "schoolSourcedId": kit.sid("school-1"),
        "userSourcedId": kit.sid(kit.student(7)),
        "role": "student",
        "primary": "false",
        "beginDate": start.isoformat(),
        "endDate": "",
    }

    run = run_import(
        district,
        kit.write_roster(tmp_path / "delta", rows={"enrollments.csv": [new_enrollment]}, mode="delta"),
    )

    assert run.counts["enrollments.csv"]["created"] == 1
    assert SectionEnrollment.objects.filter(
        sourced_id=kit.sid("enrollment-new"), section__sourced_id=kit.sid("class-2")
    ).exists()


def test_a_delta_naming_what_was_never_imported_is_refused(tmp_path: Path, district: Organization) -> None:
    run_import(district, kit.write_roster(tmp_path / "full"))
    stray = {
        "sourcedId": kit.sid("enrollment-stray"),
        "status": "active",
        "dateLastModified": "",
        "classSourcedId": kit.sid("class-99"),
        "schoolSourcedId": kit.sid("school-1"),
        "userSourcedId": kit.sid("nobody"),
        "role": "student",
        "primary": "false",
        "beginDate": "",
        "endDate": "",
    }
    before = snapshot()

    with pytest.raises(Invalid) as refusal:
        run_import(
            district, kit.write_roster(tmp_path / "delta", rows={"enrollments.csv": [stray]}, mode="delta")
        )

    assert snapshot() == before
    run = RosterImport.objects.filter(district=district).first()
    assert run is not None
    assert run.status == RosterImport.Status.REFUSED
    assert {(problem["file"], problem["line"], problem["column"]) for problem in run.problems} == {
        ("enrollments.csv", 2, "classSourcedId"),
        ("enrollments.csv", 2, "userSourcedId"),
    }
    assert "enrollments.csv:2: classSourcedId: The class kit-class-99 is neither" in refusal.value.problems[0]


def test_bulk_ends_what_the_district_no_longer_rosters(tmp_path: Path, district: Organization) -> None:
    run_import(district, kit.write_roster(tmp_path / "full"))
    gone = kit.sid(kit.student(12))

    def without_student_12(row: dict[str, str]) -> dict[str, str] | None:
        return None if gone in (row.get("sourcedId"), row.get("userSourcedId")) else row

    folder = kit.write_roster(
        tmp_path / "next",
        edits={
            "users.csv": without_student_12,
            "enrollments.csv": without_student_12,
            "demographics.csv": without_student_12,
        },
    )
    run = run_import(district, folder)

    today = timezone.localdate()
    student = Student.objects.get(district=district, sourced_id=gone)  # the record stays
    assert student.enrollments.get().exit_date == today
    assert all(
        enrollment.ends_on is not None and enrollment.ends_on <= max(today, enrollment.starts_on)
        for enrollment in student.section_enrollments.all()
    )
    assert run.counts["users.csv"]["ended"] == 1
    assert run.counts["enrollments.csv"]["ended"] == 2
    # The first administrator, made by hand and not in the roster, keeps the role.
    assert RoleAssignment.objects.get(user__username="kit-first-admin").ends_on is None
    # The audit says the student's record changed.
    assert (
        AuditEvent.objects.filter(object_type="roster-import", action="update", student=student).count() == 1
    )


def test_a_student_who_changed_section_keeps_evidence_and_levels(tmp_path: Path, demo: Demo) -> None:
    """Jordan (the demo's student, with scores and levels) is rostered, then moves to another class."""
    jordan = demo.student
    scores, levels = (
        Score.objects.filter(student=jordan).count(),
        MasteryLevel.objects.filter(student=jordan).count(),
    )
    assert scores, "the demo's student has scores to keep"
    assert levels, "the demo's student has levels to keep"
    rows = kit.kit_rows()
    for row in rows["users.csv"]:
        if row["sourcedId"] == kit.sid(kit.student(1)):
            row.update(
                sourcedId=jordan.sourced_id,
                username="student",
                givenName=jordan.first_name,
                familyName=jordan.last_name,
            )
    for row in rows["enrollments.csv"] + rows["demographics.csv"]:
        for column in ("sourcedId", "userSourcedId"):
            if row.get(column) == kit.sid(kit.student(1)):
                row[column] = jordan.sourced_id
    for row in rows["users.csv"]:
        row["agentSourcedIds"] = row["agentSourcedIds"].replace(kit.sid(kit.student(1)), jordan.sourced_id)
    context = RequestContext(user=demo.users["district-admin"])
    roster_import(
        context=context,
        district=demo.riverside,
        source=kit.write_roster(tmp_path / "one", rows=rows),
        source_name="one",
    )
    jordan.refresh_from_db()
    assert jordan.user == demo.users["student"]
    moved = next(
        row
        for row in rows["enrollments.csv"]
        if row["userSourcedId"] == jordan.sourced_id and row["classSourcedId"] == kit.sid("class-1")
    )
    moved_to = {
        **moved,
        "sourcedId": kit.sid("enrollment-moved"),
        "classSourcedId": kit.sid("class-3"),
        "schoolSourcedId": kit.sid("school-2"),
    }
    rows["enrollments.csv"] = [moved_to if row is moved else row for row in rows["enrollments.csv"]]

    roster_import(
        context=context,
        district=demo.riverside,
        source=kit.write_roster(tmp_path / "two", rows=rows),
        source_name="two",
    )

    old = SectionEnrollment.objects.get(district=demo.riverside, sourced_id=moved["sourcedId"])
    assert old.ends_on == max(timezone.localdate(), old.starts_on)
    new = SectionEnrollment.objects.get(district=demo.riverside, sourced_id=kit.sid("enrollment-moved"))
    assert (new.student, new.section.sourced_id) == (jordan, kit.sid("class-3"))
    assert Score.objects.filter(student=jordan).count() == scores
    assert MasteryLevel.objects.filter(student=jordan).count() == levels


def test_a_sourced_id_of_another_district_is_refused_and_nothing_is_written(
    tmp_path: Path, district: Organization, demo: Demo
) -> None:
    run_import(district, kit.write_roster(tmp_path / "kit"))
    before = snapshot()

    with pytest.raises(Invalid):
        roster_import(
            context=RequestContext(user=demo.users["district-admin"]),
            district=demo.riverside,
            source=kit.write_roster(tmp_path / "again"),
            source_name="again",
        )

    assert snapshot() == before
    run = RosterImport.objects.filter(district=demo.riverside).get()
    assert run.status == RosterImport.Status.REFUSED
    reasons = {(problem["file"], problem["column"]) for problem in run.problems}
    assert ("orgs.csv", "sourcedId") in reasons
    assert ("users.csv", "sourcedId") in reasons
    assert [p for p in run.problems if "belongs to another district" not in p["reason"]] == []
    assert len(run.problems) == 3 + 18  # the district, both schools and every user, not the first only


def test_a_username_taken_by_another_account_is_a_row_problem(tmp_path: Path, district: Organization) -> None:
    folder = kit.write_roster(tmp_path / "set")
    line = kit.set_cell(
        folder, "users.csv", kit.sid("teacher-1"), "username", "teacher"
    )  # the demo's teacher

    with pytest.raises(Invalid):
        run_import(district, folder)

    run = RosterImport.objects.get(district=district)
    assert run.problems == [
        {
            "file": "users.csv",
            "line": line,
            "column": "username",
            "reason": "The username teacher belongs to another account.",
        }
    ]
    assert not Student.objects.filter(district=district).exists()


def test_importing_needs_the_district_administrator(
    tmp_path: Path, district: Organization, demo: Demo
) -> None:
    with pytest.raises(NotPermitted):
        roster_import(
            context=RequestContext(user=demo.users["district-admin"]),  # Riverside's, not this district's
            district=district,
            source=kit.write_roster(tmp_path / "set"),
            source_name="set",
        )
    assert not RosterImport.objects.filter(district=district).exists()


def test_progress_is_reported_per_file(tmp_path: Path, district: Organization) -> None:
    heard: list[tuple[str, int, int]] = []
    progress: Callable[[str, int, int], None] = lambda file, done, total: heard.append((file, done, total))  # noqa: E731

    run_import(district, kit.write_roster(tmp_path / "set"), progress=progress)

    assert ("users.csv", 18, 18) in heard
    assert ("enrollments.csv", 31, 31) in heard


def _duplicate_class(folder: Path) -> tuple[str, int, str]:
    """class-4 renamed class-3: the second class-3 (class-4's line) is the duplicate."""
    line = kit.line_of(folder, "classes.csv", kit.sid("class-4"))
    kit.edit_rows(
        folder,
        "classes.csv",
        lambda row: (
            {**row, "sourcedId": kit.sid("class-3")} if row["sourcedId"] == kit.sid("class-4") else row
        ),
    )
    return "classes.csv", line, "sourcedId"


BAD_FILES: dict[str, Callable[[Path], tuple[str, int | None, str | None]]] = {
    "a bad date": lambda folder: (
        "academicSessions.csv",
        kit.set_cell(folder, "academicSessions.csv", kit.sid("fall"), "endDate", "2025-13-45"),
        "endDate",
    ),
    "an unknown reference": lambda folder: (
        "enrollments.csv",
        kit.set_cell(
            folder, "enrollments.csv", kit.sid("enrollment-03"), "classSourcedId", kit.sid("class-9")
        ),
        "classSourcedId",
    ),
    "a user without a role": lambda folder: (
        "users.csv",
        kit.set_cell(folder, "users.csv", kit.sid("teacher-1"), "role", ""),
        "role",
    ),
    "a duplicate sourcedId": lambda folder: _duplicate_class(folder),
    "an enrollment outside its session": lambda folder: (
        "enrollments.csv",
        kit.set_cell(
            folder,
            "enrollments.csv",
            kit.sid("enrollment-02"),
            "endDate",
            (kit.school_year_start() + datetime.timedelta(days=400)).isoformat(),
        ),
        "endDate",
    ),
}


@pytest.mark.parametrize("family", sorted(BAD_FILES))
def test_each_bad_file_family_is_refused_whole_with_its_place(
    tmp_path: Path, district: Organization, family: str
) -> None:
    folder = kit.write_roster(tmp_path / "set")
    file, line, column = BAD_FILES[family](folder)
    before = snapshot()

    with pytest.raises(Invalid):
        run_import(district, folder)

    assert snapshot() == before
    run = RosterImport.objects.get(district=district)
    assert run.status == RosterImport.Status.REFUSED
    assert (file, line, column) in {(p["file"], p["line"], p["column"]) for p in run.problems}, run.problems


def test_a_file_that_is_not_utf8_or_not_csv_is_refused(tmp_path: Path, district: Organization) -> None:
    folder = kit.write_roster(tmp_path / "set")
    teacher_line = kit.line_of(folder, "users.csv", kit.sid("teacher-1"))
    users = folder / "users.csv"
    users.write_bytes(users.read_bytes().replace(b"Whitley", "Whitl\xe9y".encode("latin-1")))
    (folder / "courses.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    before = snapshot()

    with pytest.raises(Invalid):
        run_import(district, folder)

    assert snapshot() == before
    run = RosterImport.objects.get(district=district)
    files = {problem["file"] for problem in run.problems}
    assert {"users.csv", "courses.csv"} <= files
    assert ("users.csv", teacher_line) in {(p["file"], p["line"]) for p in run.problems}, run.problems


def test_a_large_import_refreshes_the_planners_statistics(
    tmp_path: Path, district: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL runs ANALYZE on the roster tables after an import this large (lowered here to the kit's
    size); the import still succeeds on either engine."""
    monkeypatch.setattr(roster_import_module, "ANALYZE_AFTER_ROWS", 1)
    analyzed: list[bool] = []
    refresh = roster_import_module._refresh_statistics

    def counted_refresh() -> None:
        analyzed.append(True)
        refresh()

    monkeypatch.setattr(roster_import_module, "_refresh_statistics", counted_refresh)

    run = run_import(district, kit.write_roster(tmp_path / "set"))

    assert run.status == RosterImport.Status.IMPORTED
    assert analyzed == [True]
