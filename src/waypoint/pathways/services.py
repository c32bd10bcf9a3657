"""Every write of paths: proposals, decisions, starts, completions and withdrawals. Each function is one
transaction with its audit rows and the path's history; bad input raises `PathwaysError` listing every
problem, and nothing is written.

Who may call which service is decided by `waypoint.policy` in the views and the API; the services repeat the
checks that protect the data whoever calls them (a student proposes only for themselves, nobody approves
their own proposal) and enforce the states, dates, eligibility and capacity.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from waypoint import policy
from waypoint.catalog import cleaning
from waypoint.catalog.models import Opportunity
from waypoint.catalog.services import mentor_problem
from waypoint.core.audit import RequestContext, audit_student
from waypoint.core.errors import Invalid
from waypoint.core.models import AuditAction, Student, User
from waypoint.frameworks.models import Competency, VersionStatus
from waypoint.pathways import events
from waypoint.pathways.models import OPEN_STATUSES, PathEvent, PathProposal, PathStatus
from waypoint.pathways.selectors import eligibility_barriers
from waypoint.profiles.models import PlanGoal


class PathwaysError(Invalid):
    """A refused write; `problems` lists every reason, in words the person can act on."""


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise PathwaysError(problems)


# Paths ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFields:
    """A proposal: an opportunity of the catalog, or (with no opportunity) an independent study with its
    title, question, texts, product, targeted competencies and chosen mentor."""

    rationale: str
    starts_on: datetime.date
    ends_on: datetime.date
    opportunity: Opportunity | None = None
    goals: Sequence[PlanGoal] = ()
    title: str = ""
    question: str = ""
    texts: str = ""
    product: str = ""
    competencies: Sequence[Competency] = ()
    mentor: User | None = None


def _proposal_values(
    student: Student, fields: ProposalFields, *, path: PathProposal | None
) -> tuple[dict[str, object], list[Competency]]:
    problems: list[str] = []
    rationale = cleaning.text(
        fields.rationale,
        gettext("The reason for this path (how it fits your interests and goals)"),
        problems,
        limit=4000,
        required=True,
    )
    cleaning.dates_ordered(fields.starts_on, fields.ends_on, "path", problems)
    foreign_goals = [goal for goal in fields.goals if goal.plan.student_id != student.pk]
    if foreign_goals:
        problems.append(gettext("A path can only serve the student’s own success plan goals."))
    opportunity = fields.opportunity
    values: dict[str, object] = {
        "rationale": rationale,
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
        "opportunity": opportunity,
    }
    competencies: list[Competency]
    if opportunity is not None:
        if opportunity.district_id != student.district_id:
            problems.append(gettext("The opportunity is not in the student’s district’s catalog."))
        elif not opportunity.is_active:
            problems.append(f"“{opportunity.title}” is no longer offered.")
        else:
            problems.extend(eligibility_barriers(student, opportunity, exclude_path=path))
        open_paths = PathProposal.objects.filter(
            student=student, opportunity=opportunity, status__in=OPEN_STATUSES
        )
        if path is not None:
            open_paths = open_paths.exclude(pk=path.pk)
        if open_paths.exists():
            problems.append(
                gettext("There is already an open proposal for “%(title)s”.") % {"title": opportunity.title}
            )
        competencies = list(opportunity.competencies.all())
        values.update(title="", question="", texts="", product="", mentor=None)
    else:
        values.update(
            title=cleaning.text(
                fields.title,
                gettext("The title of the independent study"),
                problems,
                limit=200,
                required=True,
            ),
            question=cleaning.text(
                fields.question, gettext("The question it explores"), problems, limit=2000, required=True
            ),
            texts=cleaning.text(fields.texts, gettext("The texts and resources"), problems, limit=4000),
            product=cleaning.text(
                fields.product, gettext("What it will produce"), problems, limit=2000, required=True
            ),
            mentor=fields.mentor,
        )
        competencies = list(fields.competencies)
        if not competencies:
            problems.append(gettext("Name at least one competency the independent study will show."))
        if any(c.version.status != VersionStatus.PUBLISHED for c in competencies):
            problems.append(gettext("Every competency must come from a published framework version."))
        if fields.mentor is not None and fields.mentor.pk == student.user_id:
            problems.append(gettext("A student cannot mentor their own independent study."))
        unfit_mentor = mentor_problem(fields.mentor, student.district)
        if unfit_mentor:
            problems.append(unfit_mentor)
    _refuse_if(problems)
    return values, competencies


def _lock_opportunity(opportunity: Opportunity | None) -> None:
    """Serialize writes that count an opportunity's places (PostgreSQL row lock; SQLite locks the file)."""
    if opportunity is not None:
        Opportunity.objects.select_for_update().filter(pk=opportunity.pk).first()


def _event(context: RequestContext, path: PathProposal, to_status: str, note: str = "") -> None:
    """One step of the path's history; a new path's first event has no previous status."""
    PathEvent.objects.create(
        path=path,
        district_id=path.district_id,
        from_status="" if path.status == to_status else path.status,
        to_status=to_status,
        actor=context.actor,
        note=note,
    )


@transaction.atomic
def path_propose(*, context: RequestContext, student: Student, fields: ProposalFields) -> PathProposal:
    """A student proposes a path for themselves."""
    actor = context.actor
    if actor is None or student.user_id != actor.pk:
        raise PathwaysError(gettext("A student proposes paths only for themselves."))
    _lock_opportunity(fields.opportunity)
    values, competencies = _proposal_values(student, fields, path=None)
    path = PathProposal.objects.create(
        student=student,
        district_id=student.district_id,
        proposed_by=actor,
        status=PathStatus.PROPOSED,
        **values,
    )
    path.competencies.set(competencies)
    path.goals.set(fields.goals)
    _event(context, path, PathStatus.PROPOSED)
    audit_student(context, AuditAction.CREATE, "path", path.pk, student, reason="Proposed")
    return path


def _locked(path: PathProposal) -> PathProposal:
    # Lock the path row only: PostgreSQL cannot lock the nullable side of the join to the opportunity.
    return (
        PathProposal.objects.select_for_update(of=("self",))
        .select_related("student__district", "opportunity__provider")
        .get(pk=path.pk)
    )


def _require_status(path: PathProposal, allowed: Sequence[str], doing: str) -> None:
    if path.status not in allowed:
        raise PathwaysError(
            gettext("This path is %(status)s: it cannot be %(doing)s now.")
            % {"status": path.get_status_display().lower(), "doing": gettext(doing)}
        )


def _move(context: RequestContext, path: PathProposal, to_status: str, note: str = "") -> None:
    _event(context, path, to_status, note)
    reason = f"{PathStatus(path.status).label} → {PathStatus(to_status).label}"
    path.status = to_status
    path.updated_at = timezone.now()
    path.save()
    audit_student(context, AuditAction.UPDATE, "path", path.pk, path.student, reason=reason)
    events.path_moved(context=context, path=path, to_status=to_status, note=note)


@transaction.atomic
def path_revise(*, context: RequestContext, path: PathProposal, fields: ProposalFields) -> PathProposal:
    """The student rewrites a proposal that is awaiting a decision or was sent back; a proposal sent back
    for changes goes back to the approvers."""
    path = _locked(path)
    actor = context.actor
    if actor is None or path.student.user_id != actor.pk:
        raise PathwaysError(gettext("Only the student revises their proposal."))
    _require_status(path, (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED), gettext_noop("revised"))
    if fields.opportunity is not None and path.opportunity_id != fields.opportunity.pk:
        raise PathwaysError(
            gettext("A proposal keeps its opportunity: withdraw it and propose the other one.")
        )
    if fields.opportunity is None and path.opportunity_id is not None:
        raise PathwaysError(
            gettext("A proposal keeps its opportunity: withdraw it and propose an independent study.")
        )
    _lock_opportunity(path.opportunity)
    values, competencies = _proposal_values(path.student, fields, path=path)
    for name, value in values.items():
        setattr(path, name, value)
    path.competencies.set(competencies)
    path.goals.set(fields.goals)
    if path.status == PathStatus.CHANGES_REQUESTED:
        _move(context, path, PathStatus.PROPOSED, "Revised and sent back for approval")
    else:
        path.updated_at = timezone.now()
        path.save()
        audit_student(context, AuditAction.UPDATE, "path", path.pk, path.student, reason="Revised")
    return path


def _not_own(context: RequestContext, path: PathProposal) -> None:
    actor = context.actor
    if actor is None or actor.pk in (path.student.user_id, path.proposed_by_id):
        raise PathwaysError(gettext("You cannot approve or send back your own proposal."))


@transaction.atomic
def path_request_changes(*, context: RequestContext, path: PathProposal, note: str) -> PathProposal:
    """An approver sends the proposal back to the student, saying what to change."""
    path = _locked(path)
    _not_own(context, path)
    problems: list[str] = []
    body = cleaning.text(note, gettext("What should change"), problems, limit=4000, required=True)
    _refuse_if(problems)
    _require_status(path, (PathStatus.PROPOSED,), gettext_noop("sent back"))
    path.decision_notes = body
    _move(context, path, PathStatus.CHANGES_REQUESTED, body)
    return path


def _start(context: RequestContext, path: PathProposal, note: str) -> None:
    _move(context, path, PathStatus.ACTIVE, note)


@transaction.atomic
def path_approve(*, context: RequestContext, path: PathProposal, notes: str = "") -> PathProposal:
    """An approver approves the proposal: eligibility and places are checked again, the mentor is set (the
    opportunity's, or the independent study's), and a path whose start date has come starts at once."""
    path = _locked(path)
    _not_own(context, path)
    problems: list[str] = []
    body = cleaning.text(notes, gettext("The approval notes"), problems, limit=4000)
    _refuse_if(problems)
    _require_status(path, (PathStatus.PROPOSED,), gettext_noop("approved"))
    _lock_opportunity(path.opportunity)
    if path.opportunity is not None:
        barriers = eligibility_barriers(path.student, path.opportunity, exclude_path=path)
        if barriers:
            raise PathwaysError(
                [gettext("It cannot be approved: %(barrier)s") % {"barrier": barrier} for barrier in barriers]
            )
        path.mentor_id = path.opportunity.mentor_account_id
    path.decided_by = context.actor
    path.decided_at = timezone.now()
    path.decision_notes = body
    _move(context, path, PathStatus.APPROVED, body)
    if path.starts_on <= policy.today():
        _start(context, path, "Started: its start date has come")
    return path


@transaction.atomic
def path_start(*, context: RequestContext, path: PathProposal) -> PathProposal:
    """An approver starts an approved path; a path started before its start date now starts today."""
    path = _locked(path)
    _require_status(path, (PathStatus.APPROVED,), gettext_noop("started"))
    today = policy.today()
    note = "Started"
    if path.starts_on > today:
        note = f"Started early (planned for {cleaning.day(path.starts_on)})"
        path.starts_on = today
    if path.ends_on < today:
        raise PathwaysError(
            gettext("This path ended on %(date)s: change its dates before starting it.")
            % {"date": cleaning.day(path.ends_on)}
        )
    _start(context, path, note)
    return path


def paths_start_due(*, context: RequestContext, on: datetime.date | None = None) -> int:
    """Start every approved path whose start date has come (run daily by `waypoint start-paths`, whose
    context has no user: the events and audit rows say Waypoint did it)."""
    on = on or policy.today()
    started = 0
    due = PathProposal.objects.filter(status=PathStatus.APPROVED, starts_on__lte=on, ends_on__gte=on)
    for path_id in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            path = _locked(PathProposal(pk=path_id))
            if path.status == PathStatus.APPROVED:
                _start(context, path, "Started: its start date has come")
                started += 1
    return started


@transaction.atomic
def path_complete(*, context: RequestContext, path: PathProposal, note: str = "") -> PathProposal:
    """An approver marks an active path completed; its place is freed."""
    path = _locked(path)
    problems: list[str] = []
    body = cleaning.text(note, gettext("The note"), problems, limit=4000)
    _refuse_if(problems)
    _require_status(path, (PathStatus.ACTIVE,), gettext_noop("completed"))
    _move(context, path, PathStatus.COMPLETED, body or "Completed")
    return path


@transaction.atomic
def path_withdraw(*, context: RequestContext, path: PathProposal, reason: str = "") -> PathProposal:
    """The student or an approver withdraws a path that is not finished; its place is freed."""
    path = _locked(path)
    problems: list[str] = []
    body = cleaning.text(reason, gettext("The reason"), problems, limit=4000)
    _refuse_if(problems)
    _require_status(path, OPEN_STATUSES, gettext_noop("withdrawn"))
    _move(context, path, PathStatus.WITHDRAWN, body or "Withdrawn")
    return path
