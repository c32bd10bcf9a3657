"""The interop demo: the demo districts are rostered by the demo itself, not by OneRoster, so nothing is
loaded here; a district adopting Waypoint starts from `waypoint setup` instead (docs/interop.md)."""

from __future__ import annotations

from waypoint.core.demo import DemoWorld


def load_demo(world: DemoWorld) -> dict[str, int]:
    """Nothing to load: the demo's rosters come from `waypoint.core.demo`."""
    return {}
