"""Multiple paths of study: learner profiles, Student Success Plans, the opportunity catalog, path proposals.

Student rows (profiles, plans, goals, paths and their histories) carry the student's `district`, the tenant
key. The catalog (providers and opportunities) belongs to the district that curates it and is not student
data; an opportunity a district shares as a best-practice template holds no student information either.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from waypoint.core.models import Organization, Student
from waypoint.frameworks.models import Competency
from waypoint.pathways import career_clusters, recommend

REVIEW_INTERVAL = datetime.timedelta(days=365)


class OpportunityKind(models.TextChoices):
    COURSE = "course", "Course"
    ONLINE_COURSE = "online_course", "Online or blended course"
    INTERNSHIP = "internship", "Internship"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship"
    DUAL_ENROLLMENT = "dual_enrollment", "Dual enrollment / early college"
    CTE_PROGRAM = "cte_program", "CTE program"
    INDEPENDENT_STUDY = "independent_study", "Independent study"
    COMMUNITY_SERVICE = "community_service", "Community service"
    PERFORMING_GROUP = "performing_group", "Performing group"
    PRIVATE_INSTRUCTION = "private_instruction", "Private instruction"
    PROJECT = "project", "Project"
    WORK_BASED_LEARNING = "work_based_learning", "Work-based learning"


class Location(models.TextChoices):
    ON_CAMPUS = "on_campus", "On campus"
    COMMUNITY = recommend.COMMUNITY, "In the community"
    ONLINE = recommend.ONLINE, "Online"


class MeetingTime(models.TextChoices):
    SCHOOL_DAY = recommend.SCHOOL_DAY, "During the school day"
    AFTER_SCHOOL = "after_school", "After school"
    EVENINGS = "evenings", "Evenings"
    WEEKENDS = "weekends", "Weekends"
    SUMMER = "summer", "Summer"


class LearningPreference(models.TextChoices):
    HANDS_ON = "hands_on", "Hands-on: making and doing"
    VISUAL = "visual", "Seeing it: diagrams, video, demonstrations"
    READING = "reading", "Reading and writing"
    DISCUSSION = "discussion", "Talking it through"
    INDEPENDENT = "independent", "Working on my own"
    GROUP = "group", "Working in a group"
    ON_SITE = "on_site", "Out in the world: on site, outdoors"
    TECHNOLOGY = "technology", "With technology"


class PostsecondaryGoal(models.TextChoices):
    FOUR_YEAR = "four_year", "Four-year college"
    TWO_YEAR = "two_year", "Two-year college"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship or trade school"
    MILITARY = "military", "Military service"
    EMPLOYMENT = "employment", "Work right after high school"
    SERVICE_YEAR = "service_year", "Service or gap year"
    UNDECIDED = "undecided", "Not sure yet"


class LearnerProfile(models.Model):
    """Who the student is as a learner, kept by the student; every save adds a `LearnerProfileRevision`.

    The access needs (device, internet, transport, free times) are what recommendations take into account;
    `None` on a device or internet question means the student has not said."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="learner_profile")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    interests = models.JSONField(default=list, blank=True)
    strengths = models.JSONField(default=list, blank=True)
    learning_preferences = models.JSONField(default=list, blank=True)
    aspirations = models.TextField(blank=True)
    career_clusters = models.JSONField(default=list, blank=True)
    postsecondary_goal = models.CharField(
        max_length=16, choices=PostsecondaryGoal.choices, default=PostsecondaryGoal.UNDECIDED
    )
    postsecondary_detail = models.CharField(max_length=300, blank=True)
    has_home_device = models.BooleanField(null=True, blank=True)
    has_home_internet = models.BooleanField(null=True, blank=True)
    transport_is_hard = models.BooleanField(default=False)
    free_times = models.JSONField(default=list, blank=True)
    schedule_notes = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Learner profile of student {self.student_id}"

    @property
    def career_cluster_labels(self) -> list[str]:
        return [career_clusters.label(code) for code in self.career_clusters]

    @property
    def learning_preference_labels(self) -> list[str]:
        labels = dict(LearningPreference.choices)
        return [labels.get(code, code) for code in self.learning_preferences]

    @property
    def free_time_labels(self) -> list[str]:
        labels = dict(MeetingTime.choices)
        return [labels.get(code, code) for code in self.free_times]


class LearnerProfileRevision(models.Model):
    """The profile as one save left it: the profile's history, never changed."""

    profile = models.ForeignKey(LearnerProfile, on_delete=models.CASCADE, related_name="revisions")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["profile_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="profile_revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.profile}"


class ProfileComment(models.Model):
    """An advisor's or teacher's comment on a learner profile; the profile itself stays the student's."""

    profile = models.ForeignKey(LearnerProfile, on_delete=models.CASCADE, related_name="comments")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Comment on {self.profile}"


class SuccessPlan(models.Model):
    """The Student Success Plan (Connecticut, grades 6-12): goals in three domains, reviewed at least yearly.

    `revision` grows with every change, so a guardian's acknowledgement says which state of the plan they
    read."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="success_plan")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Success plan of student {self.student_id}"

    def review_due(self, last_reviewed_on: datetime.date | None) -> datetime.date:
        """The date by which the plan must be reviewed: a year after the last review, or after it began."""
        start = last_reviewed_on or timezone.localdate(self.created_at)
        return start + REVIEW_INTERVAL


class GoalDomain(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    CAREER = "career", "Career"
    PERSONAL = "personal", "Social, emotional and physical"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    SET_ASIDE = "set_aside", "Set aside"


class PlanGoal(models.Model):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="goals")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    domain = models.CharField(max_length=16, choices=GoalDomain.choices)
    statement = models.TextField()
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)
    evidence_links = models.JSONField(
        default=list, blank=True, help_text="Addresses of work that shows progress (portfolio, evidence)."
    )
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan_id", "domain", "position", "id"]
        constraints = [
            models.CheckConstraint(name="plan_goal_domain_known", condition=Q(domain__in=GoalDomain.values)),
        ]

    def __str__(self) -> str:
        return self.statement[:80]


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"


class GoalMilestone(models.Model):
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="milestones")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=500)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["goal_id", "position", "id"]

    def __str__(self) -> str:
        return self.description


class PlanReview(models.Model):
    """One review of a success plan: when, by whom, what was agreed."""

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="reviews")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=300, help_text="Kept so the review stays readable.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.plan} on {self.reviewed_on}"


class PlanAcknowledgement(models.Model):
    """A guardian read the plan as it stood at `revision` and acknowledged it."""

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="acknowledgements")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.guardian} acknowledged {self.plan} (revision {self.revision})"


class ProviderKind(models.TextChoices):
    SCHOOL = "school", "School"
    COLLEGE = "college", "College or university"
    EMPLOYER = "employer", "Employer"
    NONPROFIT = "nonprofit", "Nonprofit or community organization"


class Provider(models.Model):
    """Who offers opportunities: a school, a college, an employer, a nonprofit; with a contact and the
    account of the external mentor who works with students there."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="pathway_providers")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ProviderKind.choices)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The external mentor account of students placed here.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="provider_name_per_district"),
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(models.Model):
    """A learning experience in a district's catalog, in or out of the school building."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="opportunities")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="opportunities")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=OpportunityKind.choices)
    description = models.TextField(blank=True)
    topics = models.JSONField(default=list, blank=True, help_text="Words students' interests are matched to.")
    location = models.CharField(max_length=16, choices=Location.choices)
    location_detail = models.CharField(max_length=300, blank=True)
    times = models.JSONField(default=list, blank=True)
    schedule_notes = models.CharField(max_length=300, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means no limit.")
    min_grade = models.SmallIntegerField(null=True, blank=True)
    max_grade = models.SmallIntegerField(null=True, blank=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="evidenced_by_opportunities")
    prerequisites = models.ManyToManyField(
        Competency, blank=True, related_name="prerequisite_of_opportunities"
    )
    cost_notes = models.CharField(max_length=300, blank=True)
    transport_provided = models.BooleanField(default=False)
    transport_notes = models.CharField(max_length=300, blank=True)
    career_cluster = models.CharField(max_length=32, choices=career_clusters.CHOICES, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The external mentor of students on it; empty means the provider's mentor.",
    )
    is_active = models.BooleanField(default=True, help_text="Offered for new proposals.")
    shared_as_template = models.BooleanField(
        default=False, help_text="A best practice other districts may copy into their catalog."
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "opportunities"
        indexes = [models.Index(fields=["district", "is_active", "kind"])]
        constraints = [
            models.CheckConstraint(
                name="opportunity_dates_ordered",
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
            ),
            models.CheckConstraint(
                name="opportunity_grades_ordered",
                condition=Q(min_grade__isnull=True)
                | Q(max_grade__isnull=True)
                | Q(max_grade__gte=models.F("min_grade")),
            ),
            models.CheckConstraint(
                name="opportunity_capacity_positive", condition=Q(capacity__isnull=True) | Q(capacity__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def mentor_account_id(self) -> int | None:
        """The mentor a path on this opportunity gets at approval: its own, else the provider's."""
        return self.mentor_id or self.provider.mentor_id

    @property
    def career_cluster_label(self) -> str:
        return career_clusters.label(self.career_cluster) if self.career_cluster else ""

    @property
    def time_labels(self) -> list[str]:
        labels = dict(MeetingTime.choices)
        return [labels.get(code, code) for code in self.times]

    @property
    def grade_span(self) -> str:
        low, high = self.min_grade, self.max_grade
        if low is None and high is None:
            return "Any grade"
        if low is not None and high is not None:
            return f"Grade {low}" if low == high else f"Grades {low}–{high}"
        return f"Grade {low} and up" if low is not None else f"Grade {high} and below"


class PathStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A path in one of these states holds a place in its opportunity.
PLACE_HOLDING = (PathStatus.APPROVED, PathStatus.ACTIVE)
# A path in one of these states is still open: the student cannot propose the same opportunity again.
OPEN_STATUSES = (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED, PathStatus.APPROVED, PathStatus.ACTIVE)
# A student takes part in an opportunity once a path on it is approved.
PARTICIPATING = (PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED)


class PathProposal(models.Model):
    """A student's path: a catalog opportunity, or an independent study the student designs (no
    opportunity), proposed with a rationale and approved by staff who have the student in scope.

    `mentor` is copied from the opportunity's mentor account at approval, or is the mentor chosen for an
    independent study; while the path is active, that mentor sees the evidence submitted for it."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="paths")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=PathStatus.choices, default=PathStatus.PROPOSED)
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.PROTECT, related_name="paths"
    )
    title = models.CharField(max_length=200, blank=True, help_text="An independent study's title.")
    question = models.TextField(blank=True, help_text="An independent study's driving question.")
    texts = models.TextField(blank=True, help_text="The texts and resources an independent study uses.")
    product = models.TextField(blank=True, help_text="What an independent study produces.")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="+")
    rationale = models.TextField()
    goals = models.ManyToManyField(PlanGoal, blank=True, related_name="paths")
    starts_on = models.DateField()
    ends_on = models.DateField()
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentored_paths",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["opportunity", "status"]),
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["student", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="path_dates_ordered", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="path_is_opportunity_or_independent_study",
                condition=Q(opportunity__isnull=False) | ~Q(question=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} ({self.get_status_display()})"

    @property
    def is_independent_study(self) -> bool:
        return self.opportunity_id is None

    @property
    def display_title(self) -> str:
        if self.opportunity is not None:
            return self.opportunity.title
        return self.title or "Independent study"

    @property
    def kind(self) -> str:
        return self.opportunity.kind if self.opportunity is not None else OpportunityKind.INDEPENDENT_STUDY

    @property
    def kind_label(self) -> str:
        return OpportunityKind(self.kind).label


class PathEvent(models.Model):
    """One step of a path's history: proposed, changes requested, resubmitted, approved, started..."""

    path = models.ForeignKey(PathProposal, on_delete=models.CASCADE, related_name="events")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=PathStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=PathStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.path_id}: {self.from_status or 'new'} → {self.to_status}"
