"""The navigation link of the catalog pages, shown only when the access policy says it works."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import DISTRICT, NavLink, learner_or


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    """The catalog, for everyone who acts for a district."""
    # The districts a person acts for are the catalogs they read (`policy.catalog_districts`).
    access = policy.request_access(request)
    if access.districts:
        group = learner_or(access.roles, DISTRICT)
        return [NavLink(_("Opportunities"), reverse("opportunity-list"), 53, group)]
    return []
