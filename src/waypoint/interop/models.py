"""What a district's adoption keeps: its roster imports, the OneRoster entities that have no home in core
(academic sessions, courses, a class's OneRoster details, demographics in their OneRoster form), and how its
people sign in through its identity provider.

OneRoster `sourcedId`s of organizations, users, students, classes and enrollments live on the core rows
themselves (`sourced_id`); the rows here carry theirs for the entities core does not model."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from waypoint.core.models import Organization, Section, Student, User


class RosterImport(models.Model):
    """One run of a OneRoster import for a district: what it was given, what it did, and why it refused."""

    class Mode(models.TextChoices):
        BULK = "bulk", "Bulk"
        DELTA = "delta", "Delta"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="roster_imports")
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_name = models.CharField(max_length=255, help_text="The folder or file the roster came from.")
    version = models.CharField(max_length=8, blank=True, help_text="The OneRoster version: 1.1 or 1.2.")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.BULK)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    progress_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"users.csv": {"rows": 120, "created": 100, "updated": 20, "ended": 0, "unchanged": 0}, ...}
    counts = models.JSONField(default=dict, blank=True)
    # [{"file": "users.csv", "line": 7, "column": "role", "reason": "..."}], every problem that refused it.
    problems = models.JSONField(default=list, blank=True)
    # The same shape: what was accepted but is worth reading (a vendor column ignored, a default applied).
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["district", "-started_at"])]

    def __str__(self) -> str:
        return f"Roster import {self.pk} for {self.district} ({self.status})"


class AcademicSession(models.Model):
    """A OneRoster academic session: a school year, semester, term or grading period."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    session_type = models.CharField(max_length=32, help_text="schoolYear, semester, term or gradingPeriod.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    school_year = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"], name="session_sourced_id_per_district"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Course(models.Model):
    """A OneRoster course: what classes are sections of."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    course_code = models.CharField(max_length=64, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey(
        AcademicSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grades = models.CharField(max_length=255, blank=True)
    subjects = models.CharField(max_length=255, blank=True)
    subject_codes = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "sourced_id"], name="course_sourced_id_per_district"),
        ]

    def __str__(self) -> str:
        return self.title


class RosteredClass(models.Model):
    """What OneRoster says of a class beyond core's section: its course, terms, type, location, periods."""

    section = models.OneToOneField(Section, on_delete=models.CASCADE, related_name="oneroster")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="classes"
    )
    terms = models.ManyToManyField(AcademicSession, blank=True, related_name="classes")
    class_code = models.CharField(max_length=255, blank=True)
    class_type = models.CharField(max_length=32, blank=True, help_text="homeroom or scheduled.")
    location = models.CharField(max_length=255, blank=True)
    grades = models.CharField(max_length=255, blank=True)
    subjects = models.CharField(max_length=255, blank=True)
    subject_codes = models.CharField(max_length=255, blank=True)
    periods = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"OneRoster class {self.section}"


class RosteredDemographics(models.Model):
    """A student's demographics exactly as the roster gave them (the OneRoster columns, by name), kept beside
    core's `StudentDemographics`, which reduces them to the federal categories."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="oneroster_demographics")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    columns = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"OneRoster demographics of {self.student}"


class IdentityProvider(models.Model):
    """A district's OpenID Connect provider (Google Workspace, Microsoft Entra ID, ...): who it is, how
    Waypoint is registered with it, and which claim finds the rostered account."""

    class MatchField(models.TextChoices):
        EMAIL = "email", "E-mail address"
        SOURCED_ID = "sourced_id", "Roster identifier (the SIS id the roster carries)"
        USERNAME = "username", "Username"

    district = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="identity_provider")
    display_name = models.CharField(max_length=100, help_text="Shown on the sign-in button, e.g. 'Google'.")
    issuer = models.URLField(
        max_length=500, help_text="The issuer URL; its discovery document is read from it."
    )
    client_id = models.CharField(max_length=255)
    client_secret = models.CharField(max_length=500, blank=True)
    scopes = models.CharField(max_length=255, default="openid email profile")
    match_claim = models.CharField(
        max_length=64, default="email", help_text="The ID token claim that identifies the person."
    )
    match_field = models.CharField(max_length=16, choices=MatchField.choices, default=MatchField.EMAIL)
    required_for_staff = models.BooleanField(
        default=False, help_text="Staff of the district may not sign in with a Waypoint password."
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.display_name} for {self.district}"


class ExternalIdentity(models.Model):
    """A rostered account linked to its subject at the district's provider, on its first sign-in there."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_account_per_provider_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.provider}"
