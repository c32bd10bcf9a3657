"""The people panels of a home page: the district to act for, a teacher's certification, the own record and
the children's records, the caseload and the students in scope, the data an administrator should fix, and the
state analyst's aggregate view of the state."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.home import PROGRESS, REFERENCE, TODAY, URGENT, HomeItem, HomePanel
from waypoint.core.models import (
    AdvisorAssignment,
    Organization,
    Role,
    SectionTeacher,
    StudentEnrollment,
    User,
)
from waypoint.core.row_security import district_scope
from waypoint.insights.suppression import suppress_sizes
from waypoint.people.selectors import caseload_size, current_enrollment, family_students
from waypoint.policy import AccessContext, Action, request_context


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    panels: list[HomePanel] = []
    if access.must_choose_district:
        panels.append(_choose_district())
    if access.has_role(Role.TEACHER):
        panels.append(_certification(access))
    if access.own_student_id is not None:
        panels.append(_own_record(access.own_student_id))
    if access.is_guardian:
        panels.append(_children(request))
    if access.can(Action.VIEW_CASELOAD):
        panels.append(_caseload(request))
    if access.has_role(Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN):
        panels.extend(_administration(user))
    if access.has_role(Role.STATE_ANALYST):
        panels.append(_state(access))
    return panels


def _choose_district() -> HomePanel:
    return HomePanel(
        key="choose-district",
        title=gettext("Choose your district"),
        order=URGENT,
        tone="warning",
        intro=gettext(
            "You work or study in more than one district. Choose the district you act for to see its "
            "students, assessments and calculation rules."
        ),
        items=(
            HomeItem(gettext("Choose the district you act for"), reverse("acting-district"), tone="action"),
        ),
    )


def _certification(access: AccessContext) -> HomePanel:
    """Whether the teacher's scores set mastery levels: the first thing an uncertified teacher must know."""
    certification = policy.current_certification(access.user, access.on)
    if certification is None:
        return HomePanel(
            key="certification",
            title=gettext("Your teaching certificate"),
            order=URGENT + 5,
            tone="warning",
            intro=gettext(
                "Not certified: no current teaching certificate is on file. Your scores will count as "
                "feedback, not as mastery levels. Ask your district office to record a renewed certificate."
            ),
        )
    return HomePanel(
        key="certification",
        title=gettext("Your teaching certificate"),
        order=REFERENCE + 25,
        intro=gettext(
            "Certified teacher: %(area)s, certificate %(number)s, valid until %(date)s. Your scores can set "
            "mastery levels."
        )
        % {
            "area": certification.area,
            "number": certification.number,
            "date": date_format(certification.expires_on),
        },
    )


def _own_record(student_id: int) -> HomePanel:
    return HomePanel(
        key="own-record",
        title=gettext("Your record"),
        order=REFERENCE + 10,
        items=(
            HomeItem(
                gettext("My record"),
                reverse("student-detail", args=[student_id]),
                detail=gettext("Your school, grade, classes, advisor and guardians."),
            ),
            HomeItem(
                gettext("Who has viewed my record"),
                reverse("student-disclosures", args=[student_id]),
                detail=gettext("Every time someone opens your record, it is written down here."),
            ),
        ),
    )


def _grade(level: int) -> str:
    return gettext("Kindergarten") if level == 0 else gettext("Grade %(grade)s") % {"grade": level}


def _children(request: HttpRequest) -> HomePanel:
    """Each child's record, with their school and grade today (the children are audited as listed)."""
    children = [
        student
        for student in family_students(context=request_context(request))
        if student.user_id != request.user.pk
    ]
    items = []
    for child in children:
        enrollment = current_enrollment(child)
        detail = (
            f"{enrollment.school.name} · {_grade(enrollment.grade_level)}"
            if enrollment
            else gettext("Not enrolled at a school today")
        )
        items.append(HomeItem(child.full_name, reverse("student-detail", args=[child.pk]), detail=detail))
    return HomePanel(
        key="children",
        title=gettext("Your children's records"),
        order=REFERENCE + 10,
        items=tuple(items),
        empty=gettext("No children are linked to your account."),
        intro=gettext("Each record shows who else has opened it."),
    )


def _caseload(request: HttpRequest) -> HomePanel:
    size = caseload_size(context=request_context(request))
    return HomePanel(
        key="caseload",
        title=gettext("Your caseload"),
        order=REFERENCE,
        items=(
            (
                HomeItem(
                    ngettext("%(count)s student you advise", "%(count)s students you advise", size)
                    % {"count": size},
                    reverse("caseload"),
                ),
            )
            if size
            else ()
        ),
        empty=gettext("No students are in your caseload today."),
    )


def _administration(user: User) -> list[HomePanel]:
    """The students an administrator may open, and the roster data that needs fixing."""
    quality = data_quality(user, policy.today())
    in_scope = policy.visible_students(user).count()
    warnings = []
    if quality.students_without_advisor:
        warnings.append(
            HomeItem(
                gettext("Students without an advisor"),
                reverse("student-list"),
                count=quality.students_without_advisor,
                detail=gettext("Enrolled today with no advisor or counselor to follow their success plan."),
                tone="warning",
            )
        )
    if quality.sections_without_teacher:
        warnings.append(
            HomeItem(
                gettext("Sections without a teacher"),
                reverse("section-list"),
                count=quality.sections_without_teacher,
                detail=gettext("Running today with no teacher assigned: no one can score their evidence."),
                tone="warning",
            )
        )
    return [
        HomePanel(
            key="data-quality",
            title=gettext("Data to fix"),
            order=TODAY + 20,
            tone="warning" if warnings else "info",
            items=tuple(warnings),
            empty=gettext("Every student enrolled today has an advisor and every section has a teacher."),
        ),
        HomePanel(
            key="students-in-scope",
            title=gettext("Students"),
            order=PROGRESS + 20,
            items=(
                HomeItem(
                    ngettext("%(count)s student you can see", "%(count)s students you can see", in_scope)
                    % {"count": in_scope},
                    reverse("student-list"),
                    detail=gettext("Search and open student records."),
                ),
            ),
        ),
    ]


def _state(access: AccessContext) -> HomePanel:
    overview = state_overview(
        {grant.organization_id for grant in access.grants if grant.role == Role.STATE_ANALYST}, access.on
    )
    return HomePanel(
        key="state-overview",
        title=gettext("What the state sees today"),
        order=PROGRESS,
        intro=gettext(
            "State analysts see aggregate figures only; no student records are shown. Counts under "
            "%(size)s students are hidden so no small group can be singled out."
        )
        % {"size": overview.min_size},
        template="people/home/state_overview.html",
        context={"overview": overview},
        empty=gettext("No districts are set up yet."),
    )


# The reads behind the administrators' and the state analyst's panels: counts only, no student row leaves.


@dataclass(frozen=True)
class DataQuality:
    students_without_advisor: int
    sections_without_teacher: int


def data_quality(user: User, on: datetime.date) -> DataQuality:
    """In the administrator's scope: students enrolled today with no advisor, and sections running today with
    no teacher (two counts)."""
    enrolled = StudentEnrollment.objects.filter(policy.active_on(on, start="entry_date", end="exit_date"))
    advised = AdvisorAssignment.objects.filter(policy.active_on(on))
    taught = SectionTeacher.objects.filter(policy.active_on(on))
    return DataQuality(
        students_without_advisor=policy.visible_students(user, on)
        .filter(id__in=enrolled.values("student_id"))
        .exclude(id__in=advised.values("student_id"))
        .count(),
        sections_without_teacher=policy.visible_sections(user, on)
        .filter(starts_on__lte=on, ends_on__gte=on)
        .exclude(id__in=taught.values("section_id"))
        .count(),
    )


@dataclass(frozen=True)
class DistrictFigures:
    name: str
    schools: int
    students: int | None  # None: hidden, too few to show


@dataclass(frozen=True)
class StateOverview:
    districts: list[DistrictFigures]
    schools: int
    students: int | None
    min_size: int


def state_overview(state_ids: Collection[int], on: datetime.date) -> StateOverview:
    """The districts of the analyst's state with their schools and the students enrolled today. Each
    district's count is a group size: under WAYPOINT_SUPPRESSION_MIN_DENOMINATOR (20, Connecticut's rule) it
    is hidden, with its complements, so no hidden count can be found by subtraction from the state's total.
    Two queries."""
    districts = list(
        Organization.objects.filter(kind=Organization.Kind.DISTRICT, parent_id__in=list(state_ids))
        .annotate(schools=Count("children", filter=Q(children__kind=Organization.Kind.SCHOOL)))
        .order_by("name", "id")
    )
    # Counts per district over every district of the state: the analyst's row-level security scope holds
    # the aggregate tables only, so the count runs in the system scope; no student is shown, and small
    # counts are hidden below.
    with district_scope(None):
        enrolled = dict(
            StudentEnrollment.objects.filter(
                policy.active_on(on, start="entry_date", end="exit_date"),
                district_id__in=[district.pk for district in districts],
            )
            .values_list("district_id")
            .annotate(students=Count("student_id", distinct=True))
            .order_by()
        )
    min_size = settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    shown = suppress_sizes(
        {district.pk: enrolled.get(district.pk, 0) for district in districts}, min_denominator=min_size
    )
    return StateOverview(
        districts=[
            DistrictFigures(district.name, district.schools, shown.cells[district.pk])
            for district in districts
        ],
        schools=sum(district.schools for district in districts),
        students=shown.total,
        min_size=min_size,
    )
