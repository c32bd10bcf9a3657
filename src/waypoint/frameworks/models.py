"""Competency frameworks: versions, the competency tree, alignments, proficiency scales and rubrics.

Frameworks are not student data: a state-wide framework (owned by the state) can be adopted by many districts,
and a district can own its own (its graduate profile). Each framework is a CASE CFDocument lineage; every
version holds its own copy of the tree, so evidence scored against a version keeps meaning what it meant.
A published version is immutable (DESIGN.md invariant 5): editing means a new draft that starts as a copy, and
each copied competency points at the one it `replaces`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from waypoint.core.models import Organization


class ProficiencyScale(models.Model):
    """Ordered levels a score is given on; one or more levels meet mastery."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="proficiency_scales")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    in_use_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the first score is recorded on this scale; from then on it cannot change.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ScaleLevel(models.Model):
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.CASCADE, related_name="levels")
    value = models.FloatField()
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    student_description = models.TextField(blank=True)
    meets_mastery = models.BooleanField(default=False)

    class Meta:
        ordering = ["scale_id", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="scale_level_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value:g} {self.label}"


class FrameworkKind(models.TextChoices):
    GRADUATE_PROFILE = "graduate_profile", _("Graduate profile")
    CONTENT = "content", _("Content competencies")
    CAREER = "career", _("Career and technical education")
    STANDARDS = "standards", _("Content standards")


class Framework(models.Model):
    """A competency framework: the lineage of versions of one CASE document."""

    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="frameworks",
        help_text="The state for a state-wide framework, or the district that owns it.",
    )
    kind = models.CharField(max_length=32, choices=FrameworkKind.choices, default=FrameworkKind.CONTENT)
    title = models.CharField(max_length=500)
    subjects = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    creator = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=20, blank=True)
    case_identifier = models.CharField(max_length=64, help_text="The CFDocument identifier (a UUID).")
    source_identifier = models.CharField(
        max_length=500, blank=True, help_text="The identifier in the imported file when it was not a UUID."
    )
    uri = models.CharField(max_length=1000, blank=True)
    official_source_url = models.CharField(max_length=1000, blank=True)
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.PROTECT, related_name="frameworks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "case_identifier"], name="framework_identifier_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class FrameworkAdoption(models.Model):
    """A district's use of a framework it does not own (e.g. a state-wide content standard)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="adoptions")
    district = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="framework_adoptions",
        limit_choices_to={"kind": Organization.Kind.DISTRICT},
    )
    adopted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "district"], name="framework_adoption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district} adopts {self.framework}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    label = models.CharField(max_length=100, blank=True, help_text="The CASE `version` string, if any.")
    adoption_status = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    case_extras = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the CFDocument says that Waypoint keeps but does not use (frameworkType, subjectURI, "
        "licenseURI, status dates, extensions), under the CASE names, so that the export writes it back.",
    )

    class Meta:
        ordering = ["framework_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_number_unique"),
            models.UniqueConstraint(
                fields=["framework"],
                condition=Q(status="draft"),
                name="framework_single_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.title}, version {self.number} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Tier(models.TextChoices):
    """Where a competency sits in a graduate-profile style tree; mastery rolls up indicator → domain."""

    DOMAIN = "domain", _("Domain")
    COMPETENCY = "competency", _("Competency")
    INDICATOR = "indicator", _("Performance indicator")


class CompetencyKind(models.TextChoices):
    CONTENT = "content", _("Content")
    TRANSFERABLE_SKILL = "transferable_skill", _("Transferable skill")
    CAREER = "career", _("Career / CTE")


class Competency(models.Model):
    """One CASE CFItem of one framework version: a domain, competency or performance indicator."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="competencies")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    # A materialised path of zero-padded sibling positions (see tree.tree_paths): a whole framework reads
    # parents-first in one ordered query whatever its depth.
    path = models.CharField(max_length=255, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0)
    # Indexed: the CASE provider finds an item by its identifier alone (/ims/case/v1p1/CFItems/{id}).
    case_identifier = models.CharField(max_length=64, db_index=True)
    source_identifier = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=1000, blank=True)
    human_code = models.CharField(max_length=200, blank=True, db_index=True)
    full_statement = models.TextField()
    student_statement = models.TextField(
        blank=True, help_text="The same expectation in words a student understands."
    )
    abbreviated_statement = models.TextField(blank=True)
    alternative_label = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    item_type = models.CharField(max_length=100, blank=True, help_text="The CASE CFItemType, e.g. Standard.")
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.COMPETENCY)
    kind = models.CharField(max_length=32, choices=CompetencyKind.choices, default=CompetencyKind.CONTENT)
    education_levels = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=20, blank=True)
    list_enumeration = models.CharField(max_length=50, blank=True)
    concept_keywords = models.JSONField(default=list, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    child_association_identifier = models.CharField(max_length=64, blank=True, db_index=True)
    child_association_source_identifier = models.CharField(max_length=500, blank=True)
    child_association_uri = models.CharField(max_length=1000, blank=True)
    child_association_last_change = models.DateTimeField(null=True, blank=True)
    case_extras = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the CFItem (and its isChildOf association, under isChildOf.) says that Waypoint "
        "keeps but does not use, under the CASE names, so that the export writes it back.",
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        help_text="The competency of the previous version that this one continues or replaces.",
    )

    class Meta:
        ordering = ["version_id", "path"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "case_identifier"], name="competency_identifier_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.human_code} {self.short_statement}".strip()

    @property
    def short_statement(self) -> str:
        statement = self.abbreviated_statement or self.full_statement
        return statement if len(statement) <= 140 else statement[:139] + "…"


class AssociationType(models.TextChoices):
    IS_PEER_OF = "isPeerOf", _("is a peer of")
    IS_PART_OF = "isPartOf", _("is part of")
    EXACT_MATCH_OF = "exactMatchOf", _("exactly matches")
    PRECEDES = "precedes", _("comes before")
    IS_RELATED_TO = "isRelatedTo", _("is related to")
    REPLACED_BY = "replacedBy", _("is replaced by")
    EXEMPLAR = "exemplar", _("has an exemplar")
    HAS_SKILL_LEVEL = "hasSkillLevel", _("has the skill level")
    IS_TRANSLATION_OF = "isTranslationOf", _("is a translation of")


class Alignment(models.Model):
    """A CASE association other than isChildOf, from a competency to an item of this or another framework."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="alignments")
    association_type = models.CharField(max_length=32, choices=AssociationType.choices)
    target_identifier = models.CharField(max_length=500)
    target_uri = models.CharField(max_length=1000, blank=True)
    target_title = models.CharField(max_length=500, blank=True)
    target_in_package = models.BooleanField(default=False)
    case_identifier = models.CharField(max_length=64)
    source_identifier = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=1000, blank=True)
    sequence_number = models.IntegerField(null=True, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    case_extras = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the CFAssociation says that Waypoint keeps but does not use (its grouping, notes, "
        "targetType, extensions), under the CASE names, so that the export writes it back.",
    )

    class Meta:
        ordering = ["competency_id", "association_type", "id"]
        indexes = [
            models.Index(fields=["target_identifier"], name="alignment_target_idx"),
            # The CASE provider finds an association by its identifier alone.
            models.Index(fields=["case_identifier"], name="alignment_identifier_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_association_type_display()} {self.target_title or self.target_identifier}"


class CaseDefinitionKind(models.TextChoices):
    """The arrays of a CASE package's CFDefinitions (and the CASE REST collections that serve them)."""

    CONCEPT = "CFConcepts", _("Concept")
    SUBJECT = "CFSubjects", _("Subject")
    LICENSE = "CFLicenses", _("Licence")
    ITEM_TYPE = "CFItemTypes", _("Item type")
    ASSOCIATION_GROUPING = "CFAssociationGroupings", _("Association grouping")


class CaseDefinition(models.Model):
    """One CFDefinitions entry of a framework version as it was imported: Waypoint does not use them, but
    keeps them so that an export (and the CASE provider) gives back what the publisher said."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="case_definitions")
    kind = models.CharField(max_length=32, choices=CaseDefinitionKind.choices)
    position = models.PositiveIntegerField(default=0, help_text="Its place in its array, as imported.")
    case_identifier = models.CharField(max_length=64, db_index=True)
    source_identifier = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=1000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    hierarchy_code = models.CharField(max_length=200, blank=True)
    type_code = models.CharField(max_length=200, blank=True)
    keywords = models.TextField(blank=True)
    license_text = models.TextField(blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    extensions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version_id", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "case_identifier"], name="case_definition_identifier_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title or self.case_identifier}"


class Rubric(models.Model):
    """Criteria × scale levels, each cell in teacher and in student language; reusable across assessments."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="rubrics")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    scale = models.ForeignKey(ProficiencyScale, on_delete=models.PROTECT, related_name="rubrics")
    version = models.ForeignKey(
        FrameworkVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rubrics",
        help_text="The framework version the rubric was published with (CASE CFRubrics), if any.",
    )
    case_identifier = models.CharField(max_length=64)
    source_identifier = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=1000, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="rubric_criteria")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    weight = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    case_identifier = models.CharField(max_length=64)
    source_identifier = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=1000, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rubric_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class RubricCell(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="cells")
    level = models.ForeignKey(ScaleLevel, on_delete=models.PROTECT, related_name="rubric_cells")
    description = models.TextField(help_text="What the work shows at this level, in teacher language.")
    student_description = models.TextField(blank=True, help_text="The same, in words a student understands.")
    position = models.PositiveIntegerField(default=0)
    case_identifier = models.CharField(max_length=64)
    source_identifier = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=1000, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["criterion_id", "level__value"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "level"], name="rubric_cell_unique"),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class FrameworkImport(models.Model):
    """What one CASE import did: the file, who imported it, counts and warnings."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created a framework"
        UPDATED = "updated", "Updated the draft"
        NEW_DRAFT = "new_draft", "Opened a new draft with the changes"
        UNCHANGED = "unchanged", "No change"

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="imports")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    item_count = models.PositiveIntegerField()
    association_count = models.PositiveIntegerField()
    warnings = models.JSONField(default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()})"
