"""The bulk path gives, group by group, the levels the pure calculation gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.mastery import calc
from waypoint.mastery.calc import Method, MethodSpec
from waypoint.mastery.vectorized import (
    ROLLUPS,
    Competencies,
    Rules,
    _rounded,
    group_starts_from_keys,
    level_columns,
    levels,
)


def concatenated(groups: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """The scores of all groups in one array, and each group's start offset."""
    lengths = np.array([len(group) for group in groups], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    return starts, np.array([score for group in groups for score in group], dtype=np.float64)


def levels_one_group_at_a_time(
    spec: MethodSpec, groups: list[list[float]], scale_min: float, scale_max: float
) -> np.ndarray:
    expected = [calc.level(spec, group, scale_min=scale_min, scale_max=scale_max) for group in groups]
    return np.array([math.nan if value is None else value for value in expected])


@st.composite
def scales_and_groups(draw: st.DrawFn) -> tuple[float, float, list[list[float]]]:
    """A scale and groups of 1 to 30 scores on it: whole levels, fractions, and the bottom of the scale."""
    scale_min = draw(st.sampled_from([0.0, 0.0, 1.0]))
    scale_max = scale_min + draw(st.one_of(st.sampled_from([3.0, 4.0, 100.0]), st.floats(0.25, 100.0)))
    score = st.one_of(
        st.just(scale_min),  # zero on the scales that start at 0
        st.integers(math.ceil(scale_min), math.floor(scale_max)).map(float),
        st.floats(min_value=scale_min, max_value=scale_max),
    )
    groups = draw(st.lists(st.lists(score, min_size=1, max_size=30), min_size=1, max_size=20))
    return scale_min, scale_max, groups


@st.composite
def method_specs(draw: st.DrawFn) -> MethodSpec:
    n = draw(st.integers(1, 6))
    return MethodSpec(
        draw(st.sampled_from(Method)),
        weight=draw(st.floats(min_value=0.01, max_value=1.0)),
        n=n,
        m=draw(st.integers(n, n + 6)),
    )


@given(method_specs(), scales_and_groups())
def test_bulk_levels_equal_the_pure_calculation_per_group(
    spec: MethodSpec, scale_and_groups: tuple[float, float, list[list[float]]]
) -> None:
    scale_min, scale_max, groups = scale_and_groups
    starts, scores = concatenated(groups)
    # No division by zero, overflow or invalid operation hides behind the result.
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        result = levels(spec, starts, scores, scale_min=scale_min, scale_max=scale_max)
    assert result.dtype == np.float64
    np.testing.assert_allclose(
        result, levels_one_group_at_a_time(spec, groups, scale_min, scale_max), rtol=1e-9, atol=1e-9
    )


SHORT_GROUPS = [[3.0], [0.0], [4.0], [2.0, 4.0], [4.0, 0.0], [1.0, 1.0], [0.0, 0.0], [3.0, 2.0]]


@pytest.mark.parametrize("method", list(Method))
def test_groups_of_one_and_two_scores(method: Method) -> None:
    spec = MethodSpec(method, n=1, m=2)
    starts, scores = concatenated(SHORT_GROUPS)
    result = levels(spec, starts, scores, scale_min=0.0, scale_max=4.0)
    np.testing.assert_allclose(result, levels_one_group_at_a_time(spec, SHORT_GROUPS, 0.0, 4.0), rtol=1e-9)
    assert not np.isnan(result).any()


def test_short_groups_by_hand() -> None:
    starts, scores = concatenated(SHORT_GROUPS)

    def bulk(spec: MethodSpec) -> list[float]:
        return [float(value) for value in levels(spec, starts, scores, scale_min=0.0, scale_max=4.0)]

    # With one or two scores the power-law fit is exact, so it gives the latest score, zero included.
    assert bulk(MethodSpec(Method.POWER_LAW)) == [3.0, 0.0, 4.0, 4.0, 0.0, 1.0, 0.0, 2.0]
    assert bulk(MethodSpec(Method.MODE)) == [3.0, 0.0, 4.0, 4.0, 4.0, 1.0, 0.0, 3.0]
    assert bulk(MethodSpec(Method.WEIGHTED_AVERAGE, weight=0.75)) == pytest.approx(
        [3.0, 0.0, 4.0, 3.5, 1.0, 1.0, 0.0, 2.25]
    )


def test_n_of_m_without_enough_scores_is_nan() -> None:
    starts, scores = concatenated([[4.0, 4.0], [4.0, 3.0, 1.0, 2.0]])
    result = levels(MethodSpec(Method.N_OF_M, n=3, m=3), starts, scores, scale_min=0.0, scale_max=4.0)
    assert np.isnan(result[0])
    assert result[1] == 1.0


def test_long_groups_neither_overflow_nor_lose_the_early_scores() -> None:
    rng = np.random.default_rng(20240611)
    groups = [list(rng.integers(0, 5, size=size).astype(float)) for size in (1, 2, 3, 1_000, 5_000)]
    starts, scores = concatenated(groups)
    for method in (Method.DECAYING_AVERAGE, Method.WEIGHTED_AVERAGE, Method.POWER_LAW, Method.MODE):
        spec = MethodSpec(method, weight=0.1)
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            result = levels(spec, starts, scores, scale_min=0.0, scale_max=4.0)
        np.testing.assert_allclose(
            result, levels_one_group_at_a_time(spec, groups, 0.0, 4.0), rtol=1e-9, atol=1e-9
        )


def test_bulk_levels_are_clamped_to_the_scale() -> None:
    starts, scores = concatenated([[5.0, 6.0], [0.0, 0.5]])
    result = levels(MethodSpec(Method.MEAN), starts, scores, scale_min=1.0, scale_max=4.0)
    assert list(result) == [4.0, 1.0]


def test_no_groups_give_no_levels() -> None:
    empty = levels(
        MethodSpec(Method.POWER_LAW),
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.float64),
        scale_min=0.0,
        scale_max=4.0,
    )
    assert empty.shape == (0,)


@pytest.mark.parametrize(
    ("starts", "scores", "message"),
    [
        ([1, 2], [1.0, 2.0, 3.0], "must start at 0"),
        ([0, 2, 2], [1.0, 2.0, 3.0], "rise strictly"),
        ([0, 3], [1.0, 2.0, 3.0], "rise strictly"),
        ([], [1.0], "no group starts"),
        ([[0]], [1.0], "one-dimensional"),
    ],
)
def test_malformed_group_starts_are_refused(starts: list[int], scores: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        levels(
            MethodSpec(Method.LATEST),
            np.array(starts, dtype=np.int64),
            np.array(scores),
            scale_min=0.0,
            scale_max=4.0,
        )


def test_bulk_levels_refuse_a_bad_spec() -> None:
    starts, scores = concatenated([[1.0]])
    with pytest.raises(ValueError, match="weight"):
        levels(MethodSpec(Method.DECAYING_AVERAGE, weight=2.0), starts, scores, scale_min=0.0, scale_max=4.0)


def test_group_starts_from_keys() -> None:
    keys = np.array([7, 7, 3, 9, 9, 9, 7], dtype=np.int64)
    assert group_starts_from_keys(keys).tolist() == [0, 2, 3, 6]
    assert group_starts_from_keys(np.empty(0, dtype=np.int64)).tolist() == []


@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(1, 6)), max_size=20))
def test_group_starts_from_keys_finds_every_run(runs: list[tuple[int, int]]) -> None:
    # Adjacent runs with the same key merge into one group, as they would after sorting.
    merged: list[list[int]] = []
    for key, length in runs:
        if merged and merged[-1][0] == key:
            merged[-1][1] += length
        else:
            merged.append([key, length])
    keys = np.array([key for key, length in merged for _ in range(length)], dtype=np.int64)
    expected_starts = np.cumsum([0] + [length for _, length in merged])[:-1]
    assert group_starts_from_keys(keys).tolist() == expected_starts.tolist()


# A district's levels ---------------------------------------------------------------------------------------

# A root with two children, each with two leaves: positions 0; 1, 2; 3, 4 under 1; 5, 6 under 2.
PARENTS = [-1, 0, 0, 1, 1, 2, 2]
SCALE = (1.0, 4.0, 3.0)  # minimum, maximum, mastery threshold


def district_tree(spec: MethodSpec, rollup: calc.RollupRule) -> Competencies:
    ids = np.arange(101, 108, dtype=np.int64)
    children = [[n for n, parent in enumerate(PARENTS) if parent == node] for node in range(len(PARENTS))]
    sibling = [children[parent].index(n) if parent >= 0 else 0 for n, parent in enumerate(PARENTS)]
    count = len(PARENTS)
    return Competencies(
        ids=ids,
        parent=np.array(PARENTS, dtype=np.int64),
        depth=np.array([0, 1, 1, 2, 2, 2, 2], dtype=np.int64),
        sibling=np.array(sibling, dtype=np.int64),
        children=np.array([len(kids) for kids in children], dtype=np.int64),
        version=np.full(count, 9, dtype=np.int64),
        rule=np.zeros(count, dtype=np.int64),
        rollup=np.full(count, ROLLUPS.index(rollup), dtype=np.int64),
        scale=np.zeros(count, dtype=np.int64),
        minimum=np.full(count, SCALE[0]),
        maximum=np.full(count, SCALE[1]),
        threshold=np.full(count, SCALE[2]),
    )


def one_by_one(
    spec: MethodSpec, rollup: calc.RollupRule, scored: dict[tuple[int, int], list[tuple[float, int]]]
) -> dict[tuple[int, int], tuple[float | None, bool, bool, list[int]]]:
    """The rule of a level, list by list with calc: own scores, then roll-ups from the deepest parents up."""
    minimum, maximum, threshold = SCALE
    found: dict[tuple[int, int], tuple[float | None, bool, bool, list[int]]] = {}
    for (student, node), scores in scored.items():
        value = calc.level(spec, [v for v, _ in scores], scale_min=minimum, scale_max=maximum)
        value = None if value is None else round(value, 6)
        found[(student, node)] = (
            value,
            value is not None and value >= threshold,
            False,
            [i for _, i in scores],
        )
    for parent in (2, 1, 0):
        kids = [n for n, p in enumerate(PARENTS) if p == parent]
        for student in sorted({student for student, _ in scored}):
            levels_of = [found.get((student, kid)) for kid in kids]
            present = [level for level in levels_of if level is not None and level[0] is not None]
            if not present:
                continue
            value = calc.rollup(
                rollup,
                [None if level is None else level[0] for level in levels_of],
                threshold=threshold,
                scale_max=maximum,
            )
            value = None if value is None else round(value, 6)
            ids = sorted(i for level in present for i in level[3])
            found[(student, parent)] = (value, value is not None and value >= threshold, True, ids)
    return found


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(
        st.tuples(
            st.integers(0, 3), st.integers(0, 6), st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0, 3.25, 4.0])
        ),
        min_size=1,
        max_size=40,
    ),
    method=st.sampled_from(list(Method)),
    rollup=st.sampled_from(list(calc.RollupRule)),
)
def test_a_districts_levels_as_columns_are_the_levels_list_by_list(
    scores: list[tuple[int, int, float]], method: Method, rollup: calc.RollupRule
) -> None:
    spec = MethodSpec(method, weight=0.4, n=2, m=3)
    scored: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for score_id, (student, node, value) in enumerate(scores, start=1):
        scored.setdefault((student, node), []).append((value, score_id))
    ordered = [
        (student, node, value, score_id)
        for (student, node), items in scored.items()
        for value, score_id in items
    ]
    # Sorted by student and competency, each group oldest first (here: in order of id).
    rows = sorted(ordered, key=lambda row: (row[0], row[1], row[3]))
    tree = district_tree(spec, rollup)
    columns = level_columns(
        students=np.array([row[0] for row in rows], dtype=np.int64),
        competencies=tree.ids[[row[1] for row in rows]],
        values=np.array([row[2] for row in rows], dtype=np.float64),
        score_ids=np.array([row[3] for row in rows], dtype=np.int64),
        facts=tree,
        rules=Rules([spec]),
    )
    offsets = columns.offsets.tolist()
    got = {
        (int(columns.student[n]), int(np.searchsorted(tree.ids, columns.competency[n]))): (
            None if math.isnan(columns.level[n]) else float(columns.level[n]),
            bool(columns.meets_mastery[n]),
            bool(columns.rolled_up[n]),
            columns.score_ids[offsets[n] : offsets[n + 1]].tolist(),
        )
        for n in range(len(columns))
    }
    assert got == one_by_one(spec, rollup, scored)
    described = Rules([spec]).described()
    assert all(
        described[rule][3] == rolled for rule, rolled in zip(columns.rule, columns.rolled_up, strict=True)
    )


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=50))
def test_rounding_in_bulk_is_pythons_round(values: list[float]) -> None:
    halves = [value + 5e-7 for value in values] + [round(value, 6) + 5e-7 for value in values]
    every = np.array(values + halves + [math.nan])
    expected = [round(value, 6) for value in every.tolist()]
    got = _rounded(every).tolist()
    assert got[:-1] == expected[:-1]
    assert math.isnan(got[-1])
