"""The request context: the acting district by one rule, the own record, guarded students, roles; and the
page that lets a person with roles in several districts choose, remembered for the session."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from tests.factories import (
    DistrictFactory,
    GuardianLinkFactory,
    RoleFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)
from waypoint import policy
from waypoint.core.models import Role

pytestmark = pytest.mark.django_db


def test_anonymous_has_an_empty_context() -> None:
    context = policy.access_context(AnonymousUser())
    assert context.roles == frozenset()
    assert context.acting_district_id is None
    assert not context.can(policy.Action.VIEW_FRAMEWORK)


def test_a_teacher_acts_for_the_district_of_their_role() -> None:
    school = SchoolFactory()
    teacher = RoleFactory(role=Role.TEACHER, organization=school).user
    context = policy.access_context(teacher)
    assert context.roles == {"teacher"}
    assert context.districts == (school.parent_id,)
    assert context.acting_district_id == school.parent_id
    assert not context.must_choose_district


def test_a_student_and_guardian_are_known_from_their_records() -> None:
    student = StudentFactory(user=UserFactory())
    link = GuardianLinkFactory(student=StudentFactory())
    as_student = policy.access_context(student.user)
    assert as_student.own_student_id == student.pk
    assert as_student.is_student
    assert not as_student.is_guardian
    assert as_student.acting_district_id == student.district_id
    assert as_student.reads_student_language_first
    as_guardian = policy.access_context(link.guardian)
    assert as_guardian.guarded_student_ids == (link.student_id,)
    assert as_guardian.roles == {"guardian"}
    assert as_guardian.acting_district_id == link.student.district_id


def test_an_ended_guardian_link_gives_nothing() -> None:
    link = GuardianLinkFactory(ends_on=policy.today() - datetime.timedelta(days=1))
    assert policy.access_context(link.guardian).guarded_student_ids == ()


def test_roles_in_two_districts_ask_for_a_choice_unless_the_home_district_is_one_of_them() -> None:
    first, second = DistrictFactory(), DistrictFactory()
    person = UserFactory()
    RoleFactory(user=person, role=Role.TEACHER, organization=SchoolFactory(parent=first))
    RoleFactory(user=person, role=Role.ADVISOR, organization=SchoolFactory(parent=second))
    context = policy.access_context(person)
    assert set(context.districts) == {first.pk, second.pk}
    assert context.acting_district_id is None
    assert context.must_choose_district
    # The choice wins while it is one of theirs; a district they do not work in is ignored.
    assert policy.access_context(person, chosen_district_id=second.pk).acting_district_id == second.pk
    assert policy.access_context(person, chosen_district_id=DistrictFactory().pk).acting_district_id is None
    person.district = first
    person.save()
    assert policy.access_context(person).acting_district_id == first.pk
    assert policy.access_context(person, chosen_district_id=second.pk).acting_district_id == second.pk


def test_a_home_district_without_a_role_there_is_not_acted_for() -> None:
    role = RoleFactory(role=Role.TEACHER)
    role.user.district = DistrictFactory()
    role.user.save()
    assert policy.access_context(role.user).acting_district_id == role.district_id


def test_the_choice_is_made_on_a_page_and_kept_for_the_session() -> None:
    first, second = DistrictFactory(name="Alpha district"), DistrictFactory(name="Beta district")
    person = UserFactory()
    RoleFactory(user=person, role=Role.TEACHER, organization=SchoolFactory(parent=first))
    RoleFactory(user=person, role=Role.TEACHER, organization=SchoolFactory(parent=second))
    client = Client()
    client.force_login(person)
    page = client.get(reverse("acting-district"))
    assert page.status_code == 200
    assert "Alpha district" in page.content.decode()
    assert "Beta district" in page.content.decode()
    refused = client.post(reverse("acting-district"), {"district": DistrictFactory().pk})
    assert refused.status_code == 403
    assert "Choose one of the districts" in refused.content.decode()
    assert client.session.get(policy.ACTING_DISTRICT_SESSION_KEY) is None
    chosen = client.post(reverse("acting-district"), {"district": second.pk})
    assert chosen.status_code == 302
    assert client.session[policy.ACTING_DISTRICT_SESSION_KEY] == second.pk
    checked = client.get(reverse("acting-district"))
    assert f'value="{second.pk}" checked' in checked.content.decode()


def test_decisions_without_an_object_are_made_once_per_context(
    django_assert_num_queries: object,
) -> None:
    teacher = RoleFactory(role=Role.DISTRICT_ADMIN, organization=DistrictFactory()).user
    context = policy.access_context(teacher)
    assert context.can(policy.Action.VIEW_DISTRICT_AUDIT)
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert context.can(policy.Action.VIEW_DISTRICT_AUDIT)
        assert context.has_role(Role.DISTRICT_ADMIN)


def test_a_person_who_must_choose_is_asked_on_the_home_page_and_in_the_navigation() -> None:
    person = UserFactory()
    RoleFactory(user=person, role=Role.TEACHER, organization=SchoolFactory(parent=DistrictFactory()))
    RoleFactory(user=person, role=Role.TEACHER, organization=SchoolFactory(parent=DistrictFactory()))
    client = Client()
    client.force_login(person)
    home = client.get(reverse("home")).content.decode()
    assert "Choose the district you act for" in home
    assert "Choose your district" in home
    chosen = policy.access_context(person).districts[0]
    client.post(reverse("acting-district"), {"district": chosen})
    home = client.get(reverse("home")).content.decode()
    assert "Choose the district you act for" not in home
    assert "Change district" in home
