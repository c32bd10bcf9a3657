"""Mastery levels for many (student, competency) groups at once, with numpy and no loop over groups.

The scores of all groups lie in one array, each group's scores together and oldest first; an array of start
offsets marks where each group begins. Each method gives, per group, what ``calc.level`` gives for that
group's scores, to within rounding (1e-9).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from waypoint.mastery.calc import Method, MethodSpec, power_law_floor

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
