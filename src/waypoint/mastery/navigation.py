"""The mastery links of the page shell: a student's own progress; a teacher's gradebooks."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import LEARNING, TEACHING, NavLink
from waypoint.policy import Action


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links = []
    if access.own_student_id is not None:
        own = access.own_student_id
        links.append(NavLink(_("My progress"), reverse("student-mastery", args=[own]), 15, LEARNING))
    # Everyone who opens sections opens their gradebooks: teachers, school and district administrators.
    if access.can(Action.LIST_SECTIONS):
        links.append(NavLink(_("Gradebooks"), reverse("gradebooks"), 71, TEACHING))
    return links
