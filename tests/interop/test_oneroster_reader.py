"""The OneRoster reader: what it tolerates, what it refuses (with file, line and column), the real samples.

Pure: no database. Sets are the test kit (`roster_kit`) spoiled one thing at a time, written by the test."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.interop import roster_kit as kit
from waypoint.interop.oneroster.reader import PROBLEM_LIMIT, SDS_REFUSAL, read_roster
from waypoint.interop.oneroster.records import Problem, RosterSet, Row

TODAY = datetime.date(2026, 10, 1)  # the kit's school year: 2026-08-01 to 2027-06-30, fall to 2026-12-31


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return kit.write_roster(tmp_path / "set", today=TODAY)


def at(roster: RosterSet, file: str, column: str | None = None) -> list[Problem]:
    return [p for p in roster.problems if p.file == file and (column is None or p.column == column)]


def only_problem(roster: RosterSet) -> Problem:
    assert len(roster.problems) == 1, roster.problems
    return roster.problems[0]


def edit(folder: Path, file: str, sourced_id: str, **changes: str) -> int:
    """Change columns of one row; answers the row's line."""

    def change(row: dict[str, str]) -> dict[str, str]:
        if (row.get("sourcedId") or row.get("userSourcedId")) == sourced_id:
            row.update(changes)
        return row

    kit.edit_rows(folder, file, change)
    return kit.line_of(folder, file, sourced_id)


# ---- sound sets ----


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_kit_reads_with_no_problem_and_no_warning(tmp_path: Path, version: str) -> None:
    folder = kit.write_roster(tmp_path / "set", version=version, today=TODAY)  # type: ignore[arg-type]
    roster = read_roster(folder)
    assert roster.problems == []
    assert roster.warnings == []
    assert roster.version == version
    assert not roster.is_delta
    counts = {
        "orgs.csv": len(roster.orgs),
        "academicSessions.csv": len(roster.academic_sessions),
        "courses.csv": len(roster.courses),
        "classes.csv": len(roster.classes),
        "users.csv": len(roster.users),
        "enrollments.csv": len(roster.enrollments),
        "demographics.csv": len(roster.demographics),
    }
    assert counts == kit.KIT_COUNTS
    assert {name: roster.rows_read[name] for name in kit.KIT_COUNTS} == kit.KIT_COUNTS
    users = {user.sourced_id: user for user in roster.users}
    teacher_3 = users[kit.sid("teacher-3")]
    assert [(role.role, role.org_sourced_id, role.role_type) for role in teacher_3.roles] == [
        ("teacher", kit.sid("school-1"), "primary"),
        ("teacher", kit.sid("school-2"), "secondary"),
    ]
    assert users[kit.sid("guardian-1")].agent_sourced_ids == (kit.sid("student-01"), kit.sid("student-02"))
    assert users[kit.sid("teacher-1")].username == kit.username("teacher-1")
    assert users[kit.sid("teacher-1")].email == kit.email("teacher-1")
    assert roster.roles == []  # every role joined its user
    if version == "1.2":
        assert teacher_3.roles[0].sourced_id == f"{kit.sid('teacher-3')}-role-1"
        assert teacher_3.user_master_identifier == "M-teacher-3"
        assert roster.rows_read["roles.csv"] == kit.KIT_ROLE_ROWS_1_2


def test_rows_carry_typed_values_and_their_lines(folder: Path) -> None:
    roster = read_roster(folder)
    fall = next(session for session in roster.academic_sessions if session.sourced_id == kit.sid("fall"))
    assert (fall.session_type, fall.start_date, fall.end_date) == (
        "semester",
        datetime.date(2026, 8, 1),
        datetime.date(2026, 12, 31),
    )
    assert fall.parent_sourced_id == kit.sid("year")
    assert fall.school_year == 2027
    assert fall.date_last_modified == datetime.datetime(2026, 8, 1, 8, tzinfo=datetime.UTC)
    assert fall.line == kit.line_of(folder, "academicSessions.csv", kit.sid("fall"))
    class_2 = next(row for row in roster.classes if row.sourced_id == kit.sid("class-2"))
    assert class_2.term_sourced_ids == (kit.sid("fall"),)
    assert class_2.periods == ("2",)
    teacher_enrollment = next(
        row for row in roster.enrollments if row.user_sourced_id == kit.sid("teacher-1")
    )
    assert teacher_enrollment.primary is True
    assert teacher_enrollment.role == "teacher"
    student = next(row for row in roster.demographics if row.sourced_id == kit.sid("student-01"))
    assert student.sex == "female"
    assert student.columns["hispanicOrLatinoEthnicity"] == "true"
    assert "sourcedId" not in student.columns


def test_a_zip_path_zip_bytes_and_a_zip_with_a_folder_inside_read_as_the_folder(
    folder: Path, tmp_path: Path
) -> None:
    data = kit.zip_roster(folder, tmp_path / "set.zip")
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"export-2026/{path.name}")
        archive.writestr("__MACOSX/export-2026/._users.csv", b"\x00\x05junk")
    expected = read_roster(folder)
    for source in (data, tmp_path / "set.zip", nested):
        roster = read_roster(source)
        assert roster.problems == []
        assert [user.sourced_id for user in roster.users] == [user.sourced_id for user in expected.users]
        assert len(roster.enrollments) == kit.KIT_COUNTS["enrollments.csv"]


@pytest.mark.shared_data
def test_the_real_oat_sample_reads_with_no_problems(shared_data: Path) -> None:
    """Its sessions and courses files are header-only while its classes name term `1` and no course; it uses
    OneRoster 1.0 column names and vendor columns. Honest tolerance: warnings, and the unchecked references
    dropped (the importer gives those classes the current school year)."""
    roster = read_roster(shared_data / "oneroster" / "oat-sa-v1.1-base")
    assert roster.problems == []
    assert (len(roster.orgs), len(roster.classes), len(roster.users), len(roster.enrollments)) == (2, 3, 2, 3)
    assert roster.academic_sessions == []
    assert roster.courses == []
    assert roster.demographics == []
    assert all(row.term_sourced_ids == () and row.course_sourced_id == "" for row in roster.classes)
    warned = {(warning.file, warning.column) for warning in roster.warnings}
    assert ("classes.csv", "termSourcedIds") in warned
    assert ("classes.csv", "courseSourcedId") in warned
    reasons = " ".join(warning.reason for warning in roster.warnings)
    assert "ext_imagineLearning_databaseId" in reasons
    assert "agents → agentSourcedIds" in reasons
    users = {user.sourced_id: user for user in roster.users}
    assert users["user1"].enabled is True
    assert [role.org_sourced_id for role in users["user1"].roles] == ["12345"]
    org = next(org for org in roster.orgs if org.sourced_id == "12345")
    assert org.parent_sourced_id == "54321"
    assert org.date_last_modified == datetime.datetime(2017, 5, 6, 8, 1, 5, tzinfo=datetime.UTC)
    assert roster.rows_read["enrollments.csv"] == 3


@pytest.mark.shared_data
def test_the_real_ed_fi_sample_reads_with_no_problems(shared_data: Path) -> None:
    roster = read_roster(shared_data / "oneroster" / "edfi-lms-toolkit-grandbend-v1.1")
    assert roster.problems == []
    assert (len(roster.users), len(roster.enrollments), len(roster.demographics)) == (10, 24, 8)
    # Its teacher rows carry one empty field more than the header: tolerated, said once.
    assert [w.line for w in roster.warnings if "beyond the header" in w.reason] == [10]


@pytest.mark.shared_data
def test_school_data_sync_is_refused_by_name(shared_data: Path) -> None:
    roster = read_roster(shared_data / "oneroster" / "microsoft-sds-v2.1")
    assert only_problem(roster).reason == SDS_REFUSAL
    assert roster.users == []
    assert roster.orgs == []


# ---- tolerance ----


def test_bom_crlf_quoted_newlines_vendor_columns_any_order_and_loose_values(folder: Path) -> None:
    rows = kit.read_rows(folder, "users.csv")
    for row in rows:
        row["ext_vendor_id"] = "x"
        row["metadata.favourite"] = "blue"
        if row["sourcedId"] == kit.sid("teacher-1"):
            row["familyName"] = "Whitley\nJones"  # a quoted newline: two physical lines
            row["status"] = ""
            row["enabledUser"] = "TRUE"
        if row["sourcedId"] == kit.sid("teacher-2"):
            row["enabledUser"] = "0"
    header = list(reversed(list(rows[0])))
    kit.write_csv(folder / "users.csv", header, rows)
    raw = (folder / "users.csv").read_bytes()
    (folder / "users.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    kit.write_csv(folder / "courses.csv", kit.HEADERS["1.1"]["courses.csv"], [])  # header-only is fine…
    kit.edit_rows(
        folder, "classes.csv", lambda row: {**row, "courseSourcedId": ""}
    )  # …when nothing names one
    (folder / "demographics.csv").write_bytes(b"")  # an empty optional file
    roster = read_roster(folder)
    assert roster.problems == []
    users = {user.sourced_id: user for user in roster.users}
    assert users[kit.sid("teacher-1")].family_name == "Whitley\nJones"
    assert users[kit.sid("teacher-1")].status == "active"
    assert users[kit.sid("teacher-1")].enabled is True
    assert users[kit.sid("teacher-2")].enabled is False
    after = users[kit.sid("teacher-2")]
    assert after.line == users[kit.sid("teacher-1")].line + 2  # the quoted newline counts as a line
    assert [w.reason for w in roster.warnings if w.file == "users.csv"] == [
        "columns not imported (vendor or unknown): metadata.favourite, ext_vendor_id."
    ]


def test_a_set_without_a_manifest_reads_as_bulk_1_1_with_a_warning(folder: Path) -> None:
    (folder / "manifest.csv").unlink()
    roster = read_roster(folder)
    assert roster.problems == []
    assert roster.version == "1.1"
    assert roster.file_modes["users"] == "bulk"
    assert [w.file for w in roster.warnings] == ["manifest.csv"]


def test_files_the_manifest_marks_absent_are_not_needed(tmp_path: Path) -> None:
    rows = kit.kit_rows(today=TODAY)
    folder = kit.write_roster(tmp_path / "set", today=TODAY, rows={"orgs.csv": rows["orgs.csv"]})
    roster = read_roster(folder)
    assert roster.problems == []
    assert roster.file_modes["users"] == "absent"
    assert len(roster.orgs) == 3


def test_gradebook_files_and_strangers_are_ignored_with_a_warning(folder: Path) -> None:
    (folder / "lineItems.csv").write_text("sourcedId\r\nx\r\n")
    (folder / "notes.csv").write_text("a,b\r\n")
    roster = read_roster(folder)
    assert roster.problems == []
    assert sorted(w.file for w in roster.warnings) == ["lineItems.csv", "notes.csv"]


def test_progress_is_reported_per_file_and_ends_complete(folder: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    read_roster(folder, progress=lambda file, done, total: calls.append((file, done, total)))
    finals = {file: (done, total) for file, done, total in calls}
    assert finals["enrollments.csv"] == (31, 31)
    assert list(finals) == [
        "orgs.csv",
        "academicSessions.csv",
        "courses.csv",
        "classes.csv",
        "users.csv",
        "enrollments.csv",
        "demographics.csv",
    ]


def test_progress_comes_every_few_thousand_rows(tmp_path: Path) -> None:
    rows = kit.kit_rows(today=TODAY)
    template = rows["enrollments.csv"][0]
    many = [{**template, "sourcedId": f"e-{n}"} for n in range(12_000)]
    folder = kit.write_roster(tmp_path / "set", today=TODAY, rows={**rows, "enrollments.csv": many})
    calls: list[tuple[str, int, int]] = []
    roster = read_roster(folder, progress=lambda file, done, total: calls.append((file, done, total)))
    assert roster.problems == []
    done = [(d, t) for file, d, t in calls if file == "enrollments.csv"]
    assert [d for d, _ in done] == [5_000, 10_000, 12_000]
    assert all(abs(t - 12_000) <= 12 for _, t in done)  # estimated from the bytes read, then exact


# ---- the file as a whole ----


def test_a_file_the_manifest_lists_but_the_set_lacks(folder: Path) -> None:
    kit.remove_file(folder, "classes.csv")
    roster = read_roster(folder)
    problem = only_problem(roster)  # and no "unknown class" for each enrollment on top
    assert (problem.file, problem.line, problem.column) == ("classes.csv", None, None)
    assert "manifest.csv lists it" in problem.reason


def test_a_required_column_missing(folder: Path) -> None:
    kit.drop_column(folder, "orgs.csv", "type")
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line, problem.column) == ("orgs.csv", 1, "type")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04rest of a workbook", "not CSV text"),
        (b"\xff\xfes\x00o\x00", "UTF-16"),
        (b"sourcedId;name;type\r\nd;D;district\r\n", "semicolons"),
    ],
)
def test_files_that_are_not_csv_text(folder: Path, content: bytes, expected: str) -> None:
    (folder / "orgs.csv").write_bytes(content)
    roster = read_roster(folder)
    problems = at(roster, "orgs.csv")
    assert len(problems) == 1
    assert expected in problems[0].reason
    assert len(roster.problems) == 1  # references into the unreadable file are not reported again


def test_a_nul_byte_names_its_line(folder: Path) -> None:
    raw = (folder / "users.csv").read_bytes().split(b"\r\n")
    raw[4] = raw[4].replace(b"Diaz", b"Di\x00az")
    (folder / "users.csv").write_bytes(b"\r\n".join(raw))
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line) == ("users.csv", 5)
    assert "NUL" in problem.reason


def test_text_that_is_not_utf8_names_every_line(folder: Path) -> None:
    raw = (folder / "users.csv").read_bytes().split(b"\r\n")
    raw[2] = raw[2].replace(b"Brooks", "Bröoks".encode("latin-1"))
    raw[9] = raw[9].replace(b"Ito", "Itó".encode("cp1252"))
    (folder / "users.csv").write_bytes(b"\r\n".join(raw))
    roster = read_roster(folder)
    assert [(p.file, p.line) for p in roster.problems] == [("users.csv", 3), ("users.csv", 10)]
    assert "not UTF-8" in roster.problems[0].reason
    assert "0xF6" in roster.problems[0].reason


def test_a_ragged_row(folder: Path) -> None:
    raw = (folder / "orgs.csv").read_bytes().split(b"\r\n")
    raw[2] += b",extra,fields"
    (folder / "orgs.csv").write_bytes(b"\r\n".join(raw))
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line) == ("orgs.csv", 3)
    assert "9 fields but the header has 7" in problem.reason


# ---- rows ----


def test_duplicate_sourced_ids(folder: Path) -> None:
    rows = kit.read_rows(folder, "classes.csv")
    kit.add_rows(folder, "classes.csv", [{**rows[0], "title": "Again"}])
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line, problem.column) == ("classes.csv", 6, "sourcedId")
    assert "also on line 2" in problem.reason


@pytest.mark.parametrize(
    ("file", "sourced_id", "column", "value"),
    [
        ("academicSessions.csv", "fall", "startDate", "08/01/2026"),
        ("academicSessions.csv", "fall", "endDate", "2026-02-30"),
        ("academicSessions.csv", "year", "startDate", "0999-08-01"),
        ("academicSessions.csv", "year", "endDate", ""),
        ("enrollments.csv", "enrollment-01", "beginDate", "2026-8-1"),
        ("orgs.csv", "school-1", "dateLastModified", "yesterday"),
        ("demographics.csv", "student-03", "birthDate", "2012-13-01"),
        ("users.csv", "student-04", "enabledUser", "maybe"),
        ("enrollments.csv", "enrollment-02", "primary", "yes please"),
        ("enrollments.csv", "enrollment-04", "userSourcedId", ""),
        ("classes.csv", "class-3", "title", " "),
        ("demographics.csv", "student-05", "asian", "Y"),
    ],
)
def test_bad_values(folder: Path, file: str, sourced_id: str, column: str, value: str) -> None:
    line = edit(folder, file, kit.sid(sourced_id), **{column: value})
    roster = read_roster(folder)
    problem = at(roster, file)[0]
    assert (problem.line, problem.column) == (line, column)
    assert not [p for p in roster.problems if p.file != file]  # the row's id still counts as known


def test_an_end_before_its_start(folder: Path) -> None:
    line = edit(folder, "academicSessions.csv", kit.sid("fall"), endDate="2026-07-31")
    enrollment_line = edit(folder, "enrollments.csv", kit.sid("enrollment-05"), endDate="2026-07-01")
    roster = read_roster(folder)
    assert [(p.file, p.line, p.column) for p in roster.problems] == [
        ("academicSessions.csv", line, "endDate"),
        ("enrollments.csv", enrollment_line, "endDate"),
    ]


@pytest.mark.parametrize(
    ("file", "sourced_id", "column", "value"),
    [
        ("orgs.csv", "school-2", "type", "campus"),
        ("academicSessions.csv", "fall", "type", "quarter"),
        ("users.csv", "teacher-2", "role", "wizard"),
        ("enrollments.csv", "enrollment-03", "role", "learner"),
        ("classes.csv", "class-4", "classType", "lab"),
        ("courses.csv", "course-english", "status", "inactive"),
        ("demographics.csv", "student-02", "sex", "M"),
    ],
)
def test_unknown_enumerations(folder: Path, file: str, sourced_id: str, column: str, value: str) -> None:
    line = edit(folder, file, kit.sid(sourced_id), **{column: value})
    problem = at(read_roster(folder), file)[0]
    assert (problem.line, problem.column) == (line, column)
    assert repr(value) in problem.reason


def test_enumerations_in_another_letter_case_are_read(folder: Path) -> None:
    edit(folder, "orgs.csv", kit.sid("school-2"), type="School")
    edit(folder, "classes.csv", kit.sid("class-1"), classType="SCHEDULED")
    roster = read_roster(folder)
    assert roster.problems == []
    assert {org.org_type for org in roster.orgs} == {"district", "school"}


@pytest.mark.parametrize(
    ("file", "sourced_id", "column", "value"),
    [
        ("classes.csv", "class-1", "schoolSourcedId", "kit-school-9"),
        ("classes.csv", "class-1", "courseSourcedId", "kit-course-art"),
        ("classes.csv", "class-2", "termSourcedIds", "kit-fall,kit-spring"),
        ("courses.csv", "course-algebra", "orgSourcedId", "kit-elsewhere"),
        ("courses.csv", "course-algebra", "schoolYearSourcedId", "kit-2030"),
        ("enrollments.csv", "enrollment-07", "classSourcedId", "kit-class-9"),
        ("enrollments.csv", "enrollment-07", "userSourcedId", "kit-student-99"),
        ("users.csv", "teacher-1", "orgSourcedIds", "kit-school-1,kit-school-7"),
        ("users.csv", "guardian-2", "agentSourcedIds", "kit-student-77"),
        ("academicSessions.csv", "fall", "parentSourcedId", "kit-decade"),
        ("orgs.csv", "school-1", "parentSourcedId", "kit-state"),
    ],
)
def test_unknown_references_inside_a_bulk_set(
    folder: Path, file: str, sourced_id: str, column: str, value: str
) -> None:
    line = edit(folder, file, kit.sid(sourced_id), **{column: value})
    roster = read_roster(folder)
    unknown = [(p.file, p.line, p.column) for p in roster.problems if "does not have" in p.reason]
    assert unknown == [(file, line, column)]
    # A class moved to an unknown school also disagrees with its enrollments' school: said on each of those.
    assert all(
        "is not the school of class" in p.reason for p in roster.problems if "does not have" not in p.reason
    )


def test_demographics_of_an_unknown_user(folder: Path) -> None:
    rows = kit.read_rows(folder, "demographics.csv")
    kit.add_rows(folder, "demographics.csv", [{**rows[0], "sourcedId": "kit-nobody"}])
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line, problem.column) == ("demographics.csv", 14, "sourcedId")


def test_an_enrollment_at_another_school_than_its_class(folder: Path) -> None:
    line = edit(folder, "enrollments.csv", kit.sid("enrollment-01"), schoolSourcedId=kit.sid("school-2"))
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line, problem.column) == ("enrollments.csv", line, "schoolSourcedId")


def test_a_user_without_a_role(folder: Path) -> None:
    empty_role = edit(folder, "users.csv", kit.sid("student-05"), role="")
    no_org = edit(folder, "users.csv", kit.sid("student-06"), orgSourcedIds="")
    roster = read_roster(folder)
    assert [(p.file, p.line, p.column) for p in roster.problems] == [
        ("users.csv", empty_role, "role"),
        ("users.csv", no_org, "orgSourcedIds"),
    ]
    assert "has no role" in roster.problems[0].reason


def test_a_1_2_user_without_a_role(tmp_path: Path) -> None:
    folder = kit.write_roster(tmp_path / "set", version="1.2", today=TODAY)
    kit.remove_rows(folder, "roles.csv", lambda row: row["userSourcedId"] == kit.sid("student-08"))
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.line) == (
        "users.csv",
        kit.line_of(folder, "users.csv", kit.sid("student-08")),
    )
    assert "has no role" in problem.reason


def test_1_2_administrator_roles_read_as_administrator(tmp_path: Path) -> None:
    folder = kit.write_roster(tmp_path / "set", version="1.2", today=TODAY)
    kit.edit_rows(
        folder,
        "roles.csv",
        lambda row: {**row, "role": "districtAdministrator"} if row["role"] == "administrator" else row,
    )
    roster = read_roster(folder)
    assert roster.problems == []
    admin = next(user for user in roster.users if user.sourced_id == kit.sid("admin-1"))
    assert [role.role for role in admin.roles] == ["administrator"]


def test_an_enrollment_outside_its_session(folder: Path) -> None:
    # enrollment-02 is in class-2, a fall class (2026-08-01 to 2026-12-31).
    line = edit(
        folder, "enrollments.csv", kit.sid("enrollment-02"), beginDate="2026-07-15", endDate="2027-01-15"
    )
    roster = read_roster(folder)
    assert [(p.line, p.column) for p in roster.problems] == [(line, "beginDate"), (line, "endDate")]
    assert all("outside its session" in p.reason for p in roster.problems)


def test_every_problem_is_listed_not_only_the_first(folder: Path) -> None:
    edit(folder, "orgs.csv", kit.sid("school-1"), type="campus")
    edit(folder, "users.csv", kit.sid("student-01"), role="")
    edit(folder, "users.csv", kit.sid("student-02"), givenName="")
    edit(folder, "enrollments.csv", kit.sid("enrollment-09"), beginDate="soon", role="learner")
    roster = read_roster(folder)
    assert [(p.file, p.column) for p in roster.problems] == [
        ("orgs.csv", "type"),
        ("users.csv", "role"),
        ("users.csv", "givenName"),
        ("enrollments.csv", "role"),
        ("enrollments.csv", "beginDate"),
    ]


def test_problems_beyond_the_limit_are_counted_not_listed(tmp_path: Path) -> None:
    rows = kit.kit_rows(today=TODAY)
    bad = [
        {**rows["enrollments.csv"][0], "sourcedId": f"e-{n}", "role": "learner"}
        for n in range(PROBLEM_LIMIT + 5)
    ]
    folder = kit.write_roster(tmp_path / "set", today=TODAY, rows={**rows, "enrollments.csv": bad})
    roster = read_roster(folder)
    assert len(roster.problems) == PROBLEM_LIMIT + 1
    assert "5 more problems not listed" in roster.problems[-1].reason


# ---- delta sets ----


def test_a_delta_leaves_references_outside_the_set_to_the_importer(tmp_path: Path) -> None:
    rows = kit.kit_rows(today=TODAY)
    moved = {**rows["enrollments.csv"][0], "classSourcedId": kit.sid("class-2")}
    gone = {**rows["enrollments.csv"][2], "status": "tobedeleted"}
    folder = kit.write_roster(
        tmp_path / "set", mode="delta", today=TODAY, rows={"enrollments.csv": [moved, gone]}
    )
    roster = read_roster(folder)
    assert roster.problems == []
    assert roster.is_delta
    assert roster.file_modes["classes"] == "absent"
    assert [row.status for row in roster.enrollments] == ["active", "tobedeleted"]
    assert set(roster.unresolved) == {"classes", "users", "orgs"}
    naming = roster.unresolved["users"][kit.sid("student-01")]
    assert [(p.file, p.line, p.column) for p in naming] == [("enrollments.csv", 2, "userSourcedId")]
    assert roster.unresolved["classes"].keys() == {kit.sid("class-1"), kit.sid("class-2")}
    # No enrollment dates check: the class's terms are not in the set.


def test_a_delta_row_that_ends_something_needs_only_its_sourced_id(tmp_path: Path) -> None:
    """Delta exports write a deleted row as its sourcedId, status and dateLastModified, the rest empty."""
    ended = {"status": "tobedeleted", "dateLastModified": "2026-10-01T09:30:00.123Z"}
    rows = {
        file: [{"sourcedId": kit.sid(name), **ended}]
        for file, name in (
            ("orgs.csv", "school-2"),
            ("courses.csv", "course-english"),
            ("classes.csv", "class-4"),
            ("users.csv", "student-09"),
            ("enrollments.csv", "enrollment-20"),
        )
    }
    folder = kit.write_roster(tmp_path / "set", mode="delta", today=TODAY, rows=rows)
    roster = read_roster(folder)
    assert roster.problems == []
    ended_rows: list[Sequence[Row]] = [
        roster.orgs,
        roster.courses,
        roster.classes,
        roster.users,
        roster.enrollments,
    ]
    assert [[(row.sourced_id, row.status) for row in found] for found in ended_rows] == [
        [(kit.sid(name), "tobedeleted")]
        for name in ("school-2", "course-english", "class-4", "student-09", "enrollment-20")
    ]
    assert roster.users[0].roles == ()
    assert roster.enrollments[0].date_last_modified == datetime.datetime(
        2026, 10, 1, 9, 30, 0, 123000, tzinfo=datetime.UTC
    )
    assert roster.unresolved == {}
    # An active row still needs its values.
    kit.edit_rows(folder, "users.csv", lambda row: {**row, "status": "active"})
    assert {p.column for p in read_roster(folder).problems} == {"givenName", "familyName", "role"}


def test_a_1_2_delta_of_roles_only(tmp_path: Path) -> None:
    rows = kit.kit_rows(version="1.2", today=TODAY)
    role = {**rows["roles.csv"][0], "status": "tobedeleted"}
    folder = kit.write_roster(
        tmp_path / "set", version="1.2", mode="delta", today=TODAY, rows={"roles.csv": [role]}
    )
    roster = read_roster(folder)
    assert roster.problems == []
    assert [(r.user_sourced_id, r.status) for r in roster.roles] == [(kit.sid("student-01"), "tobedeleted")]
    assert kit.sid("student-01") in roster.unresolved["users"]


def test_a_bulk_set_read_as_a_delta_leaves_outside_references_to_the_importer(folder: Path) -> None:
    line = edit(folder, "enrollments.csv", kit.sid("enrollment-01"), classSourcedId="kit-class-9")
    assert len(read_roster(folder).problems) == 1
    roster = read_roster(folder, mode="delta")
    assert roster.problems == []
    assert roster.is_delta
    assert [(p.line, p.column) for p in roster.unresolved["classes"]["kit-class-9"]] == [
        (line, "classSourcedId")
    ]


def test_a_bulk_file_beside_a_delta_file_is_still_checked(tmp_path: Path) -> None:
    folder = kit.write_roster(tmp_path / "set", today=TODAY, manifest={"file.users": "delta"})
    line = edit(folder, "enrollments.csv", kit.sid("enrollment-01"), classSourcedId="kit-class-9")
    roster = read_roster(folder)
    problem = only_problem(roster)
    assert (problem.line, problem.column) == (line, "classSourcedId")


# ---- sources ----


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: b"this is not a zip", "not a readable zip"),
        (lambda tmp: tmp / "missing", "There is no file or folder"),
        (lambda tmp: (tmp / "a.zip").write_bytes(b"plain text") and tmp / "a.zip", "is not a zip file"),
        (lambda tmp: tmp, "No OneRoster files found"),
    ],
)
def test_sources_that_are_not_a_set(
    tmp_path: Path, make: Callable[[Path], Path | bytes], expected: str
) -> None:
    roster = read_roster(make(tmp_path))
    assert expected in only_problem(roster).reason


def test_a_set_over_the_size_limit_is_refused_before_reading(folder: Path) -> None:
    roster = read_roster(kit.zip_roster(folder), max_bytes=4_000)
    assert "the limit is" in only_problem(roster).reason
    assert roster.users == []


def test_a_zip_member_longer_than_it_says_is_refused_not_read_on(folder: Path) -> None:
    """A zip bomb's trick: the declared sizes pass the limit, the data does not. zipfile stops at the
    declared size and the CRC fails: a problem, never an exhausted server."""
    data = bytearray(kit.zip_roster(folder))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("users.csv")
    struct.pack_into("<I", data, info.header_offset + 22, 100)  # the local header's uncompressed size
    central = data.find(b"PK\x01\x02" + data[info.header_offset + 4 : info.header_offset + 6])
    while data[central + 46 : central + 46 + 9] != b"users.csv":
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 100)  # and the central directory's
    roster = read_roster(bytes(data))
    assert [(p.file, "damaged" in p.reason) for p in roster.problems] == [("users.csv", True)]


def test_an_unsupported_version(folder: Path) -> None:
    kit.write_manifest(
        folder, [*kit.manifest_rows(version="1.1", file_modes={}), ("oneroster.version", "2.0")]
    )
    problem = only_problem(read_roster(folder))
    assert (problem.file, problem.column) == ("manifest.csv", "value")


# ---- the kit's own helpers ----


def test_kit_helpers_name_the_lines_a_problem_names(folder: Path) -> None:
    assert kit.line_of(folder, "users.csv", kit.sid("student-01")) == 2
    assert kit.set_cell(folder, "users.csv", kit.sid("teacher-1"), "role", "wizard") == 14
    kit.remove_rows(folder, "users.csv", lambda row: row["sourcedId"] == kit.sid("student-01"))
    assert kit.line_of(folder, "users.csv", kit.sid("teacher-1")) == 13
    with pytest.raises(KeyError):
        kit.line_of(folder, "users.csv", kit.sid("student-01"))
    other = kit.write_roster(folder.parent / "other", prefix="other", today=TODAY)
    assert kit.read_rows(other, "orgs.csv")[0]["sourcedId"] == "other-district"


def test_a_1_0_manifest_reads_as_1_1_and_a_stray_roles_file_is_ignored(folder: Path) -> None:
    (folder / "roles.csv").write_text("sourcedId,userSourcedId,roleType,role,orgSourcedId\r\n")
    bulk = {name.removesuffix(".csv"): "bulk" for name in kit.KIT_COUNTS}
    kit.write_manifest(
        folder, [*kit.manifest_rows(version="1.1", file_modes=bulk), ("oneroster.version", "1.0")]
    )
    roster = read_roster(folder)
    assert roster.problems == []
    assert roster.version == "1.1"
    assert sorted((w.file, w.column) for w in roster.warnings) == [
        ("manifest.csv", "value"),
        ("roles.csv", None),
    ]


# ---- size ----


def test_a_large_set_reads_whole(tmp_path: Path) -> None:
    """60,000 enrollments read row for row (the shared ids and dates of the fast path included). How fast is
    `bench/oneroster.py`'s question, not a test's."""
    rows = kit.kit_rows(today=TODAY)
    template = rows["enrollments.csv"][0]
    many = [{**template, "sourcedId": f"e-{n}"} for n in range(60_000)]
    folder = kit.write_roster(tmp_path / "set", today=TODAY, rows={**rows, "enrollments.csv": many})
    roster = read_roster(folder)
    assert roster.problems == []
    assert len(roster.enrollments) == 60_000
    assert {row.sourced_id for row in roster.enrollments} == {f"e-{n}" for n in range(60_000)}
