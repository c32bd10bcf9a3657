"""Every write of exhibitions, gateways and the Senior Demonstration Project: scheduling one with its panel,
the panel's scores, and the outcome.

Scheduling creates the exhibition's evidence row (an observation titled like the exhibition, about its
competencies), which carries the panel's judgements. Only a certified teacher sets a level (DESIGN.md
invariant 4): a panel member holding a current certification who may judge the student's evidence scores
through the mastery service (`scores_record`), which writes the scores and recomputes the levels. Everyone
else's judgement (an uncertified teacher, a guardian, a community expert whose scores a staff member enters)
is kept as feedback on the evidence, never a level. Every function runs in one transaction with its audit
row; bad input raises `ExhibitionError` listing every problem, and nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import AuditAction, GuardianLink, Role, Student, User
from waypoint.evidence.models import Evidence, EvidenceKind, Feedback, Score
from waypoint.frameworks.models import Competency, Rubric, ScaleLevel
from waypoint.frameworks.selectors import district_competencies
from waypoint.mastery.services import ScoreInput, scores_record
from waypoint.policy import Action
from waypoint.records.models import (
    Exhibition,
    ExhibitionKind,
    ExhibitionOutcome,
    ExhibitionStatus,
    PanelMember,
    PanelRole,
    PortfolioCollection,
)
from waypoint.records.services import acting_user

MAX_TITLE = 300
MAX_TEXT = 5000
MAX_PANEL = 20
# An exhibition is scheduled within this many years of today (a date beyond is a typing slip).
MAX_YEARS_AWAY = 3
STAFF_ROLES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


class ExhibitionError(Invalid):
    """A refused exhibition write; `problems` lists every reason."""


@dataclass(frozen=True)
class Expert:
    """A community expert on the panel: a name and what they do, with no account."""

    name: str
    affiliation: str = ""


@dataclass(frozen=True)
class PanelScore:
    """One panel judgement: a level of the competency's scale."""

    competency_id: int
    value: float


@dataclass(frozen=True)
class ScoreOutcome:
    """What a panel score became: mastery-bearing scores, or feedback."""

    scores: list[Score]
    feedback: Feedback | None

    @property
    def sets_levels(self) -> bool:
        return bool(self.scores)


def _audit(context: RequestContext, action: AuditAction, object_type: str, pk: int, student: Student) -> None:
    audit_record(
        context=context,
        action=action,
        object_type=object_type,
        object_id=str(pk),
        student=student,
        reason=policy.legitimate_interest(context.user, student),
    )


def staff_choices(student: Student) -> QuerySet[User]:
    """The staff who may sit on a panel: active accounts with a staff role in the student's district."""
    on = policy.today()
    return (
        User.objects.filter(
            policy.active_on(on, prefix="role_assignments__"),
            is_active=True,
            role_assignments__role__in=STAFF_ROLES,
            role_assignments__district_id=student.district_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def guardian_choices(student: Student) -> QuerySet[User]:
    """The student's linked guardians, who may sit on the panel."""
    on = policy.today()
    linked = GuardianLink.objects.filter(policy.active_on(on), student=student).values("guardian_id")
    return User.objects.filter(pk__in=linked, is_active=True).order_by("last_name", "first_name")


def competency_choices(student: Student) -> QuerySet[Competency]:
    """The competencies an exhibition may name: those of the frameworks the student's district uses."""
    return (
        district_competencies(student.district)
        .select_related("version__framework")
        .order_by("version__framework__title", "path")
    )


def rubric_choices(student: Student) -> QuerySet[Rubric]:
    owners = [pk for pk in (student.district_id, student.district.parent_id) if pk is not None]
    return Rubric.objects.filter(owner_id__in=owners).order_by("title")


@dataclass(frozen=True)
class ExhibitionPlan:
    """What scheduling an exhibition needs."""

    kind: str
    title: str
    scheduled_at: datetime.datetime
    competency_ids: Sequence[int]
    summary: str = ""
    location: str = ""
    rubric_id: int | None = None
    collection_id: int | None = None
    staff_ids: Sequence[int] = ()
    guardian_ids: Sequence[int] = ()
    experts: Sequence[Expert] = ()


def _text_problems(plan: ExhibitionPlan) -> list[str]:
    problems = []
    texts = [plan.title, plan.summary, plan.location, *(e.name for e in plan.experts)]
    texts += [e.affiliation for e in plan.experts]
    if any("\x00" in text for text in texts):
        problems.append(gettext("The text must not contain NUL characters."))
    if plan.kind not in ExhibitionKind.values:
        problems.append(gettext("Choose an exhibition, a gateway or a Senior Demonstration Project."))
    if not plan.title.strip():
        problems.append(gettext("Give the exhibition a title."))
    elif len(plan.title.strip()) > MAX_TITLE:
        problems.append(gettext("Keep the title to %(limit)d characters.") % {"limit": MAX_TITLE})
    if len(plan.summary) > MAX_TEXT:
        problems.append(gettext("Keep the summary to %(limit)d characters.") % {"limit": MAX_TEXT})
    if len(plan.location) > 300:
        problems.append(gettext("Keep the place to 300 characters."))
    if any(not expert.name.strip() or len(expert.name) > 200 for expert in plan.experts):
        problems.append(gettext("Give every community expert a name (at most 200 characters)."))
    if any(len(expert.affiliation) > 200 for expert in plan.experts):
        problems.append(gettext("Keep each expert’s affiliation to 200 characters."))
    if abs(plan.scheduled_at.year - timezone.now().year) > MAX_YEARS_AWAY:
        problems.append(gettext("Schedule the exhibition within the next few years."))
    return problems


def _competencies(student: Student, ids: Sequence[int], problems: list[str]) -> list[Competency]:
    if not ids:
        problems.append(gettext("Name at least one competency the exhibition shows."))
        return []
    found = list(
        district_competencies(student.district).filter(pk__in=set(ids)).select_related("version__framework")
    )
    problems += [
        gettext("Competency %(id)s is not one of the district’s.") % {"id": pk}
        for pk in sorted(set(ids) - {c.pk for c in found})
    ]
    if len({c.version_id for c in found}) > 1:
        problems.append(gettext("The competencies belong to different frameworks; choose them from one."))
    return found


def _panel(student: Student, plan: ExhibitionPlan, problems: list[str]) -> tuple[list[User], list[User]]:
    staff = list(staff_choices(student).filter(pk__in=set(plan.staff_ids)))
    if len(staff) != len(set(plan.staff_ids)):
        problems.append(gettext("Choose panel staff from the staff of the student’s district."))
    guardians = list(guardian_choices(student).filter(pk__in=set(plan.guardian_ids)))
    if len(guardians) != len(set(plan.guardian_ids)):
        problems.append(gettext("Only the student’s own guardians sit on the panel as family."))
    if set(plan.staff_ids) & set(plan.guardian_ids):
        problems.append(gettext("A person sits on the panel once."))
    if not (staff or guardians or plan.experts):
        problems.append(gettext("Name at least one member of the panel."))
    if len(staff) + len(guardians) + len(plan.experts) > MAX_PANEL:
        problems.append(gettext("A panel has at most %(limit)d members.") % {"limit": MAX_PANEL})
    return staff, guardians


def exhibition_schedule(*, context: RequestContext, student: Student, plan: ExhibitionPlan) -> Exhibition:
    """Schedule an exhibition the student leads, with its panel; its evidence row is made at once."""
    actor = acting_user(context)
    if not policy.can(actor, Action.SCHEDULE_EXHIBITION, student):
        raise NotPermitted(gettext("Only the staff who guide the student schedule an exhibition."))
    problems = _text_problems(plan)
    competencies = _competencies(student, plan.competency_ids, problems)
    staff, guardians = _panel(student, plan, problems)
    rubric = None
    if plan.rubric_id is not None:
        rubric = rubric_choices(student).filter(pk=plan.rubric_id).first()
        if rubric is None:
            problems.append(gettext("Choose a rubric of the district."))
    collection = None
    if plan.collection_id is not None:
        collection = PortfolioCollection.objects.filter(pk=plan.collection_id, student=student).first()
        if collection is None:
            problems.append(gettext("Choose a collection of the student’s own portfolio."))
    if problems or not competencies:
        raise ExhibitionError(problems)
    with transaction.atomic():
        evidence = Evidence.objects.create(
            district_id=student.district_id,
            student=student,
            framework_version_id=competencies[0].version_id,
            kind=EvidenceKind.OBSERVATION,
            title=plan.title.strip(),
            body=plan.summary.strip(),
            recorded_by=actor,
        )
        evidence.competencies.set(competencies)
        exhibition = Exhibition.objects.create(
            district_id=student.district_id,
            student=student,
            kind=plan.kind,
            title=plan.title.strip(),
            summary=plan.summary.strip(),
            scheduled_at=plan.scheduled_at,
            location=plan.location.strip(),
            rubric=rubric,
            collection=collection,
            evidence=evidence,
            created_by=actor,
        )
        exhibition.competencies.set(competencies)
        PanelMember.objects.bulk_create(
            [
                *(_member(exhibition, user, PanelRole.STAFF) for user in staff),
                *(_member(exhibition, user, PanelRole.GUARDIAN) for user in guardians),
                *(
                    PanelMember(
                        exhibition=exhibition,
                        district_id=exhibition.district_id,
                        name=expert.name.strip(),
                        affiliation=expert.affiliation.strip(),
                        role=PanelRole.EXPERT,
                    )
                    for expert in plan.experts
                ),
            ]
        )
        _audit(context, AuditAction.CREATE, "exhibition", exhibition.pk, student)
    return exhibition


def _member(exhibition: Exhibition, user: User, role: PanelRole) -> PanelMember:
    return PanelMember(
        exhibition=exhibition,
        district_id=exhibition.district_id,
        user=user,
        name=user.display_name,
        role=role,
    )


def _levels(competencies: Sequence[Competency]) -> dict[int, dict[float, str]]:
    scales = {c.version.framework.scale_id for c in competencies}
    levels: dict[int, dict[float, str]] = {scale: {} for scale in scales}
    for scale_id, value, label in ScaleLevel.objects.filter(scale_id__in=scales).values_list(
        "scale_id", "value", "label"
    ):
        levels[scale_id][value] = label
    return levels


def _checked_scores(
    exhibition: Exhibition, scores: Sequence[PanelScore]
) -> list[tuple[Competency, PanelScore, str]]:
    """Every score about a competency of the exhibition, at a level of its scale, each competency once."""
    competencies = {c.pk: c for c in exhibition.competencies.select_related("version__framework")}
    levels = _levels(list(competencies.values()))
    problems: list[str] = []
    if not scores:
        problems.append(gettext("Choose a level for at least one competency."))
    if len({s.competency_id for s in scores}) != len(scores):
        problems.append(gettext("Give each competency one level."))
    checked = []
    for score in scores:
        competency = competencies.get(score.competency_id)
        if competency is None:
            problems.append(
                gettext("The exhibition does not show competency %(id)s.") % {"id": score.competency_id}
            )
            continue
        label = levels[competency.version.framework.scale_id].get(score.value)
        if label is None:
            problems.append(
                gettext("%(value)s is not a level of the scale of %(competency)s.")
                % {
                    "value": f"{score.value:g}",
                    "competency": competency.human_code or competency.short_statement,
                }
            )
            continue
        checked.append((competency, score, label))
    if problems:
        raise ExhibitionError(problems)
    return checked


def _feedback_text(
    checked: Sequence[tuple[Competency, PanelScore, str]], comment: str, member: PanelMember
) -> str:
    lines = [
        gettext("Panel judgement by %(name)s (%(role)s), kept as feedback:")
        % {
            "name": member.name + (f", {member.affiliation}" if member.affiliation else ""),
            "role": member.get_role_display(),
        }
    ]
    lines += [
        f"- {competency.human_code or competency.short_statement}: {label} ({score.value:g})"
        for competency, score, label in checked
    ]
    if comment.strip():
        lines += ["", comment.strip()]
    return "\n".join(lines)


def _scoring_member(context: RequestContext, exhibition: Exhibition, member_id: int | None) -> PanelMember:
    """The member whose judgement this is: the actor's own seat, or a community expert's, entered by a
    staff member of the panel or one who guides the student."""
    actor = acting_user(context)
    if exhibition.status == ExhibitionStatus.CANCELLED:
        raise ExhibitionError(gettext("The exhibition was cancelled; it takes no scores."))
    if member_id is None:
        member = exhibition.panel.filter(user=actor).first()
        if member is None or not policy.can(actor, Action.SCORE_EXHIBITION, exhibition):
            raise NotPermitted(gettext("Only a member of the exhibition’s panel scores it."))
        return member
    expert = exhibition.panel.filter(pk=member_id, role=PanelRole.EXPERT, user__isnull=True).first()
    if expert is None:
        raise ExhibitionError(gettext("Choose a community expert of this panel."))
    enters = exhibition.panel.filter(user=actor, role=PanelRole.STAFF).exists() or policy.can(
        actor, Action.SCHEDULE_EXHIBITION, exhibition
    )
    if not enters:
        raise NotPermitted(gettext("Only the panel’s staff enter a community expert’s scores."))
    return expert


def exhibition_score(
    *,
    context: RequestContext,
    exhibition: Exhibition,
    scores: Sequence[PanelScore],
    comment: str = "",
    member_id: int | None = None,
) -> ScoreOutcome:
    """A panel member's judgement of the exhibition, on its competencies. A certified teacher of the panel
    who may judge the student's evidence sets levels; anyone else's judgement is feedback. With
    `member_id`, a staff member enters the judgement of a community expert of the panel (always feedback)."""
    actor = acting_user(context)
    member = _scoring_member(context, exhibition, member_id)
    if "\x00" in comment or len(comment) > MAX_TEXT:
        raise ExhibitionError(
            gettext("Keep the comment to %(limit)d characters of plain text.") % {"limit": MAX_TEXT}
        )
    checked = _checked_scores(exhibition, scores)
    evidence = exhibition.evidence
    if evidence is None:
        raise ExhibitionError(gettext("The exhibition has no evidence row to score."))
    counts = (
        member.user_id == actor.pk
        and member.role == PanelRole.STAFF
        and policy.current_certification(actor) is not None
        and policy.can(actor, Action.JUDGE_EVIDENCE, evidence)
    )
    with transaction.atomic():
        if counts:
            written = scores_record(
                context=context,
                evidence_id=evidence.pk,
                scores=[
                    ScoreInput(competency_id=c.pk, value=s.value, comment=comment.strip())
                    for c, s, _ in checked
                ],
            )
            outcome = ScoreOutcome(scores=written, feedback=None)
        else:
            feedback = Feedback.objects.create(
                district_id=evidence.district_id,
                evidence=evidence,
                author=actor,
                body=_feedback_text(checked, comment, member),
            )
            outcome = ScoreOutcome(scores=[], feedback=feedback)
        _audit(context, AuditAction.UPDATE, "exhibition-score", exhibition.pk, exhibition.student)
    return outcome


def exhibition_record_outcome(
    *,
    context: RequestContext,
    exhibition: Exhibition,
    held_on: datetime.date | None,
    outcome: str,
    notes: str = "",
) -> Exhibition:
    """Record that the exhibition was held, and whether the student demonstrated the competencies. A held
    Senior Demonstration Project with the outcome "demonstrated" meets the experience requirement of the
    graduation rules."""
    actor = acting_user(context)
    if not policy.can(actor, Action.SCHEDULE_EXHIBITION, exhibition):
        raise NotPermitted(gettext("Only the staff who guide the student record the outcome."))
    problems = []
    if exhibition.status == ExhibitionStatus.CANCELLED:
        problems.append(gettext("The exhibition was cancelled."))
    if held_on is None:
        problems.append(gettext("Give the day it was held."))
    elif held_on > timezone.localdate():
        problems.append(gettext("The day it was held cannot be in the future."))
    if outcome not in (ExhibitionOutcome.PASSED, ExhibitionOutcome.NOT_YET):
        problems.append(gettext("Choose whether the student demonstrated the competencies."))
    if "\x00" in notes or len(notes) > MAX_TEXT:
        problems.append(
            gettext("Keep the notes to %(limit)d characters of plain text.") % {"limit": MAX_TEXT}
        )
    if problems:
        raise ExhibitionError(problems)
    with transaction.atomic():
        exhibition.held_on = held_on
        exhibition.outcome = outcome
        exhibition.outcome_notes = notes.strip()
        exhibition.status = ExhibitionStatus.HELD
        exhibition.save(update_fields=["held_on", "outcome", "outcome_notes", "status"])
        _audit(context, AuditAction.UPDATE, "exhibition", exhibition.pk, exhibition.student)
    return exhibition
