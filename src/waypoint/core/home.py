"""What a home page is made of. Each app offers panels for the signed-in person (see
`waypoint.site.contributions`, kind "home"); the site orders them and renders them, so a new app adds its
items without editing the home page.

A panel answers one question ("Evidence waiting for your score"); its items are links, each with a count
where something is waiting. A panel with no items shows its `empty` sentence, so the reader knows there
is nothing to do rather than wondering whether the page failed. Titles and sentences are translated by the
app that offers them.

Where a panel goes (`order`, lower first), by what it asks of the reader:

- `URGENT` (0-9): the page cannot serve the reader until they act (choose the district they act for);
- `TODAY` (10-39): work waiting for the reader (evidence to score, approvals, revision requests);
- `PROGRESS` (40-69): how their students or their own learning are doing (progress, plans, paths);
- `REFERENCE` (70-99): standing links (records, gradebooks, the explainer, the state's figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Tone = Literal["action", "info", "warning"]

URGENT = 0
TODAY = 10
PROGRESS = 40
REFERENCE = 70


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
    context); otherwise the site renders `items`, or `empty` when there are none. `tone` marks the whole
    panel: "action" when it holds work for the reader, "warning" when something is wrong (no certificate).
    `count` says how many wait in the panel when its items do not add up to it: a list cut short after a few
    items, or a piece of work filed under two sections."""

    key: str
    title: str
    order: int
    items: tuple[HomeItem, ...] = ()
    empty: str = ""
    intro: str = ""
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    action: HomeItem | None = None
    tone: Tone = "info"
    count: int | None = None

    @property
    def waiting(self) -> int:
        """How many things in this panel wait for the reader: `count`, else the sum of its items' counts."""
        if self.count is not None:
            return self.count
        return sum(item.count or 0 for item in self.items)
