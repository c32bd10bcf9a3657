"""The compiled BKT passes and reader (`bkt_native`) against the NumPy passes and the csv-module reader they
stand in for: the same expected counts and log-likelihoods, the same fits, the same rows."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.mastery import bkt, bkt_native
from waypoint.mastery.bkt import (
    Attempts,
    BKTParams,
    KTDataError,
    fit,
    log_likelihood,
    read_pybkt_csv,
    synthetic,
)

FIXTURES = Path(__file__).parent / "fixtures"
TRUTH = {
    "fractions": BKTParams(prior=0.3, learn=0.15, guess=0.2, slip=0.1),
    "decimals": BKTParams(prior=0.5, learn=0.1, guess=0.25, slip=0.08),
}


@pytest.fixture
def compiled() -> None:
    if bkt_native.load() is None:
        pytest.skip("no C compiler: the NumPy passes run instead")


def totals_both_ways(attempts: Attempts, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    running = np.ones(len(attempts.skill_names), dtype=bool)
    fused = bkt._Passes(attempts)(theta, running)
    reference = bkt._Passes(attempts, native=False)(theta, running)
    return fused, reference


def assert_same_totals(fused: np.ndarray, reference: np.ndarray, attempts: Attempts) -> None:
    # Counts near zero are sums of rounding (1 − P(known) where P(known) rounds to 1): compared absolutely,
    # at the rounding of one addition per attempt.
    slack = 1e-12 * (len(attempts) + 1)
    assert np.allclose(fused, reference, rtol=1e-9, atol=slack), (fused, reference)


def test_the_fused_pass_is_compiled_on_this_machine() -> None:
    """The development machines and CI have a C compiler: a silent fall back to NumPy there would hide a
    broken build."""
    assert bkt_native.load() is not None


probabilities = st.floats(min_value=0.0, max_value=1.0)
parameter_rows = st.tuples(probabilities, probabilities, probabilities, probabilities)
practice = st.lists(
    st.tuples(
        st.sampled_from(["ann", "bo", "cy", "dee"]), st.sampled_from(["k1", "k2", "k3"]), st.integers(0, 1)
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=80, deadline=None)
@given(practice, st.lists(parameter_rows, min_size=3, max_size=3))
def test_fused_expected_counts_match_the_numpy_pass(
    rows: list[tuple[str, str, int]], parameters: list[tuple[float, float, float, float]]
) -> None:
    attempts = Attempts.from_rows(rows)
    theta = bkt._Parameters.from_stacked(np.array(parameters[: len(attempts.skill_names)]).T).stacked()
    fused, reference = totals_both_ways(attempts, theta)
    assert_same_totals(fused, reference, attempts)


@pytest.mark.usefixtures("compiled")
def test_long_sequences_are_rescaled_without_losing_the_unlikely_state() -> None:
    """A 6,000-attempt sequence (the forward pass rescales its joint probabilities many times; the NumPy
    layout cuts it into chained chunks), and a long streak followed by a slump, where P(not known) falls
    to 1e-100 before the wrong answers make it likely again."""
    rng = np.random.default_rng(4)
    long_run = [("marathon", "fractions", int(answer)) for answer in rng.random(6000) < 0.7]
    streak = [("streaky", "decimals", 1)] * 300 + [("streaky", "decimals", 0)] * 300
    attempts = Attempts.from_rows(long_run + streak)
    params = {
        "fractions": BKTParams(prior=0.4, learn=0.01, guess=0.3, slip=0.2),
        "decimals": BKTParams(prior=0.7, learn=0.01, guess=0.4, slip=0.05),
    }
    theta = bkt._Parameters.of(attempts, params).stacked()
    fused, reference = totals_both_ways(attempts, theta)
    assert_same_totals(fused, reference, attempts)
    assert fused[:, bkt_native.LOG_LIKELIHOOD].sum() == pytest.approx(
        log_likelihood(attempts, params), rel=1e-12
    )


@pytest.mark.usefixtures("compiled")
def test_threads_split_the_sequences_without_changing_the_totals(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = synthetic(TRUTH, students=3000, length=20, seed=3)
    theta = bkt._Parameters.of(attempts, TRUTH).stacked()
    running = np.ones(2, dtype=bool)
    monkeypatch.setattr(bkt_native, "_THREADED_ATTEMPTS", 0)
    split = bkt._Passes(attempts)(theta, running)
    monkeypatch.setattr(bkt_native, "_THREADED_ATTEMPTS", math.inf)
    whole = bkt._Passes(attempts)(theta, running)
    assert np.allclose(split, whole, rtol=1e-12)
    # A skill that is not running is left out of the pass.
    only_second = bkt._Passes(attempts)(theta, np.array([False, True]))
    assert (only_second[0] == 0).all()
    assert np.allclose(only_second[1], whole[1], rtol=1e-12)


@pytest.mark.usefixtures("compiled")
def test_fits_through_either_pass_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = synthetic(TRUTH, students=200, length=15, seed=9)
    fused = fit(attempts, tolerance=1e-9, max_iterations=500)
    monkeypatch.setattr(bkt_native, "load", lambda: None)
    reference = fit(attempts, tolerance=1e-9, max_iterations=500)
    for skill in TRUTH:
        difference = np.subtract(
            [getattr(fused[skill], name) for name in ("prior", "learn", "guess", "slip")],
            [getattr(reference[skill], name) for name in ("prior", "learn", "guess", "slip")],
        )
        assert np.abs(difference).max() < 1e-6
    assert log_likelihood(attempts, fused) == pytest.approx(log_likelihood(attempts, reference), abs=1e-6)


@pytest.mark.parametrize("native", [True, False])
def test_screening_looks_at_the_first_students_of_each_skill(
    native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bkt, "SCREENING_ATTEMPTS", 100)
    attempts = synthetic(TRUTH, students=30, length=10, seed=2)
    theta = bkt._Parameters.of(attempts, TRUTH).stacked()
    running = np.ones(2, dtype=bool)
    screening = bkt._Passes(attempts, native=native).screening()
    # Whole sequences of the first students, until each skill has 100 attempts: students 0 to 9.
    first_students = bkt._Passes(attempts.take(attempts.students < 10), native=False)
    assert np.allclose(screening(theta, running), first_students(theta, running), rtol=1e-12)
    monkeypatch.setattr(bkt, "SCREENING_ATTEMPTS", 300)
    passes = bkt._Passes(attempts, native=native)
    assert passes.screening() is passes


# --- The compiled reader ------------------------------------------------------------------------------------


def read_both_ways(
    content: bytes, monkeypatch: pytest.MonkeyPatch, skip_blank_skills: bool = False
) -> tuple[object, object]:
    def outcome() -> object:
        try:
            attempts = read_pybkt_csv(io.BytesIO(content), skip_blank_skills=skip_blank_skills)
        except KTDataError as error:
            return error.problems
        return (
            attempts.students.tolist(),
            attempts.skills.tolist(),
            attempts.correct.tolist(),
            attempts.student_names,
            attempts.skill_names,
        )

    fast = outcome()
    with monkeypatch.context() as patched:
        patched.setattr(bkt_native, "load", lambda: None)
        slow = outcome()
    return fast, slow


@pytest.mark.parametrize("fixture", sorted(path.name for path in FIXTURES.iterdir()))
@pytest.mark.parametrize("skip_blank_skills", [False, True])
def test_the_compiled_reader_reads_the_fixtures_as_the_csv_module_does(
    fixture: str, skip_blank_skills: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = read_both_ways((FIXTURES / fixture).read_bytes(), monkeypatch, skip_blank_skills)
    assert fast == slow


fields = st.sampled_from(
    ["u1", "u2", "ü3", "k1", "k 2", "", " ", "0", "1", "7", "-2", "+3", "1.0", "x", '"q"', '"a,b"']
)
lines = st.lists(fields, min_size=2, max_size=5).map(",".join)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        ["user_id,skill_name,correct", "order_id,user_id,skill_name,correct", "x,user_id,correct,skill_name"]
    ),
    st.lists(st.one_of(lines, st.just("")), min_size=1, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_the_compiled_reader_agrees_with_the_csv_module_on_any_file(
    header: str, body: list[str], newline: str, skip_blank_skills: bool
) -> None:
    content = newline.join([header, *body]).encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = read_both_ways(content, monkeypatch, skip_blank_skills)
    assert fast == slow


@pytest.mark.usefixtures("compiled")
def test_plain_files_and_quotes_in_unused_columns_take_the_compiled_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = (
        b'order_id,note,user_id,skill_name,correct\r\n2,"said ""hi"", then\nleft",u1,k1,1\r\n'
        b"1,,u2,k1,0\r\n\r\n3,plain,u1,k2,1\r\n"
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the csv module was used")

    monkeypatch.setattr(bkt.csv, "reader", refuse)
    attempts = read_pybkt_csv(io.BytesIO(content))
    assert attempts.student_names == ["u2", "u1"]
    assert list(
        zip(attempts.students.tolist(), attempts.skills.tolist(), attempts.correct.tolist(), strict=True)
    ) == [
        (0, 0, 0),
        (1, 0, 1),
        (1, 1, 1),
    ]


@pytest.mark.parametrize("native", [True, False])
def test_skill_codes_without_attempts_are_left_out(native: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not native:
        monkeypatch.setattr(bkt_native, "load", lambda: None)
    attempts = synthetic({"first": TRUTH["fractions"], **TRUTH}, students=60, length=8, seed=6)
    # The first skill code keeps its name but loses its attempts.
    without_first = attempts.take(attempts.skills > 0)
    assert fit(without_first).keys() == set(TRUTH)
    assert fit(attempts.take(attempts.skills == len(attempts.skill_names))) == {}
