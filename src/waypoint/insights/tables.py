"""The one shape of every figure table insights shows: a page renders it (with its chart above it), the API
returns it, and `services.exports` writes it to CSV or XLSX. Cells are already suppressed when a table is
made: a hidden figure is a cell whose `value` is None and whose `text` is the suppression mark, so nothing
downstream can show what a selector hid."""

from __future__ import annotations

from dataclasses import dataclass, field

# What a hidden figure reads as, on a page and in an export (CSDE's reports use "*").
HIDDEN = "*"


@dataclass(frozen=True)
class Cell:
    """One figure: `value` for charts and sorting (None: hidden or not applicable), `text` as shown;
    `at_least` when a share is recoded at the top ("≥ 95 %": the value itself stays hidden)."""

    value: float | None
    text: str
    at_least: int | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None and self.text == HIDDEN


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class FigureTable:
    """A table of figures. `chart` is how the page draws it: "bar" (one bar per row and column), "stacked"
    (the columns stacked, e.g. statuses), "line" (columns are months or years) or "" (no chart). `unit` is
    what the values measure ("students", "percent", "pace", "count", or "mixed": columns of several units,
    drawn by no chart)."""

    key: str
    title: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: str = "bar"
    unit: str = "count"
    note: str = ""
    column_keys: tuple[str, ...] = field(default=())

    def as_matrix(self) -> list[list[str]]:
        """The header and every row as text, as an export writes it."""
        return [[self.row_header, *self.columns]] + [
            [row.label, *(c.text for c in row.cells)] for row in self.rows
        ]
