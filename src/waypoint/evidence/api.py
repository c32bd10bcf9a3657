"""API of evidence: assessments, submitting and revising work, feedback, and reading the judgements recorded
on the work (the mastery app records them: `POST /evidence/{id}/scores`).

Every read of a student's evidence is scoped by the access policy and audited; a judgement by anyone without
a current teaching certification is kept as feedback and never counts toward mastery."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from waypoint.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Id,
    PageOut,
    PageQuery,
    RefId,
    Text,
    page_fields,
)
from waypoint.core.paging import page_of_sequence
from waypoint.evidence import selectors, services
from waypoint.evidence.models import Assessment, AssessmentKind, Evidence, Feedback, Score
from waypoint.policy import request_context

router = Router(tags=["evidence"])


class AssessmentIn(Schema):
    title: Text = Field(max_length=200)
    kind: AssessmentKind = AssessmentKind.FORMATIVE
    competency_ids: list[RefId] = Field(max_length=500)
    instructions: Text = Field("", max_length=10_000)
    rubric_id: RefId | None = None
    section_id: RefId | None = None
    due_on: Day | None = None


class AssessmentOut(Schema):
    id: int
    title: str
    kind: str
    instructions: str
    framework_version_id: int
    competency_ids: list[int]
    rubric_id: int | None
    section_id: int | None
    due_on: datetime.date | None
    created_by: str


class ArtifactOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    url: str


class EvidenceOut(Schema):
    id: int
    student_id: int
    title: str
    kind: str
    status: str
    version: int
    revision_of: int | None
    assessment_id: int | None
    path_id: int | None
    competency_ids: list[int]
    submitted_at: datetime.datetime


class FeedbackIn(Schema):
    body: Text
    requests_revision: bool = False


class FeedbackOut(Schema):
    id: int
    evidence_id: int
    author: str
    body: str
    requests_revision: bool
    created_at: datetime.datetime


class ScoreOut(Schema):
    id: int
    evidence_id: int
    competency_id: int
    value: float
    source: str
    counts_toward_mastery: bool
    supersedes_id: int | None
    correction_reason: str
    comment: str
    scored_by: str
    scored_at: datetime.datetime


class EvidenceVersionOut(EvidenceOut):
    body: str
    links: list[str]
    artifacts: list[ArtifactOut]
    feedback: list[FeedbackOut]
    scores: list[ScoreOut]


class EvidenceDetailOut(Schema):
    id: int
    versions: list[EvidenceVersionOut]
    your_judgement_counts: bool


class InboxOut(PageOut):
    items: list[EvidenceOut]


class InboxQuery(PageQuery):
    section: RefId | None = Field(None, description="A section id (one of yours).")
    subject: Text = Field("", max_length=200)
    assessment: RefId | None = Field(None, description="An assessment id.")


class AssessmentPageOut(PageOut):
    items: list[AssessmentOut]


class EvidencePageOut(PageOut):
    items: list[EvidenceOut]


def _evidence_out(evidence: Evidence) -> EvidenceOut:
    return EvidenceOut(
        id=evidence.pk,
        student_id=evidence.student_id,
        title=evidence.title,
        kind=evidence.kind,
        status=evidence.status,
        version=evidence.version,
        revision_of=evidence.revision_of_id,
        assessment_id=evidence.assessment_id,
        path_id=evidence.path_id,
        competency_ids=[competency.pk for competency in evidence.competencies.all()],
        submitted_at=evidence.submitted_at,
    )


def _feedback_out(note: Feedback) -> FeedbackOut:
    return FeedbackOut(
        id=note.pk,
        evidence_id=note.evidence_id,
        author=note.author.username,
        body=note.body,
        requests_revision=note.requests_revision,
        created_at=note.created_at,
    )


def score_out(score: Score) -> ScoreOut:
    return ScoreOut(
        id=score.pk,
        evidence_id=score.evidence_id,
        competency_id=score.competency_id,
        value=score.value,
        source=score.source,
        counts_toward_mastery=score.counts_toward_mastery,
        supersedes_id=score.supersedes_id,
        correction_reason=score.correction_reason,
        comment=score.comment,
        scored_by=score.scored_by.get_full_name() or score.scored_by.username,
        scored_at=score.scored_at,
    )


@router.get(
    "/assessments",
    response={200: AssessmentPageOut, **LIST_ERRORS},
    summary="The assessments of your district, newest first",
)
def assessment_list(request: HttpRequest, query: Query[PageQuery]) -> AssessmentPageOut:
    """The assessments of your district, newest first."""
    page = page_of_sequence(
        selectors.assessments_for(context=request_context(request)), number=query.page, size=query.page_size
    )
    return AssessmentPageOut(items=[_assessment_out(a) for a in page.items], **page_fields(page))


def _assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.pk,
        title=assessment.title,
        kind=assessment.kind,
        instructions=assessment.instructions,
        framework_version_id=assessment.framework_version_id,
        competency_ids=[competency.pk for competency in assessment.competencies.all()],
        rubric_id=assessment.rubric_id,
        section_id=assessment.section_id,
        due_on=assessment.due_on,
        created_by=assessment.created_by.username,
    )


@router.post(
    "/assessments",
    response={201: AssessmentOut, **WRITE_ERRORS},
    summary="Create an assessment aligned to competencies of one published framework version",
)
def assessment_create(request: HttpRequest, payload: AssessmentIn) -> Status[AssessmentOut]:
    """Create an assessment aligned to competencies of one published framework version (teachers and
    administrators)."""
    assessment = services.assessment_create(
        context=request_context(request),
        title=payload.title,
        kind=payload.kind,
        competency_ids=payload.competency_ids,
        instructions=payload.instructions,
        rubric_id=payload.rubric_id,
        section_id=payload.section_id,
        due_on=payload.due_on,
    )
    return Status(201, _assessment_out(assessment))


@router.get(
    "/assessments/{int:assessment_id}",
    response={200: AssessmentOut, **READ_ERRORS},
    summary="One assessment with its competencies",
)
def assessment_detail(request: HttpRequest, assessment_id: Id) -> AssessmentOut:
    return _assessment_out(
        selectors.assessment_get(context=request_context(request), assessment_id=assessment_id)
    )


@router.get(
    "/evidence/inbox",
    response={200: InboxOut, **READ_ERRORS},
    summary="Evidence waiting for a score, oldest first, narrowed by section, subject and assessment",
)
def evidence_inbox(request: HttpRequest, query: Query[InboxQuery]) -> InboxOut:
    """Evidence from students in your scope waiting for a score, oldest first (for teachers and
    administrators), narrowed like the inbox page by section, subject and assessment (they combine; a value
    that is not yours is ignored)."""
    result = selectors.evidence_inbox(
        context=request_context(request),
        page=query.page,
        page_size=query.page_size,
        chosen=selectors.InboxFilter(
            section_id=query.section, subject=query.subject, assessment_id=query.assessment
        ),
    ).page
    return InboxOut(items=[_evidence_out(evidence) for evidence in result.items], **page_fields(result))


@router.post(
    "/evidence",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="Submit your own work (text, links, files) about competencies or for an assessment",
)
def evidence_submit(
    request: HttpRequest,
    student_id: Form[RefId],
    title: Form[str],
    body: Form[str] = "",
    links: Form[list[str]] = [],  # noqa: B006  (ninja reads the default, never mutates it)
    competency_ids: Form[list[RefId]] = [],  # noqa: B006
    assessment_id: Form[RefId | None] = None,
    observation: Form[bool] = False,
    path_id: Form[RefId | None] = None,
    files: File[list[UploadedFile]] = [],  # noqa: B006
) -> Status[EvidenceOut]:
    """Submit your own work (text, links, files) about competencies or for an assessment; staff record an
    observation of a student in their scope with `observation=true`; `path_id` ties the work to one of the
    student's approved paths, whose external mentor may then read it and record observations while the path
    is active. Files are checked by their content."""
    evidence = services.evidence_submit(
        context=request_context(request),
        student_id=student_id,
        title=title,
        body=body,
        links=links,
        competency_ids=competency_ids,
        assessment_id=assessment_id,
        files=files,
        observation=observation,
        path_id=path_id,
    )
    return Status(201, _evidence_out(evidence))


@router.get(
    "/evidence/{int:evidence_id}",
    response={200: EvidenceDetailOut, **READ_ERRORS},
    summary="The piece of work with every version, its files, feedback and judgements",
)
def evidence_detail(request: HttpRequest, evidence_id: Id) -> EvidenceDetailOut:
    """The piece of work with every version, its files, feedback and judgements."""
    detail = selectors.evidence_detail(context=request_context(request), evidence_id=evidence_id)
    return EvidenceDetailOut(
        id=detail.evidence.pk,
        versions=[
            EvidenceVersionOut(
                **_evidence_out(view.evidence).dict(),
                body=view.evidence.body,
                links=view.evidence.links,
                artifacts=[
                    ArtifactOut(
                        id=artifact.pk,
                        original_name=artifact.original_name,
                        content_type=artifact.content_type,
                        size=artifact.size,
                        sha256=artifact.sha256,
                        url=f"/evidence/artifacts/{artifact.pk}/",
                    )
                    for artifact in view.artifacts
                ],
                feedback=[_feedback_out(note) for note in view.feedback],
                scores=[score_out(score) for score in view.scores],
            )
            for view in detail.versions
        ],
        your_judgement_counts=detail.judgement_counts,
    )


@router.post(
    "/evidence/{int:evidence_id}/revisions",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="A new version of your own latest work",
)
def evidence_revise(
    request: HttpRequest,
    evidence_id: Id,
    title: Form[str] = "",
    body: Form[str] = "",
    links: Form[list[str]] = [],  # noqa: B006
    files: File[list[UploadedFile]] = [],  # noqa: B006
) -> Status[EvidenceOut]:
    """A new version of your own latest work."""
    revision = services.evidence_revise(
        context=request_context(request),
        evidence_id=evidence_id,
        title=title,
        body=body,
        links=links,
        files=files,
    )
    return Status(201, _evidence_out(revision))


@router.post(
    "/evidence/{int:evidence_id}/feedback",
    response={201: FeedbackOut, **WRITE_ERRORS},
    summary="Comment on evidence; staff may ask for a revision",
)
def feedback_add(request: HttpRequest, evidence_id: Id, payload: FeedbackIn) -> Status[FeedbackOut]:
    """Comment on evidence; staff may ask for a revision."""
    note = services.feedback_add(
        context=request_context(request),
        evidence_id=evidence_id,
        body=payload.body,
        requests_revision=payload.requests_revision,
    )
    return Status(201, _feedback_out(note))


@router.get(
    "/students/{int:student_id}/evidence",
    response={200: EvidencePageOut, **READ_ERRORS},
    summary="A student's evidence, latest versions, newest first",
)
def student_evidence(request: HttpRequest, student_id: Id, query: Query[PageQuery]) -> EvidencePageOut:
    """A student's evidence, latest versions, newest first."""
    _, pieces = selectors.student_evidence(context=request_context(request), student_id=student_id)
    page = page_of_sequence(pieces, number=query.page, size=query.page_size)
    return EvidencePageOut(items=[_evidence_out(evidence) for evidence in page.items], **page_fields(page))
