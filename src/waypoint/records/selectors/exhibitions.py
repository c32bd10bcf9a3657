"""The reads of exhibitions: the list of those the reader may open (their students', their own, their
children's, and the panels they sit on), and one exhibition with its panel and the panel's judgements.

Each read asks the access policy and audits the students it discloses; an exhibition out of sight answers
`NotVisible` (404)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotVisible
from waypoint.core.models import AuditAction, GuardianLink
from waypoint.evidence.models import Feedback, Score
from waypoint.frameworks.models import Competency, ScaleLevel
from waypoint.policy import Action
from waypoint.records.models import Exhibition, ExhibitionStatus, PanelMember, PanelRole

LIST_LIMIT = 100


@dataclass(frozen=True)
class ExhibitionList:
    upcoming: list[Exhibition]
    past: list[Exhibition]


def _visible(context: RequestContext) -> Q:
    """The exhibitions of the students the reader guides, their own, their children's, and those whose
    panel they sit on."""
    actor = context.actor
    if actor is None:
        return Q(pk__in=[])
    on = policy.today()
    children = GuardianLink.objects.filter(policy.active_on(on), guardian=actor).values("student_id")
    return (
        Q(student_id__in=policy.guided_students(actor, on).values("id"))
        | Q(student__user=actor)
        | Q(student_id__in=children)
        | Q(pk__in=PanelMember.objects.filter(user=actor).values("exhibition_id"))
    )


def exhibition_list(*, context: RequestContext, limit: int = LIST_LIMIT) -> ExhibitionList:
    """Exhibitions still to come (soonest first) and those held or cancelled (latest first)."""
    found = Exhibition.objects.filter(_visible(context)).select_related("student").distinct()
    upcoming = list(found.filter(status=ExhibitionStatus.SCHEDULED).order_by("scheduled_at", "pk")[:limit])
    past = list(found.exclude(status=ExhibitionStatus.SCHEDULED).order_by("-scheduled_at", "-pk")[:limit])
    shown = {e.student_id: e.student for e in [*upcoming, *past]}
    if shown:
        audit_record_students(
            context=context,
            action=AuditAction.VIEW,
            object_type="exhibition-list",
            students=shown.values(),
            reason=policy.legitimate_interest(context.user),
        )
    return ExhibitionList(upcoming=upcoming, past=past)


@dataclass(frozen=True)
class Judgement:
    """A panel judgement as the page shows it: a score that sets a level, or feedback."""

    author: str
    when: datetime.datetime
    text: str
    sets_level: bool


@dataclass(frozen=True)
class ExhibitionPage:
    exhibition: Exhibition
    panel: list[PanelMember]
    competencies: list[Competency]
    # competency id → the levels of its scale, lowest first, for the scoring form.
    levels: dict[int, list[ScaleLevel]]
    my_seat: PanelMember | None
    can_score: bool
    # Whether this reader's score sets levels: a certified teacher of the panel who judges the student.
    score_sets_levels: bool
    can_manage: bool
    experts: list[PanelMember]
    judgements: list[Judgement]
    can_read_judgements: bool
    collection_visible: bool


def exhibition_get(*, context: RequestContext, exhibition_id: int) -> Exhibition:
    """One exhibition the reader may see, audited as viewed."""
    exhibition = (
        Exhibition.objects.select_related("student", "collection", "rubric", "evidence", "created_by")
        .filter(pk=exhibition_id)
        .first()
    )
    if exhibition is None or not policy.can(context.user, Action.VIEW_EXHIBITION, exhibition):
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type="exhibition",
            object_id=str(exhibition_id),
        )
        raise NotVisible(f"No exhibition {exhibition_id} is visible to this user.")
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="exhibition",
        object_id=str(exhibition.pk),
        student=exhibition.student,
        reason=policy.legitimate_interest(context.user, exhibition.student) or "Panel member",
    )
    return exhibition


def _judgements(exhibition: Exhibition) -> list[Judgement]:
    evidence = exhibition.evidence
    if evidence is None:
        return []
    found = [
        Judgement(
            author=score.scored_by.display_name,
            when=score.scored_at,
            text=f"{score.competency.human_code or score.competency.short_statement}: {score.value:g}"
            + (f" — {score.comment}" if score.comment else ""),
            sets_level=score.counts_toward_mastery,
        )
        for score in Score.objects.filter(evidence=evidence)
        .current()
        .select_related("scored_by", "competency")
    ]
    found += [
        Judgement(author=note.author.display_name, when=note.created_at, text=note.body, sets_level=False)
        for note in Feedback.objects.filter(evidence=evidence).select_related("author")
    ]
    return sorted(found, key=lambda judgement: judgement.when)


def exhibition_page(*, context: RequestContext, exhibition_id: int) -> ExhibitionPage:
    """An exhibition with its panel, its competencies and levels, and what the reader may do on it. The
    panel's judgements are shown to those who read the student's evidence."""
    exhibition = exhibition_get(context=context, exhibition_id=exhibition_id)
    user = context.user
    panel = list(exhibition.panel.select_related("user"))
    competencies = list(exhibition.competencies.select_related("version__framework").order_by("path"))
    scales = {c.version.framework.scale_id for c in competencies}
    by_scale: dict[int, list[ScaleLevel]] = {scale: [] for scale in scales}
    for level in ScaleLevel.objects.filter(scale_id__in=scales).order_by("value"):
        by_scale[level.scale_id].append(level)
    actor = context.actor
    my_seat = next((m for m in panel if actor is not None and m.user_id == actor.pk), None)
    can_score = my_seat is not None and policy.can(user, Action.SCORE_EXHIBITION, exhibition)
    evidence = exhibition.evidence
    reads_evidence = evidence is not None and policy.can(user, Action.VIEW_EVIDENCE, evidence)
    sets_levels = (
        can_score
        and my_seat is not None
        and my_seat.role == PanelRole.STAFF
        and policy.current_certification(user) is not None
        and evidence is not None
        and policy.can(user, Action.JUDGE_EVIDENCE, evidence)
    )
    can_manage = policy.can(user, Action.SCHEDULE_EXHIBITION, exhibition)
    on_staff = my_seat is not None and my_seat.role == PanelRole.STAFF
    experts = (
        [m for m in panel if m.role == PanelRole.EXPERT]
        if exhibition.status != ExhibitionStatus.CANCELLED and (can_manage or on_staff)
        else []
    )
    return ExhibitionPage(
        exhibition=exhibition,
        panel=panel,
        competencies=competencies,
        levels={c.pk: by_scale[c.version.framework.scale_id] for c in competencies},
        my_seat=my_seat,
        can_score=can_score,
        score_sets_levels=sets_levels,
        can_manage=can_manage,
        experts=experts,
        judgements=_judgements(exhibition) if reads_evidence else [],
        can_read_judgements=reads_evidence,
        collection_visible=exhibition.collection is not None
        and policy.can(user, Action.VIEW_PORTFOLIO, exhibition.collection),
    )
