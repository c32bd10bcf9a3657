"""The navigation link of the success plan pages, shown only when the access policy says it works."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import LEARNING, NavLink


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    """A student's own success plan."""
    own_student_id = policy.request_access(request).own_student_id
    if own_student_id is not None:
        return [NavLink(_("My plan"), reverse("success-plan", args=[own_student_id]), 17, LEARNING)]
    return []
