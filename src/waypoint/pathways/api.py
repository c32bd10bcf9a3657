"""API of paths of study: recommendations, who takes part in an opportunity, paths, the approval queue and the
equal access report. The same selectors and services as the pages: every student read is scoped by the
access policy and audited; a refused write answers 400 listing every problem."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from waypoint.catalog import selectors as catalog_selectors
from waypoint.catalog.api import (
    CompetencyRef,
    OpportunityOut,
    competency_ref,
    district_mentor,
    opportunity_out,
    published_competencies,
)
from waypoint.catalog.models import Opportunity
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
from waypoint.core.audit import RequestContext
from waypoint.core.models import Student, User
from waypoint.core.paging import page_of_sequence
from waypoint.pathways import selectors, services
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.profiles.models import PlanGoal

# Recommendations are ranked once, the best this many, and paged like every list.
RECOMMENDATIONS_RANKED = 50

router = Router(tags=["pathways"])


# Schemas --------------------------------------------------------------------------------------------------


class RecommendationOut(Schema):
    opportunity: OpportunityOut
    points: int
    reason: str = Field(description="The reasons for the suggestion, in a sentence.")
    competencies_to_master: list[str]
    interests_matched: list[str]
    in_chosen_cluster: bool
    cautions: list[str]


class PathEventOut(Schema):
    from_status: str
    to_status: str
    actor: str
    note: str
    occurred_at: datetime.datetime


class PathOut(Schema):
    id: int
    student_id: int
    student_name: str
    status: str
    kind: str
    title: str
    opportunity_id: int | None
    starts_on: datetime.date
    ends_on: datetime.date
    mentor: str | None
    decision_notes: str
    decided_by: str | None


class PathDetailOut(PathOut):
    rationale: str | None = Field(description="Left out for a mentor.")
    question: str
    texts: str
    product: str
    competencies: list[CompetencyRef]
    goal_ids: list[int] | None = Field(description="Left out for a mentor.")
    events: list[PathEventOut]


class PathPageOut(PageOut):
    items: list[PathOut]


class PathListQuery(PageQuery):
    status: PathStatus | None = None


class RecommendationPageOut(PageOut):
    items: list[RecommendationOut] = Field(
        description=f"The best {RECOMMENDATIONS_RANKED} at most, best first."
    )


class ProposalIn(Schema):
    student_id: RefId
    opportunity_id: RefId | None = Field(
        None, description="A catalog opportunity; none for an independent study."
    )
    rationale: Text = Field(max_length=4000)
    starts_on: Day
    ends_on: Day
    goal_ids: list[RefId] = Field(default=[], max_length=20)
    title: Text = Field("", max_length=200)
    question: Text = Field("", max_length=2000)
    texts: Text = Field("", max_length=4000)
    product: Text = Field("", max_length=2000)
    competency_ids: list[RefId] = Field(default=[], max_length=30)
    mentor_id: RefId | None = None


class ProposalRevisionIn(Schema):
    rationale: Text = Field(max_length=4000)
    starts_on: Day
    ends_on: Day
    goal_ids: list[RefId] = Field(default=[], max_length=20)
    title: Text = Field("", max_length=200)
    question: Text = Field("", max_length=2000)
    texts: Text = Field("", max_length=4000)
    product: Text = Field("", max_length=2000)
    competency_ids: list[RefId] = Field(default=[], max_length=30)
    mentor_id: RefId | None = None


class PathDecisionIn(Schema):
    decision: str = Field(pattern="^(approve|request_changes)$")
    notes: Text = Field("", max_length=4000)


class PathStatusIn(Schema):
    to: str = Field(pattern="^(active|completed|withdrawn)$")
    note: Text = Field("", max_length=4000)


class ApprovalQueueOut(Schema):
    awaiting: list[PathOut]
    awaiting_count: int
    sent_back: list[PathOut]
    approved: list[PathOut]


class ReportCellOut(Schema):
    participants: int | None = Field(description="None: hidden to protect a small group.")
    rate: float | None
    rate_at_least: int | None = Field(
        None,
        description="When the count is hidden because (almost) all of the group take part: at least this %.",
    )


class ReportRowOut(Schema):
    label: str
    students: int | None
    cells: dict[str, ReportCellOut]


class ReportDimensionOut(Schema):
    label: str
    rows: list[ReportRowOut]


class AccessReportOut(Schema):
    scope_id: int
    scope_name: str
    year_start: datetime.date
    year_end: datetime.date
    min_group_size: int = Field(
        description="The smallest group whose counts are shown (the denominator rule)."
    )
    min_count: int = Field(description="The smallest count shown (the numerator rule).")
    overall: ReportRowOut
    dimensions: list[ReportDimensionOut]


# Converters -----------------------------------------------------------------------------------------------


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _path_out(path: PathProposal) -> PathOut:
    return PathOut(
        id=path.pk,
        student_id=path.student_id,
        student_name=path.student.full_name,
        status=path.status,
        kind=path.kind,
        title=path.display_title,
        opportunity_id=path.opportunity_id,
        starts_on=path.starts_on,
        ends_on=path.ends_on,
        mentor=_name(path.mentor),
        decision_notes=path.decision_notes,
        decided_by=_name(path.decided_by),
    )


def _row_out(row: selectors.ReportRow, kinds: list[tuple[str, str]]) -> ReportRowOut:
    return ReportRowOut(
        label=row.label,
        students=row.size,
        cells={
            value: ReportCellOut(
                participants=cell.participants, rate=cell.rate, rate_at_least=cell.rate_at_least
            )
            for (value, _), cell in zip(kinds, row.cells, strict=True)
        },
    )


# Recommendations ------------------------------------------------------------------------------------------


@router.get(
    "/students/{int:student_id}/recommendations",
    response={200: RecommendationPageOut, **READ_ERRORS},
    summary="Catalog opportunities ranked for the student, each with its reasons in a sentence",
)
def recommendations(request: HttpRequest, student_id: Id, query: Query[PageQuery]) -> RecommendationPageOut:
    """Catalog opportunities ranked for the student, each with its reasons in a sentence."""
    ranked = selectors.recommendations_for(
        context=request_context(request), student_id=student_id, limit=RECOMMENDATIONS_RANKED
    )
    page = page_of_sequence(ranked.items, number=query.page, size=query.page_size)
    items = [
        RecommendationOut(
            opportunity=opportunity_out(item.opportunity),
            points=item.suggestion.points,
            reason=item.suggestion.reason,
            competencies_to_master=list(item.suggestion.competencies_to_master),
            interests_matched=list(item.suggestion.interests_matched),
            in_chosen_cluster=item.suggestion.in_chosen_cluster,
            cautions=list(item.suggestion.cautions),
        )
        for item in page.items
    ]
    return RecommendationPageOut(items=items, **page_fields(page))


# Who takes part in an opportunity -------------------------------------------------------------------------


@router.get(
    "/opportunities/{int:opportunity_id}/participants",
    response={200: PathPageOut, **READ_ERRORS},
    summary="The paths on the opportunity of the students you may see (the district's staff)",
)
def opportunity_participants(
    request: HttpRequest, opportunity_id: Id, query: Query[PageQuery]
) -> PathPageOut:
    """The paths on the opportunity of the students you may see (the district's staff)."""
    context = request_context(request)
    opportunity = catalog_selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    paths = selectors.opportunity_participants(context=context, opportunity=opportunity)
    page = page_of_sequence(paths, number=query.page, size=query.page_size)
    return PathPageOut(items=[_path_out(path) for path in page.items], **page_fields(page))


# Paths ----------------------------------------------------------------------------------------------------


@router.get(
    "/paths",
    response={200: PathPageOut, **LIST_ERRORS},
    summary="The paths you may read",
)
def path_list(request: HttpRequest, query: Query[PathListQuery]) -> PathPageOut:
    """The paths you may read: your own, your children's, your students', those you mentor while active."""
    result = selectors.paths_for(
        context=request_context(request),
        statuses=[query.status] if query.status else [],
        page=query.page,
        page_size=query.page_size,
    )
    return PathPageOut(items=[_path_out(p) for p in result.items], **page_fields(result))


def _goals(student: Student, ids: list[int]) -> list[PlanGoal]:
    goals = list(PlanGoal.objects.filter(pk__in=ids, plan__student=student).select_related("plan"))
    if len(goals) != len(set(ids)):
        raise services.PathwaysError("A path can only serve the student’s own success plan goals.")
    return goals


def _proposal_fields(
    student: Student, payload: ProposalIn | ProposalRevisionIn, opportunity: Opportunity | None
) -> services.ProposalFields:
    competencies = (
        published_competencies(student.district, payload.competency_ids)
        if opportunity is None and payload.competency_ids
        else []
    )
    return services.ProposalFields(
        rationale=payload.rationale,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        opportunity=opportunity,
        goals=_goals(student, payload.goal_ids),
        title=payload.title,
        question=payload.question,
        texts=payload.texts,
        product=payload.product,
        competencies=competencies,
        mentor=district_mentor(student.district, payload.mentor_id) if opportunity is None else None,
    )


def _path_detail_out(context: RequestContext, path_id: int) -> PathDetailOut:
    page = selectors.path_page(context=context, path_id=path_id)
    path = page.path
    return PathDetailOut(
        **_path_out(path).dict(),
        rationale=None if page.viewer_is_mentor else path.rationale,
        question=path.question,
        texts=path.texts,
        product=path.product,
        competencies=[competency_ref(c) for c in page.competencies],
        goal_ids=None if page.viewer_is_mentor else [g.pk for g in page.goals],
        events=[
            PathEventOut(
                from_status=e.from_status,
                to_status=e.to_status,
                actor=_name(e.actor) or "Waypoint",
                note=e.note,
                occurred_at=e.occurred_at,
            )
            for e in page.events
        ],
    )


@router.post(
    "/paths",
    response={201: PathDetailOut, **WRITE_ERRORS},
    summary="Propose a path: a student, for themselves only",
)
def path_propose(request: HttpRequest, payload: ProposalIn) -> Status[PathDetailOut]:
    """Propose a path: a student, for themselves only."""
    context = request_context(request)
    student = student_get(
        context=context, student_id=payload.student_id, action=Action.PROPOSE_PATH, audit_as="path"
    )
    opportunity = (
        catalog_selectors.opportunity_get(context=context, opportunity_id=payload.opportunity_id)
        if payload.opportunity_id is not None
        else None
    )
    path = services.path_propose(
        context=context, student=student, fields=_proposal_fields(student, payload, opportunity)
    )
    return Status(201, _path_detail_out(context, path.pk))


@router.get(
    "/paths/{int:path_id}",
    response={200: PathDetailOut, **READ_ERRORS},
    summary="A path with its history (a mentor sees it only while it is active)",
)
def path_detail(request: HttpRequest, path_id: Id) -> PathDetailOut:
    """A path with its history (a mentor sees it only while it is active)."""
    return _path_detail_out(request_context(request), path_id)


@router.put(
    "/paths/{int:path_id}",
    response={200: PathDetailOut, **WRITE_ERRORS},
    summary="The student revises a proposal awaiting a decision or sent back for changes",
)
def path_revise(request: HttpRequest, path_id: Id, payload: ProposalRevisionIn) -> PathDetailOut:
    """The student revises a proposal awaiting a decision or sent back for changes."""
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.REVISE_PATH)
    services.path_revise(
        context=context, path=path, fields=_proposal_fields(path.student, payload, path.opportunity)
    )
    return _path_detail_out(context, path.pk)


@router.post(
    "/paths/{int:path_id}/decision",
    response={200: PathDetailOut, **WRITE_ERRORS},
    summary="Approve a proposal or ask for changes (staff who guide the student)",
)
def path_decision(request: HttpRequest, path_id: Id, payload: PathDecisionIn) -> PathDetailOut:
    """Approve a proposal or ask for changes (staff who guide the student; never one's own proposal)."""
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.DECIDE_PATH)
    if payload.decision == "approve":
        services.path_approve(context=context, path=path, notes=payload.notes)
    else:
        services.path_request_changes(context=context, path=path, note=payload.notes)
    return _path_detail_out(context, path.pk)


@router.post(
    "/paths/{int:path_id}/status",
    response={200: PathDetailOut, **WRITE_ERRORS},
    summary="Start or complete a path (staff who guide the student), or withdraw it (also the student)",
)
def path_status(request: HttpRequest, path_id: Id, payload: PathStatusIn) -> PathDetailOut:
    """Start or complete a path (staff who guide the student), or withdraw it (also the student)."""
    context = request_context(request)
    action = Action.WITHDRAW_PATH if payload.to == PathStatus.WITHDRAWN else Action.DECIDE_PATH
    path = selectors.path_get(context=context, path_id=path_id, action=action)
    if payload.to == PathStatus.ACTIVE:
        services.path_start(context=context, path=path)
    elif payload.to == PathStatus.COMPLETED:
        services.path_complete(context=context, path=path, note=payload.note)
    else:
        services.path_withdraw(context=context, path=path, reason=payload.note)
    return _path_detail_out(context, path.pk)


@router.get(
    "/path-queue",
    response={200: ApprovalQueueOut, **LIST_ERRORS},
    summary="Proposals waiting for your decision, sent back, and approved but not started (staff)",
)
def path_queue(request: HttpRequest) -> ApprovalQueueOut:
    """Proposals waiting for your decision, sent back, and approved but not started (staff)."""
    queue = selectors.approval_queue(context=request_context(request))
    return ApprovalQueueOut(
        awaiting=[_path_out(p) for p in queue.awaiting],
        awaiting_count=queue.awaiting_count,
        sent_back=[_path_out(p) for p in queue.sent_back],
        approved=[_path_out(p) for p in queue.approved],
    )


@router.get(
    "/access-report",
    response={200: AccessReportOut, **READ_ERRORS},
    summary="Participation in each opportunity type by subgroup, small groups suppressed",
)
def access_report(
    request: HttpRequest, school_id: Annotated[RefId | None, Query()] = None
) -> AccessReportOut:
    """Participation in each opportunity type by subgroup, small groups suppressed (school and district
    administrators). A hidden count is null."""
    report = selectors.access_report(context=request_context(request), school_id=school_id)
    return AccessReportOut(
        scope_id=report.scope.pk,
        scope_name=report.scope.name,
        year_start=report.year_start,
        year_end=report.year_end,
        min_group_size=report.min_size,
        min_count=report.min_numerator,
        overall=_row_out(report.overall, report.kinds),
        dimensions=[
            ReportDimensionOut(label=d.label, rows=[_row_out(row, report.kinds) for row in d.rows])
            for d in report.dimensions
        ],
    )
