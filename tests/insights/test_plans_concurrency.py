"""Two people changing one action plan at the same moment: one change is saved and the other is refused as a
conflict, never both saved over each other. Real PostgreSQL connections, committed transactions (see
tests/concurrency.py); skipped on SQLite, whose writing transactions begin one at a time."""

from __future__ import annotations

import datetime
from functools import partial

import pytest
from django.utils import timezone

from tests.concurrency import (  # noqa: F401  (the fixtures)
    ScratchDatabase,
    _race_template,
    scratch_postgres_fixture,
)
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict
from waypoint.core.models import AuditEvent, Organization, User
from waypoint.insights.models import ActionPlan, ActionStep, PlanStatus
from waypoint.insights.services import plans as services

LATER = timezone.localdate() + datetime.timedelta(days=90)


def _admin() -> RequestContext:
    return RequestContext(user=User.objects.get(username="district-admin"))


def _plan_with_a_step() -> tuple[int, int, datetime.datetime]:
    plan = services.plan_create(
        context=_admin(),
        school_id=Organization.objects.get(slug="riverside-high").pk,
        title="Race test",
        measure="on_track_share",
        goal=70.0,
        goal_on=LATER,
        steps=[services.StepIn("Tutoring", User.objects.get(username="advisor").pk, LATER)],
    )
    return plan.pk, plan.steps.get().pk, plan.updated_at


def _done(plan_id: int, step_id: int) -> None:
    services.step_done(context=_admin(), plan_id=plan_id, step_id=step_id)


def _update(plan_id: int, seen: datetime.datetime, status: str) -> None:
    services.plan_update(context=_admin(), plan_id=plan_id, status=status, expected_updated_at=seen)


def _state(plan_id: int, step_id: int) -> tuple[str, datetime.date | None, int, int]:
    return (
        ActionPlan.objects.get(pk=plan_id).status,
        ActionStep.objects.get(pk=step_id).done_on,
        AuditEvent.objects.filter(object_type="action-plan", action="update", object_id=str(plan_id)).count(),
        AuditEvent.objects.filter(object_type="action-step", action="update", object_id=str(step_id)).count(),
    )


@pytest.mark.django_db
def test_two_people_marking_one_action_and_updating_one_plan_at_once(
    scratch_postgres: ScratchDatabase,
) -> None:
    plan_id, step_id, seen = scratch_postgres.one(_plan_with_a_step)
    marked = scratch_postgres.run(partial(_done, plan_id, step_id), partial(_done, plan_id, step_id))
    assert sorted(type(outcome.error).__name__ for outcome in marked) == ["Conflict", "NoneType"]
    updated = scratch_postgres.run(
        partial(_update, plan_id, seen, PlanStatus.CLOSED), partial(_update, plan_id, seen, PlanStatus.MET)
    )
    errors = [outcome.error for outcome in updated]
    assert errors.count(None) == 1
    assert sum(isinstance(error, Conflict) for error in errors) == 1
    status, done_on, plan_updates, step_updates = scratch_postgres.one(partial(_state, plan_id, step_id))
    winner = PlanStatus.CLOSED if errors[0] is None else PlanStatus.MET
    assert status == winner
    assert done_on is not None
    assert (plan_updates, step_updates) == (1, 1)
