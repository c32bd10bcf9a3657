"""The interop links of the page shell (filled in by the roster and sign-in work)."""

from __future__ import annotations

from django.http import HttpRequest

from waypoint.core.models import User
from waypoint.core.navigation import NavLink


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    return []
