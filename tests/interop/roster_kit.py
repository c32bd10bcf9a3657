"""A small, valid OneRoster set written by the tests, and helpers to spoil it one row at a time.

Every interop task imports these (reader, importer, export, pages, sign-in): keep the names stable.

The set (`write_roster`): 1 district, 2 schools, 2 academic sessions (the school year and its fall
semester), 2 courses, 4 classes (2 a school; one full-year and one fall class each), 3 teachers (the third
teaches at both schools as a co-teacher), 12 students (6 a school), 2 guardians (one parent of two
students, one guardian of one), 1 district administrator, 31 enrollments and 12 demographics rows.

sourcedIds are `<prefix>-<name>` (`kit-district`, `kit-school-1`, `kit-teacher-1`, `kit-student-07`…),
so two kits with different prefixes can be imported into two districts of one database. Usernames are
`<prefix>.<name>` (`kit.teacher-1`) and e-mails `<prefix>.<name>@kit.waypoint.invalid`. Dates follow the
school year that contains `today` (August to July), so enrollments are current whenever the tests run.

Files are RFC 4180 CSV with CRLF line ends like real exports; `edit_rows`, `add_rows`, `remove_rows`
rewrite one file in place; `line_of` answers the physical line a row sits on (header = line 1), which is
what a problem names."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

from django.utils import timezone

from waypoint.interop.services.setup import SchoolSpec, SetupResult, district_setup

Rows = list[dict[str, str]]
RowEdit = Callable[[dict[str, str]], dict[str, str] | None]

EMAIL_DOMAIN = "kit.waypoint.invalid"

# The header of every file, in the column order of the OneRoster 1.1 and 1.2 CSV bindings.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "1.1": {
        "orgs.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ),
        "academicSessions.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ),
        "courses.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ),
        "classes.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ),
        "users.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ),
        "enrollments.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ),
        "demographics.csv": (
            "sourcedId",
            "status",
            "dateLastModified",
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
            "countryOfBirthCode",
            "stateOfBirthAbbreviation",
            "cityOfBirth",
            "publicSchoolResidenceStatus",
        ),
    },
}
HEADERS["1.2"] = {
    **HEADERS["1.1"],
    "users.csv": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
        "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
        "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
        "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    ),
    "roles.csv": (
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
        "endDate", "orgSourcedId", "userProfileSourcedId",
    ),
}  # fmt: skip

# The data files a manifest lists (besides the ones the kit writes, marked absent).
MANIFEST_FILES = (
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
    "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users",
)  # fmt: skip
MANIFEST_FILES_1_2 = (*MANIFEST_FILES, "roles", "userProfiles")

# How many rows the full kit has in each file (1.2 adds roles.csv: one row per user and school).
KIT_COUNTS: dict[str, int] = {
    "orgs.csv": 3,
    "academicSessions.csv": 2,
    "courses.csv": 2,
    "classes.csv": 4,
    "users.csv": 18,
    "enrollments.csv": 31,
    "demographics.csv": 12,
}
KIT_ROLE_ROWS_1_2 = 19

STUDENT_NAMES = (
    ("Ana", "Alvarez"), ("Ben", "Brooks"), ("Chloe", "Chen"), ("Diego", "Diaz"), ("Ella", "Evans"),
    ("Farid", "Farouk"), ("Grace", "Garcia"), ("Hugo", "Hall"), ("Iris", "Ito"), ("Jonah", "James"),
    ("Kira", "Kim"), ("Liam", "Lopez"),
)  # fmt: skip


def sid(name: str, prefix: str = "kit") -> str:
    """The kit's sourcedId for `name` (e.g. `sid("teacher-1")` → `kit-teacher-1`)."""
    return f"{prefix}-{name}"


def username(name: str, prefix: str = "kit") -> str:
    """The kit's username for `name` (`kit.teacher-1`)."""
    return f"{prefix}.{name}"


def email(name: str, prefix: str = "kit") -> str:
    """The kit's e-mail for `name` (`kit.teacher-1@kit.waypoint.invalid`)."""
    return f"{username(name, prefix)}@{EMAIL_DOMAIN}"


def school_year_start(today: datetime.date | None = None) -> datetime.date:
    """1 August of the school year that contains `today` (school years run August to July)."""
    today = today or timezone.localdate()
    return datetime.date(today.year if today.month >= 8 else today.year - 1, 8, 1)


def student(number: int) -> str:
    """`student-01` … `student-12`: students 1–6 attend school 1, 7–12 school 2."""
    return f"student-{number:02d}"


def kit_rows(
    *, version: Literal["1.1", "1.2"] = "1.1", prefix: str = "kit", today: datetime.date | None = None
) -> dict[str, Rows]:
    """The full kit as rows per file (every column of the file's header present, values as strings)."""
    start = school_year_start(today)
    year_end = datetime.date(start.year + 1, 6, 30)
    fall_end = datetime.date(start.year, 12, 31)
    modified = f"{start.isoformat()}T08:00:00Z"

    def s(name: str) -> str:
        return sid(name, prefix)

    def common(name: str) -> dict[str, str]:
        return {"sourcedId": s(name), "status": "active", "dateLastModified": modified}

    district, schools = s("district"), (s("school-1"), s("school-2"))
    orgs = [
        {**common("district"), "name": f"{prefix.title()} Unified", "type": "district", "identifier": "D-1",
         "parentSourcedId": ""},
        {**common("school-1"), "name": f"{prefix.title()} North High", "type": "school", "identifier": "S-1",
         "parentSourcedId": district},
        {**common("school-2"), "name": f"{prefix.title()} South High", "type": "school", "identifier": "S-2",
         "parentSourcedId": district},
    ]  # fmt: skip
    sessions = [
        {**common("year"), "title": f"{start.year}-{start.year + 1}", "type": "schoolYear",
         "startDate": start.isoformat(), "endDate": year_end.isoformat(), "parentSourcedId": "",
         "schoolYear": str(start.year + 1)},
        {**common("fall"), "title": f"Fall {start.year}", "type": "semester", "startDate": start.isoformat(),
         "endDate": fall_end.isoformat(), "parentSourcedId": s("year"), "schoolYear": str(start.year + 1)},
    ]  # fmt: skip
    courses = [
        {**common("course-algebra"), "schoolYearSourcedId": s("year"), "title": "Algebra I",
         "courseCode": "ALG-1", "grades": "09,10", "orgSourcedId": district, "subjects": "Mathematics",
         "subjectCodes": "02052"},
        {**common("course-english"), "schoolYearSourcedId": s("year"), "title": "English I",
         "courseCode": "ENG-1", "grades": "09", "orgSourcedId": district, "subjects": "English",
         "subjectCodes": "01001"},
    ]  # fmt: skip
    # class name → (course, school, term, period)
    class_plan = {
        "class-1": ("course-algebra", schools[0], "year", "1"),
        "class-2": ("course-english", schools[0], "fall", "2"),
        "class-3": ("course-algebra", schools[1], "year", "1"),
        "class-4": ("course-english", schools[1], "fall", "3"),
    }
    classes = [
        {**common(name), "title": f"{'Algebra I' if course == 'course-algebra' else 'English I'} ({name})",
         "grades": "09", "courseSourcedId": s(course), "classCode": name.upper(), "classType": "scheduled",
         "location": f"Room {index + 101}", "schoolSourcedId": school, "termSourcedIds": s(term),
         "subjects": "Mathematics" if course == "course-algebra" else "English",
         "subjectCodes": "02052" if course == "course-algebra" else "01001", "periods": period}
        for index, (name, (course, school, term, period)) in enumerate(class_plan.items())
    ]  # fmt: skip

    # user name → (role, orgs, given, family, grade, agents)
    people: dict[str, tuple[str, tuple[str, ...], str, str, str, tuple[str, ...]]] = {}
    for number, (given, family) in enumerate(STUDENT_NAMES, start=1):
        agents: tuple[str, ...] = ()
        if number in (1, 2):
            agents = (s("guardian-1"),)
        elif number == 7:
            agents = (s("guardian-2"),)
        grade = "09" if number % 2 else "10"
        people[student(number)] = ("student", (schools[(number - 1) // 6],), given, family, grade, agents)
    people["teacher-1"] = ("teacher", (schools[0],), "Dana", "Whitley", "", ())
    people["teacher-2"] = ("teacher", (schools[1],), "Omar", "Said", "", ())
    people["teacher-3"] = ("teacher", schools, "Rita", "Moreno", "", ())
    people["guardian-1"] = (
        "parent",
        (schools[0],),
        "Paula",
        "Alvarez",
        "",
        (s("student-01"), s("student-02")),
    )
    people["guardian-2"] = ("guardian", (schools[1],), "Victor", "Garcia", "", (s("student-07"),))
    people["admin-1"] = ("administrator", (district,), "Alex", "Admin", "", ())

    users: Rows = []
    roles: Rows = []
    for name, (role, user_orgs, given, family, grade, agents) in people.items():
        row = {
            **common(name), "enabledUser": "true", "orgSourcedIds": ",".join(user_orgs), "role": role,
            "username": username(name, prefix), "userIds": f"{{SIS:{name}}}", "givenName": given,
            "familyName": family, "middleName": "", "identifier": f"SIS-{name}", "email": email(name, prefix),
            "sms": "", "phone": "", "agentSourcedIds": ",".join(agents), "grades": grade, "password": "",
            "userMasterIdentifier": f"M-{name}", "resourceSourcedIds": "", "preferredGivenName": "",
            "preferredMiddleName": "", "preferredFamilyName": "", "primaryOrgSourcedId": user_orgs[0],
            "pronouns": "",
        }  # fmt: skip
        users.append(row)
        for index, org in enumerate(user_orgs):
            roles.append({
                "sourcedId": f"{s(name)}-role-{index + 1}", "status": "active", "dateLastModified": modified,
                "userSourcedId": s(name), "roleType": "primary" if index == 0 else "secondary", "role": role,
                "beginDate": "", "endDate": "", "orgSourcedId": org, "userProfileSourcedId": "",
            })  # fmt: skip

    enrollments: Rows = []

    def enrol(name: str, class_name: str, role: str, primary: bool) -> None:
        _, school, term, _ = class_plan[class_name]
        enrollments.append({
            **common(f"enrollment-{len(enrollments) + 1:02d}"), "classSourcedId": s(class_name),
            "schoolSourcedId": school, "userSourcedId": s(name), "role": role,
            "primary": "true" if primary else "false",
            "beginDate": start.isoformat(), "endDate": (fall_end if term == "fall" else year_end).isoformat(),
        })  # fmt: skip

    for number in range(1, 13):
        first_class = 1 if number <= 6 else 3
        enrol(student(number), f"class-{first_class}", "student", False)
        enrol(student(number), f"class-{first_class + 1}", "student", False)
    enrol("teacher-1", "class-1", "teacher", True)
    enrol("teacher-1", "class-2", "teacher", True)
    enrol("teacher-2", "class-3", "teacher", True)
    enrol("teacher-2", "class-4", "teacher", True)
    enrol("teacher-3", "class-1", "teacher", False)
    enrol("teacher-3", "class-3", "teacher", False)
    enrol("teacher-3", "class-4", "teacher", False)

    demographics: Rows = []
    for number in range(1, 13):
        birth = datetime.date(start.year - 14 - number % 2, 1 + number % 12, 1 + number)
        demographics.append({
            **common(student(number)), "birthDate": birth.isoformat(),
            "sex": "female" if number % 2 else "male",
            "americanIndianOrAlaskaNative": "false", "asian": "true" if number % 3 == 0 else "false",
            "blackOrAfricanAmerican": "true" if number % 4 == 0 else "false",
            "nativeHawaiianOrOtherPacificIslander": "false", "white": "true" if number % 2 else "false",
            "demographicRaceTwoOrMoreRaces": "true" if number == 12 else "false",
            "hispanicOrLatinoEthnicity": "true" if number in (1, 4, 7) else "false",
            "countryOfBirthCode": "US", "stateOfBirthAbbreviation": "CA", "cityOfBirth": "Riverside",
            "publicSchoolResidenceStatus": "",
        })  # fmt: skip

    files: dict[str, Rows] = {
        "orgs.csv": orgs,
        "academicSessions.csv": sessions,
        "courses.csv": courses,
        "classes.csv": classes,
        "users.csv": users,
        "enrollments.csv": enrollments,
        "demographics.csv": demographics,
    }
    if version == "1.2":
        files["roles.csv"] = roles
    return {name: [_fit(row, HEADERS[version][name]) for row in rows] for name, rows in files.items()}


def _fit(row: Mapping[str, str], header: Iterable[str]) -> dict[str, str]:
    return {column: row.get(column, "") for column in header}


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Mapping[str, str]]) -> Path:
    """One CSV file, CRLF line ends, fields quoted only when needed; columns not in `header` are dropped."""
    header = list(header)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def manifest_rows(
    *,
    version: Literal["1.1", "1.2"],
    file_modes: Mapping[str, str],
    source_system: str = "Waypoint test kit",
) -> list[tuple[str, str]]:
    """The manifest's (propertyName, value) pairs; files not in `file_modes` are marked absent."""
    listed = MANIFEST_FILES_1_2 if version == "1.2" else MANIFEST_FILES
    pairs = [
        ("manifest.version", "1.0"),
        ("oneroster.version", version),
        ("source.systemName", source_system),
        ("source.systemCode", "kit"),
    ]
    pairs += [(f"file.{name}", file_modes.get(name, "absent")) for name in listed]
    return pairs


def write_manifest(folder: Path, pairs: Iterable[tuple[str, str]]) -> Path:
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(("propertyName", "value"))
        writer.writerows(pairs)
    return path


def write_roster(
    folder: Path,
    *,
    version: Literal["1.1", "1.2"] = "1.1",
    mode: Literal["bulk", "delta"] = "bulk",
    prefix: str = "kit",
    today: datetime.date | None = None,
    rows: Mapping[str, Rows] | None = None,
    extra_rows: Mapping[str, Rows] | None = None,
    edits: Mapping[str, RowEdit] | None = None,
    manifest: Mapping[str, str] | None = None,
) -> Path:
    """Write the kit (or `rows`, when given: exactly those files, the others marked absent) into `folder`.

    `extra_rows` appends rows to a file (missing columns left empty); `edits` maps a file to a function
    applied to each row (return the changed row, or None to drop it); `manifest` overrides or adds manifest
    properties (e.g. `{"file.users": "delta"}`). Every written file gets `mode` in the manifest. Returns
    `folder` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    given = rows if rows is not None else kit_rows(version=version, prefix=prefix, today=today)
    files = {name: list(file_rows) for name, file_rows in given.items()}
    for name, added in (extra_rows or {}).items():
        files.setdefault(name, []).extend(dict(row) for row in added)
    for name, edit in (edits or {}).items():
        files[name] = [edited for row in files.get(name, []) if (edited := edit(dict(row))) is not None]
    for name, file_rows in files.items():
        # The binding's header, then any column a caller's rows add (vendor columns, say).
        header = list(HEADERS[version].get(name, ()))
        for row in file_rows:
            header += [column for column in row if column not in header]
        write_csv(folder / name, header, file_rows)
    pairs = manifest_rows(version=version, file_modes={name.removesuffix(".csv"): mode for name in files})
    overrides = dict(manifest or {})
    pairs = [(key, overrides.pop(key, value)) for key, value in pairs] + list(overrides.items())
    write_manifest(folder, pairs)
    return folder


def read_rows(folder: Path, name: str) -> Rows:
    """The rows of one file of the set (the header's columns as keys)."""
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(folder: Path, name: str) -> list[str]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def edit_rows(folder: Path, name: str, edit: RowEdit) -> Path:
    """Rewrite one file, applying `edit` to each row (return the row changed, or None to drop it).

    A key the header lacks is added as a new last column."""
    header = _header(folder, name)
    edited = [changed for row in read_rows(folder, name) if (changed := edit(dict(row))) is not None]
    for row in edited:
        header += [column for column in row if column not in header]
    return write_csv(folder / name, header, edited)


def set_cell(folder: Path, name: str, sourced_id: str, column: str, value: str) -> int:
    """Set `column` of the row whose sourcedId (or userSourcedId) is `sourced_id`; returns its line."""

    def change(row: dict[str, str]) -> dict[str, str]:
        if _row_id(row) == sourced_id:
            row[column] = value
        return row

    edit_rows(folder, name, change)
    return line_of(folder, name, sourced_id)


def add_rows(folder: Path, name: str, rows: Iterable[Mapping[str, str]]) -> Path:
    """Append rows to one file (columns the header lacks are dropped; missing ones left empty)."""
    header = _header(folder, name)
    return write_csv(folder / name, header, [*read_rows(folder, name), *rows])


def remove_rows(folder: Path, name: str, predicate: Callable[[dict[str, str]], bool]) -> Path:
    """Drop every row of one file for which `predicate` is true."""
    return edit_rows(folder, name, lambda row: None if predicate(row) else row)


def drop_column(folder: Path, name: str, column: str) -> Path:
    """Rewrite one file without `column` (header and rows)."""
    header = [existing for existing in _header(folder, name) if existing != column]
    return write_csv(folder / name, header, read_rows(folder, name))


def remove_file(folder: Path, name: str) -> None:
    """Delete a file while the manifest still lists it (a required file missing)."""
    (folder / name).unlink()


def _row_id(row: Mapping[str, str]) -> str:
    return row.get("sourcedId") or row.get("userSourcedId") or ""


def line_of(folder: Path, name: str, sourced_id: str) -> int:
    """The physical line (header = 1) on which the row with this sourcedId starts."""
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        start = 2
        for row in reader:
            if _row_id(row) == sourced_id:
                return start
            start = reader.line_num + 1
    raise KeyError(f"{sourced_id} is not in {name}")


def zip_roster(folder: Path, target: Path | None = None) -> bytes:
    """The set as zip bytes (the files at the zip's root, as SIS exports do); also written to `target`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, path.name)
    data = buffer.getvalue()
    if target is not None:
        target.write_bytes(data)
    return data


def adoption_district(*, admin_password: str | None) -> SetupResult:
    """Adoption Unified, a district just set up as `waypoint setup` makes one (one high school, its first
    administrator `adoption-admin`), with no roster yet: where the kit's roster is imported."""
    return district_setup(
        state_name="Testland",
        state_code="TL",
        district_name="Adoption Unified",
        district_slug="adoption",
        schools=[SchoolSpec(name="Adoption High", lowest_grade=9, highest_grade=12)],
        admin_username="adoption-admin",
        admin_email="admin@adoption.example",
        admin_first_name="Ada",
        admin_last_name="Admin",
        admin_password=admin_password,
    )
