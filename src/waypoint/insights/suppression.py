"""Small-cell suppression: the one rule every aggregate Waypoint shows outside a school uses to keep small
groups of students from being singled out. Pure Python: no Django (callers pass the thresholds from settings).

The rule is Connecticut's, as EdSight publishes it: a figure is hidden when its **numerator is under 6** or
its **denominator is under 20** (`DEFAULT_MIN_NUMERATOR`, `DEFAULT_MIN_DENOMINATOR`; docs/privacy.md).

1. **Small cells.** A count from 1 to `min_numerator - 1` is hidden. Zero is shown only when its group (its
   denominator) passes: "none of 40" names nobody, "none of 4" names four students.
2. **Small groups.** A group (a denominator) from 1 to `min_denominator - 1` is hidden, and so is every count
   of it. An empty group (0) is shown: it names nobody.
3. **Forced cells.** A count the caller must hide for another reason is hidden too.
4. **Complementary cells.** Along every line that adds up to a total a reader sees (a row, a column, the row
   totals, the column totals), the hidden cells may not be worked out by subtraction: a line whose total is
   shown hides none of its cells, or at least two of them counting together at least `min_numerator`; a line
   whose total is hidden hides at least one cell besides it. While a line breaks this, its smallest shown
   count (above zero first; the first in the line on a tie) is hidden as well, or its total when no count is
   left; the lines are checked again until none changes. A line whose total is zero is safe: it names nobody.
5. **Monotone.** Raising either threshold never shows a figure a lower one hid: the result is built up from
   the lower thresholds (`_monotone`).

Percentages are recoded at the top (`rate`): a share is never shown exactly when the students of the group
*outside* the cell are fewer than `min_numerator` (all or almost all of the group are in it); it is shown as
"at least X %", X being the lowest share that fact allows.

Hidden cells are `None` in the results, with the reason ("small", "small group", "forced" or
"complementary").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

DEFAULT_MIN_NUMERATOR = 6
DEFAULT_MIN_DENOMINATOR = 20

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

SMALL = "small"
SMALL_GROUP = "small group"
FORCED = "forced"
COMPLEMENTARY = "complementary"


def _check_thresholds(min_numerator: int, min_denominator: int) -> None:
    if min_numerator < 1 or min_denominator < 1:
        raise ValueError("the thresholds must be at least 1")


def is_small(count: int, minimum: int = DEFAULT_MIN_NUMERATOR) -> bool:
    """A count that names too few students to show: from 1 to minimum - 1 (zero names nobody)."""
    return 0 < count < minimum


@dataclass(frozen=True)
class Suppressed(Generic[K]):
    """One row after suppression: each cell's count or None, the total or None, and why each was hidden."""

    cells: dict[K, int | None]
    total: int | None
    reasons: dict[K, str]

    @property
    def hidden(self) -> set[K]:
        return set(self.reasons)


@dataclass(frozen=True)
class Table(Generic[R, C]):
    """A 2-D table after suppression. Columns are the groups: a column's total is the denominator of its
    cells. Hidden figures are None; `reasons` says why each hidden cell or margin was hidden (margins keyed
    ("row", r), ("column", c) and ("total",))."""

    cells: dict[R, dict[C, int | None]]
    row_totals: dict[R, int | None]
    column_totals: dict[C, int | None]
    total: int | None
    reasons: dict[tuple[object, ...], str]

    def hidden(self, row: R, column: C) -> bool:
        return self.cells[row][column] is None


# An entry of the extended table: ("cell", r, c), ("row", r), ("column", c) or ("total",).
Entry = tuple[object, ...]


def _close(
    values: Mapping[Entry, int],
    lines: list[tuple[list[Entry], Entry]],
    reasons: dict[Entry, str],
    min_numerator: int,
) -> None:
    """Complementary suppression over lines (cells, total) until every line is safe; mutates reasons."""
    order = {entry: position for position, entry in enumerate(values)}
    changed = True
    while changed:
        changed = False
        for inner, total in lines:
            if values[total] == 0:
                continue
            hidden = [entry for entry in inner if entry in reasons]
            if total in reasons:
                safe = bool(hidden) or not inner
            else:
                safe = not hidden or (
                    len(hidden) >= 2 and sum(values[entry] for entry in hidden) >= min_numerator
                )
            if safe:
                continue
            shown = [entry for entry in inner if entry not in reasons]
            if shown:
                pick = min(shown, key=lambda entry: (values[entry] == 0, values[entry], order[entry]))
            else:
                pick = total
            reasons[pick] = COMPLEMENTARY
            changed = True


def _monotone(
    values: Mapping[Entry, int],
    lines: list[tuple[list[Entry], Entry]],
    primary: Callable[[int, int], dict[Entry, str]],
    min_numerator: int,
    min_denominator: int,
    sizes: Iterable[int],
) -> dict[Entry, str]:
    """The hidden figures at (min_numerator, min_denominator), built up from every lower pair of thresholds so
    that raising either threshold never shows a figure a lower one hid: at each step, the figures hidden at
    the step below are hidden again before the new small ones are protected. Only the denominators where a
    group size crosses the threshold are steps (between them nothing changes)."""
    levels = sorted({1, min_denominator} | {size + 1 for size in sizes if 1 < size + 1 <= min_denominator})
    done: dict[tuple[int, int], dict[Entry, str]] = {}
    for numerator in range(1, min_numerator + 1):
        for index, denominator in enumerate(levels):
            reasons = primary(numerator, denominator)
            for below in (done.get((numerator - 1, index)), done.get((numerator, index - 1))):
                for entry in below or {}:
                    reasons.setdefault(entry, COMPLEMENTARY)
            _close(values, lines, reasons, numerator)
            done[(numerator, index)] = reasons
    return done[(min_numerator, len(levels) - 1)]


def suppress_table(
    counts: Mapping[R, Mapping[C, int]],
    *,
    min_numerator: int = DEFAULT_MIN_NUMERATOR,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    forced: Collection[tuple[R, C]] = (),
    forced_columns: Collection[C] = (),
    forced_rows: Collection[R] = (),
) -> Table[R, C]:
    """Suppress a 2-D table whose margins are the sums of its rows and columns. The columns are the groups
    (their totals are the denominators); every row has the same columns. `forced` cells are hidden;
    `forced_columns` hide a group's size and every count of it; `forced_rows` hide a row's total (a figure
    another table hides), and the complements of all of them are found as for any hidden cell."""
    _check_thresholds(min_numerator, min_denominator)
    rows = list(counts)
    columns: list[C] = list(next(iter(counts.values()), {}))
    if any(list(counts[row]) != columns for row in rows):
        raise ValueError("every row must have the same columns, in the same order")
    if any(count < 0 for row in rows for count in counts[row].values()):
        raise ValueError("counts cannot be negative")
    unknown = [cell for cell in forced if cell[0] not in counts or cell[1] not in columns]
    if unknown or set(forced_columns) - set(columns) or set(forced_rows) - set(rows):
        raise ValueError("forced cells or columns that are not in the table")
    values: dict[Entry, int] = {}
    for row in rows:
        for column in columns:
            values[("cell", row, column)] = counts[row][column]
    for row in rows:
        values[("row", row)] = sum(counts[row].values())
    for column in columns:
        values[("column", column)] = sum(counts[row][column] for row in rows)
    values[("total",)] = sum(values[("row", row)] for row in rows)

    def primary(min_numerator: int, min_denominator: int) -> dict[Entry, str]:
        reasons: dict[Entry, str] = {}
        if is_small(values[("total",)], min_denominator):
            reasons = dict.fromkeys(values, SMALL_GROUP)
        for column in columns:
            size = values[("column", column)]
            if column in forced_columns or is_small(size, min_denominator):
                why = FORCED if column in forced_columns else SMALL_GROUP
                reasons.setdefault(("column", column), why)
                for row in rows:
                    reasons.setdefault(("cell", row, column), why)
        for row in rows:
            if row in forced_rows:
                reasons.setdefault(("row", row), FORCED)
            elif is_small(values[("row", row)], min_numerator):
                reasons.setdefault(("row", row), SMALL)
            for column in columns:
                entry = ("cell", row, column)
                if (row, column) in forced:
                    reasons.setdefault(entry, FORCED)
                elif is_small(values[entry], min_numerator):
                    reasons.setdefault(entry, SMALL)
        return reasons

    lines: list[tuple[list[Entry], Entry]] = [
        ([("cell", row, column) for column in columns], ("row", row)) for row in rows
    ]
    lines += [([("cell", row, column) for row in rows], ("column", column)) for column in columns]
    lines.append(([("row", row) for row in rows], ("total",)))
    lines.append(([("column", column) for column in columns], ("total",)))
    sizes = [values[("column", column)] for column in columns] + [values[("total",)]]
    reasons = _monotone(values, lines, primary, min_numerator, min_denominator, sizes)

    def shown(entry: Entry) -> int | None:
        return None if entry in reasons else values[entry]

    return Table(
        cells={row: {column: shown(("cell", row, column)) for column in columns} for row in rows},
        row_totals={row: shown(("row", row)) for row in rows},
        column_totals={column: shown(("column", column)) for column in columns},
        total=shown(("total",)),
        reasons={(entry[1:] if entry[0] == "cell" else entry): why for entry, why in reasons.items()},
    )


def suppress(
    counts: Mapping[K, int],
    *,
    min_numerator: int = DEFAULT_MIN_NUMERATOR,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    forced: Collection[K] = (),
) -> Suppressed[K]:
    """One row of counts of a group whose size (the denominator) is sum(counts): the rule above, with the row
    total as the denominator. For a row of group sizes (each its own denominator) use `suppress_sizes`."""
    _check_thresholds(min_numerator, min_denominator)
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    unknown = set(forced) - set(counts)
    if unknown:
        raise ValueError(f"forced cells that are not in the row: {sorted(map(str, unknown))}")
    values: dict[Entry, int] = {("cell", key): count for key, count in counts.items()}
    values[("total",)] = sum(counts.values())

    def primary(min_numerator: int, min_denominator: int) -> dict[Entry, str]:
        reasons: dict[Entry, str] = {}
        if is_small(values[("total",)], min_denominator):
            reasons = dict.fromkeys(values, SMALL_GROUP)
        for key, count in counts.items():
            if key in forced:
                reasons.setdefault(("cell", key), FORCED)
            elif is_small(count, min_numerator):
                reasons.setdefault(("cell", key), SMALL)
        return reasons

    lines: list[tuple[list[Entry], Entry]] = [([("cell", key) for key in counts], ("total",))]
    reasons = _monotone(values, lines, primary, min_numerator, min_denominator, [values[("total",)]])
    return Suppressed(
        cells={key: None if ("cell", key) in reasons else count for key, count in counts.items()},
        total=None if ("total",) in reasons else values[("total",)],
        reasons={entry[1]: why for entry, why in reasons.items() if entry[0] == "cell"},  # type: ignore[misc]
    )


def suppress_sizes(
    sizes: Mapping[K, int], *, min_denominator: int = DEFAULT_MIN_DENOMINATOR, forced: Collection[K] = ()
) -> Suppressed[K]:
    """A row of group sizes (each a denominator, adding up to the whole): a size from 1 to min_denominator - 1
    is hidden, with complements so that none can be worked out from the total."""
    return suppress(sizes, min_numerator=min_denominator, min_denominator=min_denominator, forced=forced)


@dataclass(frozen=True)
class Rate:
    """A share in percent: `exact`, or only `at_least` (recoded at the top), or neither (hidden)."""

    exact: float | None = None
    at_least: int | None = None


def rate(
    count: int,
    size: int,
    *,
    count_shown: bool,
    size_shown: bool,
    min_numerator: int = DEFAULT_MIN_NUMERATOR,
) -> Rate:
    """The share count/size as a report may show it: exact when the count and the size are shown; "at least
    X %" when the group's size is shown, the count is hidden and fewer than min_numerator students of the
    group are outside the cell (all or almost all are in it); hidden otherwise."""
    if not size_shown or size <= 0:
        return Rate()
    if count > 0 and size - count < min_numerator and (count_shown or count >= min_numerator):
        return Rate(at_least=max(0, math.floor(100 * (size - min_numerator + 1) / size)))
    if count_shown:
        return Rate(exact=round(100 * count / size, 1))
    return Rate()


def lines_of(table: Table[R, C]) -> Iterable[tuple[list[int | None], int | None]]:
    """Every additive line of a suppressed table as (shown cells, shown total): for audits and tests."""
    for row, cells in table.cells.items():
        yield list(cells.values()), table.row_totals[row]
    for column in table.column_totals:
        yield [table.cells[row][column] for row in table.cells], table.column_totals[column]
    yield list(table.row_totals.values()), table.total
    yield list(table.column_totals.values()), table.total
