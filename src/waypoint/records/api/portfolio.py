"""The portfolio API under /api/v1/records/: a student's collections as the caller may see them, and a new
collection (the student only). The same reads and services as the pages."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, Id, PageOut, PageQuery, Text, page_fields
from waypoint.core.paging import page_of_sequence
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.records.models import PortfolioCollection
from waypoint.records.selectors import portfolio as reads
from waypoint.records.services import portfolio as services

router = Router(tags=["records"])


class ItemOut(Schema):
    evidence_id: int
    title: str
    submitted_at: datetime.datetime
    reflection: str
    position: int


class CollectionOut(Schema):
    id: int
    student_id: int
    title: str
    reflection: str
    shared_with_teachers: bool
    shared_with_guardians: bool
    shared_with_panel: bool
    shown_on_transcript: bool
    items: list[ItemOut]


class CollectionPageOut(PageOut):
    items: list[CollectionOut]


class CollectionIn(Schema):
    title: Text = Field(max_length=services.MAX_TITLE)
    reflection: Text = Field(default="", max_length=services.MAX_TEXT)
    shared_with_teachers: bool = True
    shared_with_guardians: bool = True
    shared_with_panel: bool = False
    shown_on_transcript: bool = False


def _collection_out(collection: PortfolioCollection, *, with_items: bool = True) -> CollectionOut:
    return CollectionOut(
        id=collection.pk,
        student_id=collection.student_id,
        title=collection.title,
        reflection=collection.reflection,
        shared_with_teachers=collection.shared_with_teachers,
        shared_with_guardians=collection.shared_with_guardians,
        shared_with_panel=collection.shared_with_panel,
        shown_on_transcript=collection.shown_on_transcript,
        items=[
            ItemOut(
                evidence_id=item.evidence_id,
                title=item.evidence.title,
                submitted_at=item.evidence.submitted_at,
                reflection=item.reflection,
                position=item.position,
            )
            for item in collection.items.all()
        ]
        if with_items
        else [],
    )


@router.get(
    "/students/{int:student_id}/portfolio",
    response={200: CollectionPageOut, **READ_ERRORS},
    summary="The student's portfolio collections you may see, with their pieces",
)
def portfolio(request: HttpRequest, student_id: Id, query: Query[PageQuery]) -> CollectionPageOut:
    """The student's portfolio collections you may see, with their pieces: all of them for the student,
    those shared with you for a guardian or the staff who guide the student."""
    found = reads.portfolio_page(context=request_context(request), student_id=student_id, with_items=True)
    page = page_of_sequence(found.collections, number=query.page, size=query.page_size)
    return CollectionPageOut(
        items=[_collection_out(collection) for collection in page.items], **page_fields(page)
    )


@router.post(
    "/students/{int:student_id}/portfolio/collections",
    response={201: CollectionOut, **WRITE_ERRORS},
    summary="A new collection of your own portfolio (the student only)",
)
def collection_create(request: HttpRequest, student_id: Id, payload: CollectionIn) -> Status[CollectionOut]:
    """A new collection of your own portfolio (the student only)."""
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.CURATE_PORTFOLIO, audit_as="portfolio"
    )
    created = services.collection_create(
        context=context,
        student=student,
        title=payload.title,
        reflection=payload.reflection,
        sharing=services.Sharing(
            teachers=payload.shared_with_teachers,
            guardians=payload.shared_with_guardians,
            panel=payload.shared_with_panel,
            transcript=payload.shown_on_transcript,
        ),
    )
    return Status(201, _collection_out(created, with_items=False))
