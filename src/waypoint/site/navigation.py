"""The navigation each role sees in the page shell: every app's links for this user, in their order."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from waypoint.core.navigation import NavLink
from waypoint.site.contributions import contributions


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav_items` for the signed-in user, from the access policy, so a link is shown only when it works."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    links = [NavLink("Home", reverse("home"), 10)]
    for offer in contributions("navigation"):
        links.extend(offer(request, user))
    return {"nav_items": sorted(links, key=lambda link: link.order)}
