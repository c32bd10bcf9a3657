"""The path rules of the access policy (`policy/pathways.py`); the profile and plan rules are tested in
tests/profiles, the catalog rules in tests/catalog."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import RoleFactory, UserFactory
from tests.pathways.conftest import World, opportunity, propose
from waypoint.core.models import Role, RoleAssignment
from waypoint.pathways import services
from waypoint.pathways.models import PathStatus
from waypoint.policy import Action, can, today
from waypoint.policy.pathways import (
    mentor_active_paths,
    visible_paths,
)

pytestmark = pytest.mark.django_db


def test_only_the_student_proposes_and_keeps_the_profile(world: World) -> None:
    for action in (Action.PROPOSE_PATH, Action.EDIT_PROFILE):
        assert can(world.student_user, action, world.student)
        for other in (world.guardian, world.advisor, world.teacher, world.admin, world.mentor):
            assert not can(other, action, world.student)
        assert not can(world.student_user, action, world.classmate)
    assert can(world.student_user, Action.PROPOSE_PATH)
    assert not can(world.advisor, Action.PROPOSE_PATH)


def test_only_staff_with_the_student_in_scope_decide(world: World) -> None:
    path = propose(world)
    deciders = {world.advisor, world.teacher, world.admin}
    for user in (
        world.student_user,
        world.guardian,
        world.mentor,
        world.other_teacher,
        world.analyst,
        *deciders,
    ):
        assert can(user, Action.DECIDE_PATH, path) == (user in deciders), user
    assert can(world.student_user, Action.REVISE_PATH, path)
    assert not can(world.advisor, Action.REVISE_PATH, path)
    assert can(world.student_user, Action.WITHDRAW_PATH, path)
    assert can(world.advisor, Action.WITHDRAW_PATH, path)
    assert not can(world.guardian, Action.WITHDRAW_PATH, path)


def test_a_mentor_sees_a_path_only_while_it_is_active(world: World) -> None:
    path = propose(world, ends_on=today() + datetime.timedelta(days=30))
    assert not mentor_active_paths(world.mentor).exists()
    assert not can(world.mentor, Action.VIEW_PATH, path)
    services.path_approve(context=world.context(world.advisor), path=path)
    assert list(mentor_active_paths(world.mentor)) == [path]
    assert list(visible_paths(world.mentor)) == [path]
    assert can(world.mentor, Action.VIEW_PATH, path)
    assert not can(world.mentor, Action.DECIDE_PATH, path)
    # Not after its last day, not for another mentor, not once the mentor's role has ended.
    assert not mentor_active_paths(world.mentor, on=today() + datetime.timedelta(days=31)).exists()
    assert not mentor_active_paths(world.teacher).exists()
    RoleAssignment.objects.filter(user=world.mentor).update(ends_on=today() - datetime.timedelta(days=1))
    world.mentor.__dict__.pop("_waypoint_grants", None)
    assert not mentor_active_paths(world.mentor).exists()
    RoleAssignment.objects.filter(user=world.mentor).update(ends_on=None)
    world.mentor.__dict__.pop("_waypoint_grants", None)
    services.path_complete(context=world.context(world.advisor), path=path)
    assert not mentor_active_paths(world.mentor).exists()
    assert path.__class__.objects.get(pk=path.pk).status == PathStatus.COMPLETED


def test_paths_are_read_by_those_who_read_the_student(world: World) -> None:
    path = propose(world)
    for user in (world.student_user, world.guardian, world.advisor, world.teacher, world.admin):
        assert visible_paths(user).filter(pk=path.pk).exists(), user
    for user in (world.other_teacher, world.analyst, world.mentor):
        assert not visible_paths(user).exists(), user


def test_participants_are_for_the_districts_staff_and_the_report_for_administrators(world: World) -> None:
    other = opportunity(world.district, world.provider, title="Other")
    for user in (world.advisor, world.teacher, world.admin):
        assert can(user, Action.VIEW_PARTICIPANTS, other)
    for user in (world.student_user, world.guardian, world.mentor, world.other_teacher):
        assert not can(user, Action.VIEW_PARTICIPANTS, other)
    assert can(world.admin, Action.VIEW_ACCESS_REPORT)
    assert can(world.admin, Action.VIEW_ACCESS_REPORT, world.school)
    assert can(world.admin, Action.VIEW_ACCESS_REPORT, world.district)
    assert not can(world.admin, Action.VIEW_ACCESS_REPORT, world.other_district)
    principal = UserFactory(district=world.district)
    RoleFactory(user=principal, role=Role.SCHOOL_ADMIN, organization=world.school)
    assert can(principal, Action.VIEW_ACCESS_REPORT, world.school)
    assert not can(principal, Action.VIEW_ACCESS_REPORT, world.district)
    for user in (world.teacher, world.advisor, world.student_user, world.analyst):
        assert not can(user, Action.VIEW_ACCESS_REPORT)
