"""API of competency transcripts, under /api/v1/records/: a student's transcript content, the official
transcripts issued (the history) and issuing one. The same selectors and services as the pages: every read
is scoped by the access policy and audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, Id, PageOut, PageQuery, page_fields
from waypoint.core.paging import page_of_sequence
from waypoint.policy import Action, request_context
from waypoint.records.models import IssuedTranscript
from waypoint.records.selectors import transcripts as reads
from waypoint.records.services import transcripts as services

router = Router(tags=["records"])


class TranscriptOut(Schema):
    student_id: int
    content: dict[str, Any] = Field(
        description="The transcript as it stands: student, district, school, levels with the date each was "
        "reached (by framework), the graduate-profile summary, paths of study, exhibitions, the work the "
        "student chose to show, and the diploma once awarded."
    )


class IssuedTranscriptOut(Schema):
    id: int
    issued_at: datetime.datetime
    issued_by: str
    sha256: str = Field(description="The SHA-256 of the issued PDF, in hexadecimal.")
    verification_url: str = Field(description="The public page where anyone checks this transcript.")
    pdf_url: str = Field(description="The PDF as issued (public, by its verification code).")
    supersedes_id: int | None
    revoked_at: datetime.datetime | None


class IssuedTranscriptPageOut(PageOut):
    items: list[IssuedTranscriptOut]


def _issued_out(issued: IssuedTranscript) -> IssuedTranscriptOut:
    return IssuedTranscriptOut(
        id=issued.pk,
        issued_at=issued.issued_at,
        issued_by=issued.issued_by.display_name if issued.issued_by else "",
        sha256=issued.sha256,
        verification_url=services.verification_url(issued.verification_code),
        pdf_url=reverse("records-transcript-issued-pdf", args=[issued.verification_code]),
        supersedes_id=issued.supersedes_id,
        revoked_at=issued.revoked_at,
    )


@router.get(
    "/students/{int:student_id}/transcript",
    response={200: TranscriptOut, **READ_ERRORS},
    summary="The student's competency transcript as it stands today (unofficial)",
)
def transcript(request: HttpRequest, student_id: Id) -> TranscriptOut:
    """The student's competency transcript as it stands today (unofficial). Whoever reads the student; no
    mentor, no state analyst."""
    student = reads.transcript_student(
        context=request_context(request), student_id=student_id, action=Action.VIEW_TRANSCRIPT
    )
    return TranscriptOut(student_id=student.pk, content=reads.transcript_content(student=student))


@router.get(
    "/students/{int:student_id}/transcripts",
    response={200: IssuedTranscriptPageOut, **READ_ERRORS},
    summary="Every official transcript issued for the student, newest first",
)
def transcript_history(
    request: HttpRequest, student_id: Id, query: Query[PageQuery]
) -> IssuedTranscriptPageOut:
    """Every official transcript issued for the student, newest first."""
    student = reads.transcript_student(
        context=request_context(request), student_id=student_id, action=Action.VIEW_TRANSCRIPT
    )
    page = page_of_sequence(reads.issued_history(student), number=query.page, size=query.page_size)
    return IssuedTranscriptPageOut(items=[_issued_out(issued) for issued in page.items], **page_fields(page))


@router.post(
    "/students/{int:student_id}/transcripts",
    response={201: IssuedTranscriptOut, **WRITE_ERRORS},
    summary="Issue the student's official transcript (administrators, the student's advisor)",
)
def transcript_issue(request: HttpRequest, student_id: Id) -> Status[IssuedTranscriptOut]:
    """Issue the student's official transcript (school and district administrators, the student's advisor);
    the previous one is superseded and kept, and the requests waiting are fulfilled."""
    context = request_context(request)
    student = reads.transcript_student(context=context, student_id=student_id, action=Action.ISSUE_TRANSCRIPT)
    issued = services.transcript_issue(context=context, student=student)
    return Status(201, _issued_out(issued))
