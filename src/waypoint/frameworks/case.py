"""CASE 1.0 and 1.1 in and out: read a CFPackage (JSON) or OpenSALT's CSV item list, and write a CFPackage.

Pure Python, no Django: the frameworks services map these dataclasses to and from database rows.

Reading is lenient where the meaning is clear and strict where it is not. What is accepted but does not
conform (pre-final draft spellings, identifiers that are not UUIDs, date-times without an offset…) comes back
as `CasePackage.warnings`, aggregated so that 703 similar cases make one line. What cannot be read with
confidence refuses the whole package with a `CasePackageError` that lists every problem found, each naming the
identifier (or array index, or CSV row) it is about, so that one round of fixes is enough.

Nothing a package says is dropped silently: what Waypoint does not use itself (the CFDefinitions — concepts,
subjects, licences, item types, association groupings — the links to them, status dates, association notes,
CASE 1.1 extensions) is kept (`CaseDefinition`, `CaseLink`, `case_extras`) so that the export writes it back,
and whatever is still left out is named in the warnings.

Identifiers: a UUID is kept exactly as given (case included, so a publisher's identifiers survive a round
trip byte for byte); any other identifier gets a UUID derived from it with uuid5, always the same one, and
the source identifier is kept beside it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal, TypeVar
from urllib.parse import quote

ASSOCIATION_TYPES: tuple[str, ...] = (
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
)
# Association types CASE 1.1 added: a CASE 1.0 export has no place for them and leaves them out.
CASE_1_1_ASSOCIATION_TYPES = frozenset({"isTranslationOf"})
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# The arrays of CFDefinitions, each the collection of the CASE REST API that serves its entries.
DEFINITION_KINDS: tuple[str, ...] = (
    "CFConcepts",
    "CFSubjects",
    "CFLicenses",
    "CFItemTypes",
    "CFAssociationGroupings",
)
CaseVersion = Literal["1.0", "1.1"]
# The namespace of every derived identifier. Changing it would give every imported non-UUID identifier a new
# UUID, so a re-import would no longer match what is stored: it must never change.
WAYPOINT_NAMESPACE = uuid.UUID("4c47a809-839b-4b8b-9cae-56ad1d7b161f")

_UUID_PATTERN = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def is_uuid(value: str) -> bool:
    """Whether `value` is exactly a UUID in the 8-4-4-4-12 hexadecimal form (either case)."""
    return _UUID_PATTERN.fullmatch(value) is not None


def stable_identifier(source_identifier: str) -> str:
    """The CASE identifier to use for `source_identifier`: itself when it is a UUID, else a derived uuid5.

    Deterministic: the same source always gives the same UUID, so a re-import matches what is stored.
    """
    if is_uuid(source_identifier):
        return source_identifier
    return str(uuid.uuid5(WAYPOINT_NAMESPACE, source_identifier))


@dataclass(frozen=True)
class CaseProblem:
    """One thing wrong (or, in `CasePackage.warnings`, one thing accepted but not conforming)."""

    identifier: str
    message: str

    def __str__(self) -> str:
        return f"{self.identifier}: {self.message}" if self.identifier else self.message


class CasePackageError(ValueError):
    """The package was refused. `problems` holds every problem found, not just the first."""

    problems: tuple[CaseProblem, ...]

    def __init__(self, problems: Iterable[CaseProblem]) -> None:
        self.problems = tuple(problems) or (CaseProblem("", "the package could not be read"),)
        count = len(self.problems)
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(
            f"The CASE package was refused ({count} problem{'' if count == 1 else 's'}):\n{lines}"
        )

    def __reduce__(self) -> tuple[type[CasePackageError], tuple[tuple[CaseProblem, ...]]]:
        # Rebuilt from the problems, not the message, so the error survives pickling (into a task result).
        return (CasePackageError, (self.problems,))


@dataclass(frozen=True)
class CaseLink:
    """A LinkURI as the package gives it: how an entry names a definition (a licence, subject, concept, item
    type or association grouping). The identifier is a UUID (a derived one for a source that was not)."""

    identifier: str
    title: str = ""
    uri: str = ""


@dataclass(frozen=True)
class CaseDefinition:
    """One entry of CFDefinitions; `kind` is its array (one of DEFINITION_KINDS). Each kind uses some of the
    fields: keywords (concepts), license_text (licences), type_code (item types), hierarchy_code (all but
    licences and groupings)."""

    kind: str
    identifier: str
    source_identifier: str
    uri: str
    title: str = ""
    description: str = ""
    hierarchy_code: str = ""
    type_code: str = ""
    keywords: str = ""
    license_text: str = ""
    last_change: str = ""
    extensions: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseDocument:
    identifier: str
    source_identifier: str
    uri: str
    title: str
    creator: str = ""
    publisher: str = ""
    description: str = ""
    subject: tuple[str, ...] = ()
    language: str = ""
    version: str = ""
    adoption_status: str = ""
    official_source_url: str = ""
    notes: str = ""
    last_change: str = ""
    framework_type: str = ""
    subject_links: tuple[CaseLink, ...] = ()
    license: CaseLink | None = None
    status_start_date: str = ""
    status_end_date: str = ""
    extensions: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseItem:
    """One CFItem with its place in the tree (its isChildOf association folded in)."""

    identifier: str
    source_identifier: str
    uri: str
    full_statement: str
    human_code: str = ""
    abbreviated_statement: str = ""
    alternative_label: str = ""
    item_type: str = ""
    education_levels: tuple[str, ...] = ()
    language: str = ""
    notes: str = ""
    list_enumeration: str = ""
    concept_keywords: tuple[str, ...] = ()
    last_change: str = ""
    parent_identifier: str | None = None
    position: int = 0
    child_association_identifier: str = ""
    child_association_source_identifier: str = ""
    child_association_uri: str = ""
    child_association_last_change: str = ""
    subjects: tuple[str, ...] = ()  # CASE 1.1: the item's own subjects
    subject_links: tuple[CaseLink, ...] = ()
    item_type_link: CaseLink | None = None
    concept_keywords_link: CaseLink | None = None
    license: CaseLink | None = None
    status_start_date: str = ""
    status_end_date: str = ""
    extensions: dict[str, object] = field(default_factory=dict)
    child_association_grouping: CaseLink | None = None
    child_association_notes: str = ""
    child_association_extensions: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseAssociation:
    """A CFAssociation other than isChildOf, from an item of the package.

    `destination_in_package` is true when the destination is a CFItem of this package (then
    `destination_identifier` is that item's identifier); otherwise the destination identifier is kept as given
    (an alignment to another framework), except that the package's own CFDocument is named by its identifier.
    """

    identifier: str
    source_identifier: str
    uri: str
    association_type: str
    origin_identifier: str
    destination_identifier: str
    destination_uri: str
    destination_title: str
    destination_in_package: bool
    sequence_number: int | None = None
    last_change: str = ""
    grouping: CaseLink | None = None
    notes: str = ""
    extensions: dict[str, object] = field(default_factory=dict)
    destination_target_type: str = ""  # CASE 1.1: "CASE", or "ext:…" for a destination of another kind


@dataclass(frozen=True)
class CaseRubricLevel:
    identifier: str
    uri: str
    description: str = ""
    quality: str = ""
    score: float | None = None
    feedback: str = ""
    position: int = 0
    last_change: str = ""
    source_identifier: str = ""


@dataclass(frozen=True)
class CaseRubricCriterion:
    identifier: str
    uri: str
    category: str = ""
    description: str = ""
    item_identifier: str | None = None
    weight: float | None = None
    position: int = 0
    levels: tuple[CaseRubricLevel, ...] = ()
    last_change: str = ""
    source_identifier: str = ""


@dataclass(frozen=True)
class CaseRubric:
    identifier: str
    uri: str
    title: str = ""
    description: str = ""
    criteria: tuple[CaseRubricCriterion, ...] = ()
    last_change: str = ""
    source_identifier: str = ""


@dataclass(frozen=True)
class CasePackage:
    """A whole framework. `items` are in tree order: each parent before its children, siblings by position."""

    document: CaseDocument
    items: tuple[CaseItem, ...]
    associations: tuple[CaseAssociation, ...]
    rubrics: tuple[CaseRubric, ...] = ()
    warnings: tuple[CaseProblem, ...] = ()
    definitions: tuple[CaseDefinition, ...] = ()


# --- Reading: shared machinery ------------------------------------------------------------------------------

# Each kind of warning: the sentence for one case (about its identifier) and for many ({n} of them).
_WARNING_TEXT: dict[str, tuple[str, str]] = {
    "not_uuid": (
        "the identifier is not a UUID; a derived UUID is used and the source identifier kept",
        "{n} identifiers are not UUIDs; derived UUIDs are used and the source identifiers kept",
    ),
    "educational_level": (
        "educationalLevel (the pre-final spelling) was read as educationLevel",
        "{n} CFItems use educationalLevel (the pre-final spelling); it was read as educationLevel",
    ),
    "level_string": (
        "educationLevel is one string rather than an array; it was split on commas",
        "{n} CFItems give educationLevel as one string rather than an array; it was split on commas",
    ),
    "level_dots": (
        "education levels separated by '.' (like \"09.10\") were read as separate grades",
        "{n} items separate education levels with '.' (like \"09.10\"); they were read as separate grades",
    ),
    "keywords_string": (
        "conceptKeywords is one string rather than an array; it was split on commas",
        "{n} CFItems give conceptKeywords as one string rather than an array; it was split on commas",
    ),
    "subject_string": (
        "subject is one string rather than an array; it was read as one subject",
        "{n} CFDocuments give subject as one string rather than an array",
    ),
    "number_string": (
        "a sequenceNumber or position is a string of digits rather than an integer; it was read as a number",
        "{n} sequenceNumbers or positions are strings of digits rather than integers; they were read as such",
    ),
    "no_offset": (
        "a date-time has no UTC offset; UTC was assumed",
        "{n} date-times have no UTC offset; UTC was assumed",
    ),
    "loose_date_time": (
        "a date-time is not in RFC 3339 form (no seconds, no colon in the offset, or a date alone); "
        "it was completed",
        "{n} date-times are not in RFC 3339 form (no seconds, no colon in the offset, or a date alone); "
        "they were completed",
    ),
    "bad_uri": (
        "a uri is not a valid absolute URI; it was dropped and will be regenerated on export",
        "{n} uris are not valid absolute URIs; they were dropped and will be regenerated on export",
    ),
    "draft_node": (
        "the association carries the pre-final draft fields originNodeIdentifier/destinationNodeIdentifier; "
        "they are used only where the LinkURI object has no identifier",
        "{n} CFAssociations carry the pre-final draft fields originNodeIdentifier/destinationNodeIdentifier; "
        "they are used only where the LinkURI object has no identifier",
    ),
    "no_parent": (
        "the CFItem has no isChildOf association; it was placed at the top level of the framework",
        "{n} CFItems have no isChildOf association; they were placed at the top level of the framework",
    ),
    "subject_url": (
        "subjectURL (a pre-final spelling) was read as subjectURI",
        "{n} CFDocuments use subjectURL (a pre-final spelling); it was read as subjectURI",
    ),
    "item_subject_string": (
        "subject is one string rather than an array; it was split on commas",
        "{n} CFItems give subject as one string rather than an array; it was split on commas",
    ),
    "draft_grouping": (
        "the association carries the pre-final draft field CFAssociationGroupingIdentifier; it is used only "
        "where there is no CFAssociationGroupingURI",
        "{n} CFAssociations carry the pre-final draft field CFAssociationGroupingIdentifier; it is used only "
        "where there is no CFAssociationGroupingURI",
    ),
    "date_time_as_date": (
        "a statusStartDate or statusEndDate is a date-time; its date was kept",
        "{n} statusStartDates or statusEndDates are date-times; their dates were kept",
    ),
    "repeated_child": (
        "this isChildOf association repeats another one for the same item and parent; it was ignored",
        "{n} isChildOf associations repeat another one for the same item and parent; they were ignored",
    ),
}
_EXAMPLES = 3


@dataclass
class _Report:
    """Problems and warnings found while reading one package."""

    problems: list[CaseProblem] = field(default_factory=list)
    noticed: dict[str, list[str]] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def problem(self, identifier: str, message: str) -> None:
        self.problems.append(CaseProblem(identifier, message))

    def warn(self, kind: str, identifier: str) -> None:
        self.noticed.setdefault(kind, []).append(identifier)

    def drop(self, name: str) -> None:
        self.dropped[name] = self.dropped.get(name, 0) + 1

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise CasePackageError(self.problems)

    def warnings(self) -> tuple[CaseProblem, ...]:
        found: list[CaseProblem] = []
        for kind, identifiers in self.noticed.items():
            one, many = _WARNING_TEXT[kind]
            if len(identifiers) == 1:
                found.append(CaseProblem(identifiers[0], one))
                continue
            named = [name for name in dict.fromkeys(identifiers) if name]
            examples = ", ".join(named[:_EXAMPLES]) + (", …" if len(named) > _EXAMPLES else "")
            suffix = f" (first: {examples})" if examples else ""
            found.append(CaseProblem("", many.format(n=len(identifiers)) + suffix))
        if self.dropped:
            names = ", ".join(f"{name} ({count})" for name, count in sorted(self.dropped.items()))
            found.append(CaseProblem("", f"these fields are not kept by Waypoint and were ignored: {names}"))
        return tuple(found)


def _refuse(message: str) -> CasePackageError:
    return CasePackageError([CaseProblem("", message)])


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if count >= 1024:
        return f"{count / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{count} bytes"


def _check_size(raw: bytes, max_bytes: int) -> None:
    if len(raw) > max_bytes:
        size, limit = _size(len(raw)), _size(max_bytes)
        if size == limit:  # just over the limit: the rounded sizes would read as equal
            size, limit = f"{len(raw):,} bytes", f"{max_bytes:,} bytes"
        raise _refuse(f"The file is {size}; the limit is {limit}.")


def _decode(raw: bytes, kind: str) -> str:
    """The UTF-8 text of `raw` (a byte-order mark is dropped), or a refusal saying where it is not UTF-8."""
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return bytes(raw[start:]).decode("utf-8")
    except UnicodeDecodeError as error:
        at = start + error.start
        line = raw.count(b"\n", 0, at) + 1
        column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        raise _refuse(
            f"The file is not {kind}: byte 0x{raw[at]:02x} at line {line}, column {column} is not UTF-8 text."
        ) from None


def _key(identifier: str) -> str:
    """The lookup key of an identifier: UUIDs compare case-insensitively, anything else exactly."""
    return identifier.lower() if is_uuid(identifier) else identifier


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _shown(value: object, limit: int = 60) -> str:
    """`value` quoted for a message (control characters escaped), cut short so that a huge bad value cannot
    flood the report."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(text if len(text) <= limit else text[: limit - 1] + "…", ensure_ascii=False)


def _is_blank(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


_DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>[.,]\d+)?)?"
    r" ?(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,
)


def _normalise_date_time(value: str) -> tuple[str, list[str]] | None:
    """`value` as an RFC 3339 date-time in UTC ("2017-10-18T15:02:46+00:00"), and the warnings it earned.

    Stored as UTC so that a date-time read back from the database compares equal to a freshly parsed one.
    None when `value` is not a date-time at all.
    """
    match = _DATE_TIME.fullmatch(value.strip())
    if match is None:
        return None
    kinds: list[str] = []
    parts = match.groupdict()
    offset_text = parts["offset"]
    if parts["hour"] is None or parts["second"] is None or (parts["fraction"] or ".")[0] == ",":
        kinds.append("loose_date_time")
    if offset_text is None:
        kinds.append("no_offset")
        offset = timedelta(0)
    elif offset_text in ("Z", "z"):
        offset = timedelta(0)
    else:
        digits = offset_text[1:].replace(":", "")
        if ":" not in offset_text:
            kinds.append("loose_date_time")
        if int(digits[:2]) > 23 or int(digits[2:] or 0) > 59:
            return None
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        offset = -offset if offset_text[0] == "-" else offset
    fraction = (parts["fraction"] or ".")[1:]
    try:
        moment = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int((fraction + "000000")[:6]),
            tzinfo=timezone(offset),
        )
        return moment.astimezone(UTC).isoformat(), sorted(set(kinds))
    except (ValueError, OverflowError):
        return None


_PCT = r"%[0-9A-Fa-f]{2}"
_PLAIN = r"A-Za-z0-9\-._~!$&'()*+,;="
_PCHAR = rf"(?:[{_PLAIN}:@]|{_PCT})"
_AUTHORITY = rf"(?:(?:[{_PLAIN}:]|{_PCT})*@)?(?:\[[0-9A-Fa-fv.:]+\]|(?:[{_PLAIN}]|{_PCT})*)(?::[0-9]*)?"
# An absolute URI as RFC 3986 defines it (scheme, hier-part, query, fragment): the export's schema checks
# every uri with format "uri", so a uri that would fail there is dropped on import rather than exported.
_URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR}+(?:/{_PCHAR}*)*|)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)


def _is_uri(value: str) -> bool:
    return _URI.fullmatch(value) is not None


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


_GRADE = re.compile(r"[0-9A-Za-z]{1,2}")


def _split_dots(level: str) -> list[str] | None:
    """["09", "10"] for "09.10" (two grade codes joined by a dot); None when `level` is not such a pair."""
    if "." not in level:
        return None
    parts = [part.strip() for part in level.split(".")]
    return parts if all(_GRADE.fullmatch(part) for part in parts) else None


class _Fields:
    """Typed reads of one JSON object's fields; wrong types become problems naming `label`."""

    def __init__(self, raw: Mapping[str, object], label: str, report: _Report) -> None:
        self.raw = raw
        self.label = label
        self.report = report

    def text(self, name: str) -> str:
        value = self.raw.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.report.problem(self.label, f"{name} must be a string, not {_json_type(value)}")
            return ""
        return value

    def required_text(self, name: str, what: str) -> str:
        value = self.text(name)
        if name in self.raw and self.raw[name] is not None and not isinstance(self.raw[name], str):
            return ""  # the wrong type is already a problem
        if not value.strip():
            self.report.problem(self.label, f"the {what} has no {name}")
        return value

    def uri(self, name: str = "uri") -> str:
        value = self.text(name).strip()
        if value and not _is_uri(value):
            self.report.warn("bad_uri", self.label)
            return ""
        return value

    def date_time(self, name: str = "lastChangeDateTime") -> str:
        value = self.text(name)
        if not value.strip():
            return ""
        normalised = _normalise_date_time(value)
        if normalised is None:
            self.report.problem(self.label, f"{name} {_shown(value)} is not a date-time")
            return ""
        stamp, kinds = normalised
        for kind in kinds:
            self.report.warn(kind, self.label)
        return stamp

    def strings(self, name: str, *, string_kind: str) -> list[str] | None:
        """A list of strings; a single string is split on commas (with a warning). None when absent."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            self.report.warn(string_kind, self.label)
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
            return [str(entry) for entry in value]
        self.report.problem(self.label, f"{name} must be an array of strings, not {_json_type(value)}")
        return None

    def date(self, name: str) -> str:
        """A calendar date (YYYY-MM-DD); of a date-time, its date (with a warning)."""
        value = self.text(name).strip()
        if not value:
            return ""
        day = value[:10]
        if _DAY.fullmatch(day) and (len(value) == 10 or _normalise_date_time(value) is not None):
            try:
                date.fromisoformat(day)
            except ValueError:
                pass
            else:
                if len(value) > 10:
                    self.report.warn("date_time_as_date", self.label)
                return day
        self.report.problem(self.label, f"{name} {_shown(value)} is not a date (YYYY-MM-DD)")
        return ""

    def extensions(self) -> dict[str, object]:
        """CASE 1.1 `extensions`: an object, kept as it is."""
        value = self.raw.get("extensions")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report.problem(self.label, f"extensions must be an object, not {_json_type(value)}")
            return {}
        return value

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            self.report.warn("number_string", self.label)
            return int(value.strip())
        self.report.problem(
            self.label, f"{name} must be an integer, not {_json_type(value)} ({_shown(value)})"
        )
        return None

    def number(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        self.report.problem(
            self.label, f"{name} must be a finite number, not {_json_type(value)} ({_shown(value)})"
        )
        return None

    def unknown(self, kind: str, known: frozenset[str]) -> None:
        for name, value in self.raw.items():
            if name not in known and not _is_blank(value):
                self.report.drop(f"{kind}.{name}")


def _object(value: object) -> dict[str, object] | None:
    return value if isinstance(value, dict) else None


def _label(raw: Mapping[str, object], fallback: str) -> str:
    identifier = raw.get("identifier")
    return identifier if isinstance(identifier, str) and identifier.strip() else fallback


def _education_levels(fields: _Fields) -> tuple[str, ...]:
    name = "educationLevel"
    if fields.raw.get(name) is None and fields.raw.get("educationalLevel") is not None:
        name = "educationalLevel"
        fields.report.warn("educational_level", fields.label)
    levels = fields.strings(name, string_kind="level_string") or []
    return _expand_dotted_levels(levels, fields.label, fields.report)


def _expand_dotted_levels(levels: Iterable[str], label: str, report: _Report) -> tuple[str, ...]:
    expanded: list[str] = []
    for level in levels:
        split = _split_dots(level)
        if split is None:
            expanded.append(level)
        else:
            report.warn("level_dots", label)
            expanded.extend(split)
    return tuple(expanded)


def _sibling_positions(sequences: Sequence[int | None]) -> list[int]:
    """Positions of siblings listed in source order: a given sequence number is kept; siblings without one
    follow the largest given number (1, 2, … when none is given), so a package without sequence numbers keeps
    its order.
    """
    after = max((number for number in sequences if number is not None), default=0)
    positions: list[int] = []
    for number in sequences:
        if number is None:
            after += 1
            positions.append(after)
        else:
            positions.append(number)
    return positions


def _tree_order(parents: Sequence[int | None], positions: Sequence[int]) -> tuple[list[int], list[int]]:
    """Node indexes parents-first with siblings by (position, index), and the indexes no root reaches."""
    children: dict[int | None, list[int]] = {}
    for index, parent in enumerate(parents):
        children.setdefault(parent, []).append(index)
    for group in children.values():
        group.sort(key=lambda index: (positions[index], index))
    order: list[int] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # iterative, so a deep tree cannot exhaust the recursion limit
        index = stack.pop()
        order.append(index)
        stack.extend(reversed(children.get(index, [])))
    reached = set(order)
    return order, [index for index in range(len(parents)) if index not in reached]


def _cycles(parents: Sequence[int | None], unreached: Iterable[int]) -> list[list[int]]:
    """The cycles among the nodes no root reaches (a node has one parent, so every such walk ends in one)."""
    state: dict[int, int] = {}  # 1 = on the current walk, 2 = done
    cycles: list[list[int]] = []
    for start in unreached:
        walk: list[int] = []
        node: int | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            cycles.append(walk[walk.index(node) :])
        for member in walk:
            state[member] = 2
    return cycles


# --- Reading a CFPackage -----------------------------------------------------------------------------------

_PACKAGE_FIELDS = frozenset({"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"})
_DOCUMENT_FIELDS = frozenset(
    {
        "identifier",
        "uri",
        "creator",
        "title",
        "lastChangeDateTime",
        "officialSourceURL",
        "publisher",
        "description",
        "subject",
        "language",
        "version",
        "adoptionStatus",
        "notes",
        "frameworkType",
        "subjectURI",
        "subjectURL",  # a pre-final spelling of subjectURI
        "licenseURI",
        "statusStartDate",
        "statusEndDate",
        "extensions",
        "CFPackageURI",  # regenerated on export
        "caseVersion",  # the version of CASE the file is in: the export writes its own
    }
)
_ITEM_FIELDS = frozenset(
    {
        "identifier",
        "uri",
        "fullStatement",
        "alternativeLabel",
        "CFItemType",
        "CFItemTypeURI",
        "humanCodingScheme",
        "listEnumeration",
        "abbreviatedStatement",
        "conceptKeywords",
        "notes",
        "language",
        "educationLevel",
        "educationalLevel",
        "lastChangeDateTime",
        "subject",
        "subjectURI",
        "conceptKeywordsURI",
        "licenseURI",
        "statusStartDate",
        "statusEndDate",
        "extensions",
        "CFDocumentURI",  # regenerated on export
        "CFItemAssociationURI",  # a draft-era link to the item's associations, derivable
    }
)
_ASSOCIATION_FIELDS = frozenset(
    {
        "identifier",
        "uri",
        "associationType",
        "sequenceNumber",
        "originNodeURI",
        "destinationNodeURI",
        "originNodeIdentifier",
        "destinationNodeIdentifier",
        "lastChangeDateTime",
        "CFAssociationGroupingURI",
        "CFAssociationGroupingIdentifier",  # the pre-final draft form of CFAssociationGroupingURI
        "notes",
        "extensions",
        "CFDocumentURI",
    }
)
_DEFINITION_COMMON = ("identifier", "uri", "title", "description", "lastChangeDateTime", "extensions")
_DEFINITION_FIELDS: dict[str, frozenset[str]] = {
    "CFConcepts": frozenset({*_DEFINITION_COMMON, "keywords", "hierarchyCode"}),
    "CFSubjects": frozenset({*_DEFINITION_COMMON, "hierarchyCode"}),
    "CFLicenses": frozenset({*_DEFINITION_COMMON, "licenseText"}),
    "CFItemTypes": frozenset({*_DEFINITION_COMMON, "hierarchyCode", "typeCode"}),
    "CFAssociationGroupings": frozenset(_DEFINITION_COMMON),
}
_RUBRIC_FIELDS = frozenset(
    {"identifier", "uri", "title", "description", "lastChangeDateTime", "CFRubricCriteria"}
)
_CRITERION_FIELDS = frozenset(
    {
        "identifier",
        "uri",
        "category",
        "description",
        "CFItemURI",
        "weight",
        "position",
        "rubricId",
        "lastChangeDateTime",
        "CFRubricCriterionLevels",
    }
)
_LEVEL_FIELDS = frozenset(
    {
        "identifier",
        "uri",
        "description",
        "quality",
        "score",
        "feedback",
        "position",
        "rubricCriterionId",
        "lastChangeDateTime",
    }
)


@dataclass
class _Node:
    """One end of an association as the source gives it."""

    identifier: str
    uri: str
    title: str
    target_type: str = ""


@dataclass
class _ItemDraft:
    index: int
    label: str
    item: CaseItem
    parent_key: str | None = None
    parent_label: str = ""
    sequence: int | None = None
    has_parent: bool = False
    child_label: str = ""


_Positioned = TypeVar("_Positioned", CaseRubricCriterion, CaseRubricLevel)


def _in_position_order(
    entries: Sequence[_Positioned], given: Sequence[int | None]
) -> tuple[_Positioned, ...]:
    """Entries with their positions settled (see `_sibling_positions`), sorted by (position, source order)."""
    positions = _sibling_positions(given)
    order = sorted(range(len(entries)), key=lambda index: (positions[index], index))
    return tuple(replace(entries[index], position=positions[index]) for index in order)


class _PackageReader:
    """Reads one decoded CFPackage into a CasePackage, collecting problems and warnings on the way."""

    def __init__(self) -> None:
        self.report = _Report()
        self.items: dict[str, _ItemDraft] = {}
        self.association_keys: dict[str, str] = {}
        self.rubric_keys: dict[str, str] = {}
        self.item_type_titles: dict[str, str] = {}
        self.definitions: list[CaseDefinition] = []
        self.document_key: str | None = None

    def read(self, data: object) -> CasePackage:
        package = _object(data)
        if package is None:
            raise _refuse(f"The top level of a CASE package must be an object, not {_json_type(data)}.")
        raw_document = _object(package.get("CFDocument"))
        if raw_document is None:
            raise _refuse("The package has no CFDocument object, so it is not a CASE package.")
        _Fields(package, "", self.report).unknown("CFPackage", _PACKAGE_FIELDS)
        self._definitions(package.get("CFDefinitions"))
        document = self._document(raw_document)
        if document.identifier:
            self.document_key = _key(document.source_identifier or document.identifier)
        for index, raw in self._array(package, "CFItems"):
            self._item(index, raw)
        associations = self._associations(package, document)
        items = self._tree()
        rubrics = tuple(self._rubric(index, raw) for index, raw in self._array(package, "CFRubrics"))
        self.report.refuse_if_problems()
        return CasePackage(
            document=document,
            items=items,
            associations=associations,
            rubrics=rubrics,
            warnings=self.report.warnings(),
            definitions=tuple(self.definitions),
        )

    def _array(
        self, container: Mapping[str, object], name: str, owner: str = ""
    ) -> list[tuple[int, dict[str, object]]]:
        """The objects of the array `name` with their indexes; anything else there is a problem."""
        value = container.get(name)
        path = f"{owner}.{name}" if owner else name
        if value is None:
            return []
        if not isinstance(value, list):
            self.report.problem(path, f"{name} must be an array, not {_json_type(value)}")
            return []
        entries: list[tuple[int, dict[str, object]]] = []
        for index, entry in enumerate(value):
            raw = _object(entry)
            if raw is None:
                self.report.problem(f"{path}[{index}]", f"must be an object, not {_json_type(entry)}")
            else:
                entries.append((index, raw))
        return entries

    def _identity(self, fields: _Fields, what: str) -> tuple[str, str] | None:
        """(identifier, source identifier) of an entry; None (and a problem) when it has no identifier."""
        value = fields.raw.get("identifier")
        if value is None or (isinstance(value, str) and not value.strip()):
            self.report.problem(fields.label, f"the {what} has no identifier")
            return None
        if not isinstance(value, str):
            self.report.problem(fields.label, f"identifier must be a string, not {_json_type(value)}")
            return None
        if is_uuid(value):
            return value, ""
        self.report.warn("not_uuid", value)
        return stable_identifier(value), value

    def _definitions(self, value: object) -> None:
        if value is None or value == []:
            return
        definitions = _object(value)
        if definitions is None:
            self.report.problem("CFDefinitions", f"CFDefinitions must be an object, not {_json_type(value)}")
            return
        for name, entries in definitions.items():
            if name not in DEFINITION_KINDS:
                if not _is_blank(entries):
                    self.report.drop(f"CFDefinitions.{name}")
                continue
            seen: dict[str, int] = {}
            for index, raw in self._array(definitions, name, "CFDefinitions"):
                definition = self._definition(name, index, raw)
                if definition is None:
                    continue
                key = _key(definition.source_identifier or definition.identifier)
                if key in seen:
                    self.report.problem(
                        f"CFDefinitions.{name}[{index}]",
                        f"repeats the identifier of CFDefinitions.{name}[{seen[key]}]",
                    )
                    continue
                seen[key] = index
                self.definitions.append(definition)
                if name == "CFItemTypes" and definition.title:
                    # Names the type of an item that links to its definition without giving its title.
                    self.item_type_titles[_key(definition.identifier)] = definition.title

    def _definition(self, kind: str, index: int, raw: dict[str, object]) -> CaseDefinition | None:
        fields = _Fields(raw, _label(raw, f"CFDefinitions.{kind}[{index}]"), self.report)
        identity = self._identity(fields, kind.removeprefix("CF").removesuffix("s"))
        fields.unknown(f"CFDefinitions.{kind}", _DEFINITION_FIELDS[kind])
        definition = CaseDefinition(
            kind=kind,
            identifier=identity[0] if identity else "",
            source_identifier=identity[1] if identity else "",
            uri=fields.uri(),
            title=fields.text("title"),
            description=fields.text("description"),
            hierarchy_code=fields.text("hierarchyCode"),
            type_code=fields.text("typeCode"),
            keywords=fields.text("keywords"),
            license_text=fields.text("licenseText"),
            last_change=fields.date_time(),
            extensions=fields.extensions(),
        )
        return definition if identity else None

    def _link(self, fields: _Fields, name: str) -> CaseLink | None:
        """A LinkURI to a definition; a link without an identifier is a problem."""
        value = fields.raw.get(name)
        if value is None:
            return None
        raw = _object(value)
        if raw is None:
            self.report.problem(
                fields.label, f"{name} must be an object (title, identifier, uri), not {_json_type(value)}"
            )
            return None
        link = _Fields(raw, fields.label, self.report)
        identifier = link.text("identifier").strip()
        if not identifier:
            if not isinstance(raw.get("identifier"), str | None):
                return None  # the wrong type is already a problem
            self.report.problem(fields.label, f"{name} has no identifier")
            return None
        if not is_uuid(identifier):
            self.report.warn("not_uuid", identifier)
        return CaseLink(identifier=stable_identifier(identifier), title=link.text("title"), uri=link.uri())

    def _links(self, fields: _Fields, name: str) -> tuple[CaseLink, ...]:
        value = fields.raw.get(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report.problem(fields.label, f"{name} must be an array, not {_json_type(value)}")
            return ()
        links = (self._link(_Fields({name: entry}, fields.label, self.report), name) for entry in value)
        return tuple(link for link in links if link is not None)

    def _document(self, raw: dict[str, object]) -> CaseDocument:
        fields = _Fields(raw, _label(raw, "CFDocument"), self.report)
        identifier, source = self._identity(fields, "CFDocument") or ("", "")
        title = fields.required_text("title", "CFDocument")
        subject = raw.get("subject")
        subjects: tuple[str, ...] = ()
        if isinstance(subject, str):
            if subject.strip():
                self.report.warn("subject_string", fields.label)
                subjects = (subject,)
        else:
            subjects = tuple(fields.strings("subject", string_kind="subject_string") or ())
        subject_field = "subjectURI"
        if raw.get("subjectURI") is None and raw.get("subjectURL") is not None:
            subject_field = "subjectURL"
            self.report.warn("subject_url", fields.label)
        fields.unknown("CFDocument", _DOCUMENT_FIELDS)
        return CaseDocument(
            identifier=identifier,
            source_identifier=source,
            uri=fields.uri(),
            title=title,
            creator=fields.text("creator"),
            publisher=fields.text("publisher"),
            description=fields.text("description"),
            subject=subjects,
            language=fields.text("language"),
            version=fields.text("version"),
            adoption_status=fields.text("adoptionStatus"),
            official_source_url=fields.uri("officialSourceURL"),
            notes=fields.text("notes"),
            last_change=fields.date_time(),
            framework_type=fields.text("frameworkType"),
            subject_links=self._links(fields, subject_field),
            license=self._link(fields, "licenseURI"),
            status_start_date=fields.date("statusStartDate"),
            status_end_date=fields.date("statusEndDate"),
            extensions=fields.extensions(),
        )

    def _item(self, index: int, raw: dict[str, object]) -> None:
        fields = _Fields(raw, _label(raw, f"CFItems[{index}]"), self.report)
        identity = self._identity(fields, "CFItem")
        statement = fields.required_text("fullStatement", "CFItem")
        item = CaseItem(
            identifier=identity[0] if identity else "",
            source_identifier=identity[1] if identity else "",
            uri=fields.uri(),
            full_statement=statement,
            human_code=fields.text("humanCodingScheme"),
            abbreviated_statement=fields.text("abbreviatedStatement"),
            alternative_label=fields.text("alternativeLabel"),
            item_type=self._item_type(fields),
            education_levels=_education_levels(fields),
            language=fields.text("language"),
            notes=fields.text("notes"),
            list_enumeration=fields.text("listEnumeration"),
            concept_keywords=tuple(fields.strings("conceptKeywords", string_kind="keywords_string") or ()),
            last_change=fields.date_time(),
            subjects=tuple(fields.strings("subject", string_kind="item_subject_string") or ()),
            subject_links=self._links(fields, "subjectURI"),
            item_type_link=self._link(fields, "CFItemTypeURI"),
            concept_keywords_link=self._link(fields, "conceptKeywordsURI"),
            license=self._link(fields, "licenseURI"),
            status_start_date=fields.date("statusStartDate"),
            status_end_date=fields.date("statusEndDate"),
            extensions=fields.extensions(),
        )
        fields.unknown("CFItem", _ITEM_FIELDS)
        if identity is None:
            return
        key = _key(identity[1] or identity[0])
        if key == self.document_key:
            self.report.problem(fields.label, "the CFItem has the identifier of the CFDocument")
        elif key in self.items:
            first = self.items[key].index
            self.report.problem(fields.label, f"CFItems[{index}] repeats the identifier of CFItems[{first}]")
        else:
            self.items[key] = _ItemDraft(index=index, label=fields.label, item=item)

    def _item_type(self, fields: _Fields) -> str:
        item_type = fields.text("CFItemType")
        link = fields.raw.get("CFItemTypeURI")
        if item_type or link is None:
            return item_type
        raw_link = _object(link)
        if raw_link is None:
            return ""  # a problem of the link itself (see _link)
        title, identifier = raw_link.get("title"), raw_link.get("identifier")
        if isinstance(title, str) and title:
            return title
        return self.item_type_titles.get(_key(identifier), "") if isinstance(identifier, str) else ""

    def _node(self, fields: _Fields, name: str, draft_name: str = "") -> _Node | None:
        """A LinkURI (title, identifier, uri); the identifier may come from a draft field when it has none."""
        link = fields.raw.get(name)
        draft = fields.raw.get(draft_name) if draft_name else None
        draft_identifier = draft if isinstance(draft, str) and draft.strip() else ""
        raw_link = _object(link)
        node = _Node("", "", "")
        if raw_link is not None:
            identifier = raw_link.get("identifier")
            if identifier is not None and not isinstance(identifier, str):
                self.report.problem(
                    fields.label, f"{name}.identifier must be a string, not {_json_type(identifier)}"
                )
                return None
            link_fields = _Fields(raw_link, fields.label, self.report)
            node = _Node(
                link_fields.text("identifier"),
                link_fields.uri(),
                link_fields.text("title"),
                link_fields.text("targetType"),
            )
        elif isinstance(link, str) and draft_identifier:
            # Draft-era packages may give the link as a bare URI beside the draft identifier field.
            node = _Node("", link if _is_uri(link) else "", "")
        elif link is not None:
            self.report.problem(
                fields.label, f"{name} must be an object with an identifier, not {_json_type(link)}"
            )
            return None
        if not node.identifier.strip():
            if not draft_identifier:
                missing = f"{name} has no identifier" if raw_link is not None else f"there is no {name}"
                self.report.problem(fields.label, missing)
                return None
            node.identifier = draft_identifier
        return node

    def _associations(
        self, package: Mapping[str, object], document: CaseDocument
    ) -> tuple[CaseAssociation, ...]:
        found: list[CaseAssociation] = []
        for index, raw in self._array(package, "CFAssociations"):
            fields = _Fields(raw, _label(raw, f"CFAssociations[{index}]"), self.report)
            identity = self._identity(fields, "CFAssociation")
            association_type = fields.required_text("associationType", "CFAssociation")
            if association_type and association_type not in ASSOCIATION_TYPES:
                self.report.problem(
                    fields.label,
                    f"associationType {_shown(association_type)} is not a CASE association type "
                    f"(one of {', '.join(ASSOCIATION_TYPES)})",
                )
            if "originNodeIdentifier" in raw or "destinationNodeIdentifier" in raw:
                self.report.warn("draft_node", fields.label)
            origin = self._node(fields, "originNodeURI", "originNodeIdentifier")
            destination = self._node(fields, "destinationNodeURI", "destinationNodeIdentifier")
            sequence = fields.integer("sequenceNumber")
            uri, last_change = fields.uri(), fields.date_time()
            grouping = self._link(fields, "CFAssociationGroupingURI")
            draft_grouping = raw.get("CFAssociationGroupingIdentifier")
            if draft_grouping is not None:
                self.report.warn("draft_grouping", fields.label)
                if grouping is None and isinstance(draft_grouping, str) and draft_grouping.strip():
                    grouping = CaseLink(identifier=stable_identifier(draft_grouping.strip()))
            fields.unknown("CFAssociation", _ASSOCIATION_FIELDS)
            if identity is not None:
                key = _key(identity[1] or identity[0])
                if key in self.association_keys:
                    first = self.association_keys[key]
                    self.report.problem(
                        fields.label, f"CFAssociations[{index}] repeats the identifier of {first}"
                    )
                    continue
                self.association_keys[key] = f"CFAssociations[{index}]"
            if identity is None or origin is None or destination is None:
                continue
            own = _AssociationFields(
                fields.label,
                identity,
                uri,
                last_change,
                sequence,
                grouping,
                fields.text("notes"),
                fields.extensions(),
            )
            if association_type == "isChildOf":
                self._place(own, origin, destination)
            elif association_type in ASSOCIATION_TYPES:
                association = self._association(own, association_type, origin, destination, document)
                if association is not None:
                    found.append(association)
        return tuple(found)

    def _association(
        self,
        own: _AssociationFields,
        association_type: str,
        origin: _Node,
        destination: _Node,
        document: CaseDocument,
    ) -> CaseAssociation | None:
        """The ends resolved: the origin must be an item of the package; the destination may be anywhere."""
        source = self.items.get(_key(origin.identifier))
        if source is None:
            self.report.problem(
                own.label,
                f"the {association_type} origin {_shown(origin.identifier, 200)} is not a CFItem "
                "of this package",
            )
            return None
        target = self.items.get(_key(destination.identifier))
        destination_identifier = destination.identifier
        if target is not None:
            destination_identifier = target.item.identifier
        elif _key(destination.identifier) == self.document_key:
            destination_identifier = document.identifier
        return CaseAssociation(
            identifier=own.identity[0],
            source_identifier=own.identity[1],
            uri=own.uri,
            association_type=association_type,
            origin_identifier=source.item.identifier,
            destination_identifier=destination_identifier,
            destination_uri=destination.uri,
            destination_title=destination.title,
            destination_in_package=target is not None,
            sequence_number=own.sequence,
            last_change=own.last_change,
            grouping=own.grouping,
            notes=own.notes,
            extensions=own.extensions,
            destination_target_type=destination.target_type,
        )

    def _place(self, own: _AssociationFields, origin: _Node, destination: _Node) -> None:
        """Fold one isChildOf association into its origin item's parent and position."""
        label = own.label
        child = self.items.get(_key(origin.identifier))
        if child is None:
            self.report.problem(
                label,
                f"the isChildOf origin {_shown(origin.identifier, 200)} is not a CFItem of this package",
            )
            return
        destination_key = _key(destination.identifier)
        parent_key: str | None
        if destination_key == self.document_key:
            parent_key = None
        elif destination_key in self.items:
            parent_key = destination_key
        elif self.document_key is None:
            # The document has no identifier (already a problem), so a link to it cannot be recognised; one
            # problem is enough, not one more per top-level item.
            parent_key = None
        else:
            self.report.problem(
                label,
                f"the isChildOf destination {_shown(destination.identifier, 200)} is neither the CFDocument "
                "nor a CFItem of this package",
            )
            return
        if own.sequence is not None and own.sequence < 0:
            self.report.problem(label, f"sequenceNumber {own.sequence} is negative")
            return
        if child.has_parent:
            if child.parent_key == parent_key:
                self.report.warn("repeated_child", label)
            else:
                self.report.problem(
                    child.label,
                    f"the CFItem has two parents: {_shown(child.parent_label, 200)} (association "
                    f"{child.child_label}) and {_shown(destination.identifier, 200)} (association {label})",
                )
            return
        child.has_parent = True
        child.parent_key = parent_key
        child.parent_label = destination.identifier
        child.sequence = own.sequence
        child.child_label = label
        child.item = replace(
            child.item,
            child_association_identifier=own.identity[0],
            child_association_source_identifier=own.identity[1],
            child_association_uri=own.uri,
            child_association_last_change=own.last_change,
            child_association_grouping=own.grouping,
            child_association_notes=own.notes,
            child_association_extensions=own.extensions,
        )

    def _tree(self) -> tuple[CaseItem, ...]:
        drafts = list(self.items.values())
        for draft in drafts:
            if not draft.has_parent:
                self.report.warn("no_parent", draft.label)
        index_of = {key: index for index, key in enumerate(self.items)}
        parents = [None if draft.parent_key is None else index_of[draft.parent_key] for draft in drafts]
        positions = [0] * len(drafts)
        siblings: dict[int | None, list[int]] = {}
        for index, parent in enumerate(parents):
            siblings.setdefault(parent, []).append(index)
        for group in siblings.values():
            settled = _sibling_positions([drafts[index].sequence for index in group])
            for index, position in zip(group, settled, strict=True):
                positions[index] = position
        order, unreached = _tree_order(parents, positions)
        for cycle in _cycles(parents, unreached):
            names = [drafts[index].label for index in cycle]
            self.report.problem(
                names[0], "the isChildOf associations form a cycle: " + " → ".join([*names, names[0]])
            )
        identifiers = [draft.item.identifier for draft in drafts]
        return tuple(
            replace(
                drafts[index].item,
                parent_identifier=None if (parent := parents[index]) is None else identifiers[parent],
                position=positions[index],
            )
            for index in order
        )

    def _rubric_identity(self, fields: _Fields, what: str) -> tuple[str, str]:
        identity = self._identity(fields, what)
        if identity is None:
            return "", ""
        key = _key(identity[1] or identity[0])
        if key in self.rubric_keys:
            self.report.problem(fields.label, f"the {what} repeats the identifier of {self.rubric_keys[key]}")
        else:
            self.rubric_keys[key] = f"a {what}"
        return identity

    def _rubric(self, index: int, raw: dict[str, object]) -> CaseRubric:
        fields = _Fields(raw, _label(raw, f"CFRubrics[{index}]"), self.report)
        identifier, source = self._rubric_identity(fields, "CFRubric")
        criteria: list[CaseRubricCriterion] = []
        given: list[int | None] = []
        for position, entry in self._array(raw, "CFRubricCriteria", fields.label):
            criterion, number = self._criterion(fields.label, position, entry)
            criteria.append(criterion)
            given.append(number)
        fields.unknown("CFRubric", _RUBRIC_FIELDS)
        return CaseRubric(
            identifier=identifier,
            uri=fields.uri(),
            title=fields.text("title"),
            description=fields.text("description"),
            criteria=_in_position_order(criteria, given),
            last_change=fields.date_time(),
            source_identifier=source,
        )

    def _criterion(
        self, rubric: str, index: int, raw: dict[str, object]
    ) -> tuple[CaseRubricCriterion, int | None]:
        fields = _Fields(raw, _label(raw, f"{rubric}.CFRubricCriteria[{index}]"), self.report)
        identifier, source = self._rubric_identity(fields, "CFRubricCriterion")
        item_identifier: str | None = None
        if raw.get("CFItemURI") is not None:
            node = self._node(fields, "CFItemURI")
            target = self.items.get(_key(node.identifier)) if node is not None else None
            if node is not None and target is None:
                self.report.problem(
                    fields.label,
                    f'the criterion assesses "{node.identifier}", which is not a CFItem of this package',
                )
            item_identifier = target.item.identifier if target is not None else None
        levels: list[CaseRubricLevel] = []
        given: list[int | None] = []
        for position, entry in self._array(raw, "CFRubricCriterionLevels", fields.label):
            level, number = self._level(fields.label, position, entry)
            levels.append(level)
            given.append(number)
        fields.unknown("CFRubricCriterion", _CRITERION_FIELDS)
        criterion = CaseRubricCriterion(
            identifier=identifier,
            uri=fields.uri(),
            category=fields.text("category"),
            description=fields.text("description"),
            item_identifier=item_identifier,
            weight=fields.number("weight"),
            levels=_in_position_order(levels, given),
            last_change=fields.date_time(),
            source_identifier=source,
        )
        return criterion, fields.integer("position")

    def _level(
        self, criterion: str, index: int, raw: dict[str, object]
    ) -> tuple[CaseRubricLevel, int | None]:
        fields = _Fields(raw, _label(raw, f"{criterion}.CFRubricCriterionLevels[{index}]"), self.report)
        identifier, source = self._rubric_identity(fields, "CFRubricCriterionLevel")
        fields.unknown("CFRubricCriterionLevel", _LEVEL_FIELDS)
        level = CaseRubricLevel(
            identifier=identifier,
            uri=fields.uri(),
            description=fields.text("description"),
            quality=fields.text("quality"),
            score=fields.number("score"),
            feedback=fields.text("feedback"),
            last_change=fields.date_time(),
            source_identifier=source,
        )
        return level, fields.integer("position")


@dataclass(frozen=True)
class _AssociationFields:
    """An association's own fields (its ends apart); an isChildOf carries them onto the item it places."""

    label: str
    identity: tuple[str, str]
    uri: str
    last_change: str
    sequence: int | None
    grouping: CaseLink | None
    notes: str
    extensions: dict[str, object]


def parse_package(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CasePackage:
    """Read a CFPackage from JSON bytes (UTF-8). Raises CasePackageError listing every problem found.

    The size is checked before anything is decoded, so an oversized upload costs nothing.
    """
    _check_size(raw, max_bytes)
    text = _decode(raw, "a JSON document")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(
            f"The file is not a JSON document: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise _refuse("The JSON is nested too deeply to be a CASE package.") from None
    return parse_package_data(data)


def parse_package_data(data: object) -> CasePackage:
    """Read an already-decoded CFPackage. Raises CasePackageError listing every problem found.

    The items come back in tree order; isChildOf associations are folded into the items (parent, position
    and the association's own identifier, uri and date), and every other association is kept as is.
    """
    return _PackageReader().read(data)


# --- Reading OpenSALT's CSV item list ----------------------------------------------------------------------

_CSV_REQUIRED = ("identifier", "fullStatement", "smartLevel")
_CSV_COLUMNS = frozenset(
    {
        "identifier",
        "fullStatement",
        "humanCodingScheme",
        "smartLevel",
        "listEnumeration",
        "abbreviatedStatement",
        "conceptKeywords",
        "notes",
        "language",
        "educationLevel",
        "CFItemType",
        "license",
        "lastChangeDateTime",
    }
)
_SMART_LEVEL = re.compile(r"\d+(?:\.\d+)*", re.ASCII)


@dataclass
class _CsvRow:
    label: str
    level: str  # normalised ("1.02" reads as "1.2"), so that parents are found whatever the zero padding
    level_text: str
    item: CaseItem


class _CsvReader:
    """Reads OpenSALT's flat item list, whose `smartLevel` column ("3.6.2.1") encodes the tree.

    Rows are numbered as a spreadsheet shows them: the header is row 1.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.report = _Report()
        self.columns: dict[str, int] = {}
        self.width = 0
        self.rows: list[_CsvRow] = []
        self.by_level: dict[str, int] = {}
        # Every well-formed smartLevel, also of rows refused for another reason: their children are not
        # reported again as orphans.
        self.seen_levels: dict[str, str] = {}
        self.by_key: dict[str, str] = {}

    def read(self, text: str) -> CasePackage:
        records = csv.reader(io.StringIO(text, newline=""))
        number = 1
        try:
            header = next(records, None)
            if header is None:
                raise _refuse("The CSV file is empty: it has no header row.")
            self._header(header)
            for cells in records:
                number += 1
                if any(cell.strip() for cell in cells):
                    self._row(f"row {number}", cells)
        except csv.Error as error:
            self.report.problem(f"row {number + 1}", f"the CSV cannot be read from here on: {error}")
        document = CaseDocument(
            identifier=stable_identifier("opensalt-csv:" + self.title),
            source_identifier="",
            uri="",
            title=self.title,
        )
        items = self._tree(document)
        self.report.refuse_if_problems()
        return CasePackage(document=document, items=items, associations=(), warnings=self.report.warnings())

    def _header(self, header: Sequence[str]) -> None:
        self.width = len(header)
        for index, name in enumerate(header):
            name = name.strip().removeprefix("\ufeff")
            if name in self.columns:
                self.report.problem("row 1", f'the column "{name}" appears twice')
            self.columns.setdefault(name, index)
        missing = [name for name in _CSV_REQUIRED if name not in self.columns]
        if missing:
            self.report.problem(
                "row 1",
                f"the header lacks the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(OpenSALT's columns are {', '.join(sorted(_CSV_COLUMNS))})",
            )
            self.report.refuse_if_problems()

    def _row(self, label: str, cells: Sequence[str]) -> None:
        def cell(name: str) -> str:
            index = self.columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if len(cells) > self.width and any(extra.strip() for extra in cells[self.width :]):
            self.report.problem(
                label, f"the row has {len(cells)} cells but the header has {self.width} columns"
            )
        for name, index in self.columns.items():
            if (
                (name not in _CSV_COLUMNS or name == "license")
                and index < len(cells)
                and cells[index].strip()
            ):
                self.report.drop(f"CSV column {name}")
        source, statement, level_text = cell("identifier"), cell("fullStatement"), cell("smartLevel")
        if not source:
            self.report.problem(label, "the identifier is empty")
        if not statement:
            self.report.problem(label, f"the fullStatement of {source or 'the row'} is empty")
        level = ""
        if not _SMART_LEVEL.fullmatch(level_text):
            self.report.problem(
                label, f'smartLevel {_shown(level_text)} is not a dotted list of numbers like "3.6.2"'
            )
        else:
            level = ".".join(str(int(part)) for part in level_text.split("."))
            if level in self.seen_levels:
                first = self.seen_levels[level]
                self.report.problem(label, f'smartLevel "{level_text}" repeats the smartLevel of {first}')
                level = ""
            else:
                self.seen_levels[level] = label
        if source and _key(source) in self.by_key:
            self.report.problem(
                label,
                f"the identifier {_shown(source, 200)} repeats the identifier of {self.by_key[_key(source)]}",
            )
            source = ""
        if not source or not level:
            return
        self.by_key[_key(source)] = label
        if not is_uuid(source):
            self.report.warn("not_uuid", source)
        self.by_level[level] = len(self.rows)
        self.rows.append(_CsvRow(label, level, level_text, self._item(label, source, statement, cell)))

    def _item(self, label: str, source: str, statement: str, cell: Callable[[str], str]) -> CaseItem:
        last_change = ""
        if cell("lastChangeDateTime"):
            normalised = _normalise_date_time(cell("lastChangeDateTime"))
            if normalised is None:
                self.report.problem(
                    label, f"lastChangeDateTime {_shown(cell('lastChangeDateTime'))} is not a date-time"
                )
            else:
                last_change, kinds = normalised
                for kind in kinds:
                    self.report.warn(kind, label)
        # Commas separate several levels and keywords in one cell: that is the CSV's own form, not a warning.
        levels = [level.strip() for level in cell("educationLevel").split(",") if level.strip()]
        return CaseItem(
            identifier=stable_identifier(source),
            source_identifier="" if is_uuid(source) else source,
            uri="",
            full_statement=statement,
            human_code=cell("humanCodingScheme"),
            abbreviated_statement=cell("abbreviatedStatement"),
            item_type=cell("CFItemType"),
            education_levels=_expand_dotted_levels(levels, label, self.report),
            language=cell("language"),
            notes=cell("notes"),
            list_enumeration=cell("listEnumeration"),
            concept_keywords=tuple(
                word.strip() for word in cell("conceptKeywords").split(",") if word.strip()
            ),
            last_change=last_change,
        )

    def _tree(self, document: CaseDocument) -> tuple[CaseItem, ...]:
        parents: list[int | None] = []
        for row in self.rows:
            parent_level = row.level.rpartition(".")[0]
            parent = self.by_level.get(parent_level) if parent_level else None
            if parent_level and parent_level not in self.seen_levels:
                self.report.problem(
                    row.label,
                    f'smartLevel "{row.level_text}" needs a row with smartLevel "{parent_level}"; '
                    "there is none",
                )
            parents.append(parent)
        if self.report.problems:
            return ()
        positions = [int(row.level.rpartition(".")[2]) for row in self.rows]
        order, _ = _tree_order(parents, positions)  # a parent's level is shorter than its child's: no cycles
        items: list[CaseItem] = []
        for index in order:
            item = self.rows[index].item
            parent = parents[index]
            parent_identifier = None if parent is None else self.rows[parent].item.identifier
            items.append(
                replace(
                    item,
                    parent_identifier=parent_identifier,
                    position=positions[index],
                    child_association_identifier=child_association_identifier(
                        item.identifier, parent_identifier or document.identifier
                    ),
                )
            )
        return tuple(items)


def child_association_identifier(child: str, parent: str) -> str:
    """The identifier of an isChildOf association the source did not have: the same for the same placement
    (`parent` is the parent item's identifier, or the document's for a top-level item)."""
    return stable_identifier(f"isChildOf:{child}:{parent}")


def parse_opensalt_csv(raw: bytes, *, title: str, max_bytes: int = DEFAULT_MAX_BYTES) -> CasePackage:
    """Read OpenSALT's CSV item list as a framework titled `title`. Raises CasePackageError listing every
    problem, each with its row number (the header is row 1).

    The document identifier derives from the title, so importing the same list under the same title again
    updates the same framework.
    """
    _check_size(raw, max_bytes)
    text = _decode(raw, "a CSV item list")
    if not title.strip():
        raise _refuse("A CSV item list has no title of its own: give the framework a title.")
    return _CsvReader(title).read(text)


# --- Writing a CFPackage -----------------------------------------------------------------------------------


def _item_title(item: CaseItem) -> str:
    """The title of a link to an item: its code, as CASE servers write it, or else its statement."""
    return item.human_code or item.abbreviated_statement or item.full_statement


class _PackageWriter:
    """Writes one CasePackage as a CFPackage dict; keys in a fixed order so the output is deterministic."""

    def __init__(
        self, package: CasePackage, *, base_uri: str, stamp: str, case_version: CaseVersion = "1.0"
    ) -> None:
        self.package = package
        self.base = base_uri
        self.stamp = stamp
        # CASE 1.1 packages name no CFPackageURI/CFDocumentURI inside and add caseVersion, frameworkType, item
        # subjects, association notes, targetType and extensions, which the 1.0 schema does not allow.
        self.v1p1 = case_version == "1.1"
        document = package.document
        self.document_link = {
            "title": document.title,
            "identifier": document.identifier,
            "uri": document.uri or self._uri("CFDocuments", document.identifier),
        }
        self.items = _export_order(package.items)
        self.by_key = {_key(item.identifier): item for item in self.items}
        self.definitions = all_definitions(package)

    def _uri(self, collection: str, identifier: str) -> str:
        return f"{self.base}/{collection}/{identifier}"

    def _when(self, last_change: str) -> str:
        return last_change or self.stamp

    def _item_link(self, item: CaseItem, *, title: str = "", uri: str = "") -> dict[str, object]:
        return {
            "title": title or _item_title(item),
            "identifier": item.identifier,
            "uri": uri or item.uri or self._uri("CFItems", item.identifier),
        }

    def _item_of(self, identifier: str, what: str) -> CaseItem:
        item = self.by_key.get(_key(identifier))
        if item is None:
            raise ValueError(f"{what} {identifier!r} is not an item of the package.")
        return item

    def build(self) -> dict[str, object]:
        built: dict[str, object] = {
            "CFDocument": self._document(),
            "CFItems": [self._item(item) for item in self.items],
            "CFAssociations": [
                *(self._child_association(item) for item in self.items),
                *(
                    self._association(association)
                    for association in self.package.associations
                    if self.v1p1 or association.association_type not in CASE_1_1_ASSOCIATION_TYPES
                ),
            ],
            "CFDefinitions": {
                kind: [self._definition(definition) for definition in self._definitions(kind)]
                for kind in DEFINITION_KINDS
            },
        }
        if self.package.rubrics:
            built["CFRubrics"] = [self._rubric(rubric) for rubric in self.package.rubrics]
        return built

    def document_entry(self) -> dict[str, object]:
        """The CFDocument as the REST API serves it alone, with its CFPackageURI (CFDocumentDType)."""
        built = self._document()
        if "CFPackageURI" not in built:
            built = {
                "identifier": built.pop("identifier"),
                "uri": built.pop("uri"),
                **self._package_link(),
                **built,
            }
        return built

    def _package_link(self) -> dict[str, object]:
        document = self.package.document
        return {
            "CFPackageURI": {
                "title": document.title,
                "identifier": document.identifier,
                "uri": self._uri("CFPackages", document.identifier),
            }
        }

    def _document(self) -> dict[str, object]:
        document = self.package.document
        built: dict[str, object] = {
            "identifier": document.identifier,
            "uri": self.document_link["uri"],
            **({} if self.v1p1 else self._package_link()),
        }
        if self.v1p1:
            built["caseVersion"] = "1.1"
            if document.framework_type:
                built["frameworkType"] = document.framework_type
        built["creator"] = document.creator
        built["title"] = document.title
        built["lastChangeDateTime"] = self._when(document.last_change)
        optional: dict[str, object] = {
            "officialSourceURL": document.official_source_url,
            "publisher": document.publisher,
            "description": document.description,
            "subject": list(document.subject),
            "subjectURI": [self._link(link, "CFSubjects") for link in document.subject_links],
            "language": document.language,
            "version": document.version,
            "adoptionStatus": document.adoption_status,
            "statusStartDate": document.status_start_date,
            "statusEndDate": document.status_end_date,
            "licenseURI": self._link(document.license, "CFLicenses") if document.license else None,
            "notes": document.notes,
            "extensions": document.extensions if self.v1p1 else None,
        }
        built.update((name, value) for name, value in optional.items() if value)
        return built

    def _link(self, link: CaseLink, collection: str) -> dict[str, object]:
        return {
            "title": link.title,
            "identifier": link.identifier,
            "uri": link.uri or self._uri(collection, link.identifier),
        }

    def _item(self, item: CaseItem) -> dict[str, object]:
        built: dict[str, object] = {
            "identifier": item.identifier,
            "uri": item.uri or self._uri("CFItems", item.identifier),
        }
        if not self.v1p1:
            built["CFDocumentURI"] = self.document_link
        built["fullStatement"] = item.full_statement
        item_type_link = self._item_type_link(item)
        optional: dict[str, object] = {
            "alternativeLabel": item.alternative_label,
            "CFItemType": item.item_type,
            "CFItemTypeURI": self._link(item_type_link, "CFItemTypes") if item_type_link else None,
            "humanCodingScheme": item.human_code,
            "listEnumeration": item.list_enumeration,
            "abbreviatedStatement": item.abbreviated_statement,
            "conceptKeywords": list(item.concept_keywords),
            "conceptKeywordsURI": (
                self._link(item.concept_keywords_link, "CFConcepts") if item.concept_keywords_link else None
            ),
            "notes": item.notes,
            "subject": list(item.subjects) if self.v1p1 else None,
            "subjectURI": [self._link(link, "CFSubjects") for link in item.subject_links]
            if self.v1p1
            else None,
            "language": item.language,
            "educationLevel": list(item.education_levels),
            "licenseURI": self._link(item.license, "CFLicenses") if item.license else None,
            "statusStartDate": item.status_start_date,
            "statusEndDate": item.status_end_date,
        }
        built.update((name, value) for name, value in optional.items() if value)
        built["lastChangeDateTime"] = self._when(item.last_change)
        if self.v1p1 and item.extensions:
            built["extensions"] = item.extensions
        return built

    def _item_type_link(self, item: CaseItem) -> CaseLink | None:
        return _item_type_link(item)

    def _definitions(self, kind: str) -> list[CaseDefinition]:
        return [definition for definition in self.definitions if definition.kind == kind]

    def _definition(self, definition: CaseDefinition) -> dict[str, object]:
        built: dict[str, object] = {
            "identifier": definition.identifier,
            "uri": definition.uri or self._uri(definition.kind, definition.identifier),
            "title": definition.title,
        }
        required = _DEFINITION_REQUIRED[definition.kind] | (
            {"description"} if self.v1p1 and definition.kind == "CFItemTypes" else set()
        )
        for name, attribute in _DEFINITION_ATTRIBUTES[definition.kind]:
            value = getattr(definition, attribute)
            if value or name in required:
                built[name] = value
        built["lastChangeDateTime"] = self._when(definition.last_change)
        if self.v1p1 and definition.extensions:
            built["extensions"] = definition.extensions
        return built

    def _child_association(self, item: CaseItem) -> dict[str, object]:
        parent = (
            None if item.parent_identifier is None else self._item_of(item.parent_identifier, "The parent")
        )
        identifier = item.child_association_identifier or child_association_identifier(
            item.identifier, parent.identifier if parent else self.package.document.identifier
        )
        built: dict[str, object] = {
            "identifier": identifier,
            "uri": item.child_association_uri or self._uri("CFAssociations", identifier),
            **({} if self.v1p1 else {"CFDocumentURI": self.document_link}),
            "associationType": "isChildOf",
            "sequenceNumber": item.position,
            "originNodeURI": self._item_link(item),
            "destinationNodeURI": self.document_link if parent is None else self._item_link(parent),
        }
        return self._association_end(
            built,
            grouping=item.child_association_grouping,
            last_change=item.child_association_last_change,
            notes=item.child_association_notes,
            extensions=item.child_association_extensions,
        )

    def _association_end(
        self,
        built: dict[str, object],
        *,
        grouping: CaseLink | None,
        last_change: str,
        notes: str,
        extensions: dict[str, object],
    ) -> dict[str, object]:
        """The fields every association ends with, in the schema's order."""
        if grouping is not None:
            built["CFAssociationGroupingURI"] = self._link(grouping, "CFAssociationGroupings")
        built["lastChangeDateTime"] = self._when(last_change)
        if self.v1p1 and notes:
            built["notes"] = notes
        if self.v1p1 and extensions:
            built["extensions"] = extensions
        return built

    def _association(self, association: CaseAssociation) -> dict[str, object]:
        origin = self._item_of(association.origin_identifier, "The origin")
        destination: dict[str, object]
        if association.destination_in_package:
            target = self._item_of(association.destination_identifier, "The destination")
            destination = self._item_link(
                target, title=association.destination_title, uri=association.destination_uri
            )
        elif association.destination_identifier == self.package.document.identifier:
            destination = {
                "title": association.destination_title or self.document_link["title"],
                "identifier": association.destination_identifier,
                "uri": association.destination_uri or self.document_link["uri"],
            }
        else:
            destination = {
                "title": association.destination_title,
                "identifier": association.destination_identifier,
                "uri": association.destination_uri or self._outside_uri(association.destination_identifier),
            }
        if self.v1p1 and association.destination_target_type:
            destination["targetType"] = association.destination_target_type
        built: dict[str, object] = {
            "identifier": association.identifier,
            "uri": association.uri or self._uri("CFAssociations", association.identifier),
            **({} if self.v1p1 else {"CFDocumentURI": self.document_link}),
            "associationType": association.association_type,
        }
        if association.sequence_number is not None:
            built["sequenceNumber"] = association.sequence_number
        built["originNodeURI"] = self._item_link(origin)
        built["destinationNodeURI"] = destination
        return self._association_end(
            built,
            grouping=association.grouping,
            last_change=association.last_change,
            notes=association.notes,
            extensions=association.extensions,
        )

    def _outside_uri(self, identifier: str) -> str:
        """A uri for an outside destination that came without one: the identifier itself when it is a URI."""
        if _is_uri(identifier):
            return identifier
        return self._uri("CFItems", quote(identifier, safe=""))

    def _rubric(self, rubric: CaseRubric) -> dict[str, object]:
        built: dict[str, object] = {
            "identifier": rubric.identifier,
            "uri": rubric.uri or self._uri("CFRubrics", rubric.identifier),
        }
        if rubric.title:
            built["title"] = rubric.title
        if rubric.description:
            built["description"] = rubric.description
        built["lastChangeDateTime"] = self._when(rubric.last_change)
        built["CFRubricCriteria"] = [self._criterion(rubric, criterion) for criterion in rubric.criteria]
        return built

    def _criterion(self, rubric: CaseRubric, criterion: CaseRubricCriterion) -> dict[str, object]:
        built: dict[str, object] = {
            "identifier": criterion.identifier,
            "uri": criterion.uri or self._uri("CFRubricCriteria", criterion.identifier),
        }
        if criterion.category:
            built["category"] = criterion.category
        if criterion.description:
            built["description"] = criterion.description
        if criterion.item_identifier is not None:
            built["CFItemURI"] = self._item_link(
                self._item_of(criterion.item_identifier, "The criterion's item")
            )
        if criterion.weight is not None:
            built["weight"] = criterion.weight
        built["position"] = criterion.position
        built["rubricId"] = rubric.identifier
        built["lastChangeDateTime"] = self._when(criterion.last_change)
        built["CFRubricCriterionLevels"] = [self._level(criterion, level) for level in criterion.levels]
        return built

    def _level(self, criterion: CaseRubricCriterion, level: CaseRubricLevel) -> dict[str, object]:
        built: dict[str, object] = {
            "identifier": level.identifier,
            "uri": level.uri or self._uri("CFRubricCriterionLevels", level.identifier),
        }
        optional: dict[str, object] = {
            "description": level.description,
            "quality": level.quality,
            "feedback": level.feedback,
        }
        built.update((name, value) for name, value in optional.items() if value)
        if level.score is not None:
            built["score"] = level.score
        built["position"] = level.position
        built["rubricCriterionId"] = criterion.identifier
        built["lastChangeDateTime"] = self._when(level.last_change)
        return built


def _export_order(items: Sequence[CaseItem]) -> list[CaseItem]:
    """The items parents-first, siblings by position; ValueError when the items do not form one tree."""
    index_of: dict[str, int] = {}
    for index, item in enumerate(items):
        if _key(item.identifier) in index_of:
            raise ValueError(f"The item {item.identifier!r} appears twice.")
        index_of[_key(item.identifier)] = index
    parents: list[int | None] = []
    for item in items:
        if item.parent_identifier is None:
            parents.append(None)
        elif _key(item.parent_identifier) not in index_of:
            raise ValueError(f"The parent {item.parent_identifier!r} of {item.identifier!r} is not an item.")
        else:
            parents.append(index_of[_key(item.parent_identifier)])
    order, unreached = _tree_order(parents, [item.position for item in items])
    if unreached:
        raise ValueError(f"The items {[items[index].identifier for index in unreached]!r} form a cycle.")
    return [items[index] for index in order]


def _item_type_link(item: CaseItem) -> CaseLink | None:
    """The link the package gave, else one to a definition derived from the item type's title."""
    if item.item_type_link is not None:
        return item.item_type_link
    if not item.item_type:
        return None
    return CaseLink(identifier=derived_item_type_identifier(item.item_type), title=item.item_type)


def derived_item_type_identifier(title: str) -> str:
    """The identifier of the CFItemType the export derives for an item type given only by its title."""
    return stable_identifier("item-type:" + title)


def _links_to(package: CasePackage, kind: str) -> Iterable[CaseLink]:
    """Every link of the package to a definition of `kind`."""
    document, items = package.document, package.items
    links: list[CaseLink | None]
    if kind == "CFItemTypes":
        links = [_item_type_link(item) for item in items]
    elif kind == "CFSubjects":
        links = [*document.subject_links, *(link for item in items for link in item.subject_links)]
    elif kind == "CFLicenses":
        links = [document.license, *(item.license for item in items)]
    elif kind == "CFConcepts":
        links = [item.concept_keywords_link for item in items]
    else:
        links = [item.child_association_grouping for item in items]
        links += [association.grouping for association in package.associations]
    return (link for link in links if link is not None)


def all_definitions(package: CasePackage) -> tuple[CaseDefinition, ...]:
    """The package's definitions, each kind followed by one for every link to a definition the package
    lacks, built from the link (an item type from its title): so every link resolves inside the package,
    and at its URI when the package is served."""
    completed: list[CaseDefinition] = []
    for kind in DEFINITION_KINDS:
        given = [definition for definition in package.definitions if definition.kind == kind]
        known = {_key(definition.identifier) for definition in given}
        implied: dict[str, CaseLink] = {}
        for link in _links_to(package, kind):
            if _key(link.identifier) not in known:
                implied.setdefault(_key(link.identifier), link)
        completed += given
        completed += (
            CaseDefinition(
                kind=kind,
                identifier=link.identifier,
                source_identifier="",
                uri=link.uri,
                title=link.title,
                # An item type derived from a title reads as the types Waypoint always wrote.
                hierarchy_code="1" if kind == "CFItemTypes" else "",
                type_code=link.title if kind == "CFItemTypes" else "",
                # The document's date rather than the export's, so that exporting an unchanged framework twice
                # gives the same file.
                last_change=package.document.last_change,
            )
            for link in sorted(implied.values(), key=lambda link: (link.title, _key(link.identifier)))
        )
    return tuple(completed)


_DEFINITION_ATTRIBUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "CFConcepts": (
        ("keywords", "keywords"),
        ("hierarchyCode", "hierarchy_code"),
        ("description", "description"),
    ),
    "CFSubjects": (("hierarchyCode", "hierarchy_code"), ("description", "description")),
    "CFLicenses": (("description", "description"), ("licenseText", "license_text")),
    "CFItemTypes": (
        ("description", "description"),
        ("hierarchyCode", "hierarchy_code"),
        ("typeCode", "type_code"),
    ),
    "CFAssociationGroupings": (("description", "description"),),
}
# What each definition must carry in both versions' schemas, even when empty.
_DEFINITION_REQUIRED: dict[str, set[str]] = {
    "CFConcepts": {"hierarchyCode"},
    "CFSubjects": {"hierarchyCode"},
    "CFLicenses": {"licenseText"},
    "CFItemTypes": {"hierarchyCode"},
    "CFAssociationGroupings": set(),
}


def _writer(
    package: CasePackage, base_uri: str, generated_at: str, case_version: CaseVersion
) -> _PackageWriter:
    normalised = _normalise_date_time(generated_at)
    if normalised is None or normalised[1]:
        raise ValueError(f"generated_at must be an RFC 3339 date-time with an offset, not {generated_at!r}.")
    base = base_uri.rstrip("/")
    if not _is_uri(base):
        raise ValueError(f"base_uri must be an absolute URI, not {base_uri!r}.")
    return _PackageWriter(package, base_uri=base, stamp=normalised[0], case_version=case_version)


def build_document(
    package: CasePackage, *, base_uri: str, generated_at: str, case_version: CaseVersion = "1.1"
) -> dict[str, object]:
    """The package's CFDocument as served alone (with its CFPackageURI); only the document is read, so a
    package holding just the document will do."""
    return _writer(package, base_uri, generated_at, case_version).document_entry()


def build_package(
    package: CasePackage, *, base_uri: str, generated_at: str, case_version: CaseVersion = "1.0"
) -> dict[str, object]:
    """A CASE CFPackage for `package`, valid against the CASE 1.0 JSON schema, or with `case_version="1.1"`
    the official CASE 1.1 one (with format checking).

    CASE 1.0 has no place for what 1.1 added (frameworkType, an item's own subjects, association notes,
    targetType, extensions, isTranslationOf associations): only the 1.1 package carries everything a package
    read here can hold. Every
    definition is written back, and a link to a definition the package lacks gets one built from the link.

    Every identifier and uri the package holds is written as it is; an empty uri becomes
    `{base_uri}/CFItems/{identifier}` (CFDocuments/, CFAssociations/, CFItemTypes/, CFRubrics/… likewise).
    isChildOf associations are regenerated from each item's parent and position (sequenceNumber = position;
    top-level items are children of the document). `generated_at` (RFC 3339 with an offset) stands in for any
    missing lastChangeDateTime. The same arguments always give the same dict. ValueError when the items do
    not form a tree, an association or criterion names an item the package lacks, or an argument is malformed.
    """
    return _writer(package, base_uri, generated_at, case_version).build()


def package_summary(package: CasePackage) -> dict[str, int]:
    """Counts as an export would have them: every item has one isChildOf association there."""
    return {
        "items": len(package.items),
        "associations": len(package.items) + len(package.associations),
        "isChildOf": len(package.items),
        "rubrics": len(package.rubrics),
    }


# --- What Waypoint keeps without using: stored as JSON beside the rows ------------------------------------

_Extra = tuple[str, Literal["text", "texts", "link", "links", "object"]]
_DOCUMENT_EXTRAS: dict[str, _Extra] = {
    "framework_type": ("frameworkType", "text"),
    "subject_links": ("subjectURI", "links"),
    "license": ("licenseURI", "link"),
    "status_start_date": ("statusStartDate", "text"),
    "status_end_date": ("statusEndDate", "text"),
    "extensions": ("extensions", "object"),
}
_ITEM_EXTRAS: dict[str, _Extra] = {
    "subjects": ("subject", "texts"),
    "subject_links": ("subjectURI", "links"),
    "item_type_link": ("CFItemTypeURI", "link"),
    "concept_keywords_link": ("conceptKeywordsURI", "link"),
    "license": ("licenseURI", "link"),
    "status_start_date": ("statusStartDate", "text"),
    "status_end_date": ("statusEndDate", "text"),
    "extensions": ("extensions", "object"),
    # The item's isChildOf association is folded into the item, and so are its own fields.
    "child_association_grouping": ("isChildOf.CFAssociationGroupingURI", "link"),
    "child_association_notes": ("isChildOf.notes", "text"),
    "child_association_extensions": ("isChildOf.extensions", "object"),
}
_ASSOCIATION_EXTRAS: dict[str, _Extra] = {
    "grouping": ("CFAssociationGroupingURI", "link"),
    "notes": ("notes", "text"),
    "extensions": ("extensions", "object"),
    "destination_target_type": ("destinationNodeURI.targetType", "text"),
}
_EXTRAS: dict[type, dict[str, _Extra]] = {
    CaseDocument: _DOCUMENT_EXTRAS,
    CaseItem: _ITEM_EXTRAS,
    CaseAssociation: _ASSOCIATION_EXTRAS,
}
_WithExtras = TypeVar("_WithExtras", CaseDocument, CaseItem, CaseAssociation)


def _link_json(link: CaseLink) -> dict[str, str]:
    return {"title": link.title, "identifier": link.identifier, "uri": link.uri}


def _link_from_json(value: object) -> CaseLink:
    raw = value if isinstance(value, dict) else {}
    return CaseLink(
        identifier=str(raw.get("identifier", "")),
        title=str(raw.get("title", "")),
        uri=str(raw.get("uri", "")),
    )


def case_extras(entry: CaseDocument | CaseItem | CaseAssociation) -> dict[str, object]:
    """What `entry` carries that Waypoint keeps but does not use, as JSON under the CASE names (only what is
    there): the inverse of `with_case_extras`."""
    extras: dict[str, object] = {}
    for attribute, (name, kind) in _EXTRAS[type(entry)].items():
        value = getattr(entry, attribute)
        if not value:
            continue
        if kind == "link":
            extras[name] = _link_json(value)
        elif kind == "links":
            extras[name] = [_link_json(link) for link in value]
        elif kind == "texts":
            extras[name] = list(value)
        else:
            extras[name] = value
    return extras


def with_case_extras(entry: _WithExtras, extras: Mapping[str, object]) -> _WithExtras:
    """`entry` with the fields `case_extras` stored (anything else in `extras` is ignored)."""
    changes: dict[str, Any] = {}  # each value of the type of its attribute, which the table's kind decides
    for attribute, (name, kind) in _EXTRAS[type(entry)].items():
        value = extras.get(name)
        if value is None:
            continue
        if kind == "link":
            changes[attribute] = _link_from_json(value)
        elif kind == "links":
            changes[attribute] = (
                tuple(_link_from_json(link) for link in value) if isinstance(value, list) else ()
            )
        elif kind == "texts":
            changes[attribute] = tuple(str(text) for text in value) if isinstance(value, list) else ()
        elif kind == "object":
            changes[attribute] = dict(value) if isinstance(value, dict) else {}
        else:
            changes[attribute] = str(value)
    return replace(entry, **changes)
