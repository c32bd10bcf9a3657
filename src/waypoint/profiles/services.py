"""Every write of learner profiles and Student Success Plans. Each function is one transaction with its audit
rows; bad input raises `ProfileError` listing every problem, and nothing is written.

Who may call which service is decided by `waypoint.policy` in the views and the API; the services repeat the
checks that protect the data whoever calls them (the student keeps their own profile) and enforce the
domains, statuses, links and dates.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.catalog import career_clusters, cleaning
from waypoint.catalog.models import MeetingTime
from waypoint.core.audit import RequestContext, audit_student
from waypoint.core.errors import Invalid
from waypoint.core.models import AuditAction, Student
from waypoint.profiles.models import (
    GoalDomain,
    GoalMilestone,
    GoalStatus,
    LearnerProfile,
    LearnerProfileRevision,
    LearningPreference,
    MilestoneStatus,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    PostsecondaryGoal,
    ProfileComment,
    SuccessPlan,
)

MAX_LINKS = 10


class ProfileError(Invalid):
    """A refused write; `problems` lists every reason, in words the person can act on."""


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise ProfileError(problems)


def _links(values: Sequence[str], problems: list[str]) -> list[str]:
    """Evidence links: web addresses (http or https) or addresses inside Waypoint (starting with /)."""
    kept: list[str] = []
    check = URLValidator(schemes=["http", "https"])
    for value in values:
        link = value.strip()
        if not link:
            continue
        if link.startswith("/") and not link.startswith("//"):
            if "\x00" in link or len(link) > 500:
                problems.append(gettext("“%(link)s” is not a usable link.") % {"link": link[:60]})
                continue
        else:
            try:
                check(link)
            except ValidationError:
                problems.append(
                    gettext("“%(link)s” is not a web address (it should start with https://).")
                    % {"link": link[:60]}
                )
                continue
        kept.append(link)
    if len(kept) > MAX_LINKS:
        problems.append(gettext("At most %(count)s evidence links.") % {"count": MAX_LINKS})
    return kept


# Learner profiles -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFields:
    interests: Sequence[str] = ()
    strengths: Sequence[str] = ()
    learning_preferences: Sequence[str] = ()
    aspirations: str = ""
    career_clusters: Sequence[str] = ()
    postsecondary_goal: str = PostsecondaryGoal.UNDECIDED
    postsecondary_detail: str = ""
    has_home_device: bool | None = None
    has_home_internet: bool | None = None
    transport_is_hard: bool = False
    free_times: Sequence[str] = field(default=())
    schedule_notes: str = ""


def _profile_values(fields: ProfileFields) -> dict[str, object]:
    problems: list[str] = []
    values: dict[str, object] = {
        "interests": cleaning.words(fields.interests, gettext("Interests"), problems),
        "strengths": cleaning.words(fields.strengths, gettext("Strengths"), problems),
        "learning_preferences": cleaning.choices(
            fields.learning_preferences, LearningPreference.values, gettext("Learning preferences"), problems
        ),
        "aspirations": cleaning.text(fields.aspirations, gettext("Aspirations"), problems, limit=4000),
        "career_clusters": cleaning.choices(
            fields.career_clusters,
            [code for code, _ in career_clusters.CHOICES],
            gettext("Career clusters"),
            problems,
        ),
        "postsecondary_goal": fields.postsecondary_goal,
        "postsecondary_detail": cleaning.text(
            fields.postsecondary_detail, gettext("About that goal"), problems, limit=300
        ),
        "has_home_device": fields.has_home_device,
        "has_home_internet": fields.has_home_internet,
        "transport_is_hard": fields.transport_is_hard,
        "free_times": cleaning.choices(
            fields.free_times, MeetingTime.values, gettext("Free times"), problems
        ),
        "schedule_notes": cleaning.text(
            fields.schedule_notes, gettext("Schedule notes"), problems, limit=300
        ),
    }
    if fields.postsecondary_goal not in PostsecondaryGoal.values:
        problems.append(
            gettext("“%(goal)s” is not a postsecondary goal.") % {"goal": fields.postsecondary_goal}
        )
    _refuse_if(problems)
    return values


@transaction.atomic
def profile_save(*, context: RequestContext, student: Student, fields: ProfileFields) -> LearnerProfile:
    """Create or update the student's learner profile (the student keeps it) and add a revision."""
    actor = context.actor
    if actor is None or student.user_id != actor.pk:
        raise ProfileError(gettext("A learner profile is kept by the student."))
    values = _profile_values(fields)
    now = timezone.now()
    profile = LearnerProfile.objects.select_for_update().filter(student=student).first()
    created = profile is None
    if profile is None:
        profile = LearnerProfile(student=student, district_id=student.district_id)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.updated_at = now
    profile.updated_by = actor
    profile.save()
    number = (profile.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    LearnerProfileRevision.objects.create(
        profile=profile,
        district_id=student.district_id,
        number=number,
        snapshot=values,
        edited_by=actor,
        edited_at=now,
    )
    audit_student(
        context,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "learner-profile",
        profile.pk,
        student,
        reason=f"Revision {number}",
    )
    return profile


@transaction.atomic
def profile_comment_add(*, context: RequestContext, student: Student, text: str) -> ProfileComment:
    """An advisor's or teacher's comment on the student's profile (the profile must exist)."""
    problems: list[str] = []
    body = cleaning.text(text, gettext("The comment"), problems, limit=4000, required=True)
    profile = LearnerProfile.objects.filter(student=student).first()
    if profile is None:
        problems.append(
            gettext("%(name)s has not started a learner profile yet.") % {"name": student.full_name}
        )
    _refuse_if(problems)
    assert profile is not None  # noqa: S101  (refused above)
    comment = ProfileComment.objects.create(
        profile=profile, district_id=student.district_id, author=context.actor, text=body
    )
    audit_student(context, AuditAction.UPDATE, "learner-profile", profile.pk, student, reason="Comment added")
    return comment


# Success plans --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSpec:
    description: str
    target_date: datetime.date | None = None
    status: str = MilestoneStatus.PLANNED


@dataclass(frozen=True)
class GoalFields:
    domain: str
    statement: str
    target_date: datetime.date | None = None
    status: str = GoalStatus.NOT_STARTED
    evidence_links: Sequence[str] = ()
    milestones: Sequence[MilestoneSpec] = ()


def _goal_values(fields: GoalFields) -> tuple[dict[str, object], list[MilestoneSpec]]:
    problems: list[str] = []
    if not fields.domain:
        problems.append(
            gettext("Every goal needs a domain: academic, career, or social, emotional and physical.")
        )
    elif fields.domain not in GoalDomain.values:
        problems.append(
            gettext("“%(domain)s” is not a goal domain (academic, career or personal).")
            % {"domain": fields.domain}
        )
    statement = cleaning.text(fields.statement, gettext("The goal"), problems, limit=2000, required=True)
    if fields.status not in GoalStatus.values:
        problems.append(gettext("“%(status)s” is not a goal status.") % {"status": fields.status})
    links = _links(fields.evidence_links, problems)
    milestones: list[MilestoneSpec] = []
    for number, spec in enumerate(fields.milestones, start=1):
        description = cleaning.text(
            spec.description, gettext("Milestone %(number)s") % {"number": number}, problems, limit=500
        )
        if not description:
            if spec.target_date is not None:
                problems.append(
                    gettext("Milestone %(number)s has a date but no description.") % {"number": number}
                )
            continue
        if spec.status not in MilestoneStatus.values:
            problems.append(
                gettext("Milestone %(number)s: “%(status)s” is not a milestone status.")
                % {"number": number, "status": spec.status}
            )
        milestones.append(MilestoneSpec(description, spec.target_date, spec.status))
    _refuse_if(problems)
    return {
        "domain": fields.domain,
        "statement": statement,
        "target_date": fields.target_date,
        "status": fields.status,
        "evidence_links": links,
    }, milestones


def _plan_for(student: Student) -> SuccessPlan:
    plan, _ = SuccessPlan.objects.select_for_update().get_or_create(
        student=student, defaults={"district_id": student.district_id}
    )
    return plan


def _plan_changed(plan: SuccessPlan) -> None:
    plan.revision += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["revision", "updated_at"])


def _write_milestones(goal: PlanGoal, milestones: Sequence[MilestoneSpec]) -> None:
    goal.milestones.all().delete()
    GoalMilestone.objects.bulk_create(
        GoalMilestone(
            goal=goal,
            district_id=goal.district_id,
            description=spec.description,
            target_date=spec.target_date,
            status=spec.status,
            position=position,
        )
        for position, spec in enumerate(milestones)
    )


@transaction.atomic
def goal_add(*, context: RequestContext, student: Student, fields: GoalFields) -> PlanGoal:
    """Add a goal with its milestones to the student's success plan (started on the first goal)."""
    values, milestones = _goal_values(fields)
    plan = _plan_for(student)
    position = (plan.goals.filter(domain=values["domain"]).aggregate(last=Max("position"))["last"] or 0) + 1
    goal = PlanGoal.objects.create(
        plan=plan, district_id=student.district_id, position=position, created_by=context.actor, **values
    )
    _write_milestones(goal, milestones)
    _plan_changed(plan)
    audit_student(context, AuditAction.UPDATE, "success-plan", plan.pk, student, reason="Goal added")
    return goal


@transaction.atomic
def goal_update(*, context: RequestContext, goal: PlanGoal, fields: GoalFields) -> PlanGoal:
    """Rewrite a goal and its milestones."""
    values, milestones = _goal_values(fields)
    # The plan first, as `goal_add` takes it: edits of different goals of one plan each add a revision, so
    # they must take turns on the plan's row, not only on their goal's.
    plan = SuccessPlan.objects.select_for_update(of=("self",)).select_related("student").get(pk=goal.plan_id)
    goal = PlanGoal.objects.select_for_update().get(pk=goal.pk)
    goal.plan = plan
    for name, value in values.items():
        setattr(goal, name, value)
    goal.updated_at = timezone.now()
    goal.save()
    _write_milestones(goal, milestones)
    _plan_changed(goal.plan)
    audit_student(
        context, AuditAction.UPDATE, "success-plan", goal.plan_id, goal.plan.student, reason="Goal changed"
    )
    return goal


@transaction.atomic
def plan_review_record(
    *, context: RequestContext, student: Student, reviewed_on: datetime.date, notes: str = ""
) -> PlanReview:
    """Record a review of the student's plan by the acting staff member."""
    problems: list[str] = []
    body = cleaning.text(notes, gettext("The review notes"), problems, limit=4000)
    if reviewed_on > policy.today():
        problems.append(gettext("A review cannot be dated in the future."))
    actor = context.actor
    if actor is None:
        problems.append(gettext("A review needs a reviewer."))
    plan = SuccessPlan.objects.filter(student=student).first()
    if plan is None or not plan.goals.exists():
        problems.append(
            gettext("%(name)s’s success plan has no goals yet: add goals before a review.")
            % {"name": student.full_name}
        )
    _refuse_if(problems)
    assert plan is not None  # noqa: S101  (refused above)
    assert actor is not None  # noqa: S101
    review = PlanReview.objects.create(
        plan=plan,
        district_id=student.district_id,
        reviewed_on=reviewed_on,
        reviewer=actor,
        reviewer_name=actor.display_name,
        notes=body,
    )
    audit_student(context, AuditAction.UPDATE, "success-plan", plan.pk, student, reason="Reviewed")
    return review


@transaction.atomic
def plan_acknowledge(*, context: RequestContext, student: Student) -> PlanAcknowledgement:
    """A guardian acknowledges the plan as it stands now."""
    actor = context.actor
    plan = SuccessPlan.objects.filter(student=student).first()
    if actor is None or plan is None or not plan.goals.exists():
        raise ProfileError(
            gettext("%(name)s’s success plan has no goals to acknowledge yet.") % {"name": student.full_name}
        )
    acknowledgement = PlanAcknowledgement.objects.create(
        plan=plan, district_id=student.district_id, guardian=actor, revision=plan.revision
    )
    audit_student(
        context,
        AuditAction.UPDATE,
        "success-plan",
        plan.pk,
        student,
        reason=f"Acknowledged revision {plan.revision}",
    )
    return acknowledgement


# The years the student aims to finish high school in (3 to 6), read by the progress app's projections.
TARGET_YEARS = (3, 4, 5, 6)


@transaction.atomic
def plan_target_set(*, context: RequestContext, student: Student, target_years: int) -> SuccessPlan:
    """Choose the graduation target of the student's plan: 3, 4, 5 or 6 years of high school."""
    if target_years not in TARGET_YEARS:
        raise ProfileError(gettext("The target is 3, 4, 5 or 6 years."))
    plan = _plan_for(student)
    if plan.target_years != target_years:
        plan.target_years = target_years
        plan.save(update_fields=["target_years"])
        _plan_changed(plan)
        audit_student(
            context,
            AuditAction.UPDATE,
            "success-plan",
            plan.pk,
            student,
            reason=f"Graduation target: {target_years} years",
        )
    return plan
