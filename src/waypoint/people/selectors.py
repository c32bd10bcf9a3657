"""Reads of people and organizations that views and the API share.

Each selector takes the acting `RequestContext`, scopes its rows with `waypoint.policy`, and audits what it
discloses. A student outside the actor's scope raises `NotVisible`, which pages and endpoints answer with 404.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from django.apps import apps
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core import audit_vocabulary
from waypoint.core.audit import RequestContext, audit_flush, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.export_limits import STUDENT_LEVEL_EXPORTS
from waypoint.core.models import (
    AdvisorAssignment,
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
)
from waypoint.core.paging import Page, page_of
from waypoint.core.row_security import district_scope
from waypoint.policy import Action
from waypoint.policy.exports import export_log_districts


def _active_enrollments(on: datetime.date) -> QuerySet[StudentEnrollment]:
    return StudentEnrollment.objects.filter(
        policy.active_on(on, start="entry_date", end="exit_date")
    ).select_related("school")


def with_current_enrollment(
    students: QuerySet[Student], on: datetime.date | None = None
) -> QuerySet[Student]:
    """Attach `current_enrollments` (today's enrollment spans, with school) in one extra query."""
    on = on or policy.today()
    return students.select_related("district").prefetch_related(
        Prefetch("enrollments", queryset=_active_enrollments(on), to_attr="current_enrollments")
    )


def current_enrollment(student: Student) -> StudentEnrollment | None:
    """The student's enrollment today, from `with_current_enrollment`'s prefetch."""
    spans: list[StudentEnrollment] = getattr(student, "current_enrollments", [])
    return spans[0] if spans else None


def _deny(context: RequestContext, *, object_type: str, object_id: int) -> NotVisible:
    """Audit a request for something out of scope; the event names the student or section (and so the
    district whose administrators should know) when it exists."""
    # The student or section is in a district the reader may not see, which the row-level security scope
    # hides: it is looked up in the system scope, only to name that district in the event; nothing is shown.
    with district_scope(None):
        student = Student.objects.filter(pk=object_id).first() if object_type == "student" else None
        district_id = (
            Section.objects.filter(pk=object_id).values_list("district_id", flat=True).first()
            if object_type == "section"
            else None
        )
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(object_id),
        student=student,
        district_id=district_id,
    )
    return NotVisible(f"No {object_type} {object_id} is visible to this user.")


def _refuse(
    context: RequestContext, *, object_type: str, reason: str, student: Student | None = None
) -> NotPermitted:
    """Audit a refused action (a page for another role, or an action on a visible student)."""
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(student.pk) if student else "",
        student=student,
        district_id=None if student else context.district_id,
        reason=reason,
    )
    return NotPermitted(reason)


def student_list(
    *, context: RequestContext, search: str = "", page: int = 1, page_size: int = 50
) -> Page[Student]:
    """A page of the students the actor may see, by name; every student shown is audited as viewed."""
    students = _matching(with_current_enrollment(policy.visible_students(context.user)), search)
    result = page_of(students.order_by("last_name", "first_name", "id"), number=page, size=page_size)
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="student-list",
        students=result.items,
        reason=policy.legitimate_interest(context.user),
    )
    return result


def _matching(students: QuerySet[Student], search: str) -> QuerySet[Student]:
    """The students whose names (or state student number) hold every word searched for, up to four."""
    # PostgreSQL cannot compare text with NUL characters, and no name holds one.
    search = search.replace("\x00", "").strip()
    words = Q()
    for word in search.split()[:4]:
        words &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(state_student_id=word)
        )
    return students.filter(words)


def _disclose_list(context: RequestContext, students: QuerySet[Student], *, shown_in: str) -> list[Student]:
    """The students (already scoped by the access policy), by name, each audited as seen in `shown_in`."""
    listed = list(with_current_enrollment(students).order_by("last_name", "first_name", "id"))
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type=shown_in,
        students=listed,
        reason=policy.legitimate_interest(context.user),
    )
    return listed


def family_students(*, context: RequestContext) -> list[Student]:
    """The signed-in student's own record and the records of a guardian's children, audited as listed."""
    on = policy.today()
    linked = GuardianLink.objects.filter(policy.active_on(on), guardian=context.actor)
    own = policy.visible_students(context.user).filter(
        Q(user=context.actor) | Q(id__in=linked.values("student_id"))
    )
    return _disclose_list(context, own, shown_in="student-list")


def student_get(
    *,
    context: RequestContext,
    student_id: int,
    action: Action = Action.VIEW_STUDENT,
    audit_as: str = "student",
) -> Student:
    """The student's record, audited once as viewed with the reader's legitimate interest.

    A student out of scope raises `NotVisible`; a visible one on which the actor may not take `action`
    raises `NotPermitted`. Both refusals are audited as denied and nothing is disclosed."""
    student = with_current_enrollment(policy.visible_students(context.user)).filter(pk=student_id).first()
    if student is None:
        raise _deny(context, object_type="student", object_id=student_id)
    if action is not Action.VIEW_STUDENT and not policy.can(context.user, action, student):
        raise _refuse(
            context,
            object_type=audit_as,
            student=student,
            reason=gettext("Your role may not %(action)s.") % {"action": action.label},
        )
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type=audit_as,
        object_id=str(student.pk),
        student=student,
        reason=policy.legitimate_interest(context.user, student),
    )
    return student


@dataclass(frozen=True)
class StudentRecord:
    """What the student page shows: enrollments, current sections, caseload, guardians, and demographics
    when the actor may read them."""

    student: Student
    enrollments: list[StudentEnrollment]
    sections: list[Section]
    advisors: list[AdvisorAssignment]
    guardians: list[GuardianLink]
    demographics: StudentDemographics | None
    can_view_disclosures: bool
    openable_section_ids: set[int]


def student_record(*, context: RequestContext, student_id: int) -> StudentRecord:
    """The student's record for the student page, audited as one view."""
    student = student_get(context=context, student_id=student_id)
    on = policy.today()
    active_roster = Q(roster__student=student) & policy.active_on(on, prefix="roster__")
    sections = list(
        Section.objects.filter(active_roster)
        .select_related("school")
        .prefetch_related(
            Prefetch("teacher_assignments", queryset=SectionTeacher.objects.select_related("teacher"))
        )
        .order_by("title")
    )
    advisors = list(
        AdvisorAssignment.objects.filter(policy.active_on(on), student=student).select_related("advisor")
    )
    guardians = list(
        GuardianLink.objects.filter(policy.active_on(on), student=student).select_related("guardian")
    )
    demographics = (
        StudentDemographics.objects.filter(student=student).first()
        if policy.can(context.user, Action.VIEW_DEMOGRAPHICS, student)
        else None
    )
    return StudentRecord(
        student=student,
        enrollments=list(student.enrollments.select_related("school", "district").order_by("-entry_date")),
        sections=sections,
        advisors=advisors,
        guardians=guardians,
        demographics=demographics,
        can_view_disclosures=policy.can(context.user, Action.VIEW_DISCLOSURES, student),
        openable_section_ids=set(
            policy.visible_sections(context.user)
            .filter(id__in=[section.pk for section in sections])
            .values_list("id", flat=True)
        ),
    )


def student_disclosures(
    *, context: RequestContext, student_id: int, page: int = 1, page_size: int = 50
) -> tuple[Student, Page[AuditEvent]]:
    """Who else has read or changed the student's record, newest first: FERPA's record of disclosures.

    The student's own visits stay in the district's audit log but are left out here: they are not
    disclosures."""
    student = student_get(
        context=context, student_id=student_id, action=Action.VIEW_DISCLOSURES, audit_as="disclosures"
    )
    events = with_actors(AuditEvent.objects.filter(student=student)).order_by("-occurred_at", "-id")
    if student.user_id is not None:
        events = events.exclude(actor_id=student.user_id)
    return student, page_of(events, number=page, size=page_size)


# Audit events in plain words ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    """One audit event as people read it: "Maria Rivera, teacher at Riverside High, viewed Jordan’s
    evidence list", and why, in the reader's language."""

    event: AuditEvent
    sentence: str
    actor: str
    student: str
    why: str

    @property
    def path_parts(self) -> list[str]:
        """The page's path cut after each slash, so a narrow column breaks it between its parts."""
        return [part for part in re.split(r"(?<=/)", self.event.path) if part]


def first_name(student: Student) -> str:
    """The name a student goes by, as a family's page names them."""
    return student.preferred_name or student.first_name


@cache
def _title_readers() -> tuple[Callable[[dict[str, set[str]]], dict[tuple[str, str], str]], ...]:
    """The functions apps declare as `audit_titles` on their AppConfig: given object ids by object type,
    each returns the titles it knows ("Linear functions quiz" for a score on that evidence). The apps that
    own evidence and paths sit above people, so they offer their titles rather than people reading them."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "audit_titles", None)
        if path:
            found.append(import_string(path))
    return tuple(found)


def with_actors(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Events with their actor and student, and the role each actor acts in today and where (`actor_role`,
    `actor_place`, `actor_is_guardian`), as subqueries of the same query: `describe_events` needs no more.
    Of several roles, the one closest to students names the person (`audit_vocabulary.ROLE_ORDER`)."""
    on = policy.today()
    rank = Case(
        *(When(role=role, then=Value(index)) for index, role in enumerate(audit_vocabulary.ROLE_ORDER)),
        default=Value(len(audit_vocabulary.ROLE_ORDER)),
    )
    roles = (
        RoleAssignment.objects.filter(policy.active_on(on), user_id=OuterRef("actor_id"))
        .annotate(rank=rank)
        .order_by("rank", "pk")
    )
    return events.select_related("actor", "student").annotate(
        actor_role=Subquery(roles.values("role")[:1]),
        actor_place=Subquery(roles.values("organization__name")[:1]),
        actor_is_guardian=Exists(
            GuardianLink.objects.filter(policy.active_on(on), guardian_id=OuterRef("actor_id"))
        ),
    )


def _actor(event: AuditEvent) -> tuple[str, str]:
    """The actor's name and the role they act in ("teacher at Riverside High"), from `with_actors`."""
    if event.actor is None:
        # A sign-in, failed or not, names the account tried in its object id.
        account = event.object_id if event.object_type == "account" else ""
        return event.actor_username or account or str(audit_vocabulary.SYSTEM_ACTOR), ""
    role = getattr(event, "actor_role", None)
    if role:
        noun = audit_vocabulary.ROLE_NOUNS.get(role, "")
        return event.actor.display_name, audit_vocabulary.role_phrase(
            str(noun), getattr(event, "actor_place", "")
        )
    if getattr(event, "actor_is_guardian", False):
        return event.actor.display_name, str(audit_vocabulary.GUARDIAN_NOUN)
    return event.actor.display_name, ""


def describe_events(events: Sequence[AuditEvent], *, student_names: str = "full") -> list[EventLine]:
    """The events (fetched through `with_actors`) as sentences, with at most one query per app that offers
    the titles of what the events name.

    `student_names`: "full" for staff ("Jordan Lee"), "first" for the student's own family ("Jordan"). A
    student is never named by their internal number."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    titles: dict[tuple[str, str], str] = {}
    for read_titles in _title_readers():
        titles.update(read_titles(wanted))
    lines = []
    for event in events:
        actor, actor_role = _actor(event)
        student = ""
        if event.student is not None:
            student = first_name(event.student) if student_names == "first" else event.student.full_name
        lines.append(
            EventLine(
                event=event,
                sentence=audit_vocabulary.sentence(
                    event.action,
                    event.object_type,
                    actor=actor,
                    actor_role=actor_role,
                    student=student,
                    title=titles.get((event.object_type, event.object_id), ""),
                ),
                actor=audit_vocabulary.person(actor, actor_role),
                student=student,
                why=audit_vocabulary.interest_words(event.reason),
            )
        )
    return lines


@dataclass
class DisclosureEntry:
    """Events in a row by the same person doing the same thing for the same reason on one day ("viewed
    Jordan’s evidence list 4 times"), newest first."""

    line: EventLine
    times: list[datetime.datetime] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.times)

    @property
    def latest(self) -> datetime.datetime:
        return self.times[0]

    @property
    def earliest(self) -> datetime.datetime:
        return self.times[-1]


@dataclass
class DisclosureDay:
    day: datetime.date
    entries: list[DisclosureEntry] = field(default_factory=list)


def disclosure_days(lines: Iterable[EventLine]) -> list[DisclosureDay]:
    """The lines (newest first) by day, with repeats of the same sentence and reason in a row merged."""
    days: list[DisclosureDay] = []
    for line in lines:
        day = timezone.localdate(line.event.occurred_at)
        if not days or days[-1].day != day:
            days.append(DisclosureDay(day=day))
        entries = days[-1].entries
        if entries and (entries[-1].line.sentence, entries[-1].line.why) == (line.sentence, line.why):
            entries[-1].times.append(line.event.occurred_at)
        else:
            entries.append(DisclosureEntry(line=line, times=[line.event.occurred_at]))
    return days


def sections_for(*, context: RequestContext) -> list[Section]:
    """The sections the actor may open, each with its teachers and its count of students enrolled today."""
    if not policy.can(context.user, Action.LIST_SECTIONS):
        raise _refuse(
            context, object_type="section-list", reason="Sections are for teachers and administrators."
        )
    on = policy.today()
    active = policy.active_on(on, prefix="roster__")
    return list(
        policy.visible_sections(context.user)
        .select_related("school")
        .prefetch_related(
            Prefetch("teacher_assignments", queryset=SectionTeacher.objects.select_related("teacher"))
        )
        .annotate(student_count=Count("roster", filter=active))
        .order_by("school__name", "course_code", "title")
    )


def section_roster(*, context: RequestContext, section_id: int) -> tuple[Section, list[Student]]:
    """A section and the students on its roster today; each student shown is audited as viewed."""
    section = (
        policy.visible_sections(context.user)
        .select_related("school")
        .prefetch_related(
            Prefetch("teacher_assignments", queryset=SectionTeacher.objects.select_related("teacher"))
        )
        .filter(pk=section_id)
        .first()
    )
    if section is None:
        raise _deny(context, object_type="section", object_id=section_id)
    on = policy.today()
    on_roster = SectionEnrollment.objects.filter(policy.active_on(on), section=section)
    roster = policy.visible_students(context.user).filter(id__in=on_roster.values("student_id"))
    return section, _disclose_list(context, roster, shown_in="section-roster")


# A student with no evidence in this many days is flagged on the caseload: three school weeks and a weekend.
QUIET_DAYS = 21

CaseloadSort = Literal["name", "evidence", "status", "pace"]
CASELOAD_SORTS: tuple[CaseloadSort, ...] = ("name", "evidence", "status", "pace")
# Pace statuses from the most worrying down, for the "pace" sort (an unknown status sorts last).
PACE_ORDER = ("off_track", "at_risk", "unknown", "on_track", "ahead")


@dataclass(frozen=True)
class CaseloadRow:
    """One student of the caseload and what an advisor checks first. A fact is None when no installed app
    offers it (see `caseload_page`) or the student has none yet."""

    student: Student
    last_evidence_at: datetime.datetime | None
    quiet: bool
    levels_known: int
    below_mastery: int
    plan_review_due: datetime.date | None
    plan_overdue: bool
    paths_waiting: int
    # Pace toward graduation, offered by the progress app (`caseload_facts`): None when no app offers it.
    pace_status: str | None = None
    pace_label: str = ""
    projected_on: datetime.date | None = None
    open_alerts: int = 0
    open_supports: int = 0
    last_conference_on: datetime.date | None = None

    @property
    def concerns(self) -> int:
        """How many things want the advisor to act: no recent evidence, a success plan missing or overdue for
        review, paths waiting for a decision. Competencies below mastery are shown but not counted: midway
        through a year nearly every student has some, and a flag on everyone flags no one."""
        return sum((self.quiet, self.plan_review_due is None or self.plan_overdue, self.paths_waiting > 0))


@dataclass(frozen=True)
class Caseload:
    rows: Page[CaseloadRow]
    size: int
    attention: int
    search: str
    sort: CaseloadSort
    quiet_days: int = QUIET_DAYS
    pace: str = ""
    # The pace statuses present in the caseload, (code, label), to filter by.
    pace_choices: tuple[tuple[str, str], ...] = ()


# What an app offers the caseload (`caseload_facts` on its AppConfig): facts by student id, by name.
CaseloadFacts = Callable[[QuerySet[Student], datetime.date], dict[int, dict[str, Any]]]


@cache
def _caseload_fact_readers() -> tuple[CaseloadFacts, ...]:
    """The functions apps declare as `caseload_facts` on their AppConfig. Evidence, mastery levels, success
    plans and paths live in apps above people (they read students through people), so the app that may read
    them all offers the facts (today `waypoint.pathways.selectors.caseload_facts`), as pathways offers the
    catalog its place holders."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "caseload_facts", None)
        if path:
            found.append(import_string(path))
    return tuple(found)


def _sort_key(sort: CaseloadSort) -> Callable[[CaseloadRow], tuple[Any, ...]]:
    def name(row: CaseloadRow) -> tuple[str, str, int]:
        return (row.student.last_name.casefold(), row.student.first_name.casefold(), row.student.pk)

    if sort == "evidence":
        # Longest without evidence first, and those with none at all before everyone.
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return lambda row: (row.last_evidence_at or oldest, *name(row))
    if sort == "status":
        return lambda row: (-row.concerns, *name(row))
    if sort == "pace":
        rank = {status: index for index, status in enumerate(PACE_ORDER)}
        return lambda row: (rank.get(row.pace_status or "", len(rank)), -row.open_alerts, *name(row))
    return name


def caseload_page(
    *,
    context: RequestContext,
    search: str = "",
    sort: CaseloadSort = "name",
    page: int = 1,
    page_size: int = 50,
    pace: str = "",
) -> Caseload:
    """A page of the advisor's caseload today, each student with what needs attention, searchable by name
    and sorted by name, by the last evidence (oldest first) or by status (most concerns first).

    The facts are read for the whole caseload in a constant number of queries (sorting needs them all);
    only the students shown on the page are audited as viewed."""
    if not policy.can(context.user, Action.VIEW_CASELOAD):
        raise _refuse(
            context, object_type="caseload", reason="The caseload page is for advisors and counselors."
        )
    on = policy.today()
    caseload = _caseload(context)
    size = caseload.count()
    students = list(with_current_enrollment(_matching(caseload, search)))
    facts: dict[int, dict[str, Any]] = {}
    for read_facts in _caseload_fact_readers():
        for student_id, known in read_facts(caseload, on).items():
            facts.setdefault(student_id, {}).update(known)
    quiet_since = timezone.now() - datetime.timedelta(days=QUIET_DAYS)
    rows = []
    for student in students:
        known = facts.get(student.pk, {})
        last_evidence_at = known.get("last_evidence_at")
        review_due = known.get("plan_review_due")
        rows.append(
            CaseloadRow(
                student=student,
                last_evidence_at=last_evidence_at,
                quiet=last_evidence_at is None or last_evidence_at < quiet_since,
                levels_known=known.get("levels_known", 0),
                below_mastery=known.get("below_mastery", 0),
                plan_review_due=review_due,
                plan_overdue=review_due is not None and review_due < on,
                paths_waiting=known.get("paths_waiting", 0),
                pace_status=known.get("pace_status"),
                pace_label=known.get("pace_label", ""),
                projected_on=known.get("projected_on"),
                open_alerts=known.get("open_alerts", 0),
                open_supports=known.get("open_supports", 0),
                last_conference_on=known.get("last_conference_on"),
            )
        )
    pace_choices = tuple(
        sorted({(row.pace_status, row.pace_label) for row in rows if row.pace_status is not None})
    )
    if pace:
        rows = [row for row in rows if row.pace_status == pace]
    rows.sort(key=_sort_key(sort))
    number = min(max(1, page), max(1, -(-len(rows) // page_size)))
    shown = rows[(number - 1) * page_size : number * page_size]
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="caseload",
        students=[row.student for row in shown],
        reason=policy.legitimate_interest(context.user),
    )
    return Caseload(
        rows=Page(items=shown, count=len(rows), number=number, size=page_size),
        size=size,
        attention=sum(1 for row in rows if row.concerns),
        search=search,
        sort=sort,
        pace=pace,
        pace_choices=pace_choices,
    )


def _caseload(context: RequestContext) -> QuerySet[Student]:
    on = policy.today()
    assigned = AdvisorAssignment.objects.filter(policy.active_on(on), advisor=context.actor)
    return policy.visible_students(context.user).filter(id__in=assigned.values("student_id"))


def caseload_size(*, context: RequestContext) -> int:
    """How many students are in the advisor's caseload today (a count discloses no record)."""
    return _caseload(context).count()


@dataclass(frozen=True)
class AuditFilter:
    actor_username: str = ""
    action: str = ""
    student_id: int | None = None


def district_audit_log(
    *, context: RequestContext, audit_filter: AuditFilter, page: int = 1, page_size: int = 100
) -> tuple[list[Organization], Page[AuditEvent]]:
    """The audit events of the districts the actor administers, newest first; the read is itself audited."""
    district_ids = policy.audit_districts(context.user)
    if not district_ids:
        raise _refuse(
            context, object_type="audit-log", reason="The audit log is for district administrators."
        )
    # Recorded before the read, so the page's first row is this very opening, as its introduction says.
    districts = list(Organization.objects.filter(pk__in=district_ids))
    for district in districts:
        audit_record(
            context=context,
            action=AuditAction.VIEW,
            object_type="audit-log",
            district_id=district.pk,
            reason=policy.legitimate_interest(context.user),
        )
    audit_flush()
    events = with_actors(AuditEvent.objects.filter(district_id__in=district_ids))
    if audit_filter.actor_username:
        events = events.filter(actor_username=audit_filter.actor_username)
    if audit_filter.action:
        events = events.filter(action=audit_filter.action)
    if audit_filter.student_id is not None:
        events = events.filter(student_id=audit_filter.student_id)
    result = page_of(events.order_by("-occurred_at", "-id"), number=page, size=page_size)
    return districts, result


# The district's export log ----------------------------------------------------------------------------------

# What the log can be filtered to: every kind of export Waypoint writes, in the order the filter offers them.
EXPORT_KINDS: tuple[str, ...] = (
    "roster-export",
    "insights-export",
    "credential",
    "transfer-disclosure",
    "audit-log",
)
EXPORT_LOG_CSV_ROWS = 10_000
# How far from its run event a bulk export's per-student events can lie: the same request wrote them all.
_RUN_SPAN = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class ExportFilter:
    actor_username: str = ""
    kind: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


@dataclass(frozen=True)
class ExportLine:
    """One export as the log shows it: the event in words and how many students the file named (None when
    the count is unknown: a bulk export made by a command, outside a request, whose rows the reason lists)."""

    line: EventLine
    students: int | None

    @property
    def event(self) -> AuditEvent:
        return self.line.event


def _export_log_district(context: RequestContext) -> Organization:
    """The district the actor acts for, when they may read its export log; refused and audited otherwise."""
    readable = export_log_districts(context.user)
    if context.district_id is None or context.district_id not in readable:
        raise _refuse(
            context, object_type="audit-log", reason=gettext("The export log is for district administrators.")
        )
    return Organization.objects.get(pk=context.district_id)


def _exports(district: Organization, export_filter: ExportFilter) -> QuerySet[AuditEvent]:
    """The district's export events, one per export: a bulk export's run event stands for the file, so its
    one event per student written (which each student's record of disclosures lists) is not repeated."""
    events = AuditEvent.objects.filter(district_id=district.pk, action=AuditAction.EXPORT).exclude(
        object_type__in=STUDENT_LEVEL_EXPORTS, student__isnull=False
    )
    if export_filter.actor_username:
        events = events.filter(actor_username=export_filter.actor_username)
    if export_filter.kind:
        events = events.filter(object_type=export_filter.kind)
    zone = timezone.get_current_timezone()
    if export_filter.since is not None:
        start = datetime.datetime.combine(export_filter.since, datetime.time.min, tzinfo=zone)
        events = events.filter(occurred_at__gte=start)
    if export_filter.until is not None:
        end = datetime.datetime.combine(export_filter.until + datetime.timedelta(days=1), datetime.time.min)
        events = events.filter(occurred_at__lt=end.replace(tzinfo=zone))
    return with_actors(events).order_by("-occurred_at", "-id")


def _students_named(district: Organization, events: Sequence[AuditEvent]) -> dict[int, int | None]:
    """How many students each export named: one for an export of one student's record, none for figures,
    and for a bulk export the per-student events its request wrote (one query for the whole page)."""
    runs = [
        event for event in events if event.object_type in STUDENT_LEVEL_EXPORTS and event.student_id is None
    ]
    counted: dict[tuple[str, str, str], int] = {}
    with_request = [run for run in runs if run.request_id]
    if with_request:
        rows = (
            AuditEvent.objects.filter(
                district_id=district.pk,
                action=AuditAction.EXPORT,
                object_type__in={run.object_type for run in with_request},
                student__isnull=False,
                request_id__in={run.request_id for run in with_request},
                occurred_at__gte=min(run.occurred_at for run in with_request) - _RUN_SPAN,
                occurred_at__lte=max(run.occurred_at for run in with_request) + _RUN_SPAN,
            )
            .values_list("request_id", "object_type", "actor_username")
            .annotate(students=Count("id"))
        )
        counted = {(request_id, kind, actor): n for request_id, kind, actor, n in rows}
    named: dict[int, int | None] = {}
    for event in events:
        if event.student_id is not None:
            named[event.pk] = 1
        elif event.object_type not in STUDENT_LEVEL_EXPORTS:
            named[event.pk] = 0
        elif event.request_id:
            named[event.pk] = counted.get((event.request_id, event.object_type, event.actor_username), 0)
        else:
            named[event.pk] = None
    return named


def _export_lines(district: Organization, events: Sequence[AuditEvent]) -> list[ExportLine]:
    named = _students_named(district, events)
    return [ExportLine(line=line, students=named[line.event.pk]) for line in describe_events(events)]


def district_export_log(
    *, context: RequestContext, export_filter: ExportFilter, page: int = 1, page_size: int = 50
) -> tuple[Organization, Page[ExportLine]]:
    """The exports of the district the actor acts for, newest first: who, when, what, how many students,
    from where. For its district administrators; the read is itself audited."""
    district = _export_log_district(context)
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="audit-log",
        object_id="exports",
        district_id=district.pk,
        reason=policy.legitimate_interest(context.user),
    )
    events = page_of(_exports(district, export_filter), number=page, size=page_size)
    lines = _export_lines(district, events.items)
    return district, Page(items=lines, count=events.count, number=events.number, size=events.size)


def district_export_log_rows(
    *, context: RequestContext, export_filter: ExportFilter
) -> tuple[Organization, list[list[str | int | None]]]:
    """The filtered export log as a file's rows (a header, then the newest `EXPORT_LOG_CSV_ROWS` exports).
    Taking the log away is itself an export, audited in the district's log."""
    district = _export_log_district(context)
    events = list(_exports(district, export_filter)[:EXPORT_LOG_CSV_ROWS])
    audit_record(
        context=context,
        action=AuditAction.EXPORT,
        object_type="audit-log",
        object_id="exports",
        district_id=district.pk,
        reason=gettext("The export log, %(rows)d rows.") % {"rows": len(events)},
    )
    header: list[str | int | None] = [
        gettext("When"),
        gettext("Username"),
        gettext("Who"),
        gettext("What"),
        gettext("Students"),
        gettext("Details"),
        gettext("From"),
        gettext("Request"),
    ]
    rows = [header]
    for export in _export_lines(district, events):
        event = export.event
        rows.append(
            [
                timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
                event.actor_username,
                export.line.actor,
                export.line.sentence,
                export.students,
                export.line.why,
                event.client_address,
                event.request_id,
            ]
        )
    return district, rows
