"""The people links of the page shell: the own record, students, sections, caseload, audit log, tokens."""

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
        links.append(NavLink("My record", reverse("student-detail", args=[access.own_student_id]), 20))
        links.append(
            NavLink("Who viewed my record", reverse("student-disclosures", args=[access.own_student_id]), 21)
        )
    elif policy.visible_students(user).exists():
        links.append(NavLink("Students", reverse("student-list"), 22))
    if access.can(Action.LIST_SECTIONS):
        links.append(NavLink("Sections", reverse("section-list"), 30))
    if access.can(Action.VIEW_CASELOAD):
        links.append(NavLink("Caseload", reverse("caseload"), 40))
    if access.can(Action.VIEW_DISTRICT_AUDIT):
        links.append(NavLink("Audit log", reverse("audit-log"), 90))
    if len(access.districts) > 1:
        label = "Choose your district" if access.must_choose_district else "Change district"
        links.append(NavLink(label, reverse("acting-district"), 94))
    links.append(NavLink("API tokens", reverse("token-list"), 95))
    return links
