"""The profile and plan rules of the access policy (`policy/profiles.py`)."""

from __future__ import annotations

import pytest

from tests.factories import GuardianLinkFactory
from tests.pathways.conftest import World
from waypoint.policy import Action, can
from waypoint.policy.profiles import guided_students

pytestmark = pytest.mark.django_db


def test_staff_guide_the_students_in_their_scope_never_their_own(world: World) -> None:
    assert set(guided_students(world.advisor)) == {world.student, world.classmate}
    assert set(guided_students(world.teacher)) == {world.student}
    assert world.student in guided_students(world.admin)
    assert world.outsider not in guided_students(world.admin)
    for user in (world.student_user, world.guardian, world.mentor, world.analyst):
        assert not guided_students(user).exists()
    # A teacher who is also the parent of a student in their class guides the others, not their own child.
    GuardianLinkFactory(guardian=world.teacher, student=world.student)
    assert not guided_students(world.teacher).filter(pk=world.student.pk).exists()


def test_plan_rules(world: World) -> None:
    assert can(world.student_user, Action.EDIT_PLAN, world.student)
    assert can(world.advisor, Action.EDIT_PLAN, world.student)
    assert not can(world.guardian, Action.EDIT_PLAN, world.student)
    assert can(world.advisor, Action.REVIEW_PLAN, world.student)
    assert not can(world.student_user, Action.REVIEW_PLAN, world.student)
    assert can(world.guardian, Action.ACKNOWLEDGE_PLAN, world.student)
    assert not can(world.advisor, Action.ACKNOWLEDGE_PLAN, world.student)
    assert can(world.advisor, Action.COMMENT_PROFILE, world.student)
    assert not can(world.guardian, Action.COMMENT_PROFILE, world.student)
    assert not can(world.other_teacher, Action.VIEW_STUDENT, world.student)
    assert not can(world.mentor, Action.VIEW_STUDENT, world.student)
    assert can(world.guardian, Action.VIEW_STUDENT, world.student)
