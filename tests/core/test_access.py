"""The access policy, rule by rule: each role sees exactly its scope, only while its grant is active."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.factories import (
    CaseloadFactory,
    CertificationFactory,
    DistrictFactory,
    EnrollmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    RosterFactory,
    SchoolFactory,
    SectionTeacherFactory,
    StateFactory,
    UserFactory,
)
from waypoint import policy
from waypoint.core.models import Role
from waypoint.policy import Action

pytestmark = pytest.mark.django_db


def visible_ids(user: object) -> set[int]:
    return set(policy.visible_students(user).values_list("id", flat=True))  # type: ignore[arg-type]


@pytest.fixture
def world() -> dict:
    """Two districts of one state, a school in each, students enrolled and on rosters in both."""
    state = StateFactory()
    district_a, district_b = DistrictFactory(parent=state), DistrictFactory(parent=state)
    school_a, school_a2 = SchoolFactory(parent=district_a), SchoolFactory(parent=district_a)
    school_b = SchoolFactory(parent=district_b)
    students = {
        "a1": EnrollmentFactory(student__district=district_a, school=school_a).student,
        "a2": EnrollmentFactory(student__district=district_a, school=school_a).student,
        "a3": EnrollmentFactory(student__district=district_a, school=school_a2).student,
        "b1": EnrollmentFactory(student__district=district_b, school=school_b).student,
    }
    teacher = RoleFactory(role=Role.TEACHER, organization=school_a).user
    taught = SectionTeacherFactory(teacher=teacher, section__school=school_a).section
    RosterFactory(section=taught, student=students["a1"])
    return {
        "state": state,
        "district_a": district_a,
        "district_b": district_b,
        "school_a": school_a,
        "school_b": school_b,
        "teacher": teacher,
        "section": taught,
        **students,
    }


def test_teacher_sees_only_students_on_own_rosters(world: dict) -> None:
    assert visible_ids(world["teacher"]) == {world["a1"].pk}


def test_teacher_loses_student_when_roster_place_ends(world: dict) -> None:
    roster = world["section"].roster.get(student=world["a1"])
    roster.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    roster.save()
    assert visible_ids(world["teacher"]) == set()


def test_teacher_role_is_limited_to_its_district(world: dict) -> None:
    # A roster row in district B (bad data, a stale assignment) must not open B to a district-A teacher.
    foreign = SectionTeacherFactory(teacher=world["teacher"], section__school=world["school_b"]).section
    RosterFactory(section=foreign, student=world["b1"])
    assert visible_ids(world["teacher"]) == {world["a1"].pk}


def test_expired_role_grants_nothing(world: dict) -> None:
    teacher = world["teacher"]
    teacher.role_assignments.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert visible_ids(UserFactory._meta.model.objects.get(pk=teacher.pk)) == set()


def test_advisor_sees_caseload_only(world: dict) -> None:
    advisor = RoleFactory(role=Role.ADVISOR, organization=world["school_a"]).user
    CaseloadFactory(advisor=advisor, student=world["a2"])
    assert visible_ids(advisor) == {world["a2"].pk}


def test_school_admin_sees_students_enrolled_at_the_school(world: dict) -> None:
    admin = RoleFactory(role=Role.SCHOOL_ADMIN, organization=world["school_a"]).user
    assert visible_ids(admin) == {world["a1"].pk, world["a2"].pk}


def test_school_admin_loses_student_who_exits(world: dict) -> None:
    admin = RoleFactory(role=Role.SCHOOL_ADMIN, organization=world["school_a"]).user
    world["a2"].enrollments.update(exit_date=timezone.localdate() - datetime.timedelta(days=1))
    assert visible_ids(admin) == {world["a1"].pk}


def test_district_admin_sees_whole_district_and_nothing_else(world: dict) -> None:
    admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=world["district_a"]).user
    assert visible_ids(admin) == {world["a1"].pk, world["a2"].pk, world["a3"].pk}


def test_state_analyst_and_mentor_see_no_student_rows(world: dict) -> None:
    analyst = RoleFactory(role=Role.STATE_ANALYST, organization=world["state"], district=None).user
    mentor = RoleFactory(role=Role.MENTOR, organization=world["district_a"]).user
    assert visible_ids(analyst) == set()
    assert visible_ids(mentor) == set()


def test_student_sees_self_and_guardian_sees_children(world: dict) -> None:
    student_user = UserFactory()
    world["a1"].user = student_user
    world["a1"].save()
    guardian = GuardianLinkFactory(student=world["a2"]).guardian
    GuardianLinkFactory(guardian=guardian, student=world["a3"])
    assert visible_ids(student_user) == {world["a1"].pk}
    assert visible_ids(guardian) == {world["a2"].pk, world["a3"].pk}


def test_ended_guardian_link_grants_nothing(world: dict) -> None:
    link = GuardianLinkFactory(student=world["a2"], ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert visible_ids(link.guardian) == set()


def test_anonymous_and_inactive_users_see_nothing(world: dict) -> None:
    admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=world["district_a"]).user
    admin.is_active = False
    admin.save()
    assert visible_ids(AnonymousUser()) == set()
    assert visible_ids(admin) == set()
    assert not policy.can(admin, Action.VIEW_STUDENT, world["a1"])


def test_several_roles_combine_without_duplicates(world: dict) -> None:
    teacher = world["teacher"]
    RoleFactory(user=teacher, role=Role.ADVISOR, organization=world["school_a"])
    CaseloadFactory(advisor=teacher, student=world["a1"])
    CaseloadFactory(advisor=teacher, student=world["a2"])
    rows = list(policy.visible_students(teacher).values_list("id", flat=True))
    assert sorted(rows) == sorted({world["a1"].pk, world["a2"].pk})


def test_demographics_and_disclosures_are_for_fewer_roles(world: dict) -> None:
    teacher, student = world["teacher"], world["a1"]
    admin = RoleFactory(role=Role.SCHOOL_ADMIN, organization=world["school_a"]).user
    guardian = GuardianLinkFactory(student=student).guardian
    assert policy.can(teacher, Action.VIEW_STUDENT, student)
    assert not policy.can(teacher, Action.VIEW_DEMOGRAPHICS, student)
    assert not policy.can(teacher, Action.VIEW_DISCLOSURES, student)
    for reader in (admin, guardian):
        assert policy.can(reader, Action.VIEW_DEMOGRAPHICS, student)
        assert policy.can(reader, Action.VIEW_DISCLOSURES, student)
    assert not policy.can(guardian, Action.VIEW_DEMOGRAPHICS, world["a2"])


def test_sections_visible_by_role(world: dict) -> None:
    teacher, section = world["teacher"], world["section"]
    other_section = SectionTeacherFactory(section__school=world["school_a"]).section
    admin = RoleFactory(role=Role.SCHOOL_ADMIN, organization=world["school_a"]).user
    b_admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=world["district_b"]).user
    assert set(policy.visible_sections(teacher)) == {section}
    assert set(policy.visible_sections(admin)) == {section, other_section}
    assert not policy.can(b_admin, Action.VIEW_SECTION, section)
    assert policy.can(teacher, Action.LIST_SECTIONS)
    assert not policy.can(UserFactory(), Action.LIST_SECTIONS)


def test_roles_lists_assigned_and_record_roles(world: dict) -> None:
    guardian = GuardianLinkFactory(student=world["a1"]).guardian
    RoleFactory(user=guardian, role=Role.TEACHER, organization=world["school_a"])
    assert policy.roles(guardian) == ["guardian", "teacher"]
    assert policy.roles(AnonymousUser()) == []


def test_teacher_loses_students_when_teaching_assignment_ends(world: dict) -> None:
    world["section"].teacher_assignments.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert visible_ids(world["teacher"]) == set()
    assert not policy.visible_sections(world["teacher"]).exists()


def test_legitimate_interest_names_the_most_specific_basis(world: dict) -> None:
    teacher, student = world["teacher"], world["a1"]
    admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=world["district_a"]).user
    guardian = GuardianLinkFactory(student=student).guardian
    assert policy.legitimate_interest(teacher, student) == f"Teacher of {world['section'].title}"
    assert policy.legitimate_interest(admin, student) == "District administrator"
    assert policy.legitimate_interest(guardian, student) == "Guardian"
    assert policy.legitimate_interest(teacher) == "Teacher"


def test_only_a_current_certificate_makes_a_certified_teacher(world: dict) -> None:
    teacher = world["teacher"]
    assert policy.current_certification(teacher) is None
    today = timezone.localdate()
    expired = CertificationFactory(teacher=teacher, expires_on=today - datetime.timedelta(days=1))
    assert policy.current_certification(teacher) is None
    current = CertificationFactory(teacher=teacher)
    assert policy.current_certification(teacher) == current
    assert policy.current_certification(teacher, on=expired.issued_on) == current, "the one expiring last"
    assert policy.current_certification(teacher, on=current.expires_on + datetime.timedelta(days=1)) is None
    not_a_teacher = CertificationFactory(teacher=UserFactory()).teacher
    assert policy.current_certification(not_a_teacher) is None
