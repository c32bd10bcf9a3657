"""The navigation each person sees in the page shell: every app's links for them, arranged by task.

The main menu holds the top-level links, then one headed menu per task group ("Teaching", "Students"...),
each group's links in their order. Someone with only a few links, or with links in one task only (a student,
a guardian, a state analyst), sees them flat: a heading over three links is a click for nothing. The
"account" links go to the account menu beside the person's name."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint.core.navigation import ACCOUNT, MAIN, TASK_GROUPS, NavLink
from waypoint.site.contributions import contributions

# Up to this many links in the main menu are shown flat whatever their groups.
FLAT_MENU_MAX_LINKS = 6


@dataclass(frozen=True)
class NavEntry:
    """A link as the shell draws it. `current` is "page" on the link's own page and "true" on a page below it
    (a student's record under Students), for `aria-current`; empty elsewhere."""

    label: str
    url: str
    current: str = ""


@dataclass(frozen=True)
class NavGroup:
    key: str
    heading: str
    links: tuple[NavEntry, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


@dataclass(frozen=True)
class Navigation:
    """`top` are the main menu's links without a heading; `groups` the headed menus after them (empty when the
    menu is flat); `account` the account menu's links."""

    top: tuple[NavEntry, ...]
    groups: tuple[NavGroup, ...]
    account: tuple[NavEntry, ...]


def _current_url(path: str, links: list[NavLink]) -> str:
    """The link the page belongs to: its own, or the longest one it sits under ("/" only for itself)."""
    best = ""
    for link in links:
        if path == link.url:
            return link.url
        if link.url != "/" and path.startswith(link.url) and len(link.url) > len(best):
            best = link.url
    return best


def _entries(links: list[NavLink], path: str, current_url: str) -> tuple[NavEntry, ...]:
    def current(link: NavLink) -> str:
        if link.url != current_url:
            return ""
        return "page" if link.url == path else "true"

    return tuple(NavEntry(link.label, link.url, current(link)) for link in links)


def arrange(links: list[NavLink], path: str) -> Navigation:
    """Sort `links` by order and place them: account menu, top level, or their task's headed menu."""
    ordered = sorted(links, key=lambda link: link.order)
    menu = [link for link in ordered if link.group != ACCOUNT]
    account = [link for link in ordered if link.group == ACCOUNT]
    current_url = _current_url(path, menu + account)
    tasks = {link.group for link in menu} - {MAIN}
    if len(menu) <= FLAT_MENU_MAX_LINKS or len(tasks) <= 1:
        return Navigation(_entries(menu, path, current_url), (), _entries(account, path, current_url))
    groups = tuple(
        NavGroup(key, str(heading), _entries([link for link in menu if link.group == key], path, current_url))
        for key, heading in TASK_GROUPS.items()
        if key in tasks
    )
    top = [link for link in menu if link.group == MAIN]
    return Navigation(_entries(top, path, current_url), groups, _entries(account, path, current_url))


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav` for the signed-in user, from the access policy, so a link is shown only when it works.
    `nav_items` is the main menu's links in order, flat, for whoever needs them as a list.

    Built once per request and kept on it: every template rendered with the request runs this context
    processor (the home page renders its panels' templates too), and the links' queries (the unread count,
    whether any student is visible) would otherwise run again for each."""
    kept = request.__dict__.get("_waypoint_navigation")
    if kept is not None:
        return dict(kept)
    user = request.user
    if not user.is_authenticated:
        return {"nav": None, "nav_items": []}
    links = [NavLink(_("Home"), reverse("home"), 10)]
    for offer in contributions("navigation"):
        links.extend(offer(request, user))
    nav = arrange(links, request.path)
    items = [*nav.top, *(link for group in nav.groups for link in group.links)]
    request.__dict__["_waypoint_navigation"] = {"nav": nav, "nav_items": items}
    return {"nav": nav, "nav_items": items}
