"""Input cleaning shared by the services of the catalog, the learner profiles and the paths: trimmed text
without NUL characters (PostgreSQL cannot store them), lists of short phrases, lists of choices, and dates in
order. Each check adds its problem, in words the person can act on, to the caller's list; the caller refuses
the whole write when the list is not empty. No Django model and no access policy here."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

MAX_LIST_ITEMS = 20
MAX_WORDS_LENGTH = 80


def text(
    value: str, label: str, problems: list[str], *, limit: int | None = None, required: bool = False
) -> str:
    """The text trimmed, with a problem when it is missing, too long or holds a NUL character (which
    PostgreSQL cannot store)."""
    cleaned = value.strip()
    if "\x00" in cleaned:
        problems.append(f"{label} contains a character that cannot be stored.")
    elif required and not cleaned:
        problems.append(f"{label} is required.")
    elif limit is not None and len(cleaned) > limit:
        problems.append(f"{label} is longer than {limit} characters.")
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
        problems.append(f"{label}: at most {MAX_LIST_ITEMS}.")
    return kept


def choices(values: Sequence[str], allowed: Sequence[str], label: str, problems: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        problems.append(
            f"{label}: “{'”, “'.join(unknown)}” {'is' if len(unknown) == 1 else 'are'} not a choice."
        )
    # Keep the choices' own order, so the same selection always stores the same list.
    return [value for value in allowed if value in set(values)]


def day(date: datetime.date) -> str:
    return f"{date:%B} {date.day}, {date.year}"


def dates_ordered(
    starts_on: datetime.date | None, ends_on: datetime.date | None, what: str, problems: list[str]
) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(f"The {what} ends on {day(ends_on)}, before it starts on {day(starts_on)}.")
