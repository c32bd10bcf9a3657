"""Reads of evidence that the pages and the API share; each read of a student's evidence is audited."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Role, Section, SectionEnrollment, Student, User
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
from waypoint.frameworks.models import Competency, Framework, FrameworkKind, ScaleLevel
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
        raise NotPermitted(gettext("Your role may not %(action)s.") % {"action": action.label})
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


@dataclass(frozen=True)
class InboxFilter:
    """What the scorer narrows the inbox to; every part is optional and they combine."""

    section_id: int | None = None
    subject: str = ""
    assessment_id: int | None = None


@dataclass(frozen=True)
class FilterOption:
    """One choice of an inbox filter and how much waits under it (with the other filters applied)."""

    value: str
    label: str
    waiting: int
    chosen: bool


@dataclass(frozen=True)
class Inbox:
    """A page of the waiting evidence, the filter choices with their counts, and the filters in force (a
    value the reader may not use is dropped, never disclosed)."""

    page: Page[Evidence]
    sections: list[FilterOption]
    subjects: list[FilterOption]
    assessments: list[FilterOption]
    section: Section | None
    subject: str
    assessment: Assessment | None
    waiting: int

    @property
    def filtered(self) -> bool:
        return self.section is not None or bool(self.subject) or self.assessment is not None


@dataclass(frozen=True)
class _Waiting:
    """A group of waiting evidence sharing what the filters look at, and how many pieces it holds."""

    student_id: int
    assessment_id: int | None
    assessment_section_id: int | None
    framework_id: int
    count: int


# Frameworks of one subject; the others (a graduate profile, a career cluster) are every teacher's to score.
SUBJECT_FRAMEWORKS = (FrameworkKind.CONTENT, FrameworkKind.STANDARDS)


def _framework_subjects(subjects: list[str] | None, title: str) -> list[str]:
    return [subject for subject in (subjects or []) if isinstance(subject, str) and subject.strip()] or [
        title
    ]


def _waiting_groups(
    waiting: QuerySet[Evidence],
) -> tuple[list[_Waiting], dict[int, tuple[str, list[str]]]]:
    """The waiting pieces grouped by what the inbox files them under, and each framework's kind and subjects:
    two queries, shared by the inbox and the scorer's home so that both count alike."""
    groups = [
        _Waiting(*row)
        for row in waiting.values_list(
            "student_id", "assessment_id", "assessment__section_id", "framework_version__framework_id"
        )
        .annotate(count=Count("id"))
        .order_by()
    ]
    frameworks = {
        pk: (kind, _framework_subjects(subjects, title))
        for pk, kind, subjects, title in Framework.objects.filter(
            pk__in={group.framework_id for group in groups}
        ).values_list("id", "kind", "subjects", "title")
    }
    return groups, frameworks


def _same_subject(first: str, second: str) -> bool:
    """ "Math" and "Mathematics" name one subject: one name begins the other, whatever the case."""
    a, b = first.strip().casefold(), second.strip().casefold()
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


class _Filing:
    """Where each group of waiting evidence is filed: the section whose assessment it answers; otherwise
    every section of the scorer that has the student on its roster and teaches the evidence's subject
    (evidence of a graduate profile or career framework, and evidence done on a path without an assessment,
    go to each of the student's sections of the scorer whose subject matches, cross-subject frameworks to all
    of them)."""

    def __init__(
        self,
        frameworks: dict[int, tuple[str, list[str]]],
        sections: dict[int, Section],
        rosters: dict[int, set[int]],
    ) -> None:
        self.frameworks = frameworks
        self.sections = sections
        self.rosters = rosters

    def subjects(self, framework_id: int) -> list[str]:
        return self.frameworks[framework_id][1]

    def teaches(self, section: Section, framework_id: int) -> bool:
        kind, subjects = self.frameworks[framework_id]
        if kind not in SUBJECT_FRAMEWORKS or not section.subject.strip():
            return True
        return any(_same_subject(section.subject, subject) for subject in subjects)

    def in_section(self, group: _Waiting, section_id: int) -> bool:
        if group.assessment_section_id is not None:
            return group.assessment_section_id == section_id
        section = self.sections[section_id]
        return group.student_id in self.rosters[section_id] and self.teaches(section, group.framework_id)

    def matches(self, group: _Waiting, chosen: InboxFilter, *, leave_out: str = "") -> bool:
        """Whether the group passes the filters in force, leaving one out (for that filter's counts)."""
        if (
            leave_out != "section"
            and chosen.section_id is not None
            and not self.in_section(group, chosen.section_id)
        ):
            return False
        if (
            leave_out != "subject"
            and chosen.subject
            and chosen.subject not in self.subjects(group.framework_id)
        ):
            return False
        return leave_out == "assessment" or chosen.assessment_id in (None, group.assessment_id)

    def frameworks_of(self, subject: str) -> list[int]:
        return [pk for pk, (_, subjects) in self.frameworks.items() if subject in subjects]

    def section_query(self, section_id: int) -> Q:
        """The evidence filed under a section, as the listing query asks for it."""
        section = self.sections[section_id]
        taught = [pk for pk in self.frameworks if self.teaches(section, pk)]
        return Q(assessment__section_id=section_id) | (
            Q(assessment__section__isnull=True)
            & Q(student_id__in=sorted(self.rosters[section_id]))
            & Q(framework_version__framework_id__in=taught)
        )


def _scorer_sections(user: User, chosen_id: int | None, on: datetime.date) -> dict[int, Section]:
    """The sections the scorer teaches now, and the one chosen when they may read it (an administrator
    filters by any section of their school or district)."""
    visible = policy.visible_sections(user, on)
    taught = visible.filter(
        Q(teacher_assignments__teacher=user) & policy.active_on(on, prefix="teacher_assignments__"),
        starts_on__lte=on,
        ends_on__gte=on,
    )
    wanted = Q(pk__in=taught.values("pk"))
    if chosen_id is not None:
        wanted |= Q(pk=chosen_id)
    return {section.pk: section for section in visible.filter(wanted).order_by("title", "pk")}


def _options(
    groups: list[_Waiting],
    filing: _Filing,
    chosen: InboxFilter,
    *,
    leave_out: str,
    keys: dict[str, str],
    key_of: Callable[[_Waiting], list[str]],
    chosen_value: str,
) -> list[FilterOption]:
    """An option per key (value → label), counting the groups that pass the other filters; sorted by label."""
    waiting: Counter[str] = Counter()
    for group in groups:
        if filing.matches(group, chosen, leave_out=leave_out):
            for key in key_of(group):
                waiting[key] += group.count
    return sorted(
        (FilterOption(value, label, waiting[value], value == chosen_value) for value, label in keys.items()),
        key=lambda option: option.label.casefold(),
    )


def evidence_inbox(
    *,
    context: RequestContext,
    page: int = 1,
    page_size: int = 50,
    chosen: InboxFilter | None = None,
) -> Inbox:
    """Evidence waiting for a score from students in the actor's scope, oldest first, narrowed by section,
    subject and assessment, with how much waits under every choice. A fixed number of queries whatever the
    number of pieces waiting."""
    user = context.user
    if not isinstance(user, User) or not policy.can(user, Action.WORK_EVIDENCE_INBOX):
        raise NotPermitted(gettext("The evidence inbox is for teachers and administrators."))
    chosen = chosen or InboxFilter()
    on = policy.today()
    waiting_scope = policy.visible_evidence(user, on).filter(status=EvidenceStatus.AWAITING_SCORE)
    groups, frameworks = _waiting_groups(waiting_scope)
    sections = _scorer_sections(user, chosen.section_id, on)
    rosters: dict[int, set[int]] = {pk: set() for pk in sections}
    for section_id, student_id in SectionEnrollment.objects.filter(
        policy.active_on(on), section_id__in=list(sections)
    ).values_list("section_id", "student_id"):
        rosters[section_id].add(student_id)
    # The assessments waiting evidence answers (in scope already), and the chosen one if it is the district's.
    named = Q(pk__in={group.assessment_id for group in groups if group.assessment_id is not None})
    if chosen.assessment_id is not None:
        named |= Q(pk=chosen.assessment_id, district_id=context.district_id)
    assessments = {
        assessment.pk: assessment for assessment in Assessment.objects.filter(named).only("id", "title")
    }
    filing = _Filing(frameworks, sections, rosters)
    chosen = InboxFilter(
        section_id=chosen.section_id if chosen.section_id in sections else None,
        subject=chosen.subject
        if any(chosen.subject in subjects for _, subjects in frameworks.values())
        else "",
        assessment_id=chosen.assessment_id if chosen.assessment_id in assessments else None,
    )
    listing = waiting_scope
    if chosen.section_id is not None:
        listing = listing.filter(filing.section_query(chosen.section_id))
    if chosen.subject:
        listing = listing.filter(framework_version__framework_id__in=filing.frameworks_of(chosen.subject))
    if chosen.assessment_id is not None:
        listing = listing.filter(assessment_id=chosen.assessment_id)
    result = page_of(_listing(listing).order_by("submitted_at", "id"), number=page, size=page_size)
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="evidence-inbox",
        students={evidence.student for evidence in result.items},
        reason=policy.legitimate_interest(context.user),
    )
    subjects = {subject: subject for _, names in frameworks.values() for subject in names}
    return Inbox(
        page=result,
        sections=_options(
            groups,
            filing,
            chosen,
            leave_out="section",
            keys={str(pk): section.title for pk, section in sections.items()},
            key_of=lambda group: [str(pk) for pk in sections if filing.in_section(group, pk)],
            chosen_value=str(chosen.section_id or ""),
        ),
        subjects=_options(
            groups,
            filing,
            chosen,
            leave_out="subject",
            keys=subjects,
            key_of=lambda group: filing.subjects(group.framework_id),
            chosen_value=chosen.subject,
        ),
        assessments=_options(
            groups,
            filing,
            chosen,
            leave_out="assessment",
            keys={str(pk): assessment.title for pk, assessment in assessments.items()},
            key_of=lambda group: [str(group.assessment_id)] if group.assessment_id is not None else [],
            chosen_value=str(chosen.assessment_id or ""),
        ),
        section=sections.get(chosen.section_id) if chosen.section_id is not None else None,
        subject=chosen.subject,
        assessment=assessments.get(chosen.assessment_id) if chosen.assessment_id is not None else None,
        waiting=sum(group.count for group in groups),
    )


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
        label = str(ScoreSource(source).label)
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


def competencies_to_name(evidence: Evidence) -> list[Competency]:
    """What a scorer may name for evidence that names no competency: the assessment's aligned competencies
    when it has some, else the leaves of the evidence's framework version; in tree order."""
    if evidence.assessment_id is not None:
        aligned = list(
            Competency.objects.filter(
                assessments__pk=evidence.assessment_id, version=evidence.framework_version
            )
            .select_related("version__framework")
            .order_by("path")
        )
        if aligned:
            return aligned
    return list(
        Competency.objects.filter(version=evidence.framework_version, children__isnull=True)
        .select_related("version__framework")
        .order_by("path")
    )


# The home page -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionWaiting:
    section: Section
    waiting: int


@dataclass(frozen=True)
class WaitingToScore:
    """How much waits for the scorer: per section they teach (those with work waiting, by course), the pieces
    filed under none of them, and the total (a piece filed under two sections counts once)."""

    sections: list[SectionWaiting]
    elsewhere: int
    total: int


def waiting_to_score(*, context: RequestContext) -> WaitingToScore:
    """The counts of the scorer's home page, filed as the inbox files them, so a section's count is what the
    inbox shows under that section's filter. Counts only, so nothing is disclosed or audited; four queries
    whatever the number of sections or pieces."""
    user = context.user
    if not isinstance(user, User) or not policy.can(user, Action.WORK_EVIDENCE_INBOX):
        raise NotPermitted(gettext("The evidence inbox is for teachers and administrators."))
    on = policy.today()
    groups, frameworks = _waiting_groups(
        policy.visible_evidence(user, on).filter(status=EvidenceStatus.AWAITING_SCORE)
    )
    sections = _scorer_sections(user, None, on)
    rosters: dict[int, set[int]] = {pk: set() for pk in sections}
    for section_id, student_id in SectionEnrollment.objects.filter(
        policy.active_on(on), section_id__in=list(sections)
    ).values_list("section_id", "student_id"):
        rosters[section_id].add(student_id)
    filing = _Filing(frameworks, sections, rosters)
    per_section: Counter[int] = Counter()
    elsewhere = 0
    for group in groups:
        filed = [pk for pk in sections if filing.in_section(group, pk)]
        per_section.update(dict.fromkeys(filed, group.count))
        if not filed:
            elsewhere += group.count
    filed_sections = sorted(
        (section for pk, section in sections.items() if per_section[pk]),
        key=lambda section: (section.course_code, section.title, section.pk),
    )
    return WaitingToScore(
        sections=[SectionWaiting(section, per_section[section.pk]) for section in filed_sections],
        elsewhere=elsewhere,
        total=sum(group.count for group in groups),
    )
