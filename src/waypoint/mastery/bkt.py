"""Bayesian Knowledge Tracing (BKT): the standard four-parameter model per skill, fitted by EM, in pure numpy.

Each skill has a prior P(L0) that a student already knows it, a learn rate P(T) of coming to know it after an
attempt, a guess rate P(G) of answering correctly without knowing it and a slip rate P(S) of answering wrongly
while knowing it; nobody forgets. A *sequence* is one student's attempts at one skill in time order; sequences
are independent given the parameters.

Every computation runs over all sequences of all skills at once: the only Python-level loops walk along the
time axis (see `_Layout`), never over students or skills. No Django here: the `bkt-fit` command and the
benchmark use this module as it is.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MIN_STUDENTS = 50
MIN_MEDIAN_ATTEMPTS = 15
MIN_STUDENT_ATTEMPTS = 5
MAX_LISTED_PROBLEMS = 50

# Every probability used stays this far inside (0, 1): an estimate of exactly 0 or 1, which EM reaches only
# through rounding, would make some later answer impossible (log 0) and a division 0/0. The margin is far
# below anything the data can distinguish, so it is no bound on guess and slip in any useful sense.
PROBABILITY_MARGIN = 1e-10

# The longest SQUAREM extrapolation, in EM steps: far enough to cross the long flat ridges where EM crawls.
_MAX_EXTRAPOLATION = 100.0

# What a time step of the passes costs in Python calls to numpy, and what cutting sequences into chunks adds
# per attempt, in seconds (measured on the benchmark machine; only their ratio matters, see `_chunk_length`).
_STEP_COST = 1.5e-6
_CHUNKING_COST = 6e-9


@dataclass(frozen=True)
class BKTParams:
    """One skill's parameters: P(L0), P(T), P(G), P(S)."""

    prior: float
    learn: float
    guess: float
    slip: float


# EM's starting point: the centres of the ranges pyBKT 1.4 draws its random starts from (prior 0–1, learn
# 0–0.4, guess 0–0.4, slip 0–0.3). A fixed start makes fits reproducible; starting with guess + slip < 1 puts
# EM on the side of the likelihood where the "known" state is the one that answers better.
DEFAULT_INITIAL = BKTParams(prior=0.5, learn=0.2, guess=0.2, slip=0.15)

# Where EM starts when `fit` is given no starting point: the centre, and the two corners where BKT's
# likelihood commonly has its other maxima, lucky guessers who seldom slip and careless knowers who seldom
# guess (both seen in ASSISTments 2009, where the centre alone ends in the lower maximum for some skills).
STARTS = (
    DEFAULT_INITIAL,
    BKTParams(prior=0.5, learn=0.1, guess=0.4, slip=0.05),
    BKTParams(prior=0.5, learn=0.1, guess=0.05, slip=0.3),
)
SCREENING_ITERATIONS = 1


class KTDataError(ValueError):
    """Practice data that cannot be read: `problems` lists each problem with its line number (the first
    `MAX_LISTED_PROBLEMS`, then a count of the rest)."""

    def __init__(self, problems: list[str]) -> None:
        listed = problems[:MAX_LISTED_PROBLEMS]
        if len(problems) > MAX_LISTED_PROBLEMS:
            listed.append(f"… and {len(problems) - MAX_LISTED_PROBLEMS} more problems")
        self.problems = listed
        super().__init__("\n".join(listed))


@dataclass(frozen=True, eq=False)
class Attempts:
    """Columnar practice data, one row per attempt: `students` and `skills` are codes into `student_names` and
    `skill_names`, `correct` is 0 or 1. Each student's rows are in time order (rows of different students may
    interleave)."""

    students: IntArray
    skills: IntArray
    correct: npt.NDArray[np.int8]
    student_names: list[str]
    skill_names: list[str]

    def __post_init__(self) -> None:
        students = np.asarray(self.students, dtype=np.int64)
        skills = np.asarray(self.skills, dtype=np.int64)
        correct = np.asarray(self.correct, dtype=np.int8)
        if not students.ndim == skills.ndim == correct.ndim == 1:
            raise ValueError("students, skills and correct must be one-dimensional")
        if not len(students) == len(skills) == len(correct):
            raise ValueError("students, skills and correct must have the same length")
        if len(students) and not (students.min() >= 0 and students.max() < len(self.student_names)):
            raise ValueError("a student code has no name")
        if len(skills) and not (skills.min() >= 0 and skills.max() < len(self.skill_names)):
            raise ValueError("a skill code has no name")
        if not np.isin(correct, (0, 1)).all():
            raise ValueError("correct must be 0 or 1")
        object.__setattr__(self, "students", students)
        object.__setattr__(self, "skills", skills)
        object.__setattr__(self, "correct", correct)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, int]]) -> Attempts:
        """Attempts from (student, skill, correct) rows in time order; names are coded in order of first
        appearance."""
        student_codes: dict[str, int] = {}
        skill_codes: dict[str, int] = {}
        students: list[int] = []
        skills: list[int] = []
        correct: list[int] = []
        for student, skill, answer in rows:
            students.append(student_codes.setdefault(student, len(student_codes)))
            skills.append(skill_codes.setdefault(skill, len(skill_codes)))
            correct.append(answer)
        return cls(
            students=np.array(students, dtype=np.int64),
            skills=np.array(skills, dtype=np.int64),
            correct=np.array(correct, dtype=np.int8),
            student_names=list(student_codes),
            skill_names=list(skill_codes),
        )

    def __len__(self) -> int:
        return len(self.correct)

    def take(self, rows: BoolArray | IntArray) -> Attempts:
        """The attempts selected by a boolean mask or by increasing row indices (keeping time order), with
        the same name lists."""
        return Attempts(
            students=self.students[rows],
            skills=self.skills[rows],
            correct=self.correct[rows],
            student_names=self.student_names,
            skill_names=self.skill_names,
        )


# --- Reading pyBKT's CSV format -----------------------------------------------------------------------------

# The columns pyBKT's data helper looks for: ASSISTments' names first, then those of a DataShop (Cognitive
# Tutor) export.
_COLUMNS = {
    "user_id": ("user_id", "Anon Student Id"),
    "skill_name": ("skill_name", "KC(Default)"),
    "correct": ("correct", "Correct First Attempt"),
    "order_id": ("order_id", "Row"),
}
_INTEGER = re.compile(r"[+-]?\d+")


def read_pybkt_csv(source: str | Path | IO[bytes] | IO[str], *, skip_blank_skills: bool = False) -> Attempts:
    """Attempts from a file in pyBKT's format: comma- or tab-separated (whichever the header line uses more)
    with a header naming `user_id`, `skill_name` and `correct` (0 or 1), and optionally `order_id`, by which
    the rows are then sorted (stably); without it the file's row order is the time order. A DataShop export's
    `Anon Student Id`, `KC(Default)`, `Correct First Attempt` and `Row` stand in for them, as in pyBKT. Other
    columns, including an unnamed index column, are ignored.

    Raises `KTDataError` listing every problem with its line number. A row without a skill is a problem
    unless `skip_blank_skills`, which drops such rows (DataShop exports leave steps without a knowledge
    component blank).
    """
    if isinstance(source, str | Path):
        raw: bytes | str = Path(source).read_bytes()
    else:
        raw = source.read()
    text = _decode(raw)
    if not text.strip():
        raise KTDataError(["line 1: the file is empty"])
    header_line = text.split("\n", 1)[0]
    delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    problems: list[str] = []
    column: dict[str, int] = {}
    for role, names in _COLUMNS.items():
        found = next((name for name in names if name in header), None)
        if found is not None:
            column[role] = header.index(found)
        elif role != "order_id":
            problems.append(f"line 1: no {' or '.join(names)} column")

    needed = max(column.values(), default=-1) + 1
    kept: list[tuple[int, str, str, int]] = []
    rows = 0
    line = reader.line_num
    for fields in reader:
        start, line = line + 1, reader.line_num
        if not fields:
            continue
        rows += 1
        if len(fields) < needed:
            problems.append(f"line {start}: {len(fields)} fields where the header has {len(header)}")
            continue
        student, skill, answer, order = (
            fields[column[role]].strip() if role in column else None for role in _COLUMNS
        )
        correct = None if answer is None else _binary(answer)
        if student == "":
            problems.append(f"line {start}: {header[column['user_id']]} is empty")
        if skill == "" and not skip_blank_skills:
            problems.append(f"line {start}: {header[column['skill_name']]} is empty")
        if answer is not None and correct is None:
            problems.append(f"line {start}: {header[column['correct']]} is {answer!r}, not 0 or 1")
        if order is not None and not _INTEGER.fullmatch(order):
            problems.append(f"line {start}: {header[column['order_id']]} is {order!r}, not an integer")
        if not problems and student and skill and correct is not None:
            kept.append((int(order) if order is not None else rows, student, skill, correct))
    if not problems and not rows:
        problems.append("line 2: the file has a header but no attempts")
    if problems:
        raise KTDataError(problems)
    if "order_id" in column:
        kept.sort(key=lambda row: row[0])
    return Attempts.from_rows((student, skill, correct) for _, student, skill, correct in kept)


def _decode(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise KTDataError(
            [f"line {line}: the file is not UTF-8 (byte 0x{raw[error.start]:02x} cannot be decoded)"]
        ) from error


def _binary(value: str) -> int | None:
    if value in ("0", "1"):
        return int(value)
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number in (0.0, 1.0) else None


# --- Fitting and inference ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parameters:
    """Parameters of every skill code, as arrays indexed by skill code."""

    prior: FloatArray
    learn: FloatArray
    guess: FloatArray
    slip: FloatArray

    @classmethod
    def of(cls, attempts: Attempts, params: Mapping[str, BKTParams]) -> _Parameters:
        """Arrays for `params` (a skill without attempts may be missing from it), moved inside (0, 1) by
        `PROBABILITY_MARGIN` so that parameters of exactly 0 or 1 make no answer impossible."""
        practised = np.zeros(len(attempts.skill_names), dtype=bool)
        practised[attempts.skills] = True
        missing = [
            name
            for name, used in zip(attempts.skill_names, practised, strict=True)
            if used and name not in params
        ]
        if missing:
            raise ValueError(f"no parameters for the skills {', '.join(sorted(missing))}")
        chosen = [params.get(name, DEFAULT_INITIAL) for name in attempts.skill_names]
        return cls.from_stacked(
            np.array([[p.prior, p.learn, p.guess, p.slip] for p in chosen], dtype=np.float64).reshape(-1, 4).T
        )

    @classmethod
    def constant(cls, params: BKTParams, skills: int) -> _Parameters:
        """The same parameters for every skill code."""
        return cls.from_stacked(
            np.repeat([[params.prior], [params.learn], [params.guess], [params.slip]], skills, axis=1)
        )

    @classmethod
    def from_stacked(cls, stacked: FloatArray) -> _Parameters:
        """Parameters from rows prior, learn, guess, slip, moved inside (0, 1) by `PROBABILITY_MARGIN`."""
        prior, learn, guess, slip = np.clip(stacked, PROBABILITY_MARGIN, 1 - PROBABILITY_MARGIN)
        return cls(prior=prior, learn=learn, guess=guess, slip=slip)

    def stacked(self) -> FloatArray:
        """Rows prior, learn, guess, slip; a column per skill code."""
        return np.stack([self.prior, self.learn, self.guess, self.slip])

    def emissions(self) -> tuple[FloatArray, FloatArray]:
        """P(answer | known) and P(answer | not known), indexed by outcome code 2 × skill + correct."""
        known = np.stack([self.slip, 1 - self.slip], axis=1).ravel()
        unknown = np.stack([1 - self.guess, self.guess], axis=1).ravel()
        return known, unknown


@dataclass(frozen=True)
class _Layout:
    """Attempts regrouped for the forward and backward passes, in *scan order*.

    The passes are recursions along each sequence. Sequences are cut into chunks (see `_chunk_length`; short
    sequences are one chunk) and chunks are ranked longest first; the t-th attempts of all chunks are stored
    together, from `offsets[t]`, in rank order, `active[t]` of them. Step t of every chunk is then one slice,
    and the chunk of rank r is at `offsets[t] + r` for every t it lasts. The chunks of one sequence are
    chained through `links` (pairs of rank arrays: a chunk, the next chunk of its sequence), each chunk's
    effect being composed first (see `_chain_forward`, `_chain_backward`). Python thus loops about
    2 × chunk length + longest sequence / chunk length times per pass, instead of once per attempt of the
    longest sequence (3,585 in the ASSISTments 2009 DKT file).

    `starts` and `ends` are the scan positions of each sequence's first and last attempts; `tally` codes
    each attempt's skill, answer and whether it ends its sequence, for counting.
    """

    rows: IntArray
    outcome: IntArray
    skill: IntArray
    skills: int
    offsets: list[int]
    active: list[int]
    chunk_skill: IntArray
    links: list[tuple[IntArray, IntArray]]
    starts: IntArray
    start_skill: IntArray
    ends: IntArray
    end_skill: IntArray
    end_student: IntArray
    tally: IntArray
    sequences: FloatArray

    @classmethod
    def of(cls, attempts: Attempts) -> _Layout:
        skills = len(attempts.skill_names)
        key = attempts.students * skills + attempts.skills
        rows = np.argsort(key, kind="stable")
        count = len(rows)
        grouped = key[rows]
        first = np.flatnonzero(np.concatenate(([count > 0], grouped[1:] != grouped[:-1])))
        lengths = np.diff(first, append=count)
        sequence = np.repeat(np.arange(len(first)), lengths)
        step = np.arange(count) - np.repeat(first, lengths)
        longest = int(lengths.max(initial=0))
        chunk_length = _chunk_length(longest, count)
        if chunk_length == longest:
            chunk, time = sequence, step
            chunks_per_sequence = np.ones(len(first), dtype=np.int64)
            first_chunk = np.arange(len(first))
        else:
            chunk_in_sequence, time = np.divmod(step, chunk_length)
            chunks_per_sequence = -(-lengths // chunk_length)
            first_chunk = np.cumsum(chunks_per_sequence) - chunks_per_sequence
            chunk = first_chunk[sequence] + chunk_in_sequence
        chunk_sizes = np.bincount(chunk, minlength=int(chunks_per_sequence.sum()))
        ranked = np.argsort(-chunk_sizes, kind="stable")
        rank = np.empty_like(ranked)
        rank[ranked] = np.arange(len(ranked))
        longer_than = len(ranked) - np.cumsum(np.bincount(chunk_sizes, minlength=chunk_length + 1))
        active = longer_than[:chunk_length]
        offsets = np.cumsum(active) - active
        position = offsets[time] + rank[chunk]
        scan_rows = np.empty_like(rows)
        scan_rows[position] = rows
        skill = attempts.skills[scan_rows]
        outcome = 2 * skill + attempts.correct[scan_rows]

        chunk_sequence = np.repeat(np.arange(len(first)), chunks_per_sequence)
        starts = rank[first_chunk]
        final = first_chunk + chunks_per_sequence - 1
        ends = offsets[chunk_sizes[final] - 1] + rank[final] if count else np.zeros(0, dtype=np.int64)
        is_end = np.zeros(count, dtype=np.int64)
        is_end[ends] = 1
        links = []
        for index in range(int(chunks_per_sequence.max(initial=1)) - 1):
            chained = first_chunk[chunks_per_sequence > index + 1] + index
            links.append((rank[chained], rank[chained + 1]))
        return cls(
            rows=scan_rows,
            outcome=outcome,
            skill=skill,
            skills=skills,
            offsets=offsets.tolist(),
            active=active.tolist(),
            chunk_skill=attempts.skills[rows[first]][chunk_sequence[ranked]],
            links=links,
            starts=starts,
            start_skill=skill[starts],
            ends=ends,
            end_skill=skill[ends],
            end_student=attempts.students[scan_rows[ends]],
            tally=2 * outcome + is_end,
            sequences=np.bincount(skill[starts], minlength=skills).astype(np.float64),
        )

    def steps(self) -> Iterator[tuple[int, int, int, int]]:
        """For each time step t: where its slice starts, how many chunks it holds, where step t + 1 starts and
        how many of the chunks go on to it (a prefix)."""
        following = [*self.offsets[1:], len(self.rows)]
        going_on = [*self.active[1:], 0]
        return zip(self.offsets, self.active, following, going_on, strict=True)


def _chunk_length(longest: int, attempts: int) -> int:
    """The chunk length that makes the passes cheapest: the longest sequence (no chunking) or, when Python's
    per-step calls outweigh the extra work per attempt, about √(longest / 2). Unchunked, a pass makes about 14
    calls per time step; chunked, about 24 per step of a chunk and 11 per chunk boundary."""
    chunked = max(4, round(math.sqrt(longest * 11 / 24)))
    whole = 14 * longest * _STEP_COST
    cut = (24 * chunked + 11 * longest / chunked) * _STEP_COST + attempts * _CHUNKING_COST
    return chunked if chunked < longest and cut < whole else longest


@dataclass(frozen=True)
class _Filtered:
    """The forward pass, in scan order: P(known) and P(not known) before each attempt (given the earlier
    answers of its sequence) and after it (given its answer too); and, by chunk rank, the log-probability of
    each chunk's answers given the earlier ones.

    Both states are kept because either can be too close to 1 for its complement to survive rounding. After
    a long run of right answers P(not known) may be 1e-28: stored as 1 − P(known) it would be 0, the
    student could then never turn out not to know the skill, and a long run of wrong answers afterwards
    would be charged log(slip) each instead of the far likelier guesses-all-along explanation.
    """

    before_known: FloatArray
    before_unknown: FloatArray
    after_known: FloatArray
    after_unknown: FloatArray
    chunk_log_likelihood: FloatArray


def _forward(layout: _Layout, theta: _Parameters) -> _Filtered:
    """The forward pass: filtering along every sequence at once."""
    known, unknown = theta.emissions()
    learn = np.repeat(theta.learn, 2)
    if_known = known[layout.outcome]
    if_unknown = unknown[layout.outcome]
    learns = learn[layout.outcome]
    stays = 1 - learns
    chunks = len(layout.chunk_skill)
    size = len(layout.rows)
    before_known, before_unknown = np.empty(size), np.empty(size)
    after_known, after_unknown = np.empty(size), np.empty(size)
    # Each chunk starts at its rank in the first time step's slice.
    before_known[:chunks] = theta.prior[layout.chunk_skill]
    before_unknown[:chunks] = 1 - theta.prior[layout.chunk_skill]
    if layout.links:
        _chain_forward(
            layout,
            before_known[:chunks],
            before_unknown[:chunks],
            unknown * (1 - learn),
            learn * unknown,
            known,
        )
    # The probability of each chunk's answers, kept as mantissa × 2^exponent so that it cannot underflow:
    # cheaper than a logarithm per attempt.
    mantissa = np.ones(chunks)
    exponent = np.zeros(chunks, dtype=np.int64)
    joint_known, joint_unknown, evidence = np.empty(chunks), np.empty(chunks), np.empty(chunks)
    for time, (start, count, following, going_on) in enumerate(layout.steps()):
        end = start + count
        # Products and sums of probabilities only, computed in place.
        known_now = np.multiply(before_known[start:end], if_known[start:end], out=joint_known[:count])
        unknown_now = np.multiply(before_unknown[start:end], if_unknown[start:end], out=joint_unknown[:count])
        answer = np.add(known_now, unknown_now, out=evidence[:count])
        known_after = np.divide(known_now, answer, out=after_known[start:end])
        unknown_after = np.divide(unknown_now, answer, out=after_unknown[start:end])
        if going_on:
            upcoming = slice(following, following + going_on)
            np.multiply(
                unknown_after[:going_on], stays[start : start + going_on], out=before_unknown[upcoming]
            )
            learned = np.multiply(
                unknown_after[:going_on], learns[start : start + going_on], out=before_known[upcoming]
            )
            learned += known_after[:going_on]
        mantissa[:count] *= answer
        if time % 16 == 15:
            fraction, power = np.frexp(mantissa[:count])
            mantissa[:count] = fraction
            exponent[:count] += power
    return _Filtered(
        before_known=before_known,
        before_unknown=before_unknown,
        after_known=after_known,
        after_unknown=after_unknown,
        chunk_log_likelihood=np.log(mantissa) + exponent * math.log(2),
    )


def _chain_forward(
    layout: _Layout,
    known: FloatArray,
    unknown: FloatArray,
    stay: FloatArray,
    arrive: FloatArray,
    keep: FloatArray,
) -> None:
    """Set `known` and `unknown` (by chunk rank) at the start of every chunk after a sequence's first.

    In joint-probability terms (u, k) = (P(not known, answers so far), P(known, answers so far)), one attempt
    is the linear map u' = stay·u, k' = arrive·u + keep·k (coefficients indexed by outcome code), so a whole
    chunk is one lower-triangular matrix (a, 0; b, d): composed for all chunks at once along the time axis,
    then applied chunk after chunk along each sequence.
    """
    chunks = len(known)
    a, b, d = np.ones(chunks), np.zeros(chunks), np.ones(chunks)
    for time, (start, count, _, _) in enumerate(layout.steps()):
        outcome = layout.outcome[start : start + count]
        b[:count] = arrive[outcome] * a[:count] + keep[outcome] * b[:count]
        a[:count] *= stay[outcome]
        d[:count] *= keep[outcome]
        if time % 8 == 7:
            # Rescaling leaves the estimates unchanged and keeps products of small probabilities from
            # underflowing.
            total = a + b + d
            a, b, d = a / total, b / total, d / total
    for source, target in layout.links:
        joint_unknown = a[source] * unknown[source]
        joint_known = b[source] * unknown[source] + d[source] * known[source]
        total = joint_unknown + joint_known
        unknown[target] = joint_unknown / total
        known[target] = joint_known / total


def _backward(layout: _Layout, filtered: _Filtered) -> tuple[FloatArray, FloatArray]:
    """Smoothed P(known | all the answers of the sequence) for each attempt, and for each attempt the factor
    linking it to its successor: P(known at t+1 | all) / P(known at t+1 | answers to t), 1 for a sequence's
    last attempt. Without forgetting, P(known at t | all) = P(known at t | answers to t) × that factor."""
    before, after = filtered.before_known, filtered.after_known
    carry = np.ones(len(layout.chunk_skill))
    if layout.links:
        _chain_backward(layout, before, after, carry)
    smoothed = np.empty(len(layout.rows))
    factor = np.empty(len(layout.rows))
    for start, count, following, going_on in reversed(list(layout.steps())):
        end = start + count
        if going_on:
            np.divide(
                smoothed[following : following + going_on],
                before[following : following + going_on],
                out=factor[start : start + going_on],
            )
        factor[start + going_on : end] = carry[going_on:count]
        np.multiply(after[start:end], factor[start:end], out=smoothed[start:end])
    return smoothed, factor


def _chain_backward(layout: _Layout, before: FloatArray, after: FloatArray, carry: FloatArray) -> None:
    """Set `carry` (by chunk rank) for every chunk but a sequence's last: the factor linking its last attempt
    to the first of the next chunk. Within a chunk the smoothed estimate at its start is the product of the
    chunk's filtered-to-next ratios times the smoothed estimate at its end, so chunks chain backwards."""
    product = np.ones(len(carry))
    for start, count, following, going_on in layout.steps():
        if going_on:
            product[:going_on] *= after[start : start + going_on] / before[following : following + going_on]
        product[going_on:count] *= after[start + going_on : start + count]
    for source, target in reversed(layout.links):
        # A chunk's first attempt is at its rank in the first time step's slice.
        carry[source] = product[target] * carry[target] / before[target]


@dataclass(frozen=True)
class _Expectations:
    """Per skill code under the current parameters: the log-likelihood, and the expected counts that are the
    numerator and denominator of each parameter's maximum-likelihood estimate."""

    log_likelihood: FloatArray
    prior: tuple[FloatArray, FloatArray]
    learn: tuple[FloatArray, FloatArray]
    guess: tuple[FloatArray, FloatArray]
    slip: tuple[FloatArray, FloatArray]


def _expectations(layout: _Layout, theta: _Parameters) -> _Expectations:
    """The E-step: forward filtering, backward smoothing, and the expected counts of each kind of event."""
    skills = layout.skills
    filtered = _forward(layout, theta)
    smoothed, factor = _backward(layout, filtered)
    # Totals by skill, answer and whether the attempt is its sequence's last, each summed directly: a total
    # obtained by subtraction would turn rounding into evidence where there is none (a skill whose sequences
    # all have one attempt would get a learn rate of noise over noise).
    known = _totals(layout.tally, smoothed, 4 * skills).reshape(skills, 2, 2)
    unknown = _totals(layout.tally, 1 - smoothed, 4 * skills).reshape(skills, 2, 2)
    # P(not known at t, known at t+1 | all) = P(not known at t | answers to t) × learn × factor(t), over the
    # attempts that have a successor.
    factor[layout.ends] = 0
    not_yet = _totals(layout.skill, filtered.after_unknown * factor, skills)
    return _Expectations(
        log_likelihood=_totals(layout.chunk_skill, filtered.chunk_log_likelihood, skills),
        prior=(_totals(layout.start_skill, smoothed[layout.starts], skills), layout.sequences),
        learn=(theta.learn * not_yet, unknown[:, :, 0].sum(axis=1)),
        guess=(unknown[:, 1].sum(axis=1), unknown.sum(axis=(1, 2))),
        slip=(known[:, 0].sum(axis=1), known.sum(axis=(1, 2))),
    )


def _totals(codes: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """The sum of `weights` for each code in range(size)."""
    return np.bincount(codes, weights, minlength=size).astype(np.float64, copy=False)


def _maximise(expected: _Expectations, theta: _Parameters) -> _Parameters:
    """The M-step. A parameter without evidence (no attempt after a first one, say, for the learn rate) keeps
    its value."""

    def ratio(counts: tuple[FloatArray, FloatArray], current: FloatArray) -> FloatArray:
        numerator, denominator = counts
        estimate = np.divide(numerator, denominator, out=current.copy(), where=denominator > 0)
        return np.clip(estimate, PROBABILITY_MARGIN, 1 - PROBABILITY_MARGIN)

    return _Parameters(
        prior=ratio(expected.prior, theta.prior),
        learn=ratio(expected.learn, theta.learn),
        guess=ratio(expected.guess, theta.guess),
        slip=ratio(expected.slip, theta.slip),
    )


def fit(
    attempts: Attempts,
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
    initial: BKTParams | None = None,
) -> dict[str, BKTParams]:
    """Maximum-likelihood parameters of every skill that has attempts, by EM (Baum–Welch) accelerated by
    SQUAREM (Varadhan & Roland, Scandinavian Journal of Statistics 35, 2008).

    EM finds a local maximum, and real skills can have several. From `initial`, every skill starts there.
    Without it, every skill starts from each of `STARTS`, takes `SCREENING_ITERATIONS` iterations from each,
    and goes on from whichever got it the highest likelihood (as pyBKT keeps the best of several random
    starts, but deterministic).

    An iteration takes an EM step; stops there if that step moved none of the skill's parameters by more than
    `tolerance`; otherwise takes a second EM step, extrapolates along the two, and takes an EM step from the
    extrapolated point, which it keeps only if that point is at least as likely as the first step's result
    (else it keeps the second step's). The likelihood therefore never decreases from one iteration to the
    next, and the fixed points are EM's. Each skill stops on its own, or after `max_iterations`.

    Guess and slip are not bounded (beyond `PROBABILITY_MARGIN`), as in pyBKT: on data that BKT fits badly EM
    may settle on guess + slip > 1, where "known" answers worse than "not known".
    """
    if max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")
    skills = len(attempts.skill_names)
    practised = np.bincount(attempts.skills, minlength=skills) > 0
    layout = _Layout.of(attempts)
    if initial is not None:
        theta = _Parameters.constant(initial, skills)
    else:
        screened = [
            _em(attempts, layout, _Parameters.constant(start, skills), SCREENING_ITERATIONS, tolerance)
            for start in STARTS
        ]
        likelihoods = np.stack([_skill_log_likelihoods(layout, candidate) for candidate in screened])
        best = np.argmax(likelihoods, axis=0)
        theta = _Parameters.from_stacked(
            np.take_along_axis(np.stack([c.stacked() for c in screened]), best[None, None, :], axis=0)[0]
        )
    theta = _em(attempts, layout, theta, max_iterations, tolerance)
    return {
        name: BKTParams(
            prior=float(theta.prior[code]),
            learn=float(theta.learn[code]),
            guess=float(theta.guess[code]),
            slip=float(theta.slip[code]),
        )
        for code, name in enumerate(attempts.skill_names)
        if practised[code]
    }


def _em(
    attempts: Attempts, layout: _Layout, theta: _Parameters, iterations: int, tolerance: float
) -> _Parameters:
    """Up to `iterations` SQUAREM iterations (see `fit`) from `theta` for every skill with attempts."""
    skills = len(attempts.skill_names)
    running = np.bincount(attempts.skills, minlength=skills) > 0
    covered = len(attempts)
    for _ in range(iterations):
        first, _ = _em_step(layout, theta)
        settled = running & (np.abs(first.stacked() - theta.stacked()).max(axis=0) <= tolerance)
        theta = _Parameters.from_stacked(np.where(settled, first.stacked(), theta.stacked()))
        running &= ~settled
        if not running.any():
            break
        second, first_likelihood = _em_step(layout, first)
        step = first.stacked() - theta.stacked()
        curvature = second.stacked() - first.stacked() - step
        squared_step, squared_curvature = (step**2).sum(axis=0), (curvature**2).sum(axis=0)
        # SQUAREM's third scheme: the step length −|r|/|v|, never shorter than plain EM's (−1).
        length = -np.sqrt(
            np.divide(squared_step, squared_curvature, out=np.ones(skills), where=squared_curvature > 0)
        )
        length = np.clip(length, -_MAX_EXTRAPOLATION, -1)
        leap = _Parameters.from_stacked(theta.stacked() - 2 * length * step + length**2 * curvature)
        landed, leap_likelihood = _em_step(layout, leap)
        chosen = np.where(leap_likelihood >= first_likelihood, landed.stacked(), second.stacked())
        theta = _Parameters.from_stacked(np.where(running, chosen, theta.stacked()))
        unfinished = running[attempts.skills]
        if unfinished.sum() < covered / 2:
            # Skills that have converged still cost their share of every pass: drop them from the layout.
            layout = _Layout.of(attempts.take(unfinished))
            covered = int(unfinished.sum())
    return theta


def _skill_log_likelihoods(layout: _Layout, theta: _Parameters) -> FloatArray:
    """The log-likelihood of each skill code's attempts."""
    return _totals(layout.chunk_skill, _forward(layout, theta).chunk_log_likelihood, layout.skills)


def _em_step(layout: _Layout, theta: _Parameters) -> tuple[_Parameters, FloatArray]:
    """One EM step from `theta`, and each skill's log-likelihood at `theta`."""
    expected = _expectations(layout, theta)
    return _maximise(expected, theta), expected.log_likelihood


def log_likelihood(attempts: Attempts, params: Mapping[str, BKTParams]) -> float:
    """The natural logarithm of the probability of all the answers in `attempts` under `params`."""
    filtered = _forward(_Layout.of(attempts), _Parameters.of(attempts, params))
    return float(filtered.chunk_log_likelihood.sum())


def posterior(attempts: Attempts, params: Mapping[str, BKTParams]) -> dict[tuple[str, str], float]:
    """P(known) for every (student, skill) practised, after the student's last attempt at the skill and the
    learning step that follows it: the estimate pyBKT would use to predict the next attempt."""
    layout = _Layout.of(attempts)
    theta = _Parameters.of(attempts, params)
    filtered = _forward(layout, theta)
    ends = layout.ends
    mastered = filtered.after_known[ends] + filtered.after_unknown[ends] * theta.learn[layout.end_skill]
    return {
        (attempts.student_names[student], attempts.skill_names[skill]): estimate
        for student, skill, estimate in zip(
            layout.end_student.tolist(), layout.end_skill.tolist(), mastered.tolist(), strict=True
        )
    }


def predict_correct(attempts: Attempts, params: Mapping[str, BKTParams]) -> FloatArray:
    """For each row of `attempts`, P(correct) given only the student's earlier attempts at the skill."""
    layout = _Layout.of(attempts)
    theta = _Parameters.of(attempts, params)
    filtered = _forward(layout, theta)
    skill = layout.skill
    predicted = np.empty(len(attempts))
    predicted[layout.rows] = (
        filtered.before_known * (1 - theta.slip[skill]) + filtered.before_unknown * theta.guess[skill]
    )
    return predicted


def evidence_sufficient(students: int, attempts_per_student_median: float) -> bool:
    """Whether a skill's data can support fitted parameters: at least `MIN_STUDENTS` students whose median
    sequence has at least `MIN_MEDIAN_ATTEMPTS` attempts.

    The rule follows the guidance of pyBKT's authors (Badrinath, Wang & Pardos, "pyBKT: An Accessible Python
    Library of Bayesian Knowledge Tracing Models", EDM 2021) that stable estimates take roughly 50–100
    students with sequences of 15 or more attempts; Coetzee ("Choosing Sample Size for Knowledge Tracing
    Models", BKT20y workshop, 2014) finds the error of each estimate shrinks only as 1/√students. We take the
    lower end; below it, use default parameters rather than fitted ones.
    """
    return students >= MIN_STUDENTS and attempts_per_student_median >= MIN_MEDIAN_ATTEMPTS


def student_evidence_sufficient(attempt_count: int) -> bool:
    """Whether one student's estimate rests on enough attempts (`MIN_STUDENT_ATTEMPTS`) to be shown as more
    than provisional.

    With typical parameters (guess ≈ 0.2, slip ≈ 0.1) a few attempts move the estimate mostly by luck: a
    student who knows nothing answers two in a row correctly one time in 25, and from a middling prior two
    correct answers already lift P(known) past 0.9. Five attempts is the most that common streak rules
    ("three to five correct in a row") ask for, so an estimate from fewer has had less chance to meet contrary
    evidence than any such rule demands.
    """
    return attempt_count >= MIN_STUDENT_ATTEMPTS


def auc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """The area under the ROC curve of `scores` for binary `labels`: the probability that a random positive
    scores above a random negative, ties counting one half (the Mann–Whitney statistic on average ranks)."""
    truth = np.asarray(labels).astype(bool)
    values = np.asarray(scores, dtype=np.float64)
    if truth.shape != values.shape or truth.ndim != 1:
        raise ValueError("labels and scores must be one-dimensional and of the same length")
    positives = int(truth.sum())
    negatives = len(truth) - positives
    if not positives or not negatives:
        raise ValueError("the AUC needs both positive and negative labels")
    order = np.argsort(values, kind="stable")
    _, inverse, counts = np.unique(values[order], return_inverse=True, return_counts=True)
    # Tied scores share the average of the ranks (1-based) they occupy.
    average_rank = np.cumsum(counts) - (counts - 1) / 2
    ranks = np.empty(len(values))
    ranks[order] = average_rank[inverse]
    return float((ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def synthetic(params: Mapping[str, BKTParams], students: int, length: int, seed: int) -> Attempts:
    """Attempts drawn from BKT with `params`: every student attempts every skill `length` times, the skills
    taking turns (rows by student, then round, then skill in `params` order)."""
    rng = np.random.default_rng(seed)
    chosen = list(params.values())
    prior, learn, guess, slip = (
        np.array([getattr(p, field) for p in chosen]) for field in BKTParams.__annotations__
    )
    skills = len(chosen)
    known = rng.random((students, skills)) < prior
    correct = np.empty((students, length, skills), dtype=np.int8)
    for attempt in range(length):
        draw = rng.random((students, skills))
        correct[:, attempt] = np.where(known, draw >= slip, draw < guess)
        known |= rng.random((students, skills)) < learn
    return Attempts(
        students=np.repeat(np.arange(students, dtype=np.int64), length * skills),
        skills=np.tile(np.arange(skills, dtype=np.int64), students * length),
        correct=correct.ravel(),
        student_names=[f"student-{number:06d}" for number in range(students)],
        skill_names=list(params),
    )
