"""Property tests of `waypoint.insights.suppression` on random 2-D tables with margins: no shown figure and no
difference of shown figures reveals a group below the thresholds; raising the thresholds never hides less of
what was small; shown figures are the true counts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.insights.suppression import is_small, suppress, suppress_table

FAST = settings(max_examples=150, deadline=None)


@st.composite
def tables(draw: st.DrawFn) -> dict[int, dict[str, int]]:
    columns = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5, unique=True))
    rows = draw(st.integers(1, 5))
    values = st.one_of(st.integers(0, 8), st.integers(0, 60))
    return {row: {column: draw(values) for column in columns} for row in range(rows)}


thresholds = st.tuples(st.integers(1, 10), st.integers(1, 30))


Line = tuple[str, object, list[tuple[int, str]], int]


def lines(counts: dict[int, dict[str, int]]) -> list[Line]:
    """Every row and column: ("row", key, its cells, its true total)."""
    columns = list(next(iter(counts.values())))
    found: list[Line] = [
        ("row", row, [(row, column) for column in columns], sum(counts[row].values())) for row in counts
    ]
    found += [
        ("column", column, [(row, column) for row in counts], sum(counts[row][column] for row in counts))
        for column in columns
    ]
    return found


@FAST
@given(tables(), thresholds)
def test_shown_figures_are_true_and_never_small(
    counts: dict[int, dict[str, int]], limits: tuple[int, int]
) -> None:
    numerator, denominator = limits
    table = suppress_table(counts, min_numerator=numerator, min_denominator=denominator)
    for row, cells in counts.items():
        for column, count in cells.items():
            shown = table.cells[row][column]
            assert shown is None or shown == count
            assert shown is None or not is_small(shown, numerator)
            column_total = sum(counts[r][column] for r in counts)
            # Nothing of a small group is shown, not even a zero.
            assert shown is None or not is_small(column_total, denominator)
        assert table.row_totals[row] in (None, sum(cells.values()))
    for shown_total in table.column_totals.values():
        assert shown_total is None or not is_small(shown_total, denominator)
    grand = sum(sum(cells.values()) for cells in counts.values())
    assert table.total in (None, grand)


@FAST
@given(tables(), thresholds)
def test_no_difference_of_shown_figures_reveals_a_small_group(
    counts: dict[int, dict[str, int]], limits: tuple[int, int]
) -> None:
    numerator, denominator = limits
    table = suppress_table(counts, min_numerator=numerator, min_denominator=denominator)
    for kind, key, entries, total in lines(counts):
        hidden = [(row, column) for row, column in entries if table.cells[row][column] is None]
        shown_total = table.row_totals[key] if kind == "row" else table.column_totals[key]  # type: ignore[index]
        if shown_total is None or not hidden or total == 0:
            continue
        # The total minus the shown cells is the sum of at least two hidden cells, never a small group.
        assert len(hidden) >= 2
        assert sum(counts[row][column] for row, column in hidden) >= numerator
    # The margins: the grand total minus the shown row (column) totals.
    if table.total:
        for margin, values in (
            (table.row_totals, {row: sum(cells.values()) for row, cells in counts.items()}),
            (table.column_totals, {c: sum(counts[r][c] for r in counts) for c in table.column_totals}),
        ):
            hidden_keys = [key for key, shown in margin.items() if shown is None]
            if hidden_keys:
                assert len(hidden_keys) >= 2
                assert sum(values[key] for key in hidden_keys) >= numerator


@FAST
@given(tables(), thresholds)
def test_a_hidden_margin_is_not_left_alone_in_its_line(
    counts: dict[int, dict[str, int]], limits: tuple[int, int]
) -> None:
    numerator, denominator = limits
    table = suppress_table(counts, min_numerator=numerator, min_denominator=denominator)
    for row, shown in table.row_totals.items():
        if shown is None and sum(counts[row].values()):
            assert any(value is None for value in table.cells[row].values())
    for column, shown in table.column_totals.items():
        if shown is None and sum(counts[r][column] for r in counts):
            assert any(table.cells[r][column] is None for r in counts)


@FAST
@given(tables(), thresholds, st.integers(0, 4), st.integers(0, 10))
def test_raising_the_thresholds_never_hides_less(
    counts: dict[int, dict[str, int]], limits: tuple[int, int], more_numerator: int, more_denominator: int
) -> None:
    numerator, denominator = limits
    low = suppress_table(counts, min_numerator=numerator, min_denominator=denominator)
    high = suppress_table(
        counts, min_numerator=numerator + more_numerator, min_denominator=denominator + more_denominator
    )
    # Every figure hidden at the lower thresholds, for whatever reason, stays hidden at the higher ones.
    assert set(low.reasons) <= set(high.reasons)
    row = next(iter(counts.values()))
    low_row = suppress(row, min_numerator=numerator, min_denominator=denominator)
    high_row = suppress(
        row, min_numerator=numerator + more_numerator, min_denominator=denominator + more_denominator
    )
    assert low_row.hidden <= high_row.hidden
    assert low_row.total is not None or high_row.total is None


@FAST
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 60), min_size=1), thresholds)
def test_one_row_is_a_table_of_one_row(counts: dict[str, int], limits: tuple[int, int]) -> None:
    numerator, denominator = limits
    row = suppress(counts, min_numerator=numerator, min_denominator=denominator)
    hidden = [key for key, shown in row.cells.items() if shown is None]
    assert all(row.cells[key] in (None, counts[key]) for key in counts)
    if hidden and row.total:
        assert len(hidden) >= 2
        assert sum(counts[key] for key in hidden) >= numerator
