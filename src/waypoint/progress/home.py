"""The progress panels of a home page: a student's own pace; a guardian's shared conference notes; for staff
who guide students, the open alerts, the supports whose follow-up is due, the conferences of the week and
(teachers) the students ready to advance; for administrators, the school support plan. Each reads through
the access policy and audits the students it names ("home")."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record_students
from waypoint.core.home import PROGRESS, TODAY, HomeItem, HomePanel, Tone
from waypoint.core.models import AuditAction, GuardianLink, Role, Student, User
from waypoint.policy import AccessContext, Action, request_context
from waypoint.progress import selectors_ui as reads
from waypoint.progress.models import Conference, StudentProgress, Support, TaskStatus

SHOWN = 5
# Supports whose follow-up falls within this many days are "due".
DUE_DAYS = 7
WEEK = 7
GUIDES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    context = request_context(request)
    panels: list[HomePanel] = []
    if access.own_student_id is not None:
        panels.append(_own_pace(context, access.own_student_id))
    if access.is_guardian:
        panels.append(_shared_notes(context, user, access))
    if access.has_role(*GUIDES):
        panels.append(_alerts(context))
        panels.append(_supports_due(context, user, access.on))
        panels.append(_conferences(context, access.on))
    if access.has_role(Role.TEACHER):
        panels.append(_ready(context))
    if access.can(Action.WORK_SCHOOL_TASKS):
        panels.append(_school_tasks(context))
    return panels


def _audit(context: RequestContext, students: list[Student | None]) -> None:
    shown = {student.pk: student for student in students if student is not None}
    if shown:
        audit_record_students(
            context=context,
            action=AuditAction.VIEW,
            object_type="home",
            students=shown.values(),
            reason=policy.legitimate_interest(context.user),
        )


def _own_pace(context: RequestContext, student_id: int) -> HomePanel:
    progress = StudentProgress.objects.filter(student_id=student_id).select_related("student").first()
    url = reverse("progress-trajectory", args=[student_id])
    items: tuple[HomeItem, ...] = ()
    if progress is not None:
        _audit(context, [progress.student])
        tone: Tone = "warning" if progress.status in ("at_risk", "off_track") else "info"
        items = (HomeItem(progress.get_status_display(), url, detail=progress.sentence, tone=tone),)
    return HomePanel(
        key="my-pace",
        title=gettext("Your pace toward graduation"),
        order=PROGRESS + 1,
        items=items,
        empty=gettext("Your pace is computed each night from your levels."),
        action=HomeItem(gettext("See my trajectory"), url),
    )


def _shared_notes(context: RequestContext, user: User, access: AccessContext) -> HomePanel:
    """Conference notes shared with this guardian, latest first."""
    children = GuardianLink.objects.filter(policy.active_on(access.on), guardian=user).values("student_id")
    shown = list(
        Conference.objects.filter(student_id__in=children, shares__guardian=user)
        .select_related("student")
        .distinct()
        .order_by("-held_on", "-id")[:SHOWN]
    )
    _audit(context, [c.student for c in shown])
    return HomePanel(
        key="conference-notes",
        title=gettext("Conference notes shared with you"),
        order=PROGRESS + 2,
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(kind)s")
                % {"student": c.student.full_name, "kind": c.get_kind_display()},
                reverse("progress-conference", args=[c.pk]),
                detail=gettext("Held on %(date)s") % {"date": date_format(c.held_on)} if c.held_on else "",
            )
            for c in shown
        ),
        empty=gettext("No conference notes are shared with you yet."),
    )


def _alerts(context: RequestContext) -> HomePanel:
    """Open alerts about the students the reader guides and their schools' subgroups, newest first."""
    open_alerts = reads.visible_alerts(context).filter(closed_at__isnull=True)
    shown = list(open_alerts.select_related("student", "school").order_by("-opened_at", "-id")[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else open_alerts.count()
    _audit(context, [alert.student for alert in shown])
    return HomePanel(
        key="progress-alerts",
        title=gettext("Alerts about pace and progress"),
        order=TODAY + 12,
        tone="action" if shown else "info",
        items=tuple(
            HomeItem(
                alert.student.full_name if alert.student else (alert.school.name if alert.school else ""),
                reverse("progress-alert", args=[alert.pk]),
                detail=alert.sentence,
                tone="action",
            )
            for alert in shown
        ),
        count=total,
        empty=gettext("No open alert about the students you guide."),
        action=HomeItem(gettext("All alerts"), reverse("progress-alerts")),
    )


def _supports_due(context: RequestContext, user: User, on: datetime.date) -> HomePanel:
    due = Support.objects.filter(
        owner=user, status__in=reads.OPEN_SUPPORTS, follow_up_on__lte=on + datetime.timedelta(days=DUE_DAYS)
    ).filter(student_id__in=policy.guided_students(user, on).values("id"))
    shown = list(due.select_related("student").order_by("follow_up_on", "id")[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else due.count()
    _audit(context, [support.student for support in shown])
    return HomePanel(
        key="supports-due",
        title=gettext("Supports due for a follow-up"),
        order=TODAY + 13,
        tone="action" if shown else "info",
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(kind)s")
                % {"student": support.student.full_name, "kind": support.get_kind_display()},
                reverse("progress-support", args=[support.pk]),
                detail=gettext("Follow-up on %(date)s") % {"date": date_format(support.follow_up_on)},
                tone="action" if support.follow_up_on <= on else "info",
            )
            for support in shown
        ),
        count=total,
        empty=gettext("No support of yours is due for a follow-up this week."),
        action=HomeItem(gettext("All supports"), reverse("progress-supports")),
    )


def _conferences(context: RequestContext, on: datetime.date) -> HomePanel:
    start = timezone.now() - datetime.timedelta(hours=2)
    week = Conference.objects.filter(
        held_on__isnull=True,
        scheduled_for__gte=start,
        scheduled_for__lt=start + datetime.timedelta(days=WEEK),
        student_id__in=policy.guided_students(context.user, on).values("id"),
    ).filter(Q(organizer=context.actor) | Q(attendees__user=context.actor))
    shown = list(week.select_related("student").distinct().order_by("scheduled_for", "id")[:SHOWN])
    _audit(context, [c.student for c in shown])
    return HomePanel(
        key="conferences-week",
        title=gettext("Conferences this week"),
        order=TODAY + 14,
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(kind)s")
                % {"student": c.student.full_name, "kind": c.get_kind_display()},
                reverse("progress-conference", args=[c.pk]),
                detail=date_format(timezone.localtime(c.scheduled_for), "DATETIME_FORMAT"),
            )
            for c in shown
        ),
        empty=gettext("No conference of yours this week."),
        action=HomeItem(gettext("All conferences"), reverse("progress-conferences")),
    )


def _ready(context: RequestContext) -> HomePanel:
    rows = reads.ready_rows(context=context, ready_only=True)
    return HomePanel(
        key="ready-to-advance",
        title=gettext("Students ready to advance"),
        order=TODAY + 15,
        tone="action" if rows else "info",
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(section)s")
                % {"student": row.student.full_name, "section": row.section.title},
                reverse("progress-advance", args=[row.student.pk]),
                detail=gettext("Meets every requirement to move on"),
                tone="action",
            )
            for row in rows[:SHOWN]
        ),
        count=len(rows),
        empty=gettext("No student of yours meets every requirement of their course yet."),
        action=HomeItem(gettext("Ready to advance"), reverse("progress-ready")),
    )


def _school_tasks(context: RequestContext) -> HomePanel:
    tasks = [task for task in reads.school_task_list(context=context) if task.status == TaskStatus.OPEN]
    return HomePanel(
        key="school-support-plan",
        title=gettext("School support plan"),
        order=TODAY + 16,
        tone="action" if tasks else "info",
        items=tuple(
            HomeItem(
                task.school.name,
                reverse("progress-school-tasks") + f"#task-{task.pk}",
                detail=task.alert.sentence,
                tone="action",
            )
            for task in tasks[:SHOWN]
        ),
        count=len(tasks),
        empty=gettext("No subgroup of your schools is behind pace."),
        action=HomeItem(gettext("Open the school support plan"), reverse("progress-school-tasks")),
    )
