"""The graduation-rate arithmetic (`insights.graduation_rates`, pure) on hand-worked cohorts.

**The worked cohort: the class that entered grade 9 in the fall of 2018** (deadlines: year 3 2021-08-31,
year 4 2022-08-31, year 5 2023-08-31, year 6 2024-08-31), read on 2025-01-15 (every window closed):

- 100 first-time 9th graders, and 8 students who transferred in later: 108 members.
- 6 transferred out before the end of year 6: 4 of them by the end of year 4, 1 more in year 5, 1 in year 6
  (removed by 4 / 5 / 6: 4, 5, 6).
- Diplomas: 2 early (by year 3), 80 by the end of year 4 (the 2 included), 6 more in year 5 (86),
  3 more in year 6 (89).

By hand:
- 4-year adjusted cohort: 108 − 4 = 104; 4-year rate 80 / 104 = 76.923… → 76.9 %.
- 5-year: 108 − 5 = 103; 86 / 103 = 83.495… → 83.5 %.
- 6-year: 108 − 6 = 102; 89 / 102 = 87.254… → 87.3 %.
- Mastery-based completion (3–6 years): 89 / 102 → 87.3 %.
- Early completion: 2 / 104 = 1.9 %, but 2 graduates are fewer than 6: hidden.
- Counted differently: 89 − 80 = 9 students (6 in year 5, 3 in year 6), non-graduates to the 4-year rate and
  graduates to mastery-based completion.

The year-6 graduates (3) are fewer than 6: the 5-year rate (86) and the 6-year rate (89) side by side would
give them away (89 − 86 = 3), so the 5-year rate is withheld and the 6-year rate kept (its difference from
the 4-year rate, 9, is not small).
"""

from __future__ import annotations

import datetime

import pytest

from waypoint.insights import graduation_rates as gr
from waypoint.insights.suppression import Rate

CLOSED = datetime.date(2025, 1, 15)
WORKED = gr.CohortCounts(
    cohort=2018,
    members=108,
    transfers_in=8,
    removed_by_4=4,
    removed_by_5=5,
    removed_by_6=6,
    graduated_by_3=2,
    graduated_by_4=80,
    graduated_by_5=86,
    graduated_by_6=89,
)


def test_the_deadlines_are_the_summers_after_each_year() -> None:
    assert gr.deadline(2018, 4) == datetime.date(2022, 8, 31)
    assert gr.is_open(2018, 4, datetime.date(2022, 8, 31))  # a diploma may still come that day
    assert not gr.is_open(2018, 4, datetime.date(2022, 9, 1))


def test_the_worked_cohort_by_hand() -> None:
    assert WORKED.first_time == 100
    assert [WORKED.adjusted_cohort(years) for years in (4, 5, 6)] == [104, 103, 102]
    result = gr.rates(WORKED, on=CLOSED, min_numerator=6, min_denominator=20)
    f = result.figures
    assert result.adjusted_cohort == 104
    assert (f[gr.FOUR_YEAR].graduates, f[gr.FOUR_YEAR].adjusted_cohort) == (80, 104)
    assert f[gr.FOUR_YEAR].shown == Rate(exact=76.9)
    assert f[gr.SIX_YEAR].shown == Rate(exact=87.3)
    assert f[gr.MASTERY].shown == Rate(exact=87.3)
    assert (f[gr.MASTERY].graduates, f[gr.MASTERY].adjusted_cohort) == (89, 102)
    # 5-year: 86 / 103 = 83.5 %, but 3 year-6 graduates lie between it and the 6-year rate.
    assert (f[gr.FIVE_YEAR].graduates, f[gr.FIVE_YEAR].adjusted_cohort) == (86, 103)
    assert (f[gr.FIVE_YEAR].shown, f[gr.FIVE_YEAR].hidden_because) == (Rate(), gr.WITHHELD)
    # Early completion: 2 students.
    assert (f[gr.EARLY].shown, f[gr.EARLY].hidden_because) == (Rate(), gr.SMALL)
    assert result.counted_differently.count == 9
    assert result.counted_differently.shown == 9
    assert not result.counted_differently.provisional
    assert all(figure.final for figure in f.values())


def test_with_lower_thresholds_every_rate_shows() -> None:
    result = gr.rates(WORKED, on=CLOSED, min_numerator=1, min_denominator=1)
    shown = {key: figure.shown.exact for key, figure in result.figures.items()}
    assert shown == {
        gr.FOUR_YEAR: 76.9,
        gr.FIVE_YEAR: 83.5,
        gr.SIX_YEAR: 87.3,
        gr.MASTERY: 87.3,
        gr.EARLY: 1.9,  # 2 / 104
    }


def test_a_year_five_large_enough_shows_the_five_year_rate() -> None:
    """The cohort of 2017: 60 members, no removals; 30 graduates by year 4, 36 by year 5 (+6), 42 by
    year 6 (+6), none early. 4-year 30/60 = 50.0 %, 5-year 36/60 = 60.0 %, 6-year 42/60 = 70.0 %; 12 students
    counted differently."""
    counts = gr.CohortCounts(cohort=2017, members=60, graduated_by_4=30, graduated_by_5=36, graduated_by_6=42)
    result = gr.rates(counts, on=CLOSED, min_numerator=6, min_denominator=20)
    assert [result.figures[key].shown.exact for key in (gr.FOUR_YEAR, gr.FIVE_YEAR, gr.SIX_YEAR)] == [
        50.0,
        60.0,
        70.0,
    ]
    assert result.figures[gr.EARLY].shown == Rate(exact=0.0)  # none of 60 names nobody
    assert result.counted_differently.shown == 12


def test_few_graduates_after_year_four_hide_the_later_rates_and_the_count() -> None:
    """50 members, 40 by year 4, 42 by year 5, 43 by year 6: 3 counted differently. Shown with the 4-year
    rate (80.0 %), the 6-year 86.0 % would count those 3: withheld, and the 5-year too (2 more)."""
    counts = gr.CohortCounts(
        cohort=2017, members=50, graduated_by_3=0, graduated_by_4=40, graduated_by_5=42, graduated_by_6=43
    )
    result = gr.rates(counts, on=CLOSED, min_numerator=6, min_denominator=20)
    assert result.figures[gr.FOUR_YEAR].shown == Rate(exact=80.0)
    for key in (gr.FIVE_YEAR, gr.SIX_YEAR, gr.MASTERY):
        assert result.figures[key].shown == Rate(), key
        assert result.figures[key].hidden_because == gr.WITHHELD
    assert result.counted_differently.count == 3
    assert result.counted_differently.shown is None


def test_a_small_cohort_is_hidden_whole() -> None:
    """12 members, 10 graduates in 4 years: a group under 20 is hidden, and so is every rate of it."""
    counts = gr.CohortCounts(cohort=2017, members=12, graduated_by_4=10, graduated_by_5=10, graduated_by_6=10)
    result = gr.rates(counts, on=CLOSED, min_numerator=6, min_denominator=20)
    assert result.adjusted_cohort is None
    assert all(figure.shown == Rate() for figure in result.figures.values())
    assert {figure.hidden_because for figure in result.figures.values()} == {gr.SMALL}
    assert result.counted_differently.shown is None
    # The same cohort with thresholds that allow it.
    allowed = gr.rates(counts, on=CLOSED, min_numerator=1, min_denominator=10)
    assert allowed.figures[gr.FOUR_YEAR].shown == Rate(exact=83.3)


def test_nearly_everyone_graduating_is_recoded_at_the_top() -> None:
    """40 members, 38 graduates in 4 years: 2 non-graduates are fewer than 6, so the rate reads "at least"
    (40 − 6 + 1) / 40 = 87.5 → ≥ 87 %, never 95.0 %."""
    counts = gr.CohortCounts(cohort=2017, members=40, graduated_by_4=38, graduated_by_5=38, graduated_by_6=38)
    result = gr.rates(counts, on=CLOSED, min_numerator=6, min_denominator=20)
    assert result.figures[gr.FOUR_YEAR].shown == Rate(at_least=87)


def test_windows_still_open_are_provisional() -> None:
    """The cohort of 2021 read on 2025-01-15: year 3 closed on 2024-08-31, year 4 closes on 2025-08-31."""
    counts = gr.CohortCounts(
        cohort=2021, members=90, graduated_by_3=10, graduated_by_4=10, graduated_by_5=10, graduated_by_6=10
    )
    result = gr.rates(counts, on=CLOSED, min_numerator=6, min_denominator=20)
    assert result.figures[gr.EARLY].final
    assert [
        result.figures[key].provisional for key in (gr.FOUR_YEAR, gr.FIVE_YEAR, gr.SIX_YEAR, gr.MASTERY)
    ] == [
        True,
        True,
        True,
        True,
    ]
    assert result.figures[gr.FOUR_YEAR].closes_on == datetime.date(2025, 8, 31)
    assert result.counted_differently.provisional
    # The day after year 4 ends, the 4-year rate is final and the others are still open.
    later = gr.rates(counts, on=datetime.date(2025, 9, 1))
    assert later.figures[gr.FOUR_YEAR].final
    assert later.figures[gr.FIVE_YEAR].provisional


def test_parts_add_up_to_the_whole() -> None:
    north = gr.CohortCounts(
        cohort=2018,
        members=60,
        transfers_in=5,
        removed_by_4=2,
        removed_by_5=3,
        removed_by_6=3,
        graduated_by_3=1,
        graduated_by_4=45,
        graduated_by_5=50,
        graduated_by_6=51,
    )
    south = gr.CohortCounts(
        cohort=2018,
        members=48,
        transfers_in=3,
        removed_by_4=2,
        removed_by_5=2,
        removed_by_6=3,
        graduated_by_3=1,
        graduated_by_4=35,
        graduated_by_5=36,
        graduated_by_6=38,
    )
    assert gr.total(2018, [north, south]) == WORKED
    with pytest.raises(ValueError, match="same cohort"):
        gr.total(2019, [north])


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"members": 10, "removed_by_4": 3, "removed_by_5": 2}, "removals"),
        ({"members": 10, "graduated_by_4": 5, "graduated_by_5": 4}, "graduates are cumulative"),
        (
            {
                "members": 10,
                "removed_by_4": 5,
                "removed_by_5": 5,
                "removed_by_6": 5,
                "graduated_by_4": 6,
                "graduated_by_5": 6,
                "graduated_by_6": 6,
            },
            "not removed",
        ),
        ({"members": 10, "transfers_in": 11}, "transfers in"),
        ({"members": -1}, "negative"),
    ],
)
def test_impossible_counts_are_refused(bad: dict[str, int], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        gr.CohortCounts(cohort=2018, **bad)
