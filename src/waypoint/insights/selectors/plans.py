"""Reading the schools' action plans: the plans of the schools a person may see, one plan with its actions
and the readings of its measure, the schools and owners a plan form offers, and the subgroup alert a plan
is opened from.

A plan is read by the administrators of its school and of its district (`Action.VIEW_ACTION_PLANS`, decided
by `policy.insights`); a plan of any other school answers as missing (404), exactly like one that does not
exist. Plans hold aggregates only: no student is named, so a read is audited once per page in the plan's
district."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization, Role, RoleAssignment, User
from waypoint.insights.dimensions import ALL, YES, dimension, is_group
from waypoint.insights.measures import MEASURES, Measure
from waypoint.insights.models import ActionPlan, ActionStep, PlanReading
from waypoint.insights.selectors import access
from waypoint.insights.selectors.dashboard import chart_data
from waypoint.insights.tables import HIDDEN, Cell, FigureTable, Row
from waypoint.policy import Action
from waypoint.progress.models import Alert, AlertKind

OBJECT_TYPE = "action-plan"
# The roles of "the district's staff", who may own an action of a plan.
STAFF_ROLES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def refused(context: RequestContext, action: Action, object_id: str = "") -> NotPermitted:
    """The person may not use plans at all (a teacher, a student): audited, answered 403 with the reason."""
    reason = _("You may not %(action)s.") % {"action": action.label}
    return access.refused(context, NotPermitted(reason), object_type=OBJECT_TYPE, object_id=object_id)


def hidden(context: RequestContext, object_type: str, object_id: object) -> NotVisible:
    """Something the person may not see, or that does not exist: audited, answered 404 either way."""
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(object_id),
        district_id=context.district_id,
        reason="Not in the person's plan scope",
    )
    return NotVisible(_("There is no such action plan, or you may not see it."))


def _school_scope(context: RequestContext) -> Q:
    """The schools whose plans the person reads, as `policy.insights` decides: schools they administer and
    every school of a district they administer."""
    scope = policy.insights_scope(context.user)
    return Q(pk__in=scope.schools) | Q(parent_id__in=scope.districts)


def plan_schools(*, context: RequestContext) -> QuerySet[Organization]:
    """The schools the person may open a plan for (403 for someone who may manage none)."""
    if not policy.can(context.user, Action.MANAGE_ACTION_PLAN):
        raise refused(context, Action.MANAGE_ACTION_PLAN)
    return Organization.objects.filter(_school_scope(context), kind=Organization.Kind.SCHOOL).order_by("name")


# Subgroup alerts -------------------------------------------------------------------------------------------


def group_of_alert(group: str) -> tuple[str, str] | None:
    """The reporting dimension and group of a subgroup alert's `facts["group"]`, as the progress inquiry
    writes it (`progress.services.subgroups_of`): "race:hispanic", "gender:female", or a flag's name alone
    meaning its "yes" group. None for anything else."""
    key, sep, value = group.partition(":")
    if not sep:
        key, value = group, YES
    if key == ALL or not is_group(key, value):
        return None
    return key, value


@dataclass(frozen=True)
class AlertGroup:
    """A subgroup alert a plan may be opened from, with the group it is about."""

    alert: Alert
    dimension: str
    subgroup: str

    @property
    def group_label(self) -> str:
        return group_label(self.dimension, self.subgroup)


def alert_for_plan(*, context: RequestContext, alert_id: int) -> AlertGroup:
    """The subgroup pace alert `alert_id`, when it is about a school whose plans the person manages; any
    other alert (of a student, of another school or district, or none) answers as missing."""
    alert = (
        Alert.objects.select_related("school")
        .filter(pk=alert_id, kind=AlertKind.SUBGROUP_PACE, school__isnull=False)
        .first()
    )
    group = group_of_alert(str(alert.facts.get("group", ""))) if alert is not None else None
    if (
        alert is None
        or alert.school is None
        or group is None
        or not policy.can(context.user, Action.MANAGE_ACTION_PLAN, alert.school)
    ):
        raise hidden(context, "progress-alert", alert_id)
    return AlertGroup(alert=alert, dimension=group[0], subgroup=group[1])


# Plans -----------------------------------------------------------------------------------------------------


def group_label(dimension_key: str, subgroup: str) -> str:
    """ "English learners: Yes", or "All students": the group a plan is about, in words."""
    found = dimension(dimension_key)
    if found.key == ALL:
        return _(found.label)
    labels = dict(found.groups)
    return f"{_(found.label)}: {_(labels.get(subgroup, subgroup))}"


def plan_list(*, context: RequestContext) -> QuerySet[ActionPlan]:
    """The plans of the schools the person reads, open ones first, each with its school, its latest
    reading (`latest_value`, `latest_on`) and how many of its actions are open and overdue, in one query.
    Audited once, as a view of the person's district's plans."""
    if not policy.can(context.user, Action.VIEW_ACTION_PLANS):
        raise refused(context, Action.VIEW_ACTION_PLANS)
    latest = PlanReading.objects.filter(plan=OuterRef("pk")).order_by("-measured_on", "-id")
    today = policy.today()
    plans = (
        ActionPlan.objects.filter(
            school__in=Organization.objects.filter(_school_scope(context), kind=Organization.Kind.SCHOOL)
        )
        .select_related("school")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("measured_on")[:1]),
            open_steps=Count("steps", filter=Q(steps__done_on__isnull=True)),
            overdue_steps=Count("steps", filter=Q(steps__done_on__isnull=True, steps__due_on__lt=today)),
        )
        .order_by("status", "goal_on", "id")
    )
    audit_record(
        context=context, action=AuditAction.VIEW, object_type=OBJECT_TYPE, district_id=context.district_id
    )
    return plans


@dataclass(frozen=True)
class PlanRow:
    """One plan of the list (from `plan_list`, with its annotations), its figures as text."""

    plan: ActionPlan

    @property
    def measure(self) -> Measure:
        return MEASURES[self.plan.measure]

    @property
    def measure_label(self) -> str:
        return _(self.measure.label)

    @property
    def group_label(self) -> str:
        return group_label(self.plan.dimension, self.plan.subgroup)

    @property
    def baseline(self) -> str:
        return format_value(self.plan.baseline, self.measure)

    @property
    def latest(self) -> str:
        on = getattr(self.plan, "latest_on", None)
        return format_value(getattr(self.plan, "latest_value", None), self.measure) if on else "—"

    @property
    def goal(self) -> str:
        return format_value(self.plan.goal, self.measure)


@dataclass(frozen=True)
class PlanPage:
    """One plan as its page and the API show it: the measure against the goal over time, and the actions."""

    plan: ActionPlan
    measure: Measure
    steps: list[ActionStep]
    readings: list[PlanReading]
    today: datetime.date
    can_manage: bool

    @property
    def group_label(self) -> str:
        return group_label(self.plan.dimension, self.plan.subgroup)

    @property
    def measure_label(self) -> str:
        return _(self.measure.label)

    @property
    def latest(self) -> PlanReading | None:
        return self.readings[-1] if self.readings else None

    def overdue(self, step: ActionStep) -> bool:
        return step.done_on is None and step.due_on < self.today

    @property
    def overdue_steps(self) -> list[ActionStep]:
        return [step for step in self.steps if self.overdue(step)]

    @property
    def opened_on(self) -> datetime.date:
        return timezone.localdate(self.plan.created_at)

    def table(self) -> FigureTable:
        """The baseline and the readings, one row a day, beside the goal: the truth the chart draws. A
        reading suppression hid reads as the suppression mark."""
        goal = Cell(self.plan.goal, format_value(self.plan.goal, self.measure))
        baseline = Row(
            key="baseline",
            label=_("%(day)s (baseline)") % {"day": self.opened_on.isoformat()},
            cells=(Cell(self.plan.baseline, format_value(self.plan.baseline, self.measure)), goal),
        )
        return FigureTable(
            key="readings",
            title=_("%(measure)s against the goal") % {"measure": self.measure_label},
            row_header=_("Day"),
            columns=(self.measure_label, _("Goal")),
            column_keys=("reading", "goal"),
            rows=(
                baseline,
                *(
                    Row(
                        key=reading.measured_on.isoformat(),
                        label=reading.measured_on.isoformat(),
                        cells=(Cell(reading.value, format_value(reading.value, self.measure)), goal),
                    )
                    for reading in self.readings
                ),
            ),
            chart="line",
            unit=self.measure.unit,
            note=_("A reading hidden (%(mark)s) is of a group too small to show.") % {"mark": HIDDEN},
        )

    def chart(self) -> dict[str, Any]:
        """What the page's line chart draws (`static/waypoint/insights-charts.js`): the baseline and the
        readings by day (a gap where a reading is hidden), and the goal as a second, flat line."""
        return chart_data(self.table())


def format_value(value: float | None, measure: Measure) -> str:
    """A reading as shown: "62.5 %", "1.25", or the suppression mark."""
    if value is None:
        return HIDDEN
    if measure.unit == "percent":
        return f"{value:g} %"
    return f"{value:g}"


def plan_get(*, context: RequestContext, plan_id: int, audit: bool = True) -> PlanPage:
    """One plan with its actions (and their owners) and its readings, in four queries; a plan of a school
    the person does not read answers as missing. Audited as a view of the plan unless `audit` is false (a
    page shown again after a refused write, whose first showing was audited)."""
    if not policy.can(context.user, Action.VIEW_ACTION_PLANS):
        raise refused(context, Action.VIEW_ACTION_PLANS, str(plan_id))
    plan = (
        ActionPlan.objects.select_related("school", "created_by", "alert")
        .filter(pk=plan_id, school__in=Organization.objects.filter(_school_scope(context)))
        .first()
    )
    if plan is None:
        raise hidden(context, OBJECT_TYPE, plan_id)
    if audit:
        audit_record(
            context=context,
            action=AuditAction.VIEW,
            object_type=OBJECT_TYPE,
            object_id=str(plan.pk),
            district_id=plan.district_id,
        )
    return PlanPage(
        plan=plan,
        measure=MEASURES[plan.measure],
        steps=list(plan.steps.select_related("owner").order_by("due_on", "id")),
        readings=list(plan.readings.order_by("measured_on", "id")),
        today=policy.today(),
        can_manage=policy.can(context.user, Action.MANAGE_ACTION_PLAN, plan.school),
    )


def step_owners(*, district_id: int, on: datetime.date | None = None) -> QuerySet[User]:
    """The district's staff on a day (teachers, advisors, administrators with a current role there): who may
    own an action of one of its schools' plans."""
    staff = RoleAssignment.objects.filter(
        policy.active_on(on or policy.today()), role__in=STAFF_ROLES, district_id=district_id
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=staff).order_by("last_name", "first_name", "username")
