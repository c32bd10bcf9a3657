"""The benchmarks' arithmetic: a percentile that means what it says (the figures themselves are not tests)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.bench.scripts import bench_module

benchkit = bench_module("_benchkit")


def test_p95_of_three_runs_is_near_the_slowest_not_the_median() -> None:
    # Ranks 0..2; 95 % of the way is rank 1.9: the middle run plus 90 % of the gap to the slowest.
    assert benchkit.percentile([10.0, 30.0, 20.0], 95) == pytest.approx(29.0)
    assert benchkit.percentile([10.0, 30.0, 20.0], 50) == 20.0


@pytest.mark.parametrize(
    ("samples", "q", "expected"),
    [
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([5.0], 99, 5.0),
        (list(map(float, range(1, 101))), 95, 95.05),
        (list(map(float, range(1, 101))), 99, 99.01),
    ],
)
def test_percentile_known_cases(samples: list[float], q: float, expected: float) -> None:
    assert benchkit.percentile(samples, q) == pytest.approx(expected)


@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_matches_numpy_default(samples: list[float], q: float) -> None:
    assert benchkit.percentile(samples, q) == pytest.approx(
        float(np.percentile(samples, q)), rel=1e-9, abs=1e-6
    )


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no samples"):
        benchkit.percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        benchkit.percentile([1.0], 101)


def test_summary_reports_p50_p95_p99_and_runs() -> None:
    summary = benchkit.summary_ms([float(n) for n in range(1, 21)])
    assert summary == {"p50_ms": 10.5, "p95_ms": 19.05, "p99_ms": 19.81, "runs": 20}


def test_timed_reports_wall_and_cpu_time_of_the_timed_runs_only() -> None:
    calls = []

    def spin() -> None:
        calls.append(1)
        deadline = time.process_time() + 0.005
        while time.process_time() < deadline:
            pass

    figures = benchkit.timed(spin, 4, warmup=2)
    assert len(calls) == 6
    assert figures["runs"] == 4
    assert figures["cpu_p50_ms"] >= 5
    assert figures["p50_ms"] >= figures["cpu_p50_ms"] * 0.9
