"""Property test of the access policy against a plain-Python model of DESIGN.md §2.

Hypothesis builds random worlds of two districts: staff with one role each (some expired), and links from
staff to students (roster places, caseload places, enrollments) that may be expired or, as bad data can be,
point into the other district. For every user the policy must return exactly what the model says, and no
staff member may ever see a student of a district where they hold no active role.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import (
    CaseloadFactory,
    DistrictFactory,
    EnrollmentFactory,
    RoleFactory,
    RosterFactory,
    SchoolFactory,
    SectionTeacherFactory,
    StateFactory,
    StudentFactory,
)
from waypoint import policy
from waypoint.core.models import Role

ROLES = [Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, Role.STATE_ANALYST, Role.MENTOR]
LINKED_ROLES = {Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN}


@dataclass(frozen=True)
class StaffSpec:
    role: Role
    district: int
    active: bool


@dataclass(frozen=True)
class LinkSpec:
    staff: int
    student: int
    district: int
    active: bool


worlds = st.integers(min_value=1, max_value=5).flatmap(
    lambda staff_count: st.tuples(
        st.lists(st.integers(0, 1), min_size=1, max_size=6),
        st.lists(
            st.builds(StaffSpec, st.sampled_from(ROLES), st.integers(0, 1), st.booleans()),
            min_size=staff_count,
            max_size=staff_count,
        ),
        st.lists(
            st.builds(
                LinkSpec, st.integers(0, staff_count - 1), st.integers(0, 5), st.integers(0, 1), st.booleans()
            ),
            max_size=10,
        ),
    )
)


def expected_visible(
    spec: StaffSpec, index: int, student_districts: list[int], links: list[LinkSpec], staff: list[StaffSpec]
) -> set[int]:
    """The policy in plain words: an active role, in its own district, through an active link where needed."""
    if not spec.active or spec.role in (Role.STATE_ANALYST, Role.MENTOR):
        return set()
    in_district = {s for s, district in enumerate(student_districts) if district == spec.district}
    if spec.role == Role.DISTRICT_ADMIN:
        return in_district
    # A school administrator's link is an enrollment at the school, which every administrator of that school
    # sees, whoever's link created it.
    same_school = {
        other
        for other, other_spec in enumerate(staff)
        if spec.role == Role.SCHOOL_ADMIN
        and other_spec.role == Role.SCHOOL_ADMIN
        and other_spec.district == spec.district
    }
    linked = {
        link.student
        for link in links
        if (link.staff == index or link.staff in same_school)
        and link.active
        and link.student < len(student_districts)
        # A caseload row must itself be in the advisor's district; roster places and enrollments are
        # guarded by the student's district alone.
        and (spec.role != Role.ADVISOR or link.district == spec.district)
    }
    return linked & in_district


class TenantIsolationTest(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(world=worlds)
    def test_policy_matches_the_model(self, world: tuple[list[int], list[StaffSpec], list[LinkSpec]]) -> None:
        student_districts, staff_specs, links = world
        today = policy.today()
        past = today - datetime.timedelta(days=30)
        state = StateFactory()
        districts = [DistrictFactory(parent=state), DistrictFactory(parent=state)]
        schools = [SchoolFactory(parent=district) for district in districts]
        students = [StudentFactory(district=districts[d]) for d in student_districts]
        staff = []
        for spec in staff_specs:
            organization = {Role.STATE_ANALYST: state, Role.DISTRICT_ADMIN: districts[spec.district]}.get(
                spec.role, schools[spec.district]
            )
            staff.append(
                RoleFactory(
                    role=spec.role,
                    organization=organization,
                    district=None if spec.role == Role.STATE_ANALYST else districts[spec.district],
                    ends_on=None if spec.active else past,
                    starts_on=past - datetime.timedelta(days=300),
                ).user
            )
        for link in links:
            if link.student >= len(students):
                continue
            user, student, role = staff[link.staff], students[link.student], staff_specs[link.staff].role
            ends_on = None if link.active else past
            if role == Role.TEACHER:
                section = SectionTeacherFactory(teacher=user, section__school=schools[link.district]).section
                RosterFactory(section=section, student=student, ends_on=ends_on, starts_on=past)
            elif role == Role.ADVISOR:
                CaseloadFactory(
                    advisor=user, student=student, district=districts[link.district], ends_on=ends_on
                )
            elif role == Role.SCHOOL_ADMIN:
                EnrollmentFactory(
                    student=student,
                    school=schools[staff_specs[link.staff].district],
                    exit_date=ends_on,
                    entry_date=past - datetime.timedelta(days=10),
                )
        for index, (user, spec) in enumerate(zip(staff, staff_specs, strict=True)):
            visible = set(policy.visible_students(user).values_list("id", flat=True))
            expected = {
                students[s].pk for s in expected_visible(spec, index, student_districts, links, staff_specs)
            }
            assert visible == expected, (spec, visible, expected)
            assert all(
                students[s].district_id == districts[spec.district].pk
                for s in range(len(students))
                if students[s].pk in visible
            )
