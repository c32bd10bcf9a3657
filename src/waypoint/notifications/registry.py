"""The one registry of the kinds of notification. Each domain app registers its kinds in its own `events.py`
(imported at start-up by `NotificationsConfig.ready`), so a new app adds kinds without editing this app.

A kind says what its notifications are called on the preferences page, how their subject and body read (a
function of the stored parameters, called in the reader's language), how they reach a person who has not
chosen, and for whom e-mail cannot be turned off."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from waypoint.notifications.models import Delivery, Notification


@dataclass(frozen=True)
class Reading:
    """Who reads a notification, as its text needs to know: the student it is about, by name, and whether
    the reader is that student ("your work") or someone else, a guardian ("Jordan's work")."""

    student_name: str
    about_self: bool


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


Renderer = Callable[[Mapping[str, Any], Reading], Rendered]


@dataclass(frozen=True)
class EventKind:
    """One kind of notification. `code` is `<app>.<event>` and is stored on every row, so it never changes.
    `label` and `description` are lazily translated (they are read on the preferences page in the reader's
    language); `render` is called inside `translation.override` of the reader's language.

    `default_delivery` applies to a person who has not chosen; `email_required_for` names the roles
    ("student", "guardian", or a staff role) who may not turn the e-mail off (they choose between at once
    and the daily digest)."""

    code: str
    label: str | Promise
    description: str | Promise
    render: Renderer
    order: int = 100
    default_delivery: Delivery = Delivery.DIGEST
    email_required_for: frozenset[str] = frozenset()

    def may_turn_off_email(self, roles: frozenset[str] | set[str]) -> bool:
        return not (self.email_required_for & roles)


_KINDS: dict[str, EventKind] = {}


def register(kind: EventKind) -> EventKind:
    """Adds a kind (at import of its app's `events` module); a code claimed twice is a programming error."""
    if kind.code in _KINDS and _KINDS[kind.code] is not kind:
        raise RuntimeError(f"Two kinds of notification claim the code {kind.code!r}.")
    _KINDS[kind.code] = kind
    return kind


def kind_for(code: str) -> EventKind | None:
    return _KINDS.get(code)


def kinds() -> list[EventKind]:
    """Every registered kind, in the order the preferences page lists them."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.code))


def reading_of(notification: Notification) -> Reading:
    """The reading of a row whose `student` is loaded (select_related) with it."""
    student = notification.student
    return Reading(
        student_name=student.full_name,
        about_self=student.user_id is not None and student.user_id == notification.recipient_id,
    )


def render(notification: Notification, *, language: str | None = None) -> Rendered:
    """The subject and body of a stored notification, in `language` (the active language when None). A
    kind no longer registered (its app removed) still reads as something rather than failing the page."""
    with translation.override(language or translation.get_language()):
        kind = kind_for(notification.kind)
        if kind is None:
            return Rendered(subject=gettext("A notification"), body="")
        return kind.render(notification.params, reading_of(notification))
