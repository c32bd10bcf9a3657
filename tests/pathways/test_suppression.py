"""Small-cell suppression (`waypoint.insights.suppression`): examples of each step of Connecticut's rule (a
count under 6 or a group under 20 is hidden), of complementary suppression along rows and columns, and of the
percentages recoded at the top. The properties on random tables are in tests/insights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.insights.suppression import (
    COMPLEMENTARY,
    DEFAULT_MIN_DENOMINATOR,
    DEFAULT_MIN_NUMERATOR,
    FORCED,
    SMALL,
    SMALL_GROUP,
    Rate,
    is_small,
    rate,
    suppress,
    suppress_sizes,
    suppress_table,
)


def test_the_defaults_are_connecticuts() -> None:
    assert (DEFAULT_MIN_NUMERATOR, DEFAULT_MIN_DENOMINATOR) == (6, 20)
    assert is_small(5)
    assert not is_small(6)
    assert not is_small(0)


def test_small_cells_are_hidden_and_zero_is_shown_when_the_group_passes() -> None:
    result = suppress({"a": 0, "b": 4, "c": 30, "d": 25})
    # 4 is under 6; the next smallest shown count above zero (25) keeps it from being subtracted out.
    assert result.cells == {"a": 0, "b": None, "c": 30, "d": None}
    assert result.reasons == {"b": SMALL, "d": COMPLEMENTARY}
    assert result.total == 59


def test_a_count_of_six_is_shown() -> None:
    assert suppress({"a": 6, "b": 14}).cells == {"a": 6, "b": 14}


def test_a_group_under_twenty_hides_every_count_even_zero() -> None:
    result = suppress({"a": 0, "b": 10, "c": 9})
    assert result.total is None
    assert result.cells == {"a": None, "b": None, "c": None}
    assert set(result.reasons.values()) == {SMALL_GROUP}
    assert suppress({"a": 0, "b": 0}).total == 0


def test_two_hidden_cells_at_least_and_counting_six_together() -> None:
    # 2 + 3 = 5 is still under 6: the smallest shown count (12) is hidden too.
    result = suppress({"x": 2, "y": 3, "z": 12, "w": 40})
    assert result.cells == {"x": None, "y": None, "z": None, "w": 40}
    assert result.reasons == {"x": SMALL, "y": SMALL, "z": COMPLEMENTARY}


def test_ties_hide_the_first_in_the_row() -> None:
    assert suppress({"a": 1, "b": 20, "c": 20}).cells == {"a": None, "b": None, "c": 20}


def test_a_forced_cell_is_never_left_alone() -> None:
    # Hiding only b would let anyone work it out from the total: a is hidden with it.
    result = suppress({"a": 15, "b": 30, "c": 40}, forced=["b"])
    assert result.cells == {"a": None, "b": None, "c": 40}
    assert result.reasons == {"b": FORCED, "a": COMPLEMENTARY}


def test_group_sizes_are_denominators() -> None:
    result = suppress_sizes({"north": 19, "south": 400, "east": 250})
    assert result.cells == {"north": None, "south": 400, "east": None}
    assert result.total == 669
    assert suppress_sizes({"north": 20, "south": 400}).cells == {"north": 20, "south": 400}


def test_the_thresholds_are_parameters() -> None:
    assert suppress({"a": 4, "b": 8}, min_numerator=3, min_denominator=10).cells == {"a": 4, "b": 8}
    assert suppress({"a": 4, "b": 8}, min_numerator=5, min_denominator=10).cells == {"a": None, "b": None}


def test_a_table_protects_rows_and_columns() -> None:
    table = suppress_table(
        {
            "project": {"f": 3, "m": 20, "x": 30},
            "internship": {"f": 25, "m": 22, "x": 40},
        }
    )
    # 3 is small; its row would give it away (so 20 is hidden), and so would its column (so 25 is hidden),
    # and then 22 is hidden to protect 20 and 25 in their own lines.
    assert table.cells == {
        "project": {"f": None, "m": None, "x": 30},
        "internship": {"f": None, "m": None, "x": 40},
    }
    assert table.reasons[("project", "f")] == SMALL
    assert table.row_totals == {"project": 53, "internship": 87}
    assert table.column_totals == {"f": 28, "m": 42, "x": 70}
    assert table.total == 140


def test_a_small_column_hides_its_counts_and_its_size_with_a_complement() -> None:
    table = suppress_table({"in": {"a": 3, "b": 30, "c": 40}, "out": {"a": 10, "b": 20, "c": 10}})
    assert table.column_totals == {"a": None, "b": None, "c": 50}
    assert table.reasons[("column", "a")] == SMALL_GROUP
    assert [table.cells[row]["a"] for row in ("in", "out")] == [None, None]


def test_a_line_whose_total_is_zero_is_safe() -> None:
    table = suppress_table({"in": {"a": 0, "b": 0}, "out": {"a": 3, "b": 40}})
    assert table.row_totals["in"] == 0


def test_rates_are_recoded_when_almost_all_of_a_group_is_in_the_cell() -> None:
    assert rate(12, 25, count_shown=True, size_shown=True) == Rate(exact=48.0)
    # 96 of 100: the 4 outside would be singled out; "at least 95 %" is all the rule allows.
    assert rate(96, 100, count_shown=False, size_shown=True) == Rate(at_least=95)
    assert rate(25, 30, count_shown=False, size_shown=True) == Rate(at_least=83)
    assert rate(30, 30, count_shown=False, size_shown=True) == Rate(at_least=83)
    # A small count, or a hidden group, shows no share at all.
    assert rate(3, 100, count_shown=False, size_shown=True) == Rate()
    assert rate(96, 100, count_shown=False, size_shown=False) == Rate()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress({"a": -1})
    with pytest.raises(ValueError, match="at least 1"):
        suppress({"a": 1}, min_numerator=0)
    with pytest.raises(ValueError, match="not in the row"):
        suppress({"a": 1}, forced=["b"])
    with pytest.raises(ValueError, match="same columns"):
        suppress_table({"r": {"a": 1}, "s": {"b": 1}})
    with pytest.raises(ValueError, match="not in the table"):
        suppress_table({"r": {"a": 1}}, forced_columns=["z"])


rows = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 60), min_size=1)
limits = st.tuples(st.integers(1, 10), st.integers(1, 30))


@settings(max_examples=100, deadline=None)
@given(rows, limits, st.sets(st.sampled_from("abcdefgh")))
def test_a_hidden_cell_cannot_be_worked_out_from_the_total(
    counts: dict[str, int], thresholds: tuple[int, int], forced: set[str]
) -> None:
    numerator, denominator = thresholds
    forced &= set(counts)
    result = suppress(counts, min_numerator=numerator, min_denominator=denominator, forced=forced)
    hidden = [key for key, shown in result.cells.items() if shown is None]
    assert forced <= set(hidden)
    for key, shown in result.cells.items():
        assert shown is None or (shown == counts[key] and not is_small(shown, numerator))
    if hidden and result.total:
        # Subtracting every shown cell from the total reveals at least two hidden cells together, never fewer
        # than min_numerator students.
        assert len(hidden) >= 2
        assert sum(counts[key] for key in hidden) >= numerator


@settings(max_examples=50, deadline=None)
@given(rows, limits)
def test_suppression_is_deterministic(counts: dict[str, int], thresholds: tuple[int, int]) -> None:
    numerator, denominator = thresholds
    once = suppress(counts, min_numerator=numerator, min_denominator=denominator)
    assert once == suppress(dict(counts), min_numerator=numerator, min_denominator=denominator)
