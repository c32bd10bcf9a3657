"""The graduation-rate arithmetic: one cohort's counts in, its rates under every definition out, side by side.
Pure Python: no Django (callers pass the thresholds from settings and translate the words).

A cohort is the students who entered grade 9 in the fall of `cohort`. Each window closes at the end of the
summer of its last year: year n ends on August 31 of cohort + n (`deadline`).

- **4-year adjusted cohort graduation rate** (the federal ACGR, 34 CFR 200.19(b)(1)): graduates by the end of
  year 4 over the adjusted cohort, the members (first-time 9th graders plus those who transferred in) minus
  those removed by the end of year 4 (documented transfer out, emigration, death).
- **Extended 5- and 6-year rates**: the same with the window and the adjustment taken to year 5 or 6.
- **Mastery-based completion**: the students who met the graduation requirements (hold a standing diploma)
  within 3 to 6 years, over the cohort adjusted to year 6. Its figure is the 6-year rate's; what differs is
  the claim: time taken is not a failure, so this is the rate a mastery-based district is judged on.
- **Early completion**: graduates by the end of year 3, over the 4-year adjusted cohort (the cohort they
  would have been counted in).
- **Counted differently**, the white paper's question in one number: the graduates of years 5 and 6, whom
  the 4-year definition counts as non-graduates and mastery-based completion counts as graduates.

A window that has not closed on the day the figures are read is **still open**: its rate is provisional
(`Figure.provisional`) and a report must not show it as a final rate.

Every rate goes through `suppression.rate`: the graduates are the numerator, the adjusted cohort the
denominator. One more protection, as `suppression` does along lines: the cumulative graduate counts of one
cohort (by year 3, 4, 5, 6) differ by the graduates of the years between, so when two windows differ by a
few graduates (1 to min_numerator - 1) only one of them is shown, the other withheld (`WITHHELD`), or
subtracting two shown rates would count those few. The federal rate is kept first, then the 6-year window
(mastery-based completion), then year 5, then early completion.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields

from waypoint.insights.suppression import (
    DEFAULT_MIN_DENOMINATOR,
    DEFAULT_MIN_NUMERATOR,
    Rate,
    is_small,
    rate,
)

# The windows, in years after the fall of grade 9.
EARLY_YEARS = 3
FEDERAL_YEARS = 4
EXTENDED_YEARS = (5, 6)
MASTERY_YEARS = (3, 6)
# The keys of the rates, in the order a report shows them.
EARLY = "early"
FOUR_YEAR = "four_year"
FIVE_YEAR = "five_year"
SIX_YEAR = "six_year"
MASTERY = "mastery"
RATE_KEYS = (FOUR_YEAR, FIVE_YEAR, SIX_YEAR, MASTERY, EARLY)

# Why a figure is not shown (a figure that is shown has no reason).
SMALL = "small"
WITHHELD = "withheld"


def deadline(cohort: int, years: int) -> datetime.date:
    """The last day of year `years` of the cohort: August 31 of cohort + years."""
    return datetime.date(cohort + years, 8, 31)


def is_open(cohort: int, years: int, on: datetime.date) -> bool:
    """Whether the window of `years` years is still open on `on` (a diploma may come on its last day)."""
    return on <= deadline(cohort, years)


@dataclass(frozen=True)
class CohortCounts:
    """One cohort's counts, as `models.CohortFigures` holds them (summed over schools or groups as needed).

    `removed_by_n` counts members who left the cohort by the end of year n (a graduate of the six years is
    never removed: they completed); `graduated_by_n` members holding a standing diploma awarded by then.
    Both are cumulative."""

    cohort: int
    members: int = 0
    transfers_in: int = 0
    removed_by_4: int = 0
    removed_by_5: int = 0
    removed_by_6: int = 0
    graduated_by_3: int = 0
    graduated_by_4: int = 0
    graduated_by_5: int = 0
    graduated_by_6: int = 0

    def __post_init__(self) -> None:
        counts = [getattr(self, field.name) for field in fields(self) if field.name != "cohort"]
        if any(count < 0 for count in counts):
            raise ValueError("counts cannot be negative")
        if not self.removed_by_4 <= self.removed_by_5 <= self.removed_by_6 <= self.members:
            raise ValueError("removals are cumulative and within the members")
        if not self.graduated_by_3 <= self.graduated_by_4 <= self.graduated_by_5 <= self.graduated_by_6:
            raise ValueError("graduates are cumulative")
        if self.transfers_in > self.members:
            raise ValueError("the transfers in are members")
        for years in (4, 5, 6):
            if self.graduated(years) > self.adjusted_cohort(years):
                raise ValueError("graduates are members who were not removed")

    def adjusted_cohort(self, years: int) -> int:
        """The denominator of the `years`-year rate: the members not removed by the end of that year (the
        early-completion window uses the 4-year cohort)."""
        removed = {3: self.removed_by_4, 4: self.removed_by_4, 5: self.removed_by_5, 6: self.removed_by_6}
        return self.members - removed[years]

    def graduated(self, years: int) -> int:
        return {
            3: self.graduated_by_3,
            4: self.graduated_by_4,
            5: self.graduated_by_5,
            6: self.graduated_by_6,
        }[years]

    @property
    def first_time(self) -> int:
        """The first-time 9th graders: the members who were there in the fall of grade 9."""
        return self.members - self.transfers_in


def total(cohort: int, parts: Iterable[CohortCounts]) -> CohortCounts:
    """The counts of several disjoint parts of one cohort (schools, or the groups of one dimension)."""
    sums = dict.fromkeys((field.name for field in fields(CohortCounts) if field.name != "cohort"), 0)
    for part in parts:
        if part.cohort != cohort:
            raise ValueError("the parts must be of the same cohort")
        for name in sums:
            sums[name] += getattr(part, name)
    return CohortCounts(cohort=cohort, **sums)


@dataclass(frozen=True)
class Figure:
    """One rate of one cohort: its graduates over its adjusted cohort, the share as a report may show it
    (`shown`), whether its window is still open on the day read, and why it is hidden (None: shown)."""

    key: str
    years: int
    closes_on: datetime.date
    graduates: int
    adjusted_cohort: int
    shown: Rate
    provisional: bool
    hidden_because: str | None

    @property
    def final(self) -> bool:
        """A rate one may report as the cohort's: its window has closed."""
        return not self.provisional


@dataclass(frozen=True)
class CountedDifferently:
    """The graduates of years 5 and 6: non-graduates to the 4-year rate, graduates to mastery-based
    completion. `shown` is the count a report may show (None: hidden); `provisional` while the 6-year window
    is open."""

    count: int
    shown: int | None
    provisional: bool


@dataclass(frozen=True)
class CohortRates:
    """Every definition of one cohort, side by side, as of `on`."""

    counts: CohortCounts
    on: datetime.date
    adjusted_cohort: int | None  # the 4-year adjusted cohort as a report may show it (None: hidden)
    figures: dict[str, Figure]
    counted_differently: CountedDifferently

    @property
    def cohort(self) -> int:
        return self.counts.cohort


_WINDOWS = {
    EARLY: EARLY_YEARS,
    FOUR_YEAR: FEDERAL_YEARS,
    FIVE_YEAR: 5,
    SIX_YEAR: 6,
    MASTERY: MASTERY_YEARS[1],
}
# Which windows keep their figure first when two of them differ by a few graduates: the federal rate, then
# the 6-year window (mastery-based completion), then year 5, then early completion.
_PRIORITY = (FEDERAL_YEARS, 6, 5, EARLY_YEARS)


def _withheld(counts: CohortCounts, min_numerator: int, min_denominator: int) -> set[int]:
    """The windows whose rate is withheld because, next to a rate shown before it (by `_PRIORITY`), it would
    count a few graduates by subtraction."""
    shown: list[int] = []
    withheld: set[int] = set()
    for years in _PRIORITY:
        graduates = counts.graduated(years)
        if is_small(graduates, min_numerator) or is_small(counts.adjusted_cohort(years), min_denominator):
            continue  # hidden on its own account
        if any(is_small(abs(graduates - counts.graduated(other)), min_numerator) for other in shown):
            withheld.add(years)
        else:
            shown.append(years)
    return withheld


def rates(
    counts: CohortCounts,
    *,
    on: datetime.date,
    min_numerator: int = DEFAULT_MIN_NUMERATOR,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
) -> CohortRates:
    """The cohort's rates under every definition as of `on`, suppressed with the thresholds given."""
    withheld = _withheld(counts, min_numerator, min_denominator)
    figures: dict[str, Figure] = {}
    for key in RATE_KEYS:
        years = _WINDOWS[key]
        graduates = counts.graduated(years)
        size = counts.adjusted_cohort(years)
        shown = rate(
            graduates,
            size,
            count_shown=not is_small(graduates, min_numerator),
            size_shown=not is_small(size, min_denominator),
            min_numerator=min_numerator,
        )
        hidden_because = None
        if years in withheld:
            # Even a recoded "at least" share would pin the few graduates of a year down: hide it whole.
            shown, hidden_because = Rate(), WITHHELD
        elif shown.exact is None and shown.at_least is None and size > 0:
            hidden_because = SMALL
        figures[key] = Figure(
            key=key,
            years=years,
            closes_on=deadline(counts.cohort, years),
            graduates=graduates,
            adjusted_cohort=size,
            shown=shown,
            provisional=is_open(counts.cohort, years, on),
            hidden_because=hidden_because,
        )

    # The graduates of years 5 and 6 with the 4-year rate give the 6-year count: shown only where the 6-year
    # figure is, and not a few students themselves.
    later = counts.graduated(6) - counts.graduated(FEDERAL_YEARS)
    six_year = figures[SIX_YEAR]
    later_shown = (
        six_year.hidden_because is None
        and six_year.adjusted_cohort > 0
        and not is_small(later, min_numerator)
    )
    size_4 = counts.adjusted_cohort(FEDERAL_YEARS)
    return CohortRates(
        counts=counts,
        on=on,
        adjusted_cohort=None if is_small(size_4, min_denominator) else size_4,
        figures=figures,
        counted_differently=CountedDifferently(
            count=later, shown=later if later_shown else None, provisional=is_open(counts.cohort, 6, on)
        ),
    )
