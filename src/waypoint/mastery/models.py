"""Mastery levels derived from certified scores, their history, the calculation rules districts choose, and
Bayesian Knowledge Tracing estimates from auto-scored practice.

A mastery level is never edited by hand (DESIGN.md invariant 3): it is recomputed from the counted scores by
the method in force, and records that method, its parameters, the framework version and the scores it used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from waypoint.core.models import Organization, Student
from waypoint.frameworks.models import Competency, Framework, FrameworkVersion
from waypoint.mastery.calc import Method, RollupRule


class ScoreIdsField(models.Field[Iterable[int], list[int]]):
    """The ids of the scores a level was computed from: an array of bigint on PostgreSQL (compact, and written
    by COPY without a JSON encoding per row), JSON text on SQLite. Read as a list of ints on both."""

    description = "A list of score ids"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "bigint[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> list[int] | None:
        if value is None:
            return None
        return json.loads(value) if isinstance(value, str) else list(value)

    def to_python(self, value: Any) -> list[int] | None:
        if value is None:
            return None
        return json.loads(value) if isinstance(value, str) else [int(item) for item in value]

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if value is None:
            return None
        ids = [int(item) for item in value]
        return ids if connection.vendor == "postgresql" else json.dumps(ids)


class CalculationRule(models.Model):
    """A district's choice of calculation method for a framework, or for one competency of it (which wins).

    A competency is named by its CASE identifier so the choice carries over to later versions."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="calculation_rules")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="calculation_rules")
    competency_identifier = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=24, choices=[(m.value, m.value) for m in Method])
    parameters = models.JSONField(default=dict, blank=True)
    rollup_rule = models.CharField(
        max_length=16, choices=[(r.value, r.value) for r in RollupRule], default=RollupRule.MEAN.value
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "framework", "competency_identifier"], name="calculation_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} for {self.framework_id}/{self.competency_identifier or '*'}"


# Levels and their history derive from scores, which are never deleted and whose own foreign keys hold the
# same district, student, competency and version: no row a level or a change names can go while the scores it
# was computed from stay. So these two tables keep the relations (PROTECT, joins) without constraints of their
# own (db_constraint=False): a bulk recompute writes 1.4 million rows, and PostgreSQL would check each key of
# each one at commit. Nor does a key get an index of its own where a composite index starts with it, or where
# nothing looks rows up by it (the version): each index costs every one of those rows an insertion.


class MasteryLevel(models.Model):
    """A student's current level on one competency, as last computed."""

    district = models.ForeignKey(
        Organization, related_name="+", on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    student = models.ForeignKey(
        Student, related_name="mastery_levels", on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    competency = models.ForeignKey(
        Competency, related_name="mastery_levels", on_delete=models.PROTECT, db_constraint=False
    )
    framework_version = models.ForeignKey(
        FrameworkVersion, related_name="+", on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    level = models.FloatField(null=True)
    meets_mastery = models.BooleanField(default=False)
    method = models.CharField(max_length=24)
    parameters = models.JSONField(default=dict)
    score_ids = ScoreIdsField(default=list, help_text="The counted scores the level was computed from.")
    rolled_up = models.BooleanField(default=False, help_text="Computed from the children's levels.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "competency"], name="mastery_level_unique"),
        ]
        indexes = [models.Index(fields=["district", "competency"], name="mastery_level_competency_idx")]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.competency_id}: {self.level}"


class MasteryLevelChange(models.Model):
    """One change of a student's level on a competency, kept for trajectories and charts."""

    district = models.ForeignKey(
        Organization, related_name="+", on_delete=models.PROTECT, db_constraint=False
    )
    student = models.ForeignKey(
        Student, related_name="mastery_changes", on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    competency = models.ForeignKey(
        Competency, related_name="+", on_delete=models.PROTECT, db_constraint=False
    )
    level = models.FloatField(null=True)
    meets_mastery = models.BooleanField(default=False)
    method = models.CharField(max_length=24)
    parameters = models.JSONField(default=dict)
    score_ids = ScoreIdsField(default=list)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["student", "competency", "changed_at"], name="mastery_change_idx")]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.competency_id} → {self.level} on {self.changed_at:%Y-%m-%d}"


class PracticeAttempt(models.Model):
    """One auto-scored right-or-wrong attempt (an online module, a quiz item): input to knowledge tracing,
    never a mastery-bearing score."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="practice_attempts")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="practice_attempts")
    correct = models.BooleanField()
    item = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="The tool the attempt came from.")
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [
            models.Index(fields=["district", "competency", "student", "attempted_at"], name="practice_idx")
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.competency_id}: {'right' if self.correct else 'wrong'}"


class KnowledgeModel(models.Model):
    """BKT parameters fitted for one competency of one district from its students' practice."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="knowledge_models")
    prior = models.FloatField()
    learn = models.FloatField()
    guess = models.FloatField()
    slip = models.FloatField()
    students = models.PositiveIntegerField()
    attempts = models.PositiveIntegerField()
    evidence_sufficient = models.BooleanField()
    fitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "competency"], name="knowledge_model_unique"),
        ]

    def __str__(self) -> str:
        return f"BKT {self.competency_id}"


class KnowledgeEstimate(models.Model):
    """P(mastered) for a student on a competency from knowledge tracing: a labelled estimate shown beside the
    teacher-determined level, never replacing it."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="knowledge_estimates")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    probability_mastered = models.FloatField()
    attempts = models.PositiveIntegerField()
    evidence_sufficient = models.BooleanField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "competency"], name="knowledge_estimate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.competency_id}: {self.probability_mastered:.2f}"
