"""Pure mastery arithmetic: each calculation method, its parameters and explanation, and the roll-up rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from waypoint.mastery.calc import (
    Method,
    MethodSpec,
    RollupRule,
    decaying_average,
    explain,
    highest,
    latest,
    level,
    mean,
    mode,
    n_of_m,
    n_of_m_level,
    power_law,
    rollup,
    weighted_average,
)

SCALE_MAX = 4.0
levels_on_scale = st.floats(min_value=0.0, max_value=SCALE_MAX)
score_lists = st.lists(st.one_of(st.integers(0, 4).map(float), levels_on_scale), min_size=1, max_size=30)
weights = st.floats(min_value=0.01, max_value=1.0)


@st.composite
def method_specs(draw: st.DrawFn) -> MethodSpec:
    n = draw(st.integers(1, 5))
    return MethodSpec(draw(st.sampled_from(Method)), weight=draw(weights), n=n, m=draw(st.integers(n, n + 5)))


def naive_power_law(scores: list[float]) -> float:
    """An independent least-squares fit of ln y against ln x, by numpy."""
    log_x = np.log(np.arange(1, len(scores) + 1))
    slope, intercept = np.polyfit(log_x, np.log(scores), 1)
    return float(np.exp(intercept + slope * log_x[-1]))


def test_every_method_has_no_level_without_scores() -> None:
    for method in (latest, highest, mean, mode, weighted_average, decaying_average, power_law):
        assert method([]) is None
    assert n_of_m_level([], 1, 1) is None


def test_latest_highest_and_mean() -> None:
    scores = [2.0, 4.0, 1.0, 3.0]
    assert latest(scores) == 3.0
    assert highest(scores) == 4.0
    assert mean(scores) == 2.5


def test_mode_is_the_most_frequent_score_and_a_tie_goes_to_the_higher() -> None:
    assert mode([2.0, 2.0, 4.0]) == 2.0
    assert mode([1.0, 3.0, 1.0, 3.0, 2.0]) == 3.0
    assert mode([3.0, 1.0]) == 3.0


def test_weighted_average_reproduces_canvas_example() -> None:
    # Canvas: 0.65 × 5 + 0.35 × mean(1, 2, 3, 4) = 3.25 + 0.875.
    assert weighted_average([1, 2, 3, 4, 5], 0.65) == pytest.approx(4.125)


def test_weighted_average_of_one_and_two_scores() -> None:
    assert weighted_average([3.0]) == 3.0
    assert weighted_average([2.0, 4.0], 0.75) == pytest.approx(0.75 * 4 + 0.25 * 2)


def test_decaying_average_by_hand() -> None:
    # d₁ = 1, d₂ = 0.35 × 1 + 0.65 × 2 = 1.65, d₃ = 0.35 × 1.65 + 0.65 × 3 = 2.5275.
    assert decaying_average([1.0, 2.0, 3.0], 0.65) == pytest.approx(2.5275)
    assert decaying_average([3.0]) == 3.0


@given(score_lists)
def test_full_weight_makes_both_averages_the_latest_score(scores: list[float]) -> None:
    assert weighted_average(scores, 1.0) == pytest.approx(scores[-1])
    assert decaying_average(scores, 1.0) == pytest.approx(scores[-1])


@pytest.mark.parametrize(
    ("scores", "published"),
    [
        ([1.0, 2.0, 3.0, 4.0], 4.00),
        ([1.0, 3.0, 2.0, 4.0], 3.66),
        ([2.0, 4.0, 1.0, 3.0], 2.16),
        ([4.0, 3.0, 2.0, 1.0], 1.28),
    ],
)
def test_power_law_reproduces_jumprope_published_levels(scores: list[float], published: float) -> None:
    result = power_law(scores, scale_min=1.0, scale_max=4.0)
    assert result is not None
    assert round(result, 2) == published


@given(
    st.floats(min_value=0.5, max_value=4.0),
    st.floats(min_value=-1.0, max_value=1.0),
    st.integers(min_value=3, max_value=20),
)
def test_power_law_returns_an_exact_power_curve_at_its_latest_point(
    factor: float, exponent: float, count: int
) -> None:
    scores = [factor * x**exponent for x in range(1, count + 1)]
    assert power_law(scores) == pytest.approx(factor * count**exponent, rel=1e-9)


@given(st.lists(st.floats(min_value=0.0, max_value=SCALE_MAX), min_size=3, max_size=20))
def test_power_law_matches_an_independent_fit_of_the_floored_scores(scores: list[float]) -> None:
    floored = [max(score, SCALE_MAX / 8) for score in scores]
    expected = min(naive_power_law(floored), SCALE_MAX)
    assert power_law(scores, scale_max=SCALE_MAX) == pytest.approx(expected, rel=1e-9)


def test_power_law_of_one_or_two_scores_is_the_latest_even_when_zero() -> None:
    assert power_law([3.0], scale_max=4.0) == 3.0
    assert power_law([0.0], scale_max=4.0) == 0.0
    assert power_law([1.0, 3.0], scale_max=4.0) == 3.0
    assert power_law([3.0, 0.0], scale_max=4.0) == 0.0


def test_power_law_fits_scores_below_an_eighth_of_the_scale_as_that_eighth() -> None:
    at_floor = power_law([0.5, 2.0, 3.0], scale_max=4.0)
    assert power_law([0.0, 2.0, 3.0], scale_max=4.0) == at_floor
    assert power_law([0.3, 2.0, 3.0], scale_max=4.0) == at_floor
    assert at_floor == pytest.approx(naive_power_law([0.5, 2.0, 3.0]))
    assert power_law([0.0, 0.0, 0.0], scale_max=4.0) == pytest.approx(0.5)


def test_power_law_without_a_scale_refuses_zeros() -> None:
    with pytest.raises(ValueError, match="scale_max"):
        power_law([1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="positive scale_max"):
        power_law([1.0, 2.0, 3.0], scale_max=0.0)


def test_power_law_is_clipped_to_the_scale() -> None:
    unclipped = naive_power_law([1.0, 2.0, 4.0])
    assert unclipped > 3.5
    assert power_law([1.0, 2.0, 4.0]) == pytest.approx(unclipped)
    assert power_law([1.0, 2.0, 4.0], scale_max=3.5) == 3.5
    assert power_law([3.0, 2.0, 1.0], scale_min=2.0, scale_max=4.0) == 2.0


@given(score_lists, st.floats(min_value=0.01, max_value=100.0))
def test_power_law_is_scale_invariant(scores: list[float], stretch: float) -> None:
    stretched = power_law([stretch * score for score in scores], scale_max=stretch * SCALE_MAX)
    original = power_law(scores, scale_max=SCALE_MAX)
    assert stretched is not None
    assert original is not None
    assert stretched == pytest.approx(stretch * original, rel=1e-9, abs=1e-12)


def test_n_of_m_counts_only_the_last_m_scores() -> None:
    assert n_of_m([1.0, 3.0, 4.0, 2.0, 3.0], 3, 4, 3.0)
    assert not n_of_m([3.0, 3.0, 1.0, 2.0, 3.0], 2, 3, 3.0)
    assert n_of_m([3.0, 3.0, 1.0, 2.0, 3.0], 2, 5, 3.0)
    assert not n_of_m([4.0, 4.0], 3, 5, 1.0)


def test_n_of_m_level_is_the_nth_highest_of_the_window() -> None:
    assert n_of_m_level([1.0, 3.0, 4.0, 2.0, 3.0], 3, 4) == 3.0
    assert n_of_m_level([4.0, 4.0, 4.0, 1.0, 2.0], 2, 3) == 2.0
    assert n_of_m_level([2.0, 4.0], 2, 5) == 2.0
    assert n_of_m_level([4.0, 4.0], 3, 5) is None


@pytest.mark.parametrize(("n", "m"), [(0, 3), (3, 2)])
def test_n_of_m_rejects_impossible_counts(n: int, m: int) -> None:
    with pytest.raises(ValueError, match="must be at least"):
        n_of_m([1.0], n, m, 1.0)
    with pytest.raises(ValueError, match="must be at least"):
        n_of_m_level([1.0], n, m)


@given(
    st.lists(st.integers(0, 4).map(float), max_size=12), st.integers(1, 5), st.integers(0, 5), levels_on_scale
)
def test_n_of_m_holds_exactly_when_its_level_reaches_the_threshold(
    scores: list[float], n: int, extra: int, threshold: float
) -> None:
    m = n + extra
    reached = n_of_m_level(scores, n, m)
    assert n_of_m(scores, n, m, threshold) == (reached is not None and reached >= threshold)


@given(st.lists(levels_on_scale, min_size=1, max_size=12), st.integers(1, 5), st.integers(0, 5))
def test_n_of_m_level_is_the_highest_level_n_scores_reach(scores: list[float], n: int, extra: int) -> None:
    m = n + extra
    window = scores[-m:]
    reached_by_n = [candidate for candidate in window if sum(score >= candidate for score in window) >= n]
    expected = max(reached_by_n) if len(scores) >= n else None
    assert n_of_m_level(scores, n, m) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (MethodSpec(Method.WEIGHTED_AVERAGE, weight=0.0), "weight"),
        (MethodSpec(Method.DECAYING_AVERAGE, weight=1.5), "weight"),
        (MethodSpec(Method.DECAYING_AVERAGE, weight=math.nan), "weight"),
        (MethodSpec(Method.N_OF_M, n=0, m=3), "n must be at least 1"),
        (MethodSpec(Method.N_OF_M, n=4, m=3), r"m must be at least n \(4\)"),
    ],
)
def test_spec_validation_names_the_bad_parameter(spec: MethodSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec.validate()


def test_spec_accepts_full_weight() -> None:
    MethodSpec(Method.WEIGHTED_AVERAGE, weight=1.0).validate()


def test_spec_parameters_are_only_those_the_method_uses() -> None:
    assert MethodSpec(Method.WEIGHTED_AVERAGE, weight=0.5).parameters() == {"weight": 0.5}
    assert MethodSpec(Method.DECAYING_AVERAGE).parameters() == {"weight": 0.65}
    assert MethodSpec(Method.N_OF_M, n=2, m=4).parameters() == {"n": 2, "m": 4}
    for method in (Method.LATEST, Method.HIGHEST, Method.MEAN, Method.MODE, Method.POWER_LAW):
        assert MethodSpec(method, weight=0.5, n=1, m=1).parameters() == {}


@given(method_specs())
def test_spec_survives_a_round_trip_through_its_parameters(spec: MethodSpec) -> None:
    again = MethodSpec.from_parameters(spec.method.value, spec.parameters())
    assert again.method is spec.method
    assert again.parameters() == spec.parameters()


def test_from_parameters_fills_defaults() -> None:
    assert MethodSpec.from_parameters("n_of_m", {"n": 2}) == MethodSpec(Method.N_OF_M, n=2, m=5)
    assert MethodSpec.from_parameters("decaying_average", {"weight": 1}).weight == 1.0


@pytest.mark.parametrize(
    ("method", "parameters", "message"),
    [
        ("median", {}, "unknown calculation method 'median'"),
        ("latest", {"weight": 0.5}, "latest does not take the parameter"),
        ("weighted_average", {"wieght": 0.5}, "wieght"),
        ("weighted_average", {"weight": "0.5"}, "weight must be a number"),
        ("weighted_average", {"weight": True}, "weight must be a number"),
        ("weighted_average", {"weight": 2}, "weight must be greater than 0"),
        ("n_of_m", {"n": 2.0}, "n must be a whole number"),
        ("n_of_m", {"m": None}, "m must be a whole number"),
        ("n_of_m", {"n": 6}, "m must be at least n"),
    ],
)
def test_from_parameters_rejects_what_it_cannot_use(
    method: str, parameters: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        MethodSpec.from_parameters(method, parameters)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (MethodSpec(Method.LATEST), 1.0),
        (MethodSpec(Method.HIGHEST), 4.0),
        (MethodSpec(Method.MEAN), 2.25),
        (MethodSpec(Method.MODE), 2.0),
        (MethodSpec(Method.WEIGHTED_AVERAGE, weight=0.5), 0.5 * 1 + 0.5 * 8 / 3),
        (MethodSpec(Method.DECAYING_AVERAGE, weight=0.5), ((2 * 0.5 + 4 * 0.5) * 0.5 + 2 * 0.5) * 0.5 + 0.5),
        (MethodSpec(Method.N_OF_M, n=2, m=3), 2.0),
    ],
)
def test_level_applies_the_method(spec: MethodSpec, expected: float) -> None:
    assert level(spec, [2.0, 4.0, 2.0, 1.0], scale_min=0.0, scale_max=4.0) == pytest.approx(expected)


def test_level_clamps_to_the_scale_and_is_none_without_enough_scores() -> None:
    assert level(MethodSpec(Method.HIGHEST), [2.0, 5.0], scale_min=1.0, scale_max=4.0) == 4.0
    assert level(MethodSpec(Method.LATEST), [2.0, 0.0], scale_min=1.0, scale_max=4.0) == 1.0
    assert level(MethodSpec(Method.MEAN), [], scale_min=1.0, scale_max=4.0) is None
    assert level(MethodSpec(Method.N_OF_M, n=3), [4.0, 4.0], scale_min=1.0, scale_max=4.0) is None


def test_level_refuses_a_bad_spec_or_scale() -> None:
    with pytest.raises(ValueError, match="weight"):
        level(MethodSpec(Method.DECAYING_AVERAGE, weight=0.0), [1.0], scale_min=0.0, scale_max=4.0)
    with pytest.raises(ValueError, match="scale_min"):
        level(MethodSpec(Method.LATEST), [1.0], scale_min=4.0, scale_max=1.0)


@st.composite
def scales_and_scores(draw: st.DrawFn) -> tuple[float, float, list[float]]:
    scale_min = draw(st.sampled_from([0.0, 1.0]))
    scale_max = scale_min + draw(st.floats(min_value=0.25, max_value=100.0))
    score = st.one_of(
        st.just(scale_min),
        st.integers(math.ceil(scale_min), math.floor(scale_max)).map(float),
        st.floats(min_value=scale_min, max_value=scale_max),
    )
    return scale_min, scale_max, draw(st.lists(score, min_size=1, max_size=30))


@given(method_specs(), scales_and_scores())
def test_level_stays_on_the_scale_and_only_the_power_law_leaves_the_scores_range(
    spec: MethodSpec, scale_and_scores: tuple[float, float, list[float]]
) -> None:
    scale_min, scale_max, scores = scale_and_scores
    result = level(spec, scores, scale_min=scale_min, scale_max=scale_max)
    if result is None:
        assert spec.method is Method.N_OF_M
        assert len(scores) < spec.n
        return
    assert scale_min <= result <= scale_max
    if spec.method is not Method.POWER_LAW:
        # Averages are convex combinations; allow only floating-point rounding beyond the scores.
        rounding = 1e-12 * scale_max
        assert min(scores) - rounding <= result <= max(scores) + rounding


def test_power_law_level_can_rise_above_every_score() -> None:
    result = level(MethodSpec(Method.POWER_LAW), [1.0, 2.0, 3.0, 3.5], scale_min=0.0, scale_max=4.0)
    assert result is not None
    assert result > 3.5


@pytest.mark.parametrize(
    ("spec", "score_count", "sentence"),
    [
        (MethodSpec(Method.MEAN), 0, "No scores yet, so there is no level."),
        (MethodSpec(Method.LATEST), 3, "Your level is your most recent score."),
        (MethodSpec(Method.HIGHEST), 1, "Your level is your only score so far."),
        (
            MethodSpec(Method.WEIGHTED_AVERAGE),
            4,
            "Your level is a weighted average: your latest score counts 65 % and the average of your "
            "3 earlier scores counts 35 %.",
        ),
        (
            MethodSpec(Method.WEIGHTED_AVERAGE, weight=0.7),
            2,
            "Your level is a weighted average: your latest score counts 70 % and your earlier score "
            "counts 30 %.",
        ),
        (MethodSpec(Method.DECAYING_AVERAGE, weight=1.0), 5, "Your level is your most recent score."),
        (
            MethodSpec(Method.N_OF_M, n=3, m=5),
            7,
            "Your level is the level that at least 3 of your last 5 scores reach.",
        ),
        (
            MethodSpec(Method.N_OF_M, n=3, m=5),
            4,
            "Your level is the level that at least 3 of your 4 scores reach.",
        ),
        (MethodSpec(Method.N_OF_M, n=1, m=5), 9, "Your level is the highest of your last 5 scores."),
        (
            MethodSpec(Method.N_OF_M, n=3, m=5),
            2,
            "There is no level yet, because it needs at least 3 scores and you have 2.",
        ),
        (
            MethodSpec(Method.POWER_LAW),
            2,
            "Your level is your most recent score, because 2 scores are not enough to show a trend.",
        ),
    ],
)
def test_explain_in_plain_words(spec: MethodSpec, score_count: int, sentence: str) -> None:
    assert explain(spec, score_count=score_count) == sentence


@given(method_specs(), st.integers(0, 40))
def test_explain_is_one_sentence_that_mentions_the_score_count(spec: MethodSpec, score_count: int) -> None:
    sentence = explain(spec, score_count=score_count)
    assert sentence[0].isupper()
    assert sentence.endswith(".")
    assert ". " not in sentence
    if score_count == 0:
        assert "no level" in sentence
    elif spec.method is Method.POWER_LAW and score_count >= 3:
        assert f"trend of your {score_count} scores" in sentence


children = st.lists(st.one_of(st.none(), levels_on_scale), max_size=8)
rules = st.sampled_from(RollupRule)
thresholds = st.floats(min_value=0.5, max_value=SCALE_MAX)


def test_rollup_mean_and_minimum_ignore_children_without_a_level() -> None:
    assert rollup(RollupRule.MEAN, [2.0, None, 4.0], threshold=3.0, scale_max=4.0) == 3.0
    assert rollup(RollupRule.MINIMUM, [2.0, None, 4.0], threshold=3.0, scale_max=4.0) == 2.0


def test_rollup_all_mastered() -> None:
    assert rollup(RollupRule.ALL_MASTERED, [3.0, 4.0, 3.5], threshold=3.0, scale_max=4.0) == 3.0
    assert rollup(RollupRule.ALL_MASTERED, [3.0, 2.5, 1.5, None], threshold=3.0, scale_max=4.0) == 1.5
    # Everything present is mastered but one child has no level yet: mastery cannot be claimed.
    assert rollup(RollupRule.ALL_MASTERED, [3.0, 4.0, None], threshold=3.0, scale_max=4.0) is None


def test_rollup_points_follows_moodle() -> None:
    # Two of four equally weighted children mastered: half the threshold.
    assert rollup(RollupRule.POINTS, [3.0, 1.0, None, 4.0], threshold=3.0, scale_max=4.0) == 1.5
    # 5 of 6 points earned, 5 required: exactly the threshold.
    assert rollup(
        RollupRule.POINTS, [3.0, 4.0, 1.0], threshold=3.0, scale_max=4.0, points=[2, 3, 1], required_points=5
    ) == pytest.approx(3.0)
    # 6 earned, 4 required: 4.5 is capped at the top of the scale.
    assert (
        rollup(RollupRule.POINTS, [3.0, 4.0], threshold=3.0, scale_max=4.0, points=[3, 3], required_points=4)
        == 4.0
    )


@pytest.mark.parametrize(
    ("rule", "threshold", "points", "required_points", "message"),
    [
        (RollupRule.POINTS, 3.0, [1.0], None, "1 points given for 2 children"),
        (RollupRule.POINTS, 3.0, [1.0, -1.0], None, "must not be negative"),
        (RollupRule.POINTS, 3.0, None, 0.0, "required_points must be greater than 0"),
        (RollupRule.POINTS, 3.0, [0.0, 0.0], None, "add up to 0"),
        (RollupRule.MEAN, 3.0, [1.0, 1.0], None, "only to the points rule"),
        (RollupRule.MINIMUM, 5.0, None, None, r"threshold \(5.0\) is above scale_max"),
    ],
)
def test_rollup_rejects_bad_options(
    rule: RollupRule,
    threshold: float,
    points: list[float] | None,
    required_points: float | None,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        rollup(
            rule,
            [3.0, 2.0],
            threshold=threshold,
            scale_max=4.0,
            points=points,
            required_points=required_points,
        )


@given(rules, children, thresholds)
def test_rollup_never_exceeds_the_scale_and_is_none_without_evidence(
    rule: RollupRule, levels: list[float | None], threshold: float
) -> None:
    result = rollup(rule, levels, threshold=threshold, scale_max=SCALE_MAX)
    present = [child for child in levels if child is not None]
    no_evidence = not present
    if rule is RollupRule.ALL_MASTERED:
        no_evidence = no_evidence or (len(present) < len(levels) and min(present) >= threshold)
    assert (result is None) == no_evidence
    assert result is None or result <= SCALE_MAX


@given(children, thresholds)
def test_all_mastered_reaches_the_threshold_exactly_when_every_child_is_mastered(
    levels: list[float | None], threshold: float
) -> None:
    result = rollup(RollupRule.ALL_MASTERED, levels, threshold=threshold, scale_max=SCALE_MAX)
    every_child_mastered = bool(levels) and all(child is not None and child >= threshold for child in levels)
    assert (result is not None and result >= threshold) == every_child_mastered


@given(children, st.data())
def test_minimum_never_exceeds_mean(levels: list[float | None], data: st.DataObject) -> None:
    assume(any(child is not None for child in levels))
    threshold = data.draw(thresholds)
    lowest = rollup(RollupRule.MINIMUM, levels, threshold=threshold, scale_max=SCALE_MAX)
    average = rollup(RollupRule.MEAN, levels, threshold=threshold, scale_max=SCALE_MAX)
    assert lowest is not None
    assert average is not None
    assert lowest <= average + 1e-12


@given(st.data())
def test_points_reach_the_threshold_exactly_when_the_required_points_are_earned(data: st.DataObject) -> None:
    levels = data.draw(st.lists(st.one_of(st.none(), levels_on_scale), min_size=1, max_size=8))
    assume(any(child is not None for child in levels))
    points = data.draw(st.lists(st.integers(1, 5).map(float), min_size=len(levels), max_size=len(levels)))
    required = data.draw(st.one_of(st.none(), st.integers(1, 40).map(float)))
    threshold = data.draw(thresholds)
    result = rollup(
        RollupRule.POINTS,
        levels,
        threshold=threshold,
        scale_max=SCALE_MAX,
        points=points,
        required_points=required,
    )
    earned = sum(
        p for child, p in zip(levels, points, strict=True) if child is not None and child >= threshold
    )
    assert result is not None
    assert (result >= threshold) == (earned >= (sum(points) if required is None else required))
