"""What a home page is made of. Each app offers panels for the signed-in person (see
`waypoint.site.contributions`, kind "home"); the site orders them and renders them, so a new app adds its
items without editing the home page.

A panel answers one question ("Evidence waiting for your score"); its items are links, each with a count
where something is waiting. A panel with no items shows its `empty` sentence, so the reader knows there
is nothing to do rather than wondering whether the page failed. Titles and sentences are translated by the
app that offers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Tone = Literal["action", "info", "warning"]


@dataclass(frozen=True)
class HomeItem:
    """One link on a home page: what it is, where it goes, and how many are waiting there."""

    label: str
    url: str
    count: int | None = None
    detail: str = ""
    tone: Tone = "info"


@dataclass(frozen=True)
class HomePanel:
    """One question a home page answers. `key` is stable (tests and the DOM id use it); `order` places the
    panel among other apps' panels (lower first: what needs the reader today comes before reference).

    A panel that needs more than a list of links names a `template` (rendered with `context` and the request's
    context); otherwise the site renders `items`, or `empty` when there are none."""

    key: str
    title: str
    order: int
    items: tuple[HomeItem, ...] = ()
    empty: str = ""
    intro: str = ""
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    action: HomeItem | None = None

    @property
    def waiting(self) -> int:
        """How many things in this panel wait for the reader (the sum of its counts)."""
        return sum(item.count or 0 for item in self.items)
