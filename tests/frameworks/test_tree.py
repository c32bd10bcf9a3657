"""Pure tree arithmetic: paths sort parents first, cycles are caught, tiers are inferred, diffs are exact."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waypoint.frameworks.tree import (
    MAX_POSITION,
    Snapshot,
    diff_versions,
    grade_order,
    infer_tier,
    path_segment,
    tree_paths,
    with_ancestors,
    would_cycle,
)


@st.composite
def forests(draw: st.DrawFn) -> tuple[dict[int, int | None], dict[int, int]]:
    """A random forest: node n's parent is an earlier node or none, with random sibling positions."""
    size = draw(st.integers(min_value=1, max_value=40))
    parents: dict[int, int | None] = {0: None}
    for node in range(1, size):
        parents[node] = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=node - 1)))
    positions = {node: draw(st.integers(min_value=0, max_value=MAX_POSITION)) for node in parents}
    return parents, positions


@given(forests())
def test_paths_sort_every_parent_before_its_children(
    forest: tuple[dict[int, int | None], dict[int, int]],
) -> None:
    parents, positions = forest
    paths = tree_paths(parents, positions)
    order = sorted(parents, key=lambda node: (paths[node], node))
    seen: set[int] = set()
    for node in order:
        parent = parents[node]
        assert parent is None or parent in seen
        seen.add(node)
        assert paths[node].count(".") == (0 if parent is None else paths[parent].count(".") + 1)


@given(forests(), st.data())
def test_moving_under_a_descendant_is_a_cycle(
    forest: tuple[dict[int, int | None], dict[int, int]], data: st.DataObject
) -> None:
    parents, _ = forest
    node = data.draw(st.sampled_from(sorted(parents)))
    descendants = {node}
    changed = True
    while changed:
        grown = {child for child, parent in parents.items() if parent in descendants}
        changed = not grown <= descendants
        descendants |= grown
    target = data.draw(st.sampled_from(sorted(parents)))
    assert would_cycle(parents, node, target) == (target in descendants)
    assert not would_cycle(parents, node, None)


def test_paths_refuse_a_cycle_and_a_missing_parent() -> None:
    with pytest.raises(ValueError, match="its own ancestor"):
        tree_paths({1: 2, 2: 1}, {1: 0, 2: 0})
    with pytest.raises(ValueError, match="not in the tree"):
        tree_paths({1: 9}, {1: 0})
    with pytest.raises(ValueError, match="between 0 and"):
        path_segment(MAX_POSITION + 1)


@pytest.mark.parametrize(
    ("item_type", "depth", "has_children", "tier"),
    [
        ("Domain", 0, True, "domain"),
        ("Cluster", 1, True, "domain"),
        ("Standard", 2, True, "competency"),
        ("Component", 3, False, "indicator"),
        ("", 0, True, "domain"),
        ("", 1, False, "competency"),
        ("", 2, False, "indicator"),
        ("Learning Target", 0, False, "competency"),
    ],
)
def test_tier_follows_the_item_type_then_the_shape(
    item_type: str, depth: int, has_children: bool, tier: str
) -> None:
    assert infer_tier(item_type, depth=depth, has_children=has_children) == tier


def snapshot(key: int, code: str, parent: int | None = None, statement: str = "") -> Snapshot:
    return Snapshot(key=key, parent_key=parent, human_code=code, full_statement=statement or code)


def test_diff_names_added_changed_moved_and_removed() -> None:
    old = [snapshot(1, "A"), snapshot(2, "A.1", 1), snapshot(3, "B"), snapshot(4, "B.1", 3)]
    new = [snapshot(1, "A"), snapshot(2, "A.1", 3), snapshot(3, "B", statement="Reworded"), snapshot(5, "C")]
    diff = diff_versions(old, new)
    assert [s.human_code for s in diff.added] == ["C"]
    assert [s.human_code for s in diff.removed] == ["B.1"]
    assert [(c.human_code, c.fields) for c in diff.changed] == [
        ("A.1", ("parent_key",)),
        ("B", ("full_statement",)),
    ]
    assert diff.summary == "1 added, 2 changed, 1 removed."


@given(st.lists(st.text(max_size=5), max_size=20))
def test_a_version_never_differs_from_itself(codes: list[str]) -> None:
    snapshots = [snapshot(n, code) for n, code in enumerate(codes)]
    diff = diff_versions(snapshots, list(snapshots))
    assert diff.is_empty
    assert diff.summary == "No changes."


@given(forests(), st.data())
def test_a_filtered_tree_keeps_every_ancestor_of_a_match(
    forest: tuple[dict[int, int | None], dict[int, int]], data: st.DataObject
) -> None:
    parents, _ = forest
    matches = data.draw(st.sets(st.sampled_from(sorted(parents))))
    kept = with_ancestors(parents, matches)
    assert matches <= kept
    assert all(parents[node] is None or parents[node] in kept for node in kept)
    assert all(any(_is_ancestor_or_self(parents, node, match) for match in matches) for node in kept)


def _is_ancestor_or_self(parents: dict[int, int | None], node: int, of: int) -> bool:
    current: int | None = of
    while current is not None:
        if current == node:
            return True
        current = parents[current]
    return False


def test_grades_sort_from_kindergarten_up() -> None:
    assert sorted(["10", "KG", "09", "PK", "AE", "01"], key=grade_order) == [
        "PK",
        "KG",
        "01",
        "09",
        "10",
        "AE",
    ]
