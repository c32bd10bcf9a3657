"""Pure tree arithmetic for competency frameworks: paths, tiers, cycles and the diff between two versions.

No Django here, so the rules are tested directly (with hypothesis for their invariants).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

PATH_SEGMENT_WIDTH = 5
MAX_POSITION = 10**PATH_SEGMENT_WIDTH - 1

Key = TypeVar("Key", bound=Hashable)

_DOMAIN_TYPES = ("domain", "strand", "grade level", "cluster", "category", "conceptual category", "area")
_INDICATOR_TYPES = ("component", "indicator", "performance indicator", "element", "benchmark", "sub-standard")


def path_segment(position: int) -> str:
    """A sibling position as a fixed-width segment, so that paths sort in tree order as plain strings."""
    if not 0 <= position <= MAX_POSITION:
        raise ValueError(f"A position must be between 0 and {MAX_POSITION}, not {position}.")
    return f"{position:0{PATH_SEGMENT_WIDTH}d}"


def tree_paths(parents: Mapping[Key, Key | None], positions: Mapping[Key, int]) -> dict[Key, str]:
    """The materialised path of every node: its ancestors' segments joined by dots, root first.

    Sorting nodes by path lists every parent before its children and siblings by position. Raises
    ValueError naming a node whose parent is missing or that is its own ancestor.
    """
    paths: dict[Key, str] = {}
    for node in parents:
        chain: list[Key] = []
        seen: set[Key] = set()
        current: Key | None = node
        while current is not None and current not in paths:
            if current in seen:
                raise ValueError(f"{current!r} is its own ancestor.")
            if current not in parents:
                raise ValueError(f"{chain[-1]!r} has a parent {current!r} that is not in the tree.")
            seen.add(current)
            chain.append(current)
            current = parents[current]
        prefix = paths[current] if current is not None else ""
        for member in reversed(chain):
            segment = path_segment(positions[member])
            prefix = f"{prefix}.{segment}" if prefix else segment
            paths[member] = prefix
    return paths


def would_cycle(parents: Mapping[Key, Key | None], node: Key, new_parent: Key | None) -> bool:
    """Whether moving `node` under `new_parent` would make it its own ancestor."""
    current = new_parent
    while current is not None:
        if current == node:
            return True
        current = parents.get(current)
    return False


def infer_tier(item_type: str, *, depth: int, has_children: bool) -> str:
    """The tier ("domain", "competency" or "indicator") of an imported item.

    CASE item types name the tier when a publisher uses the common words (Domain, Cluster, Standard,
    Component…); otherwise the shape decides: a root with children groups competencies, a leaf under a
    competency is one of its performance indicators, everything else is a competency.
    """
    kind = item_type.strip().lower()
    if kind in _DOMAIN_TYPES:
        return "domain"
    if kind in _INDICATOR_TYPES:
        return "indicator"
    if kind:
        return "competency"
    if depth == 0 and has_children:
        return "domain"
    if depth >= 2 and not has_children:
        return "indicator"
    return "competency"


@dataclass(frozen=True)
class Snapshot:
    """What a version says about one competency, keyed by its lineage (the same key across versions)."""

    key: int
    parent_key: int | None
    human_code: str
    full_statement: str
    student_statement: str = ""
    tier: str = ""
    education_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    key: int
    human_code: str
    fields: tuple[str, ...]


@dataclass
class VersionDiff:
    added: list[Snapshot] = field(default_factory=list)
    removed: list[Snapshot] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    @property
    def summary(self) -> str:
        if self.is_empty:
            return "No changes."
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.removed)} removed",
        ]
        return ", ".join(parts) + "."


_COMPARED_FIELDS = (
    "parent_key",
    "human_code",
    "full_statement",
    "student_statement",
    "tier",
    "education_levels",
)


def diff_versions(old: Iterable[Snapshot], new: Iterable[Snapshot]) -> VersionDiff:
    """What changed from `old` to `new`, matching competencies by lineage key.

    A key only in `new` was added, only in `old` removed; a key in both whose compared fields differ changed
    (a different parent means it moved). Lists keep the order of their input.
    """
    old_by_key = {snapshot.key: snapshot for snapshot in old}
    new_list: Sequence[Snapshot] = list(new)
    new_keys = {snapshot.key for snapshot in new_list}
    diff = VersionDiff()
    for snapshot in new_list:
        before = old_by_key.get(snapshot.key)
        if before is None:
            diff.added.append(snapshot)
            continue
        fields = tuple(name for name in _COMPARED_FIELDS if getattr(before, name) != getattr(snapshot, name))
        if fields:
            diff.changed.append(Change(key=snapshot.key, human_code=snapshot.human_code, fields=fields))
    diff.removed = [snapshot for key, snapshot in old_by_key.items() if key not in new_keys]
    return diff


def with_ancestors(parents: Mapping[Key, Key | None], matches: Iterable[Key]) -> set[Key]:
    """The matching nodes and every ancestor of each, so a filtered tree keeps its shape."""
    kept: set[Key] = set()
    for node in matches:
        current: Key | None = node
        while current is not None and current not in kept:
            kept.add(current)
            current = parents.get(current)
    return kept


_GRADE_ORDER = ("IT", "PR", "PK", "TK", "KG")


def grade_order(level: str) -> tuple[int, str]:
    """Sort key for CASE education levels: infant and pre-K codes, KG, 01–13, then anything else."""
    if level in _GRADE_ORDER:
        return (_GRADE_ORDER.index(level), level)
    if level.isdigit():
        return (len(_GRADE_ORDER) + int(level), level)
    return (100, level)
