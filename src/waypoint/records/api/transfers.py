"""Transfers between districts and disposal on request, under /api/v1/records/: the same selectors and
services as the pages. A refused write answers with every problem (400), a decided transfer 409."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from waypoint.core.api import (
    LIST_ERRORS,
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
from waypoint.policy import request_context
from waypoint.records.models import DisposalRequest
from waypoint.records.selectors import disposal as disposal_reads
from waypoint.records.selectors import transfers as reads
from waypoint.records.selectors.transfers import TransferRow
from waypoint.records.services import disposal as disposal_services
from waypoint.records.services import transfers as services

router = Router(tags=["records"])


class TransferOut(Schema):
    id: int
    student_id: int = Field(
        description="The reader's side of the record: the sender's student or the receiver's."
    )
    student_name: str
    outgoing: bool = Field(description="True when the reader's district sends the record.")
    from_district: str
    to_district: str
    status: str = Field(description="requested, released or declined")
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    released_automatically: bool
    decision_notes: str


class TransferPageOut(PageOut):
    items: list[TransferOut]


class TransferRequestIn(Schema):
    state_student_id: Text = Field(max_length=32)


class ReleaseIn(Schema):
    evidence_ids: list[RefId] = Field(default_factory=list, max_length=500)


class DeclineIn(Schema):
    reason: Text = Field(max_length=2000)


class DisposalOut(Schema):
    id: int
    student_id: int | None = Field(description="Empty once the record is disposed of.")
    status: str = Field(description="requested or completed")
    requested_by_name: str
    received_on: Day
    due_on: datetime.date
    overdue: bool
    completed_at: datetime.datetime | None
    disposed: dict[str, int]
    kept: dict[str, int]


class DisposalPageOut(PageOut):
    items: list[DisposalOut]


class DisposalIn(Schema):
    requested_by_name: Text = Field(max_length=200)
    received_on: Day


def _transfer_out(row: TransferRow) -> TransferOut:
    transfer = row.transfer
    return TransferOut(
        id=transfer.pk,
        student_id=row.student.pk,
        student_name=row.student.full_name,
        outgoing=row.outgoing,
        from_district=transfer.from_district.name,
        to_district=transfer.to_district.name,
        status=transfer.status,
        requested_at=transfer.requested_at,
        decided_at=transfer.decided_at,
        released_automatically=transfer.released_automatically,
        decision_notes=transfer.decision_notes,
    )


def _disposal_out(request: DisposalRequest) -> DisposalOut:
    return DisposalOut(
        id=request.pk,
        student_id=request.student_id,
        status=request.status,
        requested_by_name=request.requested_by_name,
        received_on=request.received_on,
        due_on=request.due_on,
        overdue=disposal_services.disposal_overdue(request),
        completed_at=request.completed_at,
        disposed=request.disposed,
        kept=request.kept,
    )


@router.get(
    "/transfers",
    response={200: TransferPageOut, **LIST_ERRORS},
    summary="Transfers in and out of your districts, or your own (a student, a guardian)",
)
def transfers(request: HttpRequest, query: Query[PageQuery]) -> TransferPageOut:
    """Transfers in and out of the reader's districts (administrators), or the reader's own (a student, a
    guardian): waiting first."""
    page = page_of_sequence(
        reads.transfer_list(context=request_context(request)), number=query.page, size=query.page_size
    )
    return TransferPageOut(items=[_transfer_out(row) for row in page.items], **page_fields(page))


@router.post(
    "/students/{int:student_id}/transfer-requests",
    response={201: TransferOut, **WRITE_ERRORS},
    summary="Ask the district that holds the state student id for the record of a student enrolled in yours",
)
def transfer_request(request: HttpRequest, student_id: Id, payload: TransferRequestIn) -> Status[TransferOut]:
    """Ask the district that holds the state student id for the record of a student enrolled in yours."""
    context = request_context(request)
    student = reads.transfer_student(context=context, student_id=student_id)
    transfer = services.transfer_request(
        context=context, student=student, state_student_id=payload.state_student_id
    )
    return Status(201, _transfer_out(reads.transfer_get(context=context, transfer_id=transfer.pk)))


@router.post(
    "/transfers/{int:transfer_id}/release",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Release the record (the sending district's administrator), with the evidence chosen",
)
def transfer_release(request: HttpRequest, transfer_id: Id, payload: ReleaseIn) -> TransferOut:
    """Release the record (the sending district's administrator), with the evidence chosen."""
    context = request_context(request)
    row = reads.transfer_get(context=context, transfer_id=transfer_id)
    services.transfer_release(context=context, transfer=row.transfer, evidence_ids=payload.evidence_ids)
    return _transfer_out(reads.transfer_get(context=context, transfer_id=transfer_id))


@router.post(
    "/transfers/{int:transfer_id}/decline",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Decline the request (the sending district's administrator), saying why",
)
def transfer_decline(request: HttpRequest, transfer_id: Id, payload: DeclineIn) -> TransferOut:
    """Decline the request (the sending district's administrator), saying why."""
    context = request_context(request)
    row = reads.transfer_get(context=context, transfer_id=transfer_id)
    services.transfer_decline(context=context, transfer=row.transfer, reason=payload.reason)
    return _transfer_out(reads.transfer_get(context=context, transfer_id=transfer_id))


@router.get(
    "/disposals",
    response={200: DisposalPageOut, **LIST_ERRORS},
    summary="Disposal requests of the districts you administer: open ones by due date (overdue first)",
)
def disposals(request: HttpRequest, query: Query[PageQuery]) -> DisposalPageOut:
    """Disposal requests of the districts you administer: open ones by due date (overdue first)."""
    page = page_of_sequence(
        disposal_reads.disposal_list(context=request_context(request)),
        number=query.page,
        size=query.page_size,
    )
    return DisposalPageOut(items=[_disposal_out(row.request) for row in page.items], **page_fields(page))


@router.post(
    "/students/{int:student_id}/disposal-requests",
    response={201: DisposalOut, **WRITE_ERRORS},
    summary="Record a request to dispose of a departed student's record; due 60 days after it was received",
)
def disposal_request(request: HttpRequest, student_id: Id, payload: DisposalIn) -> Status[DisposalOut]:
    """Record a request to dispose of a departed student's record; due 60 days after it was received."""
    context = request_context(request)
    student = disposal_reads.disposal_student(context=context, student_id=student_id)
    created = disposal_services.disposal_request(
        context=context,
        student=student,
        requested_by_name=payload.requested_by_name,
        received_on=payload.received_on,
    )
    return Status(201, _disposal_out(created))


@router.post(
    "/disposals/{int:disposal_id}/complete",
    response={200: DisposalOut, **WRITE_ERRORS},
    summary="Dispose of the record now: everything but the diplomas, the request and the audit log goes",
)
def disposal_complete(request: HttpRequest, disposal_id: Id) -> DisposalOut:
    """Dispose of the record now: everything but the diplomas, the request and the audit log goes."""
    context = request_context(request)
    found = disposal_reads.disposal_get(context=context, disposal_id=disposal_id)
    return _disposal_out(disposal_services.disposal_complete(context=context, request=found))
