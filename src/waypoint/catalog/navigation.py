"""The navigation link of the catalog pages, shown only when the access policy says it works."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import NavLink


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    """The catalog, for everyone who acts for a district."""
    # The districts a person acts for are the catalogs they read (`policy.catalog_districts`).
    if policy.request_access(request).districts:
        return [NavLink("Opportunities", reverse("opportunity-list"), 53)]
    return []
