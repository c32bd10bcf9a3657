"""A link in the page shell's navigation. Each app offers its links (see `waypoint.site.contributions`);
`group` places a link under a task heading ("main" for the top level, "account" for the account menu) and
`order` places it among the other apps' links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    order: int
    group: str = "main"
