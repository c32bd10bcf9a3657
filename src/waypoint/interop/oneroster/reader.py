"""Reading and checking a OneRoster 1.1 or 1.2 CSV set (pure: no Django, no database).

`read_roster` takes a folder, a `.zip` path or zip bytes and answers a `RosterSet`: the typed rows and every
problem found, each naming file, line and column. It never raises for what the files contain.

What it tolerates, because real exports do it: extra and vendor columns (`ext_*`, `metadata.*`: ignored, one
warning per file), OneRoster 1.0 column names (`grade`, `schoolYearId`, `userId`, `agents`,
`userSourcedId`, `birthdate`: read under their 1.1 names, one warning per file), any column order,
header-only and empty files, a UTF-8 byte order mark, CRLF line ends, quoted newlines, an empty `status`
(active), booleans as `true`/`TRUE`/`1`, enumerations in any letter case, trailing empty fields beyond the
header, a set without `manifest.csv` (read as 1.1 bulk, with a warning), a `tobedeleted` row carrying nothing
but its sourcedId (as delta exports write them). A `password` column is never read.

What it refuses, as problems (all of them, up to `PROBLEM_LIMIT`): a file the manifest lists but the set
lacks, a required column missing, a file that is not CSV text (binary, NUL bytes, other separators, ragged
rows), text that is not UTF-8 (each line named), duplicate sourcedIds, dates that are not ISO or not sane,
an end before its start, unknown enumerations, references to rows the set does not have, a user without a
role, an enrollment outside its class's sessions, and Microsoft School Data Sync files (a format of its
own).

Two tolerances are judgements, stated here because they decide whether a real set reads:
- References into a file the manifest marks `delta` or `absent` cannot be settled here: they go to
  `RosterSet.unresolved` and the importer checks them against what was imported before.
- A class's terms, a class's course and a course's school year are optional in meaning (a section needs
  neither), so when the set carries no academic sessions (or no courses) at all — `oat-sa-v1.1-base` has
  header-only `academicSessions.csv` and `courses.csv` while its classes name term `1` and no course — the
  reference cannot be checked: one warning per file, the reference is dropped, and the importer gives such a
  class the current school year. When the set does carry sessions (or courses), a reference to one it
  lacks is a problem.
"""

from __future__ import annotations

import csv
import datetime
import gc
import io
import itertools
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Final, Literal

from waypoint.interop.oneroster.records import (
    AcademicSessionRow,
    ClassRow,
    CourseRow,
    DemographicsRow,
    EnrollmentRow,
    FileMode,
    OrgRow,
    Problem,
    RoleRow,
    RosterSet,
    Status,
    UserRow,
    Version,
)

Progress = Callable[[str, int, int], None]

DEFAULT_MAX_BYTES: Final = 1 << 30  # uncompressed; 1,000,000 enrollments take about 130 MB
PROBLEM_LIMIT: Final = 10_000  # beyond this a set is broken wholesale; listing more helps nobody
WARNING_LIMIT: Final = 1_000
PROGRESS_EVERY: Final = 5_000

SDS_REFUSAL: Final = (
    "This is Microsoft School Data Sync (SDS) v2.1 CSV, not OneRoster. Export OneRoster 1.1 or 1.2 CSV from "
    "SDS or your SIS and import that set instead."
)

# The files read, in the order they are read (1.2 reads roles before users: a user's roles are part of it).
DATA_FILES: Final = (
    "orgs",
    "academicSessions",
    "courses",
    "classes",
    "roles",
    "users",
    "enrollments",
    "demographics",
)
# OneRoster files Waypoint does not import (gradebook, resources, 1.2 profiles and learning objectives).
IGNORED_FILES: Final = frozenset(
    {
        "categories",
        "classResources",
        "courseResources",
        "lineItems",
        "resources",
        "results",
        "scoreScales",
        "lineItemLearningObjectiveIds",
        "lineItemScoreScales",
        "resultLearningObjectiveIds",
        "resultScoreScales",
        "userProfiles",
        "userResources",
    }
)
SDS_ONLY_FILES: Final = frozenset({"relationships.csv", "userflags.csv"})

ORG_TYPES: Final = ("department", "district", "local", "national", "school", "state")
SESSION_TYPES: Final = ("gradingPeriod", "schoolYear", "semester", "term")
ROLES_1_1: Final = (
    "administrator",
    "aide",
    "guardian",
    "parent",
    "proctor",
    "relative",
    "student",
    "teacher",
)
ADMINISTRATOR_ROLES_1_2: Final = (
    "districtAdministrator",
    "principal",
    "siteAdministrator",
    "systemAdministrator",
)
ROLES_1_2: Final = (*ROLES_1_1, "counselor", *ADMINISTRATOR_ROLES_1_2)
CLASS_TYPES: Final = ("homeroom", "scheduled")
ROLE_TYPES: Final = ("primary", "secondary")
SEXES: Final = ("female", "male", "other", "unspecified")
STATUSES: Final = ("active", "tobedeleted")
DEMOGRAPHIC_FLAGS: Final = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
)
DEMOGRAPHIC_COLUMNS: Final = (
    "birthDate",
    "sex",
    *DEMOGRAPHIC_FLAGS,
    "countryOfBirthCode",
    "stateOfBirthAbbreviation",
    "cityOfBirth",
    "publicSchoolResidenceStatus",
)
EARLIEST_YEAR: Final = 1900
LATEST_YEAR: Final = 2199

_ENTITY_WORDS: Final = {
    "orgs": "org",
    "academicSessions": "academic session",
    "courses": "course",
    "classes": "class",
    "users": "user",
}
# What reading a damaged (or hand-crafted) zip member raises: a wrong CRC (a member longer than it says is
# cut at its declared size, then fails its CRC), truncated data, a compression method zipfile lacks.
_DAMAGED: Final = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError)
_TRUE: Final = {"true": True, "1": True, "false": False, "0": False}
# The spellings real files use, looked up as given (no strip, no lower) on the hot path.
_PLAIN_BOOLEANS: Final = {"": False, **_TRUE, "TRUE": True, "FALSE": False, "True": True, "False": False}
_PLAIN_STATUSES: Final[dict[str, Status]] = {"": "active", "active": "active", "tobedeleted": "tobedeleted"}
_CHUNK_BYTES: Final = 1 << 22
_CACHE_LIMIT: Final = (
    100_000  # distinct date texts remembered (a file of per-row timestamps would not repeat)
)
_UNCHECKED: Final = {
    "courseSourcedId": (
        "The set carries no courses, so the classes' courses are not checked; these classes get no "
        "course code."
    ),
    "termSourcedIds": (
        "The set carries no academic sessions, so the classes' terms are not checked; these classes get the "
        "current school year."
    ),
    "schoolYearSourcedId": (
        "The set carries no academic sessions, so the courses' school years are not checked."
    ),
}
_BINARY_SIGNATURES: Final = {
    b"PK\x03\x04": "a zip archive or an Excel workbook",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook",
    b"%PDF": "a PDF document",
}


@dataclass(frozen=True, slots=True)
class _Spec:
    """A file's columns: those the header must have, those it may have, and older names for them."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: Mapping[str, str]


_COMMON: Final = ("status", "dateLastModified")
_SPECS: Final[dict[str, _Spec]] = {
    "orgs": _Spec(("sourcedId", "name", "type"), (*_COMMON, "identifier", "parentSourcedId"), {}),
    "academicSessions": _Spec(
        ("sourcedId", "title", "type", "startDate", "endDate"),
        (*_COMMON, "parentSourcedId", "schoolYear"),
        {},
    ),
    "courses": _Spec(
        ("sourcedId", "title", "orgSourcedId"),
        (*_COMMON, "schoolYearSourcedId", "courseCode", "grades", "subjects", "subjectCodes"),
        {"schoolYearId": "schoolYearSourcedId", "grade": "grades"},
    ),
    "classes": _Spec(
        ("sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
        (*_COMMON, "grades", "classCode", "location", "subjects", "subjectCodes", "periods"),
        {"grade": "grades", "termSourcedId": "termSourcedIds"},
    ),
    "users": _Spec(
        ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName"),
        (
            *_COMMON,
            "enabledUser",
            "username",
            "userIds",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ),
        {"userId": "userIds", "agents": "agentSourcedIds"},
    ),
    "roles": _Spec(
        ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
        (*_COMMON, "beginDate", "endDate", "userProfileSourcedId"),
        {},
    ),
    "enrollments": _Spec(
        ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
        (*_COMMON, "primary", "beginDate", "endDate"),
        {},
    ),
    "demographics": _Spec(
        ("sourcedId",),
        (*_COMMON, *DEMOGRAPHIC_COLUMNS),
        {"userSourcedId": "sourcedId", "birthdate": "birthDate"},
    ),
}
_USERS_1_2: Final = _Spec(
    ("sourcedId", "givenName", "familyName"),
    (
        *(column for column in _SPECS["users"].optional),
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    {
        **_SPECS["users"].aliases,
        "preferredFirstName": "preferredGivenName",
        "preferredLastName": "preferredFamilyName",
    },
)


def read_roster(
    source: Path | bytes,
    *,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    mode: Literal["bulk", "delta"] | None = None,
) -> RosterSet:
    """Read and check a OneRoster set: a folder, a `.zip` file or the bytes of a zip (an upload).

    `progress(file, done_rows, total_rows)` is called every `PROGRESS_EVERY` rows and when a file is done.
    `max_bytes` bounds the set's uncompressed size (a zip bomb is a problem, not an exhausted server).
    `mode`, when given, overrides the manifest for every file the set carries (an administrator importing
    a bulk export as a delta: references outside the set are then left to the importer)."""
    # A large set is millions of new objects and no cycles: the collector's passes over them (each pass
    # longer as they accumulate) took a third of the time. Reference counting frees what is dropped.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _SetReader(progress=progress, max_bytes=max_bytes, mode=mode).read(source)
    finally:
        if collecting:
            gc.enable()


class _Files:
    """The set's files by lower-case name: a folder's, or a zip's (at its root or in one folder of it)."""

    def __init__(
        self,
        names: dict[str, str],
        opener: Callable[[str], IO[bytes]],
        sizes: dict[str, int],
        archive: zipfile.ZipFile | None = None,
    ) -> None:
        self.names = names  # lower-case file name → the name to open
        self._opener = opener
        self.sizes = sizes  # lower-case file name → bytes (uncompressed)
        self.archive = archive

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def open(self, lower_name: str) -> IO[bytes]:
        return self._opener(self.names[lower_name])


def _open_folder(folder: Path) -> _Files:
    paths = {
        path.name.lower(): path for path in folder.iterdir() if path.is_file() and _is_data_name(path.name)
    }
    return _Files(
        {lower: str(path) for lower, path in paths.items()},
        lambda name: Path(name).open("rb"),
        {lower: path.stat().st_size for lower, path in paths.items()},
    )


def _is_data_name(name: str) -> bool:
    return not name.startswith((".", "~$")) and name.lower().endswith(".csv")


class _SetReader:
    def __init__(
        self, *, progress: Progress | None, max_bytes: int, mode: Literal["bulk", "delta"] | None
    ) -> None:
        self.progress = progress
        self.max_bytes = max_bytes
        self.mode = mode
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.problems_left_out = 0
        self.version: Version = "1.1"
        self.source_system = ""
        self.modes: dict[str, FileMode] = {}
        self.rows_read: dict[str, int] = {}
        # Every sourcedId a file carries (also on rows with problems, so one bad row does not make every row
        # naming it "unknown" too), with the line that carries it.
        self.known: dict[str, dict[str, int]] = {entity: {} for entity in DATA_FILES}
        self.unresolved: dict[str, dict[str, list[Problem]]] = {}
        # Files missing or unreadable: already a problem, so references into them are not checked as well.
        self.unreadable: set[str] = set()
        self.refused = False
        self.orgs: list[OrgRow] = []
        self.sessions: list[AcademicSessionRow] = []
        self.courses: list[CourseRow] = []
        self.classes: list[ClassRow] = []
        self.roles_by_user: dict[str, list[RoleRow]] = {}
        self.users: list[UserRow] = []
        self.enrollments: list[EnrollmentRow] = []
        self.demographics: list[DemographicsRow] = []
        self._dates: dict[str, datetime.date | None] = {}
        self._datetimes: dict[str, datetime.datetime | None] = {}

    # ---- reporting ----

    def problem(self, file: str, line: int | None, column: str | None, reason: str) -> None:
        if len(self.problems) < PROBLEM_LIMIT:
            self.problems.append(Problem(file, line, column, reason))
        else:
            self.problems_left_out += 1

    def warn(self, file: str, line: int | None, column: str | None, reason: str) -> None:
        if len(self.warnings) < WARNING_LIMIT:
            self.warnings.append(Problem(file, line, column, reason))

    # ---- the set as a whole ----

    def read(self, source: Path | bytes) -> RosterSet:
        files = self._open(source)
        if files is not None:
            try:
                self._read_set(files)
            finally:
                files.close()
        if self.problems_left_out:
            self.problems.append(
                Problem(
                    "",
                    None,
                    None,
                    f"… and {self.problems_left_out:,} more problems not listed. Fix the ones above "
                    "(they are often the same mistake) and import again.",
                )
            )
        return RosterSet(
            version=self.version,
            source_system=self.source_system,
            file_modes=self.modes,
            orgs=self.orgs,
            academic_sessions=self.sessions,
            courses=self.courses,
            classes=self.classes,
            users=self.users,
            enrollments=self.enrollments,
            demographics=self.demographics,
            problems=self.problems,
            warnings=self.warnings,
            roles=[role for roles in self.roles_by_user.values() for role in roles],
            unresolved=self.unresolved,
            rows_read=self.rows_read,
        )

    def _read_set(self, files: _Files) -> None:
        if self._is_sds(files):
            self.problem("", None, None, SDS_REFUSAL)
            return
        self._read_manifest(files)
        if self.mode is not None:
            self.modes = {
                entity: "absent" if mode == "absent" else self.mode for entity, mode in self.modes.items()
            }
        if not self.refused and self._within_size(files):
            self._read_files(files)
            self._check_references()

    def _open(self, source: Path | bytes) -> _Files | None:
        if isinstance(source, bytes):
            return self._open_zip(io.BytesIO(source), "The upload")
        if source.is_dir():
            return _open_folder(source)
        if source.is_file():
            with source.open("rb") as handle:
                if handle.read(4) == b"PK\x03\x04":
                    return self._open_zip(source, source.name)
            self.problem(
                "",
                None,
                None,
                f"{source.name} is not a zip file; give a folder of CSV files or a .zip of them.",
            )
            return None
        self.problem("", None, None, f"There is no file or folder at {source}.")
        return None

    def _open_zip(self, source: Path | IO[bytes], label: str) -> _Files | None:
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as error:
            self.problem("", None, None, f"{label} is not a readable zip file ({error}).")
            return None
        names: dict[str, str] = {}
        sizes: dict[str, int] = {}
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or info.filename.startswith("__MACOSX/") or not _is_data_name(name):
                continue
            if info.flag_bits & 0x1:
                self.problem(name, None, None, "is encrypted; upload the zip without a password.")
                continue
            if name.lower() in names:
                self.problem(
                    name,
                    None,
                    None,
                    f"is twice in the zip ({names[name.lower()]} and {info.filename}); keep one set.",
                )
                continue
            names[name.lower()] = info.filename
            sizes[name.lower()] = info.file_size

        def opener(name: str) -> IO[bytes]:
            # A buffered reader makes line iteration run in C; ZipExtFile's own readline is Python.
            return io.BufferedReader(archive.open(name), buffer_size=1 << 20)  # type: ignore[type-var]

        return _Files(names, opener, sizes, archive)

    def _is_sds(self, files: _Files) -> bool:
        """School Data Sync: no manifest, roles.csv or its own files, no status/dateLastModified columns."""
        if "manifest.csv" in files.names:
            return False
        if SDS_ONLY_FILES & files.names.keys():
            return True
        if "roles.csv" in files.names and "users.csv" in files.names:
            header = self._peek_header(files, "users.csv")
            return "status" not in header and "dateLastModified" not in header
        return False

    def _peek_header(self, files: _Files, lower_name: str) -> list[str]:
        try:
            with files.open(lower_name) as handle:
                first = handle.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
        except _DAMAGED:
            return []  # reported when the file is read
        return [column.strip() for column in next(csv.reader([first]), [])]

    def _read_manifest(self, files: _Files) -> None:
        present = {lower.removesuffix(".csv") for lower in files.names}
        if "manifest.csv" not in files.names:
            self.modes = {entity: "bulk" if entity.lower() in present else "absent" for entity in DATA_FILES}
            self.modes["roles"] = "absent"
            if "roles.csv" in files.names:
                self.warn(
                    "roles.csv",
                    None,
                    None,
                    "is a OneRoster 1.2 file, but a set without a manifest reads as 1.1; ignored.",
                )
            if not any(mode == "bulk" for mode in self.modes.values()):
                self.problem(
                    "",
                    None,
                    None,
                    "No OneRoster files found: a set has manifest.csv, orgs.csv, users.csv and the other "
                    "OneRoster CSV files at the top of the zip or folder.",
                )
            else:
                self.warn(
                    "manifest.csv",
                    None,
                    None,
                    "is missing; the set is read as OneRoster 1.1, every file in bulk mode.",
                )
            self._warn_unknown_files(files)
            return
        properties = self._manifest_properties(files)
        version = properties.get("oneroster.version", ("", 0))
        if version[0] in ("1.1", "1.2"):
            self.version = "1.1" if version[0] == "1.1" else "1.2"
        elif version[0] == "1.0":
            self.warn(
                "manifest.csv",
                version[1],
                "value",
                "OneRoster 1.0 is read as 1.1 (the 1.0 column names are known).",
            )
        elif version[0] == "":
            self.warn(
                "manifest.csv", None, None, "names no oneroster.version; the set is read as OneRoster 1.1."
            )
        else:
            self.problem(
                "manifest.csv",
                version[1],
                "value",
                f"OneRoster version {version[0]!r} is not supported; export 1.1 or 1.2.",
            )
            self.refused = True
        self.source_system = properties.get("source.systemName", ("", 0))[0]
        for entity in DATA_FILES:
            value, line = properties.get(f"file.{entity}", ("absent", None))
            mode = value.lower()
            if entity == "roles" and self.version == "1.1":
                if "roles.csv" in files.names:
                    self.warn(
                        "roles.csv",
                        None,
                        None,
                        "is a OneRoster 1.2 file; a 1.1 set's roles are in users.csv. Ignored.",
                    )
                self.modes[entity] = "absent"
                continue
            if mode not in ("bulk", "delta", "absent"):
                self.problem(
                    "manifest.csv",
                    line,
                    "value",
                    f"{value!r} is not a file mode; expected bulk, delta or absent.",
                )
                mode = "absent"
            file = f"{entity}.csv"
            if mode != "absent" and file.lower() not in files.names:
                self.problem(
                    file,
                    None,
                    None,
                    f"is missing: manifest.csv lists it ({mode}) but the set has no such file.",
                )
                self.unreadable.add(entity)
            elif mode == "absent" and file.lower() in files.names:
                self.warn(file, None, None, "is in the set but manifest.csv marks it absent; ignored.")
            self.modes[entity] = "bulk" if mode == "bulk" else "delta" if mode == "delta" else "absent"
        self._warn_unknown_files(files)

    def _manifest_properties(self, files: _Files) -> dict[str, tuple[str, int]]:
        properties: dict[str, tuple[str, int]] = {}
        table = self._table(files, "manifest.csv", _Spec(("propertyName", "value"), (), {}), quiet=True)
        if table is None:
            return properties
        for line, row in table.rows():
            name, value = row[table.columns["propertyName"]].strip(), row[table.columns["value"]].strip()
            if name:
                properties[name] = (value, line)
        return properties

    def _warn_unknown_files(self, files: _Files) -> None:
        known = {f"{entity.lower()}.csv" for entity in DATA_FILES} | {"manifest.csv"}
        ignored = {f"{entity.lower()}.csv" for entity in IGNORED_FILES}
        for lower, name in sorted(files.names.items()):
            shown = name.rsplit("/", 1)[-1]
            if lower in ignored:
                self.warn(
                    shown, None, None, "is not imported: Waypoint reads rosters, not gradebooks or resources."
                )
            elif lower not in known:
                self.warn(shown, None, None, "is not a OneRoster file; ignored.")

    def _within_size(self, files: _Files) -> bool:
        total = sum(
            files.sizes.get(f"{entity.lower()}.csv", 0)
            for entity, mode in self.modes.items()
            if mode != "absent"
        )
        if total > self.max_bytes:
            self.problem(
                "",
                None,
                None,
                f"The set is {total / 1e6:,.0f} MB uncompressed; the limit is {self.max_bytes / 1e6:,.0f} "
                "MB. Split it or ask your administrator to raise the limit.",
            )
            return False
        return True

    # ---- one file ----

    def _table(self, files: _Files, file: str, spec: _Spec, *, quiet: bool = False) -> _Table | None:
        """Open a file and check its header; None when it cannot be read as a OneRoster table."""
        try:
            with files.open(file.lower()) as handle:
                start = handle.read(4)
        except _DAMAGED as error:
            self.problem(file, None, None, f"cannot be read: the zip is damaged ({error}).")
            return None
        for signature, kind in _BINARY_SIGNATURES.items():
            if start.startswith(signature):
                self.problem(file, None, None, f"is {kind}, not CSV text; export the file as CSV (UTF-8).")
                return None
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.problem(file, None, None, "is encoded as UTF-16; save it as UTF-8 CSV.")
            return None
        table = _Table(self, files, file)
        header = table.header
        if header is None:
            return None
        if not header:
            return table  # an empty file: no header, no rows (an empty optional file)
        if len(header) == 1 and (";" in header[0] or "\t" in header[0] or "|" in header[0]):
            separator = "semicolons" if ";" in header[0] else "tabs" if "\t" in header[0] else "bars"
            self.problem(
                file, 1, None, f"separates fields with {separator}; OneRoster CSV separates them with commas."
            )
            table.close()
            return None
        known = {column.lower(): column for column in (*spec.required, *spec.optional)}
        aliases = {alias.lower(): column for alias, column in spec.aliases.items()}
        renamed: list[str] = []
        unknown: list[str] = []
        for index, name in enumerate(header):
            column = known.get(name.lower())
            if (
                column is None
                and name.lower() in aliases
                and aliases[name.lower()].lower() not in map(str.lower, header)
            ):
                column = aliases[name.lower()]
                renamed.append(f"{name} → {column}")
            if column is None:
                if name:
                    unknown.append(name)
                continue
            if column in table.columns:
                self.problem(file, 1, name, f"is a second {column} column; a column may appear once.")
                table.close()
                return None
            table.columns[column] = index
        missing = [column for column in spec.required if column not in table.columns]
        if missing:
            self.problem(
                file,
                1,
                ", ".join(missing),
                f"the header lacks the required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}.",
            )
            table.close()
            return None
        if renamed and not quiet:
            self.warn(
                file,
                1,
                None,
                f"uses OneRoster 1.0 column names, read as their 1.1 names: {', '.join(renamed)}.",
            )
        if unknown and not quiet:
            self.warn(file, 1, None, f"columns not imported (vendor or unknown): {', '.join(unknown)}.")
        for column in spec.optional:
            table.columns.setdefault(column, table.width)  # the padding field: an absent column reads as ""
        return table

    def _read_files(self, files: _Files) -> None:
        readers: dict[str, Callable[[_Table, str], None]] = {
            "orgs": self._read_orgs,
            "academicSessions": self._read_sessions,
            "courses": self._read_courses,
            "classes": self._read_classes,
            "roles": self._read_roles,
            "users": self._read_users,
            "enrollments": self._read_enrollments,
            "demographics": self._read_demographics,
        }
        for entity in DATA_FILES:
            file = f"{entity}.csv"
            if self.modes.get(entity, "absent") == "absent" or file.lower() not in files.names:
                continue
            spec = _USERS_1_2 if entity == "users" and self.version == "1.2" else _SPECS[entity]
            table = self._table(files, file, spec)
            if table is None:
                self.unreadable.add(entity)
                continue
            table.known = self.known[entity]
            if table.header:  # an empty file (not even a header) has nothing to read
                readers[entity](table, file)
            self.rows_read[file] = table.count
            if entity == "enrollments":
                # Nothing refers to an enrollment: its ids served the duplicate check only, and a million of
                # them would stay in memory through the import.
                self.known[entity] = {}
            if table.broken:
                self.unreadable.add(entity)
            elif self.progress is not None:
                self.progress(file, table.count, table.count)

    # ---- values ----

    def _common(
        self, table: _Table, file: str, line: int, row: list[str], entity: str
    ) -> tuple[str, Status, datetime.datetime | None] | None:
        """sourcedId, status and dateLastModified of a row; None when the row cannot be identified."""
        columns = table.columns
        sourced_id = sys.intern(row[columns["sourcedId"]].strip())
        if not sourced_id:
            self.problem(file, line, table.name("sourcedId"), "is empty; every row needs a sourcedId.")
            return None
        known = self.known[entity]
        first = known.get(sourced_id)
        if first is not None:
            self.problem(
                file,
                line,
                table.name("sourcedId"),
                f"{sourced_id!r} is also on line {first}; a sourcedId may appear once in a file.",
            )
            return None
        known[sourced_id] = line
        raw_status = row[columns["status"]]
        status: Status
        if raw_status == "" or raw_status == "active":
            status = "active"
        elif raw_status == "tobedeleted":
            status = "tobedeleted"
        else:
            found = _canonical(raw_status, STATUSES)
            if found is None:
                self.problem(
                    file,
                    line,
                    "status",
                    f"{raw_status!r} is not a status; expected active or tobedeleted (or empty).",
                )
                return None
            status = "active" if found == "active" else "tobedeleted"
        raw_modified = row[columns["dateLastModified"]]
        modified = self._datetime(raw_modified) if raw_modified else None
        if raw_modified and modified is None:
            self.problem(
                file,
                line,
                "dateLastModified",
                f"{raw_modified!r} is not an ISO date-time (e.g. 2024-08-01T12:00:00Z) or date.",
            )
        return sourced_id, status, modified

    def _date(self, value: str) -> datetime.date | None:
        """An ISO YYYY-MM-DD date in a sane year; None when it is not one (the caller reports it)."""
        try:
            return self._dates[value]
        except KeyError:
            pass
        parsed: datetime.date | None = None
        text = value.strip()
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                parsed = datetime.date.fromisoformat(text)
            except ValueError:
                parsed = None
            if parsed is not None and not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
                parsed = None
        if len(self._dates) < _CACHE_LIMIT:
            self._dates[value] = parsed
        return parsed

    def _datetime(self, value: str) -> datetime.datetime | None:
        try:
            return self._datetimes[value]
        except KeyError:
            pass
        parsed: datetime.datetime | None
        try:
            parsed = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
                parsed = None
            elif parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.UTC)  # OneRoster times without a zone are UTC
        if len(self._datetimes) < _CACHE_LIMIT:
            self._datetimes[value] = parsed
        return parsed

    def _required_date(self, file: str, line: int, column: str, value: str) -> datetime.date | None:
        if not value.strip():
            self.problem(file, line, column, "is empty; a date (YYYY-MM-DD) is required.")
            return None
        return self._optional_date(file, line, column, value)

    def _optional_date(self, file: str, line: int, column: str, value: str) -> datetime.date | None:
        if not value.strip():
            return None
        parsed = self._date(value)
        if parsed is None:
            self.problem(
                file,
                line,
                column,
                f"{value!r} is not a date: write YYYY-MM-DD, a real day between {EARLIEST_YEAR} and "
                f"{LATEST_YEAR}.",
            )
        return parsed

    def _span(
        self, file: str, line: int, begin: datetime.date | None, end: datetime.date | None, end_column: str
    ) -> bool:
        if begin is not None and end is not None and end < begin:
            self.problem(
                file, line, end_column, f"{end.isoformat()} is before the start, {begin.isoformat()}."
            )
            return False
        return True

    def _enum(
        self,
        file: str,
        line: int,
        column: str,
        value: str,
        allowed: tuple[str, ...],
        what: str,
        *,
        required: bool = True,
    ) -> str | None:
        if not required and not value.strip():
            return ""
        found = _canonical(value, allowed)  # the constant, so rows share one string per value
        if found is None:
            if value.strip():
                self.problem(
                    file, line, column, f"{value!r} is not a OneRoster {what}; expected {_either(allowed)}."
                )
            else:
                self.problem(file, line, column, f"is empty; expected a {what}: {_either(allowed)}.")
        return found

    def _boolean(self, file: str, line: int, column: str, value: str, default: bool) -> bool:
        if not value:
            return default
        found = _TRUE.get(value.strip().lower())
        if found is None:
            self.problem(file, line, column, f"{value!r} is not true or false.")
            return default
        return found

    def _text(
        self, file: str, line: int, column: str, value: str, what: str, *, required: bool = True
    ) -> str:
        text = value.strip()
        if not text and required:
            self.problem(file, line, column, f"is empty; {what}.")
        return text

    # ---- the files ----

    def _read_orgs(self, table: _Table, file: str) -> None:
        c = table.columns
        for line, row in table.rows():
            common = self._common(table, file, line, row, "orgs")
            needed = _needs_values(common)
            name = self._text(file, line, "name", row[c["name"]], "every org needs a name", required=needed)
            org_type = self._enum(file, line, "type", row[c["type"]], ORG_TYPES, "org type", required=needed)
            if common is None or org_type is None or (needed and not name):
                continue
            self.orgs.append(
                OrgRow(
                    *common,
                    file,
                    line,
                    name=name,
                    org_type=org_type,
                    identifier=row[c["identifier"]].strip(),
                    parent_sourced_id=row[c["parentSourcedId"]].strip(),
                )
            )

    def _read_sessions(self, table: _Table, file: str) -> None:
        c = table.columns
        for line, row in table.rows():
            common = self._common(table, file, line, row, "academicSessions")
            title = self._text(file, line, "title", row[c["title"]], "every academic session needs a title")
            session_type = self._enum(
                file, line, "type", row[c["type"]], SESSION_TYPES, "academic session type"
            )
            start = self._required_date(file, line, "startDate", row[c["startDate"]])
            end = self._required_date(file, line, "endDate", row[c["endDate"]])
            raw_year = row[c["schoolYear"]].strip()
            school_year: int | None = None
            if raw_year:
                if (
                    len(raw_year) == 4
                    and raw_year.isdigit()
                    and EARLIEST_YEAR <= int(raw_year) <= LATEST_YEAR
                ):
                    school_year = int(raw_year)
                else:
                    self.problem(
                        file,
                        line,
                        "schoolYear",
                        f"{raw_year!r} is not a year (YYYY, the year the school year ends).",
                    )
                    continue
            elif end is not None:
                school_year = end.year  # OneRoster names a school year by the year it ends
            if common is None or not title or session_type is None or start is None or end is None:
                continue
            if not self._span(file, line, start, end, "endDate"):
                continue
            self.sessions.append(
                AcademicSessionRow(
                    *common,
                    file,
                    line,
                    title=title,
                    session_type=session_type,
                    start_date=start,
                    end_date=end,
                    parent_sourced_id=row[c["parentSourcedId"]].strip(),
                    school_year=school_year,
                )
            )

    def _read_courses(self, table: _Table, file: str) -> None:
        c = table.columns
        for line, row in table.rows():
            common = self._common(table, file, line, row, "courses")
            needed = _needs_values(common)
            title = self._text(
                file, line, "title", row[c["title"]], "every course needs a title", required=needed
            )
            org = self._text(
                file,
                line,
                table.name("orgSourcedId"),
                row[c["orgSourcedId"]],
                "every course belongs to an org",
                required=needed,
            )
            if common is None or (needed and not (title and org)):
                continue
            self.courses.append(
                CourseRow(
                    *common,
                    file,
                    line,
                    title=title,
                    course_code=row[c["courseCode"]].strip(),
                    org_sourced_id=org,
                    school_year_sourced_id=row[c["schoolYearSourcedId"]].strip(),
                    grades=_list(row[c["grades"]]),
                    subjects=_list(row[c["subjects"]]),
                    subject_codes=_list(row[c["subjectCodes"]]),
                )
            )

    def _read_classes(self, table: _Table, file: str) -> None:
        c = table.columns
        for line, row in table.rows():
            common = self._common(table, file, line, row, "classes")
            needed = _needs_values(common)
            title = self._text(
                file, line, "title", row[c["title"]], "every class needs a title", required=needed
            )
            class_type = self._enum(
                file, line, "classType", row[c["classType"]], CLASS_TYPES, "class type", required=needed
            )
            school = self._text(
                file,
                line,
                "schoolSourcedId",
                row[c["schoolSourcedId"]],
                "every class belongs to a school",
                required=needed,
            )
            if common is None or class_type is None or (needed and not (title and school)):
                continue
            self.classes.append(
                ClassRow(
                    *common,
                    file,
                    line,
                    title=title,
                    course_sourced_id=row[c["courseSourcedId"]].strip(),
                    class_code=row[c["classCode"]].strip(),
                    class_type=class_type,
                    location=row[c["location"]].strip(),
                    school_sourced_id=school,
                    term_sourced_ids=_list(row[c["termSourcedIds"]]),
                    grades=_list(row[c["grades"]]),
                    subjects=_list(row[c["subjects"]]),
                    subject_codes=_list(row[c["subjectCodes"]]),
                    periods=_list(row[c["periods"]]),
                )
            )

    def _read_roles(self, table: _Table, file: str) -> None:
        """1.2 roles.csv, read before users.csv: each role joins its user's row."""
        c = table.columns
        for line, row in table.rows():
            common = self._common(table, file, line, row, "roles")
            user = self._text(
                file, line, "userSourcedId", row[c["userSourcedId"]], "every role belongs to a user"
            )
            role = self._enum(file, line, "role", row[c["role"]], ROLES_1_2, "role")
            role_type = self._enum(file, line, "roleType", row[c["roleType"]], ROLE_TYPES, "role type")
            org = self._text(file, line, "orgSourcedId", row[c["orgSourcedId"]], "every role is at an org")
            begin = self._optional_date(file, line, "beginDate", row[c["beginDate"]])
            end = self._optional_date(file, line, "endDate", row[c["endDate"]])
            if common is None or not user or role is None or role_type is None or not org:
                continue
            if not self._span(file, line, begin, end, "endDate"):
                continue
            self.roles_by_user.setdefault(sys.intern(user), []).append(
                RoleRow(
                    role="administrator" if role in ADMINISTRATOR_ROLES_1_2 else role,
                    org_sourced_id=sys.intern(org),
                    role_type=role_type,
                    begin_date=begin,
                    end_date=end,
                    file=file,
                    line=line,
                    sourced_id=common[0],
                    user_sourced_id=user,
                    status=common[1],
                )
            )

    def _read_users(self, table: _Table, file: str) -> None:
        c = table.columns
        version_1_1 = self.version == "1.1"
        # A 1.2 user's roles are in roles.csv; when that file is a delta or absent, roles may be unchanged.
        roles_complete = version_1_1 or self.modes.get("roles") == "bulk"
        for line, row in table.rows():
            common = self._common(table, file, line, row, "users")
            needed = _needs_values(common)
            given = self._text(
                file, line, "givenName", row[c["givenName"]], "every user needs a given name", required=needed
            )
            family = self._text(
                file,
                line,
                "familyName",
                row[c["familyName"]],
                "every user needs a family name",
                required=needed,
            )
            enabled = self._boolean(file, line, "enabledUser", row[c["enabledUser"]], default=True)
            if common is None:
                continue
            sourced_id = common[0]
            roles: tuple[RoleRow, ...]
            if version_1_1:
                roles = self._roles_1_1(file, line, row, table, sourced_id, common[1])
            else:
                roles = tuple(self.roles_by_user.pop(sourced_id, ()))
            if not roles and roles_complete and needed:
                if version_1_1:
                    continue  # _roles_1_1 said why
                self.problem(
                    file, line, None, f"user {sourced_id!r} has no role: roles.csv names none for them."
                )
                continue
            if needed and not (given and family):
                continue
            self.users.append(
                UserRow(
                    *common,
                    file,
                    line,
                    enabled=enabled,
                    username=row[c["username"]].strip(),
                    user_ids=_list(row[c["userIds"]]),
                    given_name=given,
                    family_name=family,
                    middle_name=row[c["middleName"]].strip(),
                    identifier=row[c["identifier"]].strip(),
                    email=row[c["email"]].strip(),
                    sms=row[c["sms"]].strip(),
                    phone=row[c["phone"]].strip(),
                    roles=roles,
                    agent_sourced_ids=_list(row[c["agentSourcedIds"]]),
                    grades=_list(row[c["grades"]]),
                    user_master_identifier="" if version_1_1 else row[c["userMasterIdentifier"]].strip(),
                    preferred_given_name="" if version_1_1 else row[c["preferredGivenName"]].strip(),
                    preferred_middle_name="" if version_1_1 else row[c["preferredMiddleName"]].strip(),
                    preferred_family_name="" if version_1_1 else row[c["preferredFamilyName"]].strip(),
                    primary_org_sourced_id="" if version_1_1 else row[c["primaryOrgSourcedId"]].strip(),
                    pronouns="" if version_1_1 else row[c["pronouns"]].strip(),
                )
            )

    def _roles_1_1(
        self, file: str, line: int, row: list[str], table: _Table, sourced_id: str, status: Status
    ) -> tuple[RoleRow, ...]:
        raw_role = row[table.columns["role"]]
        if status == "tobedeleted" and not raw_role.strip():
            return ()  # a row ending a user needs no more than its sourcedId
        if not raw_role.strip():
            self.problem(file, line, "role", f"is empty: user {sourced_id!r} has no role.")
            return ()
        role = self._enum(file, line, "role", raw_role, ROLES_1_1, "role")
        orgs = _list(row[table.columns["orgSourcedIds"]])
        if not orgs:
            self.problem(
                file,
                line,
                "orgSourcedIds",
                f"is empty: user {sourced_id!r} belongs to no org, so has no role.",
            )
        if role is None or not orgs:
            return ()
        return tuple(
            RoleRow(
                role=role,
                org_sourced_id=sys.intern(org),
                role_type="primary" if index == 0 else "secondary",
                begin_date=None,
                end_date=None,
                file=file,
                line=line,
                user_sourced_id=sourced_id,
                status=status,
            )
            for index, org in enumerate(orgs)
        )

    def _read_enrollments(self, table: _Table, file: str) -> None:
        """The one file with a million rows: the common case (clean values) runs inline, anything unusual
        goes through the same checks as the other files."""
        c = table.columns
        index_id, index_status, index_modified = c["sourcedId"], c["status"], c["dateLastModified"]
        index_class, index_school, index_user = c["classSourcedId"], c["schoolSourcedId"], c["userSourcedId"]
        index_role, index_primary, index_begin, index_end = (
            c["role"],
            c["primary"],
            c["beginDate"],
            c["endDate"],
        )
        allowed = ROLES_1_2 if self.version == "1.2" else ROLES_1_1
        # Each role as one shared string ("administrator" for 1.2's administrator roles), not one per row.
        roles = {role: "administrator" if role in ADMINISTRATOR_ROLES_1_2 else role for role in allowed}
        known = self.known["enrollments"]
        dates, datetimes = self._dates, self._datetimes
        # Rows name the same classes, schools and users over and over: one string object each saves memory.
        names: dict[str, str] = {}
        name = names.setdefault
        append = self.enrollments.append
        for line, row in table.rows():
            sourced_id, raw_status, raw_modified = (
                row[index_id].strip(),
                row[index_status],
                row[index_modified],
            )
            status = _PLAIN_STATUSES.get(raw_status)
            modified = datetimes.get(raw_modified) if raw_modified else None
            common: tuple[str, Status, datetime.datetime | None] | None
            if sourced_id and sourced_id not in known and status and (modified or not raw_modified):
                known[sourced_id] = line
                common = (sourced_id, status, modified)
            else:
                common = self._common(table, file, line, row, "enrollments")
            class_id, school_id, user_id = (
                row[index_class].strip(),
                row[index_school].strip(),
                row[index_user].strip(),
            )
            class_id, school_id, user_id = (
                name(class_id, class_id),
                name(school_id, school_id),
                name(user_id, user_id),
            )
            needed = _needs_values(common)
            sound = common is not None and (bool(class_id and school_id and user_id) or not needed)
            if needed and not (class_id and school_id and user_id):
                for column, value in (
                    ("classSourcedId", class_id),
                    ("schoolSourcedId", school_id),
                    ("userSourcedId", user_id),
                ):
                    if not value:
                        self.problem(
                            file, line, column, "is empty; an enrollment names its class, school and user."
                        )
            role = roles.get(row[index_role])
            if role is None:
                found = self._enum(file, line, "role", row[index_role], allowed, "role", required=needed)
                role = None if found is None else roles.get(found, found)
                sound = sound and role is not None
            raw_primary = row[index_primary]
            primary = _PLAIN_BOOLEANS.get(raw_primary)
            if primary is None:
                primary = self._boolean(file, line, "primary", raw_primary, default=False)
                sound = sound and raw_primary.strip().lower() in _TRUE
            raw_begin, raw_end = row[index_begin], row[index_end]
            begin = dates.get(raw_begin) if raw_begin else None
            if raw_begin and begin is None:
                begin = self._optional_date(file, line, "beginDate", raw_begin)
                sound = sound and begin is not None
            end = dates.get(raw_end) if raw_end else None
            if raw_end and end is None:
                end = self._optional_date(file, line, "endDate", raw_end)
                sound = sound and end is not None
            if begin is not None and end is not None and end < begin:
                sound = self._span(file, line, begin, end, "endDate")
            if not sound or common is None or role is None:
                continue
            append(
                EnrollmentRow(
                    common[0],
                    common[1],
                    common[2],
                    file,
                    line,
                    class_id,
                    school_id,
                    user_id,
                    role,
                    primary,
                    begin,
                    end,
                )
            )

    def _read_demographics(self, table: _Table, file: str) -> None:
        c = table.columns
        present = [column for column in DEMOGRAPHIC_COLUMNS if c[column] < table.width]
        # The same few values ("true", "false", a birth date) repeat on every row: share one string each.
        values: dict[str, str] = {}
        value_of = values.setdefault
        for line, row in table.rows():
            common = self._common(table, file, line, row, "demographics")
            birth = self._optional_date(file, line, table.name("birthDate"), row[c["birthDate"]])
            raw_sex = row[c["sex"]].strip()
            sex = self._enum(file, line, "sex", raw_sex, SEXES, "sex") if raw_sex else ""
            sound = True
            for flag in DEMOGRAPHIC_FLAGS:
                value = row[c[flag]].strip()
                if value and value.lower() not in _TRUE:
                    self.problem(file, line, flag, f"{value!r} is not true or false.")
                    sound = False
            if common is None or sex is None or (row[c["birthDate"]].strip() and birth is None) or not sound:
                continue
            self.demographics.append(
                DemographicsRow(
                    *common,
                    file,
                    line,
                    birth_date=birth,
                    sex=sex,
                    columns={column: value_of(row[c[column]], row[c[column]]) for column in present},
                )
            )

    # ---- references across files ----

    def _check_references(self) -> None:
        has_sessions = bool(self.known["academicSessions"])
        has_courses = bool(self.known["courses"])
        for org in self.orgs:
            if org.parent_sourced_id:
                self._reference("orgs", org.parent_sourced_id, org.file, org.line, "parentSourcedId")
        for session in self.sessions:
            if session.parent_sourced_id:
                self._reference(
                    "academicSessions",
                    session.parent_sourced_id,
                    session.file,
                    session.line,
                    "parentSourcedId",
                )
        for index, course in enumerate(self.courses):
            self._reference("orgs", course.org_sourced_id, course.file, course.line, "orgSourcedId")
            if course.school_year_sourced_id:
                if self._soft("academicSessions", has_sessions):
                    self._warn_dropped(course.file, "schoolYearSourcedId")
                    self.courses[index] = replace(course, school_year_sourced_id="")
                else:
                    self._reference(
                        "academicSessions",
                        course.school_year_sourced_id,
                        course.file,
                        course.line,
                        "schoolYearSourcedId",
                    )
        self._check_classes(has_sessions, has_courses)
        self._check_users()
        self._check_enrollments()
        for row in self.demographics:
            self._reference("users", row.sourced_id, row.file, row.line, "sourcedId")

    def _soft(self, entity: str, carried: bool) -> bool:
        """A soft reference into a bulk file with no rows cannot be checked: dropped, with a warning."""
        return not carried and self.modes.get(entity) == "bulk"

    def _warn_dropped(self, file: str, column: str) -> None:
        if not any(warning.file == file and warning.column == column for warning in self.warnings):
            self.warn(file, None, column, _UNCHECKED[column])

    def _check_classes(self, has_sessions: bool, has_courses: bool) -> None:
        for index, row in enumerate(self.classes):
            self._reference("orgs", row.school_sourced_id, row.file, row.line, "schoolSourcedId")
            course, terms = row.course_sourced_id, row.term_sourced_ids
            if row.status == "tobedeleted" and not (course or terms):
                continue  # a row ending a class names nothing more
            if not course:
                if has_courses or self.modes.get("courses") != "bulk":
                    self.problem(
                        row.file, row.line, "courseSourcedId", "is empty; every class is of a course."
                    )
                else:
                    self._warn_dropped(row.file, "courseSourcedId")
            elif self._soft("courses", has_courses):
                self._warn_dropped(row.file, "courseSourcedId")
                course = ""
            else:
                self._reference("courses", course, row.file, row.line, "courseSourcedId")
            if not terms:
                if has_sessions or self.modes.get("academicSessions") != "bulk":
                    self.problem(
                        row.file, row.line, "termSourcedIds", "is empty; every class is taught in a term."
                    )
                else:
                    self._warn_dropped(row.file, "termSourcedIds")
            elif self._soft("academicSessions", has_sessions):
                self._warn_dropped(row.file, "termSourcedIds")
                terms = ()
            else:
                for term in terms:
                    self._reference("academicSessions", term, row.file, row.line, "termSourcedIds")
            if course != row.course_sourced_id or terms != row.term_sourced_ids:
                self.classes[index] = replace(row, course_sourced_id=course, term_sourced_ids=terms)

    def _check_users(self) -> None:
        for user in self.users:
            for role in user.roles:
                self._reference(
                    "orgs",
                    role.org_sourced_id,
                    role.file,
                    role.line,
                    "orgSourcedId" if role.sourced_id else "orgSourcedIds",
                )
            for agent in user.agent_sourced_ids:
                self._reference("users", agent, user.file, user.line, "agentSourcedIds")
        # 1.2 roles whose user is not in users.csv (the users joined theirs while being read).
        for roles in self.roles_by_user.values():
            for role in roles:
                self._reference("users", role.user_sourced_id, role.file, role.line, "userSourcedId")
                self._reference("orgs", role.org_sourced_id, role.file, role.line, "orgSourcedId")

    def _check_enrollments(self) -> None:
        class_spans = self._class_spans()
        class_schools = {row.sourced_id: row.school_sourced_id for row in self.classes}
        known_classes, known_users, known_orgs = (
            self.known["classes"],
            self.known["users"],
            self.known["orgs"],
        )
        reference = self._reference
        for row in self.enrollments:
            if row.class_sourced_id not in known_classes:
                reference("classes", row.class_sourced_id, row.file, row.line, "classSourcedId")
            if row.user_sourced_id not in known_users:
                reference("users", row.user_sourced_id, row.file, row.line, "userSourcedId")
            if row.school_sourced_id not in known_orgs:
                reference("orgs", row.school_sourced_id, row.file, row.line, "schoolSourcedId")
            school = class_schools.get(row.class_sourced_id)
            if school is not None and row.school_sourced_id and school != row.school_sourced_id:
                self.problem(
                    row.file,
                    row.line,
                    "schoolSourcedId",
                    f"{row.school_sourced_id!r} is not the school of class {row.class_sourced_id!r} "
                    f"({school!r}).",
                )
            span = class_spans.get(row.class_sourced_id)
            if span is None:
                continue
            if row.begin_date is not None and not span[0] <= row.begin_date <= span[1]:
                self.problem(
                    row.file, row.line, "beginDate", _outside(row.begin_date, row.class_sourced_id, span)
                )
            if row.end_date is not None and not span[0] <= row.end_date <= span[1]:
                self.problem(
                    row.file, row.line, "endDate", _outside(row.end_date, row.class_sourced_id, span)
                )

    def _class_spans(self) -> dict[str, tuple[datetime.date, datetime.date]]:
        """Each class's first and last day: the span of its terms, when the set carries every one of them."""
        sessions = {session.sourced_id: session for session in self.sessions}
        spans: dict[str, tuple[datetime.date, datetime.date]] = {}
        for row in self.classes:
            terms = [sessions.get(term) for term in row.term_sourced_ids]
            if terms and all(term is not None for term in terms):
                spans[row.sourced_id] = (
                    min(term.start_date for term in terms if term is not None),
                    max(term.end_date for term in terms if term is not None),
                )
        return spans

    def _reference(self, entity: str, sourced_id: str, file: str, line: int, column: str) -> None:
        if not sourced_id or sourced_id in self.known[entity] or entity in self.unreadable:
            return  # an empty reference is a problem of its row already, or a row being ended
        word = _ENTITY_WORDS[entity]
        if self.modes.get(entity) == "bulk":
            self.problem(
                file, line, column, f"names {word} {sourced_id!r}, which {entity}.csv does not have."
            )
            return
        reason = f"names {word} {sourced_id!r}, which is neither in this set nor imported before."
        self.unresolved.setdefault(entity, {}).setdefault(sourced_id, []).append(
            Problem(file, line, column, reason)
        )


class _Table:
    """A CSV file's header and rows. Lines are physical lines (header = 1), as a text editor counts them."""

    def __init__(self, reader: _SetReader, files: _Files, file: str) -> None:
        self.reader = reader
        self.file = file
        self.columns: dict[str, int] = {}  # OneRoster column → its index (absent optional ones → `width`)
        self.count = 0  # data rows read so far
        # The file's sourcedIds so far: a ragged row's first field still names a row others may refer to.
        self.known: dict[str, int] | None = None
        self.broken = False  # a NUL byte, a damaged zip or a CSV error stopped the reading half-way
        self.size = max(files.sizes.get(file.lower(), 0), 1)
        self.bytes_read = 0
        self.lines_read = 0
        self._handle = files.open(file.lower())
        self._csv = csv.reader(itertools.chain.from_iterable(self._chunks()))
        self.header: list[str] | None
        try:
            self.header = [name.strip() for name in next(self._csv, [])]
        except csv.Error as error:
            reader.problem(file, 1, None, f"is not CSV ({error}).")
            self.header = None
        except _DAMAGED as error:
            reader.problem(file, None, None, f"cannot be read: the zip is damaged ({error}).")
            self.header = None
        self.width = len(self.header or ())
        if self.header is None or self.broken:
            self.header = None
            self.close()

    def close(self) -> None:
        self._handle.close()

    @property
    def total(self) -> int:
        """The data rows the file holds, estimated from the lines in the bytes read so far."""
        estimate = round(self.lines_read * self.size / max(self.bytes_read, 1)) - 1
        return max(estimate, self.count)

    def name(self, column: str) -> str:
        """The column's name as the file's header spells it (a 1.0 alias, say)."""
        index = self.columns.get(column)
        if index is None or self.header is None or index >= self.width:
            return column
        return self.header[index]

    def _chunks(self) -> Iterator[Iterator[str]]:
        """The file as text, a few megabytes at a time cut after a newline, each chunk an iterator of its
        lines. Checking and decoding whole chunks keeps the per-line work in C; a chunk that is not UTF-8 is
        decoded again line by line to name the lines at fault."""
        rest = b""
        first = True
        while True:
            block = self._handle.read(_CHUNK_BYTES)
            data = rest + block
            if block:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data  # one line longer than a chunk so far: read on
                    continue
                data, rest = data[:cut], data[cut:]
            elif not data:
                return
            if first:
                data = data.removeprefix(b"\xef\xbb\xbf")
                first = False
            nul = data.find(b"\x00")
            if nul >= 0:
                line = self.lines_read + data.count(b"\n", 0, nul) + 1
                self.reader.problem(
                    self.file, line, None, "contains a NUL byte: this is not a CSV text file."
                )
                self.broken = True
                return
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = self._decode_lines(data)
            self.lines_read += data.count(b"\n")
            self.bytes_read += len(data)
            yield io.StringIO(text, newline="\n")
            if not block:
                return

    def _decode_lines(self, data: bytes) -> str:
        lines = data.split(b"\n")
        for number, raw in enumerate(lines, start=self.lines_read + 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                self.reader.problem(
                    self.file,
                    number,
                    None,
                    f"is not UTF-8 text (byte 0x{raw[error.start]:02X} at character {error.start + 1}); "
                    "save the file as UTF-8 CSV.",
                )
        return data.decode("utf-8", "replace")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) for every data row, padded with one "" (what absent optional columns read)."""
        if self.header is None or not self.header:
            return
        reader, file, width, progress = self.reader, self.file, self.width, self.reader.progress
        ragged_warned = False
        line = self._csv.line_num + 1
        try:
            for row in self._csv:
                start, line = line, self._csv.line_num + 1
                if not row:
                    continue  # a blank line
                if len(row) != width:
                    if len(row) > width and not any(row[width:]):
                        if not ragged_warned:
                            reader.warn(
                                file, start, None, "has empty fields beyond the header's columns; ignored."
                            )
                            ragged_warned = True
                        del row[width:]
                    else:
                        reader.problem(
                            file,
                            start,
                            None,
                            f"has {len(row)} fields but the header has {width}: a field is missing, extra or "
                            "wrongly quoted.",
                        )
                        self.count += 1
                        index = self.columns.get("sourcedId", width)
                        if self.known is not None and index < len(row):
                            self.known.setdefault(row[index].strip(), start)
                        continue
                self.count += 1
                row.append("")
                yield start, row
                if progress is not None and self.count % PROGRESS_EVERY == 0:
                    progress(file, self.count, self.total)
        except csv.Error as error:
            reader.problem(file, line, None, f"is not CSV from here on ({error}).")
            self.broken = True
        except _DAMAGED as error:
            reader.problem(file, line, None, f"cannot be read from here on: the zip is damaged ({error}).")
            self.broken = True
        finally:
            self.close()


def _needs_values(common: tuple[str, Status, datetime.datetime | None] | None) -> bool:
    """Whether a row must carry its required values: a row that ends something (status tobedeleted, as
    delta exports write them) needs no more than its sourcedId."""
    return common is None or common[1] != "tobedeleted"


def _canonical(value: str, allowed: tuple[str, ...]) -> str | None:
    if value in allowed:
        return allowed[allowed.index(value)]
    lowered = value.strip().lower()
    for candidate in allowed:
        if candidate.lower() == lowered:
            return candidate
    return None


def _either(allowed: tuple[str, ...]) -> str:
    return f"{', '.join(allowed[:-1])} or {allowed[-1]}"


def _list(value: str) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item for part in value.split(",") if (item := part.strip()))


def _outside(day: datetime.date, class_sourced_id: str, span: tuple[datetime.date, datetime.date]) -> str:
    return (
        f"{day.isoformat()} is outside its session: class {class_sourced_id!r} runs from "
        f"{span[0].isoformat()} to {span[1].isoformat()}."
    )
