"""The people API: who am I, and the students I may see."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from waypoint import policy
from waypoint.core.api import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    UNAUTHORIZED,
    PageOut,
    PageQuery,
    Text,
    page_fields,
)
from waypoint.core.models import Organization, Student, StudentEnrollment, User
from waypoint.people.selectors import (
    EventLine,
    current_enrollment,
    describe_events,
    student_disclosures,
    student_get,
    student_list,
)
from waypoint.policy import request_context

router = Router(tags=["people"])


StudentId = Annotated[int, Path(ge=1, le=MAX_ID, description="A student's id, as the student list gives it.")]


class OrganizationRef(Schema):
    id: int
    sourced_id: str
    name: str


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    district: OrganizationRef | None
    student_id: int | None = Field(None, description="Present when the user is a student.")
    certified_teacher: bool = Field(
        False, description="A teacher with a current certification: only they set mastery levels."
    )


class StudentOut(Schema):
    id: int
    name: str
    district: OrganizationRef
    school: OrganizationRef | None
    grade_level: int | None


class EnrollmentOut(Schema):
    school: OrganizationRef
    grade_level: int
    entry_date: datetime.date
    exit_date: datetime.date | None


class StudentDetailOut(StudentOut):
    first_name: str
    last_name: str
    preferred_name: str
    cohort_year: int | None
    enrollments: list[EnrollmentOut]


class StudentPageOut(PageOut):
    items: list[StudentOut]


class DisclosureOut(Schema):
    occurred_at: datetime.datetime
    actor: str
    action: str
    object_type: str
    description: str
    sentence: str = Field(
        description="The event in a sentence, in the reader's language: who (name, role and school) did what "
        "to which part of the record."
    )
    reason: str


class DisclosurePageOut(PageOut):
    items: list[DisclosureOut]


class StudentListQuery(PageQuery):
    search: Text = Field("", max_length=100, description="Part of a name.")


def _org(organization: Organization) -> OrganizationRef:
    return OrganizationRef(id=organization.pk, sourced_id=organization.sourced_id, name=organization.name)


def _student_out(student: Student) -> StudentOut:
    enrollment = current_enrollment(student)
    return StudentOut(
        id=student.pk,
        name=student.full_name,
        district=_org(student.district),
        school=_org(enrollment.school) if enrollment else None,
        grade_level=enrollment.grade_level if enrollment else None,
    )


def _enrollment_out(enrollment: StudentEnrollment) -> EnrollmentOut:
    return EnrollmentOut(
        school=_org(enrollment.school),
        grade_level=enrollment.grade_level,
        entry_date=enrollment.entry_date,
        exit_date=enrollment.exit_date,
    )


@router.get(
    "/me", response={200: MeOut, **UNAUTHORIZED}, summary="The signed-in user, their roles and district"
)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (both API authenticators only ever yield a User)
    access = policy.request_access(request)
    acting = access.acting_district_id
    district = Organization.objects.filter(pk=acting).first() if acting is not None else None
    return MeOut(
        username=user.username,
        name=user.display_name,
        roles=sorted(access.roles),
        district=_org(district) if district else None,
        student_id=access.own_student_id,
        certified_teacher=policy.current_certification(user) is not None,
    )


@router.get(
    "/students",
    response={200: StudentPageOut, **LIST_ERRORS},
    summary="The students visible to the user, by name",
)
def students(request: HttpRequest, query: Query[StudentListQuery]) -> StudentPageOut:
    page = student_list(
        context=request_context(request), search=query.search, page=query.page, page_size=query.page_size
    )
    return StudentPageOut(items=[_student_out(student) for student in page.items], **page_fields(page))


@router.get(
    "/students/{int:student_id}",
    response={200: StudentDetailOut, **READ_ERRORS},
    summary="One student's record",
)
def student(request: HttpRequest, student_id: StudentId) -> StudentDetailOut:
    record = student_get(context=request_context(request), student_id=student_id)
    summary = _student_out(record)
    return StudentDetailOut(
        **summary.dict(),
        first_name=record.first_name,
        last_name=record.last_name,
        preferred_name=record.preferred_name,
        cohort_year=record.cohort_year,
        enrollments=[
            _enrollment_out(enrollment)
            for enrollment in record.enrollments.select_related("school").order_by("-entry_date")
        ],
    )


@router.get(
    "/students/{int:student_id}/disclosures",
    response={200: DisclosurePageOut, **READ_ERRORS},
    summary="Who has read or changed the student's record (for the student, guardians, administrators)",
)
def disclosures(request: HttpRequest, student_id: StudentId, query: Query[PageQuery]) -> DisclosurePageOut:
    _, events = student_disclosures(
        context=request_context(request), student_id=student_id, page=query.page, page_size=query.page_size
    )
    return DisclosurePageOut(
        items=[_disclosure_out(line) for line in describe_events(events.items, student_names="first")],
        **page_fields(events),
    )


def _disclosure_out(line: EventLine) -> DisclosureOut:
    event = line.event
    actor = event.actor.display_name if event.actor else (event.actor_username or "Waypoint (automatic)")
    return DisclosureOut(
        occurred_at=event.occurred_at,
        actor=actor,
        action=event.action,
        object_type=event.object_type,
        description=event.description,
        sentence=line.sentence,
        reason=event.reason,
    )
