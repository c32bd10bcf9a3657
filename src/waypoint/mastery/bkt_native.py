"""The compiled BKT passes and CSV reader (`_bkt_fused.c`), compiled on first use and loaded with ctypes;
`load()` is None where no C compiler is at hand, and `bkt` then runs its NumPy passes and the csv module,
which give the same results more slowly.

Why compiled on first use rather than at install: the package stays pure Python (a wheel builds anywhere,
`pip install -e .` needs no compiler), and the only cost is one compiler run (about half a second) per
machine and source version. The library goes to Waypoint's var/ folder (`WAYPOINT_VAR_DIR`, as in the
settings), under a name that hashes the source and the flags, so a changed source is rebuilt and concurrent
first uses cannot see a half-written file. Why C rather than numba: numba and llvmlite would add 150 MB and
a second of import and JIT time to every `waypoint bkt-fit`, and numba lags behind NumPy releases (NumPy is
pinned here); the kernel is a few hundred lines of C99 that any gcc or clang compiles, with no Python headers.

Both cores: ctypes releases the GIL for the call, so two threads each fit their own share of the skills.
No Django here.
"""

from __future__ import annotations

import copy
import ctypes
import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

SOURCE = Path(__file__).with_name("_bkt_fused.c")
FLAGS = ("-O3", "-std=c99", "-shared", "-fPIC", "-fno-math-errno")

# The totals `FusedSequences.totals` returns per skill, in the C source's order: the log-likelihood, then the
# numerators of the four parameters' estimates (that of the learn rate still to be multiplied by it), then
# their denominators.
LOG_LIKELIHOOD, PRIOR_KNOWN, NOT_YET, UNKNOWN_CORRECT, KNOWN_WRONG = range(5)
SEQUENCES, UNKNOWN_GOING_ON, UNKNOWN_ALL, KNOWN_ALL, COUNTS = range(5, 10)
NUMERATORS, DENOMINATORS = slice(1, 5), slice(5, 9)

# Below this many attempts, a second thread costs more (about 0.1 ms to hand over) than it saves.
_THREADED_ATTEMPTS = 100_000

_lock = threading.Lock()


def _var_dir() -> Path:
    """Waypoint's var/ folder, found as the settings find it (this module imports no Django)."""
    if "WAYPOINT_VAR_DIR" in os.environ:
        return Path(os.environ["WAYPOINT_VAR_DIR"])
    checkout = Path(__file__).resolve().parents[3]
    return checkout / "var" if (checkout / "pyproject.toml").exists() else Path.cwd() / "var"


@functools.cache
def load() -> ctypes.CDLL | None:
    """The compiled kernel, building it first if needed; None if it cannot be built or loaded (no compiler,
    a read-only var/, `WAYPOINT_BKT_NATIVE=0`)."""
    if os.environ.get("WAYPOINT_BKT_NATIVE") == "0":
        return None
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(
        b"\0".join([source, *(flag.encode() for flag in FLAGS), platform.machine().encode()])
    ).hexdigest()[:16]
    target = _var_dir() / "native" / f"bkt_fused-{digest}.so"
    with _lock:
        if not target.exists():
            if compiler is None:
                return None
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
                    built = Path(scratch) / target.name
                    subprocess.run(  # noqa: S603 (the compiler on PATH, our own source)
                        [compiler, *FLAGS, "-o", str(built), str(SOURCE), "-lm"],
                        check=True,
                        capture_output=True,
                    )
                    os.replace(built, target)
            except (OSError, subprocess.CalledProcessError) as error:
                warnings.warn(f"the fused BKT pass was not compiled ({error}); using NumPy", stacklevel=2)
                return None
        try:
            library = ctypes.CDLL(str(target))
        except OSError:
            return None
    pointer, wide = ctypes.c_void_p, ctypes.c_int64
    library.bkt_sequences.argtypes = [*[pointer] * 3, wide, wide, wide, pointer, wide, *[pointer] * 3]
    library.bkt_sequences.restype = wide
    library.bkt_skill_totals.argtypes = [*[pointer] * 5, wide, pointer, wide, pointer, pointer, wide]
    library.bkt_skill_totals.restype = None
    library.bkt_em.argtypes = [*[pointer] * 5, wide, pointer, wide, wide, ctypes.c_double, pointer, wide]
    library.bkt_em.restype = None
    library.bkt_read_rows.argtypes = [pointer, wide, ctypes.c_uint8, pointer, wide, ctypes.c_int]
    library.bkt_read_rows.argtypes += [pointer] * 11
    library.bkt_read_rows.restype = wide
    return library


def _address(array: npt.NDArray[Any]) -> int:
    return int(array.ctypes.data)


@functools.cache
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bkt")


class FusedSequences:
    """Attempts grouped by sequence (one student's attempts at one skill, in time order) and sequences by
    skill, students in code order, for the compiled passes. Each skill's sequences are a range, from
    `skill_starts` to `skill_ends` (a prefix of them, for screening: see `limited`)."""

    def __init__(
        self,
        library: ctypes.CDLL,
        students: npt.NDArray[np.int64],
        skills: npt.NDArray[np.int64],
        correct: npt.NDArray[np.int8],
        student_codes: int,
        skill_codes: int,
    ) -> None:
        count = len(correct)
        students = np.ascontiguousarray(students, dtype=np.int64)
        skills = np.ascontiguousarray(skills, dtype=np.int64)
        correct = np.ascontiguousarray(correct, dtype=np.int8)
        pairs = student_codes * skill_codes
        # One counting sort on (skill, student) pairs if there are no more of them than a few times the
        # attempts, else one per key.
        tally_length = pairs + 1 if pairs <= 4 * count + 65536 else max(student_codes, skill_codes) + 1
        tally = np.empty(tally_length, dtype=np.int64)
        most = min(count, pairs) + 1
        self.correct = np.empty(count, dtype=np.int8)
        offsets = np.empty(most, dtype=np.int64)
        sequence_skill = np.empty(most, dtype=np.int32)
        found = library.bkt_sequences(
            *(_address(array) for array in (students, skills, correct)),
            count,
            student_codes,
            skill_codes,
            _address(tally),
            tally_length,
            *(_address(array) for array in (self.correct, offsets, sequence_skill)),
        )
        if found < 0:
            raise MemoryError("no memory to group the attempts into sequences")
        self._library = library
        self.skills = skill_codes
        self.offsets = offsets[: found + 1]
        self.sequence_skill = sequence_skill[:found]
        self.lengths = np.diff(self.offsets)
        per_skill = np.bincount(self.sequence_skill, minlength=skill_codes)
        self.skill_ends = np.cumsum(per_skill).astype(np.int64)
        self.skill_starts = self.skill_ends - per_skill
        self._scratch_length = int(self.lengths.max(initial=1))
        self._threads = min(2, len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else 1
        self._scratch = [np.empty(2 * self._scratch_length) for _ in range(self._threads)]

    def limited(self, attempts_per_skill: int) -> FusedSequences | None:
        """The same data, each skill cut to its first sequences (in student code order) until it has
        `attempts_per_skill` attempts, whole sequences only; None if that cuts nothing."""
        # Attempts of the skill before each sequence.
        reached = self.offsets[:-1] - np.repeat(
            self.offsets[self.skill_starts], self.skill_ends - self.skill_starts
        )
        kept = np.bincount(self.sequence_skill, reached < attempts_per_skill, minlength=self.skills)
        ends = self.skill_starts + kept.astype(np.int64)
        if (ends == self.skill_ends).all():
            return None
        limited = copy.copy(self)
        limited.skill_ends = ends
        return limited

    def _groups(self, chosen: npt.NDArray[np.bool_]) -> list[npt.NDArray[np.int64]]:
        """The chosen skills shared between threads by attempts, largest first to the least loaded."""
        skills = np.flatnonzero(chosen)
        work = (self.offsets[self.skill_ends] - self.offsets[self.skill_starts])[skills]
        parts = self._threads if work.sum() >= _THREADED_ATTEMPTS else 1
        groups: list[list[int]] = [[] for _ in range(parts)]
        loads = [0] * parts
        for index in np.argsort(-work, kind="stable").tolist():
            lightest = loads.index(min(loads))
            groups[lightest].append(int(skills[index]))
            loads[lightest] += int(work[index])
        return [np.array(sorted(group), dtype=np.int64) for group in groups if group]

    def _in_threads(self, groups: list[npt.NDArray[np.int64]], run: Callable[[int], None]) -> None:
        if len(groups) > 1:
            list(_pool(len(groups)).map(run, range(len(groups))))
        elif groups:
            run(0)

    def _common(self) -> list[int]:
        return [_address(array) for array in (self.correct, self.offsets, self.skill_starts, self.skill_ends)]

    def totals(
        self, theta: npt.NDArray[np.float64], chosen: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float64]:
        """Per skill (rows) the `COUNTS` totals of one E-step at `theta` (rows prior, learn, guess, slip; a
        column per skill) for the chosen skills; rows of the others are zero."""
        stacked = np.ascontiguousarray(theta, dtype=np.float64)
        totals = np.zeros((self.skills, COUNTS))
        groups = self._groups(chosen)
        common = self._common()

        def run(part: int) -> None:
            self._library.bkt_skill_totals(
                *common,
                _address(groups[part]),
                len(groups[part]),
                _address(stacked),
                self.skills,
                _address(totals),
                _address(self._scratch[part]),
                self._scratch_length,
            )

        self._in_threads(groups, run)
        return totals

    def em(
        self,
        theta: npt.NDArray[np.float64],
        chosen: npt.NDArray[np.bool_],
        iterations: int,
        tolerance: float,
    ) -> npt.NDArray[np.float64]:
        """`bkt._em` from `theta` for the chosen skills, each skill run to its end in C over its own
        sequences, the skills shared between threads."""
        result = np.ascontiguousarray(theta, dtype=np.float64).copy()
        groups = self._groups(chosen)
        common = self._common()

        def run(part: int) -> None:
            self._library.bkt_em(
                *common,
                _address(groups[part]),
                len(groups[part]),
                _address(result),
                self.skills,
                iterations,
                tolerance,
                _address(self._scratch[part]),
                self._scratch_length,
            )

        self._in_threads(groups, run)
        return result


class Rows(NamedTuple):
    """Rows read by `read_rows`, names coded in order of first appearance in the file."""

    students: npt.NDArray[np.int64]
    skills: npt.NDArray[np.int64]
    correct: npt.NDArray[np.int8]
    order: npt.NDArray[np.int64]
    ordered: bool
    student_names: list[str]
    skill_names: list[str]


def read_rows(
    library: ctypes.CDLL,
    data: bytes,
    body_start: int,
    delimiter: str,
    columns: tuple[int, int, int, int],
    *,
    skip_blank_skills: bool,
) -> Rows | None:
    """The rows of a pyBKT-style file from `body_start` (after the header line) of `data` (UTF-8, ending
    with a line break, without NUL bytes): `columns` are the field numbers of the student, skill,
    answer and order (-1 for none); `order` is the row number without an order column, and `ordered` says
    whether it never decreases. None if any line
    is one the caller must read the slow way: a problem, which that way reports with its line, or a field
    that the csv module and str.strip() might read otherwise than a plain split."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    lines = data.count(b"\n", body_start)
    students, skills, order = (np.empty(lines, dtype=np.int64) for _ in range(3))
    correct = np.empty(lines, dtype=np.int8)
    names = [np.empty(lines, dtype=np.int64) for _ in range(4)]
    counts = [ctypes.c_int64(), ctypes.c_int64()]
    ordered = ctypes.c_int64()
    wanted = np.array(columns, dtype=np.int64)
    kept = library.bkt_read_rows(
        _address(buffer) + body_start,
        len(data) - body_start,
        ord(delimiter),
        _address(wanted),
        int(max(columns)) + 1,
        int(skip_blank_skills),
        *(_address(array) for array in (students, skills, correct, order, names[0], names[1])),
        ctypes.addressof(counts[0]),
        *(_address(array) for array in names[2:]),
        ctypes.addressof(counts[1]),
        ctypes.addressof(ordered),
    )
    if kept < 0:
        return None

    def decoded(starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], count: int) -> list[str]:
        return [
            data[body_start + start : body_start + start + length].decode()
            for start, length in zip(starts[:count].tolist(), lengths[:count].tolist(), strict=True)
        ]

    return Rows(
        students=students[:kept],
        skills=skills[:kept],
        correct=correct[:kept],
        order=order[:kept],
        ordered=bool(ordered.value),
        student_names=decoded(names[0], names[1], counts[0].value),
        skill_names=decoded(names[2], names[3], counts[1].value),
    )
