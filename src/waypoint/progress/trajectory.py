"""Pace and graduation trajectories as functions of real dates. Pure Python and NumPy: no Django.

The arithmetic, for one student on a day `on`:

- **mastered**: the required competencies at mastery by `on` (each dated by when it reached mastery), plus
  any mastered before Waypoint held the student's levels (`prior`, undated);
- **pace**: the dated masteries in the window `(on - window, on]`, per month (30.436875 days), over the part
  of the window since high school began (a student three weeks in is measured over three weeks);
- **projection**: with `remaining = required - mastered`, the day `on + remaining / pace` months (rounded
  up to a whole day). Nothing remaining: the day the last needed competency reached mastery. No pace and
  something remaining: no projection;
- **status** against the target (June 15 of high-school start year + target years): `ahead` when the
  projection is at least `ahead_months` earlier, `on_track` when not later, `at_risk` when at most
  `at_risk_months` later, `off_track` when later still or when nothing can be projected; `unknown` before high
  school begins.

More mastery never makes a projection later: an added mastery raises `mastered` and, inside the window, the
pace; `tests/progress/test_trajectory.py` checks it by property. `assess_bulk` is the same arithmetic over
NumPy arrays, for districts.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

AHEAD = "ahead"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
UNKNOWN = "unknown"
STATUS_ORDER = (AHEAD, ON_TRACK, AT_RISK, OFF_TRACK, UNKNOWN)

REASON_NOT_STARTED = "not_started"
REASON_DONE = "done"
REASON_NO_PACE = "no_pace"
REASON_AHEAD = "ahead"
REASON_ON_TRACK = "on_track"
REASON_AT_RISK = "at_risk"
REASON_OFF_TRACK = "off_track"

DAYS_PER_MONTH = 30.436875
TARGET_YEARS = (3, 4, 5, 6)
DEFAULT_TARGET_YEARS = 4
GRADUATION_MONTH_DAY = (6, 15)
HIGH_SCHOOL_MONTH_DAY = (9, 1)


def months_between(start: datetime.date, end: datetime.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def month_index(start: datetime.date, day: datetime.date) -> int:
    """Month k of high school (0 is the first month) that `day` falls in; negative before it began."""
    return math.floor(months_between(start, day))


def high_school_start(cohort_year: int) -> datetime.date:
    """The first day of high school of a student who entered grade 9 in the school year `cohort_year`."""
    return datetime.date(cohort_year, *HIGH_SCHOOL_MONTH_DAY)


def graduation_target(start: datetime.date, years: int) -> datetime.date:
    """The end of the school year `years` years after high school began in the school year of `start`."""
    first_year = start.year if start.month >= 7 else start.year - 1
    return datetime.date(first_year + years, *GRADUATION_MONTH_DAY)


def cumulative(
    dates: Sequence[datetime.date], *, prior: int = 0, start: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """The step curve of mastered competencies: one point per day something reached mastery (the count at
    the end of that day), starting from `prior` on `start` when given."""
    points: list[tuple[datetime.date, int]] = []
    count = prior
    if start is not None:
        points.append((start, count))
    for day in sorted(dates):
        count += 1
        if points and points[-1][0] == day:
            points[-1] = (day, count)
        else:
            points.append((day, count))
    return points


def pace(
    dates: Sequence[datetime.date], *, on: datetime.date, window_days: int, since: datetime.date | None = None
) -> float:
    """Masteries per month over the window ending `on` (inclusive), measured from `since` when it is later."""
    if window_days < 1:
        raise ValueError("The pace window must be at least one day.")
    begins = on - datetime.timedelta(days=window_days)
    if since is not None and since > begins:
        begins = since - datetime.timedelta(days=1)
    span = (on - begins).days
    if span <= 0:
        return 0.0
    count = sum(1 for day in dates if begins < day <= on)
    return count / (span / DAYS_PER_MONTH)


def _whole_days(days: float) -> int:
    """Days rounded up, forgiving the last bits of floating point error (336.00000000000006 is 336)."""
    return math.ceil(days - 1e-9)


def project(
    *, mastered: int, required: int, pace_per_month: float, on: datetime.date
) -> datetime.date | None:
    """When `required` is reached at the pace from `on`; None when it never is (no pace)."""
    remaining = required - mastered
    if remaining <= 0:
        return on
    if pace_per_month <= 0:
        return None
    return on + datetime.timedelta(days=_whole_days(remaining / pace_per_month * DAYS_PER_MONTH))


def classify(
    *,
    projected_on: datetime.date | None,
    target_on: datetime.date,
    ahead_months: float,
    at_risk_months: float,
) -> str:
    if projected_on is None:
        return OFF_TRACK
    late = months_between(target_on, projected_on)
    if late <= -ahead_months:
        return AHEAD
    if late <= 0:
        return ON_TRACK
    if late <= at_risk_months:
        return AT_RISK
    return OFF_TRACK


def model_trajectory(*, required: int, years: int, start: datetime.date) -> list[tuple[int, float]]:
    """The straight path that meets `required` at the `years`-year target: (month k, competencies) for each
    month of high school from 0 to the target."""
    months = months_between(start, graduation_target(start, years))
    last = math.ceil(months)
    return [(k, round(min(required, required * k / months), 2)) for k in range(last + 1)]


@dataclass(frozen=True)
class Assessment:
    """One student's status on one day, and what it rests on (`reason`, `reason_params` make the sentence)."""

    status: str
    mastered: int
    required: int
    pace: float
    projected_on: datetime.date | None
    target_on: datetime.date | None
    reason: str
    reason_params: dict[str, object] = field(default_factory=dict)


def assess(
    *,
    dates: Sequence[datetime.date],
    required: int,
    on: datetime.date,
    start: datetime.date | None,
    target_years: int,
    window_days: int,
    ahead_months: float,
    at_risk_months: float,
    prior: int = 0,
) -> Assessment:
    """The whole computation for one student; `dates` are the days each required competency reached
    mastery (future ones are ignored)."""
    if target_years not in TARGET_YEARS:
        raise ValueError("The target is 3, 4, 5 or 6 years.")
    if required < 0 or prior < 0:
        raise ValueError("Counts cannot be negative.")
    if start is None or start > on:
        return Assessment(UNKNOWN, prior, required, 0.0, None, None, REASON_NOT_STARTED)
    done = sorted(day for day in dates if day <= on)
    mastered = prior + len(done)
    rate = pace(done, on=on, window_days=window_days, since=start)
    target_on = graduation_target(start, target_years)
    remaining = required - mastered
    weeks = window_days // 7
    if remaining <= 0:
        needed = required - prior
        projected = done[needed - 1] if needed > 0 else start
        status = classify(
            projected_on=projected,
            target_on=target_on,
            ahead_months=ahead_months,
            at_risk_months=at_risk_months,
        )
        return Assessment(status, mastered, required, rate, projected, target_on, REASON_DONE)
    projected_or_none = project(mastered=mastered, required=required, pace_per_month=rate, on=on)
    status = classify(
        projected_on=projected_or_none,
        target_on=target_on,
        ahead_months=ahead_months,
        at_risk_months=at_risk_months,
    )
    if projected_or_none is None:
        return Assessment(
            status,
            mastered,
            required,
            rate,
            None,
            target_on,
            REASON_NO_PACE,
            {"weeks": weeks, "remaining": remaining},
        )
    months = round(abs(months_between(target_on, projected_or_none)))
    params: dict[str, object] = {
        "pace": f"{rate:.1f}",
        "projected": projected_or_none.isoformat(),
        "years": target_years,
        "months": months,
    }
    return Assessment(status, mastered, required, rate, projected_or_none, target_on, status, params)


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    return float(np.median(np.asarray(values, dtype=np.float64)))


# The bulk path -------------------------------------------------------------------------------------------

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BulkResult:
    """Per student, in the order given: status codes (indexes into STATUS_ORDER), pace, projected day as an
    ordinal (0 = none), and mastered counts."""

    status: IntArray
    pace: FloatArray
    projected: IntArray
    mastered: IntArray


def assess_bulk(
    *,
    student_index: IntArray,
    day: IntArray,
    students: int,
    required: IntArray,
    prior: IntArray,
    start: IntArray,
    target: IntArray,
    on: datetime.date,
    window_days: int,
    ahead_months: float,
    at_risk_months: float,
) -> BulkResult:
    """`assess` for many students at once. Masteries are given as two arrays of equal length: the student's
    position (0..students-1) and the day reached (a date ordinal). Per-student arrays: required count, prior
    count, high-school start and target day as ordinals (start 0 means not started)."""
    on_ord = on.toordinal()
    keep = day <= on_ord
    student_index, day = student_index[keep], day[keep]
    order = np.lexsort((day, student_index))
    student_index, day = student_index[order], day[order]
    dated = np.bincount(student_index, minlength=students).astype(np.int64)
    mastered = prior + dated
    begins = np.maximum(on_ord - window_days, np.where(start > 0, start - 1, on_ord - window_days))
    in_window = (day > begins[student_index]) & (day <= on_ord)
    window_counts = np.bincount(student_index[in_window], minlength=students).astype(np.float64)
    span = (on_ord - begins).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(span > 0, window_counts / (span / DAYS_PER_MONTH), 0.0)
        remaining = required - mastered
        ahead_days = np.ceil(np.where(rate > 0, remaining / rate * DAYS_PER_MONTH, 0.0) - 1e-9).astype(
            np.int64
        )
    projected = np.where(rate > 0, on_ord + ahead_days, 0)
    # Requirements met: the day the needed-th dated mastery came (or the start, when prior covers them).
    needed = required - prior
    offsets = np.zeros(students + 1, dtype=np.int64)
    np.cumsum(dated, out=offsets[1:])
    done = remaining <= 0
    position = np.clip(offsets[:-1] + needed - 1, 0, max(len(day) - 1, 0))
    reached = np.where(needed > 0, day[position] if len(day) else start, start)
    projected = np.where(done, reached, projected)
    late = (projected - target) / DAYS_PER_MONTH
    status = np.select(
        [start <= 0, projected == 0, late <= -ahead_months, late <= 0, late <= at_risk_months],
        [4, 3, 0, 1, 2],
        default=3,
    ).astype(np.int64)
    status = np.where((start > 0) & (start > on_ord), 4, status)
    return BulkResult(status=status, pace=rate, projected=projected.astype(np.int64), mastered=mastered)
