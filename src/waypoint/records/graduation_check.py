"""The diploma check as pure arithmetic (no Django): requirements and a student's levels in, met or not out.

The selector (`waypoint.records.selectors.graduation`) reads the rule set, the student's levels with their
dated history, held exhibitions and completed paths, and hands them here as plain data; this module decides
each requirement and says what is missing in structured form, which the selector puts into words.

A level meets a requirement's threshold when the requirement names no level and the scale calls the level
mastery, or when the level is at or above the named one. A group (a domain counted by a COUNT requirement)
is met when its own rolled-up level meets the threshold, or, with no level of its own, when every one of its
competencies does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

COMPETENCY = "competency"
DOMAIN = "domain"
COUNT = "count"
EXPERIENCE = "experience"

# Levels are floats from a calculation; a level a rounding error below the threshold still reaches it.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Change:
    """One dated value of a student's level on a competency."""

    on: datetime.date
    level: float | None
    meets_mastery: bool


@dataclass(frozen=True)
class Level:
    """A student's level on one competency, with the scores it came from and its dated history."""

    level: float | None
    meets_mastery: bool
    score_ids: tuple[int, ...] = ()
    history: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Target:
    """Something that must be at a level: a competency, or a domain with its competencies (`members`)."""

    competency_id: int
    label: str
    members: tuple[int, ...] = ()


@dataclass(frozen=True)
class Experience:
    """An experience the student completed: a held exhibition that passed or a completed path."""

    kind: str
    title: str
    on: datetime.date | None
    source: str
    source_id: int


@dataclass(frozen=True)
class Requirement:
    """One requirement as plain data. COMPETENCY has one target; DOMAIN has every competency of the domain
    as targets (all must meet); COUNT has the domains as targets (`count` of them must meet); EXPERIENCE has
    none and names `experience`."""

    key: int
    kind: str
    label: str
    min_level: float | None = None
    targets: tuple[Target, ...] = ()
    count: int | None = None
    experience: str = ""


@dataclass(frozen=True)
class Shortfall:
    """What remains: the targets still below the level (`missing`), how many more of them are needed, of how
    many; or the experience still to complete."""

    missing: tuple[str, ...] = ()
    more_needed: int = 0
    of_total: int = 0
    experience: str = ""


@dataclass(frozen=True)
class Outcome:
    key: int
    kind: str
    label: str
    met: bool
    evidence: tuple[dict[str, object], ...] = ()
    shortfall: Shortfall = field(default_factory=Shortfall)


def meets(level: Level | None, min_level: float | None) -> bool:
    if level is None:
        return False
    if min_level is None:
        return level.meets_mastery
    return level.level is not None and level.level + TOLERANCE >= min_level


def _change_meets(change: Change, min_level: float | None) -> bool:
    if min_level is None:
        return change.meets_mastery
    return change.level is not None and change.level + TOLERANCE >= min_level


def reached_on(level: Level, min_level: float | None) -> datetime.date | None:
    """The date the level last rose to the threshold and stayed there: the first change of the final run of
    changes that meet it."""
    reached: datetime.date | None = None
    for change in level.history:
        reached = (reached or change.on) if _change_meets(change, min_level) else None
    return reached


def level_on(history: Sequence[Change], on: datetime.date) -> Level | None:
    """The level as it stood at the end of a date, from its dated history (oldest first)."""
    past = tuple(change for change in history if change.on <= on)
    if not past:
        return None
    last = past[-1]
    return Level(level=last.level, meets_mastery=last.meets_mastery, history=past)


def _proof(competency_id: int, label: str, level: Level, min_level: float | None) -> dict[str, object]:
    reached = reached_on(level, min_level)
    return {
        "competency_id": competency_id,
        "competency": label,
        "level": level.level,
        "date": reached.isoformat() if reached else None,
        "score_ids": list(level.score_ids),
    }


def _group_met(target: Target, levels: Mapping[int, Level], min_level: float | None) -> bool:
    own = levels.get(target.competency_id)
    if own is not None:
        return meets(own, min_level)
    return bool(target.members) and all(meets(levels.get(member), min_level) for member in target.members)


def _check_levels(requirement: Requirement, levels: Mapping[int, Level]) -> Outcome:
    threshold = requirement.min_level
    met_targets = [t for t in requirement.targets if meets(levels.get(t.competency_id), threshold)]
    missing = tuple(t.label for t in requirement.targets if t not in met_targets)
    met = bool(requirement.targets) and not missing
    evidence = tuple(
        _proof(t.competency_id, t.label, levels[t.competency_id], threshold) for t in met_targets
    )
    shortfall = Shortfall(missing=missing, more_needed=len(missing), of_total=len(requirement.targets))
    return Outcome(
        key=requirement.key,
        kind=requirement.kind,
        label=requirement.label,
        met=met,
        evidence=evidence if met else (),
        shortfall=Shortfall() if met else shortfall,
    )


def _check_count(requirement: Requirement, levels: Mapping[int, Level]) -> Outcome:
    threshold = requirement.min_level
    needed = requirement.count or 0
    met_groups = [t for t in requirement.targets if _group_met(t, levels, threshold)]
    met = needed > 0 and len(met_groups) >= needed
    evidence = tuple(
        _proof(t.competency_id, t.label, levels[t.competency_id], threshold)
        if t.competency_id in levels
        else {
            "competency_id": t.competency_id,
            "competency": t.label,
            "level": None,
            "date": None,
            "score_ids": [],
        }
        for t in met_groups
    )
    shortfall = Shortfall(
        missing=tuple(t.label for t in requirement.targets if t not in met_groups),
        more_needed=max(needed - len(met_groups), 0) if needed else 1,
        of_total=len(requirement.targets),
    )
    return Outcome(
        key=requirement.key,
        kind=requirement.kind,
        label=requirement.label,
        met=met,
        evidence=evidence if met else (),
        shortfall=Shortfall() if met else shortfall,
    )


def _check_experience(requirement: Requirement, experiences: Sequence[Experience]) -> Outcome:
    matching = [e for e in experiences if e.kind == requirement.experience]
    evidence: tuple[dict[str, object], ...] = tuple(
        {
            "experience": e.kind,
            "title": e.title,
            "date": e.on.isoformat() if e.on else None,
            "source": e.source,
            "source_id": e.source_id,
        }
        for e in matching
    )
    return Outcome(
        key=requirement.key,
        kind=requirement.kind,
        label=requirement.label,
        met=bool(matching),
        evidence=evidence,
        shortfall=Shortfall() if matching else Shortfall(experience=requirement.experience),
    )


def check(
    requirements: Sequence[Requirement], levels: Mapping[int, Level], experiences: Sequence[Experience]
) -> list[Outcome]:
    """Each requirement met or not yet, in the order given."""
    outcomes: list[Outcome] = []
    for requirement in requirements:
        if requirement.kind == EXPERIENCE:
            outcomes.append(_check_experience(requirement, experiences))
        elif requirement.kind == COUNT:
            outcomes.append(_check_count(requirement, levels))
        else:
            outcomes.append(_check_levels(requirement, levels))
    return outcomes


def levels_on(histories: Mapping[int, Sequence[Change]], on: datetime.date) -> dict[int, Level]:
    """Every competency's level as it stood at the end of a date."""
    found: dict[int, Level] = {}
    for competency_id, history in histories.items():
        level = level_on(history, on)
        if level is not None:
            found[competency_id] = level
    return found
