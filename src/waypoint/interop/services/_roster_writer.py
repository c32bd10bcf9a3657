"""Writing a checked OneRoster set onto a district's rows: the mapping the lead decided (docs in
`roster_import`), done with bulk reads into dicts and bulk writes in batches, so that 100,000 users and
1,000,000 enrollments fit in a minute and well under a gigabyte.

The writer runs inside the import's transaction. It writes as it goes and collects every problem it meets
against the database (a sourcedId of another district, a username taken, a reference a delta leaves to
earlier imports that none made); the caller rolls the transaction back when there is any, so the order of
the steps never hides a problem behind another.

Speed and memory: existing rows are read as tuples (never model instances), and the big tables (users,
students, school and section enrollments, roles, guardian links, the students' audit events) are written
as plain rows (`insert_rows`: COPY on PostgreSQL) and updated by primary key (`update_rows`); Django's
`bulk_create`/`bulk_update` build and prepare an instance, or a CASE expression, per row, which was most of
the time. The small tables (schools, sessions, courses, classes, demographics) use the ORM."""

from __future__ import annotations

import datetime
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from waypoint.core.demographics import ONEROSTER_DEMOGRAPHIC_COLUMNS
from waypoint.core.models import (
    Gender,
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
from waypoint.interop.models import AcademicSession, Course, RosteredClass, RosteredDemographics
from waypoint.interop.oneroster.records import (
    ClassRow,
    DemographicsRow,
    EnrollmentRow,
    Problem,
    RosterSet,
    Row,
    UserRow,
)

Progress = Callable[[str, int, int], None]
M = TypeVar("M", bound=Model)

# Small enough for SQLite's limit on query parameters, big enough that 100,000 ids take a hundred queries.
LOOKUP_CHUNK = 900
WRITE_BATCH = 2000
PROGRESS_EVERY = 5000
COUNT_KEYS = ("rows", "created", "updated", "ended", "unchanged", "ignored")

# OneRoster roles (1.1, and the ones 1.2 adds) and the staff role each becomes.
STAFF_ROLES: dict[str, Role] = {
    "teacher": Role.TEACHER,
    "aide": Role.TEACHER,
    "counselor": Role.ADVISOR,
    "principal": Role.SCHOOL_ADMIN,
    "siteAdministrator": Role.SCHOOL_ADMIN,
    "districtAdministrator": Role.DISTRICT_ADMIN,
}
GUARDIAN_ROLES: dict[str, GuardianLink.Relationship] = {
    "parent": GuardianLink.Relationship.PARENT,
    "guardian": GuardianLink.Relationship.GUARDIAN,
    "relative": GuardianLink.Relationship.RELATIVE,
}
# Core's grade levels start at kindergarten (0): the early-childhood grades of CEDS count as it.
GRADE_WORDS = {"KG": 0, "PK": 0, "TK": 0, "PR": 0, "IT": 0}
SEX_TO_GENDER = {"male": Gender.MALE, "female": Gender.FEMALE, "other": Gender.NONBINARY}
TRUE_WORDS = frozenset({"true", "1", "yes"})


def school_year(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The school year (1 July to 30 June) that contains the date: a class whose terms the set does not
    carry runs for it."""
    start_year = on.year if on.month >= 7 else on.year - 1
    return datetime.date(start_year, 7, 1), datetime.date(start_year + 1, 6, 30)


def chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def grade_level(value: str) -> int | None:
    """A OneRoster grade (`09`, `KG`, `13`) as core's grade level (0 = kindergarten, 13 = a fifth year)."""
    value = value.strip()
    if value.isdigit() and 1 <= int(value) <= 13:
        return int(value)
    return GRADE_WORDS.get(value.upper())


def insert_rows(model: type[Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert plain rows (values in the order of `fields`; every other column takes its field's default),
    for the tables a roster fills by the hundred thousand: Django's `bulk_create` spends some 40 µs a row
    building and preparing model instances, which was most of a million enrollments' import. PostgreSQL
    takes the rows through COPY; other databases through `executemany` (Django's SQLite backend adapts
    dates)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    by_name = {field.name: field for field in model._meta.concrete_fields}
    given = [by_name[name] for name in fields]
    others = [
        field for field in model._meta.concrete_fields if not field.primary_key and field.name not in fields
    ]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    columns = ", ".join(quote(field.column) for field in (*given, *others))
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL refuses COPY FROM into a table under row-level security (waypoint.core.row_security),
            # so the rows go to a temporary table of the same columns and move in one INSERT … SELECT, which
            # the policies check like any insert.
            staging = quote(f"incoming_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
            cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
            with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}")  # noqa: S608
            cursor.execute(f"DROP TABLE {staging}")
            return
        marks = ", ".join(["%s"] * (len(given) + len(others)))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the models)
        for batch in chunks(rows, 10_000):
            cursor.executemany(statement, [(*row, *defaults) for row in batch])


def update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of each object by its primary key, one plain UPDATE a row run through `executemany`:
    Django's `bulk_update` builds a CASE expression over every object of a batch, which took seconds for
    the few thousand rows of a 1 % delta."""
    if not objects:
        return
    quote = connection.ops.quote_name
    by_name = {name: field for field in model._meta.concrete_fields for name in (field.name, field.attname)}
    concrete = [by_name[name] for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    primary_key = quote(model._meta.pk.column)
    statement = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {primary_key} = %s"  # noqa: S608
    rows = [
        (*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete), obj.pk)
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for batch in chunks(rows, 10_000):
            cursor.executemany(statement, batch)


@dataclass
class _Section:
    id: int
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass
class _EnrollmentPlan:
    """A teacher's enrollments in one class, kept as one assignment (core allows one per class)."""

    sourced_id: str
    teaching_role: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    ended: bool
    rows: list[EnrollmentRow] = field(default_factory=list)


@dataclass
class _UserPlan:
    """What one users.csv row becomes: the account, and the student record, schools, roles and guardian
    relationship it carries."""

    row: UserRow
    user_id: int | None
    username: str = ""
    values: tuple[Any, ...] = ()
    linked: bool = False
    is_student: bool = False
    student_id: int | None = None
    grade: int | None = None
    schools: dict[int, datetime.date | None] = field(default_factory=dict)
    roles: dict[tuple[str, int], tuple[datetime.date | None, datetime.date | None]] = field(
        default_factory=dict
    )
    relationship: str = ""


class RosterWriter:
    """One import's writes. `run()` fills `problems`, `warnings`, `counts` and the students created and
    changed (for the audit)."""

    def __init__(
        self,
        *,
        district: Organization,
        roster: RosterSet,
        mode: Literal["bulk", "delta"],
        on: datetime.date,
        progress: Progress | None,
        actor_id: int | None,
    ) -> None:
        self.district = district
        self.actor_id = actor_id
        self.roster = roster
        self.bulk = mode == "bulk"
        self.on = on
        self.progress = progress
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.counts: dict[str, Counter[str]] = {}
        self.students_created: set[int] = set()
        self.students_changed: set[int] = set()
        # sourcedId → id of what references may name, from the set and, for a delta, from earlier imports.
        self.org_ids: dict[str, int] = {}
        self.session_spans: dict[str, tuple[int, datetime.date, datetime.date]] = {}
        self.course_ids: dict[str, tuple[int, str, str]] = {}
        self.sections: dict[str, _Section] = {}
        self.user_ids: dict[str, int] = {}
        self.student_ids: dict[str, int] = {}
        self.class_grades: dict[str, int] = {}
        # sourcedIds of rows refused (with a problem) or ignored (with a warning): what refers to them is
        # not reported again as unknown.
        self.refused: set[str] = set()
        self.ignored: set[str] = set()

    # Bookkeeping -----------------------------------------------------------------------------------------

    def run(self) -> None:
        self._orgs()
        self._sessions()
        self._courses()
        self._classes()
        self._users()
        self._enrollments()
        self._demographics()

    def _count(self, file: str, outcome: str, amount: int = 1) -> None:
        counts = self.counts.setdefault(file, Counter(dict.fromkeys(COUNT_KEYS, 0)))
        counts[outcome] += amount

    def _problem(self, row: Row | None, file: str, column: str | None, reason: str) -> None:
        self.problems.append(Problem(file, row.line if row else None, column, reason))

    def _refuse(self, row: Row, file: str, column: str | None, reason: str) -> None:
        """A problem with the row itself: what refers to it is not reported again."""
        self.refused.add(row.sourced_id)
        self._problem(row, file, column, reason)

    def _warn(self, row: Row | None, file: str, column: str | None, reason: str) -> None:
        self.warnings.append(Problem(file, row.line if row else None, column, reason))

    def _tick(self, file: str, done: int, total: int) -> None:
        if self.progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            self.progress(file, done, total)

    def _ended_on(self, starts_on: datetime.date) -> datetime.date:
        """The end date an ended row gets: the import's date, or its start when it has not started yet
        (a row never ends before it starts)."""
        return max(self.on, starts_on)

    # Organizations ---------------------------------------------------------------------------------------

    def _orgs(self) -> None:
        file = "orgs.csv"
        rows = self.roster.orgs
        self._count(file, "rows", len(rows))
        district = self.district
        self.org_ids[district.sourced_id] = district.pk
        schools = {
            sid: (pk, name)
            for pk, sid, name in Organization.objects.filter(
                parent=district, kind=Organization.Kind.SCHOOL
            ).values_list("pk", "sourced_id", "name")
        }
        self.org_ids.update({sid: pk for sid, (pk, _name) in schools.items()})
        elsewhere = dict(
            Organization.objects.filter(sourced_id__in=[row.sourced_id for row in rows])
            .exclude(pk=district.pk)
            .exclude(parent=district, kind=Organization.Kind.SCHOOL)
            .values_list("sourced_id", "kind")
        )
        district_rows = [row for row in rows if row.org_type == "district"]
        for row in district_rows:
            if row.sourced_id == district.sourced_id:
                self._count(file, "unchanged")
            elif row.sourced_id in elsewhere:
                self._refuse(row, file, "sourcedId", self._belongs_elsewhere("organization", row.sourced_id))
            elif len(district_rows) == 1:
                self.org_ids[row.sourced_id] = district.pk
                self._warn(
                    row,
                    file,
                    "sourcedId",
                    _("The district %(sid)s is imported as %(district)s (the set carries no other district).")
                    % {"sid": row.sourced_id, "district": district.name},
                )
                self._count(file, "unchanged")
            else:
                self._refuse(
                    row,
                    file,
                    "sourcedId",
                    _(
                        "The set carries %(count)d districts and %(sid)s is not %(district)s (%(own)s): "
                        "import one district's roster at a time."
                    )
                    % {
                        "count": len(district_rows),
                        "sid": row.sourced_id,
                        "district": district.name,
                        "own": district.sourced_id,
                    },
                )
        taken_slugs = set(
            Organization.objects.filter(slug__startswith=district.slug).values_list("slug", flat=True)
        )
        created: list[Organization] = []
        renamed: list[Organization] = []
        for row in rows:
            if row.org_type == "district":
                continue
            if row.org_type != "school":
                self._count(file, "ignored")
                self._warn(
                    row,
                    file,
                    "type",
                    _("Organizations of type %(type)s are not kept; %(name)s is ignored.")
                    % {"type": row.org_type, "name": row.name},
                )
                self.ignored.add(row.sourced_id)
                continue
            if row.sourced_id in elsewhere:
                self._refuse(row, file, "sourcedId", self._belongs_elsewhere("organization", row.sourced_id))
                continue
            if row.status == "tobedeleted" and not self.bulk:
                self._count(file, "ignored")
                self._warn(
                    row,
                    file,
                    "status",
                    _("A school is never removed; %(name)s stays (end its classes and enrollments instead).")
                    % {"name": row.name},
                )
                continue
            parent_sid = row.parent_sourced_id
            if parent_sid != district.sourced_id and self.org_ids.get(parent_sid) != district.pk:
                parent_kind = next((org.org_type for org in rows if org.sourced_id == parent_sid), "")
                if parent_kind != "district":
                    self._warn(
                        row,
                        file,
                        "parentSourcedId",
                        _(
                            "The school %(name)s is placed directly under %(district)s (its parent "
                            "%(parent)s is not a district of the set)."
                        )
                        % {"name": row.name, "district": district.name, "parent": parent_sid or _("(none)")},
                    )  # fmt: skip
            name = row.name[:200] or row.sourced_id
            if row.sourced_id in schools:
                pk, old_name = schools[row.sourced_id]
                if old_name != name:
                    renamed.append(Organization(pk=pk, name=name))
                    self._count(file, "updated")
                else:
                    self._count(file, "unchanged")
                continue
            slug = self._free_slug(f"{district.slug}-{slugify(name)}"[:72], taken_slugs)
            created.append(
                Organization(
                    kind=Organization.Kind.SCHOOL,
                    name=name,
                    slug=slug,
                    sourced_id=row.sourced_id,
                    parent=district,
                )
            )
            self._count(file, "created")
        update_rows(Organization, renamed, ["name"])
        for school in Organization.objects.bulk_create(created):
            self.org_ids[school.sourced_id] = school.pk

    @staticmethod
    def _free_slug(base: str, taken: set[str]) -> str:
        slug, number = base, 1
        while slug in taken or Organization.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        return slug

    def _belongs_elsewhere(self, what: str, sourced_id: str) -> str:
        return _("The %(what)s %(sid)s belongs to another district; a sourcedId names one thing only.") % {
            "what": what,
            "sid": sourced_id,
        }

    def _org(self, row: Row, file: str, column: str, sourced_id: str) -> int | None:
        """The district or school a reference names, or None (a problem) when neither the set nor an
        earlier import has it. An ignored organization (a department) stands for its parent."""
        seen: set[str] = set()
        while sourced_id in self.ignored and sourced_id not in seen:
            seen.add(sourced_id)
            parent = next(
                (org.parent_sourced_id for org in self.roster.orgs if org.sourced_id == sourced_id), None
            )
            if not parent:
                break
            sourced_id = parent
        if sourced_id in self.org_ids:
            return self.org_ids[sourced_id]
        self._missing(row, file, column, "organization", sourced_id)
        return None

    def _missing(self, row: Row, file: str, column: str, what: str, sourced_id: str) -> None:
        """A reference to nothing known: a problem, unless the row it names was refused already (its own
        problem says why) or ignored by the mapping (then the reference is ignored too)."""
        if sourced_id in self.ignored:
            self._warn(
                row,
                file,
                column,
                _("%(sid)s is ignored, and so is this reference to it.") % {"sid": sourced_id},
            )
        elif sourced_id not in self.refused:
            self._problem(row, file, column, self._unknown(what, sourced_id))

    def _unknown(self, what: str, sourced_id: str) -> str:
        return _("The %(what)s %(sid)s is neither in this set nor imported into %(district)s before.") % {
            "what": what,
            "sid": sourced_id,
            "district": self.district.name,
        }

    # Academic sessions and courses ------------------------------------------------------------------------

    def _sessions(self) -> None:
        file = "academicSessions.csv"
        rows = self.roster.academic_sessions
        self._count(file, "rows", len(rows))
        existing = {
            values[1]: values
            for values in AcademicSession.objects.filter(district=self.district).values_list(
                "pk",
                "sourced_id",
                "title",
                "session_type",
                "starts_on",
                "ends_on",
                "parent_id",
                "school_year",
            )
        }
        self.session_spans = {sid: (values[0], values[4], values[5]) for sid, values in existing.items()}
        created: list[AcademicSession] = []
        changed: list[AcademicSession] = []
        for row in rows:
            if row.status == "tobedeleted" and not self.bulk:
                self._count(file, "ignored")
                self._warn(row, file, "status", _("An academic session is history and is kept."))
                continue
            fields = (row.title[:255], row.session_type, row.start_date, row.end_date, row.school_year)
            old = existing.get(row.sourced_id)
            if old is None:
                created.append(
                    AcademicSession(
                        district=self.district,
                        sourced_id=row.sourced_id,
                        title=fields[0],
                        session_type=fields[1],
                        starts_on=fields[2],
                        ends_on=fields[3],
                        school_year=fields[4],
                    )
                )
                self._count(file, "created")
            elif (old[2], old[3], old[4], old[5], old[7]) != fields:
                changed.append(
                    AcademicSession(
                        pk=old[0],
                        title=fields[0],
                        session_type=fields[1],
                        starts_on=fields[2],
                        ends_on=fields[3],
                        school_year=fields[4],
                    )
                )
                self._count(file, "updated")
            else:
                self._count(file, "unchanged")
        update_rows(
            AcademicSession, changed, ["title", "session_type", "starts_on", "ends_on", "school_year"]
        )
        for session in AcademicSession.objects.bulk_create(created):
            self.session_spans[session.sourced_id] = (session.pk, session.starts_on, session.ends_on)
        # Parents second: a session may name one written after it.
        reparented: list[AcademicSession] = []
        for row in rows:
            if row.sourced_id not in self.session_spans:
                continue
            parent_id = None
            if row.parent_sourced_id:
                parent = self.session_spans.get(row.parent_sourced_id)
                if parent is None:
                    self._missing(row, file, "parentSourcedId", "academic session", row.parent_sourced_id)
                    continue
                parent_id = parent[0]
            old = existing.get(row.sourced_id)
            if old is None or old[6] != parent_id:
                reparented.append(
                    AcademicSession(pk=self.session_spans[row.sourced_id][0], parent_id=parent_id)
                )
        update_rows(AcademicSession, reparented, ["parent"])

    def _courses(self) -> None:
        file = "courses.csv"
        rows = self.roster.courses
        self._count(file, "rows", len(rows))
        names = (
            "title",
            "course_code",
            "organization_id",
            "school_year_id",
            "grades",
            "subjects",
            "subject_codes",
        )
        existing = {
            values[1]: values
            for values in Course.objects.filter(district=self.district).values_list(
                "pk", "sourced_id", *names
            )
        }
        self.course_ids = {sid: (values[0], values[2], values[3]) for sid, values in existing.items()}
        created: list[Course] = []
        changed: list[Course] = []
        for row in rows:
            if row.status == "tobedeleted" and not self.bulk:
                self._count(file, "ignored")
                self._warn(
                    row, file, "status", _("A course is history and is kept; end its classes instead.")
                )
                continue
            organization_id = self._org(row, file, "orgSourcedId", row.org_sourced_id)
            school_year_id = None
            if row.school_year_sourced_id:
                session = self.session_spans.get(row.school_year_sourced_id)
                if session is None:
                    self._missing(
                        row, file, "schoolYearSourcedId", "academic session", row.school_year_sourced_id
                    )
                    self.refused.add(row.sourced_id)
                    continue
                school_year_id = session[0]
            if organization_id is None:
                self.refused.add(row.sourced_id)
                continue
            values = (
                row.title[:255],
                row.course_code[:64],
                organization_id,
                school_year_id,
                ",".join(row.grades)[:255],
                ",".join(row.subjects)[:255],
                ",".join(row.subject_codes)[:255],
            )
            old = existing.get(row.sourced_id)
            if old is not None and tuple(old[2:]) == values:
                self._count(file, "unchanged")
                continue
            course = Course(
                district=self.district, sourced_id=row.sourced_id, **dict(zip(names, values, strict=True))
            )
            if old is None:
                created.append(course)
                self._count(file, "created")
            else:
                course.pk = old[0]
                changed.append(course)
                self.course_ids[row.sourced_id] = (old[0], values[0], values[1])
                self._count(file, "updated")
        update_rows(Course, changed, [name.removesuffix("_id") for name in names])
        for course in Course.objects.bulk_create(created):
            self.course_ids[course.sourced_id] = (course.pk, course.title, course.course_code)

    # Classes -----------------------------------------------------------------------------------------------

    def _classes(self) -> None:
        file = "classes.csv"
        rows = self.roster.classes
        self._count(file, "rows", len(rows))
        sections = {
            values[1]: values
            for values in Section.objects.filter(district=self.district).values_list(
                "pk", "sourced_id", "school_id", "title", "course_code", "subject", "starts_on", "ends_on"
            )
        }
        self.sections = {sid: _Section(values[0], values[6], values[7]) for sid, values in sections.items()}
        detail_names = (
            "course_id",
            "class_code",
            "class_type",
            "location",
            "grades",
            "subjects",
            "subject_codes",
            "periods",
        )
        details = {
            values[0]: values
            for values in RosteredClass.objects.filter(district=self.district).values_list(
                "section_id", "pk", *detail_names
            )
        }
        Terms = RosteredClass.terms.through
        terms: dict[int, set[int]] = defaultdict(set)
        for section_id, session_id in Terms.objects.filter(rosteredclass__district=self.district).values_list(
            "rosteredclass__section_id", "academicsession_id"
        ):
            terms[section_id].add(session_id)
        plans: list[tuple[ClassRow, tuple[Any, ...], tuple[Any, ...], set[int]]] = []
        year_warned = False
        for row in rows:
            if row.status == "tobedeleted" and not self.bulk:
                self._end_class(row, file)
                continue
            school_id = self._org(row, file, "schoolSourcedId", row.school_sourced_id)
            course = None
            if row.course_sourced_id:
                course = self.course_ids.get(row.course_sourced_id)
                if course is None:
                    self._missing(row, file, "courseSourcedId", "course", row.course_sourced_id)
            spans = [self.session_spans[sid] for sid in row.term_sourced_ids if sid in self.session_spans]
            unknown = [sid for sid in row.term_sourced_ids if sid not in self.session_spans]
            if unknown and (self.roster.academic_sessions or self.session_spans):
                for sid in unknown:
                    self._missing(row, file, "termSourcedIds", "academic session", sid)
            if school_id is None or (row.course_sourced_id and course is None) or (unknown and spans):
                self.refused.add(row.sourced_id)
                continue
            if spans:
                starts_on, ends_on = min(span[1] for span in spans), max(span[2] for span in spans)
            else:
                starts_on, ends_on = school_year(self.on)
                if not year_warned:
                    year_warned = True
                    self._warn(
                        row,
                        file,
                        "termSourcedIds",
                        _("The set carries no academic sessions: classes without known terms run for the "
                          "school year %(start)s to %(end)s.")
                        % {"start": starts_on.isoformat(), "end": ends_on.isoformat()},
                    )  # fmt: skip
            grades = [level for grade in row.grades if (level := grade_level(grade)) is not None]
            if grades:
                self.class_grades[row.sourced_id] = grades[0]
            section_values = (
                school_id,
                row.title[:200] or row.sourced_id,
                (course[2] if course else row.class_code)[:64],
                (course[1] if course else ",".join(row.subjects))[:100],
                starts_on,
                ends_on,
            )
            detail_values = (
                course[0] if course else None,
                row.class_code[:255],
                row.class_type[:32],
                row.location[:255],
                ",".join(row.grades)[:255],
                ",".join(row.subjects)[:255],
                ",".join(row.subject_codes)[:255],
                ",".join(row.periods)[:255],
            )
            plans.append((row, section_values, detail_values, {span[0] for span in spans}))
        self._write_classes(file, plans, sections, details, terms, detail_names)

    def _write_classes(
        self,
        file: str,
        plans: list[tuple[ClassRow, tuple[Any, ...], tuple[Any, ...], set[int]]],
        sections: dict[str, tuple[Any, ...]],
        details: dict[int, tuple[Any, ...]],
        terms: dict[int, set[int]],
        detail_names: tuple[str, ...],
    ) -> None:
        section_names = ("school_id", "title", "course_code", "subject", "starts_on", "ends_on")
        new_sections = [
            Section(
                district=self.district,
                sourced_id=row.sourced_id,
                **dict(zip(section_names, values, strict=True)),
            )
            for row, values, _detail, _terms in plans
            if row.sourced_id not in sections
        ]
        for section in Section.objects.bulk_create(new_sections, batch_size=WRITE_BATCH):
            self.sections[section.sourced_id] = _Section(section.pk, section.starts_on, section.ends_on)
        changed_sections: list[Section] = []
        new_details: list[RosteredClass] = []
        changed_details: list[RosteredClass] = []
        Terms = RosteredClass.terms.through
        detail_ids = {section_id: values[1] for section_id, values in details.items()}
        term_changes: dict[int, set[int]] = {}
        for row, values, detail_values, term_ids in plans:
            old = sections.get(row.sourced_id)
            known = self.sections[row.sourced_id]
            changed = old is None
            if old is not None and tuple(old[2:]) != values:
                changed_sections.append(Section(pk=known.id, **dict(zip(section_names, values, strict=True))))
                known.starts_on, known.ends_on = values[4], values[5]
                changed = True
            old_detail = details.get(known.id)
            detail = RosteredClass(
                section_id=known.id,
                district=self.district,
                **dict(zip(detail_names, detail_values, strict=True)),
            )
            if old_detail is None:
                new_details.append(detail)
                changed = True
            elif tuple(old_detail[2:]) != detail_values:
                detail.pk = old_detail[1]
                changed_details.append(detail)
                changed = True
            if terms.get(known.id, set()) != term_ids:
                term_changes[known.id] = term_ids
                changed = True
            self._count(file, "created" if old is None else "updated" if changed else "unchanged")
        update_rows(Section, changed_sections, list(section_names))
        update_rows(
            RosteredClass,
            changed_details,
            [name.removesuffix("_id") if name == "course_id" else name for name in detail_names],
        )
        for detail in RosteredClass.objects.bulk_create(new_details, batch_size=WRITE_BATCH):
            detail_ids[detail.section_id] = detail.pk
        if term_changes:
            Terms.objects.filter(
                rosteredclass_id__in=[detail_ids[section_id] for section_id in term_changes]
            ).delete()
            Terms.objects.bulk_create(
                [
                    Terms(rosteredclass_id=detail_ids[section_id], academicsession_id=session_id)
                    for section_id, session_ids in term_changes.items()
                    for session_id in session_ids
                ],
                batch_size=WRITE_BATCH,
            )

    def _end_class(self, row: ClassRow, file: str) -> None:
        section = self.sections.get(row.sourced_id)
        if section is None:
            self._count(file, "ignored")
            self._warn(
                row,
                file,
                "sourcedId",
                _("The class %(sid)s to end was never imported.") % {"sid": row.sourced_id},
            )
            return
        ends_on = self._ended_on(section.starts_on)
        if section.ends_on <= ends_on:
            self._count(file, "unchanged")
            return
        Section.objects.filter(pk=section.id).update(ends_on=ends_on)
        section.ends_on = ends_on
        self._count(file, "ended")

    # Users -------------------------------------------------------------------------------------------------

    def _users(self) -> None:
        file = "users.csv"
        rows = self.roster.users
        self._count(file, "rows", len(rows))
        sids = [row.sourced_id for row in rows]
        existing = self._by_chunks(
            User.objects.all(),
            "sourced_id",
            sids,
            ("pk", "sourced_id", "username", "first_name", "last_name", "email", "is_active", "district_id"),
        )
        users = {values[1]: values for values in existing}
        holders = {
            values[0]: values
            for values in self._by_chunks(
                User.objects.all(),
                "username",
                sorted({(row.username or row.sourced_id)[:150] for row in rows}),
                ("username", "pk", "sourced_id", "district_id"),
            )
        }
        students = {
            values[1]: values
            for values in self._by_chunks(
                Student.objects.filter(district=self.district),
                "sourced_id",
                sids,
                ("pk", "sourced_id", "user_id", "first_name", "last_name"),
            )
        }
        self.student_ids.update({sid: values[0] for sid, values in students.items()})
        outcome: dict[str, str] = {}
        plans: list[_UserPlan] = []
        first_line: dict[str, int] = {}
        ending: list[UserRow] = []
        for index, row in enumerate(rows, start=1):
            self._tick(file, index, len(rows))
            if row.status == "tobedeleted" and not self.bulk:
                ending.append(row)
                continue
            plan = self._user_plan(row, file, users.get(row.sourced_id), holders, first_line)
            if plan is None:
                continue
            plans.append(plan)
            outcome[row.sourced_id] = "created" if plan.user_id is None else "unchanged"
        self._write_users(file, plans, users, outcome)
        self._write_students(plans, students, outcome)
        self._write_school_enrollments(file, plans, outcome)
        self._write_role_assignments(plans, outcome)
        self._write_guardian_links(file, plans, outcome)
        for result in outcome.values():
            self._count(file, result)
        self._end_users(file, ending)
        for role in self.roster.roles:
            # A 1.2 delta's roles.csv row for a user its users.csv does not carry.
            self.warnings.append(
                Problem(
                    role.file,
                    role.line,
                    "userSourcedId",
                    _("The role of %(user)s is applied only with the user's users.csv row; it is ignored.")
                    % {"user": role.user_sourced_id},
                )
            )
        if self.bulk:
            self._end_absent_users(file, set(sids))

    def _by_chunks(
        self, queryset: QuerySet[M], column: str, values: Sequence[Any], fields: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        for chunk in chunks(values):
            found.extend(queryset.filter(**{f"{column}__in": chunk}).values_list(*fields))
        return found

    def _user_plan(
        self,
        row: UserRow,
        file: str,
        old: tuple[Any, ...] | None,
        holders: dict[str, tuple[Any, ...]],
        first_line: dict[str, int],
    ) -> _UserPlan | None:
        """What one users.csv row asks for, or None (a problem, or a row the mapping ignores)."""
        plan = _UserPlan(row=row, user_id=old[0] if old else None)
        if old is not None and old[7] != self.district.pk:
            self._refuse(row, file, "sourcedId", self._belongs_elsewhere("user", row.sourced_id))
            return None
        for role in row.roles:
            if role.role == "student" or role.role in STAFF_ROLES or role.role == "administrator":
                org_id = self._org(row, file, "orgSourcedIds", role.org_sourced_id)
                if org_id is None:
                    self.refused.add(row.sourced_id)
                    return None
                if role.role == "student":
                    if org_id == self.district.pk:
                        self._warn(
                            row,
                            file,
                            "orgSourcedIds",
                            _("A student is enrolled at schools; the district is skipped."),
                        )
                    else:
                        plan.schools.setdefault(org_id, role.begin_date)
                    plan.is_student = True
                else:
                    staff_role = STAFF_ROLES.get(role.role) or (
                        Role.DISTRICT_ADMIN if org_id == self.district.pk else Role.SCHOOL_ADMIN
                    )
                    plan.roles.setdefault((staff_role, org_id), (role.begin_date, role.end_date))
            elif role.role in GUARDIAN_ROLES:
                plan.relationship = plan.relationship or GUARDIAN_ROLES[role.role]
            else:
                self._warn(
                    row,
                    file,
                    "role",
                    _("The role %(role)s has no place in Waypoint and is ignored.") % {"role": role.role},
                )
        if not (plan.is_student or plan.roles or plan.relationship):
            self._count(file, "ignored")
            self.ignored.add(row.sourced_id)
            return None
        plan.username = (row.username or row.sourced_id)[:150]
        if plan.username in first_line:
            self._refuse(
                row,
                file,
                "username",
                _("The username %(username)s is also given on line %(line)d.")
                % {"username": plan.username, "line": first_line[plan.username]},
            )
            return None
        first_line[plan.username] = row.line
        holder = holders.get(plan.username)
        if holder is not None and holder[1] != plan.user_id:
            if old is None and holder[2] is None and holder[3] == self.district.pk:
                # An account made by hand (the first administrator, say) that the roster now carries.
                plan.user_id = holder[1]
                plan.linked = True
                self._warn(
                    row,
                    file,
                    "username",
                    _("The existing account %(username)s of %(district)s is linked to this roster row.")
                    % {"username": plan.username, "district": self.district.name},
                )
            else:
                self._refuse(
                    row,
                    file,
                    "username",
                    _("The username %(username)s belongs to another account.") % {"username": plan.username},
                )
                return None
        plan.values = (
            plan.username,
            row.given_name[:150],
            row.family_name[:150],
            row.email[:254],
            row.enabled,
        )
        grades = [level for grade in row.grades if (level := grade_level(grade)) is not None]
        plan.grade = grades[0] if grades else None
        return plan

    def _write_users(
        self, file: str, plans: list[_UserPlan], users: dict[str, tuple[Any, ...]], outcome: dict[str, str]
    ) -> None:
        names = ("username", "first_name", "last_name", "email", "is_active")
        changed: list[User] = []
        for plan in plans:
            if plan.user_id is None:
                continue
            old = users.get(plan.row.sourced_id)
            if plan.linked or old is None or tuple(old[2:7]) != plan.values:
                changed.append(
                    User(
                        pk=plan.user_id,
                        sourced_id=plan.row.sourced_id,
                        district=self.district,
                        **dict(zip(names, plan.values, strict=True)),
                    )
                )
                outcome[plan.row.sourced_id] = "updated"
        update_rows(User, changed, [*names, "sourced_id", "district"])
        for plan in plans:
            if plan.user_id is not None:
                self.user_ids[plan.row.sourced_id] = plan.user_id
        new = [plan for plan in plans if plan.user_id is None]
        insert_rows(
            User,
            ("sourced_id", "district", "password", *names),
            [
                # No password: people sign in through the district's provider or set one by e-mail.
                (
                    plan.row.sourced_id,
                    self.district.pk,
                    UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
                    *plan.values,
                )
                for plan in new
            ],
        )
        self.user_ids.update(
            self._by_chunks(
                User.objects.filter(district=self.district),
                "sourced_id",
                [plan.row.sourced_id for plan in new],
                ("sourced_id", "pk"),
            )
        )
        for plan in plans:
            plan.user_id = self.user_ids[plan.row.sourced_id]

    def _write_students(
        self, plans: list[_UserPlan], students: dict[str, tuple[Any, ...]], outcome: dict[str, str]
    ) -> None:
        changed: list[Student] = []
        new: list[_UserPlan] = []
        for plan in plans:
            if not plan.is_student:
                continue
            row = plan.row
            values = (plan.user_id, row.given_name[:100] or row.sourced_id, row.family_name[:100])
            old = students.get(row.sourced_id)
            if old is None:
                new.append(plan)
                continue
            plan.student_id = old[0]
            if tuple(old[2:5]) != values:
                changed.append(
                    Student(pk=old[0], user_id=values[0], first_name=values[1], last_name=values[2])
                )
                self.students_changed.add(old[0])
                if outcome[row.sourced_id] == "unchanged":
                    outcome[row.sourced_id] = "updated"
        update_rows(Student, changed, ["user", "first_name", "last_name"])
        insert_rows(
            Student,
            ("district", "sourced_id", "user", "first_name", "last_name"),
            [
                (
                    self.district.pk,
                    plan.row.sourced_id,
                    plan.user_id,
                    plan.row.given_name[:100] or plan.row.sourced_id,
                    plan.row.family_name[:100],
                )
                for plan in new
            ],
        )
        created = dict(
            self._by_chunks(
                Student.objects.filter(district=self.district),
                "sourced_id",
                [plan.row.sourced_id for plan in new],
                ("sourced_id", "pk"),
            )
        )
        for plan in new:
            plan.student_id = created[plan.row.sourced_id]
            self.student_ids[plan.row.sourced_id] = plan.student_id
            self.students_created.add(plan.student_id)
            outcome[plan.row.sourced_id] = "created"

    def _fallback_grades(self) -> dict[str, int]:
        """A student's grade when the users row gives none: the grade of the first of their classes that has
        one."""
        grades: dict[str, int] = {}
        for enrollment in self.roster.enrollments:
            if enrollment.role == "student" and enrollment.user_sourced_id not in grades:
                grade = self.class_grades.get(enrollment.class_sourced_id)
                if grade is not None:
                    grades[enrollment.user_sourced_id] = grade
        return grades

    def _write_school_enrollments(self, file: str, plans: list[_UserPlan], outcome: dict[str, str]) -> None:
        student_plans = [plan for plan in plans if plan.is_student]
        open_rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for values in self._by_chunks(
            StudentEnrollment.objects.filter(exit_date__isnull=True),
            "student_id",
            [plan.student_id for plan in student_plans if plan.student_id not in self.students_created],
            ("pk", "student_id", "school_id", "grade_level", "entry_date"),
        ):
            open_rows[values[1]].append(values)
        fallback = self._fallback_grades() if any(plan.grade is None for plan in student_plans) else {}
        regraded: list[StudentEnrollment] = []
        exited: list[StudentEnrollment] = []
        new: list[tuple[Any, ...]] = []
        for plan in student_plans:
            row = plan.row
            # Every student's record exists by now (`_write_students`).
            student_id = cast("int", plan.student_id)
            grade = plan.grade if plan.grade is not None else fallback.get(row.sourced_id)
            if grade is None:
                grade = 0
                self._warn(
                    row,
                    file,
                    "grades",
                    _(
                        "No grade is given for this student (nor for their classes): recorded as "
                        "kindergarten until a roster gives one."
                    ),
                )  # fmt: skip
            current = {values[2]: values for values in open_rows.get(student_id, [])}
            touched = False
            for school_id, begin in plan.schools.items():
                old = current.get(school_id)
                if old is None:
                    new.append((student_id, self.district.pk, school_id, grade, begin or self.on))
                    touched = True
                elif old[3] != grade:
                    regraded.append(StudentEnrollment(pk=old[0], grade_level=grade))
                    touched = True
            for school_id, old in current.items():
                if school_id not in plan.schools:
                    exited.append(
                        StudentEnrollment(
                            pk=old[0],
                            exit_date=self._ended_on(old[4]),
                            exit_reason=_("No longer in the roster"),
                        )
                    )
                    touched = True
            if touched:
                self._changed(plan, outcome)
        update_rows(StudentEnrollment, regraded, ["grade_level"])
        update_rows(StudentEnrollment, exited, ["exit_date", "exit_reason"])
        insert_rows(StudentEnrollment, ("student", "district", "school", "grade_level", "entry_date"), new)

    def _changed(self, plan: _UserPlan, outcome: dict[str, str]) -> None:
        if outcome[plan.row.sourced_id] == "unchanged":
            outcome[plan.row.sourced_id] = "updated"
        if plan.student_id is not None and plan.student_id not in self.students_created:
            self.students_changed.add(plan.student_id)

    def _write_role_assignments(self, plans: list[_UserPlan], outcome: dict[str, str]) -> None:
        current: dict[int, dict[tuple[str, int], tuple[Any, ...]]] = defaultdict(dict)
        for values in self._by_chunks(
            RoleAssignment.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=self.on), district=self.district
            ),
            "user_id",
            [plan.user_id for plan in plans],
            ("pk", "user_id", "role", "organization_id", "starts_on", "ends_on"),
        ):
            current[values[1]][(values[2], values[3])] = values
        new: list[tuple[Any, ...]] = []
        changed: list[RoleAssignment] = []
        for plan in plans:
            # Every account exists by now (`_write_users`).
            user_id = cast("int", plan.user_id)
            held = current.get(user_id, {})
            touched = False
            for (role, org_id), (begin, end) in plan.roles.items():
                old = held.get((role, org_id))
                if old is None:
                    starts_on = begin or self.on
                    ends_on = max(end, starts_on) if end else None
                    new.append((user_id, role, org_id, self.district.pk, starts_on, ends_on))
                    touched = True
                elif old[5] != end and not (end is None and old[5] is None):
                    changed.append(RoleAssignment(pk=old[0], ends_on=max(end, old[4]) if end else None))
                    touched = True
            for key, old in held.items():
                if key not in plan.roles and not self._keeps(user_id, key[0]):
                    changed.append(RoleAssignment(pk=old[0], ends_on=self._ended_on(old[4])))
                    touched = True
            if touched:
                self._changed(plan, outcome)
        update_rows(RoleAssignment, changed, ["ends_on"])
        insert_rows(RoleAssignment, ("user", "role", "organization", "district", "starts_on", "ends_on"), new)

    def _keeps(self, user_id: int, role: str) -> bool:
        """The person importing keeps their district administrator role whatever the roster says: a roster
        that left it out would lock them out of the district they are setting up."""
        return user_id == self.actor_id and role == Role.DISTRICT_ADMIN

    def _write_guardian_links(self, file: str, plans: list[_UserPlan], outcome: dict[str, str]) -> None:
        """Links between guardians and students, from either side's agents: a guardian's agents name their
        students, a student's agents name their guardians."""
        by_sid = {plan.row.sourced_id: plan for plan in plans}
        # (guardian sourcedId, student sourcedId) → the row that declared it and the column.
        declared: dict[tuple[str, str], UserRow] = {}
        for plan in plans:
            for agent in plan.row.agent_sourced_ids:
                if plan.relationship:
                    declared.setdefault((plan.row.sourced_id, agent), plan.row)
                elif plan.is_student:
                    declared.setdefault((agent, plan.row.sourced_id), plan.row)
        if not declared:
            return
        missing_users = sorted({guardian for guardian, _s in declared if guardian not in by_sid})
        outside = {
            sid: pk
            for pk, sid in self._by_chunks(
                User.objects.filter(district=self.district), "sourced_id", missing_users, ("pk", "sourced_id")
            )
        }
        missing_students = sorted({student for _g, student in declared if student not in self.student_ids})
        self.student_ids.update(
            {
                sid: pk
                for pk, sid in self._by_chunks(
                    Student.objects.filter(district=self.district),
                    "sourced_id",
                    missing_students,
                    ("pk", "sourced_id"),
                )
            }
        )
        wanted: dict[tuple[int, int], tuple[str, _UserPlan | None, _UserPlan | None]] = {}
        for (guardian_sid, student_sid), row in declared.items():
            guardian = by_sid.get(guardian_sid)
            guardian_id = guardian.user_id if guardian else outside.get(guardian_sid)
            student_id = self.student_ids.get(student_sid)
            if guardian_id is None or student_id is None:
                unknown = guardian_sid if guardian_id is None else student_sid
                self._missing(row, file, "agentSourcedIds", "user", unknown)
                continue
            if guardian is not None and not guardian.relationship:
                self._warn(
                    row,
                    file,
                    "agentSourcedIds",
                    _("%(sid)s is not a parent, guardian or relative; no guardian link is made.")
                    % {"sid": guardian_sid},
                )
                continue
            relationship = guardian.relationship if guardian else GuardianLink.Relationship.PARENT
            wanted[(guardian_id, student_id)] = (relationship, guardian, by_sid.get(student_sid))
        guardian_ids = sorted(
            {guardian_id for guardian_id, _s in wanted}
            | {p.user_id for p in plans if p.relationship and p.user_id}
        )
        existing = {
            (values[1], values[2]): values
            for values in self._by_chunks(
                GuardianLink.objects.all(),
                "guardian_id",
                guardian_ids,
                ("pk", "guardian_id", "student_id", "relationship", "starts_on", "ends_on"),
            )
        }
        new: list[tuple[Any, ...]] = []
        changed: list[GuardianLink] = []
        for (guardian_id, student_id), (relationship, guardian, student) in wanted.items():
            old = existing.get((guardian_id, student_id))
            if old is None:
                new.append((guardian_id, student_id, self.district.pk, relationship, self.on))
            elif old[3] != relationship or (old[5] is not None and old[5] < self.on):
                changed.append(GuardianLink(pk=old[0], relationship=relationship, ends_on=None))
            else:
                continue
            self._link_changed(guardian, student, student_id, outcome)
        rostered_guardians = {plan.user_id: plan for plan in plans if plan.relationship}
        for (guardian_id, student_id), old in existing.items():
            still_open = old[5] is None or old[5] >= self.on
            if still_open and guardian_id in rostered_guardians and (guardian_id, student_id) not in wanted:
                changed.append(GuardianLink(pk=old[0], relationship=old[3], ends_on=self._ended_on(old[4])))
                self._link_changed(rostered_guardians[guardian_id], None, student_id, outcome)
        update_rows(GuardianLink, changed, ["relationship", "ends_on"])
        insert_rows(GuardianLink, ("guardian", "student", "district", "relationship", "starts_on"), new)

    def _link_changed(
        self, guardian: _UserPlan | None, student: _UserPlan | None, student_id: int, outcome: dict[str, str]
    ) -> None:
        for plan in (guardian, student):
            if plan is not None and outcome[plan.row.sourced_id] == "unchanged":
                outcome[plan.row.sourced_id] = "updated"
        if student_id not in self.students_created:
            self.students_changed.add(student_id)

    def _end_users(self, file: str, rows: list[UserRow]) -> None:
        """A delta's `tobedeleted` users: their roles, school enrollments and guardian links end; the account
        and the student record stay (a record is history)."""
        if not rows:
            return
        known = {
            sid: pk
            for pk, sid in self._by_chunks(
                User.objects.filter(district=self.district),
                "sourced_id",
                [row.sourced_id for row in rows],
                ("pk", "sourced_id"),
            )
        }
        for row in rows:
            if row.sourced_id not in known:
                self._count(file, "ignored")
                self._warn(
                    row,
                    file,
                    "sourcedId",
                    _("The user %(sid)s to end was never imported.") % {"sid": row.sourced_id},
                )
        ended = self._end_people(list(known.values()))
        for row in rows:
            if row.sourced_id in known:
                self._count(file, "ended" if known[row.sourced_id] in ended else "unchanged")

    def _end_absent_users(self, file: str, present: set[str]) -> None:
        """Bulk: the district's rostered people the set no longer carries end (accounts made by hand, with
        no sourcedId, are not the roster's to end)."""
        absent = [
            pk
            for pk, sid in User.objects.filter(district=self.district, sourced_id__isnull=False).values_list(
                "pk", "sourced_id"
            )
            if sid not in present
        ]
        self._count(file, "ended", len(self._end_people(absent)))

    def _end_people(self, user_ids: list[int]) -> set[int]:
        """End every open role, school enrollment and guardian link of these people; the ones that had any."""
        ended: set[int] = set()
        still_open = Q(ends_on__isnull=True) | Q(ends_on__gt=self.on)
        for chunk in chunks(user_ids):
            assignments = list(
                RoleAssignment.objects.filter(
                    still_open, user_id__in=chunk, district=self.district
                ).values_list("pk", "user_id", "role", "starts_on")
            )
            update_rows(
                RoleAssignment,
                [
                    RoleAssignment(pk=pk, ends_on=self._ended_on(starts_on))
                    for pk, user_id, role, starts_on in assignments
                    if not self._keeps(user_id, role)
                ],
                ["ends_on"],
            )
            ended.update(user_id for _pk, user_id, role, _s in assignments if not self._keeps(user_id, role))
            enrollments = list(
                StudentEnrollment.objects.filter(
                    student__user_id__in=chunk, exit_date__isnull=True
                ).values_list("pk", "student_id", "student__user_id", "entry_date")
            )
            update_rows(
                StudentEnrollment,
                [
                    StudentEnrollment(
                        pk=pk, exit_date=self._ended_on(entry), exit_reason=_("No longer in the roster")
                    )
                    for pk, _student, _user, entry in enrollments
                ],
                ["exit_date", "exit_reason"],
            )
            ended.update(user_id for _pk, _student, user_id, _e in enrollments)
            self.students_changed.update(student_id for _pk, student_id, _u, _e in enrollments)
            links = list(
                GuardianLink.objects.filter(still_open, guardian_id__in=chunk).values_list(
                    "pk", "guardian_id", "student_id", "starts_on"
                )
            )
            update_rows(
                GuardianLink,
                [GuardianLink(pk=pk, ends_on=self._ended_on(starts)) for pk, _g, _s, starts in links],
                ["ends_on"],
            )
            ended.update(guardian_id for _pk, guardian_id, _s, _st in links)
            self.students_changed.update(student_id for _pk, _g, student_id, _st in links)
        return ended

    # Enrollments -------------------------------------------------------------------------------------------

    def _resolve_people(self, sids: set[str]) -> None:
        """A delta's enrollments and demographics may name people imported before: read their ids."""
        missing = sorted(sid for sid in sids if sid not in self.user_ids)
        self.user_ids.update(
            {
                sid: pk
                for pk, sid in self._by_chunks(
                    User.objects.filter(district=self.district), "sourced_id", missing, ("pk", "sourced_id")
                )
            }
        )
        missing = sorted(sid for sid in sids if sid not in self.student_ids)
        self.student_ids.update(
            {
                sid: pk
                for pk, sid in self._by_chunks(
                    Student.objects.filter(district=self.district),
                    "sourced_id",
                    missing,
                    ("pk", "sourced_id"),
                )
            }
        )

    def _person(self, row: Row, file: str, column: str, sourced_id: str, *, student: bool) -> int | None:
        found = self.student_ids.get(sourced_id) if student else self.user_ids.get(sourced_id)
        if found is None:
            if student and sourced_id in self.user_ids:
                self._problem(
                    row, file, column, _("The user %(sid)s is not a student.") % {"sid": sourced_id}
                )
            else:
                self._missing(row, file, column, "user", sourced_id)
        return found

    def _enrollments(self) -> None:
        file = "enrollments.csv"
        rows = self.roster.enrollments
        self._count(file, "rows", len(rows))
        self._resolve_people({row.user_sourced_id for row in rows})
        fields = ("pk", "sourced_id", "section_id", "student_id", "starts_on", "ends_on")
        existing: list[tuple[Any, ...]]
        if self.bulk:
            # Streamed, and each date kept once: the district's million rows would otherwise hold two
            # million date objects (a re-import's peak memory).
            dates: dict[datetime.date | None, datetime.date | None] = {}
            existing = [
                (
                    pk,
                    sid,
                    section_id,
                    student_id,
                    dates.setdefault(starts, starts),
                    dates.setdefault(ends, ends),
                )
                for pk, sid, section_id, student_id, starts, ends in SectionEnrollment.objects.filter(
                    district=self.district
                )
                .values_list(*fields)
                .iterator(chunk_size=10_000)
            ]
        else:
            # A delta reads only the rows it names (and, for its new rows, the rows they may take over).
            existing = self._by_chunks(
                SectionEnrollment.objects.filter(district=self.district),
                "sourced_id",
                [row.sourced_id for row in rows],
                fields,
            )
        by_sid = {values[1]: values for values in existing if values[1]}
        live_sids = {row.sourced_id for row in rows if row.status != "tobedeleted" or self.bulk}
        changed: dict[int, SectionEnrollment] = {}
        new: list[tuple[EnrollmentRow, int, int, datetime.date, datetime.date]] = []
        # (class, student, start) packed in one int: a million tuples would weigh a hundred megabytes more.
        seen: set[int] = set()
        teaching: dict[tuple[int, int], _EnrollmentPlan] = {}
        for index, row in enumerate(rows, start=1):
            self._tick(file, index, len(rows))
            if row.role == "teacher":
                self._plan_teaching(row, file, teaching)
                continue
            if row.role != "student":
                self._count(file, "ignored")
                self._warn(row, file, "role", _("Enrollments as %(role)s are not kept.") % {"role": row.role})
                continue
            section = self.sections.get(row.class_sourced_id)
            if section is None:
                self._missing(row, file, "classSourcedId", "class", row.class_sourced_id)
            student_id = self._person(row, file, "userSourcedId", row.user_sourced_id, student=True)
            if section is None or student_id is None:
                continue
            starts_on = row.begin_date or section.starts_on
            ends_on = row.end_date or section.ends_on
            old = by_sid.get(row.sourced_id)
            if row.status == "tobedeleted" and not self.bulk:
                self._end_enrollment(row, file, old, changed)
                continue
            key = (((section.id << 40) | student_id) << 22) | starts_on.toordinal()  # ordinals < 2**22
            if key in seen:
                self._problem(
                    row,
                    file,
                    "sourcedId",
                    _("%(user)s is enrolled in %(class)s from %(start)s by another row too.")
                    % {
                        "user": row.user_sourced_id,
                        "class": row.class_sourced_id,
                        "start": starts_on.isoformat(),
                    },
                )
                continue
            seen.add(key)
            if old is None:
                new.append((row, section.id, student_id, starts_on, ends_on))
            elif (old[2], old[3], old[4], old[5]) != (section.id, student_id, starts_on, ends_on):
                changed[old[0]] = SectionEnrollment(
                    pk=old[0],
                    sourced_id=row.sourced_id,
                    section_id=section.id,
                    student_id=student_id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
                self._student_changed(student_id)
                self._count(file, "updated")
            else:
                self._count(file, "unchanged")
        del seen
        if self.bulk:
            for values in existing:
                if values[1] and values[1] not in live_sids and (values[5] is None or values[5] > self.on):
                    changed[values[0]] = SectionEnrollment(
                        pk=values[0],
                        sourced_id=values[1],
                        section_id=values[2],
                        student_id=values[3],
                        starts_on=values[4],
                        ends_on=self._ended_on(values[4]),
                    )
                    self._student_changed(values[3])
                    self._count(file, "ended")
        self._insert_enrollments(file, new, existing, live_sids, changed)
        update_rows(
            SectionEnrollment,
            list(changed.values()),
            ["sourced_id", "section", "student", "starts_on", "ends_on"],
        )
        self._write_teaching(file, teaching)

    def _student_changed(self, student_id: int) -> None:
        if student_id not in self.students_created:
            self.students_changed.add(student_id)

    def _end_enrollment(
        self,
        row: EnrollmentRow,
        file: str,
        old: tuple[Any, ...] | None,
        changed: dict[int, SectionEnrollment],
    ) -> None:
        if old is None:
            self._count(file, "ignored")
            self._warn(
                row,
                file,
                "sourcedId",
                _("The enrollment %(sid)s to end was never imported.") % {"sid": row.sourced_id},
            )
            return
        ends_on = self._ended_on(old[4])
        if old[5] is not None and old[5] <= ends_on:
            self._count(file, "unchanged")
            return
        changed[old[0]] = SectionEnrollment(
            pk=old[0],
            sourced_id=old[1],
            section_id=old[2],
            student_id=old[3],
            starts_on=old[4],
            ends_on=ends_on,
        )
        self._student_changed(old[3])
        self._count(file, "ended")

    def _insert_enrollments(
        self,
        file: str,
        new: list[tuple[EnrollmentRow, int, int, datetime.date, datetime.date]],
        existing: list[tuple[Any, ...]],
        live_sids: set[str],
        changed: dict[int, SectionEnrollment],
    ) -> None:
        """New enrollments; one that repeats a row the set no longer names by its sourcedId (same class,
        student and start: the SIS renumbered it, or it was entered by hand) takes that row over."""
        if not self.bulk:
            existing = existing + self._enrollments_of(new)
        by_key = {
            (values[2], values[3], values[4]): values
            for values in existing
            if not values[1] or values[1] not in live_sids
        }
        inserts: list[tuple[Any, ...]] = []
        for row, section_id, student_id, starts_on, ends_on in new:
            self._student_changed(student_id)
            old = by_key.get((section_id, student_id, starts_on))
            if old is None:
                inserts.append((row.sourced_id, section_id, student_id, self.district.pk, starts_on, ends_on))
                continue
            # It was counted ended above if the bulk set no longer named it: it is carried on instead.
            if changed.pop(old[0], None) is not None:
                self._count(file, "ended", -1)
            changed[old[0]] = SectionEnrollment(
                pk=old[0],
                sourced_id=row.sourced_id,
                section_id=section_id,
                student_id=student_id,
                starts_on=starts_on,
                ends_on=ends_on,
            )
            self._count(file, "updated")
        self._count(file, "created", len(inserts))
        insert_rows(
            SectionEnrollment,
            ("sourced_id", "section", "student", "district", "starts_on", "ends_on"),
            inserts,
        )

    def _enrollments_of(
        self, new: list[tuple[EnrollmentRow, int, int, datetime.date, datetime.date]]
    ) -> list[tuple[Any, ...]]:
        """The district's enrollments of the new rows' students in the new rows' classes: the rows a delta's
        new enrollment may take over."""
        found: list[tuple[Any, ...]] = []
        for chunk in chunks(new, LOOKUP_CHUNK // 2):
            found.extend(
                SectionEnrollment.objects.filter(
                    district=self.district,
                    student_id__in={student_id for _row, _section, student_id, _s, _e in chunk},
                    section_id__in={section_id for _row, section_id, _student, _s, _e in chunk},
                ).values_list("pk", "sourced_id", "section_id", "student_id", "starts_on", "ends_on")
            )
        return found

    def _plan_teaching(
        self, row: EnrollmentRow, file: str, teaching: dict[tuple[int, int], _EnrollmentPlan]
    ) -> None:
        section = self.sections.get(row.class_sourced_id)
        if section is None:
            self._missing(row, file, "classSourcedId", "class", row.class_sourced_id)
        teacher_id = self._person(row, file, "userSourcedId", row.user_sourced_id, student=False)
        if section is None or teacher_id is None:
            return
        starts_on = row.begin_date or section.starts_on
        ends_on = row.end_date or section.ends_on
        role = SectionTeacher.TeachingRole.LEAD if row.primary else SectionTeacher.TeachingRole.CO_TEACHER
        ended = row.status == "tobedeleted" and not self.bulk
        plan = teaching.get((section.id, teacher_id))
        if plan is None:
            teaching[(section.id, teacher_id)] = _EnrollmentPlan(
                row.sourced_id, role, starts_on, ends_on, ended, [row]
            )
            return
        # Core keeps one assignment a teacher and class: the rows join into one span (a fall and a spring
        # enrollment of the same teacher, say).
        plan.rows.append(row)
        plan.starts_on = min(plan.starts_on, starts_on)
        plan.ends_on = None if plan.ends_on is None or ends_on is None else max(plan.ends_on, ends_on)
        plan.ended = plan.ended and ended
        if role == SectionTeacher.TeachingRole.LEAD:
            plan.teaching_role = role

    def _write_teaching(self, file: str, teaching: dict[tuple[int, int], _EnrollmentPlan]) -> None:
        existing = {
            (values[1], values[2]): values
            for values in SectionTeacher.objects.filter(section__district=self.district).values_list(
                "pk", "section_id", "teacher_id", "teaching_role", "starts_on", "ends_on", "sourced_id"
            )
        }
        new: list[SectionTeacher] = []
        changed: list[SectionTeacher] = []
        for (section_id, teacher_id), plan in teaching.items():
            old = existing.get((section_id, teacher_id))
            if plan.ended:
                if old is None or (old[5] is not None and old[5] <= self._ended_on(old[4])):
                    outcome = "ignored" if old is None else "unchanged"
                else:
                    changed.append(
                        SectionTeacher(
                            pk=old[0],
                            teaching_role=old[3],
                            starts_on=old[4],
                            ends_on=self._ended_on(old[4]),
                            sourced_id=old[6],
                        )
                    )
                    outcome = "ended"
            else:
                values = (
                    plan.teaching_role,
                    plan.starts_on,
                    plan.ends_on,
                    old[6] if old and old[6] else plan.sourced_id,
                )
                if old is None:
                    new.append(
                        SectionTeacher(
                            section_id=section_id,
                            teacher_id=teacher_id,
                            teaching_role=values[0],
                            starts_on=values[1],
                            ends_on=values[2],
                            sourced_id=values[3],
                        )
                    )
                    outcome = "created"
                elif tuple(old[3:]) != values:
                    changed.append(
                        SectionTeacher(
                            pk=old[0],
                            teaching_role=values[0],
                            starts_on=values[1],
                            ends_on=values[2],
                            sourced_id=values[3],
                        )
                    )
                    outcome = "updated"
                else:
                    outcome = "unchanged"
            self._count(file, outcome, len(plan.rows))
            if len(plan.rows) > 1:
                self._warn(
                    plan.rows[-1],
                    file,
                    "userSourcedId",
                    _("%(user)s teaches %(class)s on %(count)d rows: kept as one assignment from %(start)s.")
                    % {
                        "user": plan.rows[0].user_sourced_id,
                        "class": plan.rows[0].class_sourced_id,
                        "count": len(plan.rows),
                        "start": plan.starts_on.isoformat(),
                    },
                )
        if self.bulk:
            for key, old in existing.items():
                if old[6] and key not in teaching and (old[5] is None or old[5] > self.on):
                    changed.append(
                        SectionTeacher(
                            pk=old[0],
                            teaching_role=old[3],
                            starts_on=old[4],
                            ends_on=self._ended_on(old[4]),
                            sourced_id=old[6],
                        )
                    )
                    self._count(file, "ended")
        update_rows(SectionTeacher, changed, ["teaching_role", "starts_on", "ends_on", "sourced_id"])
        SectionTeacher.objects.bulk_create(new, batch_size=WRITE_BATCH)

    # Demographics ------------------------------------------------------------------------------------------

    def _demographics(self) -> None:
        file = "demographics.csv"
        rows = self.roster.demographics
        self._count(file, "rows", len(rows))
        if not rows:
            return
        self._resolve_people({row.sourced_id for row in rows})
        student_ids = sorted(
            {self.student_ids[row.sourced_id] for row in rows if row.sourced_id in self.student_ids}
        )
        births = dict(self._by_chunks(Student.objects.all(), "pk", student_ids, ("pk", "birth_date")))
        kept = {
            values[0]: values
            for values in self._by_chunks(
                RosteredDemographics.objects.all(), "student_id", student_ids, ("student_id", "pk", "columns")
            )
        }
        flag_names = ("gender", *ONEROSTER_DEMOGRAPHIC_COLUMNS.values())
        reduced = {
            values[0]: values
            for values in self._by_chunks(
                StudentDemographics.objects.all(),
                "student_id",
                student_ids,
                ("student_id", "pk", *flag_names),
            )
        }
        new_kept: list[RosteredDemographics] = []
        changed_kept: list[RosteredDemographics] = []
        new_reduced: list[StudentDemographics] = []
        changed_reduced: list[StudentDemographics] = []
        changed_births: list[Student] = []
        for row in rows:
            student_id = self.student_ids.get(row.sourced_id)
            if student_id is None:
                if row.sourced_id in self.user_ids:
                    self._count(file, "ignored")
                    self._warn(
                        row,
                        file,
                        "sourcedId",
                        _("Demographics are kept for students only; %(sid)s is not one.")
                        % {"sid": row.sourced_id},
                    )
                else:
                    self._missing(row, file, "sourcedId", "user", row.sourced_id)
                continue
            if row.status == "tobedeleted" and not self.bulk:
                self._count(file, "ignored")
                self._warn(row, file, "status", _("Demographics are kept until a roster gives new ones."))
                continue
            changed = False
            old_kept = kept.get(student_id)
            if old_kept is None:
                new_kept.append(
                    RosteredDemographics(student_id=student_id, district=self.district, columns=row.columns)
                )
            elif old_kept[2] != row.columns:
                changed_kept.append(RosteredDemographics(pk=old_kept[1], columns=row.columns))
                changed = True
            values = (
                self._gender(row),
                *(self._flag(row, column) for column in ONEROSTER_DEMOGRAPHIC_COLUMNS),
            )
            old_reduced = reduced.get(student_id)
            demographics = StudentDemographics(
                student_id=student_id, district=self.district, **dict(zip(flag_names, values, strict=True))
            )
            if old_reduced is None:
                new_reduced.append(demographics)
            elif tuple(old_reduced[2:]) != values:
                demographics.pk = old_reduced[1]
                changed_reduced.append(demographics)
                changed = True
            if row.birth_date is not None and births.get(student_id) != row.birth_date:
                changed_births.append(Student(pk=student_id, birth_date=row.birth_date))
                changed = changed or births.get(student_id) is not None
            if old_kept is None or changed:
                self._student_changed(student_id)
            self._count(file, "created" if old_kept is None else "updated" if changed else "unchanged")
        RosteredDemographics.objects.bulk_create(new_kept, batch_size=WRITE_BATCH)
        update_rows(RosteredDemographics, changed_kept, ["columns"])
        StudentDemographics.objects.bulk_create(new_reduced, batch_size=WRITE_BATCH)
        update_rows(StudentDemographics, changed_reduced, list(flag_names))
        update_rows(Student, changed_births, ["birth_date"])

    @staticmethod
    def _gender(row: DemographicsRow) -> str:
        return SEX_TO_GENDER.get(row.sex.strip().lower(), Gender.NOT_REPORTED)

    @staticmethod
    def _flag(row: DemographicsRow, column: str) -> bool:
        return row.columns.get(column, "").strip().lower() in TRUE_WORDS
