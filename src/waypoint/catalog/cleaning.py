"""Input cleaning shared by the services of the catalog, the learner profiles and the paths: trimmed text
without NUL characters (PostgreSQL cannot store them), lists of short phrases, lists of choices, and dates in
order. Each check adds its problem, in words the person can act on, to the caller's list; the caller refuses
the whole write when the list is not empty. No Django model and no access policy here. The problems are
read in the reader's language; each label a caller passes is translated by the caller."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

MAX_LIST_ITEMS = 20
MAX_WORDS_LENGTH = 80


def text(
    value: str, label: str, problems: list[str], *, limit: int | None = None, required: bool = False
) -> str:
    """The text trimmed, with a problem when it is missing, too long or holds a NUL character (which
    PostgreSQL cannot store)."""
    cleaned = value.strip()
    if "\x00" in cleaned:
        problems.append(gettext("%(label)s contains a character that cannot be stored.") % {"label": label})
    elif required and not cleaned:
        problems.append(gettext("%(label)s is required.") % {"label": label})
    elif limit is not None and len(cleaned) > limit:
        problems.append(
            gettext("%(label)s is longer than %(limit)s characters.") % {"label": label, "limit": limit}
        )
    return cleaned


def words(values: Sequence[str], label: str, problems: list[str]) -> list[str]:
    """A list of short phrases: trimmed, empty ones dropped, repeats (ignoring case) dropped."""
    kept: list[str] = []
    seen: set[str] = set()
    for value in values:
        phrase = text(" ".join(value.split()), label, problems, limit=MAX_WORDS_LENGTH)
        if phrase and phrase.casefold() not in seen:
            seen.add(phrase.casefold())
            kept.append(phrase)
    if len(kept) > MAX_LIST_ITEMS:
        problems.append(gettext("%(label)s: at most %(count)s.") % {"label": label, "count": MAX_LIST_ITEMS})
    return kept


def choices(values: Sequence[str], allowed: Sequence[str], label: str, problems: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        problems.append(
            ngettext(
                "%(label)s: %(values)s is not a choice.",
                "%(label)s: %(values)s are not a choice.",
                len(unknown),
            )
            % {"label": label, "values": "“" + "”, “".join(unknown) + "”"}
        )
    # Keep the choices' own order, so the same selection always stores the same list.
    return [value for value in allowed if value in set(values)]


def day(date: datetime.date) -> str:
    """The date as a sentence names it: "May 4, 2026", "4 de mayo de 2026"."""
    return date_format(date, pgettext("a date in a sentence (Django date format)", "F j, Y"))


def dates_ordered(
    starts_on: datetime.date | None, ends_on: datetime.date | None, what: str, problems: list[str]
) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(
            gettext("The %(what)s ends on %(end)s, before it starts on %(start)s.")
            % {"what": gettext(what), "end": day(ends_on), "start": day(starts_on)}
        )
