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
import functools
import hashlib
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core import signing
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import Conflict, Invalid, NotPermitted
from waypoint.core.models import AuditAction, Organization, Student, User
from waypoint.evidence.models import Evidence, EvidenceStatus, Score, ScoreSource
from waypoint.evidence.selectors import evidence_get, judgement_source
from waypoint.evidence.services import EvidenceError
from waypoint.frameworks.models import (
    Competency,
    Framework,
    FrameworkAdoption,
    FrameworkVersion,
    ProficiencyScale,
    Rubric,
    ScaleLevel,
    VersionStatus,
)
from waypoint.frameworks.selectors import level_name, scale_levels
from waypoint.frameworks.services import scale_mark_in_use
from waypoint.mastery import bulk, calc, events, vectorized
from waypoint.mastery.cache import Immutables
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


# A student's levels, refreshed as scores are recorded -------------------------------------------------------

# Published versions never change, nor does a scale once a score froze it: their facts are read once per
# process (see `cache`). Sixty-four of each is more than a district scores against in a year.
TREES: Immutables[tuple[dict[int, CompetencyFacts], dict[int, list[int]]]] = Immutables(64)
SCALES: Immutables[ScaleFacts] = Immutables(64)
SCALE_LEVELS: Immutables[list[ScaleLevel]] = Immutables(64)


def _version_tree(version: FrameworkVersion) -> tuple[dict[int, CompetencyFacts], dict[int, list[int]]]:
    """The version's competencies and each one's children, cached once it is published (its tree is frozen;
    its id with the moment of publication names it for good)."""
    frozen = version.status != VersionStatus.DRAFT and version.published_at is not None

    def load() -> tuple[dict[int, CompetencyFacts], dict[int, list[int]]]:
        facts, children = _competency_facts([version.pk])
        return facts, dict(children)

    return TREES.get((version.pk, version.published_at) if frozen else None, load)


def _scale_of(scale: ProficiencyScale) -> ScaleFacts:
    """The scale's range and threshold, cached once a score has frozen the scale."""
    key = (scale.pk, scale.in_use_since) if scale.in_use_since is not None else None
    return SCALES.get(key, lambda: _scale_facts_by_scale([scale.pk])[scale.pk])


def _scale_levels_of(scale: ProficiencyScale) -> list[ScaleLevel]:
    """The scale's levels, lowest first, cached once a score has frozen the scale (callers only read them)."""
    key = (scale.pk, scale.in_use_since) if scale.in_use_since is not None else None
    return SCALE_LEVELS.get(key, lambda: scale_levels([scale.pk])[scale.pk])


def _lock_key(*parts: object) -> int:
    """A signed 64-bit advisory-lock key for the parts, in a namespace of their own (a collision would only
    make two unrelated refreshes wait for each other)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def levels_lock(*, district_id: int, student_id: int, framework_id: int) -> None:
    """Make the refreshes of one student's levels in one framework take turns until the transaction ends, and
    keep a recompute of the district (`district_levels_lock`) from running meanwhile. Taken before the scores
    are read: a refresh then sees every score of a refresh that went before it, so two teachers scoring the
    student at the same moment both count. PostgreSQL: transaction-scoped advisory locks; SQLite lets one
    writing transaction at a time begin (settings: BEGIN IMMEDIATE), so there is nothing to take."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s), pg_advisory_xact_lock(%s)",
            [_lock_key("levels-district", district_id), _lock_key("levels", student_id, framework_id)],
        )


def district_levels_lock(*, district_id: int) -> None:
    """Wait for the refreshes of the district's levels in flight, and keep new ones waiting, until the
    transaction ends: a recompute of the district takes it before it reads the scores, so a score recorded
    while it runs is counted by the refresh that follows it instead of being overwritten."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key("levels-district", district_id)])


def _levels_write(
    *,
    student: Student,
    computed: dict[int, ComputedLevel],
    stored: Mapping[int, ComputedLevel],
    facts: dict[int, CompetencyFacts],
    at: datetime.datetime,
) -> None:
    """Write the few levels of one refresh that differ from the stored ones in one statement, and a history
    row for each change of level or of mastery in another: what `bulk.store` does for a whole district."""
    changed = [(key, result) for key, result in sorted(computed.items()) if stored.get(key) != result]
    if not changed:
        return
    MasteryLevel.objects.bulk_create(
        [
            MasteryLevel(
                district_id=student.district_id,
                student_id=student.pk,
                competency_id=competency_id,
                framework_version_id=facts[competency_id].version_id,
                level=result.level,
                meets_mastery=result.meets_mastery,
                method=result.method,
                parameters=result.parameters,
                score_ids=result.score_ids,
                rolled_up=result.rolled_up,
                computed_at=at,
            )
            for competency_id, result in changed
        ],
        update_conflicts=True,
        unique_fields=["student", "competency"],
        update_fields=[
            "framework_version",
            "level",
            "meets_mastery",
            "method",
            "parameters",
            "score_ids",
            "rolled_up",
            "computed_at",
        ],
    )
    history = [
        MasteryLevelChange(
            district_id=student.district_id,
            student_id=student.pk,
            competency_id=competency_id,
            level=result.level,
            meets_mastery=result.meets_mastery,
            method=result.method,
            parameters=result.parameters,
            score_ids=result.score_ids,
            changed_at=at,
        )
        for competency_id, result in changed
        if (before := stored.get(competency_id)) is None
        or (before.level, before.meets_mastery) != (result.level, result.meets_mastery)
    ]
    if history:
        MasteryLevelChange.objects.bulk_create(history)


def _version_levels_refresh(*, student: Student, scored: Sequence[Competency], at: datetime.datetime) -> None:
    """Recompute the student's levels on the scored competencies of one framework version and on their
    ancestors, under the student's lock for the framework."""
    version = scored[0].version
    facts, children = _version_tree(version)
    scale = _scale_of(version.framework.scale)
    district_id, framework_id = student.district_id, version.framework_id
    levels_lock(district_id=district_id, student_id=student.pk, framework_id=framework_id)
    book = rule_books([district_id], [framework_id])[(district_id, framework_id)]
    chain: set[int] = set()
    for competency in scored:
        node: int | None = competency.pk
        while node is not None and node not in chain:
            chain.add(node)
            node = facts[node].parent_id
    involved = chain | {child for node in chain for child in children.get(node, [])}
    scores: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for competency_id, value, score_id in (
        Score.objects.counted()
        .filter(student=student, competency_id__in=chain)
        .order_by("scored_at", "id")
        .values_list("competency_id", "value", "id")
    ):
        scores[competency_id].append((value, score_id))
    rows = MasteryLevel.objects.filter(student=student, competency_id__in=involved).values_list(
        "competency_id", "level", "meets_mastery", "method", "parameters", "score_ids", "rolled_up"
    )
    stored = {row[0]: ComputedLevel(*row[1:]) for row in rows}
    known: dict[int, ComputedLevel | None] = {key: value for key, value in stored.items() if key not in chain}
    computed: dict[int, ComputedLevel] = {}
    # Deepest first, so a parent rolls up its children's new levels.
    for node in sorted(chain, key=lambda pk: (-facts[pk].depth, pk)):
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
            computed[node] = result
    _levels_write(student=student, computed=computed, stored=stored, facts=facts, at=at)


def levels_refresh(
    *, student: Student, competencies: Iterable[Competency], at: datetime.datetime | None = None
) -> None:
    """Recompute the student's levels on the competencies and on each of their ancestors from the counted
    scores (in the transaction that records the scores), dating any change `at` (now by default). Each
    framework's refresh holds the student's lock for it (`levels_lock`) from before it reads the scores to the
    end of the transaction. The competencies' versions are best loaded with their framework and its scale."""
    by_version: dict[int, list[Competency]] = defaultdict(list)
    for competency in competencies:
        by_version[competency.version_id].append(competency)
    when = at or timezone.now()
    # Without a savepoint: nested in the scoring transaction it costs nothing, alone it is the transaction.
    with transaction.atomic(savepoint=False):
        for version_id in sorted(by_version):
            _version_levels_refresh(student=student, scored=by_version[version_id], at=when)


def level_refresh(
    *, student: Student, competency: Competency, at: datetime.datetime | None = None
) -> MasteryLevel | None:
    """`levels_refresh` of one competency; returns its stored level."""
    levels_refresh(student=student, competencies=[competency], at=at)
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


class DistrictLevels:
    """Every level of a district as the rules give it, before anything is written: as columns (`columns`,
    numbered rules `rules`, the competencies `table`), and, for the preview, as `computed`, one ComputedLevel
    per (student, competency), the stored levels nothing gives any more included as cleared."""

    def __init__(
        self,
        *,
        scores: int,
        columns: vectorized.LevelColumns,
        rules: vectorized.Rules,
        table: vectorized.Competencies,
        facts: dict[int, CompetencyFacts],
        cleared: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.scores, self.columns, self.rules, self.table, self.facts = scores, columns, rules, table, facts
        self.cleared = list(cleared)

    @functools.cached_property
    def computed(self) -> dict[tuple[int, int], ComputedLevel]:
        described = self.rules.described()
        offsets = self.columns.offsets.tolist()
        ids = self.columns.score_ids.tolist()
        computed = {
            (student, competency): ComputedLevel(
                level=None if math.isnan(level) else level,
                meets_mastery=meets,
                method=described[rule][1],
                parameters=described[rule][2],
                score_ids=ids[offsets[row] : offsets[row + 1]],
                rolled_up=rolled,
            )
            for row, (student, competency, level, meets, rule, rolled) in enumerate(
                zip(
                    self.columns.student.tolist(),
                    self.columns.competency.tolist(),
                    self.columns.level.tolist(),
                    self.columns.meets_mastery.tolist(),
                    self.columns.rule.tolist(),
                    self.columns.rolled_up.tolist(),
                    strict=True,
                )
            )
        }
        rule_of = dict(zip(self.table.ids.tolist(), self.table.rule.tolist(), strict=True))
        for key in self.cleared:
            if key not in computed:
                _, method, parameters, _ = described[rule_of[key[1]]]
                computed[key] = ComputedLevel(None, False, method, parameters, [], False)
        return computed


def _recompute_district(district: Organization) -> tuple[int, int, int]:
    district_levels_lock(district_id=district.pk)
    levels = _district_levels(district, cleared=False)
    changed = bulk.store(
        district_id=district.pk,
        columns=levels.columns,
        rules=levels.rules,
        facts=levels.table,
        at=timezone.now(),
    )
    return levels.scores, len(levels.columns), changed


def _counted_scores(district_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The district's counted scores as columns (student, competency, value, score id), sorted by student,
    competency, then oldest first."""
    counted = Score.objects.counted().filter(district_id=district_id)
    if connection.vendor != "postgresql":
        listed = list(
            counted.order_by("student_id", "competency_id", "scored_at", "id").values_list(
                "student_id", "competency_id", "value", "id"
            )
        )
        matrix = np.array(listed, dtype=np.float64).reshape(-1, 4)
        return (
            matrix[:, 0].astype(np.int64),
            matrix[:, 1].astype(np.int64),
            matrix[:, 2],
            matrix[:, 3].astype(np.int64),
        )
    # One bytea of fixed-width big-endian rows, read straight into NumPy: a row per COPY message or a Python
    # object per value costs seconds at a million scores.
    # The filter is the queryset's own, so "counted" keeps one definition (ScoreQuerySet).
    where, params = counted.query.get_compiler(connection=connection).compile(counted.query.where)
    table = connection.ops.quote_name(Score._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(int8send(student_id) || int8send(competency_id) || float8send(value) "  # noqa: S608
            f"|| int8send(id) || timestamptz_send(scored_at), ''::bytea) FROM {table} WHERE {where}",
            params,
        )
        (data,) = cursor.fetchone()
    row = np.dtype(
        [("student", ">i8"), ("competency", ">i8"), ("value", ">f8"), ("id", ">i8"), ("at", ">i8")]
    )
    rows = np.frombuffer(bytes(data or b""), dtype=row)
    order = np.lexsort((rows["id"], rows["at"], rows["competency"], rows["student"]))
    rows = rows[order]
    return (
        rows["student"].astype(np.int64),
        rows["competency"].astype(np.int64),
        rows["value"].astype(np.float64),
        rows["id"].astype(np.int64),
    )


def _stored_competencies(district_id: int) -> set[int]:
    """The competencies the district has stored levels on. On PostgreSQL by skipping through the index on
    (district, competency), a probe per competency instead of a scan of every level."""
    if connection.vendor != "postgresql":
        stored = MasteryLevel.objects.filter(district_id=district_id)
        return set(stored.values_list("competency_id", flat=True).distinct())
    table = connection.ops.quote_name(MasteryLevel._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE found (id) AS (SELECT min(competency_id) FROM {table} WHERE district_id = %s "  # noqa: S608
            f"UNION ALL SELECT (SELECT min(competency_id) FROM {table} WHERE district_id = %s "
            "AND competency_id > found.id) FROM found WHERE found.id IS NOT NULL) "
            "SELECT id FROM found WHERE id IS NOT NULL",
            [district_id, district_id],
        )
        return {competency_id for (competency_id,) in cursor.fetchall()}


def _district_levels(
    district: Organization, proposal: RuleProposal | None = None, *, cleared: bool = True
) -> DistrictLevels:
    """Every level of the district from its counted scores by the rules in force, or by the rules as they
    would be with `proposal` saved; reads only (the engine of both recompute and the preview). With `cleared`,
    the stored levels nothing gives any more are read too (the recompute's writer finds them itself)."""
    students, competencies, values, score_ids = _counted_scores(district.pk)
    stored = MasteryLevel.objects.filter(district=district)
    cleared_keys = list(stored.values_list("student_id", "competency_id")) if cleared else []
    stored_competencies = (
        {competency_id for _, competency_id in cleared_keys} if cleared else _stored_competencies(district.pk)
    )
    version_ids = set(
        Competency.objects.filter(
            id__in={*np.unique(competencies).tolist(), *stored_competencies}
        ).values_list("version_id", flat=True)
    )
    facts, children = _competency_facts(version_ids)
    scales = _scale_facts_by_scale({fact.scale_id for fact in facts.values()})
    books = rule_books([district.pk], {fact.framework_id for fact in facts.values()})
    if proposal is not None and (district.pk, proposal.framework_id) in books:
        proposal.apply_to(books[(district.pk, proposal.framework_id)])
    table, rules = _competency_table(district.pk, facts, children, books, scales)
    columns = vectorized.level_columns(
        students=students,
        competencies=competencies,
        values=values,
        score_ids=score_ids,
        facts=table,
        rules=rules,
    )
    return DistrictLevels(
        scores=int(students.size),
        columns=columns,
        rules=rules,
        table=table,
        facts=facts,
        cleared=cleared_keys,
    )


def _competency_table(
    district_id: int,
    facts: dict[int, CompetencyFacts],
    children: dict[int, list[int]],
    books: dict[tuple[int, int], RuleBook],
    scales: dict[int, ScaleFacts],
) -> tuple[vectorized.Competencies, vectorized.Rules]:
    """The competencies as the columns the bulk engine reads, and the methods in force numbered."""
    ids = sorted(facts)
    position = {pk: index for index, pk in enumerate(ids)}
    sibling = {child: index for kids in children.values() for index, child in enumerate(kids)}
    in_force = [books[(district_id, facts[pk].framework_id)].rule(facts[pk].identifier) for pk in ids]
    specs = list(dict.fromkeys(rule.spec for rule in in_force))
    spec_number = {spec: number for number, spec in enumerate(specs)}
    scale_ids = sorted({facts[pk].scale_id for pk in ids})
    scale_number = {scale_id: number for number, scale_id in enumerate(scale_ids)}

    def column(values: Iterable[float], kind: type = np.int64) -> np.ndarray:
        return np.fromiter(values, dtype=kind, count=len(ids))

    table = vectorized.Competencies(
        ids=column(ids),
        parent=column(
            -1 if facts[pk].parent_id is None else position[facts[pk].parent_id]  # type: ignore[index]
            for pk in ids
        ),
        depth=column(facts[pk].depth for pk in ids),
        sibling=column(sibling.get(pk, 0) for pk in ids),
        children=column(len(children.get(pk, [])) for pk in ids),
        version=column(facts[pk].version_id for pk in ids),
        rule=column(spec_number[rule.spec] for rule in in_force),
        rollup=column(vectorized.ROLLUPS.index(rule.rollup) for rule in in_force),
        scale=column(scale_number[facts[pk].scale_id] for pk in ids),
        minimum=column((scales[facts[pk].scale_id].minimum for pk in ids), np.float64),
        maximum=column((scales[facts[pk].scale_id].maximum for pk in ids), np.float64),
        threshold=column((scales[facts[pk].scale_id].threshold for pk in ids), np.float64),
    )
    return table, vectorized.Rules(specs)


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
    levels = {
        competency.version.framework.scale_id: _scale_levels_of(competency.version.framework.scale)
        for competency in competencies.values()
    }
    rubric = evidence.assessment.rubric if evidence.assessment is not None else None
    criteria: dict[int, set[int]] = defaultdict(set)
    # Only a judgement by the rubric's criteria is checked against them.
    if rubric is not None and any(item.criterion_levels for item in scores):
        for criterion_id, competency_id in rubric.criteria.values_list("id", "competency_id"):
            criteria[competency_id].add(criterion_id)
    corrected = {item.supersedes_id for item in scores if item.supersedes_id is not None}
    named = list(Score.objects.filter(evidence=evidence, pk__in=corrected)) if corrected else []
    replaced = (
        set(Score.objects.filter(supersedes__in=named).values_list("supersedes_id", flat=True))
        if named
        else set()
    )
    if lost := sorted(replaced):
        # Someone corrected the same score first (the evidence lock made this call wait for them): a race
        # lost, not a mistake in the request.
        raise Conflict(
            ngettext(
                "Score %(ids)s has been corrected since it was shown to you: reload the page to see the "
                "current score, and correct that one if it still needs it.",
                "Scores %(ids)s have been corrected since they were shown to you: reload the page to see the "
                "current scores, and correct those if they still need it.",
                len(lost),
            )
            % {"ids": ", ".join(map(str, lost))}
        )
    current = {score.pk: score for score in named}  # none superseded: checked above
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
    score of the same competency with a reason; only a counting judge may correct a counting score. A
    correction of a score corrected meanwhile (two teachers correcting it at once) is a Conflict (409): the
    evidence's lock makes the second call wait for the first and then see its correction."""
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
        locked = Evidence.objects.select_for_update().only("pk", "status").get(pk=evidence.pk)
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
                if scale.in_use_since is None:  # a frozen scale stays frozen
                    scale_mark_in_use(scale=scale)
            # The status read under the lock is the one in force.
            if locked.status not in (EvidenceStatus.SCORED, EvidenceStatus.REVISED):
                Evidence.objects.filter(pk=evidence.pk).update(status=EvidenceStatus.SCORED)
            scored = {j.competency.pk: j.competency for j in judgements}
            levels_refresh(student=student, competencies=scored.values(), at=now)
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
