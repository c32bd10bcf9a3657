"""Organizations, people, roles, enrollments, sections, caseloads, demographics, audit and API tokens.

Every row that holds student data has a `district` column: it is the tenant key that queries filter on, and
the column a sharded deployment would distribute by.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from waypoint.core.demographics import RACE_FLAGS, RaceEthnicity, federal_race_ethnicity


class Organization(models.Model):
    """A node of the state > district > school tree, identified by a OneRoster-compatible `sourced_id`."""

    class Kind(models.TextChoices):
        STATE = "state", "State"
        DISTRICT = "district", "District"
        SCHOOL = "school", "School"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    sourced_id = models.CharField(max_length=255, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    lowest_grade = models.SmallIntegerField(null=True, blank=True)
    highest_grade = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="organization_state_is_root",
                condition=(
                    Q(kind="state", parent__isnull=True) | (~Q(kind="state") & Q(parent__isnull=False))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Anyone who signs in: students, guardians, staff, state analysts and external mentors."""

    sourced_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    district = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organization.Kind.DISTRICT},
        help_text="The district the person belongs to; empty for state staff.",
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text="The language pages and notifications use; empty follows the browser.",
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    """Staff and partner roles held by assignment; student and guardian follow from the records themselves."""

    TEACHER = "teacher", "Teacher"
    ADVISOR = "advisor", "Advisor / counselor"
    SCHOOL_ADMIN = "school_admin", "School administrator"
    DISTRICT_ADMIN = "district_admin", "District administrator"
    STATE_ANALYST = "state_analyst", "State analyst"
    MENTOR = "mentor", "External mentor"


class RoleAssignment(models.Model):
    """A user holds a role at an organization (a school, a district, or the state) for a span of dates."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="role_assignments")
    district = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField(default=datetime.date.today)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "role"])]
        constraints = [
            models.CheckConstraint(
                name="role_assignment_dates_ordered",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()} at {self.organization}"


class TeacherCertification(models.Model):
    """A state teaching certificate. Only a teacher with a current one may set a mastery level."""

    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="certifications")
    number = models.CharField(max_length=64)
    area = models.CharField(max_length=200, help_text="Endorsement area, e.g. 'Mathematics 7-12'.")
    issued_on = models.DateField()
    expires_on = models.DateField()

    class Meta:
        ordering = ["-expires_on"]
        constraints = [
            models.CheckConstraint(
                name="certification_expires_after_issue", condition=Q(expires_on__gte=models.F("issued_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.area})"


class Student(models.Model):
    """A learner's record, held by one district at a time (the tenant key)."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="students")
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="student_record"
    )
    sourced_id = models.CharField(max_length=255)
    state_student_id = models.CharField(max_length=32, null=True, blank=True, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    cohort_year = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text="The school year (its starting calendar year) the student entered grade 9.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"], name="student_sourced_id_per_district"
            ),
        ]
        indexes = [models.Index(fields=["district", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"


class ExitKind(models.TextChoices):
    """Why an enrollment ended, as the federal adjusted cohort graduation rate needs it: a documented
    transfer out, emigration or death removes a student from the cohort; every other exit keeps them in."""

    GRADUATED = "graduated", "Graduated"
    TRANSFERRED = "transferred", "Transferred to another school or district"
    EMIGRATED = "emigrated", "Moved out of the country"
    DECEASED = "deceased", "Deceased"
    DROPPED_OUT = "dropped_out", "Dropped out"
    MOVED_WITHIN = "moved_within", "Moved to another school of the district"
    OTHER = "other", "Other"


# The exits that remove a student from a graduation cohort (34 CFR 200.19(b)(1)(ii)).
COHORT_REMOVING_EXITS = (ExitKind.TRANSFERRED, ExitKind.EMIGRATED, ExitKind.DECEASED)


class StudentEnrollment(models.Model):
    """A span of enrollment at one school; the dates are inclusive, and an open end means enrolled now."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="student_enrollments")
    grade_level = models.SmallIntegerField(
        help_text="0 is kindergarten, 13 is a fifth or later year of high school."
    )
    entry_date = models.DateField()
    exit_date = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=120, blank=True)
    exit_kind = models.CharField(max_length=16, choices=ExitKind.choices, blank=True)

    class Meta:
        ordering = ["-entry_date"]
        indexes = [
            models.Index(fields=["school", "exit_date"]),
            models.Index(fields=["student", "entry_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="enrollment_dates_ordered",
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("entry_date")),
            ),
            models.CheckConstraint(
                name="enrollment_grade_in_range", condition=Q(grade_level__gte=0, grade_level__lte=13)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} at {self.school} from {self.entry_date}"


class Section(models.Model):
    """A class: a course offered at a school for a span of dates, with its teachers and students."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sections")
    sourced_id = models.CharField(max_length=255)
    title = models.CharField(max_length=200)
    course_code = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=100, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    teachers: models.ManyToManyField[User, SectionTeacher] = models.ManyToManyField(
        User, through="SectionTeacher", related_name="taught_sections"
    )

    class Meta:
        ordering = ["school__name", "course_code", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"], name="section_sourced_id_per_district"
            ),
            models.CheckConstraint(
                name="section_dates_ordered", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SectionTeacher(models.Model):
    class TeachingRole(models.TextChoices):
        LEAD = "lead", "Lead teacher"
        CO_TEACHER = "co_teacher", "Co-teacher"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="teacher_assignments")
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="section_assignments")
    teaching_role = models.CharField(max_length=16, choices=TeachingRole.choices, default=TeachingRole.LEAD)
    starts_on = models.DateField(default=datetime.date.today)
    ends_on = models.DateField(null=True, blank=True)
    # The OneRoster enrollment that rostered this teacher; empty when set by hand or by the demo.
    sourced_id = models.CharField(max_length=255, blank=True, default="", db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "teacher"], name="section_teacher_once")]

    def __str__(self) -> str:
        return f"{self.teacher} teaches {self.section}"


class SectionEnrollment(models.Model):
    """A student on a section's roster for a span of dates (inclusive)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="roster")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="section_enrollments")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # The OneRoster enrollment that rostered this student; empty when set by hand or by the demo.
    sourced_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["section", "ends_on"]),
            models.Index(fields=["district", "sourced_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "student", "starts_on"], name="section_enrollment_once_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.section} from {self.starts_on}"


class AdvisorAssignment(models.Model):
    """A student in an advisor's or counselor's caseload for a span of dates (inclusive)."""

    advisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="caseload_assignments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="advisor_assignments")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["advisor", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.student} in the caseload of {self.advisor}"


class GuardianLink(models.Model):
    """A guardian's link to a student, which gives the guardian the right to read the student's record."""

    class Relationship(models.TextChoices):
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Legal guardian"
        RELATIVE = "relative", "Relative caregiver"
        FOSTER = "foster", "Foster parent"

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_links")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(max_length=16, choices=Relationship.choices, default=Relationship.PARENT)
    starts_on = models.DateField(default=datetime.date.today)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guardian", "student"], name="guardian_link_once")]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.get_relationship_display()}) of {self.student}"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NONBINARY = "nonbinary", "Nonbinary (X)"
    NOT_REPORTED = "not_reported", "Not reported"


class StudentDemographics(models.Model):
    """Subgroup data for accountability reporting, stored apart because fewer roles may read it.

    Race is stored as OneRoster and Ed-Fi do (ethnicity plus one flag per race) and reduced to the federal
    category by `race_ethnicity`.
    """

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="demographics")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_REPORTED)
    hispanic_or_latino = models.BooleanField(default=False)
    american_indian_or_alaska_native = models.BooleanField(default=False)
    asian = models.BooleanField(default=False)
    black_or_african_american = models.BooleanField(default=False)
    native_hawaiian_or_other_pacific_islander = models.BooleanField(default=False)
    white = models.BooleanField(default=False)
    english_learner = models.BooleanField(default=False)
    students_with_disabilities = models.BooleanField(default=False, help_text="Has an IEP under IDEA.")
    section_504 = models.BooleanField(default=False)
    economically_disadvantaged = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "student demographics"

    def __str__(self) -> str:
        return f"Demographics of student {self.student_id}"

    @property
    def race_ethnicity(self) -> RaceEthnicity:
        """The federal reporting category of the stored flags."""
        return federal_race_ethnicity(
            hispanic_or_latino=self.hispanic_or_latino,
            races=[flag for flag in RACE_FLAGS if getattr(self, flag)],
        )


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login-failed", "Failed sign-in"
    DENIED = "denied", "Denied"


_EVENT_PHRASES: dict[tuple[str, str], str] = {
    (AuditAction.VIEW, "student"): "Opened the record",
    (AuditAction.VIEW, "student-list"): "Saw the name in a student list",
    (AuditAction.VIEW, "section-roster"): "Saw the name on a class roster",
    (AuditAction.VIEW, "caseload"): "Saw the name in an advisor's caseload",
    (AuditAction.VIEW, "disclosures"): "Opened this list of who viewed the record",
    (AuditAction.DENIED, "*"): "Tried to open the record and was refused",
    (AuditAction.CREATE, "student"): "Created the record",
    (AuditAction.UPDATE, "*"): "Changed the record",
    (AuditAction.DELETE, "*"): "Removed part of the record",
    (AuditAction.EXPORT, "*"): "Exported the record",
}


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events are append-only and cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only and cannot be deleted.")


class AuditEvent(models.Model):
    """One read or write of a student record, a sign-in, an export or a denied request. Append-only.

    `actor`, `student` and `district` carry no database constraint so that no cascade can ever reach this
    table; the username is copied so the event stays readable after the account is gone.

    On PostgreSQL the table is partitioned by month of `occurred_at` (`waypoint.core.audit_partitions`), and
    its key there is a unique (id, occurred_at), as a partitioned table requires (migration 0010 says why it
    is not a PRIMARY KEY constraint); `id` alone still names a row, from one identity sequence.
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # No index of their own: the indexes below lead with them, and every index is one more write per event.
    student = models.ForeignKey(
        Student,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    district = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    client_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    reason = models.CharField(
        max_length=300, blank=True, help_text="The legitimate interest, when there is one."
    )
    # The request's id (X-Request-ID, `RequestIdMiddleware`): ties the row to the log lines of the same
    # request. Blank outside a request (a command, the demo) and in rows written as plain SQL.
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The record of disclosures (`people.selectors.student_disclosures`): a student's events newest
            # first, a page at a time, counted without the student's own visits. The order of the page and
            # `actor` (to leave those visits out) are in the index, so the count is an index-only scan and the
            # page reads 50 rows; events of no student (sign-ins) stay out of it.
            models.Index(
                fields=["student", "-occurred_at", "-id"],
                include=["actor"],
                condition=Q(student__isnull=False),
                name="audit_disclosures_idx",
            ),
            models.Index(fields=["district", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only and cannot be deleted.")

    @property
    def description(self) -> str:
        """What happened, in words a student or parent reads on the record of disclosures."""
        phrase = _EVENT_PHRASES.get((self.action, self.object_type)) or _EVENT_PHRASES.get((self.action, "*"))
        return phrase or f"{self.get_action_display()} ({self.object_type or 'record'})"


class AccessToken(models.Model):
    """A personal access token for the API. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart.")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
