"""The frameworks link of the page shell: every signed-in user reads the published frameworks."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from waypoint.core.models import User
from waypoint.core.navigation import NavLink


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    return [NavLink("Frameworks", reverse("framework-list"), 80)]
