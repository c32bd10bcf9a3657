"""The reads of the portfolio: a student's collections as the reader may see them, one collection with its
pieces, and the public page behind a link.

Each read asks the access policy and audits what it discloses. A collection out of the reader's sight, like
one that does not exist, answers `NotVisible` (404). The public page is a disclosure without a reader:
audited with no actor and the reason "public portfolio link"; a link expired, revoked or unknown answers
404 with nothing said about which."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotVisible
from waypoint.core.models import AuditAction, Student
from waypoint.evidence.models import Evidence
from waypoint.frameworks.models import Competency
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.policy.records_portfolio import visible_collections
from waypoint.records.models import PortfolioCollection, PortfolioItem, PortfolioLink
from waypoint.records.services.portfolio import token_digest

PUBLIC_REASON = "public portfolio link"
PICKER_LIMIT = 200


@dataclass(frozen=True)
class PortfolioPage:
    student: Student
    collections: Sequence[PortfolioCollection]
    can_curate: bool


@dataclass(frozen=True)
class CollectionPage:
    collection: PortfolioCollection
    items: list[PortfolioItem]
    can_curate: bool
    links: list[PortfolioLink]
    # The student's evidence not yet in the collection, newest first (for the curator only).
    picker: list[Evidence]


@dataclass(frozen=True)
class PublicItem:
    title: str
    body: str
    date: datetime.datetime
    reflection: str
    competencies: list[str]


@dataclass(frozen=True)
class PublicCollection:
    title: str
    reflection: str
    student_name: str
    items: list[PublicItem]


def _items() -> QuerySet[PortfolioItem]:
    return (
        PortfolioItem.objects.select_related("evidence")
        .prefetch_related(Prefetch("evidence__competencies", queryset=Competency.objects.order_by("path")))
        .order_by("position", "pk")
    )


def portfolio_page(*, context: RequestContext, student_id: int, with_items: bool = False) -> PortfolioPage:
    """The student's collections the reader sees (all of them for the student), most recently changed first;
    `with_items` reads their pieces too (the API lists them)."""
    student = student_get(
        context=context, student_id=student_id, action=Action.VIEW_PORTFOLIO, audit_as="portfolio"
    )
    found = (
        visible_collections(context.user, student, policy.today())  # type: ignore[arg-type]
        .annotate(item_count=Count("items"))
        .order_by("-updated_at", "-pk")
    )
    if with_items:
        found = found.prefetch_related(Prefetch("items", queryset=_items()))
    collections = list(found)
    return PortfolioPage(
        student=student,
        collections=collections,
        can_curate=policy.can(context.user, Action.CURATE_PORTFOLIO, student),
    )


def _deny(context: RequestContext, collection_id: int) -> NotVisible:
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type="portfolio-collection",
        object_id=str(collection_id),
    )
    return NotVisible(f"No portfolio collection {collection_id} is visible to this user.")


def collection_get(*, context: RequestContext, collection_id: int) -> PortfolioCollection:
    """One collection the reader may see, audited as viewed; one not shared with the reader is refused like
    one that does not exist (404). Whether the reader may change it is the services' question (403)."""
    collection = PortfolioCollection.objects.select_related("student").filter(pk=collection_id).first()
    if collection is None or not policy.can(context.user, Action.VIEW_PORTFOLIO, collection):
        raise _deny(context, collection_id)
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="portfolio-collection",
        object_id=str(collection.pk),
        student=collection.student,
        reason=policy.legitimate_interest(context.user, collection.student),
    )
    return collection


def collection_page(*, context: RequestContext, collection_id: int) -> CollectionPage:
    """A collection with its pieces; for the student, also its links and the evidence to pick from."""
    collection = collection_get(context=context, collection_id=collection_id)
    can_curate = policy.can(context.user, Action.CURATE_PORTFOLIO, collection)
    items = list(_items().filter(collection=collection))
    links: list[PortfolioLink] = []
    picker: list[Evidence] = []
    if can_curate:
        links = list(collection.links.order_by("-created_at"))
        picker = list(
            Evidence.objects.filter(student_id=collection.student_id, district_id=collection.district_id)
            .exclude(pk__in=[item.evidence_id for item in items])
            .order_by("-submitted_at", "-pk")[:PICKER_LIMIT]
        )
    return CollectionPage(
        collection=collection, items=items, can_curate=can_curate, links=links, picker=picker
    )


def public_name(student: Student) -> str:
    """What a stranger reads of the student: the first name and the initial of the last."""
    first = student.preferred_name or student.first_name
    initial = student.last_name[:1]
    return f"{first} {initial}." if initial else first


def public_collection(*, token: str, client_address: str | None = None, path: str = "") -> PublicCollection:
    """The collection behind a public link: titles, reflections and the pieces' titles, text, dates and
    competency statements; never a score, a level or the student's number. Audited as a disclosure with
    no actor. A link expired, revoked or unknown is `NotVisible`."""
    link = (
        PortfolioLink.objects.select_related("collection__student")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if link is None or not link.is_open(timezone.now()):
        raise NotVisible("No open portfolio link has this token.")
    collection = link.collection
    student = collection.student
    audit_record(
        context=RequestContext(user=AnonymousUser(), client_address=client_address, path=path[:300]),
        action=AuditAction.VIEW,
        object_type="portfolio-public",
        object_id=str(collection.pk),
        student=student,
        reason=PUBLIC_REASON,
    )
    items = [
        PublicItem(
            title=item.evidence.title,
            body=item.evidence.body,
            date=item.evidence.submitted_at,
            reflection=item.reflection,
            competencies=[c.full_statement for c in item.evidence.competencies.all()],
        )
        for item in _items().filter(collection=collection)
    ]
    return PublicCollection(
        title=collection.title,
        reflection=collection.reflection,
        student_name=public_name(student),
        items=items,
    )
