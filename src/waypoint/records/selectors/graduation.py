"""The reads of graduation rules and the diploma check.

`diploma_check` and `rule_set_for` are internal (no access check, no audit): the transcript, the credentials
and the award call them. The page and API reads (`*_for_page`, `seniors_list`) ask the policy and audit what
they disclose. The arithmetic is in the pure `waypoint.records.graduation_check`; this module reads its facts
in a bounded number of queries (one student: under ten, whatever the rule set's size)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization, Student
from waypoint.evidence.models import Score
from waypoint.frameworks.models import Competency, Framework, FrameworkVersion, ScaleLevel, VersionStatus
from waypoint.frameworks.selectors import frameworks_in_use, scale_levels
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.records import graduation_check as pure
from waypoint.records.models import (
    Diploma,
    Exhibition,
    ExhibitionKind,
    ExhibitionOutcome,
    ExhibitionStatus,
    ExperienceKind,
    GraduationRequirement,
    GraduationRuleSet,
    RequirementKind,
    RuleSetStatus,
)

# Which held exhibitions and completed paths count as each experience a requirement can name.
EXHIBITION_KINDS: dict[str, str] = {
    ExhibitionKind.SENIOR_PROJECT: ExperienceKind.SENIOR_PROJECT,
    ExhibitionKind.EXHIBITION: ExperienceKind.EXHIBITION,
}
PATH_KINDS: dict[str, str] = {
    "work_based_learning": ExperienceKind.WORK_BASED_LEARNING,
    "internship": ExperienceKind.INTERNSHIP,
    "dual_enrollment": ExperienceKind.DUAL_ENROLLMENT,
    "community_service": ExperienceKind.COMMUNITY_SERVICE,
    "cte_program": ExperienceKind.CTE_CERTIFICATE,
}
# Seniors: the cohorts in their fourth to sixth year of high school (high school may take 3 to 6 years).
SENIOR_YEARS = (4, 6)


# Retired competencies -------------------------------------------------------------------------------------


def retired_competencies(competencies: Iterable[Competency]) -> dict[int, str]:
    """The competencies (with `version__framework` loaded) that are retired, each with why: their version
    was retired, or a newer published version of the framework no longer has them."""
    found: dict[int, str] = {}
    named = list(competencies)
    framework_ids = {c.version.framework_id for c in named}
    newest = dict(
        FrameworkVersion.objects.filter(framework_id__in=framework_ids, status=VersionStatus.PUBLISHED)
        .values("framework_id")
        .annotate(number=Max("number"))
        .values_list("framework_id", "number")
    )
    newer = [c for c in named if newest.get(c.version.framework_id, 0) > c.version.number]
    kept: set[tuple[int, str]] = set()
    if newer:
        wanted = Q()
        for c in newer:
            wanted |= Q(
                version__framework_id=c.version.framework_id,
                version__number=newest[c.version.framework_id],
                case_identifier=c.case_identifier,
            )
        kept = set(Competency.objects.filter(wanted).values_list("version__framework_id", "case_identifier"))
    for c in named:
        if c.version.status == VersionStatus.RETIRED or c.version.retired_at is not None:
            found[c.pk] = gettext("its framework version was retired")
        elif c in newer and (c.version.framework_id, c.case_identifier) not in kept:
            found[c.pk] = gettext("version %(number)s of the framework no longer has it") % {
                "number": newest[c.version.framework_id]
            }
    return found


# The tree a rule set names --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    pk: int
    parent_id: int | None
    path: str
    version_id: int
    label: str


@dataclass
class _Tree:
    """The competencies of the framework versions a rule set names, parents first."""

    nodes: dict[int, _Node] = field(default_factory=dict)
    children: dict[int | None, list[int]] = field(default_factory=lambda: defaultdict(list))
    roots: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def leaves_under(self, pk: int) -> tuple[int, ...]:
        node = self.nodes.get(pk)
        if node is None:
            return ()
        prefix = node.path + "."
        return tuple(
            n.pk
            for n in self.nodes.values()
            if n.version_id == node.version_id and n.path.startswith(prefix) and not self.children.get(n.pk)
        )


def _newest_versions(framework_ids: set[int]) -> dict[int, int]:
    """The newest published version id of each framework."""
    found: dict[int, tuple[int, int]] = {}
    for framework_id, number, pk in FrameworkVersion.objects.filter(
        framework_id__in=framework_ids, status=VersionStatus.PUBLISHED
    ).values_list("framework_id", "number", "id"):
        if framework_id not in found or number > found[framework_id][0]:
            found[framework_id] = (number, pk)
    return {framework_id: pk for framework_id, (_, pk) in found.items()}


def _tree(version_ids: set[int]) -> _Tree:
    tree = _Tree()
    for competency in (
        Competency.objects.filter(version_id__in=version_ids)
        .only(
            "id", "parent_id", "path", "version_id", "human_code", "abbreviated_statement", "full_statement"
        )
        .order_by("version_id", "path")
    ):
        tree.nodes[competency.pk] = _Node(
            competency.pk, competency.parent_id, competency.path, competency.version_id, str(competency)
        )
        tree.children[competency.parent_id].append(competency.pk)
        if competency.parent_id is None:
            tree.roots[competency.version_id].append(competency.pk)
    return tree


def count_groups(*, competency: Competency | None, framework: Framework | None) -> list[int]:
    """The domains a COUNT requirement counts among: the children of the competency, or the top-level
    competencies of the framework's newest published version."""
    if competency is not None:
        return list(Competency.objects.filter(parent=competency).values_list("id", flat=True))
    if framework is None:
        return []
    version_id = _newest_versions({framework.pk}).get(framework.pk)
    return list(
        Competency.objects.filter(version_id=version_id, parent__isnull=True).values_list("id", flat=True)
    )


# Plans: a rule set's requirements as plain data -----------------------------------------------------------


@dataclass
class _Plan:
    rule_set: GraduationRuleSet
    rows: list[GraduationRequirement]
    requirements: list[pure.Requirement]
    competency_ids: set[int]
    levels_of_scale: dict[int, list[ScaleLevel]]
    scale_of: dict[int, int | None]


def _targets(row: GraduationRequirement, tree: _Tree, newest: dict[int, int]) -> tuple[pure.Target, ...]:
    def target(pk: int) -> pure.Target:
        node = tree.nodes.get(pk)
        return pure.Target(pk, node.label if node else str(pk), tree.leaves_under(pk))

    if row.kind == RequirementKind.COMPETENCY and row.competency_id is not None:
        return (target(row.competency_id),)
    if row.kind == RequirementKind.DOMAIN and row.competency_id is not None:
        return tuple(target(pk) for pk in tree.leaves_under(row.competency_id)) or (
            target(row.competency_id),
        )
    if row.kind == RequirementKind.COUNT:
        if row.competency_id is not None:
            return tuple(target(pk) for pk in tree.children.get(row.competency_id, []))
        version_id = newest.get(row.framework_id or 0)
        return tuple(target(pk) for pk in tree.roots.get(version_id or 0, []))
    return ()


def _plans(rule_sets: Sequence[GraduationRuleSet]) -> dict[int, _Plan]:
    """Each rule set's requirements as plain data, in four queries whatever the number of rule sets."""
    rows_of: dict[int, list[GraduationRequirement]] = defaultdict(list)
    rows = list(
        GraduationRequirement.objects.filter(rule_set__in=rule_sets).select_related(
            "competency__version__framework", "framework"
        )
    )
    for row in rows:
        rows_of[row.rule_set_id].append(row)
    count_frameworks = {r.framework_id for r in rows if r.kind == RequirementKind.COUNT and r.framework_id}
    newest = _newest_versions(count_frameworks) if count_frameworks else {}
    version_ids = {r.competency.version_id for r in rows if r.competency} | set(newest.values())
    tree = _tree(version_ids) if version_ids else _Tree()
    scale_of: dict[int, int | None] = {
        r.pk: (
            r.competency.version.framework.scale_id
            if r.competency
            else (r.framework.scale_id if r.framework else None)
        )
        for r in rows
    }
    scales = {s for s in scale_of.values() if s is not None}
    levels_of_scale = scale_levels(scales) if scales else {}
    plans: dict[int, _Plan] = {}
    for rule_set in rule_sets:
        requirements = [
            pure.Requirement(
                key=row.pk,
                kind=row.kind,
                label=str(row),
                min_level=row.min_level,
                targets=_targets(row, tree, newest),
                count=row.count,
                experience=row.experience,
            )
            for row in rows_of[rule_set.pk]
        ]
        ids = {t.competency_id for r in requirements for t in r.targets}
        ids |= {m for r in requirements for t in r.targets for m in t.members}
        plans[rule_set.pk] = _Plan(
            rule_set, rows_of[rule_set.pk], requirements, ids, levels_of_scale, scale_of
        )
    return plans


# Facts about students --------------------------------------------------------------------------------------


def _levels(
    student_ids: Sequence[int], competency_ids: set[int], *, with_history: bool, on: datetime.date | None
) -> dict[int, dict[int, pure.Level]]:
    """Each student's levels on the competencies; with their dated history when asked, and as they stood at
    the end of `on` when given."""
    found: dict[int, dict[int, pure.Level]] = defaultdict(dict)
    histories: dict[int, dict[int, list[pure.Change]]] = defaultdict(lambda: defaultdict(list))
    if with_history or on is not None:
        for student_id, competency_id, level, meets, changed_at in (
            MasteryLevelChange.objects.filter(student_id__in=student_ids, competency_id__in=competency_ids)
            .order_by("changed_at", "id")
            .values_list("student_id", "competency_id", "level", "meets_mastery", "changed_at")
        ):
            day = timezone.localdate(changed_at)
            histories[student_id][competency_id].append(pure.Change(day, level, meets))
    if on is not None:
        return {sid: pure.levels_on(histories[sid], on) for sid in student_ids}
    for student_id, competency_id, level, meets, score_ids in MasteryLevel.objects.filter(
        student_id__in=student_ids, competency_id__in=competency_ids
    ).values_list("student_id", "competency_id", "level", "meets_mastery", "score_ids"):
        found[student_id][competency_id] = pure.Level(
            level=level,
            meets_mastery=meets,
            score_ids=tuple(score_ids or ()),
            history=tuple(histories[student_id][competency_id]),
        )
    return found


def _experiences(student_ids: Sequence[int], on: datetime.date | None) -> dict[int, list[pure.Experience]]:
    found: dict[int, list[pure.Experience]] = defaultdict(list)
    held = Exhibition.objects.filter(
        student_id__in=student_ids,
        status=ExhibitionStatus.HELD,
        outcome=ExhibitionOutcome.PASSED,
        kind__in=list(EXHIBITION_KINDS),
    )
    if on is not None:
        held = held.filter(Q(held_on__isnull=True) | Q(held_on__lte=on))
    for pk, student_id, kind, title, held_on in held.values_list(
        "id", "student_id", "kind", "title", "held_on"
    ):
        found[student_id].append(pure.Experience(EXHIBITION_KINDS[kind], title, held_on, "exhibition", pk))
    paths = PathProposal.objects.filter(
        student_id__in=student_ids, status=PathStatus.COMPLETED, opportunity__kind__in=list(PATH_KINDS)
    )
    if on is not None:
        paths = paths.filter(ends_on__lte=on)
    for pk, student_id, kind, title, ends_on in paths.values_list(
        "id", "student_id", "opportunity__kind", "opportunity__title", "ends_on"
    ):
        found[student_id].append(pure.Experience(PATH_KINDS[kind], title, ends_on, "path", pk))
    return found


# The diploma check -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementResult:
    """One requirement for one student: met or not yet, the evidence that meets it, and what remains."""

    id: int
    kind: str
    label: str
    met: bool
    evidence: list[dict[str, object]]
    remaining: str
    credits: Decimal | None = None


@dataclass(frozen=True)
class DiplomaCheck:
    student: Student
    rule_set: GraduationRuleSet | None
    requirements: list[RequirementResult]
    on: datetime.date

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.requirements if r.met)

    @property
    def total(self) -> int:
        return len(self.requirements)

    @property
    def eligible(self) -> bool:
        return self.rule_set is not None and bool(self.requirements) and self.met_count == self.total


def _mastery_name(levels: list[ScaleLevel]) -> str:
    mastery = [level for level in levels if level.meets_mastery]
    return mastery[0].label if mastery else gettext("mastery")


def _level_name(plan: _Plan, row_id: int, min_level: float | None) -> str:
    scale_id = plan.scale_of.get(row_id)
    levels = plan.levels_of_scale.get(scale_id, []) if scale_id is not None else []
    if min_level is None:
        return _mastery_name(levels)
    reached = [level for level in levels if level.value <= min_level + pure.TOLERANCE]
    return reached[-1].label if reached else f"{min_level:g}"


def _remaining(outcome: pure.Outcome, requirement: pure.Requirement, level: str) -> str:
    gap = outcome.shortfall
    if outcome.met:
        return ""
    if requirement.kind == pure.EXPERIENCE:
        return gettext("%(experience)s, still to complete") % {
            "experience": ExperienceKind(requirement.experience).label
        }
    if requirement.kind == pure.COUNT:
        return gettext("%(more)s more of the %(total)s domains at %(level)s") % {
            "more": gap.more_needed,
            "total": gap.of_total,
            "level": level,
        }
    return gettext("Reach %(level)s in %(competencies)s") % {
        "level": level,
        "competencies": ", ".join(gap.missing) or requirement.label,
    }


def _results(
    plan: _Plan,
    levels: dict[int, pure.Level],
    experiences: list[pure.Experience],
    evidence_of: dict[int, int],
) -> list[RequirementResult]:
    outcomes = pure.check(plan.requirements, levels, experiences)
    results: list[RequirementResult] = []
    for row, requirement, outcome in zip(plan.rows, plan.requirements, outcomes, strict=True):
        level = _level_name(plan, row.pk, row.min_level)
        evidence = []
        for proof in outcome.evidence:
            item = dict(proof)
            if "competency_id" in item:
                value = item["level"]
                # A domain counted by its competencies has no level of its own to name.
                item["level_name"] = (
                    _level_name(plan, row.pk, value) if isinstance(value, float | int) else None
                )
                ids = item.get("score_ids") or []
                item["evidence_ids"] = sorted({evidence_of[s] for s in ids if s in evidence_of})  # type: ignore[attr-defined]
            evidence.append(item)
        results.append(
            RequirementResult(
                id=row.pk,
                kind=row.kind,
                label=str(row),
                met=outcome.met,
                evidence=evidence,
                remaining=_remaining(outcome, requirement, level),
                credits=row.credits,
            )
        )
    return results


def rule_set_for(*, student: Student) -> GraduationRuleSet | None:
    """The rule set in force for the student's cohort in the student's district."""
    if student.cohort_year is None:
        return None
    return GraduationRuleSet.objects.filter(
        district_id=student.district_id, cohort_year=student.cohort_year, status=RuleSetStatus.PUBLISHED
    ).first()


@dataclass(frozen=True)
class PaceRequirement:
    """What a cohort's rule set asks of pace: the leaf competencies whose mastery counts, and how many of
    them graduation needs. A COUNT of k domains among n needs the leaves of its k smallest domains, while
    mastery in any of the n counts; an experience is an event, not a pace, and adds nothing. A requirement at
    a level other than mastery is read at mastery: pace is counted in competencies mastered."""

    competency_ids: frozenset[int]
    required: int


def _pace_of(plan: _Plan) -> PaceRequirement:
    ids: set[int] = set()
    required = 0
    for requirement in plan.requirements:
        groups = [set(target.members) or {target.competency_id} for target in requirement.targets]
        if not groups:
            continue
        for group in groups:
            ids |= group
        if requirement.kind == RequirementKind.COUNT:
            sizes = sorted(len(group) for group in groups)
            required += sum(sizes[: requirement.count or 0])
        else:
            required += len(set().union(*groups))
    return PaceRequirement(frozenset(ids), min(required, len(ids)))


def pace_requirements(*, district_id: int) -> dict[int, PaceRequirement]:
    """For the pace and projection of the progress app: each cohort year with a rule set in force in the
    district, and what its rule set asks of pace. Internal: no access check and no audit."""
    rule_sets = list(
        GraduationRuleSet.objects.filter(district_id=district_id, status=RuleSetStatus.PUBLISHED)
    )
    if not rule_sets:
        return {}
    plans = _plans(rule_sets)
    return {rule_set.cohort_year: _pace_of(plans[rule_set.pk]) for rule_set in rule_sets}


def diploma_check(*, student: Student, on: datetime.date | None = None) -> DiplomaCheck:
    """Every requirement of the student's rule set, met or not yet (as of the end of `on` when given), with
    the evidence and what remains. Internal: no access check and no audit."""
    day = on or timezone.localdate()
    rule_set = rule_set_for(student=student)
    if rule_set is None:
        return DiplomaCheck(student=student, rule_set=None, requirements=[], on=day)
    plan = _plans([rule_set])[rule_set.pk]
    levels = _levels([student.pk], plan.competency_ids, with_history=True, on=on).get(student.pk, {})
    experiences = _experiences([student.pk], on).get(student.pk, [])
    score_ids = {s for level in levels.values() for s in level.score_ids}
    evidence_of = (
        dict(Score.objects.filter(id__in=score_ids).values_list("id", "evidence_id")) if score_ids else {}
    )
    return DiplomaCheck(
        student=student,
        rule_set=rule_set,
        requirements=_results(plan, levels, experiences, evidence_of),
        on=day,
    )


def check_snapshot(result: DiplomaCheck) -> list[dict[str, object]]:
    """The check as JSON, stored on a diploma so the award can be reproduced."""
    return [
        {
            "requirement_id": r.id,
            "kind": r.kind,
            "label": r.label,
            "met": r.met,
            "evidence": r.evidence,
            "credits": str(r.credits) if r.credits is not None else None,
        }
        for r in result.requirements
    ]


# Reads behind the pages and the API -----------------------------------------------------------------------


def _deny(context: RequestContext, object_type: str, object_id: int) -> NotVisible:
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(object_id),
        district_id=context.district_id,
    )
    return NotVisible(gettext("There is no such rule set, or it is not yours to see."))


def rule_sets_visible(context: RequestContext) -> QuerySet[GraduationRuleSet]:
    """The rule sets of the district the person acts for, if they may read its graduation rules."""
    district_id = context.district_id
    if district_id is None:
        return GraduationRuleSet.objects.none()
    district = Organization.objects.filter(pk=district_id).first()
    if district is None or not policy.can(context.user, Action.VIEW_GRADUATION_RULES, district):
        return GraduationRuleSet.objects.none()
    return GraduationRuleSet.objects.filter(district_id=district_id)


@dataclass(frozen=True)
class RuleSetRow:
    rule_set: GraduationRuleSet
    requirements: list[GraduationRequirement]
    retired: dict[int, str]

    @property
    def flagged(self) -> int:
        return len(self.retired)


def _rows(rule_sets: list[GraduationRuleSet]) -> list[RuleSetRow]:
    requirements: dict[int, list[GraduationRequirement]] = defaultdict(list)
    rows = list(
        GraduationRequirement.objects.filter(rule_set__in=rule_sets).select_related(
            "competency__version__framework", "framework"
        )
    )
    for row in rows:
        requirements[row.rule_set_id].append(row)
    retired = retired_competencies([r.competency for r in rows if r.competency is not None])
    return [
        RuleSetRow(
            rule_set=rule_set,
            requirements=requirements[rule_set.pk],
            retired={
                r.pk: retired[r.competency_id]
                for r in requirements[rule_set.pk]
                if r.competency_id is not None and r.competency_id in retired
            },
        )
        for rule_set in rule_sets
    ]


def rule_sets_list(*, context: RequestContext) -> list[RuleSetRow]:
    """The district's rule sets, newest cohort first, each with its requirements naming retired
    competencies flagged (a bounded number of queries)."""
    if context.district_id is None or not policy.can(context.user, Action.VIEW_GRADUATION_RULES):
        raise NotPermitted(
            gettext("You may not %(action)s.") % {"action": Action.VIEW_GRADUATION_RULES.label}
        )
    return _rows(list(rule_sets_visible(context).order_by("-cohort_year", "-version")))


def rule_set_get(*, context: RequestContext, rule_set_id: int) -> RuleSetRow:
    """One rule set of the district the person acts for, with its flags; 404 for anyone else's."""
    rule_set = rule_sets_visible(context).filter(pk=rule_set_id).first()
    if rule_set is None:
        raise _deny(context, "graduation-rule-set", rule_set_id)
    return _rows([rule_set])[0]


def usable_competencies(district: Organization) -> QuerySet[Competency]:
    """The competencies a requirement may name: those of the published versions of the frameworks the
    district uses (domains included: a DOMAIN or COUNT requirement names one)."""
    return (
        Competency.objects.filter(
            version__framework_id__in=frameworks_in_use(district).values("id"),
            version__status=VersionStatus.PUBLISHED,
            version__retired_at__isnull=True,
        )
        .select_related("version__framework")
        .order_by("version__framework__title", "version__number", "path")
    )


@dataclass(frozen=True)
class DiplomaPage:
    student: Student
    check: DiplomaCheck
    diploma: Diploma | None
    history: list[Diploma]
    may_award: bool


def diploma_page(*, context: RequestContext, student_id: int) -> DiplomaPage:
    """The student's diploma check for someone who may read it (audited); 404 otherwise."""
    student = student_get(
        context=context, student_id=student_id, action=Action.VIEW_DIPLOMA_CHECK, audit_as="diploma-check"
    )
    history = list(
        Diploma.objects.filter(student=student).select_related("awarded_by", "revoked_by", "rule_set")
    )
    standing = next((d for d in history if d.revoked_at is None), None)
    return DiplomaPage(
        student=student,
        check=diploma_check(student=student),
        diploma=standing,
        history=history,
        may_award=policy.can(context.user, Action.AWARD_DIPLOMA, student),
    )


def diploma_standing(*, student: Student) -> Diploma | None:
    """The student's standing diploma, if any. Internal: no access check."""
    return Diploma.objects.filter(student=student, revoked_at__isnull=True).first()


@dataclass(frozen=True)
class SeniorRow:
    student: Student
    met: int
    total: int
    has_diploma: bool

    @property
    def eligible(self) -> bool:
        return self.total > 0 and self.met == self.total


def senior_cohorts(on: datetime.date) -> list[int]:
    """The cohorts in their fourth to sixth year of high school on a date (a school year begins in July)."""
    school_year = on.year if on.month >= 7 else on.year - 1
    first, last = SENIOR_YEARS
    return [school_year - years + 1 for years in range(first, last + 1)]


def seniors_list(*, context: RequestContext) -> list[SeniorRow]:
    """The district's students of the senior cohorts with how many requirements each has met, eligible
    first, for the district admin who awards diplomas. A bounded number of queries, whatever the size."""
    district_id = context.district_id
    district = Organization.objects.filter(pk=district_id).first() if district_id else None
    if district is None or not policy.can(context.user, Action.AWARD_DIPLOMA, district):
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": Action.AWARD_DIPLOMA.label})
    cohorts = senior_cohorts(timezone.localdate())
    students = list(
        policy.visible_students(context.user).filter(district_id=district.pk, cohort_year__in=cohorts)
    )
    rule_sets = {
        r.cohort_year: r
        for r in GraduationRuleSet.objects.filter(
            district_id=district.pk, cohort_year__in=cohorts, status=RuleSetStatus.PUBLISHED
        )
    }
    plans = _plans(list(rule_sets.values()))
    ids = [s.pk for s in students]
    competency_ids = {pk for plan in plans.values() for pk in plan.competency_ids}
    levels = _levels(ids, competency_ids, with_history=False, on=None)
    experiences = _experiences(ids, None)
    holders = set(
        Diploma.objects.filter(student_id__in=ids, revoked_at__isnull=True).values_list(
            "student_id", flat=True
        )
    )
    rows: list[SeniorRow] = []
    for student in students:
        rule_set = rule_sets.get(student.cohort_year or 0)
        plan = plans.get(rule_set.pk) if rule_set else None
        outcomes = (
            pure.check(plan.requirements, levels.get(student.pk, {}), experiences.get(student.pk, []))
            if plan
            else []
        )
        rows.append(
            SeniorRow(student, sum(1 for o in outcomes if o.met), len(outcomes), student.pk in holders)
        )
    if students:
        audit_record_students(
            context=context, action=AuditAction.VIEW, object_type="diploma-seniors", students=students
        )
    rows.sort(
        key=lambda r: (
            r.has_diploma,
            not r.eligible,
            -(r.met / r.total if r.total else 0),
            r.student.last_name,
        )
    )
    return rows


def usable_frameworks(district: Organization) -> QuerySet[Framework]:
    """The frameworks a COUNT requirement may count the domains of: those the district uses."""
    return frameworks_in_use(district).order_by("title")


def acting_district(context: RequestContext, action: Action) -> Organization:
    """The district the person acts for, when they may take the action there (403 otherwise)."""
    district = Organization.objects.filter(pk=context.district_id).first() if context.district_id else None
    if district is None or not policy.can(context.user, action, district):
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})
    return district
