"""Paths of study: a student's proposal to take a catalog opportunity (`waypoint.catalog`) or an independent
study, its approval, its history and its mentor.

Paths carry the student's `district`, the tenant key. A path may serve goals of the student's success plan
(`waypoint.profiles`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.models import Opportunity, OpportunityKind
from waypoint.core.models import Organization, Student
from waypoint.frameworks.models import Competency
from waypoint.profiles.models import PlanGoal


class PathStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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
    title = models.CharField(max_length=200, blank=True, help_text=_("An independent study's title."))
    question = models.TextField(blank=True, help_text=_("An independent study's driving question."))
    texts = models.TextField(blank=True, help_text=_("The texts and resources an independent study uses."))
    product = models.TextField(blank=True, help_text=_("What an independent study produces."))
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
    def takes_evidence(self) -> bool:
        """Evidence is added to a path once it is approved, and while it is active."""
        return self.status in (PathStatus.APPROVED, PathStatus.ACTIVE)

    @property
    def is_independent_study(self) -> bool:
        return self.opportunity_id is None

    @property
    def display_title(self) -> str:
        if self.opportunity is not None:
            return self.opportunity.title
        return self.title or gettext("Independent study")

    @property
    def kind(self) -> str:
        return self.opportunity.kind if self.opportunity is not None else OpportunityKind.INDEPENDENT_STUDY

    @property
    def kind_label(self) -> str:
        return str(OpportunityKind(self.kind).label)


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
