"""Bayesian Knowledge Tracing: reading pyBKT's format, recovering known parameters, agreement with a plain
per-student forward–backward written here independently, EM's monotony, and real ASSISTments data."""

from __future__ import annotations

import io
import itertools
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.mastery.bkt import (
    MAX_LISTED_PROBLEMS,
    MIN_MEDIAN_ATTEMPTS,
    MIN_STUDENT_ATTEMPTS,
    MIN_STUDENTS,
    Attempts,
    BKTParams,
    KTDataError,
    auc,
    evidence_sufficient,
    fit,
    log_likelihood,
    posterior,
    predict_correct,
    read_pybkt_csv,
    student_evidence_sufficient,
    synthetic,
)

FIXTURES = Path(__file__).parent / "fixtures"
TRUTH = {
    "fractions": BKTParams(prior=0.3, learn=0.15, guess=0.2, slip=0.1),
    "decimals": BKTParams(prior=0.5, learn=0.1, guess=0.25, slip=0.08),
    "ratios": BKTParams(prior=0.2, learn=0.2, guess=0.15, slip=0.12),
}


def rows_of(attempts: Attempts) -> list[tuple[str, str, int]]:
    return [
        (attempts.student_names[student], attempts.skill_names[skill], int(correct))
        for student, skill, correct in zip(attempts.students, attempts.skills, attempts.correct, strict=True)
    ]


def as_vector(params: BKTParams) -> np.ndarray:
    return np.array([params.prior, params.learn, params.guess, params.slip])


# --- A plain reference: one sequence at a time, in Python floats --------------------------------------------


def sequences(attempts: Attempts) -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for student, skill, correct in rows_of(attempts):
        found.setdefault((student, skill), []).append(correct)
    return found


def emission(params: BKTParams, correct: int) -> tuple[float, float]:
    """P(answer | not known), P(answer | known)."""
    if correct:
        return params.guess, 1 - params.slip
    return 1 - params.guess, params.slip


def reference_forward(params: BKTParams, answers: list[int]) -> tuple[float, list[float], float]:
    """Log-likelihood, P(correct) before each answer, and P(known) after the last answer and learning, with
    the state as the pair (P(not known), P(known)) as in the textbook forward algorithm."""
    unknown, known = 1 - params.prior, params.prior
    total = 0.0
    predictions = []
    for answer in answers:
        predictions.append(known * (1 - params.slip) + unknown * params.guess)
        if_unknown, if_known = emission(params, answer)
        evidence = known * if_known + unknown * if_unknown
        total += math.log(evidence)
        unknown, known = unknown * if_unknown / evidence, known * if_known / evidence
        unknown, known = unknown * (1 - params.learn), known + unknown * params.learn
    return total, predictions, known


def reference_em_step(attempts: Attempts, params: dict[str, BKTParams]) -> dict[str, BKTParams]:
    """One Baum–Welch step with scaled forward (alpha) and backward (beta) messages over states
    (not known, known), as in Rabiner's tutorial."""
    counts = {skill: [0.0] * 8 for skill in params}
    for (_, skill), answers in sequences(attempts).items():
        p = params[skill]
        transition = [[1 - p.learn, p.learn], [0.0, 1.0]]
        alphas, scales = [], []
        state = [1 - p.prior, p.prior]
        for step, answer in enumerate(answers):
            if step:
                state = [sum(alphas[-1][i] * transition[i][j] for i in range(2)) for j in range(2)]
            emit = emission(p, answer)
            joint = [state[j] * emit[j] for j in range(2)]
            scales.append(sum(joint))
            alphas.append([value / scales[-1] for value in joint])
        betas = [[1.0, 1.0] for _ in answers]
        for step in range(len(answers) - 2, -1, -1):
            emit = emission(p, answers[step + 1])
            betas[step] = [
                sum(transition[i][j] * emit[j] * betas[step + 1][j] for j in range(2)) / scales[step + 1]
                for i in range(2)
            ]
        gammas = [[alphas[t][i] * betas[t][i] for i in range(2)] for t in range(len(answers))]
        tally = counts[skill]
        tally[0] += gammas[0][1]
        tally[1] += 1
        for step in range(len(answers) - 1):
            emit = emission(p, answers[step + 1])
            tally[2] += alphas[step][0] * transition[0][1] * emit[1] * betas[step + 1][1] / scales[step + 1]
            tally[3] += gammas[step][0]
        for gamma, answer in zip(gammas, answers, strict=True):
            tally[4] += gamma[0] * answer
            tally[5] += gamma[0]
            tally[6] += gamma[1] * (1 - answer)
            tally[7] += gamma[1]
    return {
        skill: BKTParams(t[0] / t[1], t[2] / t[3] if t[3] else params[skill].learn, t[4] / t[5], t[6] / t[7])
        for skill, t in counts.items()
    }


def ragged(seed: int) -> Attempts:
    """Attempts from `TRUTH` with a random third of the rows removed, plus one student whose sequences are
    long enough (200 and 700 attempts) to be cut into chained chunks."""
    full = synthetic(TRUTH, students=40, length=12, seed=seed)
    kept = full.take(np.flatnonzero(np.random.default_rng(seed).random(len(full)) < 2 / 3))
    long_runs = synthetic({"fractions": TRUTH["fractions"]}, students=1, length=200, seed=seed)
    longer = synthetic({"decimals": TRUTH["decimals"]}, students=1, length=700, seed=seed + 1)
    extra = [("marathon", skill, correct) for _, skill, correct in rows_of(long_runs) + rows_of(longer)]
    return Attempts.from_rows(rows_of(kept) + extra)


# --- Reading ------------------------------------------------------------------------------------------------


def test_order_id_sorts_rows_stably_and_other_columns_are_ignored() -> None:
    attempts = read_pybkt_csv(FIXTURES / "assistments_style.csv")
    assert rows_of(attempts) == [
        ("u2", "Table, two-way", 0),
        ("u1", "Box and Whisker", 0),
        ("u1", "Table, two-way", 1),
        ("u1", "Box and Whisker", 1),
        ("u3", "Box and Whisker", 0),
        ("u2", "Box and Whisker", 1),
        ("u2", "Table, two-way", 1),
    ]


def test_without_order_id_the_row_order_is_the_time_order() -> None:
    attempts = read_pybkt_csv(FIXTURES / "no_order.csv")
    assert rows_of(attempts) == [("u1", "k1", 1), ("u2", "k1", 0), ("u1", "k1", 0), ("u2", "k2", 1)]


def test_reads_open_files_in_text_or_bytes() -> None:
    raw = (FIXTURES / "no_order.csv").read_bytes()
    assert rows_of(read_pybkt_csv(io.BytesIO(raw))) == rows_of(read_pybkt_csv(io.StringIO(raw.decode())))
    assert rows_of(read_pybkt_csv(io.BytesIO(b"\xef\xbb\xbf" + raw))) == rows_of(
        read_pybkt_csv(io.BytesIO(raw))
    )


def test_tab_separated_datashop_export_needs_a_flag_to_drop_steps_without_a_skill() -> None:
    with pytest.raises(KTDataError) as refused:
        read_pybkt_csv(FIXTURES / "datashop_style.tsv")
    assert refused.value.problems == ["line 4: KC(Default) is empty"]

    attempts = read_pybkt_csv(FIXTURES / "datashop_style.tsv", skip_blank_skills=True)
    assert rows_of(attempts) == [
        ("stu-a", "Fractions", 0),
        ("stu-b", "Fractions", 1),
        ("stu-a", "Decimals", 1),
    ]


def test_every_problem_of_a_malformed_file_is_listed_with_its_line() -> None:
    with pytest.raises(KTDataError) as refused:
        read_pybkt_csv(FIXTURES / "malformed.csv")
    assert refused.value.problems == [
        "line 3: user_id is empty",
        "line 4: skill_name is empty",
        "line 5: correct is 'yes', not 0 or 1",
        "line 6: order_id is 'four', not an integer",
        "line 7: 2 fields where the header has 4",
        "line 8: correct is '0.5', not 0 or 1",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"user_id,correct\nu1,1\n", "line 1: no skill_name or KC(Default) column"),
        (b"skill_name,correct\nk1,1\n", "line 1: no user_id or Anon Student Id column"),
        (b"user_id,skill_name\nu1,k1\n", "line 1: no correct or Correct First Attempt column"),
        (b"", "line 1: the file is empty"),
        (b"\n \n", "line 1: the file is empty"),
        (b"user_id,skill_name,correct\n", "line 2: the file has a header but no attempts"),
        (b"user_id,skill_name,correct\nu1,k1,1\nu2,caf\xe9,1\n", "line 3: the file is not UTF-8"),
        (b"user_id,skill_name,correct\n u1 ,k1,2\n", "line 2: correct is '2', not 0 or 1"),
        (b"user_id,skill_name,correct,order_id\nu1,k1,1,3.5\n", "line 2: order_id is '3.5', not an integer"),
    ],
)
def test_bad_input_is_refused_with_the_line(content: bytes, expected: str) -> None:
    with pytest.raises(KTDataError) as refused:
        read_pybkt_csv(io.BytesIO(content))
    assert any(problem.startswith(expected) for problem in refused.value.problems), refused.value.problems


def test_a_long_list_of_problems_is_cut_with_a_count() -> None:
    content = "user_id,skill_name,correct\n" + "u1,k1,maybe\n" * 120
    with pytest.raises(KTDataError) as refused:
        read_pybkt_csv(io.StringIO(content))
    assert len(refused.value.problems) == MAX_LISTED_PROBLEMS + 1
    assert refused.value.problems[0] == "line 2: correct is 'maybe', not 0 or 1"
    assert refused.value.problems[-1] == f"… and {120 - MAX_LISTED_PROBLEMS} more problems"


def test_attempts_refuse_inconsistent_columns() -> None:
    with pytest.raises(ValueError, match="same length"):
        Attempts(np.array([0]), np.array([0, 0]), np.array([1]), ["s"], ["k"])
    with pytest.raises(ValueError, match="no name"):
        Attempts(np.array([1]), np.array([0]), np.array([1]), ["s"], ["k"])
    with pytest.raises(ValueError, match="0 or 1"):
        Attempts.from_rows([("s", "k", 2)])


# --- Inference against the reference ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_log_likelihood_posterior_and_predictions_match_a_per_student_forward_pass(seed: int) -> None:
    attempts = ragged(seed)
    params = {
        skill: BKTParams(prior=0.35, learn=0.12 + 0.05 * number, guess=0.22, slip=0.09)
        for number, skill in enumerate(TRUTH)
    }
    expected_total = 0.0
    expected_predictions: dict[tuple[str, str], list[float]] = {}
    expected_posterior = {}
    for key, answers in sequences(attempts).items():
        total, predictions, known = reference_forward(params[key[1]], answers)
        expected_total += total
        expected_predictions[key] = predictions
        expected_posterior[key] = known

    assert log_likelihood(attempts, params) == pytest.approx(expected_total, rel=1e-12)
    mastered = posterior(attempts, params)
    assert mastered.keys() == expected_posterior.keys()
    assert max(abs(mastered[key] - expected_posterior[key]) for key in mastered) < 1e-12
    predicted = predict_correct(attempts, params)
    seen: dict[tuple[str, str], int] = {}
    for (student, skill, _), value in zip(rows_of(attempts), predicted, strict=True):
        index = seen.get((student, skill), 0)
        seen[(student, skill)] = index + 1
        assert value == pytest.approx(expected_predictions[(student, skill)][index], abs=1e-12)


def test_a_streak_then_a_slump_keeps_the_chance_that_the_streak_was_guessed() -> None:
    """22 right answers leave P(not known) near 1e-28, which 1 − P(known) would round to 0; 60 wrong ones
    then make guessing-all-along the likelier story. Checked against exact rational arithmetic."""
    prior, learn, guess, slip = Fraction(7, 10), Fraction(1, 100), Fraction(1, 20), Fraction(1, 4)
    answers = [1] * 22 + [0] * 60
    unknown, known, probability = 1 - prior, prior, Fraction(1)
    for answer in answers:
        if_unknown, if_known = (guess, 1 - slip) if answer else (1 - guess, slip)
        evidence = unknown * if_unknown + known * if_known
        probability *= evidence
        unknown, known = unknown * if_unknown / evidence, known * if_known / evidence
        unknown, known = unknown * (1 - learn), known + unknown * learn
    attempts = Attempts.from_rows([("ana", "fractions", answer) for answer in answers])
    params = {"fractions": BKTParams(float(prior), float(learn), float(guess), float(slip))}
    assert log_likelihood(attempts, params) == pytest.approx(math.log(probability), rel=1e-12)
    assert posterior(attempts, params)[("ana", "fractions")] == pytest.approx(float(known), rel=1e-12)
    assert float(known) < 0.5


def test_fitted_parameters_are_a_fixed_point_of_a_plain_baum_welch_step() -> None:
    attempts = ragged(3)
    fitted = fit(attempts, max_iterations=2000, tolerance=1e-11)
    stepped = reference_em_step(attempts, fitted)
    for skill in TRUTH:
        assert np.abs(as_vector(stepped[skill]) - as_vector(fitted[skill])).max() < 1e-8


def test_fitting_reaches_at_least_the_likelihood_of_many_plain_baum_welch_steps() -> None:
    attempts = ragged(4)
    start = BKTParams(prior=0.4, learn=0.3, guess=0.3, slip=0.2)
    plain = dict.fromkeys(TRUTH, start)
    for _ in range(60):
        plain = reference_em_step(attempts, plain)
    fitted = fit(attempts, initial=start, tolerance=1e-9, max_iterations=1000)
    assert log_likelihood(attempts, fitted) >= log_likelihood(attempts, plain) - 1e-9


def test_fit_recovers_known_parameters() -> None:
    attempts = synthetic(TRUTH, students=400, length=30, seed=7)
    fitted = fit(attempts)
    assert fitted.keys() == TRUTH.keys()
    for skill, truth in TRUTH.items():
        assert np.abs(as_vector(fitted[skill]) - as_vector(truth)).max() < 0.05, (skill, fitted[skill])


def test_a_skill_whose_sequences_have_one_attempt_keeps_its_learn_rate() -> None:
    rows = [(f"s{number}", "once", number % 3 and 1) for number in range(30)]
    start = BKTParams(prior=0.5, learn=0.123, guess=0.2, slip=0.1)
    assert fit(Attempts.from_rows(rows), initial=start)["once"].learn == pytest.approx(0.123)


def test_parameters_are_needed_for_every_practised_skill() -> None:
    attempts = Attempts.from_rows([("s", "known", 1), ("s", "unknown", 0)])
    with pytest.raises(ValueError, match="unknown"):
        posterior(attempts, {"known": TRUTH["fractions"]})


# --- Properties ---------------------------------------------------------------------------------------------

probabilities = st.floats(min_value=0.0, max_value=1.0)
parameter_sets = st.builds(BKTParams, probabilities, probabilities, probabilities, probabilities)
practice = st.lists(
    st.tuples(st.sampled_from(["ann", "bo", "cy"]), st.sampled_from(["k1", "k2"]), st.integers(0, 1)),
    min_size=1,
    max_size=80,
)


@settings(max_examples=60, deadline=None)
@given(practice, parameter_sets, parameter_sets)
def test_estimates_are_probabilities_whatever_the_parameters(
    rows: list[tuple[str, str, int]], first: BKTParams, second: BKTParams
) -> None:
    attempts = Attempts.from_rows(rows)
    params = {"k1": first, "k2": second}
    assert all(0 <= value <= 1 for value in posterior(attempts, params).values())
    predicted = predict_correct(attempts, params)
    assert np.isfinite(predicted).all()
    assert ((predicted >= 0) & (predicted <= 1)).all()
    for fitted in fit(attempts, max_iterations=20).values():
        assert all(0 <= value <= 1 for value in as_vector(fitted))


@settings(max_examples=40, deadline=None)
@given(practice, parameter_sets)
def test_em_never_lowers_the_likelihood(rows: list[tuple[str, str, int]], start: BKTParams) -> None:
    attempts = Attempts.from_rows(rows)
    likelihoods = [log_likelihood(attempts, dict.fromkeys(attempts.skill_names, start))]
    for iterations in range(1, 7):
        fitted = fit(attempts, initial=start, max_iterations=iterations, tolerance=0)
        likelihoods.append(log_likelihood(attempts, fitted))
    for earlier, later in itertools.pairwise(likelihoods):
        assert later >= earlier - 1e-9 * (1 + abs(earlier))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 4)), min_size=2).filter(
        lambda pairs: len({label for label, _ in pairs}) == 2
    )
)
def test_auc_is_the_share_of_correctly_ordered_pairs(pairs: list[tuple[bool, int]]) -> None:
    positives = [score for label, score in pairs if label]
    negatives = [score for label, score in pairs if not label]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    labels, scores = zip(*pairs, strict=True)
    assert auc(labels, scores) == pytest.approx(wins / (len(positives) * len(negatives)))


def test_auc_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both"):
        auc([1, 1], [0.2, 0.4])


def test_synthetic_data_is_reproducible_and_complete() -> None:
    first = synthetic(TRUTH, students=5, length=4, seed=11)
    assert rows_of(first) == rows_of(synthetic(TRUTH, students=5, length=4, seed=11))
    assert rows_of(first) != rows_of(synthetic(TRUTH, students=5, length=4, seed=12))
    assert len(first) == 5 * 4 * len(TRUTH)
    assert {len(answers) for answers in sequences(first).values()} == {4}


def test_evidence_thresholds() -> None:
    assert evidence_sufficient(MIN_STUDENTS, MIN_MEDIAN_ATTEMPTS)
    assert not evidence_sufficient(MIN_STUDENTS - 1, 100)
    assert not evidence_sufficient(1000, MIN_MEDIAN_ATTEMPTS - 0.5)
    assert student_evidence_sufficient(MIN_STUDENT_ATTEMPTS)
    assert not student_evidence_sufficient(MIN_STUDENT_ATTEMPTS - 1)


# --- Real data ----------------------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_assistments_skill_builder_predicts_held_out_students(shared_data: Path) -> None:
    attempts = read_pybkt_csv(shared_data / "kt" / "assistments_2009_skill_builder_subset.csv")
    assert len(attempts) == 10_791
    assert sorted(attempts.skill_names) == ["Box and Whisker", "Table"]
    held_out = np.random.default_rng(2009).random(len(attempts.student_names)) < 0.2
    testing = held_out[attempts.students]
    fitted = fit(attempts.take(~testing))
    assert fitted.keys() == {"Box and Whisker", "Table"}
    for params in fitted.values():
        assert all(0 < value < 1 for value in as_vector(params))
    unseen = attempts.take(testing)
    assert auc(unseen.correct, predict_correct(unseen, fitted)) > 0.6
