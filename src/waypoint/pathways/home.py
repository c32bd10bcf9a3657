"""The pathways panels of a home page: a student's open paths and the opportunities suggested to them; the
proposals waiting for a staff member's decision; the paths an external mentor guides and the new work on them.
Each reads through the access policy and audits the students it names ("home")."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record_students
from waypoint.core.home import PROGRESS, TODAY, HomeItem, HomePanel
from waypoint.core.models import AuditAction, Role, Student, User
from waypoint.pathways.models import OPEN_STATUSES, PathProposal, PathStatus
from waypoint.pathways.selectors import current_grade, suggested_for
from waypoint.policy import AccessContext, Action, request_context

SHOWN = 5
SUGGESTIONS = 3
# A mentor's "new work": evidence on the path submitted this recently (a fortnight, as the panel says).
NEW_WORK_DAYS = 14


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    context = request_context(request)
    panels: list[HomePanel] = []
    if access.own_student_id is not None:
        student = policy.visible_students(user, access.on).filter(pk=access.own_student_id).first()
        if student is not None:
            paths = list(
                PathProposal.objects.filter(student=student, status__in=OPEN_STATUSES)
                .select_related("opportunity")
                .order_by("starts_on", "id")
            )
            panels.append(_own_paths(context, student, paths))
            # The open paths' opportunities are the ones the suggestions leave out: read once for both.
            taken = frozenset(path.opportunity_id for path in paths if path.opportunity_id is not None)
            panels.append(_suggestions(student, taken))
    if access.can(Action.VIEW_APPROVAL_QUEUE):
        panels.append(_approvals(context, access))
    if access.has_role(Role.MENTOR):
        panels.append(_mentored(context, access))
    return panels


def _audit(context: RequestContext, students: Iterable[Student]) -> None:
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="home",
        students={student.pk: student for student in students}.values(),
        reason=policy.legitimate_interest(context.user),
    )


def _dates(path: PathProposal) -> str:
    return gettext("%(start)s to %(end)s") % {
        "start": date_format(path.starts_on),
        "end": date_format(path.ends_on),
    }


def _own_paths(context: RequestContext, student: Student, open_paths: list[PathProposal]) -> HomePanel:
    """The student's paths still open (`open_paths`, by start date): active first, then approved, then those
    waiting on someone."""
    rank = {
        PathStatus.ACTIVE: 0,
        PathStatus.APPROVED: 1,
        PathStatus.CHANGES_REQUESTED: 2,
        PathStatus.PROPOSED: 3,
    }
    paths = sorted(open_paths, key=lambda path: rank[PathStatus(path.status)])
    if paths:
        _audit(context, [student])
    return HomePanel(
        key="my-paths",
        title=gettext("Your paths"),
        order=PROGRESS + 5,
        items=tuple(
            HomeItem(
                path.display_title,
                reverse("path-detail", args=[path.pk]),
                detail=f"{PathStatus(path.status).label} · {_dates(path)}",
                tone="action" if path.status == PathStatus.CHANGES_REQUESTED else "info",
            )
            for path in paths[:SHOWN]
        ),
        empty=gettext("You have no active path. Propose an internship, a course or an independent study."),
        action=HomeItem(gettext("Propose a path"), reverse("path-new")),
    )


def _suggestions(student: Student, taken: frozenset[int]) -> HomePanel:
    """The best few opportunities of the district's catalog for the student, leaving out those `taken` by
    their open paths (the student's own facts, read to rank, stay with the student: nothing is disclosed)."""
    ranked = suggested_for(student, grade=current_grade(student), taken=taken, limit=SUGGESTIONS)
    return HomePanel(
        key="suggestions",
        title=gettext("Opportunities for you"),
        order=PROGRESS + 10,
        items=tuple(
            HomeItem(
                opportunity.title,
                reverse("opportunity-detail", args=[opportunity.id]),
                detail=Truncator(suggestion.reason).chars(160),
            )
            for suggestion, opportunity in ranked
        ),
        empty=gettext("No opportunity in your district's catalog fits you right now."),
        action=HomeItem(gettext("All suggestions for me"), reverse("recommendations", args=[student.pk])),
    )


def _approvals(context: RequestContext, access: AccessContext) -> HomePanel:
    """Proposals waiting for a decision by staff who guide the student, oldest first."""
    waiting = policy.decidable_paths(access.user, access.on).filter(status=PathStatus.PROPOSED)
    shown = list(waiting.select_related("student", "opportunity").order_by("updated_at", "id")[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else waiting.count()
    _audit(context, [path.student for path in shown])
    return HomePanel(
        key="approvals",
        title=gettext("Paths waiting for approval"),
        order=TODAY + 10,
        tone="action" if shown else "info",
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(title)s")
                % {"student": path.student.full_name, "title": path.display_title},
                reverse("path-detail", args=[path.pk]),
                detail=gettext("Proposed %(date)s")
                % {"date": date_format(timezone.localtime(path.updated_at))},
                tone="action",
            )
            for path in shown
        ),
        count=total,
        empty=gettext("No proposal is waiting for your decision."),
        action=HomeItem(gettext("Open the approval queue"), reverse("path-queue")),
    )


def _mentored(context: RequestContext, access: AccessContext) -> HomePanel:
    """The paths the mentor guides while they are active, each with the work submitted on it lately."""
    since = timezone.now() - datetime.timedelta(days=NEW_WORK_DAYS)
    paths = list(
        policy.mentor_active_paths(access.user, access.on)
        .select_related("student", "opportunity")
        .annotate(new_work=Count("evidence", filter=Q(evidence__submitted_at__gte=since)))
        .order_by("ends_on", "id")
    )
    _audit(context, [path.student for path in paths])
    return HomePanel(
        key="mentored-paths",
        title=gettext("Paths you mentor"),
        order=TODAY + 5,
        tone="action" if any(path.new_work for path in paths) else "info",
        intro=gettext(
            "You see the evidence of these paths while they are active. What you record is feedback for the "
            "student and their teachers."
        )
        if paths
        else "",
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(title)s")
                % {"student": path.student.full_name, "title": path.display_title},
                reverse("path-detail", args=[path.pk]),
                detail=gettext("%(new_work)s · active until %(date)s")
                % {
                    "new_work": ngettext(
                        "%(count)s new piece this fortnight",
                        "%(count)s new pieces this fortnight",
                        path.new_work,
                    )
                    % {"count": path.new_work},
                    "date": date_format(path.ends_on),
                }
                if path.new_work
                else gettext("Active until %(date)s") % {"date": date_format(path.ends_on)},
                tone="action" if path.new_work else "info",
            )
            for path in paths
        ),
        # The panel counts what it lists, the paths; each path's new work is in its line.
        count=len(paths),
        empty=gettext(
            "No active learning paths are assigned to you yet. When a school approves a learning path with "
            "you as mentor, the student on it will appear here."
        ),
    )
