"""The evidence links of the page shell: a student's own evidence, the scorers' inbox, assessments."""

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
        links.append(NavLink(_("My evidence"), reverse("student-evidence", args=[own]), 16, LEARNING))
    if access.can(Action.WORK_EVIDENCE_INBOX):
        links.append(NavLink(_("Evidence inbox"), reverse("evidence-inbox"), 70, TEACHING))
    if access.can(Action.CREATE_ASSESSMENT):
        links.append(NavLink(_("Assessments"), reverse("assessment-list"), 72, TEACHING))
    return links
