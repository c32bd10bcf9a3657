"""The records panels of a home page: a student's own diploma check and transcript; a guardian's children's
diplomas; for district administrators, the seniors eligible for the diploma and the disposals due; for
school and district administrators, the transcript requests and the transfers waiting. Each reads through the
access policy and audits the students it names ("home"); the transfer and disposal panels give counts and
name no one."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record_students
from waypoint.core.home import PROGRESS, TODAY, HomeItem, HomePanel
from waypoint.core.models import AuditAction, Role, Student, User
from waypoint.core.row_security import district_scope
from waypoint.policy import AccessContext, Action, request_context
from waypoint.policy.base import districts_where, organizations_where
from waypoint.records.models import (
    Diploma,
    DisposalRequest,
    DisposalStatus,
    TransferRequest,
    TransferStatus,
)
from waypoint.records.selectors.graduation import diploma_check, seniors_list
from waypoint.records.selectors.transcripts import waiting_requests

SHOWN = 5
ADMINS = (Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    context = request_context(request)
    panels: list[HomePanel] = []
    if access.own_student_id is not None:
        panels.append(_own_diploma(context, access.own_student_id))
    elif access.is_guardian:
        panels.append(_children_diplomas(context, access))
    if access.has_role(Role.DISTRICT_ADMIN) and access.can(Action.AWARD_DIPLOMA):
        panels.append(_diplomas_to_award(context))
    if access.has_role(*ADMINS):
        if access.can(Action.ISSUE_TRANSCRIPT):
            panels.append(_transcript_requests(context))
        if access.can(Action.VIEW_TRANSFERS):
            panels.append(_transfers_waiting(user, access.on))
    if access.can(Action.DISPOSE_RECORD):
        panels.append(_disposals_due(user, access.on))
    return panels


def _audit(context: RequestContext, students: list[Student]) -> None:
    shown = {student.pk: student for student in students}
    if shown:
        audit_record_students(
            context=context,
            action=AuditAction.VIEW,
            object_type="home",
            students=shown.values(),
            reason=policy.legitimate_interest(context.user),
        )


def _diploma_item(student: Student, label: str) -> HomeItem:
    """Where a student stands: the diploma awarded, or how many requirements are met of how many."""
    url = reverse("records-diploma", args=[student.pk])
    awarded = Diploma.objects.filter(student=student, revoked_at__isnull=True).first()
    if awarded is not None:
        detail = gettext("Awarded on %(date)s") % {"date": date_format(awarded.awarded_on)}
        return HomeItem(label, url, detail=detail)
    check = diploma_check(student=student)
    if check.rule_set is None:
        return HomeItem(label, url, detail=gettext("No graduation rules are in force for this cohort yet."))
    if check.eligible:
        return HomeItem(label, url, detail=gettext("Every requirement is met"), tone="action")
    detail = ngettext(
        "%(met)s of %(total)s requirement met", "%(met)s of %(total)s requirements met", check.total
    ) % {"met": check.met_count, "total": check.total}
    return HomeItem(label, url, detail=detail)


def _own_diploma(context: RequestContext, student_id: int) -> HomePanel:
    student = Student.objects.get(pk=student_id)
    _audit(context, [student])
    return HomePanel(
        key="my-diploma",
        title=gettext("Your diploma"),
        order=PROGRESS + 3,
        items=(
            _diploma_item(student, gettext("Diploma check")),
            HomeItem(
                gettext("Competency transcript"),
                reverse("records-transcript", args=[student_id]),
                detail=gettext("Your competencies and levels, with the dates you reached them"),
            ),
        ),
        action=HomeItem(gettext("See my diploma check"), reverse("records-diploma", args=[student_id])),
    )


def _children_diplomas(context: RequestContext, access: AccessContext) -> HomePanel:
    """Each child's diploma: awarded, or a link to the check. Two queries whatever the number of children
    (the check itself is read on the child's page)."""
    children = list(
        Student.objects.filter(pk__in=access.guarded_student_ids).order_by("first_name", "pk")[:SHOWN]
    )
    awarded = dict(
        Diploma.objects.filter(student__in=children, revoked_at__isnull=True).values_list(
            "student_id", "awarded_on"
        )
    )
    _audit(context, children)
    return HomePanel(
        key="children-diplomas",
        title=gettext("Your children’s diplomas"),
        order=PROGRESS + 3,
        items=tuple(
            HomeItem(
                child.full_name,
                reverse("records-diploma", args=[child.pk]),
                detail=gettext("Awarded on %(date)s") % {"date": date_format(awarded[child.pk])}
                if child.pk in awarded
                else gettext("What is met toward the diploma, and what remains"),
            )
            for child in children
        ),
        empty=gettext("No child of yours is linked to your account."),
    )


def _diplomas_to_award(context: RequestContext) -> HomePanel:
    """The seniors of the district who meet every requirement and hold no diploma yet."""
    eligible = [row for row in seniors_list(context=context) if row.eligible and not row.has_diploma]
    return HomePanel(
        key="diplomas-to-award",
        title=gettext("Seniors eligible for the diploma"),
        order=TODAY + 17,
        tone="action" if eligible else "info",
        items=tuple(
            HomeItem(
                row.student.full_name,
                reverse("records-diploma", args=[row.student.pk]),
                detail=gettext("Meets every requirement: ready to be awarded"),
                tone="action",
            )
            for row in eligible[:SHOWN]
        ),
        count=len(eligible),
        empty=gettext("No senior meets every requirement without a diploma."),
        action=HomeItem(gettext("All seniors"), reverse("records-seniors")),
    )


def _transcript_requests(context: RequestContext) -> HomePanel:
    """Transcript requests waiting for the reader to issue, oldest first (the selector audits them)."""
    waiting = waiting_requests(context=context)
    return HomePanel(
        key="transcript-requests",
        title=gettext("Transcript requests waiting"),
        order=TODAY + 18,
        tone="action" if waiting else "info",
        items=tuple(
            HomeItem(
                request.student.full_name,
                reverse("records-transcript", args=[request.student_id]),
                detail=gettext("For %(recipient)s") % {"recipient": request.recipient},
                tone="action",
            )
            for request in waiting[:SHOWN]
        ),
        count=len(waiting),
        empty=gettext("No transcript request is waiting."),
        action=HomeItem(gettext("All transcript requests"), reverse("records-transcript-requests")),
    )


def _transfers_waiting(user: User, on: datetime.date) -> HomePanel:
    """Counts only: requests from other districts for the reader's district to release, and the reader's
    requests still waiting on another district."""
    own_districts = districts_where(user, Role.DISTRICT_ADMIN, on=on)
    schools = organizations_where(user, Role.SCHOOL_ADMIN, on=on)
    ours = Q(to_district_id__in=own_districts) | Q(
        student__enrollments__school_id__in=schools, student__enrollments__exit_date__isnull=True
    )
    # A transfer joins a student of each district; counted across both (the row-level security scope is one
    # district), and only counted: no student is shown.
    with district_scope(None):
        counts = TransferRequest.objects.filter(status=TransferStatus.REQUESTED).aggregate(
            to_release=Count("pk", filter=Q(from_district_id__in=own_districts), distinct=True),
            pending=Count("pk", filter=ours, distinct=True),
        )
    to_release, pending = counts["to_release"], counts["pending"]
    url = reverse("records-transfers")
    items = []
    if to_release:
        items.append(
            HomeItem(
                gettext("Records other districts ask for"),
                url,
                count=to_release,
                detail=gettext("Release or decline each request."),
                tone="action",
            )
        )
    if pending:
        items.append(
            HomeItem(
                gettext("Records you asked for"),
                url,
                count=pending,
                detail=gettext("Waiting for the other district to release them."),
            )
        )
    return HomePanel(
        key="transfers-waiting",
        title=gettext("Transfers waiting"),
        order=TODAY + 19,
        tone="action" if to_release else "info",
        items=tuple(items),
        empty=gettext("No transfer between districts is waiting."),
        action=HomeItem(gettext("All transfers"), url),
    )


def _disposals_due(user: User, on: datetime.date) -> HomePanel:
    """Counts only: disposal requests of the reader's districts still open, with the nearest due date."""
    waiting = DisposalRequest.objects.filter(
        status=DisposalStatus.REQUESTED, district_id__in=districts_where(user, Role.DISTRICT_ADMIN, on=on)
    ).aggregate(count=Count("pk"), next_due=Min("due_on"))
    items: tuple[HomeItem, ...] = ()
    due = waiting["next_due"]
    if due is not None:
        items = (
            HomeItem(
                gettext("Disposal requests to complete"),
                reverse("records-disposals"),
                count=waiting["count"],
                detail=gettext("The next is due on %(date)s") % {"date": date_format(due)},
                tone="warning" if due <= on else "action",
            ),
        )
    return HomePanel(
        key="disposals-due",
        title=gettext("Disposals due"),
        order=TODAY + 21,
        tone="action" if items else "info",
        items=items,
        empty=gettext("No request to dispose of a record is open."),
        action=HomeItem(gettext("All disposals"), reverse("records-disposals")),
    )
