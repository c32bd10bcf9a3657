"""API of learner profiles and Student Success Plans. The same selectors and services as the pages: every
student read is scoped by the access policy and audited; a refused write answers 400 listing every problem.
The operations moved here from the pathways API and kept their operation ids."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from waypoint.catalog.models import MeetingTime
from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, Day, Id, PageOut, PageQuery, Text, page_fields
from waypoint.core.models import Student, User
from waypoint.core.paging import page_of_sequence
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.profiles import selectors, services
from waypoint.profiles.models import (
    GoalStatus,
    LearnerProfile,
    LearningPreference,
    MilestoneStatus,
    PlanGoal,
    PostsecondaryGoal,
)

router = Router(tags=["profiles"])


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
    career_clusters: list[Annotated[Text, Field(max_length=32)]] = Field(default=[], max_length=16)
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


class ProfileRevisionPageOut(PageOut):
    items: list[ProfileRevisionOut]


class ProfileCommentIn(Schema):
    text: Text = Field(min_length=1, max_length=4000)


class ProfileCommentOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime.datetime


class MilestoneIO(Schema):
    description: Text = Field(min_length=1, max_length=500)
    target_date: Day | None = None
    status: MilestoneStatus = MilestoneStatus.PLANNED


class PlanGoalIn(Schema):
    domain: Text = Field(
        max_length=32, description="academic, career or personal (social, emotional and physical)."
    )
    statement: Text = Field(max_length=2000)
    target_date: Day | None = None
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
    reviewed_on: Day
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


# Profiles -------------------------------------------------------------------------------------------------


@router.get(
    "/students/{int:student_id}/profile",
    response={200: ProfileOut, **READ_ERRORS},
    summary="The student's learner profile (the student, guardians and staff with the student in scope)",
)
def profile_detail(request: HttpRequest, student_id: Id) -> ProfileOut:
    """The student's learner profile (the student, guardians and staff with the student in scope)."""
    page = selectors.profile_page(context=request_context(request), student_id=student_id)
    return _profile_out(page.student, page.profile, page.revision_count)


@router.put(
    "/students/{int:student_id}/profile",
    response={200: ProfileOut, **WRITE_ERRORS},
    summary="Save the learner profile: only the student keeps it",
)
def profile_update(request: HttpRequest, student_id: Id, payload: ProfileIn) -> ProfileOut:
    """Save the learner profile: only the student keeps it. Every save adds a revision."""
    context = request_context(request)
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
    "/students/{int:student_id}/profile/history",
    response={200: ProfileRevisionPageOut, **READ_ERRORS},
    summary="Every saved state of the profile, newest first",
)
def profile_revisions(
    request: HttpRequest, student_id: Id, query: Query[PageQuery]
) -> ProfileRevisionPageOut:
    """Every saved state of the profile, newest first."""
    _, revisions = selectors.profile_history(context=request_context(request), student_id=student_id)
    page = page_of_sequence(revisions, number=query.page, size=query.page_size)
    items = [
        ProfileRevisionOut(
            number=r.number, edited_at=r.edited_at, edited_by=_name(r.edited_by) or "", snapshot=r.snapshot
        )
        for r in page.items
    ]
    return ProfileRevisionPageOut(items=items, **page_fields(page))


@router.post(
    "/students/{int:student_id}/profile/comments",
    response={201: ProfileCommentOut, **WRITE_ERRORS},
    summary="Comment on the student's profile (staff who guide the student)",
)
def profile_comment(
    request: HttpRequest, student_id: Id, payload: ProfileCommentIn
) -> Status[ProfileCommentOut]:
    """Comment on the student's profile (staff who guide the student)."""
    context = request_context(request)
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


@router.get(
    "/students/{int:student_id}/plan",
    response={200: PlanOut, **READ_ERRORS},
    summary="The student's success plan: goals by domain with milestones, reviews, acknowledgements",
)
def plan_detail(request: HttpRequest, student_id: Id) -> PlanOut:
    """The student's success plan: goals by domain with milestones, reviews, acknowledgements."""
    page = selectors.plan_page(context=request_context(request), student_id=student_id)
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


@router.post(
    "/students/{int:student_id}/plan/goals",
    response={201: PlanGoalOut, **WRITE_ERRORS},
    summary="Add a goal with its milestones (the student, or staff who guide the student)",
)
def goal_create(request: HttpRequest, student_id: Id, payload: PlanGoalIn) -> Status[PlanGoalOut]:
    """Add a goal with its milestones (the student, or staff who guide the student)."""
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.EDIT_PLAN)
    goal = services.goal_add(context=context, student=student, fields=_goal_fields(payload))
    return Status(201, _goal_out(goal))


@router.put(
    "/plan-goals/{int:goal_id}",
    response={200: PlanGoalOut, **WRITE_ERRORS},
    summary="Rewrite a goal and its milestones",
)
def goal_update(request: HttpRequest, goal_id: Id, payload: PlanGoalIn) -> PlanGoalOut:
    """Rewrite a goal and its milestones."""
    context = request_context(request)
    goal = selectors.goal_get(context=context, goal_id=goal_id)
    return _goal_out(services.goal_update(context=context, goal=goal, fields=_goal_fields(payload)))


@router.post(
    "/students/{int:student_id}/plan/reviews",
    response={201: PlanReviewOut, **WRITE_ERRORS},
    summary="Record a review of the plan (staff who guide the student)",
)
def plan_review(request: HttpRequest, student_id: Id, payload: PlanReviewIn) -> Status[PlanReviewOut]:
    """Record a review of the plan (staff who guide the student)."""
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.REVIEW_PLAN)
    review = services.plan_review_record(
        context=context, student=student, reviewed_on=payload.reviewed_on, notes=payload.notes
    )
    return Status(
        201, PlanReviewOut(reviewed_on=review.reviewed_on, reviewer=review.reviewer_name, notes=review.notes)
    )


@router.post(
    "/students/{int:student_id}/plan/acknowledgements",
    response={201: AcknowledgementOut, **WRITE_ERRORS},
    summary="A guardian acknowledges the plan as it stands",
)
def plan_acknowledge(request: HttpRequest, student_id: Id) -> Status[AcknowledgementOut]:
    """A guardian acknowledges the plan as it stands."""
    context = request_context(request)
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
