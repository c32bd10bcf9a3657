"""Aggregates for accountability, and the schools' action plans.

The aggregate tables hold counts and sums per group of students, never a student: a row is keyed by the
district, the school, the grade, the cohort (the year the students entered grade 9), a reporting dimension
and one of its groups (`waypoint.insights.dimensions`). Every dimension splits the same population, so the
rows of one dimension add up to the whole. `services.refresh` rebuilds a district's rows set-based in SQL
(nightly, or when an administrator asks) and records when in `AggregateRefresh`; the dashboards read only
these tables, and say how fresh they are.

Action plans follow CSDE's Cycle of Action: a goal on one dashboard measure for a school (optionally a
group), actions with owners and dates, and a reading of the measure at each refresh."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.core.models import Organization
from waypoint.progress.models import Alert


class AggregateRefresh(models.Model):
    """One rebuild of a district's aggregates: when, as of which day, how long, how many rows."""

    district = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["district", "-finished_at"], name="insights_refresh_latest")]

    def __str__(self) -> str:
        return f"Aggregates of district {self.district_id} as of {self.as_of}"


class _GroupKey(models.Model):
    """The key every aggregate row shares. `school` is the school of the student's enrollment active on the
    refresh's day (the newest, when two are open); `grade` its grade; `cohort` the year of entering grade 9
    (null: not known)."""

    district = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    grade = models.SmallIntegerField()
    cohort = models.SmallIntegerField(null=True, blank=True)
    dimension = models.CharField(max_length=32)
    subgroup = models.CharField(max_length=32)

    class Meta:
        abstract = True


class GroupFigures(_GroupKey):
    """The students enrolled on the refresh's day, per group: status, mastery, pace and paths.

    - `ahead` … `not_started` count students by `progress.StudentProgress.status` (a student without a
      progress row is not started).
    - `mastered` and `required` are sums over the group; `pace_total` the sum of the paces of the `paced`
      students (those whose pace is measured: any status but not started), so mean pace is
      pace_total / paced, in competencies mastered per month.
    - `pace_band_0` … `pace_band_5` count the paced students in each band of `dimensions.PACE_BANDS`.
    - `path_<kind>` counts the students taking part (a path approved, active or completed that overlaps the
      school year) in a path of that kind (`dimensions.ACCESS_KINDS`); `path_any` in any kind at all."""

    students = models.PositiveIntegerField(default=0)
    ahead = models.PositiveIntegerField(default=0)
    on_track = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    off_track = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    mastered = models.PositiveIntegerField(default=0)
    required = models.PositiveIntegerField(default=0)
    paced = models.PositiveIntegerField(default=0)
    pace_total = models.FloatField(default=0.0)
    pace_band_0 = models.PositiveIntegerField(default=0)
    pace_band_1 = models.PositiveIntegerField(default=0)
    pace_band_2 = models.PositiveIntegerField(default=0)
    pace_band_3 = models.PositiveIntegerField(default=0)
    pace_band_4 = models.PositiveIntegerField(default=0)
    pace_band_5 = models.PositiveIntegerField(default=0)
    path_any = models.PositiveIntegerField(default=0)
    path_internship = models.PositiveIntegerField(default=0)
    path_apprenticeship = models.PositiveIntegerField(default=0)
    path_dual_enrollment = models.PositiveIntegerField(default=0)
    path_cte_program = models.PositiveIntegerField(default=0)
    path_online_course = models.PositiveIntegerField(default=0)
    path_community_service = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["district", "dimension", "subgroup"], name="insights_group_key"),
            models.Index(fields=["district", "school", "dimension"], name="insights_group_school"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.subgroup} at {self.school_id}, grade {self.grade}"


class MonthlyFigures(_GroupKey):
    """What happened each month to the students of a group (as they are grouped on the refresh's day), over
    the 36 months up to the refresh's day: competencies first mastered, advancements, alerts about a student
    opened and closed, supports opened and resolved, evidence recorded."""

    month = models.DateField(help_text=_("The first day of the month."))
    mastered_gained = models.PositiveIntegerField(default=0)
    advancements = models.PositiveIntegerField(default=0)
    alerts_opened = models.PositiveIntegerField(default=0)
    alerts_closed = models.PositiveIntegerField(default=0)
    supports_opened = models.PositiveIntegerField(default=0)
    supports_resolved = models.PositiveIntegerField(default=0)
    evidence = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["district", "dimension", "month"], name="insights_monthly_key")]

    def __str__(self) -> str:
        return f"{self.dimension}={self.subgroup} at {self.school_id}, {self.month:%Y-%m}"


# The counts of a `MonthlyFigures` row, in the order the dashboards show them.
MONTHLY_COLUMNS: tuple[str, ...] = (
    "mastered_gained",
    "advancements",
    "alerts_opened",
    "alerts_closed",
    "supports_opened",
    "supports_resolved",
    "evidence",
)


class EvidenceVolume(_GroupKey):
    """Evidence recorded in a school year (`school_year`: the calendar year it starts, July 1), by its type
    (the assessment's kind, or the evidence's own kind when it answers no assessment) and the kind of path it
    was recorded on ("" when none)."""

    school_year = models.SmallIntegerField()
    evidence_type = models.CharField(max_length=32)
    path_kind = models.CharField(max_length=32, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["district", "dimension", "school_year"], name="insights_evidence_key")
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.evidence_type} in {self.school_year}"


class CohortFigures(models.Model):
    """One graduation cohort (the students who entered grade 9 in the fall of `cohort`), per school (the last
    one each student was enrolled at) and group, for the graduation-rate calculator.

    - `members`: every student of the district with that cohort year, whenever they arrived;
      `transfers_in` of them arrived after the fall of `cohort` (their first enrollment in the district
      began after October 1).
    - `removed_by_<n>`: left the cohort (transferred out, emigrated or died, with the exit recorded, or their
      record released to another district) by the end of year n (August 31 of cohort + n). A student holding a
      standing diploma awarded within the six years is never removed (a record released after graduating
      stays a graduate), so graduates never outnumber the adjusted cohort.
    - `graduated_by_<n>`: hold a standing diploma awarded by the end of year n."""

    district = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.SmallIntegerField()
    dimension = models.CharField(max_length=32)
    subgroup = models.CharField(max_length=32)
    members = models.PositiveIntegerField(default=0)
    transfers_in = models.PositiveIntegerField(default=0)
    removed_by_4 = models.PositiveIntegerField(default=0)
    removed_by_5 = models.PositiveIntegerField(default=0)
    removed_by_6 = models.PositiveIntegerField(default=0)
    graduated_by_3 = models.PositiveIntegerField(default=0)
    graduated_by_4 = models.PositiveIntegerField(default=0)
    graduated_by_5 = models.PositiveIntegerField(default=0)
    graduated_by_6 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["district", "dimension", "cohort"], name="insights_cohort_key")]

    def __str__(self) -> str:
        return f"Cohort {self.cohort}, {self.dimension}={self.subgroup} at {self.school_id}"


# School action plans ----------------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    MET = "met", _("Goal met")
    CLOSED = "closed", _("Closed")


class ActionPlan(models.Model):
    """A school's improvement goal on one dashboard measure (`insights.measures.MEASURES`), for all its
    students or one group, optionally one grade or cohort: from `baseline` to `goal` by `goal_on`. A subgroup
    alert of the progress app can open one (`alert`)."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    measure = models.CharField(max_length=32)
    dimension = models.CharField(max_length=32, default="all")
    subgroup = models.CharField(max_length=32, default="all")
    grade = models.SmallIntegerField(null=True, blank=True)
    cohort = models.SmallIntegerField(null=True, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    goal = models.FloatField()
    goal_on = models.DateField()
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "goal_on", "id"]
        indexes = [models.Index(fields=["district", "school", "status"], name="insights_plan_school")]

    def __str__(self) -> str:
        return self.title


class ActionStep(models.Model):
    """One action of a plan: what, who owns it, by when, and when it was done."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="steps")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class PlanReading(models.Model):
    """The plan's measure as a refresh found it; `value` is None when suppression hid it."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="readings")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    measured_on = models.DateField()
    value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["measured_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "measured_on"], name="one_reading_per_plan_day"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} on {self.measured_on}: {self.value}"
