"""The engine's cache of immutable things: each key loaded once, least recently used ones crowded out, and
nothing kept for a key of None (something still editable)."""

from __future__ import annotations

from waypoint.mastery.cache import Immutables


def test_each_key_is_loaded_once_and_the_least_recently_used_goes_first() -> None:
    loads: list[str] = []
    cache: Immutables[str] = Immutables(2)

    def load(key: str) -> str:
        loads.append(key)
        return key.upper()

    def value(key: str) -> str:
        return cache.get(key, lambda: load(key))

    assert [value("a"), value("b"), value("a")] == ["A", "B", "A"]
    assert value("c") == "C"  # crowds out "b", used less recently than "a"
    assert value("a") == "A"
    assert value("b") == "B"
    assert loads == ["a", "b", "c", "b"]
    assert len(cache) == 2


def test_a_key_of_none_is_loaded_every_time_and_kept_never() -> None:
    loads: list[int] = []
    cache: Immutables[int] = Immutables(4)

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert [cache.get(None, load) for _ in range(3)] == [1, 2, 3]
    assert len(cache) == 0
