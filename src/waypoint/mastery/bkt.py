"""Bayesian Knowledge Tracing (BKT): the standard four-parameter model per skill, fitted by EM.

Each skill has a prior P(L0) that a student already knows it, a learn rate P(T) of coming to know it after an
attempt, a guess rate P(G) of answering correctly without knowing it and a slip rate P(S) of answering wrongly
while knowing it; nobody forgets. A *sequence* is one student's attempts at one skill in time order; sequences
are independent given the parameters.

Fitting and reading run on compiled passes (`bkt_native`: one fused forward–backward sweep per sequence, the
whole EM of each skill in C, skills on both cores) wherever a C compiler is at hand, and otherwise on NumPy
passes over all sequences of all skills at once, whose only Python-level loops walk along the time axis (see
`_Layout`); both give the same figures. Inference (`log_likelihood`, `posterior`, `predict_correct`) runs on
the NumPy passes. No Django here: the `bkt-fit` command and the benchmark use this module as it is.
"""

from __future__ import annotations

import copy
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

from waypoint.mastery import bkt_native

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
# Screening looks at no more than this many attempts of a skill: those of the sequences that come first in
# student code order (first appearance in the data). Enough to tell the maxima of a skill apart by far, and
# on large data it makes screening's dozen passes cost about one.
SCREENING_ATTEMPTS = 30_000


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
        if len(correct) and not (correct.min() >= 0 and correct.max() <= 1):
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
    read = _read_plain_csv(raw, skip_blank_skills)
    if read is not None:
        return read
    # The csv module, row by row: quoted fields, and every problem reported with its line.
    text = _decode(raw)
    if not text or text.isspace():
        raise KTDataError(["line 1: the file is empty"])
    header_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = _delimiter(header_line)
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


def _delimiter(header_line: str) -> str:
    return "\t" if header_line.count("\t") > header_line.count(",") else ","


def _read_plain_csv(raw: bytes | str, skip_blank_skills: bool) -> Attempts | None:
    """The attempts of a well-formed file, read by the compiled reader (`bkt_native`) in one pass over the
    bytes, with no Python object per row; None for a file with a problem or with fields it leaves to the
    csv module (quoted in the columns used, or with spaces around them), or without the compiled reader, for
    `read_pybkt_csv` to read row by row."""
    library = bkt_native.load()
    if library is None:
        return None
    if isinstance(raw, str):
        try:
            data = raw.removeprefix("\ufeff").encode()
        except UnicodeEncodeError:
            return None
    else:
        data = raw.removeprefix(b"\xef\xbb\xbf")
        # ASCII is valid UTF-8, and checking it makes no decoded copy of the file.
        if not data.isascii():
            try:
                data.decode()
            except UnicodeDecodeError:
                return None
    if b"\0" in data or b"\n" not in data:
        return None
    header_line = data[: data.index(b"\n")].decode()
    delimiter = _delimiter(header_line)
    if '"' in header_line:
        return None
    header = [name.strip() for name in header_line.removesuffix("\r").split(delimiter)]
    column = {}
    for role, names in _COLUMNS.items():
        found = next((name for name in names if name in header), None)
        if found is None and role != "order_id":
            return None
        column[role] = -1 if found is None else header.index(found)
    if not data.endswith(b"\n"):
        data += b"\n"
    rows = bkt_native.read_rows(
        library,
        data,
        data.index(b"\n") + 1,
        delimiter,
        (column["user_id"], column["skill_name"], column["correct"], column["order_id"]),
        skip_blank_skills=skip_blank_skills,
    )
    if rows is None:
        return None
    students, skills, correct = rows.students, rows.skills, rows.correct
    student_names, skill_names = rows.student_names, rows.skill_names
    if not rows.ordered:
        by_order = np.argsort(rows.order, kind="stable")
        students, skills, correct = students[by_order], skills[by_order], correct[by_order]
        students, student_names = _coded_by_first_appearance(students, student_names)
        skills, skill_names = _coded_by_first_appearance(skills, skill_names)
    return Attempts(students, skills, correct, student_names, skill_names)


def _coded_by_first_appearance(codes: IntArray, names: list[str]) -> tuple[IntArray, list[str]]:
    """`codes` renumbered, and `names` reordered, so that codes count up in order of first appearance."""
    first = np.full(len(names), len(codes))
    # Assigning in reverse leaves each code's first position (the last write wins).
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    appearing = np.argsort(first, kind="stable")
    renumbered = np.empty_like(appearing)
    renumbered[appearing] = np.arange(len(appearing))
    return renumbered[codes], [names[code] for code in appearing.tolist()]


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


class _Passes:
    """The E-step behind `fit`: per skill, the log-likelihood at `theta` (a stacked parameter array, see
    `_Parameters.stacked`) and the expected counts of each kind of event, as a (skill × `bkt_native.COUNTS`)
    array. Only `running` skills need be computed (the others' rows are then zero or stale).

    The compiled passes (`bkt_native`, which also run all of `_em` in C) where they could be compiled, else
    `_numpy_expectations` on `_Layout`, which drops the skills that have stopped from the layout once they
    are half the attempts."""

    def __init__(self, attempts: Attempts, *, native: bool = True) -> None:
        self._attempts = attempts
        library = bkt_native.load() if native else None
        self.fused = (
            bkt_native.FusedSequences(
                library,
                attempts.students,
                attempts.skills,
                attempts.correct,
                len(attempts.student_names),
                len(attempts.skill_names),
            )
            if library is not None
            else None
        )
        # Built only for the NumPy passes.
        self._layout = _Layout.of(attempts) if self.fused is None else None
        self._covered = len(attempts)

    def screening(self) -> _Passes:
        """The passes over the attempts screening looks at: for each skill, the sequences of the students
        that come first in code order, whole, until it has `SCREENING_ATTEMPTS`."""
        if self.fused is not None:
            limited = self.fused.limited(SCREENING_ATTEMPTS)
            if limited is None:
                return self
            screening = copy.copy(self)
            screening.fused = limited
            return screening
        attempts = self._attempts
        skills = len(attempts.skill_names)
        # Sequences by skill, then student: each skill's in student code order.
        key = attempts.skills * len(attempts.student_names) + attempts.students
        rows = np.argsort(key, kind="stable")
        grouped = key[rows]
        starts = np.flatnonzero(np.concatenate(([len(rows) > 0], grouped[1:] != grouped[:-1])))
        lengths = np.diff(starts, append=len(rows))
        skill_of = attempts.skills[rows[starts]]
        before = np.cumsum(lengths) - lengths
        first_of_skill = np.searchsorted(skill_of, np.arange(skills))
        kept = before - before[first_of_skill[skill_of]] < SCREENING_ATTEMPTS
        if kept.all():
            return self
        chosen = np.zeros(len(rows), dtype=bool)
        chosen[rows[np.repeat(kept, lengths)]] = True
        return _Passes(attempts.take(chosen), native=False)

    def __call__(self, theta: FloatArray, running: BoolArray) -> FloatArray:
        if self.fused is not None:
            return self.fused.totals(theta, running)
        unfinished = running[self._attempts.skills]
        if unfinished.sum() < self._covered / 2:
            # Skills that have stopped still cost their share of every pass: drop them from the layout.
            self._layout = _Layout.of(self._attempts.take(unfinished))
            self._covered = int(unfinished.sum())
        layout = self._layout if self._layout is not None else _Layout.of(self._attempts)
        return _numpy_expectations(layout, _Parameters.from_stacked(theta))


def _numpy_expectations(layout: _Layout, theta: _Parameters) -> FloatArray:
    """The E-step in NumPy: forward filtering, backward smoothing, and the expected counts of each kind of
    event, in `bkt_native`'s order (the C pass computes the same figures in one sweep)."""
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
    totals = np.empty((skills, bkt_native.COUNTS))
    totals[:, bkt_native.LOG_LIKELIHOOD] = _totals(layout.chunk_skill, filtered.chunk_log_likelihood, skills)
    totals[:, bkt_native.PRIOR_KNOWN] = _totals(layout.start_skill, smoothed[layout.starts], skills)
    totals[:, bkt_native.SEQUENCES] = layout.sequences
    totals[:, bkt_native.NOT_YET] = _totals(layout.skill, filtered.after_unknown * factor, skills)
    totals[:, bkt_native.UNKNOWN_GOING_ON] = unknown[:, :, 0].sum(axis=1)
    totals[:, bkt_native.UNKNOWN_CORRECT] = unknown[:, 1].sum(axis=1)
    totals[:, bkt_native.UNKNOWN_ALL] = unknown.sum(axis=(1, 2))
    totals[:, bkt_native.KNOWN_WRONG] = known[:, 0].sum(axis=1)
    totals[:, bkt_native.KNOWN_ALL] = known.sum(axis=(1, 2))
    return totals


def _totals(codes: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """The sum of `weights` for each code in range(size)."""
    return np.bincount(codes, weights, minlength=size).astype(np.float64, copy=False)


def _maximise(totals: FloatArray, theta: FloatArray) -> FloatArray:
    """The M-step, on stacked parameters. A parameter without evidence (no attempt after a first one, say,
    for the learn rate) keeps its value."""
    numerator = totals[:, bkt_native.NUMERATORS].T.copy()
    numerator[1] *= theta[1]
    denominator = totals[:, bkt_native.DENOMINATORS].T
    estimate: FloatArray = np.divide(numerator, denominator, out=theta.copy(), where=denominator > 0)
    return np.clip(estimate, PROBABILITY_MARGIN, 1 - PROBABILITY_MARGIN, out=estimate)


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
    Without it, every skill starts from each of `STARTS`, takes `SCREENING_ITERATIONS` iterations from each
    on up to `SCREENING_ATTEMPTS` of its attempts, and goes on from whichever got it the highest likelihood
    there (as pyBKT keeps the best of several random starts, but deterministic).

    An iteration takes an EM step; stops there if that step moved none of the skill's parameters by more than
    `tolerance`; otherwise takes a second EM step, extrapolates along the two, and takes an EM step from the
    extrapolated point, which it keeps only if that point is at least as likely as the first step's result
    (else it keeps the second step's). The likelihood therefore never decreases from one iteration to the
    next, and the fixed points are EM's. Each skill stops on its own: when a step is that small, when an
    iteration raised its log-likelihood by no more than `tolerance`² of itself (see `_em`), or after
    `max_iterations`.

    Guess and slip are not bounded (beyond `PROBABILITY_MARGIN`), as in pyBKT: on data that BKT fits badly EM
    may settle on guess + slip > 1, where "known" answers worse than "not known".
    """
    if max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")
    if not len(attempts):
        return {}
    skills = len(attempts.skill_names)
    practised = np.bincount(attempts.skills, minlength=skills) > 0
    passes = _Passes(attempts)
    if initial is not None:
        theta, totals = _Parameters.constant(initial, skills).stacked(), None
    else:
        screening = passes.screening()
        starts = [_Parameters.constant(start, skills).stacked() for start in STARTS]
        screened = [_em(screening, start, practised, SCREENING_ITERATIONS, tolerance) for start in starts]
        candidates = [screening(candidate, practised) for candidate in screened]
        best = np.argmax(np.stack([c[:, bkt_native.LOG_LIKELIHOOD] for c in candidates]), axis=0)
        theta = np.stack(screened)[best, :, np.arange(skills)].T
        # The pass that told each candidate's likelihood is also the first of the chosen one's EM, when
        # screening saw all the attempts.
        totals = np.stack(candidates)[best, np.arange(skills)] if screening is passes else None
    theta = _em(passes, theta, practised, max_iterations, tolerance, totals)
    return {
        name: BKTParams(
            prior=float(theta[0, code]),
            learn=float(theta[1, code]),
            guess=float(theta[2, code]),
            slip=float(theta[3, code]),
        )
        for code, name in enumerate(attempts.skill_names)
        if practised[code]
    }


def _em(
    passes: _Passes,
    theta: FloatArray,
    practised: BoolArray,
    iterations: int,
    tolerance: float,
    totals: FloatArray | None = None,
) -> FloatArray:
    """Up to `iterations` SQUAREM iterations (see `fit`) from `theta` (stacked) for every practised skill;
    `totals`, if given, are those of the E-step at `theta`.

    Besides a step that moves no parameter by more than `tolerance`, a skill stops when an iteration raised
    its log-likelihood by no more than `tolerance`² of itself. Near a well-identified maximum the
    log-likelihood per attempt changes by about the square of a parameter step, so the two rules agree there;
    on the flat ridges of a poorly identified skill, where EM crawls for hundreds of iterations moving
    parameters along directions the data cannot tell apart, only the second rule stops it."""
    if passes.fused is not None:
        # The same iterations, each skill run to its end in C.
        return passes.fused.em(theta, practised, iterations, tolerance)
    skills = theta.shape[1]
    running = practised.copy()
    previous = np.full(skills, -np.inf)
    for _ in range(iterations):
        if totals is None:
            totals = passes(theta, running)
        likelihood = totals[:, bkt_native.LOG_LIKELIHOOD]
        running &= likelihood - previous > tolerance**2 * np.abs(likelihood)
        first = _maximise(totals, theta)
        settled = running & (np.abs(first - theta).max(axis=0) <= tolerance)
        theta = np.where(settled, first, theta)
        running &= ~settled
        if not running.any():
            break
        previous = likelihood
        second_totals = passes(first, running)
        first_likelihood = second_totals[:, bkt_native.LOG_LIKELIHOOD]
        second = _maximise(second_totals, first)
        step = first - theta
        curvature = second - first - step
        squared_step, squared_curvature = (step**2).sum(axis=0), (curvature**2).sum(axis=0)
        # SQUAREM's third scheme: the step length −|r|/|v|, never shorter than plain EM's (−1).
        length = -np.sqrt(
            np.divide(squared_step, squared_curvature, out=np.ones(skills), where=squared_curvature > 0)
        )
        length = np.clip(length, -_MAX_EXTRAPOLATION, -1)
        leap = np.clip(
            theta - 2 * length * step + length**2 * curvature, PROBABILITY_MARGIN, 1 - PROBABILITY_MARGIN
        )
        leap_totals = passes(leap, running)
        landed = _maximise(leap_totals, leap)
        chosen = np.where(leap_totals[:, bkt_native.LOG_LIKELIHOOD] >= first_likelihood, landed, second)
        theta = np.where(running, chosen, theta)
        totals = None
    return theta


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
