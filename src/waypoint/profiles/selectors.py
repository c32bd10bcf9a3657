"""Reads of learner profiles and success plans, shared by the pages and the API.

Each read goes through `waypoint.policy` and is written to the audit log with the reader's legitimate
interest. A student or goal out of scope raises `NotVisible` (answered 404), an action the reader may not
take raises `NotPermitted` (403); both are audited as refused.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Student
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.profiles.models import (
    GoalDomain,
    LearnerProfile,
    LearnerProfileRevision,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    ProfileComment,
    SuccessPlan,
)


def _refused(
    context: RequestContext, *, object_type: str, reason: str, student: Student | None = None
) -> NotPermitted:
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(student.pk) if student else "",
        student=student,
        district_id=None if student else context.district_id,
        reason=reason,
    )
    return NotPermitted(reason)


# Learner profiles and success plans -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProfilePage:
    student: Student
    profile: LearnerProfile | None
    comments: list[ProfileComment]
    revision_count: int
    can_edit: bool
    can_comment: bool


def profile_page(*, context: RequestContext, student_id: int) -> ProfilePage:
    """The student's learner profile with its comments, audited as one view."""
    student = student_get(context=context, student_id=student_id, audit_as="learner-profile")
    profile = LearnerProfile.objects.filter(student=student).select_related("updated_by").first()
    comments = list(profile.comments.select_related("author")) if profile else []
    return ProfilePage(
        student=student,
        profile=profile,
        comments=comments,
        revision_count=profile.revisions.count() if profile else 0,
        can_edit=policy.can(context.user, Action.EDIT_PROFILE, student),
        can_comment=policy.can(context.user, Action.COMMENT_PROFILE, student),
    )


def profile_for_edit(*, context: RequestContext, student_id: int) -> tuple[Student, LearnerProfile | None]:
    """The student's profile for the student to edit; anyone else is refused."""
    student = student_get(
        context=context, student_id=student_id, action=Action.EDIT_PROFILE, audit_as="learner-profile"
    )
    return student, LearnerProfile.objects.filter(student=student).first()


def profile_history(
    *, context: RequestContext, student_id: int
) -> tuple[Student, list[LearnerProfileRevision]]:
    """Every saved state of the student's profile, newest first."""
    student = student_get(context=context, student_id=student_id, audit_as="learner-profile-history")
    revisions = list(
        LearnerProfileRevision.objects.filter(profile__student=student)
        .select_related("edited_by")
        .order_by("-number")
    )
    return student, revisions


@dataclass(frozen=True)
class DomainGoals:
    domain: str
    label: str
    goals: list[PlanGoal]


@dataclass(frozen=True)
class PlanPage:
    student: Student
    plan: SuccessPlan | None
    domains: list[DomainGoals]
    reviews: list[PlanReview]
    acknowledgements: list[PlanAcknowledgement]
    review_due: datetime.date | None
    can_edit: bool
    can_review: bool
    can_acknowledge: bool

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.review_due < policy.today()

    @property
    def goal_count(self) -> int:
        return sum(len(domain.goals) for domain in self.domains)

    def acknowledged_by(self, user_id: int) -> PlanAcknowledgement | None:
        return next((a for a in self.acknowledgements if a.guardian_id == user_id), None)


def _plan_page(context: RequestContext, student: Student) -> PlanPage:
    plan = SuccessPlan.objects.filter(student=student).first()
    goals: list[PlanGoal] = []
    reviews: list[PlanReview] = []
    acknowledgements: list[PlanAcknowledgement] = []
    if plan is not None:
        goals = list(plan.goals.prefetch_related("milestones").order_by("domain", "position", "id"))
        reviews = list(plan.reviews.select_related("reviewer"))
        acknowledgements = list(plan.acknowledgements.select_related("guardian"))
    grouped: dict[str, list[PlanGoal]] = defaultdict(list)
    for goal in goals:
        grouped[goal.domain].append(goal)
    return PlanPage(
        student=student,
        plan=plan,
        domains=[DomainGoals(domain, str(label), grouped[domain]) for domain, label in GoalDomain.choices],
        reviews=reviews,
        acknowledgements=acknowledgements,
        review_due=plan.review_due(reviews[0].reviewed_on if reviews else None) if plan else None,
        can_edit=policy.can(context.user, Action.EDIT_PLAN, student),
        can_review=policy.can(context.user, Action.REVIEW_PLAN, student),
        can_acknowledge=policy.can(context.user, Action.ACKNOWLEDGE_PLAN, student),
    )


def plan_page(*, context: RequestContext, student_id: int) -> PlanPage:
    """The student's success plan by domain, with reviews and acknowledgements, audited as one view."""
    student = student_get(context=context, student_id=student_id, audit_as="success-plan")
    return _plan_page(context, student)


def plan_student(*, context: RequestContext, student_id: int, action: Action) -> Student:
    """The student whose plan the actor is about to change (edit, review, acknowledge), or a refusal."""
    return student_get(context=context, student_id=student_id, action=action, audit_as="success-plan")


def goal_get(*, context: RequestContext, goal_id: int) -> PlanGoal:
    """A goal of a plan the actor may edit; one they may not see is NotVisible."""
    goal = (
        PlanGoal.objects.filter(pk=goal_id, plan__student__in=policy.visible_students(context.user))
        .select_related("plan__student")
        .prefetch_related("milestones")
        .first()
    )
    if goal is None:
        audit_record(
            context=context, action=AuditAction.DENIED, object_type="success-plan", object_id=str(goal_id)
        )
        raise NotVisible(f"No goal {goal_id} is visible to this user.")
    student = goal.plan.student
    if not policy.can(context.user, Action.EDIT_PLAN, student):
        raise _refused(
            context, object_type="success-plan", reason="Role may not edit the plan", student=student
        )
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="success-plan",
        object_id=str(goal.plan_id),
        student=student,
        reason=policy.legitimate_interest(context.user, student),
    )
    return goal
