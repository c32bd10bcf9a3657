"""A link in the page shell's navigation. Each app offers its links (see `waypoint.site.contributions`);
`order` places them among the other apps' links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    order: int
