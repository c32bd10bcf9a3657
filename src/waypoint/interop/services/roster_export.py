"""A district's roster as OneRoster 1.1 CSV (bulk): the zip another system, or Waypoint again, imports.

What it holds: the district's roster as it stands today, from core's rows and the interop rows beside them,
with the sourcedIds as stored:

- orgs: the district and its schools; academicSessions and courses: every one the district's imports kept;
- classes: the sections still running after today and those that ran their course (a past school year's),
  with their course, terms and the OneRoster details the import kept; enrollments: those classes' students
  and teachers (primary = lead teacher), past ones too, with their dates;
- users: the students with an open school enrollment, the rostered staff (teachers and administrators; a
  person holding several staff roles is written once, under the highest) and the guardians of the students
  written; demographics: those students', core's reduced values first and the OneRoster columns the import
  kept for the rest.

What it leaves out, and why: accounts made by hand (no sourcedId: the first administrator of `waypoint
setup`, the demo's staff) are Waypoint's own, not the roster's; advisors and mentors have no OneRoster 1.1
role; a person whose roles, school enrollments or guardian links all ended has no OneRoster 1.1 row (a
bulk file has no "ended" user), so neither have their enrollments; a class a roster ended early is left
out (its terms would give it back its full span). An enrollment or teaching assignment stored without a
sourcedId (the demo's) is given one made from its number (`waypoint-enrollment-17`).

Round trip: importing the export into the same district changes nothing, for every value that does not
start with one of `= + - @`, a tab or a carriage return. Those cells are neutralised (prefixed with `'`,
by `waypoint.core.exports`, the one writer of every export) so that a spreadsheet opening the file runs no
formula: the reader keeps the apostrophe, so such a value comes back changed (a name like "-Anne" becomes
"'-Anne"). Safety in a spreadsheet wins over a faithful round trip of those few values.

Every export is audited (one `export` event for the run and one per student written) and counts against the
person's hourly allowance of student-level exports (`waypoint.core.export_limits`), shared with every other
file that lists students. The pages and the API also ask for a sign-in within the last 15 minutes
(`waypoint.core.recent_sign_in`); the command, run on the server itself, does not."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core import exports
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.demographics import ONEROSTER_DEMOGRAPHIC_COLUMNS
from waypoint.core.errors import NotPermitted
from waypoint.core.export_limits import student_export_allowance_check
from waypoint.core.models import (
    AuditAction,
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
from waypoint.policy import Action

HEADERS: dict[str, tuple[str, ...]] = {
    "orgs.csv": ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"),
    "academicSessions.csv": (
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId",
        "schoolYear",
    ),
    "courses.csv": (
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
        "orgSourcedId", "subjects", "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
        "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
    ),
    "users.csv": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
        "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
        "agentSourcedIds", "grades", "password",
    ),
    "enrollments.csv": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
        "role", "primary", "beginDate", "endDate",
    ),
    "demographics.csv": (
        "sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative",
        "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
        "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
        "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus",
    ),
}  # fmt: skip
# Every data file OneRoster 1.1 names; those not in HEADERS are marked absent in the manifest.
MANIFEST_FILES = (
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
    "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users",
)  # fmt: skip
# A staff member holding several roles is written under the first of these they hold.
STAFF_ORDER = (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.TEACHER)
GUARDIAN_ROLES = {
    GuardianLink.Relationship.PARENT: "parent",
    GuardianLink.Relationship.GUARDIAN: "guardian",
    GuardianLink.Relationship.RELATIVE: "relative",
    GuardianLink.Relationship.FOSTER: "guardian",
}
GENDER_SEX = {Gender.FEMALE: "female", Gender.MALE: "male", Gender.NONBINARY: "other"}
TRUE_WORDS = frozenset({"true", "1", "yes"})


def neutralise(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: prefixed with `'` when it starts like one. A roster
    holds names and identifiers, never figures, so a value that looks like a number ("-2") is neutralised
    too, as every other such start."""
    return exports.neutralise(value, numbers=False)


def grade_code(level: int) -> str:
    """Core's grade level as a OneRoster grade: KG for kindergarten, 01–13 otherwise."""
    return "KG" if level == 0 else f"{level:02d}"


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _joined(values: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(value for value in values if value))


@dataclass(frozen=True)
class _Class:
    """A section written to classes.csv: what its enrollments' rows name, and its dates."""

    sourced_id: str
    school: str
    starts_on: datetime.date
    ends_on: datetime.date

    def spans(self, starts_on: datetime.date, ends_on: datetime.date | None) -> bool:
        """Whether an enrollment's dates lie inside the section's (a reader refuses one outside)."""
        return self.starts_on <= starts_on and (ends_on is None or ends_on <= self.ends_on)


class _Builder:
    """The rows of each file, read with a fixed number of queries whatever the district's size."""

    def __init__(self, district: Organization, today: datetime.date) -> None:
        self.district = district
        self.today = today
        self.files: dict[str, list[Sequence[str]]] = {name: [] for name in HEADERS}
        self.org_ids: dict[int, str] = {district.pk: district.sourced_id}
        self.student_ids: dict[int, str] = {}
        self.user_ids: dict[int, str] = {}
        self.students: list[tuple[int, str, datetime.date | None]] = []  # id, sourcedId, birth date
        # The students written, each with their open school enrollments: (school's sourcedId, grade).
        self.schools: dict[int, list[tuple[str, int]]] = defaultdict(list)

    def row(self, file: str, *values: str) -> None:
        self.files[file].append([neutralise(value) for value in values])

    def build(self) -> None:
        self.orgs()
        self.sessions_and_courses()
        sections = self.classes()
        self.users()
        self.enrollments(sections)
        self.demographics()

    def orgs(self) -> None:
        district = self.district
        self.row("orgs.csv", district.sourced_id, "", "", district.name, "district", "", "")
        for pk, sourced_id, name in Organization.objects.filter(
            parent=district, kind=Organization.Kind.SCHOOL
        ).values_list("pk", "sourced_id", "name"):
            self.org_ids[pk] = sourced_id
            self.row("orgs.csv", sourced_id, "", "", name, "school", "", district.sourced_id)

    def sessions_and_courses(self) -> None:
        for session in AcademicSession.objects.filter(district=self.district).select_related("parent"):
            self.row(
                "academicSessions.csv",
                session.sourced_id,
                "",
                "",
                session.title,
                session.session_type,
                _day(session.starts_on),
                _day(session.ends_on),
                session.parent.sourced_id if session.parent else "",
                str(session.school_year or ""),
            )
        for course in Course.objects.filter(district=self.district).select_related(
            "school_year", "organization"
        ):
            self.row(
                "courses.csv",
                course.sourced_id,
                "",
                "",
                course.school_year.sourced_id if course.school_year else "",
                course.title,
                course.course_code,
                course.grades,
                course.organization.sourced_id,
                course.subjects,
                course.subject_codes,
            )

    def classes(self) -> dict[int, _Class]:
        """The sections written, by id: those still running, and those that ran their course (they ended
        on their terms' last day). A section a roster ended early is history: its terms would give it back
        its full span."""
        sections = list(
            Section.objects.filter(district=self.district, school_id__in=self.org_ids)
            .order_by("pk")
            .values_list(
                "pk", "sourced_id", "school_id", "title", "course_code", "subject", "starts_on", "ends_on"
            )
        )
        details = {
            rostered.section_id: rostered
            for rostered in RosteredClass.objects.filter(district=self.district)
            .select_related("course")
            .prefetch_related("terms")
        }
        written: dict[int, _Class] = {}
        for pk, sourced_id, school_id, title, course_code, subject, starts_on, ends_on in sections:
            school = self.org_ids[school_id]
            rostered = details.get(pk)
            terms = list(rostered.terms.all()) if rostered else []
            ran_its_course = bool(terms) and ends_on == max(term.ends_on for term in terms)
            if ends_on <= self.today and not ran_its_course:
                continue
            if rostered is None:
                # A section no roster brought (made by hand, or the demo's): its own words.
                self.row(
                    "classes.csv", sourced_id, "", "", title, "", "", course_code, "scheduled", "", school,
                    "", subject, "", "",
                )  # fmt: skip
            else:
                self.row(
                    "classes.csv",
                    sourced_id,
                    "",
                    "",
                    title,
                    rostered.grades,
                    rostered.course.sourced_id if rostered.course else "",
                    rostered.class_code,
                    rostered.class_type,
                    rostered.location,
                    school,
                    _joined(term.sourced_id for term in terms),
                    rostered.subjects,
                    rostered.subject_codes,
                    rostered.periods,
                )
            written[pk] = _Class(sourced_id, school, starts_on, ends_on)
        return written

    def users(self) -> None:
        self.student_users()
        self.staff_users()
        self.guardian_users()

    def student_users(self) -> None:
        schools = self.schools
        for student_id, school_id, grade in (
            StudentEnrollment.objects.filter(district=self.district, exit_date__isnull=True)
            .order_by("entry_date", "pk")
            .values_list("student_id", "school_id", "grade_level")
        ):
            if school_id in self.org_ids:
                schools[student_id].append((self.org_ids[school_id], grade))
        guardians: dict[int, list[str]] = defaultdict(list)
        for student_id, sourced_id in self._running_links().values_list("student_id", "guardian__sourced_id"):
            if sourced_id:
                guardians[student_id].append(sourced_id)
        enrolled = StudentEnrollment.objects.filter(district=self.district, exit_date__isnull=True)
        for pk, sourced_id, first_name, last_name, birth_date, username, email, active in (
            Student.objects.filter(district=self.district, pk__in=enrolled.values("student_id"))
            .order_by("pk")
            .values_list(
                "pk", "sourced_id", "first_name", "last_name", "birth_date", "user__username", "user__email",
                "user__is_active",
            )
        ):  # fmt: skip
            if pk not in schools:
                continue
            self.student_ids[pk] = sourced_id
            self.students.append((pk, sourced_id, birth_date))
            self.row(
                "users.csv",
                sourced_id,
                "",
                "",
                "false" if active is False else "true",
                _joined(school for school, _grade in schools[pk]),
                "student",
                username or "",
                "",
                first_name,
                last_name,
                "",
                "",
                email or "",
                "",
                "",
                _joined(guardians[pk]),
                _joined(grade_code(grade) for _school, grade in schools[pk]),
                "",
            )

    def _running(self) -> Q:
        """Rows still running after today: one that ends today is the import's ending of it."""
        return Q(ends_on__isnull=True) | Q(ends_on__gt=self.today)

    def _running_links(self) -> QuerySet[GuardianLink]:
        return GuardianLink.objects.filter(self._running(), district=self.district, starts_on__lte=self.today)

    def staff_users(self) -> None:
        held: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for user_id, role, organization_id in RoleAssignment.objects.filter(
            self._running(), district=self.district, role__in=STAFF_ORDER, user__sourced_id__gt=""
        ).values_list("user_id", "role", "organization_id"):
            if organization_id in self.org_ids:
                held[user_id][role].append(organization_id)
        staff = RoleAssignment.objects.filter(self._running(), district=self.district, role__in=STAFF_ORDER)
        for user in User.objects.filter(pk__in=staff.values("user_id")).order_by("pk"):
            if user.pk not in held:
                continue
            roles = held[user.pk]
            role = next(role for role in STAFF_ORDER if role in roles)
            self._user_row(
                user,
                "teacher" if role == Role.TEACHER else "administrator",
                [self.org_ids[org] for org in roles[role]],
                agents=[],
            )

    def guardian_users(self) -> None:
        children: dict[int, list[int]] = defaultdict(list)
        relationship: dict[int, str] = {}
        for guardian_id, student_id, kind in (
            self._running_links()
            .filter(guardian__sourced_id__gt="")
            .values_list("guardian_id", "student_id", "relationship")
        ):
            if student_id not in self.student_ids:
                continue
            children[guardian_id].append(student_id)
            relationship.setdefault(guardian_id, GUARDIAN_ROLES[GuardianLink.Relationship(kind)])
        for user in User.objects.filter(pk__in=self._running_links().values("guardian_id")).order_by("pk"):
            if user.pk not in children or user.pk in self.user_ids:
                continue
            students = children[user.pk]
            self._user_row(
                user,
                relationship[user.pk],
                [school for student in students for school, _grade in self.schools[student]]
                or [self.district.sourced_id],
                agents=[self.student_ids[student] for student in students],
            )

    def _user_row(self, user: User, role: str, orgs: list[str], *, agents: list[str]) -> None:
        sourced_id = user.sourced_id or ""
        self.user_ids[user.pk] = sourced_id
        self.row(
            "users.csv",
            sourced_id,
            "",
            "",
            "true" if user.is_active else "false",
            _joined(orgs),
            role,
            user.username,
            "",
            user.first_name,
            user.last_name,
            "",
            "",
            user.email,
            "",
            "",
            _joined(agents),
            "",
            "",
        )

    def enrollments(self, sections: dict[int, _Class]) -> None:
        """Every enrollment and teaching assignment of the sections written, past ones too (their dates say
        so), but those whose person is not written or whose dates fall outside their section's."""
        for pk, sourced_id, section_id, student_id, starts_on, ends_on in (
            SectionEnrollment.objects.filter(district=self.district)
            .order_by("pk")
            .values_list("pk", "sourced_id", "section_id", "student_id", "starts_on", "ends_on")
        ):
            section = sections.get(section_id)
            if section is None or student_id not in self.student_ids or not section.spans(starts_on, ends_on):
                continue
            self.row(
                "enrollments.csv",
                sourced_id or f"waypoint-enrollment-{pk}",
                "",
                "",
                section.sourced_id,
                section.school,
                self.student_ids[student_id],
                "student",
                "false",
                _day(starts_on),
                _day(ends_on),
            )
        for pk, sourced_id, section_id, teacher_id, teaching_role, starts_on, ends_on in (
            SectionTeacher.objects.filter(section__district=self.district)
            .order_by("pk")
            .values_list(
                "pk", "sourced_id", "section_id", "teacher_id", "teaching_role", "starts_on", "ends_on"
            )
        ):
            section = sections.get(section_id)
            if section is None or not self.user_ids.get(teacher_id) or not section.spans(starts_on, ends_on):
                continue
            self.row(
                "enrollments.csv",
                sourced_id or f"waypoint-teaching-{pk}",
                "",
                "",
                section.sourced_id,
                section.school,
                self.user_ids[teacher_id],
                "teacher",
                "true" if teaching_role == SectionTeacher.TeachingRole.LEAD else "false",
                _day(starts_on),
                _day(ends_on),
            )

    def demographics(self) -> None:
        reduced = {row.student_id: row for row in StudentDemographics.objects.filter(district=self.district)}
        given = dict(
            RosteredDemographics.objects.filter(district=self.district).values_list("student_id", "columns")
        )
        for pk, sourced_id, birth_date in self.students:
            core, columns = reduced.get(pk), given.get(pk) or {}
            if core is None and not columns and birth_date is None:
                continue
            values = {header: str(columns.get(header, "")) for header in HEADERS["demographics.csv"][3:]}
            values["birthDate"] = _day(birth_date) if birth_date else values["birthDate"]
            if core is not None:
                values.update(_reduced_columns(core, columns))
            self.row(
                "demographics.csv",
                sourced_id,
                "",
                "",
                *(values[header] for header in HEADERS["demographics.csv"][3:]),
            )


def _reduced_columns(core: StudentDemographics, columns: dict[str, object]) -> dict[str, str]:
    """Core's values for the columns it reduces, keeping the roster's own spelling (TRUE, 1) where it
    says the same thing, so a round trip leaves the kept columns as they were."""
    values: dict[str, str] = {}
    for column, field in ONEROSTER_DEMOGRAPHIC_COLUMNS.items():
        flag = bool(getattr(core, field))
        original = str(columns.get(column, "")).strip()
        says_same = bool(original) and (original.lower() in TRUE_WORDS) == flag
        values[column] = original if says_same else str(flag).lower()
    original = str(columns.get("sex", "")).strip()
    sex = GENDER_SEX.get(Gender(core.gender), "")
    # "Not reported" stands for whatever the roster said that core does not keep (unspecified, blank).
    values["sex"] = original if original.lower() == sex or not sex else sex
    return values


def _manifest(district: Organization) -> list[Sequence[str]]:
    rows: list[Sequence[str]] = [
        ("manifest.version", "1.0"),
        ("oneroster.version", "1.1"),
        *((f"file.{name}", "bulk" if f"{name}.csv" in HEADERS else "absent") for name in MANIFEST_FILES),
        ("source.systemName", "Waypoint"),
        ("source.systemCode", district.slug),
    ]
    return [[neutralise(value) for value in row] for row in rows]


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """RFC 4180 (`core.exports.csv_bytes`), UTF-8 without a byte-order mark: the file is for a roster
    reader, not a person's spreadsheet. The rows are neutralised already."""
    return exports.csv_bytes([header, *rows], bom=False, numbers=False)


def _zip(files: dict[str, bytes], when: datetime.datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content)
    return buffer.getvalue()


def export_file_name(district: Organization) -> str:
    return f"oneroster-{district.slug}-{timezone.localdate().isoformat()}.zip"


def export_rows(content: bytes) -> dict[str, int]:
    """How many rows each file of an export holds (its header aside): what the page and command report."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: max(sum(1 for _row in csv.reader(io.StringIO(archive.read(name).decode()))) - 1, 0)
            for name in HEADERS
        }


def roster_export(*, context: RequestContext, district: Organization) -> bytes:
    """The district's roster as a OneRoster 1.1 CSV zip (see the module's docstring for what it holds and
    what a round trip keeps). Refused (403) unless the actor may export the district's roster, and (429)
    past the hourly allowance of student-level exports (`core.export_limits`)."""
    if context.actor is None:
        raise NotPermitted(gettext("Sign in first."))
    if not policy.can(context.user, Action.EXPORT_ROSTER, district):
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": Action.EXPORT_ROSTER.label})
    now = timezone.now()
    with transaction.atomic():
        student_export_allowance_check(actor=context.actor, now=now)
        builder = _Builder(district, timezone.localdate())
        builder.build()
        files = {"manifest.csv": _csv(("propertyName", "value"), _manifest(district))}
        files.update({name: _csv(HEADERS[name], builder.files[name]) for name in HEADERS})
        rows = {name: len(builder.files[name]) for name in HEADERS}
        audit_record(
            context=context,
            action=AuditAction.EXPORT,
            object_type="roster-export",
            object_id=str(district.pk),
            district_id=district.pk,
            reason=gettext("OneRoster 1.1 export: %(rows)s.")
            % {"rows": ", ".join(f"{name} {count}" for name, count in rows.items())},
        )
        audit_record_students(
            context=context,
            action=AuditAction.EXPORT,
            object_type="roster-export",
            # Only what the audit reads of each student: its id and district.
            students=[Student(pk=pk, district_id=district.pk) for pk, _sid, _birth in builder.students],
            reason=gettext("In the district’s OneRoster export"),
        )
    return _zip(files, timezone.localtime(now))
