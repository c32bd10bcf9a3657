"""Bayesian Knowledge Tracing against pyBKT 1.4.3: fit time, parameters, likelihood and held-out AUC on
synthetic data with known parameters and on the real ../shared/data/kt/ files; then fit time in process and
as a whole process (CSV in, parameters out) on 720 k and 5 M synthetic attempts. One JSON object per figure.

    python bench/bkt.py [--repeat 3] [--pybkt-budget 60] [--large-repeat 3] [--skip-large]

pyBKT runs in a subprocess in its own virtualenv, .venv-pybkt beside .venv, created on first use: pyBKT's
wheel on PyPI is its pure-Python fallback, so pyBKT is built from source for its C++ (OpenMP) E-step, with
numpy 1.26.4, pandas 2.2.3 and scikit-learn 1.5.2, and the bench refuses to compare unless
`pyBKT.fit.E_step` imports as the compiled extension. Both libraries get the same rows: each file is read by
Waypoint's reader and written back with coded names (pyBKT turns skill names into a regular expression,
which breaks on DataShop's "[SkillRule: …]" names). Students are split 80/20 with a fixed seed; both fit the
80 % and predict the 20 %, on skills seen in training.

Same work on both sides: pyBKT keeps the best of as many starts (`num_fits`) as Waypoint screens
(`bkt.STARTS`), each side's timing includes its own data conversion (pyBKT's `fit` converts the data frame,
Waypoint's groups the attempts into sequences), and every log-likelihood is computed by one function,
`bkt.log_likelihood`. Whole-process figures run `waypoint bkt-fit FILE --json` and a pyBKT script doing
`Model.fit(data_path=FILE)`, each from a cold interpreter, and stand next to the in-process ones.

pyBKT's EM stops as soon as its total log-likelihood, truncated to an integer by its C++ extension, repeats,
so its estimates are often short of the maximum. To tell that apart from a different optimum, the bench
also continues pyBKT's own EM from its estimates until no parameter moves by more than 1e-6 in 50 iterations
(or the time budget runs out), and compares that with Waypoint's fit run to a tolerance of 1e-10.

hmm-scalable (Yudelson's C++ BKT) is not built here: its figures, measured on this machine for issue 12, are
quoted in a `bkt_peer_quoted` figure so that the comparison stays in one place.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from _benchkit import emit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from waypoint.mastery import bkt_native  # noqa: E402 (the checkout's src is put on the path first)
from waypoint.mastery.bkt import (  # noqa: E402
    STARTS,
    Attempts,
    BKTParams,
    auc,
    evidence_sufficient,
    fit,
    log_likelihood,
    predict_correct,
    read_pybkt_csv,
    synthetic,
)

KT = ROOT.parent / "shared" / "data" / "kt"
PYBKT_VENV = ROOT / ".venv-pybkt"
PYBKT_PYTHON = PYBKT_VENV / "bin" / "python"
PYBKT_DEPENDENCIES = ("numpy==1.26.4", "pandas==2.2.3", "scikit-learn==1.5.2")
SOURCE_BUILD = ("--no-binary", "pyBKT", "pyBKT==1.4.3")
PARAMETERS = ("prior", "learn", "guess", "slip")
SPLIT_SEED = 2009
SYNTHETIC = {
    "adding fractions": BKTParams(prior=0.3, learn=0.1, guess=0.2, slip=0.1),
    "place value": BKTParams(prior=0.5, learn=0.2, guess=0.25, slip=0.08),
    "ratios": BKTParams(prior=0.2, learn=0.05, guess=0.15, slip=0.12),
    "linear equations": BKTParams(prior=0.4, learn=0.15, guess=0.3, slip=0.05),
    "area": BKTParams(prior=0.6, learn=0.08, guess=0.1, slip=0.15),
}
# 20 skills with parameters spread over the usual ranges, for the large datasets.
SYNTHETIC_20 = {
    f"skill {number:02d}": BKTParams(
        prior=round(0.15 + 0.03 * number, 3),
        learn=round(0.04 + 0.01 * (number % 10), 3),
        guess=round(0.1 + 0.01 * (number % 15), 3),
        slip=round(0.05 + 0.005 * (number % 12), 3),
    )
    for number in range(20)
}
# Students × 20 attempts × 20 skills: 720 k and 5 M attempts.
LARGE = {"synthetic_20_skills_720k": 1_800, "synthetic_20_skills_5m": 12_500}
WAYPOINT_COMMAND = Path(sys.executable).with_name("waypoint")
# hmm-scalable with skills in parallel, as measured for issue 12 (seconds per fit); not rebuilt here.
HMM_SCALABLE_QUOTED = {
    "synthetic_20_skills_5m": 5.18,
    "assistments_2009_dkt_test": 0.076,
    "cognitive_tutor_algebra1_2005_subset": 0.020,
}
REAL_FILES = {
    "assistments_2009_skill_builder_subset": ("assistments_2009_skill_builder_subset.csv", False),
    "assistments_2009_dkt_test": ("assistments_2009_dkt_test_preprocessed.csv", False),
    "cognitive_tutor_algebra1_2005_subset": ("cognitive_tutor_algebra1_2005_subset.tsv", True),
}

# Run by pyBKT's interpreter: argv is train.csv, test.csv ("-" for none), predictions.npy, repeat, budget in
# seconds, starts.
PYBKT_SCRIPT = """
import copy, json, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
from pyBKT.models import Model
from pyBKT.fit import E_step, EM_fit
from pyBKT.util import data_helper

train_path, test_path, predictions_path, repeat, budget, starts = sys.argv[1:]
train = pd.read_csv(train_path)

def parameters(fitted):
    return {"prior": float(fitted["prior"]), "learn": float(fitted["learns"][0]),
            "guess": float(fitted["guesses"][0]), "slip": float(fitted["slips"][0])}

seconds, cpu_seconds = [], []
for _ in range(int(repeat)):
    # pyBKT sorts the frame it is given in place.
    model, frame = Model(seed=42, num_fits=int(starts)), train.copy()
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(data=frame)
    seconds.append(time.perf_counter() - started)
    cpu_seconds.append(time.process_time() - cpu_started)
if test_path != "-":
    test = pd.read_csv(test_path)
    np.save(predictions_path, model.predict(data=test).sort_index()["correct_predictions"].to_numpy())

# pyBKT's own EM, continued from its estimates 50 iterations at a time (tol=0: never stop early) until no
# parameter of the skill moves by more than 1e-6 in those 50, or the budget is spent.
data = data_helper.convert_data(train.copy(), ".*")
deadline = time.perf_counter() + float(budget)
converged, unfinished = {}, 0
for skill, fitted in model.fit_model.items():
    current, moved = copy.deepcopy(fitted), 1.0
    while moved > 1e-6 and time.perf_counter() < deadline:
        previous = parameters(current)
        current, _ = EM_fit.EM_fit(current, data[skill], tol=0, maxiter=50)
        moved = max(abs(parameters(current)[name] - previous[name]) for name in previous)
    unfinished += moved > 1e-6
    converged[skill] = parameters(current)
print(json.dumps({
    "extension": E_step.__file__.endswith(".so"), "seconds": seconds, "cpu_seconds": cpu_seconds,
    "parameters": {skill: parameters(fitted) for skill, fitted in model.fit_model.items()},
    "converged_parameters": converged, "unconverged_skills": unfinished,
}))
"""

# Run by pyBKT's interpreter as a whole process: argv is the CSV file and the number of starts.
PYBKT_WHOLE_PROCESS_SCRIPT = """
import json, sys, warnings
warnings.filterwarnings("ignore")
from pyBKT.models import Model
model = Model(seed=42, num_fits=int(sys.argv[2]))
model.fit(data_path=sys.argv[1])
print(json.dumps({skill: {"prior": float(f["prior"]), "learn": float(f["learns"][0]),
    "guess": float(f["guesses"][0]), "slip": float(f["slips"][0])} for skill, f in model.fit_model.items()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="Fits timed per library and dataset.")
    parser.add_argument(
        "--pybkt-budget", type=float, default=60, help="Seconds to continue pyBKT's EM per dataset."
    )
    parser.add_argument(
        "--large-repeat", type=int, default=3, help="Timed runs per side on the 720 k and 5 M datasets."
    )
    parser.add_argument("--skip-large", action="store_true", help="Leave out the 720 k and 5 M datasets.")
    options = parser.parse_args()
    emit("bkt_engine", fused_c_pass=bkt_native.load() is not None, starts=len(STARTS))
    pybkt_ready = _ensure_pybkt() and _pybkt_is_compiled()
    emit(
        "bkt_peer_quoted",
        library="hmm-scalable",
        seconds=HMM_SCALABLE_QUOTED,
        note="measured for issue 12 on this machine, skills in parallel; not rebuilt by this bench",
    )

    datasets: dict[str, Callable[[], Attempts]] = {
        "synthetic": lambda: synthetic(SYNTHETIC, students=2500, length=20, seed=7)
    }
    for name, (file_name, skip_blank_skills) in REAL_FILES.items():
        path = KT / file_name
        if not path.is_file():
            emit("bkt_data", dataset=name, skipped=f"{path} is absent")
            continue
        datasets[name] = lambda path=path, skip=skip_blank_skills: read_pybkt_csv(
            path, skip_blank_skills=skip
        )

    for name, load in datasets.items():
        started = time.perf_counter()
        attempts = load()
        read_seconds = time.perf_counter() - started
        train, test = _split(attempts)
        emit(
            "bkt_data",
            dataset=name,
            attempts=len(attempts),
            train_attempts=len(train),
            test_attempts=len(test),
            students=len(set(attempts.students.tolist())),
            skills=len(set(attempts.skills.tolist())),
            waypoint_read_seconds=None if name == "synthetic" else round(read_seconds, 3),
        )
        _compare(name, train, test, options.repeat, options.pybkt_budget if pybkt_ready else None)
    if not options.skip_large:
        for name, students in LARGE.items():
            _compare_large(
                name, synthetic(SYNTHETIC_20, students, 20, seed=11), options.large_repeat, pybkt_ready
            )


def _split(attempts: Attempts) -> tuple[Attempts, Attempts]:
    """80 % of the students to train on, the other 20 % (on skills seen in training) to predict."""
    held_out = np.random.default_rng(SPLIT_SEED).random(len(attempts.student_names)) < 0.2
    testing = held_out[attempts.students]
    train = attempts.take(~testing)
    trained_skills = np.zeros(len(attempts.skill_names), dtype=bool)
    trained_skills[train.skills] = True
    return train, attempts.take(testing & trained_skills[attempts.skills])


def _compare(name: str, train: Attempts, test: Attempts, repeat: int, pybkt_budget: float | None) -> None:
    seconds, cpu_seconds = _timed_fits(train, repeat)
    ours = fit(train)
    tight = fit(train, tolerance=1e-10, max_iterations=5000)
    our_auc = auc(test.correct, predict_correct(test, ours))
    emit(
        "bkt_convergence",
        dataset=name,
        note="largest parameter change from the default fit (tolerance 1e-6) to one run to tolerance 1e-10",
        max_abs_change=_largest_difference(ours, tight)["all"],
    )
    if name == "synthetic":
        truth = {skill: SYNTHETIC[skill] for skill in ours}
        emit("bkt_parameters_vs_truth", dataset=name, library="waypoint", **_largest_difference(ours, truth))
    if pybkt_budget is None:
        emit("bkt_fit_seconds", dataset=name, waypoint=round(statistics.median(seconds), 4), pybkt=None)
        emit("bkt_heldout_auc", dataset=name, waypoint=round(our_auc, 5), pybkt=None)
        return

    result, pybkt_predictions = _run_pybkt(train, test, repeat, pybkt_budget)
    pybkt = _decoded(result["parameters"], train)
    pybkt_converged = _decoded(result["converged_parameters"], train)
    pybkt_seconds = statistics.median(result["seconds"])
    our_seconds = statistics.median(seconds)
    emit(
        "bkt_fit_seconds",
        dataset=name,
        waypoint=round(our_seconds, 4),
        pybkt=round(pybkt_seconds, 4),
        speedup=round(pybkt_seconds / our_seconds, 1),
        pybkt_cpp_extension=result["extension"],
        starts=len(STARTS),
        runs=repeat,
        waypoint_runs=[round(value, 4) for value in seconds],
        waypoint_cpu=round(statistics.median(cpu_seconds), 4),
        pybkt_cpu=round(statistics.median(result["cpu_seconds"]), 4),
        hmm_scalable_quoted=HMM_SCALABLE_QUOTED.get(name),
    )
    emit("bkt_parameters_vs_pybkt", dataset=name, skills=len(ours), **_largest_difference(ours, pybkt))
    emit(
        "bkt_parameters_vs_pybkt_converged",
        dataset=name,
        pybkt_unconverged_skills=result["unconverged_skills"],
        **_largest_difference(tight, pybkt_converged),
    )
    evidenced = _well_evidenced(train)
    emit(
        "bkt_parameters_vs_pybkt_converged_evidence_sufficient",
        dataset=name,
        skills=len(evidenced),
        **_largest_difference(tight, pybkt_converged, evidenced),
    )
    if name == "synthetic":
        truth = {skill: SYNTHETIC[skill] for skill in pybkt}
        emit("bkt_parameters_vs_truth", dataset=name, library="pybkt", **_largest_difference(pybkt, truth))
    emit(
        "bkt_train_log_likelihood",
        dataset=name,
        waypoint=round(log_likelihood(train, ours), 3),
        pybkt=round(log_likelihood(train, pybkt), 3),
        pybkt_converged=round(log_likelihood(train, pybkt_converged), 3),
    )
    pybkt_auc = auc(test.correct, np.asarray(pybkt_predictions))
    emit(
        "bkt_heldout_auc",
        dataset=name,
        waypoint=round(our_auc, 5),
        pybkt=round(pybkt_auc, 5),
        difference=round(our_auc - pybkt_auc, 5),
        test_attempts=len(test),
    )


def _largest_difference(
    first: dict[str, BKTParams], second: dict[str, BKTParams], skills: Iterable[str] | None = None
) -> dict[str, float]:
    """The largest absolute difference over `skills` (default: all of `first`'s), per parameter and over
    all four."""
    chosen = list(first if skills is None else skills)
    largest = {
        name: max(
            (abs(getattr(first[skill], name) - getattr(second[skill], name)) for skill in chosen), default=0
        )
        for name in PARAMETERS
    }
    rounded = {name: round(value, 6) for name, value in largest.items()}
    return {"all": max(rounded.values()), **rounded}


def _well_evidenced(attempts: Attempts) -> list[str]:
    """The skills whose data meet `evidence_sufficient`: elsewhere parameters are barely identified, and
    two fits can differ by almost anything while explaining the answers equally well."""
    sequences, lengths = np.unique(
        attempts.students * len(attempts.skill_names) + attempts.skills, return_counts=True
    )
    skill_of = sequences % len(attempts.skill_names)
    return [
        name
        for code, name in enumerate(attempts.skill_names)
        if (chosen := lengths[skill_of == code]).size
        and evidence_sufficient(chosen.size, float(np.median(chosen)))
    ]


def _run_pybkt(
    train: Attempts, test: Attempts | None, repeat: int, budget: float, train_file: Path | None = None
) -> tuple[dict[str, Any], np.ndarray | None]:
    """pyBKT's fit of `train` (written to a file unless `train_file` has it) timed in process, `repeat`
    times, with as many starts as Waypoint's; its predictions for `test`, if any."""
    with tempfile.TemporaryDirectory(prefix="waypoint-bkt-bench-") as scratch:
        folder = Path(scratch)
        if train_file is None:
            train_file = folder / "train.csv"
            _write_coded(train, train_file)
        if test is not None:
            _write_coded(test, folder / "test.csv")
        predictions = folder / "predictions.npy"
        test_file = folder / "test.csv" if test is not None else "-"
        arguments = [train_file, test_file, predictions, repeat, budget, len(STARTS)]
        completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
            [str(PYBKT_PYTHON), "-c", PYBKT_SCRIPT, *map(str, arguments)],
            capture_output=True,
            text=True,
            check=True,
        )
        return (
            json.loads(completed.stdout.splitlines()[-1]),
            np.load(predictions) if test is not None else None,
        )


def _compare_large(name: str, attempts: Attempts, repeat: int, pybkt_ready: bool) -> None:
    """Fit time in process and as a whole process (CSV in, parameters out) for both libraries, and the
    log-likelihood each reaches, on all of `attempts`."""
    emit("bkt_data", dataset=name, attempts=len(attempts), skills=len(attempts.skill_names))
    seconds, cpu_seconds = _timed_fits(attempts, repeat)
    ours = fit(attempts)
    with tempfile.TemporaryDirectory(prefix="waypoint-bkt-bench-") as scratch:
        path = Path(scratch) / "attempts.csv"
        _write_coded(attempts, path)
        whole, printed = _whole_process([str(WAYPOINT_COMMAND), "bkt-fit", str(path), "--json"], repeat)
        # The command's parameters are rounded to 6 places for printing.
        ours_printed = _decoded(printed, attempts)
        figures: dict[str, Any] = {
            "waypoint": round(statistics.median(seconds), 4),
            "waypoint_runs": [round(value, 4) for value in seconds],
            "waypoint_cpu": round(statistics.median(cpu_seconds), 4),
        }
        whole_figures: dict[str, Any] = {"waypoint": round(statistics.median(whole), 3)}
        likelihoods = {
            "waypoint": round(log_likelihood(attempts, ours), 3),
            "waypoint_command": round(log_likelihood(attempts, ours_printed), 3),
        }
        if pybkt_ready:
            result, _ = _run_pybkt(attempts, None, 1, 0, train_file=path)
            pybkt = _decoded(result["parameters"], attempts)
            pybkt_seconds = statistics.median(result["seconds"])
            figures |= {
                "pybkt": round(pybkt_seconds, 3),
                "pybkt_cpu": round(statistics.median(result["cpu_seconds"]), 3),
                "speedup": round(pybkt_seconds / statistics.median(seconds), 1),
            }
            pybkt_whole, pybkt_printed = _whole_process(
                [str(PYBKT_PYTHON), "-c", PYBKT_WHOLE_PROCESS_SCRIPT, str(path), str(len(STARTS))], 1
            )
            whole_figures |= {
                "pybkt": round(statistics.median(pybkt_whole), 3),
                "speedup": round(statistics.median(pybkt_whole) / statistics.median(whole), 1),
            }
            likelihoods |= {
                "pybkt": round(log_likelihood(attempts, pybkt), 3),
                "pybkt_command": round(log_likelihood(attempts, _decoded(pybkt_printed, attempts)), 3),
            }
        if name in HMM_SCALABLE_QUOTED:
            figures["hmm_scalable_quoted"] = HMM_SCALABLE_QUOTED[name]
        emit("bkt_fit_seconds", dataset=name, starts=len(STARTS), **figures)
        emit("bkt_whole_process_seconds", dataset=name, runs=repeat, **whole_figures)
        emit("bkt_train_log_likelihood", dataset=name, **likelihoods)


def _timed_fits(attempts: Attempts, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (all threads) of `repeat` fits. On a shared machine the wall clock also
    counts the time other processes held the cores; the CPU time does not, and it bounds the wall-clock time
    of one thread on an idle machine."""
    seconds, cpu_seconds = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fit(attempts)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    return seconds, cpu_seconds


def _whole_process(command: list[str], repeat: int) -> tuple[list[float], dict[str, dict[str, float]]]:
    """Wall-clock seconds of `repeat` runs of `command`, and the JSON it printed."""
    seconds = []
    printed = ""
    for _ in range(repeat):
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        seconds.append(time.perf_counter() - started)
        printed = completed.stdout
    return seconds, json.loads(printed)


def _write_coded(attempts: Attempts, path: Path) -> None:
    """pyBKT's columns with names replaced by codes (u12, k3) and order_id giving the time order."""
    rows = zip(attempts.students.tolist(), attempts.skills.tolist(), attempts.correct.tolist(), strict=True)
    with path.open("w", newline="") as handle:
        handle.write("order_id,user_id,skill_name,correct\n")
        handle.writelines(
            f"{order},u{student},k{skill},{correct}\n" for order, (student, skill, correct) in enumerate(rows)
        )


def _decoded(coded: dict[str, dict[str, float]], attempts: Attempts) -> dict[str, BKTParams]:
    """pyBKT's parameters by skill code, under the skills' names."""
    return {attempts.skill_names[int(skill[1:])]: BKTParams(**values) for skill, values in coded.items()}


def _pybkt_is_compiled() -> bool:
    """Whether pyBKT's E-step is its compiled C++ extension (else comparing would flatter Waypoint)."""
    completed = subprocess.run(  # noqa: S603 (our own interpreter)
        [str(PYBKT_PYTHON), "-c", "from pyBKT.fit import E_step; print(E_step.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    compiled = completed.returncode == 0 and completed.stdout.strip().endswith(".so")
    if not compiled:
        emit(
            "bkt_pybkt_install",
            failed="pyBKT.fit.E_step is not the compiled extension",
            found=completed.stdout,
        )
    return compiled


def _ensure_pybkt() -> bool:
    """Create .venv-pybkt with pyBKT built from source if it is missing; False (with a figure saying why) if
    that fails."""
    if PYBKT_PYTHON.exists():
        return True
    steps = [
        [sys.executable, "-m", "venv", str(PYBKT_VENV)],
        [str(PYBKT_PYTHON), "-m", "pip", "install", "--quiet", *PYBKT_DEPENDENCIES, "setuptools", "wheel"],
        # Without --no-binary pip takes the pure-Python wheel; without --no-build-isolation the build cannot
        # see numpy, which setup.py imports for its headers (and then falls back to pure Python silently).
        [str(PYBKT_PYTHON), "-m", "pip", "install", "--quiet", "--no-build-isolation", *SOURCE_BUILD],
    ]
    for step in steps:
        completed = subprocess.run(step, capture_output=True, text=True, check=False)  # noqa: S603
        if completed.returncode:
            emit("bkt_pybkt_install", failed=" ".join(step), error=completed.stderr.strip()[-2000:])
            return False
    return True


if __name__ == "__main__":
    main()
