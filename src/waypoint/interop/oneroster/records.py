"""The typed OneRoster rows the reader hands the importer (pure: no Django).

The reader (`oneroster.reader`) turns a folder or zip into a `RosterSet`: every file checked on its own
(encoding, CSV shape, required columns, values, dates, duplicate sourcedIds) and every reference inside the
set checked; each problem is a `Problem` naming file, line and column. The importer
(`interop.services.roster_import`) resolves what the set leaves open against the database (a delta's
references to rows imported before) and writes.

Lines are the 1-based line numbers a spreadsheet shows, the header being line 1 (a quoted newline inside a
field makes the next row start further down; the reader counts physical lines)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

Version = Literal["1.1", "1.2"]
FileMode = Literal["bulk", "delta", "absent"]
Status = Literal["active", "tobedeleted"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the set (or a row of it) cannot be imported, or, as a warning, something worth reading."""

    file: str  # "users.csv"; "" for the set as a whole
    line: int | None  # None for a whole file or the set
    column: str | None  # the header name; None when the whole row or file is at fault
    reason: str  # in words one can act on: what is wrong and what was expected

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


# Rows are slotted but not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__,
# five times slower, and a set has a million enrollments. Treat them as read-only all the same.
@dataclass(slots=True)
class Row:
    """What every OneRoster row shares."""

    sourced_id: str
    status: Status  # an empty status column reads as "active"
    date_last_modified: datetime.datetime | None
    file: str
    line: int


@dataclass(slots=True)
class OrgRow(Row):
    name: str
    org_type: str  # department, school, district, local, state, national
    identifier: str
    parent_sourced_id: str  # "" when none


@dataclass(slots=True)
class AcademicSessionRow(Row):
    title: str
    session_type: str  # schoolYear, semester, term, gradingPeriod
    start_date: datetime.date
    end_date: datetime.date
    parent_sourced_id: str
    school_year: int | None


@dataclass(slots=True)
class CourseRow(Row):
    title: str
    course_code: str
    org_sourced_id: str
    school_year_sourced_id: str
    grades: tuple[str, ...]
    subjects: tuple[str, ...]
    subject_codes: tuple[str, ...]


@dataclass(slots=True)
class ClassRow(Row):
    title: str
    course_sourced_id: str
    class_code: str
    class_type: str  # homeroom, scheduled
    location: str
    school_sourced_id: str
    term_sourced_ids: tuple[str, ...]
    grades: tuple[str, ...]
    subjects: tuple[str, ...]
    subject_codes: tuple[str, ...]
    periods: tuple[str, ...]


@dataclass(slots=True)
class UserRow(Row):
    enabled: bool
    username: str
    user_ids: tuple[str, ...]  # "{type:id}" pairs as given
    given_name: str
    family_name: str
    middle_name: str
    identifier: str  # often the SIS or state id
    email: str
    sms: str
    phone: str
    # 1.1: the role column and orgSourcedIds; 1.2: filled from roles.csv (primary role first).
    roles: tuple[RoleRow, ...]
    agent_sourced_ids: tuple[str, ...]
    grades: tuple[str, ...]
    # 1.2 only ("" in a 1.1 set).
    user_master_identifier: str = ""
    preferred_given_name: str = ""
    preferred_middle_name: str = ""
    preferred_family_name: str = ""
    primary_org_sourced_id: str = ""
    pronouns: str = ""


@dataclass(slots=True)
class RoleRow:
    """A user's role at an organization: 1.1's users.role × orgSourcedIds, or a 1.2 roles.csv row."""

    # administrator, aide, guardian, parent, proctor, relative, student, teacher; 1.2 adds counselor (kept as
    # is) and districtAdministrator, siteAdministrator, systemAdministrator, principal (read as administrator:
    # the org's type says whether it is a school's or the district's).
    role: str
    org_sourced_id: str
    role_type: str  # 1.2: primary or secondary; 1.1: "primary" for the first org
    begin_date: datetime.date | None
    end_date: datetime.date | None
    file: str
    line: int
    # 1.2: the roles.csv row's own sourcedId and status; 1.1 roles are the user's and have no id of their own.
    sourced_id: str = ""
    user_sourced_id: str = ""
    status: Status = "active"


@dataclass(slots=True)
class EnrollmentRow(Row):
    class_sourced_id: str
    school_sourced_id: str
    user_sourced_id: str
    role: str  # student, teacher, administrator, aide, guardian, parent, proctor, relative
    primary: bool
    begin_date: datetime.date | None
    end_date: datetime.date | None


@dataclass(slots=True)
class DemographicsRow(Row):
    # sourced_id is the user's (1.1 `userSourcedId` or `sourcedId`).
    birth_date: datetime.date | None
    sex: str  # male, female, other, unspecified (1.2) or ""
    # Every OneRoster column but sourcedId/status/dateLastModified, by its header name, as given.
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RosterSet:
    """A whole OneRoster set, read and checked. `problems` empty means the set is sound on its own."""

    version: Version
    source_system: str
    file_modes: dict[str, FileMode]  # "users" → "bulk"; from manifest.csv
    orgs: list[OrgRow]
    academic_sessions: list[AcademicSessionRow]
    courses: list[CourseRow]
    classes: list[ClassRow]
    users: list[UserRow]
    enrollments: list[EnrollmentRow]
    demographics: list[DemographicsRow]
    problems: list[Problem]
    warnings: list[Problem]
    # 1.2 roles.csv rows whose user is not in this set's users.csv (a delta changing only roles): the importer
    # attaches them to users imported before. Roles of users in the set are on `UserRow.roles`.
    roles: list[RoleRow] = field(default_factory=list)
    # References the set cannot settle because the file they point into is a delta or absent: entity
    # ("orgs", "academicSessions", "courses", "classes", "users") → sourcedId → one problem per row naming
    # it, ready to report (file, line, column, reason) if the database has no such row either.
    unresolved: dict[str, dict[str, list[Problem]]] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)  # "users.csv" → data rows in the file

    @property
    def is_delta(self) -> bool:
        return any(mode == "delta" for mode in self.file_modes.values())
