"""API of multiple paths of study: learner profiles, success plans, recommendations, the catalog, providers,
paths and the equal access report. The same selectors and services as the pages: every student read is
scoped by the access policy and audited; a refused write answers 400 listing every problem."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from waypoint import policy
from waypoint.core.api import MAX_ID, NOT_FOUND, UNAUTHORIZED, ErrorOut, Text, ValidationErrorOut
from waypoint.core.audit import RequestContext, request_context
from waypoint.core.models import Organization, Student, User
from waypoint.core.selectors import NotPermitted, student_get
from waypoint.frameworks.models import Competency
from waypoint.pathways import selectors, services
from waypoint.pathways.forms import district_competencies
from waypoint.pathways.models import (
    GoalStatus,
    LearnerProfile,
    LearningPreference,
    Location,
    MeetingTime,
    MilestoneStatus,
    Opportunity,
    OpportunityKind,
    PathProposal,
    PathStatus,
    PlanGoal,
    PostsecondaryGoal,
    Provider,
    ProviderKind,
)
from waypoint.policy import Action
from waypoint.policy.pathways import mentor_candidates

router = Router(tags=["pathways"])


Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
READ_ERRORS = {**NOT_FOUND, 403: ErrorOut, 422: ValidationErrorOut}


def _context(request: HttpRequest) -> RequestContext:
    return request_context(request)


# Schemas --------------------------------------------------------------------------------------------------


class ProfileOut(Schema):
    student_id: int
    exists: bool = Field(description="False until the student saves a profile; the fields are then empty.")
    interests: list[str]
    strengths: list[str]
    learning_preferences: list[str]
    aspirations: str
    career_clusters: list[str]
    postsecondary_goal: str
    postsecondary_detail: str
    has_home_device: bool | None
    has_home_internet: bool | None
    transport_is_hard: bool
    free_times: list[str]
    schedule_notes: str
    updated_at: datetime.datetime | None
    revision: int


class ProfileIn(Schema):
    interests: list[Annotated[Text, Field(max_length=80)]] = Field(default=[], max_length=20)
    strengths: list[Annotated[Text, Field(max_length=80)]] = Field(default=[], max_length=20)
    learning_preferences: list[LearningPreference] = []
    aspirations: Text = Field("", max_length=4000)
    career_clusters: list[Annotated[str, Field(max_length=32)]] = Field(default=[], max_length=16)
    postsecondary_goal: PostsecondaryGoal = PostsecondaryGoal.UNDECIDED
    postsecondary_detail: Text = Field("", max_length=300)
    has_home_device: bool | None = None
    has_home_internet: bool | None = None
    transport_is_hard: bool = False
    free_times: list[MeetingTime] = []
    schedule_notes: Text = Field("", max_length=300)


class ProfileRevisionOut(Schema):
    number: int
    edited_at: datetime.datetime
    edited_by: str
    snapshot: dict[str, Any]


class ProfileCommentIn(Schema):
    text: Text = Field(min_length=1, max_length=4000)


class ProfileCommentOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime.datetime


class MilestoneIO(Schema):
    description: Text = Field(min_length=1, max_length=500)
    target_date: datetime.date | None = None
    status: MilestoneStatus = MilestoneStatus.PLANNED


class PlanGoalIn(Schema):
    domain: str = Field(description="academic, career or personal (social, emotional and physical).")
    statement: Text = Field(max_length=2000)
    target_date: datetime.date | None = None
    status: GoalStatus = GoalStatus.NOT_STARTED
    evidence_links: list[Annotated[Text, Field(max_length=500)]] = Field(default=[], max_length=10)
    milestones: list[MilestoneIO] = Field(default=[], max_length=12)


class PlanGoalOut(Schema):
    id: int
    domain: str
    statement: str
    target_date: datetime.date | None
    status: str
    evidence_links: list[str]
    milestones: list[MilestoneIO]


class PlanReviewIn(Schema):
    reviewed_on: datetime.date
    notes: Text = Field("", max_length=4000)


class PlanReviewOut(Schema):
    reviewed_on: datetime.date
    reviewer: str
    notes: str


class AcknowledgementOut(Schema):
    guardian: str
    revision: int
    acknowledged_at: datetime.datetime


class PlanOut(Schema):
    student_id: int
    exists: bool
    revision: int
    review_due: datetime.date | None
    goals: list[PlanGoalOut]
    reviews: list[PlanReviewOut]
    acknowledgements: list[AcknowledgementOut]


class CompetencyRef(Schema):
    id: int
    human_code: str
    name: str


class ProviderRef(Schema):
    id: int
    name: str
    kind: str


class OpportunityOut(Schema):
    id: int
    district_id: int
    title: str
    kind: str
    provider: ProviderRef
    description: str
    topics: list[str]
    location: str
    location_detail: str
    times: list[str]
    schedule_notes: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    hours_per_week: int | None
    capacity: int | None
    places_left: int | None
    min_grade: int | None
    max_grade: int | None
    competencies: list[CompetencyRef]
    prerequisites: list[CompetencyRef]
    cost_notes: str
    transport_provided: bool
    transport_notes: str
    career_cluster: str
    is_active: bool
    shared_as_template: bool


class OpportunityPageOut(Schema):
    items: list[OpportunityOut]
    count: int
    page: int
    pages: int


class OpportunityIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    kind: OpportunityKind
    provider_id: RefId
    location: Location
    description: Text = Field("", max_length=8000)
    topics: list[Annotated[Text, Field(max_length=80)]] = Field(default=[], max_length=20)
    location_detail: Text = Field("", max_length=300)
    times: list[MeetingTime] = []
    schedule_notes: Text = Field("", max_length=300)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    hours_per_week: int | None = Field(None, ge=1, le=80)
    capacity: int | None = Field(None, ge=1, le=100_000)
    min_grade: int | None = Field(None, ge=0, le=13)
    max_grade: int | None = Field(None, ge=0, le=13)
    competency_ids: list[RefId] = Field(default=[], max_length=50)
    prerequisite_ids: list[RefId] = Field(default=[], max_length=20)
    cost_notes: Text = Field("", max_length=300)
    transport_provided: bool = False
    transport_notes: Text = Field("", max_length=300)
    career_cluster: str = Field("", max_length=32)
    mentor_id: RefId | None = None
    is_active: bool = True
    shared_as_template: bool = False
    district_id: RefId | None = Field(None, description="Needed only when you curate several districts.")


class OpportunityCopyIn(Schema):
    provider_id: RefId


class ProviderIn(Schema):
    name: Text = Field(min_length=1, max_length=200)
    kind: ProviderKind
    contact_name: Text = Field("", max_length=200)
    contact_email: Text = Field("", max_length=254)
    contact_phone: Text = Field("", max_length=40)
    website: Text = Field("", max_length=200)
    mentor_id: RefId | None = None
    district_id: RefId | None = Field(None, description="Needed only when you curate several districts.")


class ProviderOut(Schema):
    id: int
    district_id: int
    name: str
    kind: str
    contact_name: str
    contact_email: str
    contact_phone: str
    website: str
    mentor_id: int | None


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


class PathPageOut(Schema):
    items: list[PathOut]
    count: int
    page: int
    pages: int


class ProposalIn(Schema):
    student_id: RefId
    opportunity_id: RefId | None = Field(
        None, description="A catalog opportunity; none for an independent study."
    )
    rationale: Text = Field(max_length=4000)
    starts_on: datetime.date
    ends_on: datetime.date
    goal_ids: list[RefId] = Field(default=[], max_length=20)
    title: Text = Field("", max_length=200)
    question: Text = Field("", max_length=2000)
    texts: Text = Field("", max_length=4000)
    product: Text = Field("", max_length=2000)
    competency_ids: list[RefId] = Field(default=[], max_length=30)
    mentor_id: RefId | None = None


class ProposalRevisionIn(Schema):
    rationale: Text = Field(max_length=4000)
    starts_on: datetime.date
    ends_on: datetime.date
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
    min_group_size: int
    overall: ReportRowOut
    dimensions: list[ReportDimensionOut]


class CatalogQuery(Schema):
    q: Text = Field("", max_length=100)
    kind: OpportunityKind | None = None
    location: Location | None = None
    career_cluster: Text = Field("", max_length=32)
    grade: int | None = Field(None, ge=0, le=13)
    with_places: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=settings.WAYPOINT_API_MAX_PAGE_SIZE)


# Converters -----------------------------------------------------------------------------------------------


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _profile_out(student: Student, profile: LearnerProfile | None, revision: int) -> ProfileOut:
    if profile is None:
        return ProfileOut(
            student_id=student.pk,
            exists=False,
            interests=[],
            strengths=[],
            learning_preferences=[],
            aspirations="",
            career_clusters=[],
            postsecondary_goal=PostsecondaryGoal.UNDECIDED,
            postsecondary_detail="",
            has_home_device=None,
            has_home_internet=None,
            transport_is_hard=False,
            free_times=[],
            schedule_notes="",
            updated_at=None,
            revision=0,
        )
    return ProfileOut(
        student_id=student.pk,
        exists=True,
        interests=profile.interests,
        strengths=profile.strengths,
        learning_preferences=profile.learning_preferences,
        aspirations=profile.aspirations,
        career_clusters=profile.career_clusters,
        postsecondary_goal=profile.postsecondary_goal,
        postsecondary_detail=profile.postsecondary_detail,
        has_home_device=profile.has_home_device,
        has_home_internet=profile.has_home_internet,
        transport_is_hard=profile.transport_is_hard,
        free_times=profile.free_times,
        schedule_notes=profile.schedule_notes,
        updated_at=profile.updated_at,
        revision=revision,
    )


def _goal_out(goal: PlanGoal) -> PlanGoalOut:
    return PlanGoalOut(
        id=goal.pk,
        domain=goal.domain,
        statement=goal.statement,
        target_date=goal.target_date,
        status=goal.status,
        evidence_links=goal.evidence_links,
        milestones=[
            MilestoneIO(
                description=m.description, target_date=m.target_date, status=MilestoneStatus(m.status)
            )
            for m in goal.milestones.all()
        ],
    )


def _competency_ref(competency: Competency) -> CompetencyRef:
    return CompetencyRef(
        id=competency.pk, human_code=competency.human_code, name=selectors.competency_name(competency)
    )


def _opportunity_out(opportunity: Opportunity) -> OpportunityOut:
    provider = opportunity.provider
    return OpportunityOut(
        id=opportunity.pk,
        district_id=opportunity.district_id,
        title=opportunity.title,
        kind=opportunity.kind,
        provider=ProviderRef(id=provider.pk, name=provider.name, kind=provider.kind),
        description=opportunity.description,
        topics=opportunity.topics,
        location=opportunity.location,
        location_detail=opportunity.location_detail,
        times=opportunity.times,
        schedule_notes=opportunity.schedule_notes,
        starts_on=opportunity.starts_on,
        ends_on=opportunity.ends_on,
        hours_per_week=opportunity.hours_per_week,
        capacity=opportunity.capacity,
        places_left=selectors.places_left(opportunity),
        min_grade=opportunity.min_grade,
        max_grade=opportunity.max_grade,
        competencies=[_competency_ref(c) for c in opportunity.competencies.all()],
        prerequisites=[_competency_ref(c) for c in opportunity.prerequisites.all()],
        cost_notes=opportunity.cost_notes,
        transport_provided=opportunity.transport_provided,
        transport_notes=opportunity.transport_notes,
        career_cluster=opportunity.career_cluster,
        is_active=opportunity.is_active,
        shared_as_template=opportunity.shared_as_template,
    )


def _provider_out(provider: Provider) -> ProviderOut:
    return ProviderOut(
        id=provider.pk,
        district_id=provider.district_id,
        name=provider.name,
        kind=provider.kind,
        contact_name=provider.contact_name,
        contact_email=provider.contact_email,
        contact_phone=provider.contact_phone,
        website=provider.website,
        mentor_id=provider.mentor_id,
    )


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
            value: ReportCellOut(participants=cell.participants, rate=cell.rate)
            for (value, _), cell in zip(kinds, row.cells, strict=True)
        },
    )


# Profiles -------------------------------------------------------------------------------------------------


@router.get("/students/{int:student_id}/profile", response={200: ProfileOut, **READ_ERRORS})
def profile_detail(request: HttpRequest, student_id: Id) -> ProfileOut:
    """The student's learner profile (the student, guardians and staff with the student in scope)."""
    page = selectors.profile_page(context=_context(request), student_id=student_id)
    return _profile_out(page.student, page.profile, page.revision_count)


@router.put("/students/{int:student_id}/profile", response={200: ProfileOut, **WRITE_ERRORS})
def profile_update(request: HttpRequest, student_id: Id, payload: ProfileIn) -> ProfileOut:
    """Save the learner profile: only the student keeps it. Every save adds a revision."""
    context = _context(request)
    student, _ = selectors.profile_for_edit(context=context, student_id=student_id)
    profile = services.profile_save(
        context=context,
        student=student,
        fields=services.ProfileFields(
            interests=payload.interests,
            strengths=payload.strengths,
            learning_preferences=payload.learning_preferences,
            aspirations=payload.aspirations,
            career_clusters=payload.career_clusters,
            postsecondary_goal=payload.postsecondary_goal,
            postsecondary_detail=payload.postsecondary_detail,
            has_home_device=payload.has_home_device,
            has_home_internet=payload.has_home_internet,
            transport_is_hard=payload.transport_is_hard,
            free_times=payload.free_times,
            schedule_notes=payload.schedule_notes,
        ),
    )
    return _profile_out(student, profile, profile.revisions.count())


@router.get(
    "/students/{int:student_id}/profile/history", response={200: list[ProfileRevisionOut], **READ_ERRORS}
)
def profile_revisions(request: HttpRequest, student_id: Id) -> list[ProfileRevisionOut]:
    """Every saved state of the profile, newest first."""
    _, revisions = selectors.profile_history(context=_context(request), student_id=student_id)
    return [
        ProfileRevisionOut(
            number=r.number, edited_at=r.edited_at, edited_by=_name(r.edited_by) or "", snapshot=r.snapshot
        )
        for r in revisions
    ]


@router.post("/students/{int:student_id}/profile/comments", response={201: ProfileCommentOut, **WRITE_ERRORS})
def profile_comment(
    request: HttpRequest, student_id: Id, payload: ProfileCommentIn
) -> Status[ProfileCommentOut]:
    """Comment on the student's profile (staff who guide the student)."""
    context = _context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.COMMENT_PROFILE, audit_as="learner-profile"
    )
    comment = services.profile_comment_add(context=context, student=student, text=payload.text)
    return Status(
        201,
        ProfileCommentOut(
            id=comment.pk,
            author=_name(comment.author) or "",
            text=comment.text,
            created_at=comment.created_at,
        ),
    )


# Success plans --------------------------------------------------------------------------------------------


def _goal_fields(payload: PlanGoalIn) -> services.GoalFields:
    return services.GoalFields(
        domain=payload.domain,
        statement=payload.statement,
        target_date=payload.target_date,
        status=payload.status,
        evidence_links=payload.evidence_links,
        milestones=[
            services.MilestoneSpec(m.description, m.target_date, m.status) for m in payload.milestones
        ],
    )


@router.get("/students/{int:student_id}/plan", response={200: PlanOut, **READ_ERRORS})
def plan_detail(request: HttpRequest, student_id: Id) -> PlanOut:
    """The student's success plan: goals by domain with milestones, reviews, acknowledgements."""
    page = selectors.plan_page(context=_context(request), student_id=student_id)
    return PlanOut(
        student_id=page.student.pk,
        exists=page.plan is not None,
        revision=page.plan.revision if page.plan else 0,
        review_due=page.review_due,
        goals=[_goal_out(goal) for domain in page.domains for goal in domain.goals],
        reviews=[
            PlanReviewOut(reviewed_on=r.reviewed_on, reviewer=r.reviewer_name, notes=r.notes)
            for r in page.reviews
        ],
        acknowledgements=[
            AcknowledgementOut(
                guardian=a.guardian.display_name, revision=a.revision, acknowledged_at=a.acknowledged_at
            )
            for a in page.acknowledgements
        ],
    )


@router.post("/students/{int:student_id}/plan/goals", response={201: PlanGoalOut, **WRITE_ERRORS})
def goal_create(request: HttpRequest, student_id: Id, payload: PlanGoalIn) -> Status[PlanGoalOut]:
    """Add a goal with its milestones (the student, or staff who guide the student)."""
    context = _context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.EDIT_PLAN)
    goal = services.goal_add(context=context, student=student, fields=_goal_fields(payload))
    return Status(201, _goal_out(goal))


@router.put("/plan-goals/{int:goal_id}", response={200: PlanGoalOut, **WRITE_ERRORS})
def goal_update(request: HttpRequest, goal_id: Id, payload: PlanGoalIn) -> PlanGoalOut:
    """Rewrite a goal and its milestones."""
    context = _context(request)
    goal = selectors.goal_get(context=context, goal_id=goal_id)
    return _goal_out(services.goal_update(context=context, goal=goal, fields=_goal_fields(payload)))


@router.post("/students/{int:student_id}/plan/reviews", response={201: PlanReviewOut, **WRITE_ERRORS})
def plan_review(request: HttpRequest, student_id: Id, payload: PlanReviewIn) -> Status[PlanReviewOut]:
    """Record a review of the plan (staff who guide the student)."""
    context = _context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.REVIEW_PLAN)
    review = services.plan_review_record(
        context=context, student=student, reviewed_on=payload.reviewed_on, notes=payload.notes
    )
    return Status(
        201, PlanReviewOut(reviewed_on=review.reviewed_on, reviewer=review.reviewer_name, notes=review.notes)
    )


@router.post(
    "/students/{int:student_id}/plan/acknowledgements", response={201: AcknowledgementOut, **WRITE_ERRORS}
)
def plan_acknowledge(request: HttpRequest, student_id: Id) -> Status[AcknowledgementOut]:
    """A guardian acknowledges the plan as it stands."""
    context = _context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.ACKNOWLEDGE_PLAN)
    acknowledgement = services.plan_acknowledge(context=context, student=student)
    return Status(
        201,
        AcknowledgementOut(
            guardian=acknowledgement.guardian.display_name,
            revision=acknowledgement.revision,
            acknowledged_at=acknowledgement.acknowledged_at,
        ),
    )


@router.get(
    "/students/{int:student_id}/recommendations", response={200: list[RecommendationOut], **READ_ERRORS}
)
def recommendations(
    request: HttpRequest,
    student_id: Id,
    limit: Annotated[int, Query(ge=1, le=50)] = selectors.RECOMMENDATION_LIMIT,
) -> list[RecommendationOut]:
    """Catalog opportunities ranked for the student, each with its reasons in a sentence."""
    page = selectors.recommendations_for(context=_context(request), student_id=student_id, limit=limit)
    return [
        RecommendationOut(
            opportunity=_opportunity_out(item.opportunity),
            points=item.suggestion.points,
            reason=item.suggestion.reason,
            competencies_to_master=list(item.suggestion.competencies_to_master),
            interests_matched=list(item.suggestion.interests_matched),
            in_chosen_cluster=item.suggestion.in_chosen_cluster,
            cautions=list(item.suggestion.cautions),
        )
        for item in page.items
    ]


# The catalog ----------------------------------------------------------------------------------------------


@router.get("/opportunities", response={200: OpportunityPageOut, 422: ValidationErrorOut, **UNAUTHORIZED})
def opportunity_list(request: HttpRequest, query: Query[CatalogQuery]) -> OpportunityPageOut:
    """The catalogs of your districts, filtered."""
    context = _context(request)
    page = selectors.catalog(
        context=context,
        filters=selectors.CatalogFilters(
            kind=query.kind or "",
            location=query.location or "",
            career_cluster=query.career_cluster,
            grade=query.grade,
            query=query.q,
            with_places=query.with_places,
            include_inactive=policy.can(context.user, Action.CURATE_CATALOG),
        ),
        page=query.page,
        page_size=query.page_size,
    )
    return OpportunityPageOut(
        items=[_opportunity_out(o) for o in page.items],
        count=page.count,
        page=page.number,
        pages=page.num_pages,
    )


def _competencies(district: Organization, ids: list[int]) -> list[Competency]:
    found = {
        c.pk: c
        for c in district_competencies(district)
        .filter(pk__in=ids)
        .select_related("version__framework", "parent")
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise services.PathwaysError(
            f"Competencies {', '.join(missing)} are not in the published frameworks of {district.name}."
        )
    return [found[i] for i in ids]


def _district_provider(district: Organization, provider_id: int) -> Provider:
    provider = Provider.objects.filter(pk=provider_id, district=district).first()
    if provider is None:
        raise services.PathwaysError(f"Provider {provider_id} is not in {district.name}’s catalog.")
    return provider


def _district_mentor(district: Organization, mentor_id: int | None) -> User | None:
    if mentor_id is None:
        return None
    mentor = mentor_candidates(district).filter(pk=mentor_id).first()
    if mentor is None:
        raise services.PathwaysError(
            f"User {mentor_id} is not an external mentor or teacher in {district.name}."
        )
    return mentor


def _opportunity_fields(district: Organization, payload: OpportunityIn) -> services.OpportunityFields:
    return services.OpportunityFields(
        title=payload.title,
        kind=payload.kind,
        provider=_district_provider(district, payload.provider_id),
        location=payload.location,
        description=payload.description,
        topics=payload.topics,
        location_detail=payload.location_detail,
        times=payload.times,
        schedule_notes=payload.schedule_notes,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        hours_per_week=payload.hours_per_week,
        capacity=payload.capacity,
        min_grade=payload.min_grade,
        max_grade=payload.max_grade,
        competencies=_competencies(district, payload.competency_ids),
        prerequisites=_competencies(district, payload.prerequisite_ids),
        cost_notes=payload.cost_notes,
        transport_provided=payload.transport_provided,
        transport_notes=payload.transport_notes,
        career_cluster=payload.career_cluster,
        mentor=_district_mentor(district, payload.mentor_id),
        is_active=payload.is_active,
        shared_as_template=payload.shared_as_template,
    )


def _detailed(context: RequestContext, opportunity_id: int) -> OpportunityOut:
    return _opportunity_out(selectors.opportunity_get(context=context, opportunity_id=opportunity_id))


@router.post("/opportunities", response={201: OpportunityOut, **WRITE_ERRORS})
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[OpportunityOut]:
    """Add an opportunity to your district's catalog (teachers and administrators)."""
    context = _context(request)
    district = selectors.curated_district(context, payload.district_id)
    opportunity = services.opportunity_save(
        district=district, fields=_opportunity_fields(district, payload), actor=context.actor
    )
    return Status(201, _detailed(context, opportunity.pk))


@router.get("/opportunities/{int:opportunity_id}", response={200: OpportunityOut, **READ_ERRORS})
def opportunity_detail(request: HttpRequest, opportunity_id: Id) -> OpportunityOut:
    return _detailed(_context(request), opportunity_id)


@router.put("/opportunities/{int:opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_update(request: HttpRequest, opportunity_id: Id, payload: OpportunityIn) -> OpportunityOut:
    """Rewrite an opportunity (its author, or its district's administrators)."""
    context = _context(request)
    opportunity = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.EDIT_OPPORTUNITY, opportunity):
        raise NotPermitted("An opportunity is edited by its author or by its district’s administrators.")
    district = opportunity.district
    services.opportunity_save(
        district=district,
        fields=_opportunity_fields(district, payload),
        actor=context.actor,
        opportunity=opportunity,
    )
    return _detailed(context, opportunity.pk)


@router.get("/opportunities/{int:opportunity_id}/participants", response={200: list[PathOut], **READ_ERRORS})
def opportunity_participants(request: HttpRequest, opportunity_id: Id) -> list[PathOut]:
    """The paths on the opportunity of the students you may see (the district's staff)."""
    context = _context(request)
    opportunity = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    return [
        _path_out(path)
        for path in selectors.opportunity_participants(context=context, opportunity=opportunity)
    ]


@router.post("/opportunities/{int:opportunity_id}/copies", response={201: OpportunityOut, **WRITE_ERRORS})
def opportunity_copy(
    request: HttpRequest, opportunity_id: Id, payload: OpportunityCopyIn
) -> Status[OpportunityOut]:
    """Copy a shared best-practice template into your district's catalog with one of your providers."""
    context = _context(request)
    template = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.COPY_OPPORTUNITY, template):
        raise NotPermitted("Teachers and administrators copy best-practice templates into their catalog.")
    district = selectors.curated_district(context)
    copy, _ = services.opportunity_copy(
        template=template,
        district=district,
        provider=_district_provider(district, payload.provider_id),
        actor=context.actor,
    )
    return Status(201, _detailed(context, copy.pk))


@router.get("/opportunity-templates", response={200: list[OpportunityOut], 403: ErrorOut, **UNAUTHORIZED})
def opportunity_templates(request: HttpRequest) -> list[OpportunityOut]:
    """The best-practice templates other districts share (curators)."""
    return [_opportunity_out(o) for o in selectors.templates_for(context=_context(request))]


@router.get("/providers", response={200: list[ProviderOut], 403: ErrorOut, **UNAUTHORIZED})
def provider_list(request: HttpRequest) -> list[ProviderOut]:
    """The providers of the catalogs you curate."""
    return [_provider_out(p) for p in selectors.providers_for(context=_context(request))]


def _provider_fields(district: Organization, payload: ProviderIn) -> services.ProviderFields:
    return services.ProviderFields(
        name=payload.name,
        kind=payload.kind,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        contact_phone=payload.contact_phone,
        website=payload.website,
        mentor=_district_mentor(district, payload.mentor_id),
    )


@router.post("/providers", response={201: ProviderOut, **WRITE_ERRORS})
def provider_create(request: HttpRequest, payload: ProviderIn) -> Status[ProviderOut]:
    """Add a provider to your district's catalog."""
    district = selectors.curated_district(_context(request), payload.district_id)
    provider = services.provider_save(district=district, fields=_provider_fields(district, payload))
    return Status(201, _provider_out(provider))


@router.put("/providers/{int:provider_id}", response={200: ProviderOut, **WRITE_ERRORS})
def provider_update(request: HttpRequest, provider_id: Id, payload: ProviderIn) -> ProviderOut:
    provider = selectors.provider_get(context=_context(request), provider_id=provider_id)
    saved = services.provider_save(
        district=provider.district, fields=_provider_fields(provider.district, payload), provider=provider
    )
    return _provider_out(saved)


# Paths ----------------------------------------------------------------------------------------------------


@router.get("/paths", response={200: PathPageOut, 422: ValidationErrorOut, **UNAUTHORIZED})
def path_list(
    request: HttpRequest,
    status: Annotated[PathStatus | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> PathPageOut:
    """The paths you may read: your own, your children's, your students', those you mentor while active."""
    result = selectors.paths_for(
        context=_context(request),
        statuses=[status] if status else [],
        page=page,
        page_size=settings.WAYPOINT_PAGE_SIZE,
    )
    return PathPageOut(
        items=[_path_out(p) for p in result.items],
        count=result.count,
        page=result.number,
        pages=result.num_pages,
    )


def _goals(student: Student, ids: list[int]) -> list[PlanGoal]:
    goals = list(PlanGoal.objects.filter(pk__in=ids, plan__student=student).select_related("plan"))
    if len(goals) != len(set(ids)):
        raise services.PathwaysError("A path can only serve the student’s own success plan goals.")
    return goals


def _proposal_fields(
    student: Student, payload: ProposalIn | ProposalRevisionIn, opportunity: Opportunity | None
) -> services.ProposalFields:
    competencies = (
        _competencies(student.district, payload.competency_ids)
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
        mentor=_district_mentor(student.district, payload.mentor_id) if opportunity is None else None,
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
        competencies=[_competency_ref(c) for c in page.competencies],
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


@router.post("/paths", response={201: PathDetailOut, **WRITE_ERRORS})
def path_propose(request: HttpRequest, payload: ProposalIn) -> Status[PathDetailOut]:
    """Propose a path: a student, for themselves only."""
    context = _context(request)
    student = student_get(
        context=context, student_id=payload.student_id, action=Action.PROPOSE_PATH, audit_as="path"
    )
    opportunity = (
        selectors.opportunity_get(context=context, opportunity_id=payload.opportunity_id)
        if payload.opportunity_id is not None
        else None
    )
    path = services.path_propose(
        context=context, student=student, fields=_proposal_fields(student, payload, opportunity)
    )
    return Status(201, _path_detail_out(context, path.pk))


@router.get("/paths/{int:path_id}", response={200: PathDetailOut, **READ_ERRORS})
def path_detail(request: HttpRequest, path_id: Id) -> PathDetailOut:
    """A path with its history (a mentor sees it only while it is active)."""
    return _path_detail_out(_context(request), path_id)


@router.put("/paths/{int:path_id}", response={200: PathDetailOut, **WRITE_ERRORS})
def path_revise(request: HttpRequest, path_id: Id, payload: ProposalRevisionIn) -> PathDetailOut:
    """The student revises a proposal awaiting a decision or sent back for changes."""
    context = _context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.REVISE_PATH)
    services.path_revise(
        context=context, path=path, fields=_proposal_fields(path.student, payload, path.opportunity)
    )
    return _path_detail_out(context, path.pk)


@router.post("/paths/{int:path_id}/decision", response={200: PathDetailOut, **WRITE_ERRORS})
def path_decision(request: HttpRequest, path_id: Id, payload: PathDecisionIn) -> PathDetailOut:
    """Approve a proposal or ask for changes (staff who guide the student; never one's own proposal)."""
    context = _context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.DECIDE_PATH)
    if payload.decision == "approve":
        services.path_approve(context=context, path=path, notes=payload.notes)
    else:
        services.path_request_changes(context=context, path=path, note=payload.notes)
    return _path_detail_out(context, path.pk)


@router.post("/paths/{int:path_id}/status", response={200: PathDetailOut, **WRITE_ERRORS})
def path_status(request: HttpRequest, path_id: Id, payload: PathStatusIn) -> PathDetailOut:
    """Start or complete a path (staff who guide the student), or withdraw it (also the student)."""
    context = _context(request)
    action = Action.WITHDRAW_PATH if payload.to == PathStatus.WITHDRAWN else Action.DECIDE_PATH
    path = selectors.path_get(context=context, path_id=path_id, action=action)
    if payload.to == PathStatus.ACTIVE:
        services.path_start(context=context, path=path)
    elif payload.to == PathStatus.COMPLETED:
        services.path_complete(context=context, path=path, note=payload.note)
    else:
        services.path_withdraw(context=context, path=path, reason=payload.note)
    return _path_detail_out(context, path.pk)


@router.get("/path-queue", response={200: ApprovalQueueOut, 403: ErrorOut, **UNAUTHORIZED})
def path_queue(request: HttpRequest) -> ApprovalQueueOut:
    """Proposals waiting for your decision, sent back, and approved but not started (staff)."""
    queue = selectors.approval_queue(context=_context(request))
    return ApprovalQueueOut(
        awaiting=[_path_out(p) for p in queue.awaiting],
        awaiting_count=queue.awaiting_count,
        sent_back=[_path_out(p) for p in queue.sent_back],
        approved=[_path_out(p) for p in queue.approved],
    )


@router.get("/access-report", response={200: AccessReportOut, **READ_ERRORS})
def access_report(
    request: HttpRequest, school_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> AccessReportOut:
    """Participation in each opportunity type by subgroup, small groups suppressed (school and district
    administrators). A hidden count is null."""
    report = selectors.access_report(context=_context(request), school_id=school_id)
    return AccessReportOut(
        scope_id=report.scope.pk,
        scope_name=report.scope.name,
        year_start=report.year_start,
        year_end=report.year_end,
        min_group_size=report.min_size,
        overall=_row_out(report.overall, report.kinds),
        dimensions=[
            ReportDimensionOut(label=d.label, rows=[_row_out(row, report.kinds) for row in d.rows])
            for d in report.dimensions
        ],
    )
