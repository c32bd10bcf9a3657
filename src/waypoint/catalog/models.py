"""The opportunity catalog: the providers a district works with and the opportunities they offer, in or out of
the school building, and the best-practice templates districts share.

The catalog belongs to the district that curates it and is not student data; an opportunity a district
shares as a best-practice template holds no student information either. Students take opportunities through
paths (`waypoint.pathways`), which sit above the catalog: the catalog never imports them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.catalog import career_clusters
from waypoint.core.models import Organization
from waypoint.frameworks.models import Competency


class OpportunityKind(models.TextChoices):
    COURSE = "course", _("Course")
    ONLINE_COURSE = "online_course", _("Online or blended course")
    INTERNSHIP = "internship", _("Internship")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    DUAL_ENROLLMENT = "dual_enrollment", _("Dual enrollment / early college")
    CTE_PROGRAM = "cte_program", _("CTE program")
    INDEPENDENT_STUDY = "independent_study", _("Independent study")
    COMMUNITY_SERVICE = "community_service", _("Community service")
    PERFORMING_GROUP = "performing_group", _("Performing group")
    PRIVATE_INSTRUCTION = "private_instruction", _("Private instruction")
    PROJECT = "project", _("Project")
    WORK_BASED_LEARNING = "work_based_learning", _("Work-based learning")


# The location and time values below are the strings the pure recommendation rule reads
# (`waypoint.pathways.recommend`: ONLINE, COMMUNITY, SCHOOL_DAY); tests/pathways/test_recommend.py checks they
# agree.
class Location(models.TextChoices):
    ON_CAMPUS = "on_campus", _("On campus")
    COMMUNITY = "community", _("In the community")
    ONLINE = "online", _("Online")


class MeetingTime(models.TextChoices):
    SCHOOL_DAY = "school_day", _("During the school day")
    AFTER_SCHOOL = "after_school", _("After school")
    EVENINGS = "evenings", _("Evenings")
    WEEKENDS = "weekends", _("Weekends")
    SUMMER = "summer", _("Summer")


class ProviderKind(models.TextChoices):
    SCHOOL = "school", _("School")
    COLLEGE = "college", _("College or university")
    EMPLOYER = "employer", _("Employer")
    NONPROFIT = "nonprofit", _("Nonprofit or community organization")


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
        help_text=_("The external mentor account of students placed here."),
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
    topics = models.JSONField(
        default=list, blank=True, help_text=_("Words students' interests are matched to.")
    )
    location = models.CharField(max_length=16, choices=Location.choices)
    location_detail = models.CharField(max_length=300, blank=True)
    times = models.JSONField(default=list, blank=True)
    schedule_notes = models.CharField(max_length=300, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty means no limit."))
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
        help_text=_("The external mentor of students on it; empty means the provider's mentor."),
    )
    is_active = models.BooleanField(default=True, help_text=_("Offered for new proposals."))
    shared_as_template = models.BooleanField(
        default=False, help_text=_("A best practice other districts may copy into their catalog.")
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
        return gettext(career_clusters.label(self.career_cluster)) if self.career_cluster else ""

    @property
    def time_labels(self) -> list[str]:
        labels = dict(MeetingTime.choices)
        return [labels.get(code, code) for code in self.times]

    @property
    def grade_span(self) -> str:
        low, high = self.min_grade, self.max_grade
        if low is None and high is None:
            return gettext("Any grade")
        if low is not None and high is not None:
            if low == high:
                return gettext("Grade %(grade)s") % {"grade": low}
            return gettext("Grades %(low)s–%(high)s") % {"low": low, "high": high}
        if low is not None:
            return gettext("Grade %(grade)s and up") % {"grade": low}
        return gettext("Grade %(grade)s and below") % {"grade": high}
