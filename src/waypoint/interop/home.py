"""The interop panels of a home page (filled in by the roster and sign-in work)."""

from __future__ import annotations

from django.http import HttpRequest

from waypoint.core.home import HomePanel
from waypoint.core.models import User


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    return []
