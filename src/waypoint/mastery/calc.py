"""Mastery calculation methods and roll-up rules as pure functions of scores.

Every method takes the scores of one student on one competency, oldest first, and returns that student's
level on the competency, or None when there are no scores. Roll-up rules turn the levels of a parent's
children (indicators of a competency, competencies of a graduate-profile domain) into the parent's level.
Nothing here touches the database; ``waypoint.mastery.vectorized`` computes the same levels in bulk.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_WEIGHT = 0.65

# A zero (or anything near it) has no logarithm, or one so negative that a single bad day would dominate the
# power-law fit. Scores below this fraction of the top of the scale are fitted as if they sat at it: 0.5 on
# the default 0–4 scale, half a step below the lowest passing level. Tying the floor to the scale keeps the
# fit scale-invariant: the same marks on a 0–100 scale give 25 times the level they give on 0–4.
POWER_LAW_FLOOR_FRACTION = 1 / 8


def latest(scores: Sequence[float]) -> float | None:
    """The most recent score.

    >>> latest([1, 4, 2])
    2
    """
    return scores[-1] if scores else None


def highest(scores: Sequence[float]) -> float | None:
    """The highest score, whenever it was earned.

    >>> highest([1, 4, 2])
    4
    """
    return max(scores) if scores else None


def mean(scores: Sequence[float]) -> float | None:
    """The arithmetic mean of all scores.

    >>> mean([1, 4, 2, 3])
    2.5
    """
    return sum(scores) / len(scores) if scores else None


def mode(scores: Sequence[float]) -> float | None:
    """The most frequent score; when several are equally frequent, the highest of them.

    >>> mode([2, 3, 2, 3, 1])
    3
    """
    if not scores:
        return None
    score, _count = max(Counter(scores).items(), key=lambda item: (item[1], item[0]))
    return score


def weighted_average(scores: Sequence[float], weight: float = DEFAULT_WEIGHT) -> float | None:
    """``weight`` × the latest score + (1 − ``weight``) × the mean of the earlier scores.

    Canvas's "weighted average" (formerly called "decaying average"). A single score is its own level.

    >>> weighted_average([1, 2, 3, 4, 5], 0.65)  # 0.65 × 5 + 0.35 × 2.5
    4.125
    """
    if not scores:
        return None
    if len(scores) == 1:
        return scores[0]
    earlier = scores[:-1]
    return weight * scores[-1] + (1 - weight) * sum(earlier) / len(earlier)


def decaying_average(scores: Sequence[float], weight: float = DEFAULT_WEIGHT) -> float | None:
    """The running average d₁ = s₁, dₖ = (1 − ``weight``) × dₖ₋₁ + ``weight`` × sₖ after the last score.

    Every score counts, with its influence shrinking by the factor (1 − ``weight``) at each newer score.

    >>> decaying_average([2, 4], 0.75)  # 0.25 × 2 + 0.75 × 4
    3.5
    """
    if not scores:
        return None
    running = scores[0]
    for score in scores[1:]:
        running = (1 - weight) * running + weight * score
    return running


def power_law_floor(scale_max: float) -> float:
    """The lowest score the power-law fit sees on a scale topped by ``scale_max``.

    >>> power_law_floor(4)
    0.5
    """
    return POWER_LAW_FLOOR_FRACTION * scale_max


def power_law(
    scores: Sequence[float], *, scale_min: float = 0.0, scale_max: float | None = None
) -> float | None:
    """Marzano's power law: the trend y = a·xᵇ through the scores (x = 1 … n), read off at the latest score.

    a and b come from a least-squares fit of ln y against ln x; the result is clipped to
    [``scale_min``, ``scale_max``] (``scale_max`` None: no upper bound).

    - One score is its own level, and with two scores the fit passes through both, so the level is the
      latest score, taken as it is (even 0).
    - From three scores on, every score below the floor ``scale_max`` / 8 (see ``power_law_floor``) is
      fitted as the floor, because a zero has no logarithm. So a run of zeros on a 0–4 scale fits to 0.5.
      Without ``scale_max`` there is no floor, and a score at or below 0 is a ValueError.

    JumpRope's published examples on a 1–4 scale:

    >>> round(power_law([1, 3, 2, 4], scale_max=4), 2)
    3.66
    >>> round(power_law([4, 3, 2, 1], scale_max=4), 2)
    1.28
    """
    if scale_max is not None and scale_max <= 0:
        raise ValueError(f"power_law needs a positive scale_max, got {scale_max}")
    count = len(scores)
    if count == 0:
        return None
    if count <= 2:
        return _clip(scores[-1], scale_min, scale_max)
    if scale_max is None:
        if min(scores) <= 0:
            raise ValueError("power_law needs scale_max to fit scores at or below 0 (it sets the floor)")
        fitted = list(scores)
    else:
        floor = power_law_floor(scale_max)
        fitted = [max(score, floor) for score in scores]
    log_x = [math.log(x) for x in range(1, count + 1)]
    log_y = [math.log(y) for y in fitted]
    mean_log_x = sum(log_x) / count
    mean_log_y = sum(log_y) / count
    spread_x = sum((lx - mean_log_x) ** 2 for lx in log_x)
    covariance = sum((lx - mean_log_x) * (ly - mean_log_y) for lx, ly in zip(log_x, log_y, strict=True))
    exponent = covariance / spread_x
    trend_now = math.exp(mean_log_y + exponent * (math.log(count) - mean_log_x))
    return _clip(trend_now, scale_min, scale_max)


def _check_n_of_m(n: int, m: int) -> None:
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if m < n:
        raise ValueError(f"m must be at least n ({n}), got {m}")


def n_of_m(scores: Sequence[float], n: int, m: int, threshold: float) -> bool:
    """Whether at least ``n`` of the last ``m`` scores are at or above ``threshold``.

    Fewer than ``n`` scores can never qualify.

    >>> n_of_m([1, 3, 4, 2, 3], 3, 4, 3)  # 3, 4, 2, 3: three at or above 3
    True
    """
    _check_n_of_m(n, m)
    return sum(score >= threshold for score in scores[-m:]) >= n


def n_of_m_level(scores: Sequence[float], n: int, m: int) -> float | None:
    """The highest level that at least ``n`` of the last ``m`` scores reach: the n-th highest of them.

    None with fewer than ``n`` scores. Fewer than ``m`` scores are all taken.

    >>> n_of_m_level([1, 3, 4, 2, 3], 3, 4)  # 3, 4, 2, 3 sorted high to low: 4, 3, 3, 2
    3
    """
    _check_n_of_m(n, m)
    if len(scores) < n:
        return None
    return sorted(scores[-m:], reverse=True)[n - 1]


class Method(StrEnum):
    """How a student's scores on one competency become a level."""

    LATEST = "latest"
    HIGHEST = "highest"
    MEAN = "mean"
    MODE = "mode"
    WEIGHTED_AVERAGE = "weighted_average"
    DECAYING_AVERAGE = "decaying_average"
    POWER_LAW = "power_law"
    N_OF_M = "n_of_m"


_WEIGHTED = frozenset({Method.WEIGHTED_AVERAGE, Method.DECAYING_AVERAGE})


@dataclass(frozen=True)
class MethodSpec:
    """A calculation method with its parameters: ``weight`` for the two averages, ``n`` and ``m`` for n of m.

    >>> MethodSpec(Method.N_OF_M, n=2, m=4).parameters()
    {'n': 2, 'm': 4}
    """

    method: Method
    weight: float = DEFAULT_WEIGHT
    n: int = 3
    m: int = 5

    def validate(self) -> None:
        """Raise ValueError naming the first parameter out of range.

        >>> MethodSpec(Method.DECAYING_AVERAGE, weight=0).validate()
        Traceback (most recent call last):
        ValueError: weight must be greater than 0 and at most 1, got 0
        """
        if not 0 < self.weight <= 1:
            raise ValueError(f"weight must be greater than 0 and at most 1, got {self.weight}")
        _check_n_of_m(self.n, self.m)

    def parameters(self) -> dict[str, float | int]:
        """The parameters this method uses, by name; the inverse of ``from_parameters``.

        >>> MethodSpec(Method.WEIGHTED_AVERAGE, weight=0.5).parameters()
        {'weight': 0.5}
        """
        if self.method in _WEIGHTED:
            return {"weight": self.weight}
        if self.method is Method.N_OF_M:
            return {"n": self.n, "m": self.m}
        return {}

    @classmethod
    def from_parameters(cls, method: str, parameters: Mapping[str, object]) -> MethodSpec:
        """A validated spec from a stored method name and parameters (a JSON object, say).

        Parameters the method does not use, or of the wrong type, are a ValueError; missing ones take
        their defaults.

        >>> MethodSpec.from_parameters("n_of_m", {"n": 2})
        MethodSpec(method=<Method.N_OF_M: 'n_of_m'>, weight=0.65, n=2, m=5)
        """
        try:
            chosen = Method(method)
        except ValueError:
            known = ", ".join(member.value for member in Method)
            raise ValueError(f"unknown calculation method {method!r}; known: {known}") from None
        unused = set(parameters) - set(cls(chosen).parameters())
        if unused:
            raise ValueError(f"{chosen.value} does not take the parameter(s) {', '.join(sorted(unused))}")
        weight = parameters.get("weight", DEFAULT_WEIGHT)
        # bool is an int subclass, but True is no weight or count.
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"weight must be a number, got {weight!r}")
        counts: dict[str, int] = {}
        for name, default in (("n", cls.n), ("m", cls.m)):
            value = parameters.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
            counts[name] = value
        spec = cls(chosen, weight=float(weight), n=counts["n"], m=counts["m"])
        spec.validate()
        return spec


def _clip(value: float, low: float, high: float | None) -> float:
    value = max(value, low)
    return value if high is None else min(value, high)


def level(spec: MethodSpec, scores: Sequence[float], *, scale_min: float, scale_max: float) -> float | None:
    """The level ``spec`` gives these scores (oldest first), clamped to [``scale_min``, ``scale_max``].

    None when there are no scores, and for n of m when there are fewer than n.

    >>> level(MethodSpec(Method.WEIGHTED_AVERAGE), [1, 2, 3, 4, 5], scale_min=0, scale_max=4)  # 4.125
    4
    """
    spec.validate()
    if scale_min > scale_max:
        raise ValueError(f"scale_min ({scale_min}) is above scale_max ({scale_max})")
    match spec.method:
        case Method.LATEST:
            result = latest(scores)
        case Method.HIGHEST:
            result = highest(scores)
        case Method.MEAN:
            result = mean(scores)
        case Method.MODE:
            result = mode(scores)
        case Method.WEIGHTED_AVERAGE:
            result = weighted_average(scores, spec.weight)
        case Method.DECAYING_AVERAGE:
            result = decaying_average(scores, spec.weight)
        case Method.POWER_LAW:
            result = power_law(scores, scale_min=scale_min, scale_max=scale_max)
        case Method.N_OF_M:
            result = n_of_m_level(scores, spec.n, spec.m)
    return None if result is None else _clip(result, scale_min, scale_max)


def _percent(fraction: float) -> str:
    return f"{round(fraction * 100, 1):g} %"


def _scores(count: int) -> str:
    return "1 score" if count == 1 else f"{count} scores"


def explain(spec: MethodSpec, *, score_count: int) -> str:
    """One sentence, for the student, on how their level came from their ``score_count`` scores.

    >>> explain(MethodSpec(Method.HIGHEST), score_count=4)
    'Your level is the highest of your 4 scores.'
    """
    if score_count <= 0:
        return "No scores yet, so there is no level."
    method = spec.method
    if method is Method.N_OF_M:
        return _explain_n_of_m(spec.n, spec.m, score_count)
    if score_count == 1:
        return "Your level is your only score so far."
    if method is Method.LATEST or (method in _WEIGHTED and spec.weight == 1):
        return "Your level is your most recent score."
    if method is Method.HIGHEST:
        return f"Your level is the highest of your {score_count} scores."
    if method is Method.MEAN:
        return f"Your level is the average of your {score_count} scores."
    if method is Method.MODE:
        return (
            f"Your level is the score you got most often out of your {score_count} scores, "
            "and if there is a tie the higher score wins."
        )
    latest_share, earlier_share = _percent(spec.weight), _percent(1 - spec.weight)
    if method is Method.WEIGHTED_AVERAGE:
        earlier = (
            "your earlier score"
            if score_count == 2
            else f"the average of your {score_count - 1} earlier scores"
        )
        return (
            f"Your level is a weighted average: your latest score counts {latest_share} "
            f"and {earlier} counts {earlier_share}."
        )
    if method is Method.DECAYING_AVERAGE:
        return (
            f"Your level is a running average of your {score_count} scores where each new score counts "
            f"{latest_share} and everything before it {earlier_share}, so recent scores matter most."
        )
    if score_count == 2:
        return "Your level is your most recent score, because 2 scores are not enough to show a trend."
    return (
        f"Your level is where the trend of your {score_count} scores says you are now, "
        "so steady improvement can lift it above your best score."
    )


def _explain_n_of_m(n: int, m: int, score_count: int) -> str:
    if score_count < n:
        return f"There is no level yet, because it needs at least {_scores(n)} and you have {score_count}."
    if score_count == 1:
        return "Your level is your only score so far."
    counted = f"your last {m} scores" if score_count > m else f"your {score_count} scores"
    if n == 1:
        return f"Your level is the highest of {counted}."
    if n == min(m, score_count):
        return f"Your level is the lowest of {counted}, because all of them must reach it."
    return f"Your level is the level that at least {n} of {counted} reach."


class RollupRule(StrEnum):
    """How the levels of a parent's children become the parent's level."""

    ALL_MASTERED = "all_mastered"
    MEAN = "mean"
    MINIMUM = "minimum"
    POINTS = "points"


def rollup(
    rule: RollupRule,
    child_levels: Sequence[float | None],
    *,
    threshold: float,
    scale_max: float,
    points: Sequence[float] | None = None,
    required_points: float | None = None,
) -> float | None:
    """The parent's level from its children's levels (None: no level yet), never above ``scale_max``.

    - MEAN: the mean of the children that have a level.
    - MINIMUM: the lowest level among the children that have one.
    - ALL_MASTERED: ``threshold`` when every child has a level at or above ``threshold``; otherwise the
      lowest present level when some child is below ``threshold``; otherwise (every child with a level is
      mastered but some have none yet) None, because mastery of the parent cannot be claimed yet and there
      is no lower evidence to report.
    - POINTS (Moodle's rule): each mastered child (level ≥ ``threshold``) earns its ``points`` (1 each by
      default), and the level is ``threshold`` × earned / ``required_points`` (by default the sum of all
      points), so the parent reaches ``threshold`` exactly when the required points are earned.

    Every rule gives None when no child has a level.

    >>> rollup(RollupRule.POINTS, [3, 1, None, 4], threshold=3, scale_max=4)  # 2 of 4 points earned
    1.5
    >>> rollup(RollupRule.ALL_MASTERED, [3, 2.5, None], threshold=3, scale_max=4)
    2.5
    """
    if threshold > scale_max:
        raise ValueError(f"threshold ({threshold}) is above scale_max ({scale_max})")
    if rule is not RollupRule.POINTS and (points is not None or required_points is not None):
        raise ValueError(f"points and required_points apply only to the points rule, not {rule.value}")
    child_points = [1.0] * len(child_levels) if points is None else list(points)
    if len(child_points) != len(child_levels):
        raise ValueError(f"{len(child_points)} points given for {len(child_levels)} children")
    if any(value < 0 for value in child_points):
        raise ValueError("points must not be negative")
    if required_points is not None and not required_points > 0:
        raise ValueError(f"required_points must be greater than 0, got {required_points}")
    present = [child for child in child_levels if child is not None]
    if not present:
        return None
    match rule:
        case RollupRule.MEAN:
            result = sum(present) / len(present)
        case RollupRule.MINIMUM:
            result = min(present)
        case RollupRule.ALL_MASTERED:
            lowest = min(present)
            if lowest < threshold:
                result = lowest
            elif len(present) < len(child_levels):
                return None
            else:
                result = threshold
        case RollupRule.POINTS:
            required = sum(child_points) if required_points is None else required_points
            if not required > 0:
                raise ValueError("the children's points add up to 0; give required_points")
            earned = sum(
                value
                for child, value in zip(child_levels, child_points, strict=True)
                if child is not None and child >= threshold
            )
            result = threshold * (earned / required)
    return min(result, scale_max)
