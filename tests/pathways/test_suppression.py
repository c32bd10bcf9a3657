"""Small-cell suppression (`waypoint.insights.suppression`): examples of each step of the rule, and the
properties that make it safe: nothing small is shown, and nothing hidden can be worked out from a total."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waypoint.insights.suppression import COMPLEMENTARY, DEFAULT_MIN_SIZE, FORCED, SMALL, is_small, suppress


def test_small_cells_are_hidden_and_zero_is_shown() -> None:
    result = suppress({"a": 0, "b": 4, "c": 30, "d": 25})
    assert result.cells == {"a": 0, "b": None, "c": 30, "d": None}
    assert result.reasons == {"b": SMALL, "d": COMPLEMENTARY}
    assert result.total == 59


def test_complementary_cells_until_the_hidden_ones_count_ten() -> None:
    # 2 + 3 = 5 is still small: the smallest shown cell (12) is hidden too, making 17.
    result = suppress({"x": 2, "y": 3, "z": 12, "w": 40})
    assert result.cells == {"x": None, "y": None, "z": None, "w": 40}
    assert result.reasons == {"x": SMALL, "y": SMALL, "z": COMPLEMENTARY}


def test_ties_hide_the_first_in_the_row() -> None:
    assert suppress({"a": 1, "b": 20, "c": 20}).cells == {"a": None, "b": None, "c": 20}


def test_forced_cells_are_hidden_and_protected() -> None:
    result = suppress({"a": 15, "b": 30, "c": 40}, forced=["b"])
    assert result.cells == {"a": 15, "b": None, "c": 40}
    assert result.reasons == {"b": FORCED}
    zero = suppress({"a": 0, "b": 30, "c": 40}, forced=["a"])
    assert zero.cells == {"a": None, "b": None, "c": 40}


def test_a_small_total_is_hidden() -> None:
    result = suppress({"a": 3, "b": 4})
    assert result.total is None
    assert result.cells == {"a": None, "b": None}
    assert suppress({"a": 0, "b": 0}).total == 0


def test_the_minimum_size_is_configurable() -> None:
    assert suppress({"a": 4, "b": 8}, min_size=3).cells == {"a": 4, "b": 8}
    assert suppress({"a": 4, "b": 8}, min_size=5).cells == {"a": None, "b": None}
    assert is_small(9)
    assert not is_small(10)
    assert not is_small(0)
    assert DEFAULT_MIN_SIZE == 10


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress({"a": -1})
    with pytest.raises(ValueError, match="at least 1"):
        suppress({"a": 1}, min_size=0)
    with pytest.raises(ValueError, match="not in the row"):
        suppress({"a": 1}, forced=["b"])


rows = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 60), min_size=1)
sizes = st.integers(1, 20)


@given(rows, sizes)
def test_no_small_count_is_ever_shown(counts: dict[str, int], min_size: int) -> None:
    result = suppress(counts, min_size=min_size)
    for key, shown in result.cells.items():
        assert shown is None or shown == counts[key]
        assert shown is None or not is_small(shown, min_size)
    assert result.total is None or not is_small(result.total, min_size)


@given(rows, sizes, st.sets(st.sampled_from("abcdefgh")))
def test_a_hidden_cell_cannot_be_worked_out_from_the_total(
    counts: dict[str, int], min_size: int, forced: set[str]
) -> None:
    forced &= set(counts)
    result = suppress(counts, min_size=min_size, forced=forced)
    hidden = [key for key, shown in result.cells.items() if shown is None]
    assert set(forced) <= set(hidden)
    if hidden and result.total is not None:
        # Subtracting every shown cell from the total reveals only the hidden cells together: never fewer than
        # min_size students, unless the total is zero (which names nobody).
        assert sum(counts[key] for key in hidden) >= min_size or result.total == 0


@given(rows, sizes)
def test_suppression_is_deterministic(counts: dict[str, int], min_size: int) -> None:
    assert suppress(counts, min_size=min_size) == suppress(dict(counts), min_size=min_size)
