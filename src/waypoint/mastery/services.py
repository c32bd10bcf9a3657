"""The mastery engine: a student's level on a competency follows from the certified scores by the method the
district chose, incrementally (in the scoring transaction) or in bulk (`waypoint recompute`), with identical
results. Also the district's choice of methods and the knowledge-tracing refresh, and scoring: judging a
piece of evidence on its competencies (`scores_record`) records the scores on the evidence and refreshes the
levels in one transaction.

The rule of a level, both paths:
- a competency whose children (in its framework version) have levels is rolled up from them by the rule's
  roll-up (mean, minimum, all mastered, points);
- otherwise its level is the method applied to its own counted scores, oldest first;
- levels are rounded to 6 decimal places, so the two paths never disagree on a threshold by float noise.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core import signing
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import Conflict, Invalid, NotPermitted
from waypoint.core.models import AuditAction, Organization, Student, User
from waypoint.evidence.models import Evidence, EvidenceStatus, Score, ScoreSource
from waypoint.evidence.selectors import evidence_get, judgement_source
from waypoint.evidence.services import EvidenceError
from waypoint.frameworks.models import Competency, Framework, FrameworkAdoption, Rubric, ScaleLevel
from waypoint.frameworks.selectors import level_name, scale_levels
from waypoint.frameworks.services import scale_mark_in_use
from waypoint.mastery import calc, events, vectorized
from waypoint.mastery.calc import Method, MethodSpec, RollupRule
from waypoint.mastery.models import CalculationRule, MasteryLevel, MasteryLevelChange
from waypoint.policy import Action

DEFAULT_SPEC = MethodSpec(Method.DECAYING_AVERAGE, weight=calc.DEFAULT_WEIGHT)
DEFAULT_ROLLUP = RollupRule.MEAN
DIGITS = 6


class CalculationError(Invalid):
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
        raise CalculationError(gettext("The proficiency scale has no levels."))
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
    proposal = rule_proposal(
        district=district,
        framework=framework,
        method=method,
        parameters=parameters,
        rollup_rule=rollup_rule,
        competency_identifier=competency_identifier,
    )
    spec, rollup = proposal.spec, proposal.rollup
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


@dataclass(frozen=True)
class DistrictLevels:
    """Every level of a district as the rules give it, before anything is written."""

    scores: int
    computed: dict[tuple[int, int], ComputedLevel]
    facts: dict[int, CompetencyFacts]


def _recompute_district(district: Organization) -> tuple[int, int, int]:
    levels = _district_levels(district)
    changed = _store(district_id=district.pk, computed=levels.computed, facts=levels.facts)
    return levels.scores, len(levels.computed), changed


def _district_levels(district: Organization, proposal: RuleProposal | None = None) -> DistrictLevels:
    """Every level of the district from its counted scores by the rules in force, or by the rules as they
    would be with `proposal` saved; reads only (the engine of both recompute and the preview)."""
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
        return DistrictLevels(0, {}, {})
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
    if proposal is not None and (district.pk, proposal.framework_id) in books:
        proposal.apply_to(books[(district.pk, proposal.framework_id)])

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
    return DistrictLevels(len(rows), computed, facts)


def _ancestors(competency_id: int, facts: dict[int, CompetencyFacts]) -> list[int]:
    found = []
    parent_id = facts[competency_id].parent_id
    while parent_id is not None:
        found.append(parent_id)
        parent_id = facts[parent_id].parent_id
    return found


# Previewing a change of rule -------------------------------------------------------------------------------

PREVIEW_SALT = "waypoint.mastery.calculation-preview"
PREVIEW_MAX_AGE = datetime.timedelta(hours=1)
PREVIEW_EXAMPLES = 12
PREVIEW_COMPETENCIES = 15


@dataclass(frozen=True)
class RuleProposal:
    """A calculation rule a district administrator is about to choose, checked but not saved."""

    district_id: int
    framework_id: int
    competency_identifier: str
    spec: MethodSpec
    rollup: RollupRule

    def apply_to(self, book: RuleBook) -> None:
        rule = Rule(self.spec, self.rollup)
        if self.competency_identifier:
            book.by_identifier[self.competency_identifier] = rule
        else:
            book.default = rule

    def as_data(self) -> dict[str, object]:
        return {
            "district": self.district_id,
            "framework": self.framework_id,
            "competency": self.competency_identifier,
            "method": self.spec.method.value,
            "parameters": self.spec.parameters(),
            "rollup": self.rollup.value,
        }


def rule_proposal(
    *,
    district: Organization,
    framework: Framework,
    method: str,
    parameters: Mapping[str, object],
    rollup_rule: str = DEFAULT_ROLLUP.value,
    competency_identifier: str = "",
) -> RuleProposal:
    """The rule checked as `calculation_rule_set` checks it; a CalculationError says what is wrong."""
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
    return RuleProposal(district.pk, framework.pk, competency_identifier, spec, rollup)


@dataclass(frozen=True)
class LevelMove:
    """One student's level on one competency as it is and as the proposed rule would make it."""

    student: Student
    competency_id: int
    before: float | None
    before_label: str
    after: float | None
    after_label: str
    mastery_before: bool
    mastery_after: bool


@dataclass
class MoveCounts:
    """Levels that would reach a higher named level of the scale, a lower one, or stay on the same one (of
    those, `shifted` change their number within it)."""

    up: int = 0
    down: int = 0
    same: int = 0
    shifted: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down + self.same


@dataclass(frozen=True)
class CompetencyMoves:
    competency_id: int
    human_code: str
    statement: str
    counts: MoveCounts


@dataclass(frozen=True)
class RulePreview:
    """What saving `proposal` would do to the district's levels, and the token that applies exactly it."""

    proposal: RuleProposal
    counts: MoveCounts
    mastery_gained: int
    mastery_lost: int
    by_competency: list[CompetencyMoves]
    examples: list[LevelMove]
    token: str
    seconds: float


def _fingerprints(district_id: int) -> dict[str, str]:
    """What a preview's counts depend on besides the proposal: the district's rules and its scores. Either
    changing after the preview makes its token refused."""
    rules = sorted(
        (
            identifier,
            framework_id,
            method,
            json.dumps(parameters, sort_keys=True),
            rollup,
            updated.isoformat(),
        )
        for identifier, framework_id, method, parameters, rollup, updated in CalculationRule.objects.filter(
            district_id=district_id
        ).values_list(
            "competency_identifier", "framework_id", "method", "parameters", "rollup_rule", "updated_at"
        )
    )
    scores = Score.objects.filter(district_id=district_id).aggregate(count=Count("id"), newest=Max("id"))
    return {
        "rules": hashlib.sha256(json.dumps(rules).encode()).hexdigest(),
        "scores": f"{scores['count']}:{scores['newest'] or 0}",
    }


def _named_position(levels: Sequence[ScaleLevel], value: float | None) -> int:
    """The index of the scale's named level a value reaches (-1: no level)."""
    if value is None:
        return -1
    return max(0, sum(1 for level in levels if level.value <= value + 1e-9) - 1)


def calculation_rule_preview(*, context: RequestContext, proposal: RuleProposal) -> RulePreview:
    """How many of the district's levels the proposed rule would move up, down, or leave on the same named
    level, per competency, with examples; computed by the engine that recompute uses, writing no level and
    no rule. The students named in the examples are audited as viewed."""
    started = time.perf_counter()
    district = Organization.objects.get(pk=proposal.district_id)
    if not policy.can(context.user, Action.MANAGE_CALCULATION, district):
        raise NotPermitted(
            gettext("Only the district's administrators choose how mastery levels are calculated.")
        )
    fingerprints = _fingerprints(district.pk)
    result = _district_levels(district, proposal)
    stored = {
        (student_id, competency_id): (level, meets)
        for student_id, competency_id, level, meets in MasteryLevel.objects.filter(
            district=district
        ).values_list("student_id", "competency_id", "level", "meets_mastery")
    }
    names = scale_levels({fact.scale_id for fact in result.facts.values()})
    counts = MoveCounts()
    per_competency: dict[int, MoveCounts] = defaultdict(MoveCounts)
    gained = lost = 0
    moves: list[tuple[int, int, float | None, float | None, bool, bool]] = []
    for key in sorted(result.computed):
        after = result.computed[key]
        before_level, before_meets = stored.get(key, (None, False))
        levels = names[result.facts[key[1]].scale_id]
        step = _named_position(levels, after.level) - _named_position(levels, before_level)
        bucket = per_competency[key[1]]
        for tally in (counts, bucket):
            if step > 0:
                tally.up += 1
            elif step < 0:
                tally.down += 1
            else:
                tally.same += 1
                tally.shifted += before_level != after.level
        gained += after.meets_mastery and not before_meets
        lost += before_meets and not after.meets_mastery
        if step:
            moves.append((*key, before_level, after.level, before_meets, after.meets_mastery))
    # Crossing the mastery line matters most to a family, so those examples come first.
    moves.sort(key=lambda move: (move[4] == move[5], move[0], move[1]))
    chosen = moves[:PREVIEW_EXAMPLES]
    students = Student.objects.in_bulk({move[0] for move in chosen})
    examples = [
        LevelMove(
            student=students[student_id],
            competency_id=competency_id,
            before=before,
            before_label=level_name(names[result.facts[competency_id].scale_id], before),
            after=after,
            after_label=level_name(names[result.facts[competency_id].scale_id], after),
            mastery_before=meets_before,
            mastery_after=meets_after,
        )
        for student_id, competency_id, before, after, meets_before, meets_after in chosen
    ]
    moved = sorted(
        (item for item in per_competency.items() if item[1].up or item[1].down),
        key=lambda item: (-(item[1].up + item[1].down), item[0]),
    )[:PREVIEW_COMPETENCIES]
    described = Competency.objects.in_bulk([competency_id for competency_id, _ in moved])
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="calculation-preview",
        # One row per student viewed, though the examples may name a student for several competencies.
        students=[students[student_id] for student_id in sorted(students)],
        reason="Previewing a change of the district's calculation rule",
    )
    token = signing.dumps({"proposal": proposal.as_data(), **fingerprints}, salt=PREVIEW_SALT)
    return RulePreview(
        proposal=proposal,
        counts=counts,
        mastery_gained=gained,
        mastery_lost=lost,
        by_competency=[
            CompetencyMoves(
                competency_id,
                described[competency_id].human_code,
                described[competency_id].short_statement,
                tally,
            )
            for competency_id, tally in moved
        ],
        examples=examples,
        token=token,
        seconds=time.perf_counter() - started,
    )


def calculation_rule_apply(
    *, context: RequestContext, district: Organization, framework: Framework, token: str
) -> CalculationRule:
    """Save exactly the rule a preview showed, and recompute the district's levels, provided nothing the
    preview counted has changed since: the district's rules (Conflict) or its scores (Conflict)."""
    if not policy.can(context.user, Action.MANAGE_CALCULATION, district):
        raise NotPermitted(
            gettext("Only the district's administrators choose how mastery levels are calculated.")
        )
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise Conflict(gettext("The preview is more than an hour old: preview the change again.")) from None
    except signing.BadSignature:
        raise Invalid(gettext("This is not a preview Waypoint made: preview the change again.")) from None
    proposal = data["proposal"]
    if proposal["district"] != district.pk or proposal["framework"] != framework.pk:
        raise Invalid(
            gettext("This preview is of another district's or framework's rule: preview the change again.")
        )
    with transaction.atomic():
        # Hold the district's rules still between the check and the save.
        list(CalculationRule.objects.select_for_update().filter(district=district).values_list("pk"))
        now = _fingerprints(district.pk)
        if now["rules"] != data["rules"]:
            raise Conflict(
                gettext(
                    "The district's calculation rules changed after this preview, so it no longer shows what "
                    "saving would do: preview the change again."
                )
            )
        if now["scores"] != data["scores"]:
            raise Conflict(
                gettext(
                    "Scores were recorded in the district after this preview, so its counts are out of date: "
                    "preview the change again."
                )
            )
        rule = calculation_rule_set(
            district=district,
            framework=framework,
            method=proposal["method"],
            parameters=proposal["parameters"],
            rollup_rule=proposal["rollup"],
            competency_identifier=proposal["competency"],
            actor=context.actor,
        )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="calculation-rule",
            object_id=str(rule.pk),
            district_id=district.pk,
            reason=f"{rule.method} for {framework.title[:120]}",
        )
    return rule


# Scoring ---------------------------------------------------------------------------------------------------

MAX_SCORES_PER_CALL = 200
MAX_REASON_LENGTH = 300  # Score.correction_reason


@dataclass(frozen=True)
class ScoreInput:
    """One judgement of a piece of evidence on one of its competencies: a level of the scale (`value`), or a
    level for each rubric criterion about the competency (`criterion_levels`, criterion id → level value; the
    score is their mean). A correction names the current score it supersedes and says why."""

    competency_id: int
    value: float | None = None
    criterion_levels: Mapping[int, float] = field(default_factory=dict)
    comment: str = ""
    supersedes_id: int | None = None
    correction_reason: str = ""


@dataclass(frozen=True)
class ItemProblems:
    """Every problem with one item of a scoring call: its position in the call, its competency, and the name
    the messages give it ("Competency 4.2")."""

    index: int
    competency_id: int
    label: str
    problems: tuple[str, ...]


class ScoringError(EvidenceError):
    """A scoring call refused as a whole, with nothing written. `items` lists the problems of each refused
    item; `problems` holds any problem of the call itself, then every item's, prefixed by its label."""

    def __init__(self, items: Sequence[ItemProblems] = (), general: Sequence[str] = ()) -> None:
        self.items: tuple[ItemProblems, ...] = tuple(items)
        super().__init__(
            [*general, *(f"{item.label}: {problem}" for item in self.items for problem in item.problems)]
        )


@dataclass(frozen=True)
class _Judgement:
    """An item that passed every check, ready to be written."""

    competency: Competency
    value: float
    criterion_levels: dict[int, float]
    comment: str
    superseded: Score | None
    correction_reason: str


def _item_label(competency: Competency | None, competency_id: int) -> str:
    if competency is None:
        return gettext("Competency %(id)s") % {"id": competency_id}
    if competency.human_code:
        return gettext("Competency %(code)s") % {"code": competency.human_code}
    return gettext("Competency “%(statement)s”") % {"statement": competency.short_statement[:40]}


def _judgement(
    item: ScoreInput,
    competency: Competency,
    *,
    levels: list[ScaleLevel],
    rubric: Rubric | None,
    criteria: set[int],
    current: dict[int, Score],
    counts: bool,
) -> tuple[list[str], _Judgement | None]:
    """Every problem with one item (none: the judgement to write)."""
    scale = competency.version.framework.scale
    values = {level.value for level in levels}
    problems: list[str] = []
    if "\x00" in item.comment or "\x00" in item.correction_reason:
        problems.append(gettext("The text must not contain NUL characters."))
    chosen = dict(item.criterion_levels)
    if chosen:
        if rubric is None:
            problems.append(gettext("The evidence's assessment has no rubric; choose a level directly."))
        else:
            for criterion_id, level_value in chosen.items():
                if criterion_id not in criteria:
                    problems.append(
                        gettext("Rubric criterion %(id)s is not about this competency.")
                        % {"id": criterion_id}
                    )
                if level_value not in values:
                    problems.append(
                        gettext("%(value)s is not a level of the scale “%(scale)s”.")
                        % {"value": f"{level_value:g}", "scale": scale.name}
                    )
            if criteria - set(chosen) and not problems:
                problems.append(
                    gettext("Choose a level for every criterion of the rubric about this competency.")
                )
    elif item.value is None:
        problems.append(gettext("Choose a level."))
    elif item.value not in values:
        allowed = ", ".join(f"{value:g}" for value in sorted(values))
        problems.append(
            gettext("%(value)s is not a level of the scale “%(scale)s” (%(allowed)s).")
            % {"value": f"{item.value:g}", "scale": scale.name, "allowed": allowed}
        )
    superseded = None
    if item.supersedes_id is not None:
        superseded = current.get(item.supersedes_id)
        if superseded is None or superseded.competency_id != competency.pk:
            superseded = None
            problems.append(gettext("Only a current score on this evidence and competency can be corrected."))
        elif superseded.counts_toward_mastery and not counts:
            problems.append(
                gettext("Only a teacher with a current certification may correct a counted score.")
            )
        if not item.correction_reason.strip():
            problems.append(gettext("Say why the score is corrected."))
    if len(item.correction_reason.strip()) > MAX_REASON_LENGTH:
        problems.append(
            gettext("Say why the score is corrected in at most %(limit)d characters.")
            % {"limit": MAX_REASON_LENGTH}
        )
    if problems:
        return problems, None
    value = sum(chosen.values()) / len(chosen) if chosen else item.value
    assert value is not None  # noqa: S101  (a value or criterion levels, checked above)
    return [], _Judgement(
        competency=competency,
        value=value,
        criterion_levels=chosen,
        comment=item.comment.strip(),
        superseded=superseded,
        correction_reason=item.correction_reason.strip(),
    )


def _judgements(evidence: Evidence, scores: Sequence[ScoreInput], *, counts: bool) -> list[_Judgement]:
    """Every item checked against the evidence, its scales, its assessment's rubric and its current scores;
    a ScoringError listing the problems of every refused item when any is refused."""
    competencies = {
        competency.pk: competency
        for competency in evidence.competencies.select_related("version__framework__scale")
    }
    levels = scale_levels(competency.version.framework.scale_id for competency in competencies.values())
    rubric = evidence.assessment.rubric if evidence.assessment is not None else None
    criteria: dict[int, set[int]] = defaultdict(set)
    if rubric is not None:
        for criterion_id, competency_id in rubric.criteria.values_list("id", "competency_id"):
            criteria[competency_id].add(criterion_id)
    corrected = {item.supersedes_id for item in scores if item.supersedes_id is not None}
    current = (
        {score.pk: score for score in Score.objects.current().filter(evidence=evidence, pk__in=corrected)}
        if corrected
        else {}
    )
    times_named = Counter(item.competency_id for item in scores)
    accepted: list[_Judgement] = []
    refused: list[ItemProblems] = []
    for index, item in enumerate(scores):
        competency = competencies.get(item.competency_id)
        if competency is None:
            problems = [gettext("The evidence is not about competency %(id)s.") % {"id": item.competency_id}]
            judgement = None
        else:
            problems, judgement = _judgement(
                item,
                competency,
                levels=levels[competency.version.framework.scale_id],
                rubric=rubric,
                criteria=criteria[competency.pk],
                current=current,
                counts=counts,
            )
        if times_named[item.competency_id] > 1:
            problems.insert(
                0, gettext("The competency is judged more than once in this call; give it one score.")
            )
        if problems:
            refused.append(
                ItemProblems(
                    index, item.competency_id, _item_label(competency, item.competency_id), tuple(problems)
                )
            )
        elif judgement is not None:
            accepted.append(judgement)
    if refused:
        raise ScoringError(refused)
    return accepted


def scores_record(*, context: RequestContext, evidence_id: int, scores: Sequence[ScoreInput]) -> list[Score]:
    """Judge a piece of evidence on several of its competencies at once, each directly on the scale or with
    the assessment's rubric; the scores in the order given.

    All or nothing: every item is checked first, and if any is refused a ScoringError lists every problem
    of every refused item and nothing is written. Otherwise the scores, their audit rows and the levels are
    written in one transaction. A teacher with a current certification sets mastery-bearing scores (the
    student's levels are recomputed at once); anyone else's judgement (an uncertified teacher, a mentor, the
    student's self-assessment) is kept as feedback and never counted. A correction supersedes a current
    score of the same competency with a reason; only a counting judge may correct a counting score."""
    evidence = evidence_get(context=context, evidence_id=evidence_id, action=Action.JUDGE_EVIDENCE)
    actor = context.actor
    if actor is None:
        raise NotPermitted(gettext("Sign in first."))
    if not scores:
        raise ScoringError(general=[gettext("Choose a level for at least one competency.")])
    if len(scores) > MAX_SCORES_PER_CALL:
        raise ScoringError(
            general=[
                gettext("At most %(limit)d scores are recorded in one call.") % {"limit": MAX_SCORES_PER_CALL}
            ]
        )
    student = evidence.student
    source, certification_id = judgement_source(actor, student)
    counts = source == ScoreSource.CERTIFIED_TEACHER
    rubric = evidence.assessment.rubric if evidence.assessment is not None else None
    with transaction.atomic():
        # One scoring call at a time per piece of evidence: a score a correction supersedes is still current.
        Evidence.objects.select_for_update().only("pk").get(pk=evidence.pk)
        judgements = _judgements(evidence, scores, counts=counts)
        now = timezone.now()
        reason = policy.legitimate_interest(actor, student)
        written = []
        for judgement in judgements:
            score = Score.objects.create(
                district_id=evidence.district_id,
                student=student,
                evidence=evidence,
                competency=judgement.competency,
                framework_version_id=judgement.competency.version_id,
                value=judgement.value,
                rubric=rubric if judgement.criterion_levels else None,
                criterion_levels={str(k): v for k, v in judgement.criterion_levels.items()},
                comment=judgement.comment,
                source=source,
                counts_toward_mastery=counts,
                certification_id=certification_id,
                supersedes=judgement.superseded,
                correction_reason=judgement.correction_reason,
                scored_by=actor,
                scored_at=now,
            )
            audit_record(
                context=context,
                action=AuditAction.CREATE,
                object_type="score",
                object_id=str(score.pk),
                student=student,
                reason=reason,
            )
            written.append(score)
        if counts:
            scales = {
                j.competency.version.framework.scale_id: j.competency.version.framework.scale
                for j in judgements
            }
            for scale in scales.values():
                scale_mark_in_use(scale=scale)
            Evidence.objects.filter(pk=evidence.pk).exclude(status=EvidenceStatus.REVISED).update(
                status=EvidenceStatus.SCORED
            )
            scored = {j.competency.pk: j.competency for j in judgements}
            for competency in scored.values():
                level_refresh(student=student, competency=competency, at=now)
            events.levels_moved(
                context=context, evidence=evidence, student=student, competencies=scored.values(), at=now
            )
    return written


def score_record(
    *,
    context: RequestContext,
    evidence_id: int,
    competency_id: int,
    value: float | None = None,
    criterion_levels: Mapping[int, float] | None = None,
    comment: str = "",
    supersedes_id: int | None = None,
    correction_reason: str = "",
) -> Score:
    """Judge the evidence on one of its competencies: `scores_record` with one item."""
    (score,) = scores_record(
        context=context,
        evidence_id=evidence_id,
        scores=[
            ScoreInput(
                competency_id=competency_id,
                value=value,
                criterion_levels=criterion_levels or {},
                comment=comment,
                supersedes_id=supersedes_id,
                correction_reason=correction_reason,
            )
        ],
    )
    return score
