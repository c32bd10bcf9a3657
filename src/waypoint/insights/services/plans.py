"""Writing the schools' action plans, after CSDE's Cycle of Action: set a goal on a dashboard measure, name
the actions with their owners and dates, read the measure against the goal at each refresh, adjust.

Every write is one transaction with its audit row (`action-plan`, `action-step`). Two people editing one
plan at once never lose a write: the plan (or the action) is locked for the change (`select_for_update`,
which PostgreSQL honours; SQLite runs writing transactions one at a time), and a change made from a page
that showed an older version of the plan (`expected_updated_at`), or marking done an action someone else
has just marked, is refused as a conflict (409) with its reason."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import AuditAction, Organization, User
from waypoint.insights.dimensions import ALL, is_group
from waypoint.insights.measures import MEASURES, Measure, Reading, read
from waypoint.insights.models import ActionPlan, ActionStep, PlanReading, PlanStatus
from waypoint.insights.selectors.dashboard import group_figures
from waypoint.insights.selectors.filters import MAX_COHORT, MAX_GRADE, MIN_COHORT, MIN_GRADE, Filters
from waypoint.insights.selectors.plans import (
    OBJECT_TYPE,
    alert_for_plan,
    hidden,
    refused,
    step_owners,
)
from waypoint.policy import Action

STEP_OBJECT_TYPE = "action-step"
# The goal a measure may take: a share is a percentage; a mean pace above 50 competencies a month is no
# school's goal, only a typo.
GOAL_RANGES: dict[str, tuple[float, float]] = {"percent": (0.0, 100.0), "pace": (0.0, 50.0)}
TITLE_MAX = 200
RATIONALE_MAX = 4000
DESCRIPTION_MAX = 500


@dataclass(frozen=True)
class StepIn:
    """An action to add: what, who owns it (a user id), by when."""

    description: str
    owner_id: int
    due_on: datetime.date


# Readings --------------------------------------------------------------------------------------------------


def _reading(
    *,
    district_id: int,
    school_id: int,
    measure: Measure,
    dimension: str,
    subgroup: str,
    grade: int | None,
    cohort: int | None,
) -> Reading:
    """The measure of the plan's group as the latest refresh left the figures, suppressed by the settings'
    thresholds (a group too small to show reads None)."""
    figures = group_figures(
        district_id=district_id,
        filters=Filters(
            school_id=school_id,
            grade=grade,
            cohort=cohort,
            dimension=dimension,
            subgroup=subgroup,
            district_id=district_id,
        ),
    )
    return read(
        measure,
        figures,
        min_numerator=settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR,
        min_denominator=settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR,
    )


def goal_reached(measure: Measure, reading: Reading, goal: float) -> bool:
    """Whether a reading meets the goal: at or above it (at or below for a measure where lower is better).
    A share recoded at the top ("at least 95 %") meets a goal it is at least; a hidden reading meets none."""
    if reading.value is None:
        return measure.higher_is_better and reading.at_least is not None and reading.at_least >= goal
    return reading.value >= goal if measure.higher_is_better else reading.value <= goal


@transaction.atomic
def record_readings(*, district_id: int, on: datetime.date) -> int:
    """Read the measure of every open plan of the district from the figures just refreshed, as of `on`
    (one reading a plan a day: a second refresh that day replaces it), and mark met each plan whose reading
    reaches its goal. Called by the refresh, inside its transaction (the demo calls it too, for past days);
    answers how many readings it wrote."""
    plans = list(
        ActionPlan.objects.select_for_update().filter(district_id=district_id, status=PlanStatus.OPEN)
    )
    now = timezone.now()
    for plan in plans:
        measure = MEASURES[plan.measure]
        reading = _reading(
            district_id=district_id,
            school_id=plan.school_id,
            measure=measure,
            dimension=plan.dimension,
            subgroup=plan.subgroup,
            grade=plan.grade,
            cohort=plan.cohort,
        )
        PlanReading.objects.update_or_create(
            plan=plan, measured_on=on, defaults={"district_id": district_id, "value": reading.value}
        )
        if goal_reached(measure, reading, plan.goal):
            plan.status = PlanStatus.MET
            plan.updated_at = now
            plan.save(update_fields=["status", "updated_at"])
    return len(plans)


# Plans -----------------------------------------------------------------------------------------------------


def _text(value: str, label: str, limit: int, problems: list[str], *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        problems.append(_("%(field)s is required.") % {"field": label})
    elif len(value) > limit:
        problems.append(
            _("%(field)s is longer than %(limit)s characters.") % {"field": label, "limit": limit}
        )
    elif "\x00" in value:
        problems.append(_("%(field)s contains a character that cannot be stored.") % {"field": label})
    return value


def _goal_problems(
    measure: Measure | None, goal: float | None, goal_on: datetime.date | None, today: datetime.date
) -> list[str]:
    """What is wrong with a goal (outside its measure's range) or its date (not in the future); None is
    not being set (or, for the measure, not known)."""
    problems = []
    if measure is not None and goal is not None:
        low, high = GOAL_RANGES[measure.unit]
        if not low <= goal <= high:
            problems.append(
                _("The goal of “%(measure)s” must be between %(low)s and %(high)s.")
                % {"measure": _(measure.label), "low": f"{low:g}", "high": f"{high:g}"}
            )
    if goal_on is not None and goal_on <= today:
        problems.append(_("The goal’s date must be in the future."))
    return problems


def _step_problems(
    steps: Iterable[StepIn], district_id: int, today: datetime.date
) -> tuple[list[str], dict[int, User]]:
    """Every problem of the actions (each numbered), and their owners by id."""
    steps = list(steps)
    owners = {
        user.pk: user
        for user in step_owners(district_id=district_id).filter(pk__in={s.owner_id for s in steps})
    }
    problems: list[str] = []
    for number, step in enumerate(steps, start=1):
        prefix = _("Action %(number)s: ") % {"number": number} if len(steps) > 1 else ""
        found: list[str] = []
        _text(step.description, _("The action’s description"), DESCRIPTION_MAX, found)
        if step.owner_id not in owners:
            found.append(_("The action’s owner must be a member of the district’s staff."))
        if step.due_on < today:
            found.append(_("The action’s due date cannot be in the past."))
        problems.extend(prefix + problem for problem in found)
    return problems, owners


def _create_steps(
    context: RequestContext, plan: ActionPlan, steps: Sequence[StepIn], owners: dict[int, User]
) -> list[ActionStep]:
    created = [
        ActionStep.objects.create(
            plan=plan,
            district_id=plan.district_id,
            description=step.description.strip(),
            owner=owners[step.owner_id],
            due_on=step.due_on,
        )
        for step in steps
    ]
    for step in created:
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type=STEP_OBJECT_TYPE,
            object_id=str(step.pk),
            district_id=plan.district_id,
            reason=f"Action of plan {plan.pk}",
        )
    return created


@transaction.atomic
def plan_create(
    *,
    context: RequestContext,
    school_id: int | None,
    title: str,
    measure: str,
    dimension: str = ALL,
    subgroup: str = ALL,
    grade: int | None = None,
    cohort: int | None = None,
    goal: float,
    goal_on: datetime.date,
    rationale: str = "",
    alert_id: int | None = None,
    steps: Sequence[StepIn] = (),
) -> ActionPlan:
    """Open a school's plan: a goal on `measure` for the school's students (or one group, grade or cohort),
    from its current reading (the baseline; None when suppression hides it) to `goal` by `goal_on`, with
    its first actions. Opened from a subgroup alert (`alert_id`), the plan is for the alert's school and
    group (a different school or group given is refused). Every problem is reported at once; nothing is
    written unless all is well."""
    if not policy.can(context.user, Action.MANAGE_ACTION_PLAN):
        raise refused(context, Action.MANAGE_ACTION_PLAN)
    actor = context.actor
    if actor is None:
        raise refused(context, Action.MANAGE_ACTION_PLAN)
    problems: list[str] = []
    alert = None
    if alert_id is not None:
        found = alert_for_plan(context=context, alert_id=alert_id)
        alert = found.alert
        if school_id is not None and school_id != alert.school_id:
            problems.append(_("A plan opened from an alert is for the alert’s school."))
        if (dimension, subgroup) not in ((ALL, ALL), (found.dimension, found.subgroup)):
            problems.append(_("A plan opened from an alert is for the alert’s group of students."))
        school_id, dimension, subgroup = alert.school_id, found.dimension, found.subgroup
    school = (
        Organization.objects.filter(pk=school_id, kind=Organization.Kind.SCHOOL).first()
        if school_id is not None
        else None
    )
    if school is None or not policy.can(context.user, Action.MANAGE_ACTION_PLAN, school):
        if school_id is None:
            raise Invalid(_("Choose the school the plan is for."))
        # A school the person does not manage answers as missing, like one that does not exist.
        raise hidden(context, OBJECT_TYPE, "")
    district_id = school.parent_id
    if district_id is None:
        raise Invalid(_("The school belongs to no district."))
    title = _text(title, _("The title"), TITLE_MAX, problems)
    rationale = _text(rationale, _("The rationale"), RATIONALE_MAX, problems, required=False)
    chosen = MEASURES.get(measure)
    today = policy.today()
    if chosen is None:
        problems.append(_("There is no measure called “%(measure)s”.") % {"measure": measure[:40]})
    problems.extend(_goal_problems(chosen, goal, goal_on, today))
    if (dimension, subgroup) != (ALL, ALL) and (dimension == ALL or not is_group(dimension, subgroup)):
        problems.append(
            _("There is no student group called “%(group)s”.") % {"group": f"{dimension}:{subgroup}"[:40]}
        )
    if grade is not None and not MIN_GRADE <= grade <= MAX_GRADE:
        problems.append(
            _("The grade must be between %(low)s and %(high)s.") % {"low": MIN_GRADE, "high": MAX_GRADE}
        )
    if cohort is not None and not MIN_COHORT <= cohort <= MAX_COHORT:
        problems.append(
            _("The cohort must be a year between %(low)s and %(high)s.")
            % {"low": MIN_COHORT, "high": MAX_COHORT}
        )
    step_problems, owners = _step_problems(steps, district_id, today)
    problems.extend(step_problems)
    if problems or chosen is None:
        raise Invalid(problems)
    baseline = _reading(
        district_id=district_id,
        school_id=school.pk,
        measure=chosen,
        dimension=dimension,
        subgroup=subgroup,
        grade=grade,
        cohort=cohort,
    )
    now = timezone.now()
    plan = ActionPlan.objects.create(
        district_id=district_id,
        school=school,
        title=title,
        measure=chosen.key,
        dimension=dimension,
        subgroup=subgroup,
        grade=grade,
        cohort=cohort,
        baseline=baseline.value,
        goal=goal,
        goal_on=goal_on,
        rationale=rationale,
        alert=alert,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type=OBJECT_TYPE,
        object_id=str(plan.pk),
        district_id=plan.district_id,
        reason=f"Opened from alert {alert.pk}" if alert is not None else "",
    )
    _create_steps(context, plan, steps, owners)
    return plan


def _plan_to_change(context: RequestContext, plan_id: int) -> ActionPlan:
    """The plan, locked for the change, when the person manages its school; missing (404) otherwise."""
    if not policy.can(context.user, Action.MANAGE_ACTION_PLAN):
        raise refused(context, Action.MANAGE_ACTION_PLAN, str(plan_id))
    plan = ActionPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise hidden(context, OBJECT_TYPE, plan_id)
    school = Organization.objects.get(pk=plan.school_id)
    if not policy.can(context.user, Action.MANAGE_ACTION_PLAN, school):
        raise hidden(context, OBJECT_TYPE, plan_id)
    plan.school = school
    return plan


def _changed_meanwhile(plan: ActionPlan, expected_updated_at: datetime.datetime | None) -> None:
    if expected_updated_at is not None and plan.updated_at != expected_updated_at:
        raise Conflict(
            _(
                "Someone else changed this plan at %(time)s, after you opened it; nothing was saved. "
                "Read the plan as it is now and make your change again."
            )
            % {"time": date_format(timezone.localtime(plan.updated_at), "DATETIME_FORMAT")}
        )


@transaction.atomic
def plan_update(
    *,
    context: RequestContext,
    plan_id: int,
    status: str,
    title: str | None = None,
    goal: float | None = None,
    goal_on: datetime.date | None = None,
    rationale: str | None = None,
    expected_updated_at: datetime.datetime | None = None,
) -> ActionPlan:
    """Change a plan's status (in progress, goal met, closed) and, when given, its title, goal, date or
    rationale: the "adjust" of the cycle. `expected_updated_at` is the version the person's page showed;
    if someone changed the plan since, nothing is saved and the conflict is reported (409)."""
    plan = _plan_to_change(context, plan_id)
    _changed_meanwhile(plan, expected_updated_at)
    problems: list[str] = []
    if status not in PlanStatus.values:
        problems.append(_("There is no plan status called “%(status)s”.") % {"status": status[:40]})
    if title is not None:
        title = _text(title, _("The title"), TITLE_MAX, problems)
    if rationale is not None:
        rationale = _text(rationale, _("The rationale"), RATIONALE_MAX, problems, required=False)
    problems.extend(_goal_problems(MEASURES[plan.measure], goal, goal_on, policy.today()))
    if problems:
        raise Invalid(problems)
    changes = {
        name: value
        for name, value in (
            ("status", status),
            ("title", title),
            ("goal", goal),
            ("goal_on", goal_on),
            ("rationale", rationale),
        )
        if value is not None and value != getattr(plan, name)
    }
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.updated_at = timezone.now()
    plan.save(update_fields=[*changes, "updated_at"])
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=str(plan.pk),
        district_id=plan.district_id,
        reason=", ".join(changes) or "no change",
    )
    return plan


# Actions ---------------------------------------------------------------------------------------------------


def _refuse_if_closed(plan: ActionPlan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise Conflict(_("The plan is closed; reopen it to change its actions."))


@transaction.atomic
def step_add(
    *, context: RequestContext, plan_id: int, description: str, owner_id: int, due_on: datetime.date
) -> ActionStep:
    """Add an action to a plan: what, its owner (someone on the staff of the school's district) and when
    it is due (not in the past)."""
    plan = _plan_to_change(context, plan_id)
    _refuse_if_closed(plan)
    step = StepIn(description=description, owner_id=owner_id, due_on=due_on)
    problems, owners = _step_problems([step], plan.district_id, policy.today())
    if problems:
        raise Invalid(problems)
    (created,) = _create_steps(context, plan, [step], owners)
    return created


@transaction.atomic
def step_done(*, context: RequestContext, plan_id: int, step_id: int) -> ActionStep:
    """Mark an action done today. An action already done (someone marked it a moment ago) is a conflict:
    nothing changes and the page says when it was done."""
    plan = _plan_to_change(context, plan_id)
    _refuse_if_closed(plan)
    step = ActionStep.objects.select_for_update().filter(pk=step_id, plan=plan).first()
    if step is None:
        raise hidden(context, STEP_OBJECT_TYPE, step_id)
    if step.done_on is not None:
        raise Conflict(
            _("This action was already marked done on %(date)s.")
            % {"date": date_format(step.done_on, "DATE_FORMAT")}
        )
    step.done_on = policy.today()
    step.save(update_fields=["done_on"])
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type=STEP_OBJECT_TYPE,
        object_id=str(step.pk),
        district_id=plan.district_id,
        reason=f"Done; action of plan {plan.pk}",
    )
    return step
