"""The mastery link of the page shell: a student's own progress."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import NavLink


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    own = policy.request_access(request).own_student_id
    return [] if own is None else [NavLink("My progress", reverse("student-mastery", args=[own]), 61)]
