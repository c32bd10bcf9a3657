"""The mastery engine: a student's level on a competency follows from the certified scores by the method the
district chose, incrementally (in the scoring transaction) or in bulk (`waypoint recompute`), with identical
results. Also the district's choice of methods and the knowledge-tracing refresh.

The rule of a level, both paths:
- a competency whose children (in its framework version) have levels is rolled up from them by the rule's
  roll-up (mean, minimum, all mastered, points);
- otherwise its level is the method applied to its own counted scores, oldest first;
- levels are rounded to 6 decimal places, so the two paths never disagree on a threshold by float noise.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from waypoint.core.models import Organization, Student, User
from waypoint.evidence.models import Score
from waypoint.frameworks.models import Competency, Framework, FrameworkAdoption, ScaleLevel
from waypoint.mastery import calc, vectorized
from waypoint.mastery.calc import Method, MethodSpec, RollupRule
from waypoint.mastery.models import CalculationRule, MasteryLevel, MasteryLevelChange

DEFAULT_SPEC = MethodSpec(Method.DECAYING_AVERAGE, weight=calc.DEFAULT_WEIGHT)
DEFAULT_ROLLUP = RollupRule.MEAN
DIGITS = 6


class CalculationError(ValueError):
    """A calculation rule that cannot be used; the message says why."""


@dataclass(frozen=True)
class ScaleFacts:
    """What the engine needs of a proficiency scale."""

    minimum: float
    maximum: float
    threshold: float


def scale_facts(levels: Iterable[tuple[float, bool]]) -> ScaleFacts:
    """The range and mastery threshold (the lowest level that meets mastery; the top one if none is marked)
    of a scale given as (value, meets_mastery) pairs."""
    pairs = sorted(levels)
    if not pairs:
        raise CalculationError("The proficiency scale has no levels.")
    values = [value for value, _ in pairs]
    mastered = [value for value, meets in pairs if meets]
    return ScaleFacts(
        minimum=values[0], maximum=values[-1], threshold=mastered[0] if mastered else values[-1]
    )


def _scale_facts_by_scale(scale_ids: Iterable[int]) -> dict[int, ScaleFacts]:
    grouped: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for scale_id, value, meets in ScaleLevel.objects.filter(scale_id__in=set(scale_ids)).values_list(
        "scale_id", "value", "meets_mastery"
    ):
        grouped[scale_id].append((value, meets))
    return {scale_id: scale_facts(levels) for scale_id, levels in grouped.items()}


@dataclass(frozen=True)
class Rule:
    """The method and roll-up in force for one competency."""

    spec: MethodSpec
    rollup: RollupRule

    @property
    def method_name(self) -> str:
        return self.spec.method.value


@dataclass
class RuleBook:
    """A district's rules for one framework: per competency identifier, else framework-wide, else default."""

    default: Rule = field(default_factory=lambda: Rule(DEFAULT_SPEC, DEFAULT_ROLLUP))
    by_identifier: dict[str, Rule] = field(default_factory=dict)

    def rule(self, identifier: str) -> Rule:
        return self.by_identifier.get(identifier, self.default)


def rule_books(district_ids: Iterable[int], framework_ids: Iterable[int]) -> dict[tuple[int, int], RuleBook]:
    """(district id, framework id) → the rule book, for every pair asked about, in one query."""
    district_ids, framework_ids = set(district_ids), set(framework_ids)
    books = {(d, f): RuleBook() for d in district_ids for f in framework_ids}
    for stored in CalculationRule.objects.filter(
        district_id__in=district_ids, framework_id__in=framework_ids
    ):
        rule = Rule(
            MethodSpec.from_parameters(stored.method, stored.parameters), RollupRule(stored.rollup_rule)
        )
        book = books[(stored.district_id, stored.framework_id)]
        if stored.competency_identifier:
            book.by_identifier[stored.competency_identifier] = rule
        else:
            book.default = rule
    return books


def calculation_rule_set(
    *,
    district: Organization,
    framework: Framework,
    method: str,
    parameters: dict[str, object],
    rollup_rule: str = DEFAULT_ROLLUP.value,
    competency_identifier: str = "",
    actor: User | None = None,
) -> CalculationRule:
    """Choose the method (and roll-up) for a framework, or one competency of it, and recompute the district's
    levels under it, in one transaction."""
    try:
        spec = MethodSpec.from_parameters(method, parameters)
        rollup = RollupRule(rollup_rule)
    except ValueError as error:
        raise CalculationError(str(error)) from None
    uses = (
        framework.owner_id in (district.pk, district.parent_id)
        or FrameworkAdoption.objects.filter(framework=framework, district=district).exists()
    )
    if not uses:
        raise CalculationError(f"{district} neither owns nor has adopted {framework}.")
    if (
        competency_identifier
        and not Competency.objects.filter(
            version__framework=framework, case_identifier=competency_identifier
        ).exists()
    ):
        raise CalculationError(f"{framework} has no competency {competency_identifier}.")
    with transaction.atomic():
        stored, _ = CalculationRule.objects.update_or_create(
            district=district,
            framework=framework,
            competency_identifier=competency_identifier,
            defaults={
                "method": spec.method.value,
                "parameters": spec.parameters(),
                "rollup_rule": rollup.value,
                "updated_by": actor,
                "updated_at": timezone.now(),
            },
        )
        recompute(district=district)
    return stored


def _rounded(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(value, DIGITS)


@dataclass(frozen=True)
class ComputedLevel:
    level: float | None
    meets_mastery: bool
    method: str
    parameters: dict[str, float | int]
    score_ids: list[int]
    rolled_up: bool


def _rolled(rule: Rule, children: Sequence[ComputedLevel | None], facts: ScaleFacts) -> ComputedLevel | None:
    """The roll-up of the children's levels, or None when no child has a level (then own scores decide)."""
    present = [child for child in children if child is not None and child.level is not None]
    if not present:
        return None
    value = _rounded(
        calc.rollup(
            rule.rollup,
            [child.level if child is not None else None for child in children],
            threshold=facts.threshold,
            scale_max=facts.maximum,
        )
    )
    score_ids = sorted({score_id for child in present for score_id in child.score_ids})
    return ComputedLevel(
        level=value,
        meets_mastery=value is not None and value >= facts.threshold,
        method=f"rollup:{rule.rollup.value}",
        parameters={},
        score_ids=score_ids,
        rolled_up=True,
    )


def _from_scores(rule: Rule, level: float | None, score_ids: list[int], facts: ScaleFacts) -> ComputedLevel:
    value = _rounded(level)
    return ComputedLevel(
        level=value,
        meets_mastery=value is not None and value >= facts.threshold,
        method=rule.method_name,
        parameters=rule.spec.parameters(),
        score_ids=score_ids,
        rolled_up=False,
    )


@dataclass(frozen=True)
class CompetencyFacts:
    parent_id: int | None
    depth: int
    version_id: int
    framework_id: int
    identifier: str
    scale_id: int


def _competency_facts(version_ids: Iterable[int]) -> tuple[dict[int, CompetencyFacts], dict[int, list[int]]]:
    """Every competency of the versions, and each one's children in order."""
    facts: dict[int, CompetencyFacts] = {}
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id, depth, version_id, framework_id, identifier, scale_id in (
        Competency.objects.filter(version_id__in=set(version_ids))
        .order_by("path")
        .values_list(
            "id",
            "parent_id",
            "depth",
            "version_id",
            "version__framework_id",
            "case_identifier",
            "version__framework__scale_id",
        )
    ):
        facts[pk] = CompetencyFacts(parent_id, depth, version_id, framework_id, identifier, scale_id)
        if parent_id is not None:
            children[parent_id].append(pk)
    return facts, children


def _store(
    *,
    district_id: int,
    computed: dict[tuple[int, int], ComputedLevel],
    facts: dict[int, CompetencyFacts],
    at: datetime.datetime | None = None,
) -> int:
    """Write the computed levels that differ from the stored ones, appending a history row for each change of
    level or of mastery; returns the number of levels that changed."""
    keys = set(computed)
    student_ids = {student_id for student_id, _ in keys}
    stored = {
        (student_id, competency_id): (level, meets, method, parameters, score_ids, rolled_up)
        for student_id, competency_id, level, meets, method, parameters, score_ids, rolled_up in (
            MasteryLevel.objects.filter(student_id__in=student_ids)
            .filter(competency_id__in={competency_id for _, competency_id in keys})
            .values_list(
                "student_id",
                "competency_id",
                "level",
                "meets_mastery",
                "method",
                "parameters",
                "score_ids",
                "rolled_up",
            )
        )
    }
    ops = connection.ops
    now = ops.adapt_datetimefield_value(at or timezone.now())
    writes: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []
    for key in sorted(keys):
        result = computed[key]
        previous = stored.get(key)
        current = (
            result.level,
            result.meets_mastery,
            result.method,
            result.parameters,
            result.score_ids,
            result.rolled_up,
        )
        if previous == current:
            continue
        same_level = previous is not None and previous[:2] == current[:2]
        student_id, competency_id = key
        parameters = ops.adapt_json_value(result.parameters, None)
        score_ids = ops.adapt_json_value(result.score_ids, None)
        writes.append(
            (
                district_id,
                student_id,
                competency_id,
                facts[competency_id].version_id,
                result.level,
                result.meets_mastery,
                result.method,
                parameters,
                score_ids,
                result.rolled_up,
                now,
            )
        )
        if not same_level:
            history.append(
                (
                    district_id,
                    student_id,
                    competency_id,
                    result.level,
                    result.meets_mastery,
                    result.method,
                    parameters,
                    score_ids,
                    now,
                )
            )
    # Plain parameterised statements: the ORM's per-field preparation cost more than the database itself
    # when a recompute writes hundreds of thousands of levels.
    level_table = ops.quote_name(MasteryLevel._meta.db_table)
    change_table = ops.quote_name(MasteryLevelChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {level_table} (district_id, student_id, competency_id, "  # noqa: S608
            "framework_version_id, level, meets_mastery, method, parameters, score_ids, rolled_up, "
            "computed_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (student_id, competency_id) DO UPDATE SET "
            "framework_version_id = excluded.framework_version_id, level = excluded.level, "
            "meets_mastery = excluded.meets_mastery, method = excluded.method, "
            "parameters = excluded.parameters, score_ids = excluded.score_ids, "
            "rolled_up = excluded.rolled_up, computed_at = excluded.computed_at",
            writes,
        )
        cursor.executemany(
            f"INSERT INTO {change_table} (district_id, student_id, competency_id, level, meets_mastery, "  # noqa: S608
            "method, parameters, score_ids, changed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            history,
        )
    return len(history)


def level_refresh(
    *, student: Student, competency: Competency, at: datetime.datetime | None = None
) -> MasteryLevel | None:
    """Recompute the student's level on the competency and on each of its ancestors from the counted scores
    (called in the transaction that records a score), dating any change `at` (now by default). Returns the
    competency's stored level."""
    version_id = competency.version_id
    facts, children = _competency_facts([version_id])
    framework_id = facts[competency.pk].framework_id
    book = rule_books([student.district_id], [framework_id])[(student.district_id, framework_id)]
    scale = _scale_facts_by_scale([facts[competency.pk].scale_id])[facts[competency.pk].scale_id]
    chain = [competency.pk]
    while (parent_id := facts[chain[-1]].parent_id) is not None:
        chain.append(parent_id)
    involved = set(chain) | {child for node in chain for child in children.get(node, [])}
    scores: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for competency_id, value, score_id in (
        Score.objects.counted()
        .filter(student=student, competency_id__in=chain)
        .order_by("scored_at", "id")
        .values_list("competency_id", "value", "id")
    ):
        scores[competency_id].append((value, score_id))
    stored = {
        row.competency_id: ComputedLevel(
            row.level, row.meets_mastery, row.method, row.parameters, row.score_ids, row.rolled_up
        )
        for row in MasteryLevel.objects.filter(student=student, competency_id__in=involved)
    }
    known: dict[int, ComputedLevel | None] = {key: value for key, value in stored.items() if key not in chain}
    computed: dict[tuple[int, int], ComputedLevel] = {}
    for node in chain:
        rule = book.rule(facts[node].identifier)
        result = _rolled(rule, [known.get(child) for child in children.get(node, [])], scale)
        if result is None and scores.get(node):
            values = [value for value, _ in scores[node]]
            result = _from_scores(
                rule,
                calc.level(rule.spec, values, scale_min=scale.minimum, scale_max=scale.maximum),
                [score_id for _, score_id in scores[node]],
                scale,
            )
        if result is None and node in stored:
            # The level it had no longer follows from anything (its children lost theirs): clear it.
            result = _from_scores(rule, None, [], scale)
        known[node] = result
        if result is not None:
            computed[(student.pk, node)] = result
    _store(district_id=student.district_id, computed=computed, facts=facts, at=at)
    return MasteryLevel.objects.filter(student=student, competency=competency).first()


@dataclass(frozen=True)
class RecomputeSummary:
    districts: int
    scores: int
    levels: int
    changed: int
    seconds: float


def recompute(*, district: Organization | None = None) -> RecomputeSummary:
    """Recompute every level (of one district, or all) from the counted scores with the vectorized path, in
    one transaction per district; gives exactly what incremental refreshes give."""
    started = timezone.now()
    districts = (
        [district]
        if district is not None
        else list(Organization.objects.filter(kind=Organization.Kind.DISTRICT).order_by("id"))
    )
    totals = [0, 0, 0]
    for each in districts:
        with transaction.atomic():
            scores, levels, changed = _recompute_district(each)
        totals = [totals[0] + scores, totals[1] + levels, totals[2] + changed]
    return RecomputeSummary(
        districts=len(districts),
        scores=totals[0],
        levels=totals[1],
        changed=totals[2],
        seconds=(timezone.now() - started).total_seconds(),
    )


def _recompute_district(district: Organization) -> tuple[int, int, int]:
    rows = list(
        Score.objects.counted()
        .filter(district=district)
        .order_by("student_id", "competency_id", "scored_at", "id")
        .values_list("student_id", "competency_id", "value", "id")
    )
    stored_keys = set(
        MasteryLevel.objects.filter(district=district).values_list("student_id", "competency_id")
    )
    if not rows and not stored_keys:
        return 0, 0, 0
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    students = table[:, 0].astype(np.int64)
    competencies = table[:, 1].astype(np.int64)
    values = table[:, 2]
    score_ids = table[:, 3].astype(np.int64)
    version_ids = set(
        Competency.objects.filter(
            id__in={*np.unique(competencies).tolist(), *(c for _, c in stored_keys)}
        ).values_list("version_id", flat=True)
    )
    facts, children = _competency_facts(version_ids)
    scales = _scale_facts_by_scale({fact.scale_id for fact in facts.values()})
    books = rule_books([district.pk], {fact.framework_id for fact in facts.values()})

    computed: dict[tuple[int, int], ComputedLevel] = {}
    if len(rows):
        changes = np.flatnonzero((np.diff(students) != 0) | (np.diff(competencies) != 0)) + 1
        starts = np.concatenate(([0], changes)).astype(np.int64)
        group_students = students[starts].tolist()
        group_competencies = competencies[starts].tolist()
        ids_by_group = np.split(score_ids, starts[1:])
        # The vectorized methods run once per (rule, scale) among the groups.
        batches: dict[tuple[Rule, int], list[int]] = defaultdict(list)
        for index, competency_id in enumerate(group_competencies):
            fact = facts[competency_id]
            rule = books[(district.pk, fact.framework_id)].rule(fact.identifier)
            batches[(rule, fact.scale_id)].append(index)
        lengths = np.diff(np.append(starts, len(values)))
        for (rule, scale_id), group_indexes in batches.items():
            chosen = np.asarray(group_indexes, dtype=np.int64)
            mask = np.repeat(np.isin(np.arange(len(starts)), chosen), lengths)
            chosen_lengths = lengths[chosen]
            chosen_starts = np.concatenate(([0], np.cumsum(chosen_lengths)[:-1])).astype(np.int64)
            scale = scales[scale_id]
            batch_levels = vectorized.levels(
                rule.spec, chosen_starts, values[mask], scale_min=scale.minimum, scale_max=scale.maximum
            )
            for group_index, value in zip(group_indexes, batch_levels.tolist(), strict=True):
                key = (group_students[group_index], group_competencies[group_index])
                computed[key] = _from_scores(rule, value, ids_by_group[group_index].tolist(), scale)

    # Roll up, deepest parents first, so a parent sees its children's final levels.
    pending = sorted(
        {
            (facts[parent_id].depth, student_id, parent_id)
            for student_id, competency_id in list(computed)
            for parent_id in _ancestors(competency_id, facts)
        },
        reverse=True,
    )
    for _, student_id, parent_id in pending:
        fact = facts[parent_id]
        rule = books[(district.pk, fact.framework_id)].rule(fact.identifier)
        rolled = _rolled(
            rule,
            [computed.get((student_id, child)) for child in children.get(parent_id, [])],
            scales[fact.scale_id],
        )
        if rolled is not None:
            computed[(student_id, parent_id)] = rolled
    for key in stored_keys - set(computed):
        fact = facts[key[1]]
        rule = books[(district.pk, fact.framework_id)].rule(fact.identifier)
        computed[key] = _from_scores(rule, None, [], scales[fact.scale_id])
    changed = _store(district_id=district.pk, computed=computed, facts=facts)
    return len(rows), len(computed), changed


def _ancestors(competency_id: int, facts: dict[int, CompetencyFacts]) -> list[int]:
    found = []
    parent_id = facts[competency_id].parent_id
    while parent_id is not None:
        found.append(parent_id)
        parent_id = facts[parent_id].parent_id
    return found
