"""Reads of evidence that the pages and the API share; each read of a student's evidence is audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Role, Student, User
from waypoint.core.paging import Page, page_of
from waypoint.evidence.models import (
    Artifact,
    Assessment,
    Evidence,
    EvidenceStatus,
    Feedback,
    Score,
    ScoreSource,
)
from waypoint.frameworks.models import Competency, ScaleLevel
from waypoint.frameworks.selectors import scale_levels
from waypoint.people.selectors import student_get
from waypoint.policy import Action


def _denied(context: RequestContext, *, object_type: str, object_id: int, student: Student | None) -> None:
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(object_id),
        student=student,
    )


def evidence_get(
    *, context: RequestContext, evidence_id: int, action: Action = Action.VIEW_EVIDENCE
) -> Evidence:
    """One piece of evidence the actor may read (and take `action` on), audited as viewed.

    Out of scope: `NotVisible`, audited as denied; visible but the action is not theirs: `NotPermitted`."""
    evidence = (
        policy.visible_evidence(context.user)
        .select_related("student", "assessment__rubric", "framework_version__framework")
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None:
        student = Student.objects.filter(evidence__pk=evidence_id).first()
        _denied(context, object_type="evidence", object_id=evidence_id, student=student)
        raise NotVisible(f"No evidence {evidence_id} is visible to this user.")
    if action is not Action.VIEW_EVIDENCE and not policy.can(context.user, action, evidence):
        _denied(context, object_type="evidence", object_id=evidence_id, student=evidence.student)
        raise NotPermitted(
            f"This role may not {action.value.split('.')[-1].replace('_', ' ')} this evidence."
        )
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="evidence",
        object_id=str(evidence.pk),
        student=evidence.student,
        reason=policy.legitimate_interest(context.user, evidence.student),
    )
    return evidence


def _listing(queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
    return queryset.select_related("student", "assessment").prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.order_by("path"))
    )


def evidence_inbox(*, context: RequestContext, page: int = 1, page_size: int = 50) -> Page[Evidence]:
    """Evidence waiting for a score from students in the actor's scope, oldest first."""
    if not policy.can(context.user, Action.WORK_EVIDENCE_INBOX):
        raise NotPermitted("The evidence inbox is for teachers and administrators.")
    waiting = policy.visible_evidence(context.user).filter(status=EvidenceStatus.AWAITING_SCORE)
    result = page_of(_listing(waiting).order_by("submitted_at", "id"), number=page, size=page_size)
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="evidence-inbox",
        students={evidence.student for evidence in result.items},
        reason=policy.legitimate_interest(context.user),
    )
    return result


def student_evidence(*, context: RequestContext, student_id: int) -> tuple[Student, list[Evidence]]:
    """A student's evidence, latest versions first (revised versions are reached through their chain)."""
    student = student_get(context=context, student_id=student_id, audit_as="evidence-list")
    pieces = list(
        _listing(policy.visible_evidence(context.user).filter(student=student))
        .exclude(status=EvidenceStatus.REVISED)
        .order_by("-submitted_at", "-id")
    )
    return student, pieces


@dataclass(frozen=True)
class VersionView:
    """One version of the work with everything said about it."""

    evidence: Evidence
    artifacts: list[Artifact]
    feedback: list[Feedback]
    scores: list[Score]


@dataclass(frozen=True)
class EvidenceDetail:
    """The evidence with its chain of versions, what the reader may do with it, and, for naming the
    judgements, the levels of each competency's scale (competency id → levels, lowest first)."""

    evidence: Evidence
    versions: list[VersionView]
    levels: dict[int, list[ScaleLevel]]
    may_judge: bool
    may_revise: bool
    may_request_revision: bool
    judgement_counts: bool
    judgement_label: str
    competencies: list[Competency] = field(default_factory=list)


def _chain(evidence: Evidence) -> list[Evidence]:
    """Every version of this piece of work, oldest first."""
    first = evidence
    while first.revision_of_id is not None:
        first = Evidence.objects.get(pk=first.revision_of_id)
    versions = [first]
    while (newer := Evidence.objects.filter(revision_of=versions[-1]).first()) is not None:
        versions.append(newer)
    return versions


def judgement_source(actor: User, student: Student) -> tuple[ScoreSource, int | None]:
    """In what capacity the actor judges the student's work, and the certification that makes the judgement
    count toward mastery (None: it is kept as feedback only)."""
    if student.user_id is not None and student.user_id == actor.pk:
        return ScoreSource.SELF, None
    certification = policy.current_certification(actor)
    if certification is not None:
        return ScoreSource.CERTIFIED_TEACHER, certification.pk
    if policy.has_role(actor, Role.MENTOR):
        return ScoreSource.MENTOR, None
    return ScoreSource.TEACHER, None


def evidence_detail(*, context: RequestContext, evidence_id: int) -> EvidenceDetail:
    """The evidence with its chain of versions, feedback and judgements, and whether the reader's judgement
    would count."""
    evidence = evidence_get(context=context, evidence_id=evidence_id)
    chain = _chain(evidence)
    ids = [version.pk for version in chain]
    artifacts: dict[int, list[Artifact]] = {pk: [] for pk in ids}
    for artifact in Artifact.objects.filter(evidence_id__in=ids):
        artifacts[artifact.evidence_id].append(artifact)
    feedback: dict[int, list[Feedback]] = {pk: [] for pk in ids}
    for note in Feedback.objects.filter(evidence_id__in=ids).select_related("author"):
        feedback[note.evidence_id].append(note)
    scores: dict[int, list[Score]] = {pk: [] for pk in ids}
    for score in Score.objects.filter(evidence_id__in=ids).select_related(
        "scored_by", "competency", "superseded_by"
    ):
        scores[score.evidence_id].append(score)
    competencies = list(evidence.competencies.select_related("version__framework").order_by("path"))
    by_scale = scale_levels(competency.version.framework.scale_id for competency in competencies)
    may_judge = policy.can(context.user, Action.JUDGE_EVIDENCE, evidence)
    counts, label = False, ""
    actor = context.actor
    if may_judge and actor is not None:
        source, _ = judgement_source(actor, evidence.student)
        counts = source == ScoreSource.CERTIFIED_TEACHER
        label = ScoreSource(source).label
    return EvidenceDetail(
        evidence=evidence,
        versions=[VersionView(v, artifacts[v.pk], feedback[v.pk], scores[v.pk]) for v in chain],
        levels={c.pk: by_scale[c.version.framework.scale_id] for c in competencies},
        may_judge=may_judge,
        may_revise=policy.can(context.user, Action.REVISE_EVIDENCE, evidence),
        may_request_revision=policy.can(context.user, Action.REQUEST_REVISION, evidence),
        judgement_counts=counts,
        judgement_label=label,
        competencies=competencies,
    )


def artifact_get(*, context: RequestContext, artifact_id: int) -> Artifact:
    """A file of evidence the actor may read, audited as viewed."""
    artifact = (
        Artifact.objects.filter(pk=artifact_id, evidence__in=policy.visible_evidence(context.user))
        .select_related("evidence__student")
        .first()
    )
    if artifact is None:
        student = Student.objects.filter(evidence__artifacts__pk=artifact_id).first()
        _denied(context, object_type="artifact", object_id=artifact_id, student=student)
        raise NotVisible(f"No file {artifact_id} is visible to this user.")
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="artifact",
        object_id=str(artifact.pk),
        student=artifact.evidence.student,
        reason=policy.legitimate_interest(context.user, artifact.evidence.student),
    )
    return artifact


def assessments_for(*, context: RequestContext) -> list[Assessment]:
    """The assessments of the district the actor acts for, newest first."""
    if context.actor is None or context.district_id is None:
        return []
    return list(
        Assessment.objects.filter(district_id=context.district_id)
        .select_related("rubric", "section", "created_by", "framework_version__framework")
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("path")))
        .order_by("-created_at", "-id")
    )


def assessment_get(*, context: RequestContext, assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("rubric", "section", "created_by", "framework_version__framework")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not policy.can(context.user, Action.VIEW_ASSESSMENT, assessment):
        raise NotVisible(f"No assessment {assessment_id} is visible to this user.")
    return assessment
