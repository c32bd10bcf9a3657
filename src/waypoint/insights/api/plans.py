"""The schools' action plans under /api/v1/insights/plans: the plans of the schools you read (paged), one plan
with its actions and the readings of its measure against the goal, a new plan (from scratch or from a
subgroup alert), and a new action. The same selectors and services as the pages: a plan of a school you do
not read answers 404, bad input 400 with every problem, a write that collides with another 409."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from waypoint.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Id,
    PageOut,
    PageQuery,
    RefId,
    Text,
    page_fields,
)
from waypoint.core.paging import page_of
from waypoint.insights.api.dashboard import FigureTableOut
from waypoint.insights.dimensions import ALL
from waypoint.insights.models import ActionPlan, ActionStep, PlanReading
from waypoint.insights.selectors import plans as reads
from waypoint.insights.selectors.filters import MAX_COHORT, MAX_GRADE, MIN_COHORT, MIN_GRADE
from waypoint.insights.services import plans as services
from waypoint.policy import request_context

router = Router()

# A plan starts with a few actions; more are added one at a time.
MAX_FIRST_STEPS = 50
Goal = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]


class ActionStepIn(Schema):
    description: Text = Field(min_length=1, max_length=500)
    owner_id: RefId = Field(description="A member of the staff of the school's district.")
    due_on: Day = Field(description="Today or later.")


class ActionPlanIn(Schema):
    school_id: RefId | None = Field(
        None, description="The school; may be left out for a plan opened from an alert (the alert's school)."
    )
    title: Text = Field(min_length=1, max_length=200)
    measure: str = Field(
        max_length=32,
        description="on_track_share, off_track_share, mean_pace, participation_share or attainment_share.",
    )
    dimension: str = Field(
        ALL, max_length=32, description="A reporting dimension, e.g. `race`; `all` for all."
    )
    subgroup: str = Field(ALL, max_length=32, description="A group of the dimension, e.g. `hispanic`.")
    grade: int | None = Field(None, ge=MIN_GRADE, le=MAX_GRADE)
    cohort: int | None = Field(None, ge=MIN_COHORT, le=MAX_COHORT)
    goal: Goal = Field(description="A share in percent (0–100), or a mean pace (0–50 competencies a month).")
    goal_on: Day = Field(description="After today.")
    rationale: Text = Field("", max_length=4000)
    alert_id: RefId | None = Field(
        None, description="A subgroup pace alert the plan answers: the plan takes its school and group."
    )
    steps: list[ActionStepIn] = Field(default=[], max_length=MAX_FIRST_STEPS)


class PlanReadingOut(Schema):
    measured_on: datetime.date
    value: float | None = Field(description="Null when suppression hides the group's figure.")


class ActionStepOut(Schema):
    id: int
    description: str
    owner_id: int
    owner: str
    due_on: datetime.date
    done_on: datetime.date | None
    overdue: bool


class ActionPlanSummaryOut(Schema):
    id: int
    school_id: int
    school: str
    title: str
    measure: str
    measure_label: str
    dimension: str
    subgroup: str
    group_label: str
    grade: int | None
    cohort: int | None
    baseline: float | None = Field(description="The reading when the plan was opened; null when hidden.")
    goal: float
    goal_on: datetime.date
    status: str = Field(description="open, met or closed")
    updated_at: datetime.datetime


class ActionPlanListItemOut(ActionPlanSummaryOut):
    latest: PlanReadingOut | None
    open_steps: int
    overdue_steps: int


class ActionPlanOut(ActionPlanSummaryOut):
    rationale: str
    alert_id: int | None
    created_by: str
    created_at: datetime.datetime
    steps: list[ActionStepOut]
    readings: list[PlanReadingOut]
    table: FigureTableOut = Field(description="The baseline and the readings beside the goal.")


class ActionPlanPageOut(PageOut):
    items: list[ActionPlanListItemOut]


def _summary(plan: ActionPlan) -> dict[str, object]:
    row = reads.PlanRow(plan)
    return {
        "id": plan.pk,
        "school_id": plan.school_id,
        "school": plan.school.name,
        "title": plan.title,
        "measure": plan.measure,
        "measure_label": row.measure_label,
        "dimension": plan.dimension,
        "subgroup": plan.subgroup,
        "group_label": row.group_label,
        "grade": plan.grade,
        "cohort": plan.cohort,
        "baseline": plan.baseline,
        "goal": plan.goal,
        "goal_on": plan.goal_on,
        "status": plan.status,
        "updated_at": plan.updated_at,
    }


def _reading(reading: PlanReading) -> PlanReadingOut:
    return PlanReadingOut(measured_on=reading.measured_on, value=reading.value)


def _step(page: reads.PlanPage, step: ActionStep) -> ActionStepOut:
    return ActionStepOut(
        id=step.pk,
        description=step.description,
        owner_id=step.owner_id,
        owner=step.owner.display_name,
        due_on=step.due_on,
        done_on=step.done_on,
        overdue=page.overdue(step),
    )


def _plan_out(page: reads.PlanPage) -> ActionPlanOut:
    plan = page.plan
    return ActionPlanOut(
        **_summary(plan),  # type: ignore[arg-type]
        rationale=plan.rationale,
        alert_id=plan.alert_id,
        created_by=plan.created_by.display_name,
        created_at=plan.created_at,
        steps=[_step(page, step) for step in page.steps],
        readings=[_reading(reading) for reading in page.readings],
        table=FigureTableOut.of(page.table()),
    )


@router.get(
    "/plans",
    response={200: ActionPlanPageOut, **LIST_ERRORS},
    summary="The action plans of the schools you read",
)
def plans(request: HttpRequest, query: Query[PageQuery]) -> ActionPlanPageOut:
    """The plans of the schools you administer (every school of a district you administer), open ones
    first, each with its latest reading and how many of its actions are open and overdue."""
    page = page_of(reads.plan_list(context=request_context(request)), number=query.page, size=query.page_size)
    items = []
    for plan in page.items:
        latest_on = getattr(plan, "latest_on", None)
        items.append(
            ActionPlanListItemOut(
                **_summary(plan),  # type: ignore[arg-type]
                latest=PlanReadingOut(measured_on=latest_on, value=getattr(plan, "latest_value", None))
                if latest_on
                else None,
                open_steps=getattr(plan, "open_steps", 0),
                overdue_steps=getattr(plan, "overdue_steps", 0),
            )
        )
    return ActionPlanPageOut(items=items, **page_fields(page))


@router.get(
    "/plans/{int:plan_id}",
    response={200: ActionPlanOut, **READ_ERRORS},
    summary="One action plan: its measure against the goal over time, and its actions",
)
def plan(request: HttpRequest, plan_id: Id) -> ActionPlanOut:
    """A plan of a school you read; any other answers 404."""
    return _plan_out(reads.plan_get(context=request_context(request), plan_id=plan_id))


@router.post(
    "/plans",
    response={201: ActionPlanOut, **WRITE_ERRORS},
    summary="Open an action plan for a school",
)
def plan_create(request: HttpRequest, payload: ActionPlanIn) -> Status[ActionPlanOut]:
    """Set a goal on a measure for a school (or one of its groups, grades or cohorts), with its first
    actions. The baseline is the measure's reading today (null when suppression hides it). With `alert_id`,
    the plan answers a subgroup pace alert and is for its school and group. Every problem answers 400 at
    once; nothing is written."""
    context = request_context(request)
    created = services.plan_create(
        context=context,
        school_id=payload.school_id,
        title=payload.title,
        measure=payload.measure,
        dimension=payload.dimension,
        subgroup=payload.subgroup,
        grade=payload.grade,
        cohort=payload.cohort,
        goal=payload.goal,
        goal_on=payload.goal_on,
        rationale=payload.rationale,
        alert_id=payload.alert_id,
        steps=[
            services.StepIn(description=step.description, owner_id=step.owner_id, due_on=step.due_on)
            for step in payload.steps
        ],
    )
    return Status(201, _plan_out(reads.plan_get(context=context, plan_id=created.pk, audit=False)))


@router.post(
    "/plans/{int:plan_id}/steps",
    response={201: ActionStepOut, **WRITE_ERRORS},
    summary="Add an action to a plan",
)
def plan_step_add(request: HttpRequest, plan_id: Id, payload: ActionStepIn) -> Status[ActionStepOut]:
    """An action with its owner (on the staff of the school's district) and due date. A closed plan takes
    no new action (409)."""
    context = request_context(request)
    step = services.step_add(
        context=context,
        plan_id=plan_id,
        description=payload.description,
        owner_id=payload.owner_id,
        due_on=payload.due_on,
    )
    page = reads.plan_get(context=context, plan_id=plan_id, audit=False)
    return Status(201, _step(page, next(s for s in page.steps if s.pk == step.pk)))
