"""Learner profiles and Student Success Plans: who the student is as a learner, and the goals they set in
three domains, reviewed at least yearly and acknowledged by guardians.

Every row carries the student's `district`, the tenant key. A profile's free times and career clusters are
said in the catalog's words (`MeetingTime`, `career_clusters`), so recommendations can match them to
opportunities.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.catalog import career_clusters
from waypoint.catalog.models import MeetingTime
from waypoint.core.models import Organization, Student

REVIEW_INTERVAL = datetime.timedelta(days=365)


class LearningPreference(models.TextChoices):
    HANDS_ON = "hands_on", _("Hands-on: making and doing")
    VISUAL = "visual", _("Seeing it: diagrams, video, demonstrations")
    READING = "reading", _("Reading and writing")
    DISCUSSION = "discussion", _("Talking it through")
    INDEPENDENT = "independent", _("Working on my own")
    GROUP = "group", _("Working in a group")
    ON_SITE = "on_site", _("Out in the world: on site, outdoors")
    TECHNOLOGY = "technology", _("With technology")


class PostsecondaryGoal(models.TextChoices):
    FOUR_YEAR = "four_year", _("Four-year college")
    TWO_YEAR = "two_year", _("Two-year college")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship or trade school")
    MILITARY = "military", _("Military service")
    EMPLOYMENT = "employment", _("Work right after high school")
    SERVICE_YEAR = "service_year", _("Service or gap year")
    UNDECIDED = "undecided", _("Not sure yet")


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
        return [gettext(career_clusters.label(code)) for code in self.career_clusters]

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
    target_years = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(3), MaxValueValidator(6)],
        help_text=_("The years of high school the student aims to graduate in: 3, 4, 5 or 6."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="success_plan_target_years_3_to_6", condition=Q(target_years__gte=3, target_years__lte=6)
            ),
        ]

    def __str__(self) -> str:
        return f"Success plan of student {self.student_id}"

    def review_due(self, last_reviewed_on: datetime.date | None) -> datetime.date:
        """The date by which the plan must be reviewed: a year after the last review, or after it began."""
        start = last_reviewed_on or timezone.localdate(self.created_at)
        return start + REVIEW_INTERVAL


class GoalDomain(models.TextChoices):
    ACADEMIC = "academic", _("Academic")
    CAREER = "career", _("Career")
    PERSONAL = "personal", _("Social, emotional and physical")


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    SET_ASIDE = "set_aside", _("Set aside")


class PlanGoal(models.Model):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="goals")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    domain = models.CharField(max_length=16, choices=GoalDomain.choices)
    statement = models.TextField()
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)
    evidence_links = models.JSONField(
        default=list, blank=True, help_text=_("Addresses of work that shows progress (portfolio, evidence).")
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
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


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
    reviewer_name = models.CharField(max_length=300, help_text=_("Kept so the review stays readable."))
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
