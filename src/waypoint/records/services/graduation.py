"""Every write of graduation rules and diplomas. Each function takes keyword arguments and runs in one
transaction with its audit row; bad input raises `GraduationError` listing every problem and nothing is
written; a refusal by the policy raises `NotPermitted`.

A rule set is saved for a district's cohort: a draft of that cohort is edited in place, anything else (the
set in force, or none yet) gets a new version, so a published set never changes and a diploma keeps the
exact rules it was awarded under. Publishing supersedes the set in force for the cohort."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid, NotPermitted
from waypoint.core.models import AdvisorAssignment, AuditAction, Organization, Student, User
from waypoint.frameworks.models import Competency, Framework, ScaleLevel, Tier, VersionStatus
from waypoint.frameworks.selectors import frameworks_in_use
from waypoint.notifications.services import notify
from waypoint.policy import Action
from waypoint.policy.base import active_on
from waypoint.policy.notifications import family_of
from waypoint.records import events
from waypoint.records.models import (
    Diploma,
    ExperienceKind,
    GraduationRequirement,
    GraduationRuleSet,
    RequirementKind,
    RuleSetStatus,
)
from waypoint.records.selectors.graduation import (
    check_snapshot,
    count_groups,
    diploma_check,
    retired_competencies,
)

# Cohorts are years high school began; anything outside this span is a typing slip.
FIRST_COHORT = 1950
LAST_COHORT = 2200
MAX_CREDITS = Decimal("999.99")


class GraduationError(Invalid):
    """A refused write; `problems` lists every reason, in words the person can act on."""


@dataclass(frozen=True)
class RequirementSpec:
    """One requirement as the district admin wrote it (see `GraduationRequirement` for the kinds)."""

    kind: str
    label: str = ""
    competency_id: int | None = None
    framework_id: int | None = None
    min_level: float | None = None
    count: int | None = None
    experience: str = ""
    credits: Decimal | None = None


def _require(context: RequestContext, action: Action, obj: object | None) -> User:
    user = context.actor
    if user is None or not policy.can(user, action, obj):  # type: ignore[arg-type]
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})
    return user


# Rule sets ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """What validation reads about the named competencies and frameworks, in a few queries."""

    competencies: dict[int, Competency]
    frameworks: dict[int, Framework]
    used_frameworks: set[int]
    scale_tops: dict[int, float]
    retired: dict[int, str]


def _known(district: Organization, specs: Sequence[RequirementSpec]) -> _Known:
    competency_ids = {s.competency_id for s in specs if s.competency_id is not None}
    framework_ids = {s.framework_id for s in specs if s.framework_id is not None}
    competencies = Competency.objects.select_related("version__framework").in_bulk(competency_ids)
    frameworks = Framework.objects.in_bulk(framework_ids)
    scale_ids = {c.version.framework.scale_id for c in competencies.values()} | {
        f.scale_id for f in frameworks.values()
    }
    tops: dict[int, float] = {}
    for scale_id, value in ScaleLevel.objects.filter(scale_id__in=scale_ids).values_list("scale_id", "value"):
        tops[scale_id] = max(value, tops.get(scale_id, value))
    return _Known(
        competencies=competencies,
        frameworks=frameworks,
        used_frameworks=set(frameworks_in_use(district).values_list("id", flat=True)),
        scale_tops=tops,
        retired=retired_competencies(competencies.values()),
    )


def _competency_problems(number: int, spec: RequirementSpec, known: _Known) -> tuple[list[str], int | None]:
    """The problems of the competency a requirement names, and the scale its levels are on."""
    values: dict[str, object] = {"n": number}
    if spec.competency_id is None:
        return [], None
    competency = known.competencies.get(spec.competency_id)
    if competency is None:
        return [gettext("Requirement %(n)s names a competency that does not exist.") % values], None
    values["competency"] = str(competency)
    framework = competency.version.framework
    problems: list[str] = []
    if framework.pk not in known.used_frameworks:
        problems.append(
            gettext("Requirement %(n)s names “%(competency)s”, from a framework the district does not use.")
            % values
        )
    elif competency.version.status == VersionStatus.DRAFT:
        problems.append(
            gettext("Requirement %(n)s names “%(competency)s” from a draft; publish the framework first.")
            % values
        )
    elif competency.pk in known.retired:
        problems.append(
            gettext("Requirement %(n)s names “%(competency)s”, which is retired: %(why)s")
            % {**values, "why": known.retired[competency.pk]}
        )
    if spec.kind == RequirementKind.COMPETENCY and competency.tier == Tier.DOMAIN:
        problems.append(
            gettext("Requirement %(n)s names a domain; choose “every competency of a domain” instead.")
            % values
        )
    return problems, framework.scale_id


def _count_problems(number: int, spec: RequirementSpec, known: _Known) -> tuple[list[str], int | None]:
    values: dict[str, object] = {"n": number}
    if spec.competency_id is not None:
        return [], None
    if spec.framework_id is None:
        return [gettext("Requirement %(n)s counts domains: choose a framework or a domain.") % values], None
    framework = known.frameworks.get(spec.framework_id)
    if framework is None or framework.pk not in known.used_frameworks:
        return [gettext("Requirement %(n)s names a framework the district does not use.") % values], None
    return [], framework.scale_id


def _spec_problems(number: int, spec: RequirementSpec, known: _Known) -> list[str]:
    values: dict[str, object] = {"n": number}
    if spec.kind not in RequirementKind.values:
        return [gettext("Requirement %(n)s has no kind.") % values]
    problems: list[str] = []
    if spec.kind == RequirementKind.EXPERIENCE:
        if spec.experience not in ExperienceKind.values:
            problems.append(gettext("Requirement %(n)s needs the experience it asks for.") % values)
    elif spec.kind in (RequirementKind.COMPETENCY, RequirementKind.DOMAIN) and spec.competency_id is None:
        problems.append(gettext("Requirement %(n)s needs a competency.") % values)
    found, scale_id = _competency_problems(number, spec, known)
    problems += found
    if spec.kind == RequirementKind.COUNT:
        found, framework_scale = _count_problems(number, spec, known)
        problems += found
        scale_id = scale_id or framework_scale
        problems += _count_value_problems(number, spec, known)
    if spec.min_level is not None:
        top = known.scale_tops.get(scale_id) if scale_id is not None else None
        if spec.min_level < 0:
            problems.append(gettext("Requirement %(n)s asks for a negative level.") % values)
        elif top is not None and spec.min_level > top:
            problems.append(
                gettext("Requirement %(n)s asks for level %(level)s, above the scale’s top level %(top)s.")
                % {**values, "level": f"{spec.min_level:g}", "top": f"{top:g}"}
            )
    if spec.credits is not None and not Decimal(0) <= spec.credits <= MAX_CREDITS:
        problems.append(gettext("Requirement %(n)s has credits outside 0 to 999.99.") % values)
    return problems


def _count_value_problems(number: int, spec: RequirementSpec, known: _Known) -> list[str]:
    values: dict[str, object] = {"n": number, "count": spec.count}
    if spec.count is None or spec.count < 1:
        return [gettext("Requirement %(n)s needs how many domains count (at least 1).") % values]
    if spec.competency_id is not None and spec.competency_id not in known.competencies:
        return []
    if spec.competency_id is None and spec.framework_id not in known.frameworks:
        return []
    competency = known.competencies.get(spec.competency_id) if spec.competency_id else None
    framework = known.frameworks.get(spec.framework_id) if spec.framework_id else None
    domains = len(count_groups(competency=competency, framework=framework))
    if spec.count > domains:
        return [
            gettext("Requirement %(n)s asks for %(count)s domains, but there are only %(domains)s.")
            % {**values, "domains": domains}
        ]
    return []


def rule_set_problems(
    *,
    district: Organization,
    cohort_year: int,
    title: str,
    requirements: Sequence[RequirementSpec],
    known: _Known | None = None,
) -> list[str]:
    """Every problem with a rule set as written; empty when it can be saved."""
    problems: list[str] = []
    if not title.strip():
        problems.append(gettext("Give the rule set a title."))
    if not FIRST_COHORT <= cohort_year <= LAST_COHORT:
        problems.append(
            gettext("The cohort year %(year)s is not a year a cohort began.") % {"year": cohort_year}
        )
    if not requirements:
        problems.append(gettext("A rule set needs at least one requirement."))
        return problems
    known = known or _known(district, requirements)
    for number, spec in enumerate(requirements, start=1):
        problems += _spec_problems(number, spec, known)
    return problems


def _label(spec: RequirementSpec, known: _Known) -> str:
    if spec.label.strip():
        return spec.label.strip()
    if spec.kind == RequirementKind.EXPERIENCE:
        return str(ExperienceKind(spec.experience).label)
    if spec.competency_id is not None:
        return str(known.competencies[spec.competency_id])
    framework = known.frameworks.get(spec.framework_id) if spec.framework_id else None
    return gettext("%(count)s domains of %(framework)s") % {"count": spec.count, "framework": framework}


def _store_requirements(rule_set: GraduationRuleSet, specs: Sequence[RequirementSpec], known: _Known) -> None:
    GraduationRequirement.objects.bulk_create(
        GraduationRequirement(
            rule_set=rule_set,
            position=position,
            kind=spec.kind,
            label=_label(spec, known)[:300],
            competency_id=spec.competency_id if spec.kind != RequirementKind.EXPERIENCE else None,
            framework_id=spec.framework_id if spec.kind == RequirementKind.COUNT else None,
            min_level=spec.min_level if spec.kind != RequirementKind.EXPERIENCE else None,
            count=spec.count if spec.kind == RequirementKind.COUNT else None,
            experience=spec.experience if spec.kind == RequirementKind.EXPERIENCE else "",
            credits=spec.credits,
        )
        for position, spec in enumerate(specs, start=1)
    )


def rule_set_save(
    *,
    context: RequestContext,
    district: Organization,
    cohort_year: int,
    title: str,
    description: str = "",
    requirements: Sequence[RequirementSpec],
    publish: bool,
) -> GraduationRuleSet:
    """Saves the rules of a district's cohort: the cohort's draft is rewritten, otherwise a new version is
    made (the set in force stays as it was until this one is published)."""
    user = _require(context, Action.MANAGE_GRADUATION_RULES, district)
    known = _known(district, requirements)
    problems = rule_set_problems(
        district=district, cohort_year=cohort_year, title=title, requirements=requirements, known=known
    )
    if problems:
        raise GraduationError(problems)
    with transaction.atomic():
        sets = GraduationRuleSet.objects.select_for_update().filter(
            district=district, cohort_year=cohort_year
        )
        draft = sets.filter(status=RuleSetStatus.DRAFT).order_by("-version").first()
        if draft is None:
            latest = sets.aggregate(latest=Max("version"))["latest"] or 0
            draft = GraduationRuleSet.objects.create(
                district=district,
                cohort_year=cohort_year,
                version=latest + 1,
                title=title.strip(),
                description=description.strip(),
                created_by=user,
            )
            action = AuditAction.CREATE
        else:
            draft.title, draft.description = title.strip(), description.strip()
            draft.save(update_fields=["title", "description"])
            draft.requirements.all().delete()
            action = AuditAction.UPDATE
        _store_requirements(draft, requirements, known)
        audit_record(
            context=context,
            action=action,
            object_type="graduation-rule-set",
            object_id=str(draft.pk),
            district_id=district.pk,
            reason=f"cohort {cohort_year}, version {draft.version}",
        )
        if publish:
            _publish(context, draft)
    return draft


def _publish(context: RequestContext, rule_set: GraduationRuleSet) -> None:
    in_force = GraduationRuleSet.objects.filter(
        district_id=rule_set.district_id, cohort_year=rule_set.cohort_year, status=RuleSetStatus.PUBLISHED
    ).exclude(pk=rule_set.pk)
    in_force.update(status=RuleSetStatus.SUPERSEDED)
    rule_set.status = RuleSetStatus.PUBLISHED
    rule_set.published_at = timezone.now()
    rule_set.save(update_fields=["status", "published_at"])
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type="graduation-rule-set",
        object_id=str(rule_set.pk),
        district_id=rule_set.district_id,
        reason=f"published cohort {rule_set.cohort_year}, version {rule_set.version}",
    )


def rule_set_publish(*, context: RequestContext, rule_set: GraduationRuleSet) -> GraduationRuleSet:
    """Puts a draft in force for its cohort; the set in force before it is superseded."""
    _require(context, Action.MANAGE_GRADUATION_RULES, rule_set.district)
    with transaction.atomic():
        locked = GraduationRuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if locked.status != RuleSetStatus.DRAFT:
            raise Conflict(gettext("Only a draft can be put in force; this rule set already was."))
        if not locked.requirements.exists():
            raise GraduationError(gettext("A rule set needs at least one requirement."))
        _publish(context, locked)
    return locked


# Diplomas -------------------------------------------------------------------------------------------------


def _advisors_of(student: Student, on: datetime.date) -> list[User]:
    advising = AdvisorAssignment.objects.filter(active_on(on), student=student).values("advisor_id")
    return list(User.objects.filter(pk__in=advising, is_active=True))


def diploma_award(*, context: RequestContext, student: Student, awarded_on: datetime.date) -> Diploma:
    """Awards the diploma to an eligible student under the rule set of the student's cohort in force; the
    diploma keeps the check as it stood, so the award can be reproduced."""
    user = _require(context, Action.AWARD_DIPLOMA, student)
    today = timezone.localdate()
    problems: list[str] = []
    if awarded_on > today:
        problems.append(gettext("A diploma cannot be awarded on a date still to come."))
    with transaction.atomic():
        # Two awards at once for one student: the second waits for the first and then finds its diploma.
        Student.objects.select_for_update().filter(pk=student.pk).first()
        if Diploma.objects.filter(student=student, revoked_at__isnull=True).exists():
            raise Conflict(gettext("This student already holds a diploma."))
        # An award dated in the past is checked against the levels as they stood that day.
        result = diploma_check(student=student, on=awarded_on if awarded_on < today else None)
        if result.rule_set is None:
            problems.append(gettext("No graduation rules are in force for this student’s cohort."))
        elif not result.eligible:
            problems += [
                gettext("Not yet met: %(requirement)s — %(remaining)s")
                % {"requirement": r.label, "remaining": r.remaining}
                for r in result.requirements
                if not r.met
            ]
        if problems:
            raise GraduationError(problems)
        assert result.rule_set is not None  # noqa: S101 - refused above when there is none
        diploma = Diploma.objects.create(
            district_id=student.district_id,
            student=student,
            rule_set=result.rule_set,
            student_name=f"{student.first_name} {student.last_name}",
            awarded_on=awarded_on,
            awarded_by=user,
            requirements_check=check_snapshot(result),
        )
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="diploma",
            object_id=str(diploma.pk),
            student=student,
            reason=f"rule set {result.rule_set.pk} version {result.rule_set.version}",
        )
        recipients = [*family_of(student), *_advisors_of(student, today)]
        notify(
            kind=events.DIPLOMA_AWARDED.code,
            recipients=recipients,
            student=student,
            params={"by": user.get_full_name() or user.username, "on": awarded_on.isoformat()},
            url=reverse("records-diploma", args=[student.pk]),
        )
    return diploma


def diploma_revoke(*, context: RequestContext, diploma: Diploma, reason: str) -> Diploma:
    """Revokes a standing diploma, once, with a reason."""
    user = _require(context, Action.AWARD_DIPLOMA, diploma)
    if not reason.strip():
        raise GraduationError(gettext("Say why the diploma is revoked."))
    with transaction.atomic():
        locked = Diploma.objects.select_for_update().get(pk=diploma.pk)
        if locked.revoked_at is not None:
            raise Conflict(gettext("This diploma was already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = user
        locked.revoke_reason = reason.strip()[:500]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="diploma",
            object_id=str(locked.pk),
            student=locked.student,
            district_id=locked.district_id,
            reason=f"revoked: {locked.revoke_reason}"[:300],
        )
    return locked


__all__ = [
    "GraduationError",
    "RequirementSpec",
    "diploma_award",
    "diploma_revoke",
    "rule_set_problems",
    "rule_set_publish",
    "rule_set_save",
]
