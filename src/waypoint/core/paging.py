"""One page of a list, shared by the pages and the API."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(queryset: QuerySet[M], *, number: int, size: int) -> Page[M]:
    """The page `number` (clamped to the pages there are) of `size` rows."""
    count = queryset.count()
    number = min(max(1, number), max(1, math.ceil(count / size)))
    start = (number - 1) * size
    return Page(items=list(queryset[start : start + size]), count=count, number=number, size=size)


def page_of_sequence(rows: Sequence[T], *, number: int, size: int) -> Page[T]:
    """The page `number` (clamped likewise) of rows a selector has already read, for the lists whose order
    or filtering happens in Python."""
    count = len(rows)
    number = min(max(1, number), max(1, math.ceil(count / size)))
    start = (number - 1) * size
    return Page(items=list(rows[start : start + size]), count=count, number=number, size=size)
