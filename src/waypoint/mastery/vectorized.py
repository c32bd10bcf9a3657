"""Mastery levels for many (student, competency) groups at once, with numpy and no loop over groups.

The scores of all groups lie in one array, each group's scores together and oldest first; an array of start
offsets marks where each group begins. Each method gives, per group, what ``calc.level`` gives for that
group's scores, to within rounding (1e-9).

`level_columns` builds on them every level of a district from its counted scores, as columns (no Python
object per level) for the bulk recompute: own-score levels, then the roll-ups from the deepest parents up,
exactly as the engine's rule of a level gives them list by list (see `mastery.services`), to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from waypoint.mastery.calc import Method, MethodSpec, RollupRule, power_law_floor

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def group_starts_from_keys(keys: IntArray) -> IntArray:
    """The offsets at which a new group begins, for keys sorted so that equal keys are adjacent.

    >>> group_starts_from_keys(np.array([7, 7, 3, 9, 9, 9]))
    array([0, 2, 3])
    """
    keys = np.asarray(keys)
    if keys.size == 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]).astype(np.int64)


def levels(
    spec: MethodSpec,
    group_starts: IntArray,
    scores: FloatArray,
    *,
    scale_min: float,
    scale_max: float,
) -> FloatArray:
    """One level per group, clamped to [``scale_min``, ``scale_max``].

    ``group_starts`` must start at 0 and rise strictly (every group has a score). Where ``calc.level`` gives
    None (n of m with fewer than n scores) the level is NaN; no other method gives NaN.

    >>> levels(MethodSpec(Method.MEAN), np.array([0, 2]), np.array([1.0, 3.0, 4.0]), scale_min=0, scale_max=4)
    array([2., 4.])
    """
    spec.validate()
    if scale_min > scale_max:
        raise ValueError(f"scale_min ({scale_min}) is above scale_max ({scale_max})")
    scores = np.asarray(scores, dtype=np.float64)
    starts = np.asarray(group_starts, dtype=np.int64)
    _check_groups(starts, scores.size)
    if starts.size == 0:
        return np.empty(0, dtype=np.float64)
    lengths = np.diff(starts, append=scores.size)
    last = starts + lengths - 1
    match spec.method:
        case Method.LATEST:
            result = scores[last]
        case Method.HIGHEST:
            result = np.maximum.reduceat(scores, starts)
        case Method.MEAN:
            result = np.add.reduceat(scores, starts) / lengths
        case Method.MODE:
            result = _mode(scores, lengths)
        case Method.WEIGHTED_AVERAGE:
            result = _weighted_average(scores, starts, lengths, last, spec.weight)
        case Method.DECAYING_AVERAGE:
            result = _decaying_average(scores, starts, lengths, last, spec.weight)
        case Method.POWER_LAW:
            result = _power_law(scores, starts, lengths, last, scale_max)
        case Method.N_OF_M:
            result = _n_of_m_level(scores, lengths, last, spec.n, spec.m)
    return np.clip(result, scale_min, scale_max)


def _check_groups(starts: IntArray, score_count: int) -> None:
    if starts.ndim != 1:
        raise ValueError("group_starts must be one-dimensional")
    if starts.size == 0:
        if score_count:
            raise ValueError(f"{score_count} scores but no group starts")
        return
    if starts[0] != 0:
        raise ValueError(f"the first group must start at 0, not {starts[0]}")
    if np.any(np.diff(starts) <= 0) or starts[-1] >= score_count:
        raise ValueError(
            "group_starts must rise strictly and stay below the score count: every group needs a score"
        )


def _steps_to_latest(lengths: IntArray, last: IntArray) -> IntArray:
    """For each score, how many scores of its group come after it (0 for the latest)."""
    return np.repeat(last, lengths) - np.arange(last[-1] + 1)


def _weighted_average(
    scores: FloatArray, starts: IntArray, lengths: IntArray, last: IntArray, weight: float
) -> FloatArray:
    latest = scores[last]
    earlier = scores.copy()
    # Summing the earlier scores directly, not the total minus the latest, avoids cancellation.
    earlier[last] = 0.0
    earlier_mean = np.add.reduceat(earlier, starts) / np.maximum(lengths - 1, 1)
    return np.where(lengths == 1, latest, weight * latest + (1 - weight) * earlier_mean)


def _decaying_average(
    scores: FloatArray, starts: IntArray, lengths: IntArray, last: IntArray, weight: float
) -> FloatArray:
    # Closed form of the recursion: dₙ = (1−w)ⁿ⁻¹·s₁ + Σₖ₌₂…ₙ w·(1−w)ⁿ⁻ᵏ·sₖ. Counting the exponent down from
    # the latest score makes the old terms underflow to 0 in long groups instead of overflowing.
    decay = np.power(1 - weight, _steps_to_latest(lengths, last))
    terms = weight * decay * scores
    terms[starts] = decay[starts] * scores[starts]
    result: FloatArray = np.add.reduceat(terms, starts)
    return result


def _power_law(
    scores: FloatArray, starts: IntArray, lengths: IntArray, last: IntArray, scale_max: float
) -> FloatArray:
    if scale_max <= 0:
        raise ValueError(f"power_law needs a positive scale_max, got {scale_max}")
    position = np.arange(scores.size) - np.repeat(starts, lengths)
    log_x = np.log(position + 1.0)
    log_y = np.log(np.maximum(scores, power_law_floor(scale_max)))
    mean_log_x = np.add.reduceat(log_x, starts) / lengths
    mean_log_y = np.add.reduceat(log_y, starts) / lengths
    # Centred sums, as in calc.power_law, rather than Σx² − (Σx)²/n, which cancels badly.
    dx = log_x - np.repeat(mean_log_x, lengths)
    dy = log_y - np.repeat(mean_log_y, lengths)
    spread_x = np.add.reduceat(dx * dx, starts)
    covariance = np.add.reduceat(dx * dy, starts)
    short = lengths <= 2
    # Groups of one or two scores take the latest score; a dummy spread keeps single scores from dividing 0/0.
    exponent = covariance / np.where(short, 1.0, spread_x)
    trend_now = np.exp(mean_log_y + exponent * (np.log(lengths) - mean_log_x))
    return np.where(short, scores[last], trend_now)


def _mode(scores: FloatArray, lengths: IntArray) -> FloatArray:
    group_of = np.repeat(np.arange(lengths.size), lengths)
    order = np.lexsort((scores, group_of))
    values, groups = scores[order], group_of[order]
    # A run is one group's copies of one value; sorted by value, a group's last run is its highest value.
    run_starts = np.flatnonzero(np.r_[True, (values[1:] != values[:-1]) | (groups[1:] != groups[:-1])])
    run_counts = np.diff(run_starts, append=scores.size)
    run_groups = groups[run_starts]
    first_run = group_starts_from_keys(run_groups)
    runs_per_group = np.diff(first_run, append=run_starts.size)
    most_often = np.maximum.reduceat(run_counts, first_run)
    is_most_often = run_counts == np.repeat(most_often, runs_per_group)
    highest_most_often = np.maximum.reduceat(
        np.where(is_most_often, np.arange(run_starts.size), -1), first_run
    )
    result: FloatArray = values[run_starts[highest_most_often]]
    return result


def _n_of_m_level(scores: FloatArray, lengths: IntArray, last: IntArray, n: int, m: int) -> FloatArray:
    in_window = _steps_to_latest(lengths, last) < m
    window_scores = scores[in_window]
    window_groups = np.repeat(np.arange(lengths.size), lengths)[in_window]
    # Each group's window, highest score first: the n-th of them is the level n scores reach.
    high_to_low = window_scores[np.lexsort((-window_scores, window_groups))]
    window_lengths = np.minimum(lengths, m)
    window_starts = np.cumsum(window_lengths) - window_lengths
    result = np.full(lengths.size, np.nan)
    enough = lengths >= n
    result[enough] = high_to_low[window_starts[enough] + n - 1]
    return result


# A district's levels ---------------------------------------------------------------------------------------

BoolArray = NDArray[np.bool_]

DIGITS = 6
ROLLUPS = list(RollupRule)


@dataclass(frozen=True)
class Competencies:
    """What the engine needs of every competency involved, as columns indexed by position; `ids` ascending.

    `rule` numbers the competency's own method in `Rules.specs`; `rollup` its roll-up in `ROLLUPS`;
    `sibling` its place among its parent's children (their order decides how a mean adds up)."""

    ids: IntArray
    parent: IntArray  # position of the parent, -1 for a root
    depth: IntArray
    sibling: IntArray
    children: IntArray  # how many children it has in its version
    version: IntArray
    rule: IntArray
    rollup: IntArray
    scale: IntArray  # a number per distinct scale, for batching
    minimum: FloatArray
    maximum: FloatArray
    threshold: FloatArray


@dataclass(frozen=True)
class Rules:
    """The methods in force, numbered: a level's rule number is its method's index in `specs`, or, rolled
    up, len(specs) + the roll-up's index in ROLLUPS."""

    specs: list[MethodSpec]

    def described(self) -> list[tuple[int, str, dict[str, float | int], bool]]:
        """(number, method name, parameters, rolled up) for every rule number."""
        own = [(n, spec.method.value, spec.parameters(), False) for n, spec in enumerate(self.specs)]
        rolled: list[tuple[int, str, dict[str, float | int], bool]] = [
            (len(self.specs) + n, f"rollup:{rollup.value}", {}, True) for n, rollup in enumerate(ROLLUPS)
        ]
        return [*own, *rolled]


@dataclass(frozen=True)
class LevelColumns:
    """Levels, one row per (student, competency): a NaN level is no level; row i was computed from the
    scores `score_ids[offsets[i]:offsets[i + 1]]`."""

    student: IntArray
    competency: IntArray  # the competency's id
    level: FloatArray
    meets_mastery: BoolArray
    rule: IntArray
    rolled_up: BoolArray
    id_counts: IntArray
    score_ids: IntArray

    def __len__(self) -> int:
        return int(self.student.size)

    @property
    def offsets(self) -> IntArray:
        return np.concatenate(([0], np.cumsum(self.id_counts))).astype(np.int64)


@dataclass(frozen=True)
class _Layer:
    """Levels at one depth, `competency` as positions in Competencies."""

    student: IntArray
    competency: IntArray
    level: FloatArray
    rule: IntArray
    rolled_up: BoolArray
    id_counts: IntArray
    score_ids: IntArray

    def take(self, rows: IntArray) -> _Layer:
        starts = np.concatenate(([0], np.cumsum(self.id_counts)[:-1])).astype(np.int64)
        return _Layer(
            self.student[rows],
            self.competency[rows],
            self.level[rows],
            self.rule[rows],
            self.rolled_up[rows],
            self.id_counts[rows],
            self.score_ids[_gather(starts[rows], self.id_counts[rows])],
        )


def _gather(starts: IntArray, counts: IntArray) -> IntArray:
    """The indexes starts[i], starts[i] + 1, … (counts[i] of them), for every i in turn."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    run_starts = np.cumsum(counts) - counts
    return np.repeat(starts - run_starts, counts) + np.arange(total, dtype=np.int64)


def _rounded(levels: FloatArray) -> FloatArray:
    """Each level as Python's `round(level, 6)` gives it.

    `round` rounds the exact decimal value of the float; np.round rounds its product by 10⁶, itself rounded,
    so the two can pick different neighbours only when the product lies within a few ulps of a half. Those
    few are rounded by Python; dividing the rounded integer by 10⁶ is then exact to the nearest float, as
    `round` is."""
    scaled = levels * 10.0**DIGITS
    result: FloatArray = np.rint(scaled) / 10.0**DIGITS
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6 + np.abs(scaled) * 1e-12
    for index in np.flatnonzero(near_half).tolist():
        result[index] = round(float(levels[index]), DIGITS)
    return result


def _concat(layers: Sequence[_Layer]) -> _Layer:
    return _Layer(
        *(np.concatenate([getattr(layer, name) for layer in layers]) for name in _Layer.__annotations__)
    )


def level_columns(
    *,
    students: IntArray,
    competencies: IntArray,
    values: FloatArray,
    score_ids: IntArray,
    facts: Competencies,
    rules: Rules,
) -> LevelColumns:
    """Every level that follows from the counted scores given (sorted by student, competency, then oldest
    first), by the rules: own-score levels, then roll-ups."""
    positions = np.searchsorted(facts.ids, competencies).astype(np.int64)
    own = _own_levels(students, positions, values, score_ids, facts, rules)
    depth = facts.depth[own.competency]
    layers: list[_Layer] = []
    below: _Layer | None = None
    for level_depth in range(int(facts.depth.max(initial=0)), -1, -1):
        here = own.take(np.flatnonzero(depth == level_depth))
        if below is not None and below.student.size:
            rolled = _rolled(below, facts, rules)
            if rolled.student.size:
                count = facts.ids.size
                replaced = np.isin(
                    here.student * count + here.competency, rolled.student * count + rolled.competency
                )
                here = _concat([here.take(np.flatnonzero(~replaced)), rolled])
        layers.append(here)
        below = here
    every = _concat(layers)
    order = np.lexsort((facts.ids[every.competency], every.student))
    every = every.take(order)
    threshold = facts.threshold[every.competency]
    return LevelColumns(
        student=every.student,
        competency=facts.ids[every.competency],
        level=every.level,
        meets_mastery=every.level >= threshold,
        rule=every.rule,
        rolled_up=every.rolled_up,
        id_counts=every.id_counts,
        score_ids=every.score_ids,
    )


def _own_levels(
    students: IntArray,
    positions: IntArray,
    values: FloatArray,
    score_ids: IntArray,
    facts: Competencies,
    rules: Rules,
) -> _Layer:
    if students.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return _Layer(empty, empty, np.empty(0), empty, np.empty(0, dtype=bool), empty, empty)
    starts = np.flatnonzero(np.r_[True, (students[1:] != students[:-1]) | (positions[1:] != positions[:-1])])
    lengths = np.diff(np.append(starts, students.size)).astype(np.int64)
    group_competency = positions[starts]
    found = np.full(starts.size, np.nan)
    # The vectorized methods run once per (method, scale) among the groups.
    batch = facts.rule[group_competency] * (int(facts.scale.max()) + 1) + facts.scale[group_competency]
    for key in np.unique(batch).tolist():
        chosen = batch == key
        chosen_lengths = lengths[chosen]
        position = int(group_competency[np.argmax(chosen)])
        found[chosen] = levels(
            rules.specs[int(facts.rule[position])],
            (np.cumsum(chosen_lengths) - chosen_lengths).astype(np.int64),
            values[np.repeat(chosen, lengths)],
            scale_min=float(facts.minimum[position]),
            scale_max=float(facts.maximum[position]),
        )
    return _Layer(
        student=students[starts],
        competency=group_competency,
        level=_rounded(found),
        rule=facts.rule[group_competency],
        rolled_up=np.zeros(starts.size, dtype=bool),
        id_counts=lengths,
        score_ids=score_ids.astype(np.int64),
    )


def _rolled(children: _Layer, facts: Competencies, rules: Rules) -> _Layer:
    """The roll-up of each parent of the children given (all of one depth, final) that has a child with a
    level; as `calc.rollup` computes it, child by child in their order."""
    with_parent = np.flatnonzero(facts.parent[children.competency] >= 0)
    rows = with_parent[
        np.lexsort(
            (
                facts.sibling[children.competency[with_parent]],
                facts.parent[children.competency[with_parent]],
                children.student[with_parent],
            )
        )
    ]
    student = children.student[rows]
    parent = facts.parent[children.competency[rows]]
    level = children.level[rows]
    present = ~np.isnan(level)
    if rows.size == 0:
        return children.take(rows)
    starts = np.flatnonzero(np.r_[True, (student[1:] != student[:-1]) | (parent[1:] != parent[:-1])])
    sizes = np.diff(np.append(starts, rows.size))
    group = np.repeat(np.arange(starts.size), sizes)
    rank = np.arange(rows.size) - np.repeat(starts, sizes)
    present_count = np.add.reduceat(present.astype(np.int64), starts)
    parents = parent[starts]
    threshold, maximum = facts.threshold[parents], facts.maximum[parents]
    # Adding a column at a time keeps calc.rollup's order of additions; an absent child adds 0.0, which
    # leaves the sum as it was.
    grid = np.zeros((starts.size, int(sizes.max())))
    grid[group, rank] = np.where(present, level, 0.0)
    total = np.zeros(starts.size)
    for column in range(grid.shape[1]):
        total = total + grid[:, column]
    lowest = np.minimum.reduceat(np.where(present, level, np.inf), starts)
    mastered = np.add.reduceat((present & (level >= np.repeat(threshold, sizes))).astype(np.float64), starts)
    expected = facts.children[parents]
    rollup = facts.rollup[parents]
    with np.errstate(divide="ignore", invalid="ignore"):
        by_rule = {
            RollupRule.MEAN: total / present_count,
            RollupRule.MINIMUM: lowest,
            RollupRule.ALL_MASTERED: np.where(
                lowest < threshold, lowest, np.where(present_count < expected, np.nan, threshold)
            ),
            RollupRule.POINTS: threshold * (mastered / expected.astype(np.float64)),
        }
    result = np.full(starts.size, np.nan)
    for number, rule in enumerate(ROLLUPS):
        chosen = rollup == number
        result[chosen] = by_rule[rule][chosen]
    result = np.minimum(result, maximum)
    kept = present_count > 0
    # A parent's scores are its children's with a level, in order of id.
    child_starts = np.concatenate(([0], np.cumsum(children.id_counts)[:-1])).astype(np.int64)
    counts = np.where(present, children.id_counts[rows], 0)
    ids = children.score_ids[_gather(child_starts[rows], counts)]
    id_group = np.repeat(group, counts)
    order = np.lexsort((ids, id_group))
    group_counts = np.bincount(group, weights=counts, minlength=starts.size).astype(np.int64)
    keep_ids = np.repeat(kept, group_counts)
    return _Layer(
        student=student[starts][kept],
        competency=parents[kept],
        level=_rounded(result[kept]),
        rule=len(rules.specs) + rollup[kept],
        rolled_up=np.ones(int(kept.sum()), dtype=bool),
        id_counts=group_counts[kept],
        score_ids=ids[order][keep_ids],
    )
