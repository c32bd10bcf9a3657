"""Edits of different goals of one success plan at the same moment each add a revision to the plan: they take
turns on the plan's row, not only on their goal's (before, 5 of 18 increments were lost). Real PostgreSQL
connections, committed transactions (see tests/concurrency.py); skipped on SQLite, whose writing
transactions begin one at a time."""

from __future__ import annotations

from functools import partial

import pytest

from tests.concurrency import (  # noqa: F401  (the fixtures)
    ScratchDatabase,
    _race_template,
    scratch_postgres_fixture,
)
from waypoint.core.audit import RequestContext
from waypoint.core.models import Student, User
from waypoint.profiles import services
from waypoint.profiles.models import GoalDomain, PlanGoal, SuccessPlan

ROUNDS = 6


def _student() -> Student:
    return Student.objects.get(user__username="student")


def _three_goals() -> list[int]:
    context = RequestContext(user=User.objects.get(username="student"))
    return [
        services.goal_add(
            context=context,
            student=_student(),
            fields=services.GoalFields(domain=GoalDomain.ACADEMIC, statement=f"Goal {number} of three"),
        ).pk
        for number in (1, 2, 3)
    ]


def _revision() -> int:
    return SuccessPlan.objects.get(student=_student()).revision


def _edit(goal_id: int, round_number: int) -> None:
    context = RequestContext(user=User.objects.get(username="student"))
    services.goal_update(
        context=context,
        goal=PlanGoal.objects.get(pk=goal_id),
        fields=services.GoalFields(
            domain=GoalDomain.ACADEMIC, statement=f"Goal {goal_id}, edited in round {round_number}"
        ),
    )


@pytest.mark.django_db
def test_three_goal_edits_at_once_each_add_a_revision(scratch_postgres: ScratchDatabase) -> None:
    goals = scratch_postgres.one(_three_goals)
    start = scratch_postgres.one(_revision)
    for round_number in range(ROUNDS):
        outcomes = scratch_postgres.run(*(partial(_edit, goal_id, round_number) for goal_id in goals))
        assert [outcome.error for outcome in outcomes] == [None, None, None]
    assert scratch_postgres.one(_revision) == start + 3 * ROUNDS
