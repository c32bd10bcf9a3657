"""Records that travel: graduation rule sets and the mastery-based diploma, issued competency transcripts,
signed credentials and the district's signing keys, the portfolio and its links, exhibitions and the Senior
Demonstration Project, transfers between districts and disposal on request.

Every row about a student carries the student's `district`, the tenant key. An awarded diploma, an issued
transcript and an issued credential are immutable: they change only by revocation (with a reason) or by a new
issue that keeps the old one in the history.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.core.models import Organization, Student
from waypoint.evidence.models import Evidence
from waypoint.frameworks.models import Competency, Framework, Rubric

# Graduation rule sets ---------------------------------------------------------------------------------------


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class GraduationRuleSet(models.Model):
    """What a cohort (the students who began high school in `cohort_year`) must show to graduate, in a
    district. Editing a published rule set makes a new version; the versions before it stay as they were, so a
    diploma keeps the exact rules it was awarded under."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    cohort_year = models.SmallIntegerField(help_text=_("The year the cohort began high school."))
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cohort_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "cohort_year", "version"], name="rule_set_version_per_cohort"
            ),
            models.UniqueConstraint(
                fields=["district", "cohort_year"],
                condition=Q(status="published"),
                name="one_rule_set_in_force_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (cohort {self.cohort_year}, v{self.version})"


class RequirementKind(models.TextChoices):
    COMPETENCY = "competency", _("A competency at a level")
    DOMAIN = "domain", _("Every competency of a domain at a level")
    COUNT = "count", _("A number of domains at a level")
    EXPERIENCE = "experience", _("An experience")


class ExperienceKind(models.TextChoices):
    SENIOR_PROJECT = "senior_project", _("Senior Demonstration Project")
    EXHIBITION = "exhibition", _("Exhibition")
    WORK_BASED_LEARNING = "work_based_learning", _("Work-based learning path")
    CTE_CERTIFICATE = "cte_certificate", _("CTE certificate")
    INTERNSHIP = "internship", _("Internship")
    DUAL_ENROLLMENT = "dual_enrollment", _("Dual enrollment")
    COMMUNITY_SERVICE = "community_service", _("Community service")


class GraduationRequirement(models.Model):
    """One requirement of a rule set.

    - COMPETENCY: `competency` at `min_level` (None: the scale's mastery level).
    - DOMAIN: every leaf competency under `competency` at `min_level`.
    - COUNT: at least `count` of the children of `competency` (or, with no competency, of the top-level
      competencies of `framework`) at `min_level`, e.g. "Proficient in 4 of the 6 graduate-profile domains".
    - EXPERIENCE: `experience` completed (a held exhibition or Senior Demonstration Project, a completed path
      of that kind).
    `credits` is the credit equivalence reported to the state; it is not itself a requirement.
    """

    rule_set = models.ForeignKey(GraduationRuleSet, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=RequirementKind.choices)
    label = models.CharField(max_length=300, blank=True)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    min_level = models.FloatField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    experience = models.CharField(max_length=32, choices=ExperienceKind.choices, blank=True)
    credits = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["rule_set", "position", "pk"]

    def __str__(self) -> str:
        return self.label or f"{self.get_kind_display()} #{self.position}"


# The diploma ------------------------------------------------------------------------------------------------


class DiplomaImmutableError(Exception):
    """An awarded diploma changes only by revocation."""


class Diploma(models.Model):
    """A mastery-based diploma awarded to an eligible student. Immutable once written: only `revoked_*` can
    be set, once, with a reason. `requirements_check` is the diploma check as it stood at the award (every
    requirement, met, with the evidence that met it), so the award can be reproduced years later."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # Emptied when the student's record is disposed of: the diploma stays, with the name it was issued to.
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="diplomas"
    )
    rule_set = models.ForeignKey(GraduationRuleSet, on_delete=models.PROTECT, related_name="diplomas")
    # Kept so the diploma stays readable after a disposal removes the student's other records.
    student_name = models.CharField(max_length=300)
    awarded_on = models.DateField()
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(default=timezone.now)
    requirements_check = models.JSONField(default=list)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(revoked_at__isnull=True), name="one_standing_diploma"
            ),
        ]

    def __str__(self) -> str:
        return f"Diploma of {self.student_name} ({self.awarded_on})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = Diploma.objects.filter(pk=self.pk).values("revoked_at").first()
            update_fields = set(kwargs.get("update_fields") or ())  # type: ignore[call-overload]
            if (
                stored is None
                or stored["revoked_at"] is not None
                or not update_fields
                or (update_fields - {"revoked_at", "revoked_by", "revoke_reason"})
            ):
                raise DiplomaImmutableError("An awarded diploma changes only by a revocation, once.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def standing(self) -> bool:
        return self.revoked_at is None


# Transcripts ------------------------------------------------------------------------------------------------


class IssuedTranscript(models.Model):
    """A transcript as issued: its content (the data the HTML and the PDF were rendered from), the PDF, and
    the SHA-256 of the PDF. A reissue is a new row whose `supersedes` is the one before; nothing is
    overwritten."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="transcripts"
    )
    # The public verification page finds the transcript by this code (random, unguessable).
    verification_code = models.CharField(max_length=64, unique=True)
    content = models.JSONField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Transcript {self.verification_code[:8]} of student {self.student_id}"


class TranscriptRequest(models.Model):
    """A request for an official transcript (for a college, an employer, a scholarship), made by the
    student, a guardian or the staff who guide the student, and fulfilled by issuing one."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="transcript_requests")
    recipient = models.CharField(max_length=300, help_text=_("Who the transcript is for."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    transcript = models.ForeignKey(
        IssuedTranscript, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Transcript request {self.pk} for {self.recipient}"


# Credentials ------------------------------------------------------------------------------------------------


class SigningKey(models.Model):
    """A district's Ed25519 signing key. The public half is published (JWKS); the private half never leaves
    the server. A retired key stays published so credentials it signed still verify."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Key {self.kid} of district {self.district_id}"


class CredentialKind(models.TextChoices):
    CLR = "clr", _("Comprehensive Learner Record")
    ACHIEVEMENT = "achievement", _("Competency at mastery")
    DIPLOMA = "diploma", _("Diploma")


class IssuedCredential(models.Model):
    """A signed credential as issued (the compact VC-JWT), with its place on the district's revocation
    list."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="credentials"
    )
    kind = models.CharField(max_length=16, choices=CredentialKind.choices)
    credential_id = models.CharField(max_length=100, unique=True, help_text=_("The credential's urn:uuid."))
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    token = models.TextField(help_text=_("The signed credential, a compact JWS."))
    status_index = models.PositiveIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    diploma = models.ForeignKey(Diploma, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    part_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["district", "status_index"], name="credential_status_index"),
        ]

    def __str__(self) -> str:
        return self.credential_id


# The portfolio ----------------------------------------------------------------------------------------------


class PortfolioCollection(models.Model):
    """A collection the student curates from their evidence, with reflections; the student chooses who sees
    it."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="portfolio_collections")
    title = models.CharField(max_length=200)
    reflection = models.TextField(blank=True)
    shared_with_teachers = models.BooleanField(default=True)
    shared_with_guardians = models.BooleanField(default=True)
    shared_with_panel = models.BooleanField(
        default=False, help_text=_("Shown to the panels of the student's exhibitions.")
    )
    shown_on_transcript = models.BooleanField(
        default=False, help_text=_("The transcript links to this collection's evidence.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["student", "-updated_at"]

    def __str__(self) -> str:
        return self.title


class PortfolioItem(models.Model):
    collection = models.ForeignKey(PortfolioCollection, on_delete=models.CASCADE, related_name="items")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="+")
    reflection = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "evidence"], name="portfolio_item_once"),
        ]

    def __str__(self) -> str:
        return f"Item {self.pk} of collection {self.collection_id}"


class PortfolioLink(models.Model):
    """A public link to one collection: anyone with it reads the collection until it expires or is revoked.
    Only the SHA-256 of the token is stored."""

    collection = models.ForeignKey(PortfolioCollection, on_delete=models.CASCADE, related_name="links")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Link {self.prefix}… to collection {self.collection_id}"

    def is_open(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


# Exhibitions and the Senior Demonstration Project -----------------------------------------------------------


class ExhibitionKind(models.TextChoices):
    EXHIBITION = "exhibition", _("Exhibition")
    GATEWAY = "gateway", _("Gateway")
    SENIOR_PROJECT = "senior_project", _("Senior Demonstration Project")


class ExhibitionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ExhibitionOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    PASSED = "passed", _("Demonstrated")
    NOT_YET = "not_yet", _("Not yet demonstrated")


class Exhibition(models.Model):
    """A student-led presentation of work to a panel, scored against a rubric. Its evidence row (created when
    it is scheduled) carries the panel's scores: a certified teacher's set levels, everyone else's are
    feedback."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="exhibitions")
    kind = models.CharField(max_length=16, choices=ExhibitionKind.choices, default=ExhibitionKind.EXHIBITION)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    scheduled_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    rubric = models.ForeignKey(Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    competencies = models.ManyToManyField(Competency, related_name="+")
    collection = models.ForeignKey(
        PortfolioCollection, null=True, blank=True, on_delete=models.SET_NULL, related_name="exhibitions"
    )
    evidence = models.OneToOneField(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="exhibition"
    )
    status = models.CharField(
        max_length=16, choices=ExhibitionStatus.choices, default=ExhibitionStatus.SCHEDULED
    )
    outcome = models.CharField(
        max_length=16, choices=ExhibitionOutcome.choices, default=ExhibitionOutcome.PENDING
    )
    outcome_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    held_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return self.title


class PanelRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    GUARDIAN = "guardian", _("Parent or guardian")
    EXPERT = "expert", _("Community expert")


class PanelMember(models.Model):
    """A member of an exhibition's panel: a Waypoint account (staff, guardian) or a community expert, who may
    have no account (their scores are entered by staff)."""

    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="panel")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=PanelRole.choices)
    affiliation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["exhibition", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibition", "user"], condition=Q(user__isnull=False), name="panel_member_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Transfers between districts --------------------------------------------------------------------------------


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RELEASED = "released", _("Released")
    DECLINED = "declined", _("Declined")


class TransferRequest(models.Model):
    """District B asks district A for the record of a student now enrolled in B. The only path between
    districts: until A releases it, B sees only what B created. `package` is what A released (transcript-level
    data and the evidence chosen), copied into B on release."""

    from_district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    to_district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The student's record in the requesting district (B) and, once matched, in the sending district (A).
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="transfers_in")
    source_student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers_out"
    )
    state_student_id = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    released_automatically = models.BooleanField(default=False)
    decision_notes = models.TextField(blank=True)
    package = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "from_district"],
                condition=Q(status="requested"),
                name="one_open_transfer_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Transfer of student {self.student_id} from {self.from_district_id}"


class TransferPolicy(models.Model):
    """A district's choice to release a record automatically when the requesting district's enrolment matches
    (same state student id, name and birth date)."""

    district = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="transfer_policy")
    release_on_match = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Transfer policy of district {self.district_id}"


# Disposal on request ----------------------------------------------------------------------------------------


class DisposalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COMPLETED = "completed", _("Completed")


class DisposalRequest(models.Model):
    """A request to dispose of a departed student's record, due within 60 days. What stays after it completes:
    this row (the fact of disposal), the diplomas issued and the audit log. `student` is emptied when the
    record is gone; `student_reference` keeps an unreadable reference (a keyed hash of the district's student
    id) so a repeated request can be recognised."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="disposal_requests"
    )
    student_reference = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=DisposalStatus.choices, default=DisposalStatus.REQUESTED)
    requested_by_name = models.CharField(max_length=200, help_text=_("Who asked: the family, the student."))
    received_on = models.DateField()
    due_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposed = models.JSONField(default=dict, blank=True, help_text=_("Rows removed, by kind."))
    kept = models.JSONField(default=dict, blank=True, help_text=_("Rows kept as law requires, by kind."))

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"Disposal {self.pk} ({self.status})"
