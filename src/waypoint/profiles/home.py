"""The success plan panels of a home page: a student's next milestones, the plans a guardian has not yet
acknowledged, and the plans of an advisor's caseload due for review. Each reads through the access policy and
audits the students it names ("home")."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record_students
from waypoint.core.home import PROGRESS, TODAY, HomeItem, HomePanel
from waypoint.core.models import AdvisorAssignment, AuditAction, Role, Student, User
from waypoint.policy import AccessContext, request_context
from waypoint.profiles.models import (
    REVIEW_INTERVAL,
    GoalMilestone,
    GoalStatus,
    MilestoneStatus,
    PlanAcknowledgement,
    SuccessPlan,
)

SHOWN = 5
# An advisor hears about a plan this long before its yearly review falls due.
REVIEW_NOTICE = datetime.timedelta(days=30)


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    context = request_context(request)
    panels: list[HomePanel] = []
    if access.own_student_id is not None:
        panels.append(_milestones(context, access, access.own_student_id))
    if access.is_guardian:
        panels.append(_acknowledgements(context, access, user))
    if access.has_role(Role.ADVISOR):
        panels.append(_plans_due(context, access, user))
    return panels


def _audit(context: RequestContext, students: Iterable[Student]) -> None:
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="home",
        students=students,
        reason=policy.legitimate_interest(context.user),
    )


def _milestones(context: RequestContext, access: AccessContext, student_id: int) -> HomePanel:
    """The student's open milestones of goals still pursued, the nearest target date first (undated last)."""
    open_milestones = (
        GoalMilestone.objects.filter(
            goal__plan__student_id=student_id,
            goal__plan__student__in=policy.visible_students(access.user, access.on),
            status__in=[MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS],
        )
        .exclude(goal__status__in=[GoalStatus.ACHIEVED, GoalStatus.SET_ASIDE])
        .select_related("goal__plan__student")
        .order_by(F("target_date").asc(nulls_last=True), "goal__position", "position", "id")
    )
    shown = list(open_milestones[:SHOWN])
    _audit(context, [milestone.goal.plan.student for milestone in shown[:1]])
    plan = reverse("success-plan", args=[student_id])
    return HomePanel(
        key="milestones",
        title=gettext("Next steps in your plan"),
        order=PROGRESS + 5,
        items=tuple(_milestone_item(milestone, plan, access.on) for milestone in shown),
        empty=gettext(
            "No milestone is open in your success plan. Add the next step toward one of your goals."
        ),
        action=HomeItem(gettext("My success plan"), plan),
    )


def _milestone_item(milestone: GoalMilestone, plan_url: str, today: datetime.date) -> HomeItem:
    goal = Truncator(milestone.goal.statement).chars(80)
    if milestone.target_date is None:
        detail = gettext("Goal: %(goal)s") % {"goal": goal}
    elif milestone.target_date < today:
        detail = gettext("Goal: %(goal)s · was due %(date)s") % {
            "goal": goal,
            "date": date_format(milestone.target_date),
        }
    else:
        detail = gettext("Goal: %(goal)s · by %(date)s") % {
            "goal": goal,
            "date": date_format(milestone.target_date),
        }
    overdue = milestone.target_date is not None and milestone.target_date < today
    return HomeItem(milestone.description, plan_url, detail=detail, tone="warning" if overdue else "info")


def _acknowledgements(context: RequestContext, access: AccessContext, user: User) -> HomePanel:
    """The children's plans changed since this guardian last acknowledged them (or never acknowledged)."""
    acknowledged = PlanAcknowledgement.objects.filter(
        plan=OuterRef("pk"), guardian=user, revision__gte=OuterRef("revision")
    )
    waiting = list(
        SuccessPlan.objects.filter(
            student__in=policy.visible_students(access.user, access.on).filter(
                id__in=access.guarded_student_ids
            )
        )
        .exclude(Exists(acknowledged))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "id")
    )
    _audit(context, [plan.student for plan in waiting])
    return HomePanel(
        key="plan-acknowledgements",
        title=gettext("Plans to acknowledge"),
        order=TODAY + 10,
        tone="action" if waiting else "info",
        intro=gettext("Read your child’s success plan and say you have seen it.") if waiting else "",
        items=tuple(
            HomeItem(
                gettext("%(name)s’s success plan") % {"name": plan.student.full_name},
                reverse("success-plan", args=[plan.student_id]),
                detail=gettext("Changed on %(date)s")
                % {"date": date_format(timezone.localtime(plan.updated_at))},
                tone="action",
            )
            for plan in waiting
        ),
        count=len(waiting),
        empty=gettext("You have acknowledged every plan."),
    )


@dataclass(frozen=True)
class PlanDue:
    student: Student
    due: datetime.date | None  # None: the student has no plan yet


def _plans_due(context: RequestContext, access: AccessContext, user: User) -> HomePanel:
    """The caseload's plans due for their yearly review within `REVIEW_NOTICE`, and students with no plan, as
    the approval queue counts them; students without a plan first, then the earliest due."""
    caseload = AdvisorAssignment.objects.filter(policy.active_on(access.on), advisor=user)
    rows = (
        policy.guided_students(access.user, access.on)
        .filter(id__in=caseload.values("student_id"))
        .annotate(
            last_review=Max("success_plan__reviews__reviewed_on"),
            plan_started=Max("success_plan__created_at"),
        )
        .order_by("last_name", "first_name", "id")
    )
    horizon = access.on + REVIEW_NOTICE
    due: list[PlanDue] = []
    for student in rows:
        started: datetime.datetime | None = student.plan_started
        if started is None:
            due.append(PlanDue(student, None))
            continue
        last: datetime.date | None = student.last_review
        when = (last or timezone.localdate(started)) + REVIEW_INTERVAL
        if when <= horizon:
            due.append(PlanDue(student, when))
    due.sort(key=lambda item: (item.due is not None, item.due or access.on))
    shown = due[:SHOWN]
    _audit(context, [item.student for item in shown])
    return HomePanel(
        key="plans-due",
        title=gettext("Plans due for review"),
        order=TODAY + 10,
        tone="action" if due else "info",
        items=tuple(_due_item(item, access.on) for item in shown),
        count=len(due),
        empty=gettext("No success plan in your caseload is due for review in the next 30 days."),
        action=HomeItem(gettext("Open the approval queue"), reverse("path-queue"))
        if len(due) > SHOWN
        else None,
    )


def _due_item(item: PlanDue, today: datetime.date) -> HomeItem:
    url = reverse("success-plan", args=[item.student.pk])
    if item.due is None:
        detail = gettext("No success plan yet")
    elif item.due < today:
        detail = gettext("Review overdue since %(date)s") % {"date": date_format(item.due)}
    else:
        detail = gettext("Review due by %(date)s") % {"date": date_format(item.due)}
    return HomeItem(item.student.full_name, url, detail=detail, tone="action")
