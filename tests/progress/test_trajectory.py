"""The pure trajectory arithmetic: hand-worked projections, the status bands, and properties (more mastery
never makes a projection later; the NumPy bulk path gives what the one-student path gives)."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from waypoint.progress import trajectory as t

D = datetime.date
START = D(2025, 9, 1)
ON = D(2026, 9, 1)
WINDOW = 84  # twelve weeks


def _assess(dates: list[datetime.date], *, required: int, prior: int = 0, years: int = 4) -> t.Assessment:
    return t.assess(
        dates=dates,
        required=required,
        on=ON,
        start=START,
        target_years=years,
        window_days=WINDOW,
        ahead_months=3,
        at_risk_months=6,
        prior=prior,
    )


# Three masteries in the twelve weeks before ON (28 days each) and five before the window.
IN_WINDOW = [D(2026, 6, 20), D(2026, 7, 15), D(2026, 8, 30)]
BEFORE = [D(2025, 10, 1), D(2025, 11, 1), D(2026, 1, 10), D(2026, 3, 3), D(2026, 5, 1)]


def test_pace_counts_the_window_per_month() -> None:
    # 3 masteries over 84 days = 3 / (84 / 30.436875) per month.
    assert t.pace(IN_WINDOW + BEFORE, on=ON, window_days=WINDOW) == pytest.approx(3 / (84 / 30.436875))
    # Three weeks into high school, the pace is measured over those three weeks (and the first day counts).
    assert t.pace([D(2025, 9, 1)], on=D(2025, 9, 21), window_days=WINDOW, since=START) == pytest.approx(
        1 / (21 / 30.436875)
    )


def test_a_hand_worked_projection_in_each_band() -> None:
    # 50 required, 8 mastered (5 before the window, 3 in it): 42 remain, at 28 days each = 1176 days after
    # 2026-09-01, which is 2029-11-20.
    for years, status in [(3, t.OFF_TRACK), (4, t.AT_RISK), (5, t.AHEAD)]:
        result = _assess(IN_WINDOW + BEFORE, required=50, years=years)
        assert result.mastered == 8
        assert result.projected_on == D(2029, 11, 20)
        assert result.status == status, years
    # The 3-year target is 2028-06-15: 523 days (17 months) late. 4 years: 2029-06-15, 158 days (5.2 months)
    # late, within the 6 months of "at risk". 5 years: 2030-06-15, 207 days (6.8 months) early: ahead.
    assert _assess(IN_WINDOW + BEFORE, required=50, years=3).reason_params["months"] == 17
    assert _assess(IN_WINDOW + BEFORE, required=50, years=4).target_on == D(2029, 6, 15)


def test_on_track_is_on_time_or_up_to_the_ahead_margin_early() -> None:
    # 7 earlier plus 8 dated = 15; 35 remain at 28 days = 980 days: 2029-05-08, 38 days before the target.
    result = _assess(IN_WINDOW + BEFORE, required=50, prior=7)
    assert result.projected_on == D(2029, 5, 8)
    assert result.status == t.ON_TRACK
    assert result.reason == t.REASON_ON_TRACK


def test_requirements_met_project_to_the_day_the_last_one_came() -> None:
    result = _assess(IN_WINDOW + BEFORE, required=5, prior=2)
    # 3 dated masteries were needed: the third, oldest first.
    assert result.projected_on == D(2026, 1, 10)
    assert result.reason == t.REASON_DONE
    assert result.status == t.AHEAD


def test_no_mastery_in_the_window_means_no_projection_and_off_track() -> None:
    result = _assess(BEFORE, required=50)
    assert result.projected_on is None
    assert result.status == t.OFF_TRACK
    assert result.reason == t.REASON_NO_PACE
    assert result.reason_params == {"weeks": 12, "remaining": 45}


def test_before_high_school_there_is_no_status() -> None:
    result = t.assess(
        dates=[],
        required=10,
        on=D(2025, 6, 1),
        start=START,
        target_years=4,
        window_days=WINDOW,
        ahead_months=3,
        at_risk_months=6,
    )
    assert result.status == t.UNKNOWN
    assert result.projected_on is None


def test_masteries_after_the_day_do_not_count() -> None:
    assert _assess([*IN_WINDOW, D(2026, 9, 2)], required=50).mastered == 3


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="3, 4, 5 or 6"):
        _assess([], required=10, years=7)
    with pytest.raises(ValueError, match="negative"):
        _assess([], required=-1)
    with pytest.raises(ValueError, match="window"):
        t.pace([], on=ON, window_days=0)


def test_model_trajectories_reach_the_requirements_at_their_target() -> None:
    for years in t.TARGET_YEARS:
        path = t.model_trajectory(required=60, years=years, start=START)
        months = [k for k, _ in path]
        values = [v for _, v in path]
        assert months == list(range(len(path)))
        assert values[0] == 0
        assert values[-1] == 60
        assert values == sorted(values)
        target_month = t.months_between(START, t.graduation_target(START, years))
        assert len(path) - 1 == int(np.ceil(target_month))
    # A longer target is a slower straight line.
    four, six = (t.model_trajectory(required=60, years=y, start=START) for y in (4, 6))
    assert four[12][1] > six[12][1]


def test_cumulative_steps_and_month_index() -> None:
    points = t.cumulative([D(2026, 1, 2), D(2026, 1, 2), D(2025, 12, 1)], prior=4, start=START)
    assert points == [(START, 4), (D(2025, 12, 1), 5), (D(2026, 1, 2), 7)]
    assert t.month_index(START, D(2025, 9, 30)) == 0
    assert t.month_index(START, D(2025, 10, 2)) == 1
    assert t.month_index(START, D(2025, 8, 31)) == -1


# Properties -----------------------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=(ON - START).days + 30).map(
    lambda n: START + datetime.timedelta(days=n)
)


def _later(a: datetime.date | None, b: datetime.date | None) -> bool:
    """Whether projection a is later than b (no projection is latest of all)."""
    if a is None:
        return b is not None
    return b is not None and a > b


@given(
    dates=st.lists(days, max_size=40),
    extra=days,
    required=st.integers(min_value=1, max_value=80),
    prior=st.integers(min_value=0, max_value=20),
    window=st.integers(min_value=7, max_value=400),
    years=st.sampled_from(t.TARGET_YEARS),
)
def test_more_mastery_never_makes_a_projection_later(
    dates: list[datetime.date], extra: datetime.date, required: int, prior: int, window: int, years: int
) -> None:
    def project(with_dates: list[datetime.date], with_prior: int) -> t.Assessment:
        return t.assess(
            dates=with_dates,
            required=required,
            on=ON,
            start=START,
            target_years=years,
            window_days=window,
            ahead_months=3,
            at_risk_months=6,
            prior=with_prior,
        )

    before = project(dates, prior)
    for after in (project([*dates, extra], prior), project(dates, prior + 1)):
        assert not _later(after.projected_on, before.projected_on)
        assert t.STATUS_ORDER.index(after.status) <= t.STATUS_ORDER.index(before.status)


@given(
    students=st.lists(
        st.tuples(
            st.lists(days, max_size=15),
            st.integers(min_value=0, max_value=10),
            st.sampled_from(t.TARGET_YEARS),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    ),
    required=st.integers(min_value=1, max_value=40),
    window=st.integers(min_value=7, max_value=200),
)
def test_the_bulk_path_gives_what_one_student_gives(
    students: list[tuple[list[datetime.date], int, int, bool]], required: int, window: int
) -> None:
    index: list[int] = []
    day: list[int] = []
    for position, (dates, _, _, _) in enumerate(students):
        index.extend([position] * len(dates))
        day.extend(d.toordinal() for d in dates)
    starts = [START if started else None for _, _, _, started in students]
    result = t.assess_bulk(
        student_index=np.array(index, dtype=np.int64),
        day=np.array(day, dtype=np.int64),
        students=len(students),
        required=np.full(len(students), required, dtype=np.int64),
        prior=np.array([p for _, p, _, _ in students], dtype=np.int64),
        start=np.array([s.toordinal() if s else 0 for s in starts], dtype=np.int64),
        target=np.array(
            [
                t.graduation_target(s, y).toordinal() if s else 0
                for s, (_, _, y, _) in zip(starts, students, strict=True)
            ],
            dtype=np.int64,
        ),
        on=ON,
        window_days=window,
        ahead_months=3,
        at_risk_months=6,
    )
    for position, (dates, prior, years, _) in enumerate(students):
        one = t.assess(
            dates=dates,
            required=required,
            on=ON,
            start=starts[position],
            target_years=years,
            window_days=window,
            ahead_months=3,
            at_risk_months=6,
            prior=prior,
        )
        assert t.STATUS_ORDER[result.status[position]] == one.status
        if one.status != t.UNKNOWN:
            assert result.pace[position] == pytest.approx(one.pace)
            projected = result.projected[position]
            assert (datetime.date.fromordinal(int(projected)) if projected else None) == one.projected_on
