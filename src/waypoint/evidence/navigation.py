"""The evidence links of the page shell: a student's own evidence, the scorers' inbox, assessments."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import NavLink
from waypoint.policy import Action


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links = []
    if access.own_student_id is not None:
        links.append(NavLink("My evidence", reverse("student-evidence", args=[access.own_student_id]), 60))
    if access.can(Action.WORK_EVIDENCE_INBOX):
        links.append(NavLink("Evidence inbox", reverse("evidence-inbox"), 70))
    if access.can(Action.CREATE_ASSESSMENT):
        links.append(NavLink("Assessments", reverse("assessment-list"), 71))
    return links
