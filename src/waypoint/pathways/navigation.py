"""The navigation links of the path pages, each shown only when the access policy says it works."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import DISTRICT, STUDENTS, NavLink, learner_or
from waypoint.policy import Action

# Everyone who may read some path: students, guardians, mentors and staff (not state analysts).
PATH_READERS = {"student", "guardian", "mentor", "teacher", "advisor", "school_admin", "district_admin"}


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    """Paths, approvals (staff), and the equal access report (administrators)."""
    access = policy.request_access(request)
    links = []
    if access.roles & PATH_READERS:
        links.append(NavLink(_("Paths"), reverse("path-list"), 51, learner_or(access.roles, STUDENTS)))
    if access.can(Action.VIEW_APPROVAL_QUEUE):
        links.append(NavLink(_("Approvals"), reverse("path-queue"), 52, STUDENTS))
    if access.can(Action.VIEW_ACCESS_REPORT):
        links.append(NavLink(_("Equal access"), reverse("access-report"), 88, DISTRICT))
    return links
