"""Reads of people and organizations that views and the API share.

Each selector takes the acting `RequestContext`, scopes its rows with `waypoint.policy`, and audits what it
discloses. A student outside the actor's scope raises `NotVisible`, which pages and endpoints answer with 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import (
    AdvisorAssignment,
    AuditAction,
    AuditEvent,
    GuardianLink,
    Organization,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentDemographics,
    StudentEnrollment,
)
from waypoint.core.paging import Page, page_of
from waypoint.policy import Action


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
    students = with_current_enrollment(policy.visible_students(context.user))
    # PostgreSQL cannot compare text with NUL characters, and no name holds one.
    search = search.replace("\x00", "").strip()
    if search:
        words = Q()
        for word in search.split()[:4]:
            words &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(state_student_id=word)
            )
        students = students.filter(words)
    result = page_of(students.order_by("last_name", "first_name", "id"), number=page, size=page_size)
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="student-list",
        students=result.items,
        reason=policy.legitimate_interest(context.user),
    )
    return result


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
            reason=f"Role may not {action.value.split('.')[-1]}",
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
    events = (
        AuditEvent.objects.filter(student=student).select_related("actor").order_by("-occurred_at", "-id")
    )
    if student.user_id is not None:
        events = events.exclude(actor_id=student.user_id)
    return student, page_of(events, number=page, size=page_size)


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


def caseload_for(*, context: RequestContext) -> list[Student]:
    """The advisor's caseload today; each student shown is audited as viewed."""
    if not policy.can(context.user, Action.VIEW_CASELOAD):
        raise _refuse(
            context, object_type="caseload", reason="The caseload page is for advisors and counselors."
        )
    return _disclose_list(context, _caseload(context), shown_in="caseload")


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
    events = AuditEvent.objects.filter(district_id__in=district_ids).select_related("actor")
    if audit_filter.actor_username:
        events = events.filter(actor_username=audit_filter.actor_username)
    if audit_filter.action:
        events = events.filter(action=audit_filter.action)
    if audit_filter.student_id is not None:
        events = events.filter(student_id=audit_filter.student_id)
    result = page_of(events.order_by("-occurred_at", "-id"), number=page, size=page_size)
    districts = list(Organization.objects.filter(pk__in=district_ids))
    for district in districts:
        audit_record(
            context=context,
            action=AuditAction.VIEW,
            object_type="audit-log",
            district_id=district.pk,
            reason=policy.legitimate_interest(context.user),
        )
    return districts, result
