"""Small-cell suppression: the one rule every Waypoint report uses to keep small groups of students from being
singled out. Pure Python: no Django.

The rule, for one row of counts that add up to a total the report shows (or that a reader can add up):

1. **Small cells.** A count from 1 to `min_size - 1` is hidden (default `min_size` 10). Zero is shown: it
   names nobody.
2. **Forced cells.** A count the caller must hide for another reason (its group's size is hidden, or it
   would reveal a small complement elsewhere) is hidden too.
3. **Complementary cells.** While the hidden cells together count fewer than `min_size` students, the
   smallest count still shown (above zero; the first in the row on a tie) is hidden as well, so subtracting
   the shown cells from the total can only ever reveal a group of at least `min_size`.
4. **The total** is hidden when it is itself from 1 to `min_size - 1`.

Hidden cells are `None` in the result, with the reason ("small", "forced" or "complementary").
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

DEFAULT_MIN_SIZE = 10

K = TypeVar("K", bound=Hashable)

SMALL = "small"
FORCED = "forced"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Suppressed(Generic[K]):
    """One row after suppression: each cell's count or None, the total or None, and why each was hidden."""

    cells: dict[K, int | None]
    total: int | None
    reasons: dict[K, str]

    @property
    def hidden(self) -> set[K]:
        return set(self.reasons)


def is_small(count: int, min_size: int = DEFAULT_MIN_SIZE) -> bool:
    """A count that names too few students to show: from 1 to min_size - 1."""
    return 0 < count < min_size


def suppress(
    counts: Mapping[K, int], *, min_size: int = DEFAULT_MIN_SIZE, forced: Collection[K] = ()
) -> Suppressed[K]:
    """Apply the rule above to a row of counts whose total is sum(counts)."""
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    unknown = set(forced) - set(counts)
    if unknown:
        raise ValueError(f"forced cells that are not in the row: {sorted(map(str, unknown))}")
    reasons: dict[K, str] = {}
    for key, count in counts.items():
        if key in forced:
            reasons[key] = FORCED
        elif is_small(count, min_size):
            reasons[key] = SMALL
    order = {key: position for position, key in enumerate(counts)}
    while reasons and sum(counts[key] for key in reasons) < min_size:
        shown = [key for key in counts if key not in reasons and counts[key] > 0]
        if not shown:
            break
        smallest = min(shown, key=lambda key: (counts[key], order[key]))
        reasons[smallest] = COMPLEMENTARY
    total = sum(counts.values())
    return Suppressed(
        cells={key: None if key in reasons else count for key, count in counts.items()},
        total=None if is_small(total, min_size) else total,
        reasons=reasons,
    )
