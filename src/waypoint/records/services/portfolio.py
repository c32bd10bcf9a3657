"""Every write of the portfolio: the student's collections, their items and reflections, whom each is
shared with, and its public links.

Only the student curates (`Action.CURATE_PORTFOLIO`): a collection holds the student's own evidence only. A
public link's token is shown once, when it is made; only its SHA-256 is stored, with a prefix to tell links
apart. Every function runs in one transaction with its audit row; bad input raises `PortfolioError` listing
every problem, and nothing is written.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import AuditAction, Student, User
from waypoint.evidence.models import Evidence
from waypoint.policy import Action
from waypoint.records.models import PortfolioCollection, PortfolioItem, PortfolioLink
from waypoint.records.services import acting_user

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_ITEMS = 100
# A public link lives at most a year: a link forgotten in an old email should not open the work forever.
MAX_LINK_DAYS = 365
TOKEN_BYTES = 24
PREFIX_LENGTH = 8


class PortfolioError(Invalid):
    """A refused portfolio write; `problems` lists every reason."""


@dataclass(frozen=True)
class Sharing:
    """Whom a collection is shown to, as the student chooses."""

    teachers: bool
    guardians: bool
    panel: bool
    transcript: bool


@dataclass(frozen=True)
class NewLink:
    """A link just made: the token is in the URL shown once, never stored."""

    link: PortfolioLink
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_owner(context: RequestContext, student: Student) -> User:
    actor = acting_user(context)
    if not policy.can(actor, Action.CURATE_PORTFOLIO, student):
        raise NotPermitted(gettext("Only the student curates their portfolio."))
    return actor


def _text_problems(title: str | None, *texts: str) -> list[str]:
    problems = []
    if any("\x00" in text for text in (title or "", *texts)):
        problems.append(gettext("The text must not contain NUL characters."))
    if title is not None:
        if not title.strip():
            problems.append(gettext("Give the collection a title."))
        elif len(title.strip()) > MAX_TITLE:
            problems.append(gettext("Keep the title to %(limit)d characters.") % {"limit": MAX_TITLE})
    if any(len(text) > MAX_TEXT for text in texts):
        problems.append(gettext("Keep each reflection to %(limit)d characters.") % {"limit": MAX_TEXT})
    return problems


def _audit(context: RequestContext, action: AuditAction, object_type: str, pk: int, student: Student) -> None:
    audit_record(
        context=context,
        action=action,
        object_type=object_type,
        object_id=str(pk),
        student=student,
        reason=policy.legitimate_interest(context.user, student),
    )


def collection_create(
    *,
    context: RequestContext,
    student: Student,
    title: str,
    reflection: str = "",
    sharing: Sharing | None = None,
) -> PortfolioCollection:
    """A new collection of the student's portfolio, shared with teachers and guardians unless chosen
    otherwise."""
    _require_owner(context, student)
    sharing = sharing or Sharing(teachers=True, guardians=True, panel=False, transcript=False)
    if problems := _text_problems(title, reflection):
        raise PortfolioError(problems)
    with transaction.atomic():
        collection = PortfolioCollection.objects.create(
            district_id=student.district_id,
            student=student,
            title=title.strip(),
            reflection=reflection.strip(),
            shared_with_teachers=sharing.teachers,
            shared_with_guardians=sharing.guardians,
            shared_with_panel=sharing.panel,
            shown_on_transcript=sharing.transcript,
        )
        _audit(context, AuditAction.CREATE, "portfolio-collection", collection.pk, student)
    return collection


def collection_update(
    *,
    context: RequestContext,
    collection: PortfolioCollection,
    title: str,
    reflection: str,
    sharing: Sharing,
) -> PortfolioCollection:
    """The collection's title, reflection and whom it is shared with."""
    _require_owner(context, collection.student)
    if problems := _text_problems(title, reflection):
        raise PortfolioError(problems)
    with transaction.atomic():
        collection.title = title.strip()
        collection.reflection = reflection.strip()
        collection.shared_with_teachers = sharing.teachers
        collection.shared_with_guardians = sharing.guardians
        collection.shared_with_panel = sharing.panel
        collection.shown_on_transcript = sharing.transcript
        collection.updated_at = timezone.now()
        collection.save()
        _audit(context, AuditAction.UPDATE, "portfolio-collection", collection.pk, collection.student)
    return collection


def collection_delete(*, context: RequestContext, collection: PortfolioCollection) -> None:
    """Remove a collection (the evidence stays on the record; only the selection and reflections go).
    Its public links stop working with it."""
    _require_owner(context, collection.student)
    with transaction.atomic():
        pk, student = collection.pk, collection.student
        collection.delete()
        _audit(context, AuditAction.DELETE, "portfolio-collection", pk, student)


def items_add(
    *,
    context: RequestContext,
    collection: PortfolioCollection,
    evidence_ids: Sequence[int],
    reflection: str = "",
) -> list[PortfolioItem]:
    """Add pieces of the student's own evidence to the collection, at its end. Evidence of anyone else, or
    already in the collection, is refused by number."""
    student = collection.student
    _require_owner(context, student)
    wanted = list(dict.fromkeys(evidence_ids))
    problems = _text_problems(None, reflection)
    if not wanted:
        problems.append(gettext("Choose at least one piece of your evidence."))
    own = set(
        Evidence.objects.filter(pk__in=wanted, student=student, district_id=student.district_id).values_list(
            "pk", flat=True
        )
    )
    problems += [
        gettext("Evidence %(id)s is not yours to add.") % {"id": pk} for pk in wanted if pk not in own
    ]
    already = set(collection.items.filter(evidence_id__in=wanted).values_list("evidence_id", flat=True))
    problems += [
        gettext("Evidence %(id)s is already in the collection.") % {"id": pk} for pk in sorted(already)
    ]
    if collection.items.count() + len(wanted) > MAX_ITEMS:
        problems.append(
            gettext("A collection holds at most %(limit)d pieces of evidence.") % {"limit": MAX_ITEMS}
        )
    if problems:
        raise PortfolioError(problems)
    with transaction.atomic():
        last = collection.items.aggregate(last=Max("position"))["last"]
        start = 0 if last is None else last + 1
        items = PortfolioItem.objects.bulk_create(
            PortfolioItem(
                collection=collection,
                district_id=collection.district_id,
                evidence_id=pk,
                reflection=reflection.strip(),
                position=start + offset,
            )
            for offset, pk in enumerate(wanted)
        )
        PortfolioCollection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
        _audit(context, AuditAction.UPDATE, "portfolio-collection", collection.pk, student)
    return items


def _item_of(collection: PortfolioCollection, item_id: int) -> PortfolioItem:
    item = collection.items.filter(pk=item_id).first()
    if item is None:
        raise PortfolioError(gettext("That piece is not in this collection."))
    return item


def item_reflect(
    *, context: RequestContext, collection: PortfolioCollection, item_id: int, reflection: str
) -> PortfolioItem:
    """The student's reflection on one piece of the collection."""
    _require_owner(context, collection.student)
    item = _item_of(collection, item_id)
    if problems := _text_problems(None, reflection):
        raise PortfolioError(problems)
    with transaction.atomic():
        item.reflection = reflection.strip()
        item.save(update_fields=["reflection"])
        _audit(context, AuditAction.UPDATE, "portfolio-collection", collection.pk, collection.student)
    return item


def item_remove(*, context: RequestContext, collection: PortfolioCollection, item_id: int) -> None:
    """Take a piece out of the collection (the evidence stays on the record)."""
    _require_owner(context, collection.student)
    item = _item_of(collection, item_id)
    with transaction.atomic():
        item.delete()
        _audit(context, AuditAction.UPDATE, "portfolio-collection", collection.pk, collection.student)


def items_reorder(
    *, context: RequestContext, collection: PortfolioCollection, item_ids: Sequence[int]
) -> None:
    """Put the collection's pieces in the order given: every piece, each once."""
    _require_owner(context, collection.student)
    current = list(collection.items.values_list("pk", flat=True))
    if sorted(item_ids) != sorted(current) or len(set(item_ids)) != len(item_ids):
        raise PortfolioError(gettext("Give the order of every piece in the collection, each once."))
    with transaction.atomic():
        for position, pk in enumerate(item_ids):
            PortfolioItem.objects.filter(pk=pk, collection=collection).update(position=position)
        _audit(context, AuditAction.UPDATE, "portfolio-collection", collection.pk, collection.student)


def item_move(*, context: RequestContext, collection: PortfolioCollection, item_id: int, up: bool) -> None:
    """Move one piece a place up or down (the buttons of the page)."""
    order = list(collection.items.order_by("position", "pk").values_list("pk", flat=True))
    if item_id not in order:
        raise PortfolioError(gettext("That piece is not in this collection."))
    index = order.index(item_id)
    other = index - 1 if up else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    items_reorder(context=context, collection=collection, item_ids=order)


def link_create(
    *, context: RequestContext, collection: PortfolioCollection, expires_on: datetime.date | None
) -> NewLink:
    """A public link to the collection, open until the end of `expires_on` (required, within a year)."""
    _require_owner(context, collection.student)
    today = timezone.localdate()
    if expires_on is None:
        raise PortfolioError(gettext("Choose the day the link stops working."))
    if expires_on < today:
        raise PortfolioError(gettext("The link must stop working on a day still to come."))
    if expires_on > today + datetime.timedelta(days=MAX_LINK_DAYS):
        raise PortfolioError(
            gettext("A public link works for at most %(days)d days.") % {"days": MAX_LINK_DAYS}
        )
    end = timezone.make_aware(
        datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time())
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = PortfolioLink.objects.create(
            collection=collection,
            district_id=collection.district_id,
            token_digest=token_digest(token),
            prefix=token[:PREFIX_LENGTH],
            expires_at=end,
        )
        _audit(context, AuditAction.CREATE, "portfolio-link", link.pk, collection.student)
    return NewLink(link=link, token=token)


def link_revoke(*, context: RequestContext, collection: PortfolioCollection, link_id: int) -> PortfolioLink:
    """Stop a public link at once; revoking one already revoked changes nothing."""
    _require_owner(context, collection.student)
    link = collection.links.filter(pk=link_id).first()
    if link is None:
        raise PortfolioError(gettext("That link is not one of this collection’s."))
    if link.revoked_at is None:
        with transaction.atomic():
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            _audit(context, AuditAction.UPDATE, "portfolio-link", link.pk, collection.student)
    return link
