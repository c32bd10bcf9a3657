"""The pure diploma check on hand-worked cases, and one property: more mastery never unmeets a requirement."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from waypoint.records import graduation_check as g

DAY = datetime.date(2026, 3, 1)


def level(value: float | None, mastery: bool = False, *, history: tuple[g.Change, ...] = ()) -> g.Level:
    return g.Level(level=value, meets_mastery=mastery, score_ids=(7,), history=history)


def test_a_competency_at_mastery_is_met_with_its_date_and_scores() -> None:
    history = (g.Change(DAY, 2.0, False), g.Change(DAY.replace(day=9), 3.0, True))
    requirement = g.Requirement(key=1, kind=g.COMPETENCY, label="Write", targets=(g.Target(10, "W.1"),))
    [outcome] = g.check([requirement], {10: level(3.0, True, history=history)}, [])
    assert outcome.met
    assert outcome.evidence[0]["date"] == "2026-03-09"
    assert outcome.evidence[0]["score_ids"] == [7]


def test_a_level_threshold_uses_the_level_not_the_mastery_flag() -> None:
    requirement = g.Requirement(1, g.COMPETENCY, "W", min_level=2.0, targets=(g.Target(10, "W.1"),))
    assert g.check([requirement], {10: level(2.0)}, [])[0].met
    not_yet = g.check([requirement], {10: level(1.5, True)}, [])[0]
    assert not not_yet.met
    assert not_yet.shortfall.missing == ("W.1",)


def test_a_domain_needs_every_competency_and_names_the_missing_ones() -> None:
    targets = (g.Target(1, "A"), g.Target(2, "B"), g.Target(3, "C"))
    requirement = g.Requirement(1, g.DOMAIN, "Domain", targets=targets)
    outcome = g.check([requirement], {1: level(3, True), 2: level(1)}, [])[0]
    assert not outcome.met
    assert outcome.shortfall.missing == ("B", "C")


def test_a_count_counts_domains_by_their_own_level_or_all_their_competencies() -> None:
    domains = tuple(g.Target(100 + i, f"D{i}", members=(200 + i,)) for i in range(6))
    requirement = g.Requirement(1, g.COUNT, "4 of 6", count=4, targets=domains)
    levels = {100: level(3, True), 101: level(3, True), 202: level(3, True), 103: level(1)}
    outcome = g.check([requirement], levels, [])[0]
    assert not outcome.met
    assert outcome.shortfall.more_needed == 1  # D0, D1 on their own level, D2 by its one competency
    assert outcome.shortfall.of_total == 6
    levels[104] = level(3, True)
    assert g.check([requirement], levels, [])[0].met


def test_an_experience_is_met_by_a_matching_one_only() -> None:
    requirement = g.Requirement(1, g.EXPERIENCE, "Senior project", experience="senior_project")
    other = g.Experience("internship", "Intern", DAY, "path", 3)
    assert not g.check([requirement], {}, [other])[0].met
    assert g.check([requirement], {}, [g.Experience("senior_project", "SDP", DAY, "exhibition", 4)])[0].met


def test_the_date_reached_is_the_start_of_the_last_run_at_the_threshold() -> None:
    history = (
        g.Change(DAY, 3, True),
        g.Change(DAY.replace(day=5), 2, False),
        g.Change(DAY.replace(day=8), 3, True),
    )
    assert g.reached_on(level(3, True, history=history), None) == DAY.replace(day=8)
    assert g.level_on(history, DAY.replace(day=6)) == g.Level(2, False, history=history[:2])


levels_strategy = st.dictionaries(st.integers(1, 8), st.tuples(st.floats(0, 4), st.booleans()), max_size=8)


def _requirements() -> list[g.Requirement]:
    targets = tuple(g.Target(i, str(i), members=(i,)) for i in range(1, 9))
    return [
        g.Requirement(1, g.COMPETENCY, "c", min_level=2.5, targets=targets[:1]),
        g.Requirement(2, g.COMPETENCY, "m", targets=targets[1:2]),
        g.Requirement(3, g.DOMAIN, "d", min_level=2.0, targets=targets[2:5]),
        g.Requirement(4, g.COUNT, "n", min_level=3.0, count=3, targets=targets),
    ]


@given(levels_strategy, st.dictionaries(st.integers(1, 8), st.floats(0, 2), max_size=8))
def test_more_mastery_never_turns_a_met_requirement_unmet(
    before: dict[int, tuple[float, bool]], gains: dict[int, float]
) -> None:
    first = {k: g.Level(v, m) for k, (v, m) in before.items()}
    # More mastery: a higher level, and the mastery flag kept (or gained where the level rose to 3).
    more = {
        k: g.Level(v + gains.get(k, 0.0), m or v + gains.get(k, 0.0) >= 3) for k, (v, m) in before.items()
    }
    more |= {k: g.Level(gain, gain >= 3) for k, gain in gains.items() if k not in before}
    for was, now in zip(g.check(_requirements(), first, []), g.check(_requirements(), more, []), strict=True):
        assert now.met or not was.met
