"""Every write of profiles, success plans, the catalog and paths. Each function is one transaction with its
audit rows; bad input raises `PathwaysError` listing every problem, and nothing is written.

Who may call which service is decided by `waypoint.policy` in the views and the API; the services repeat the
checks that protect the data whoever calls them (a student proposes only for themselves, nobody approves
their own proposal) and enforce the states, dates, eligibility and capacity.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.models import AuditAction, Organization, Student, User
from waypoint.frameworks.models import Competency, FrameworkAdoption, VersionStatus
from waypoint.pathways import career_clusters
from waypoint.pathways.models import (
    OPEN_STATUSES,
    PLACE_HOLDING,
    GoalDomain,
    GoalMilestone,
    GoalStatus,
    LearnerProfile,
    LearnerProfileRevision,
    LearningPreference,
    Location,
    MeetingTime,
    MilestoneStatus,
    Opportunity,
    OpportunityKind,
    PathEvent,
    PathProposal,
    PathStatus,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    PostsecondaryGoal,
    ProfileComment,
    Provider,
    ProviderKind,
    SuccessPlan,
)
from waypoint.pathways.selectors import eligibility_barriers
from waypoint.policy.pathways import curated_districts, mentor_candidates

MAX_LIST_ITEMS = 20
MAX_WORDS_LENGTH = 80
MAX_LINKS = 10


class PathwaysError(ValueError):
    """A refused write; `problems` lists every reason, in words the person can act on."""

    def __init__(self, problems: Sequence[str] | str) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__(" ".join(self.problems))


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise PathwaysError(problems)


def _text(
    value: str, label: str, problems: list[str], *, limit: int | None = None, required: bool = False
) -> str:
    """The text trimmed, with a problem when it is missing, too long or holds a NUL character (which
    PostgreSQL cannot store)."""
    cleaned = value.strip()
    if "\x00" in cleaned:
        problems.append(f"{label} contains a character that cannot be stored.")
    elif required and not cleaned:
        problems.append(f"{label} is required.")
    elif limit is not None and len(cleaned) > limit:
        problems.append(f"{label} is longer than {limit} characters.")
    return cleaned


def _words(values: Sequence[str], label: str, problems: list[str]) -> list[str]:
    """A list of short phrases: trimmed, empty ones dropped, repeats (ignoring case) dropped."""
    kept: list[str] = []
    seen: set[str] = set()
    for value in values:
        phrase = _text(" ".join(value.split()), label, problems, limit=MAX_WORDS_LENGTH)
        if phrase and phrase.casefold() not in seen:
            seen.add(phrase.casefold())
            kept.append(phrase)
    if len(kept) > MAX_LIST_ITEMS:
        problems.append(f"{label}: at most {MAX_LIST_ITEMS}.")
    return kept


def _choices(values: Sequence[str], allowed: Sequence[str], label: str, problems: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        problems.append(
            f"{label}: “{'”, “'.join(unknown)}” {'is' if len(unknown) == 1 else 'are'} not a choice."
        )
    # Keep the choices' own order, so the same selection always stores the same list.
    return [value for value in allowed if value in set(values)]


def _day(date: datetime.date) -> str:
    return f"{date:%B} {date.day}, {date.year}"


def _dates_ordered(
    starts_on: datetime.date | None, ends_on: datetime.date | None, what: str, problems: list[str]
) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(f"The {what} ends on {_day(ends_on)}, before it starts on {_day(starts_on)}.")


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
                problems.append(f"“{link[:60]}” is not a usable link.")
                continue
        else:
            try:
                check(link)
            except ValidationError:
                problems.append(f"“{link[:60]}” is not a web address (it should start with https://).")
                continue
        kept.append(link)
    if len(kept) > MAX_LINKS:
        problems.append(f"At most {MAX_LINKS} evidence links.")
    return kept


def _audit(
    context: RequestContext,
    action: AuditAction,
    object_type: str,
    object_id: int,
    student: Student,
    reason: str = "",
) -> None:
    audit_record(
        context=context,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        student=student,
        reason=reason,
    )


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
        "interests": _words(fields.interests, "Interests", problems),
        "strengths": _words(fields.strengths, "Strengths", problems),
        "learning_preferences": _choices(
            fields.learning_preferences, LearningPreference.values, "Learning preferences", problems
        ),
        "aspirations": _text(fields.aspirations, "Aspirations", problems, limit=4000),
        "career_clusters": _choices(
            fields.career_clusters, [code for code, _ in career_clusters.CHOICES], "Career clusters", problems
        ),
        "postsecondary_goal": fields.postsecondary_goal,
        "postsecondary_detail": _text(fields.postsecondary_detail, "About that goal", problems, limit=300),
        "has_home_device": fields.has_home_device,
        "has_home_internet": fields.has_home_internet,
        "transport_is_hard": fields.transport_is_hard,
        "free_times": _choices(fields.free_times, MeetingTime.values, "Free times", problems),
        "schedule_notes": _text(fields.schedule_notes, "Schedule notes", problems, limit=300),
    }
    if fields.postsecondary_goal not in PostsecondaryGoal.values:
        problems.append(f"“{fields.postsecondary_goal}” is not a postsecondary goal.")
    _refuse_if(problems)
    return values


@transaction.atomic
def profile_save(*, context: RequestContext, student: Student, fields: ProfileFields) -> LearnerProfile:
    """Create or update the student's learner profile (the student keeps it) and add a revision."""
    actor = context.actor
    if actor is None or student.user_id != actor.pk:
        raise PathwaysError("A learner profile is kept by the student.")
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
    _audit(
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
    body = _text(text, "The comment", problems, limit=4000, required=True)
    profile = LearnerProfile.objects.filter(student=student).first()
    if profile is None:
        problems.append(f"{student.full_name} has not started a learner profile yet.")
    _refuse_if(problems)
    assert profile is not None  # noqa: S101  (refused above)
    comment = ProfileComment.objects.create(
        profile=profile, district_id=student.district_id, author=context.actor, text=body
    )
    _audit(context, AuditAction.UPDATE, "learner-profile", profile.pk, student, reason="Comment added")
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
        problems.append("Every goal needs a domain: academic, career, or social, emotional and physical.")
    elif fields.domain not in GoalDomain.values:
        problems.append(f"“{fields.domain}” is not a goal domain (academic, career or personal).")
    statement = _text(fields.statement, "The goal", problems, limit=2000, required=True)
    if fields.status not in GoalStatus.values:
        problems.append(f"“{fields.status}” is not a goal status.")
    links = _links(fields.evidence_links, problems)
    milestones: list[MilestoneSpec] = []
    for number, spec in enumerate(fields.milestones, start=1):
        description = _text(spec.description, f"Milestone {number}", problems, limit=500)
        if not description:
            if spec.target_date is not None:
                problems.append(f"Milestone {number} has a date but no description.")
            continue
        if spec.status not in MilestoneStatus.values:
            problems.append(f"Milestone {number}: “{spec.status}” is not a milestone status.")
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
    _audit(context, AuditAction.UPDATE, "success-plan", plan.pk, student, reason="Goal added")
    return goal


@transaction.atomic
def goal_update(*, context: RequestContext, goal: PlanGoal, fields: GoalFields) -> PlanGoal:
    """Rewrite a goal and its milestones."""
    values, milestones = _goal_values(fields)
    goal = PlanGoal.objects.select_for_update(of=("self",)).select_related("plan__student").get(pk=goal.pk)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.updated_at = timezone.now()
    goal.save()
    _write_milestones(goal, milestones)
    _plan_changed(goal.plan)
    _audit(
        context, AuditAction.UPDATE, "success-plan", goal.plan_id, goal.plan.student, reason="Goal changed"
    )
    return goal


@transaction.atomic
def plan_review_record(
    *, context: RequestContext, student: Student, reviewed_on: datetime.date, notes: str = ""
) -> PlanReview:
    """Record a review of the student's plan by the acting staff member."""
    problems: list[str] = []
    body = _text(notes, "The review notes", problems, limit=4000)
    if reviewed_on > policy.today():
        problems.append("A review cannot be dated in the future.")
    actor = context.actor
    if actor is None:
        problems.append("A review needs a reviewer.")
    plan = SuccessPlan.objects.filter(student=student).first()
    if plan is None or not plan.goals.exists():
        problems.append(f"{student.full_name}’s success plan has no goals yet: add goals before a review.")
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
    _audit(context, AuditAction.UPDATE, "success-plan", plan.pk, student, reason="Reviewed")
    return review


@transaction.atomic
def plan_acknowledge(*, context: RequestContext, student: Student) -> PlanAcknowledgement:
    """A guardian acknowledges the plan as it stands now."""
    actor = context.actor
    plan = SuccessPlan.objects.filter(student=student).first()
    if actor is None or plan is None or not plan.goals.exists():
        raise PathwaysError(f"{student.full_name}’s success plan has no goals to acknowledge yet.")
    acknowledgement = PlanAcknowledgement.objects.create(
        plan=plan, district_id=student.district_id, guardian=actor, revision=plan.revision
    )
    _audit(
        context,
        AuditAction.UPDATE,
        "success-plan",
        plan.pk,
        student,
        reason=f"Acknowledged revision {plan.revision}",
    )
    return acknowledgement


# The catalog ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFields:
    name: str
    kind: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""
    mentor: User | None = None


def _mentor_problem(mentor: User | None, district: Organization) -> str | None:
    if mentor is not None and not mentor_candidates(district).filter(pk=mentor.pk).exists():
        return f"{mentor.display_name} is not an external mentor or teacher in {district.name}."
    return None


@transaction.atomic
def provider_save(
    *, district: Organization, fields: ProviderFields, provider: Provider | None = None
) -> Provider:
    """Create a provider in a district's catalog, or update one."""
    problems: list[str] = []
    name = _text(fields.name, "The name", problems, limit=200, required=True)
    if fields.kind not in ProviderKind.values:
        problems.append("Choose what kind of provider it is: school, college, employer or nonprofit.")
    email = _text(fields.contact_email, "The contact email", problems, limit=254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(f"“{email}” is not an email address.")
    website = _text(fields.website, "The website", problems, limit=200)
    if website and urlsplit(website).scheme not in ("http", "https"):
        problems.append("The website should start with https://.")
    mentor_problem = _mentor_problem(fields.mentor, district)
    if mentor_problem:
        problems.append(mentor_problem)
    clash = Provider.objects.filter(district=district, name__iexact=name)
    if provider is not None:
        clash = clash.exclude(pk=provider.pk)
    if name and clash.exists():
        problems.append(f"{district.name} already has a provider called “{name}”.")
    values = {
        "name": name,
        "kind": fields.kind,
        "contact_name": _text(fields.contact_name, "The contact name", problems, limit=200),
        "contact_email": email,
        "contact_phone": _text(fields.contact_phone, "The phone number", problems, limit=40),
        "website": website,
        "mentor": fields.mentor,
    }
    _refuse_if(problems)
    if provider is None:
        return Provider.objects.create(district=district, **values)
    for attribute, value in values.items():
        setattr(provider, attribute, value)
    provider.save()
    return provider


@dataclass(frozen=True)
class OpportunityFields:
    title: str
    kind: str
    provider: Provider
    location: str
    description: str = ""
    topics: Sequence[str] = ()
    location_detail: str = ""
    times: Sequence[str] = ()
    schedule_notes: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    hours_per_week: int | None = None
    capacity: int | None = None
    min_grade: int | None = None
    max_grade: int | None = None
    competencies: Sequence[Competency] = ()
    prerequisites: Sequence[Competency] = ()
    cost_notes: str = ""
    transport_provided: bool = False
    transport_notes: str = ""
    career_cluster: str = ""
    mentor: User | None = None
    is_active: bool = True
    shared_as_template: bool = False


def _opportunity_values(
    district: Organization, fields: OpportunityFields, opportunity: Opportunity | None
) -> dict[str, object]:
    problems: list[str] = []
    title = _text(fields.title, "The title", problems, limit=200, required=True)
    if fields.kind not in OpportunityKind.values:
        problems.append("Choose the type of opportunity.")
    if fields.location not in Location.values:
        problems.append("Choose where it happens: on campus, in the community or online.")
    if fields.provider.district_id != district.pk:
        problems.append("The provider belongs to another district’s catalog.")
    _dates_ordered(fields.starts_on, fields.ends_on, "opportunity", problems)
    for label, grade in (("lowest", fields.min_grade), ("highest", fields.max_grade)):
        if grade is not None and not 0 <= grade <= 13:
            problems.append(f"The {label} grade must be from 0 (kindergarten) to 13.")
    if fields.min_grade is not None and fields.max_grade is not None and fields.min_grade > fields.max_grade:
        problems.append("The lowest grade is above the highest grade.")
    if fields.capacity is not None and fields.capacity < 1:
        problems.append("The number of places must be at least 1 (leave it empty for no limit).")
    if fields.hours_per_week is not None and not 0 < fields.hours_per_week <= 80:
        problems.append("Hours per week must be from 1 to 80.")
    if opportunity is not None and fields.capacity is not None:
        taken = opportunity.paths.filter(status__in=PLACE_HOLDING).count()
        if fields.capacity < taken:
            problems.append(
                f"{taken} students already hold places: the number of places cannot be below that."
            )
    if fields.career_cluster and fields.career_cluster not in career_clusters.CODES:
        problems.append(f"“{fields.career_cluster}” is not one of the 16 career clusters.")
    for label, competencies in (
        ("it can evidence", fields.competencies),
        ("prerequisite", fields.prerequisites),
    ):
        unpublished = [c for c in competencies if c.version.status != VersionStatus.PUBLISHED]
        if unpublished:
            name = unpublished[0].human_code or unpublished[0].short_statement
            problems.append(f"A {label} competency ({name}) is not in a published framework version.")
    mentor_problem = _mentor_problem(fields.mentor, district)
    if mentor_problem:
        problems.append(mentor_problem)
    values: dict[str, object] = {
        "title": title,
        "kind": fields.kind,
        "provider": fields.provider,
        "description": _text(fields.description, "The description", problems, limit=8000),
        "topics": _words(fields.topics, "Topics", problems),
        "location": fields.location,
        "location_detail": _text(fields.location_detail, "The place", problems, limit=300),
        "times": _choices(fields.times, MeetingTime.values, "Times", problems),
        "schedule_notes": _text(fields.schedule_notes, "The schedule", problems, limit=300),
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
        "hours_per_week": fields.hours_per_week,
        "capacity": fields.capacity,
        "min_grade": fields.min_grade,
        "max_grade": fields.max_grade,
        "cost_notes": _text(fields.cost_notes, "The cost notes", problems, limit=300),
        "transport_provided": fields.transport_provided,
        "transport_notes": _text(fields.transport_notes, "The transport notes", problems, limit=300),
        "career_cluster": fields.career_cluster,
        "mentor": fields.mentor,
        "is_active": fields.is_active,
        "shared_as_template": fields.shared_as_template,
    }
    _refuse_if(problems)
    return values


@transaction.atomic
def opportunity_save(
    *,
    district: Organization,
    fields: OpportunityFields,
    actor: User | None,
    opportunity: Opportunity | None = None,
) -> Opportunity:
    """Create an opportunity in a district's catalog, or update one."""
    if opportunity is not None:
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    values = _opportunity_values(district, fields, opportunity)
    if opportunity is None:
        opportunity = Opportunity.objects.create(district=district, created_by=actor, **values)
    else:
        for name, value in values.items():
            setattr(opportunity, name, value)
        opportunity.updated_at = timezone.now()
        opportunity.save()
    opportunity.competencies.set(fields.competencies)
    opportunity.prerequisites.set(fields.prerequisites)
    return opportunity


def usable_competencies(district: Organization, competencies: Sequence[Competency]) -> list[Competency]:
    """The competencies a district can evidence: those of frameworks it owns or adopts, or its state's."""
    adopted = set(FrameworkAdoption.objects.filter(district=district).values_list("framework_id", flat=True))
    return [
        competency
        for competency in competencies
        if competency.version.framework.owner_id in (district.pk, district.parent_id)
        or competency.version.framework_id in adopted
    ]


@transaction.atomic
def opportunity_copy(
    *, template: Opportunity, district: Organization, provider: Provider, actor: User | None
) -> tuple[Opportunity, int]:
    """Copy a best-practice template into a district's catalog with one of its providers; returns the copy
    and how many competencies were left out because the district does not use their framework."""
    if not template.shared_as_template and template.district_id != district.pk:
        raise PathwaysError(
            "Only an opportunity shared as a best practice can be copied to another district."
        )
    if actor is None or district.pk not in curated_districts(actor):
        raise PathwaysError("Only teachers and administrators of a district add to its catalog.")
    competencies = list(template.competencies.select_related("version__framework"))
    prerequisites = list(template.prerequisites.select_related("version__framework"))
    kept = usable_competencies(district, competencies)
    kept_prerequisites = usable_competencies(district, prerequisites)
    copy = opportunity_save(
        district=district,
        actor=actor,
        fields=OpportunityFields(
            title=template.title,
            kind=template.kind,
            provider=provider,
            location=template.location,
            description=template.description,
            topics=template.topics,
            times=template.times,
            schedule_notes=template.schedule_notes,
            hours_per_week=template.hours_per_week,
            capacity=template.capacity,
            min_grade=template.min_grade,
            max_grade=template.max_grade,
            competencies=kept,
            prerequisites=kept_prerequisites,
            cost_notes=template.cost_notes,
            transport_provided=template.transport_provided,
            transport_notes=template.transport_notes,
            career_cluster=template.career_cluster,
        ),
    )
    copy.copied_from = template
    copy.save(update_fields=["copied_from"])
    return copy, len(competencies) - len(kept) + len(prerequisites) - len(kept_prerequisites)


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
    rationale = _text(
        fields.rationale,
        "The reason for this path (how it fits your interests and goals)",
        problems,
        limit=4000,
        required=True,
    )
    _dates_ordered(fields.starts_on, fields.ends_on, "path", problems)
    foreign_goals = [goal for goal in fields.goals if goal.plan.student_id != student.pk]
    if foreign_goals:
        problems.append("A path can only serve the student’s own success plan goals.")
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
            problems.append("The opportunity is not in the student’s district’s catalog.")
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
            problems.append(f"There is already an open proposal for “{opportunity.title}”.")
        competencies = list(opportunity.competencies.all())
        values.update(title="", question="", texts="", product="", mentor=None)
    else:
        values.update(
            title=_text(
                fields.title, "The title of the independent study", problems, limit=200, required=True
            ),
            question=_text(fields.question, "The question it explores", problems, limit=2000, required=True),
            texts=_text(fields.texts, "The texts and resources", problems, limit=4000),
            product=_text(fields.product, "What it will produce", problems, limit=2000, required=True),
            mentor=fields.mentor,
        )
        competencies = list(fields.competencies)
        if not competencies:
            problems.append("Name at least one competency the independent study will show.")
        if any(c.version.status != VersionStatus.PUBLISHED for c in competencies):
            problems.append("Every competency must come from a published framework version.")
        if fields.mentor is not None and fields.mentor.pk == student.user_id:
            problems.append("A student cannot mentor their own independent study.")
        mentor_problem = _mentor_problem(fields.mentor, student.district)
        if mentor_problem:
            problems.append(mentor_problem)
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
        raise PathwaysError("A student proposes paths only for themselves.")
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
    _audit(context, AuditAction.CREATE, "path", path.pk, student, reason="Proposed")
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
        raise PathwaysError(f"This path is {path.get_status_display().lower()}: it cannot be {doing} now.")


def _move(context: RequestContext, path: PathProposal, to_status: str, note: str = "") -> None:
    _event(context, path, to_status, note)
    reason = f"{PathStatus(path.status).label} → {PathStatus(to_status).label}"
    path.status = to_status
    path.updated_at = timezone.now()
    path.save()
    _audit(context, AuditAction.UPDATE, "path", path.pk, path.student, reason=reason)


@transaction.atomic
def path_revise(*, context: RequestContext, path: PathProposal, fields: ProposalFields) -> PathProposal:
    """The student rewrites a proposal that is awaiting a decision or was sent back; a proposal sent back
    for changes goes back to the approvers."""
    path = _locked(path)
    actor = context.actor
    if actor is None or path.student.user_id != actor.pk:
        raise PathwaysError("Only the student revises their proposal.")
    _require_status(path, (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED), "revised")
    if fields.opportunity is not None and path.opportunity_id != fields.opportunity.pk:
        raise PathwaysError("A proposal keeps its opportunity: withdraw it and propose the other one.")
    if fields.opportunity is None and path.opportunity_id is not None:
        raise PathwaysError("A proposal keeps its opportunity: withdraw it and propose an independent study.")
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
        _audit(context, AuditAction.UPDATE, "path", path.pk, path.student, reason="Revised")
    return path


def _not_own(context: RequestContext, path: PathProposal) -> None:
    actor = context.actor
    if actor is None or actor.pk in (path.student.user_id, path.proposed_by_id):
        raise PathwaysError("You cannot approve or send back your own proposal.")


@transaction.atomic
def path_request_changes(*, context: RequestContext, path: PathProposal, note: str) -> PathProposal:
    """An approver sends the proposal back to the student, saying what to change."""
    path = _locked(path)
    _not_own(context, path)
    problems: list[str] = []
    body = _text(note, "What should change", problems, limit=4000, required=True)
    _refuse_if(problems)
    _require_status(path, (PathStatus.PROPOSED,), "sent back")
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
    body = _text(notes, "The approval notes", problems, limit=4000)
    _refuse_if(problems)
    _require_status(path, (PathStatus.PROPOSED,), "approved")
    _lock_opportunity(path.opportunity)
    if path.opportunity is not None:
        barriers = eligibility_barriers(path.student, path.opportunity, exclude_path=path)
        if barriers:
            raise PathwaysError([f"It cannot be approved: {barrier}" for barrier in barriers])
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
    _require_status(path, (PathStatus.APPROVED,), "started")
    today = policy.today()
    note = "Started"
    if path.starts_on > today:
        note = f"Started early (planned for {_day(path.starts_on)})"
        path.starts_on = today
    if path.ends_on < today:
        raise PathwaysError(f"This path ended on {_day(path.ends_on)}: change its dates before starting it.")
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
    body = _text(note, "The note", problems, limit=4000)
    _refuse_if(problems)
    _require_status(path, (PathStatus.ACTIVE,), "completed")
    _move(context, path, PathStatus.COMPLETED, body or "Completed")
    return path


@transaction.atomic
def path_withdraw(*, context: RequestContext, path: PathProposal, reason: str = "") -> PathProposal:
    """The student or an approver withdraws a path that is not finished; its place is freed."""
    path = _locked(path)
    problems: list[str] = []
    body = _text(reason, "The reason", problems, limit=4000)
    _refuse_if(problems)
    _require_status(path, OPEN_STATUSES, "withdrawn")
    _move(context, path, PathStatus.WITHDRAWN, body or "Withdrawn")
    return path
