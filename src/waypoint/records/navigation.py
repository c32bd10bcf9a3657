"""The records links of the page shell, each shown only when the access policy says the page works: a
student's own diploma check, transcript and portfolio; exhibitions for the staff who guide students;
graduation rules, diplomas to award, transcript requests and transfers for administrators; disposals for
district administrators. A guardian reaches each child's diploma check from the home page: the shell has no
page per child."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import Role, User
from waypoint.core.navigation import DISTRICT, LEARNING, STUDENTS, NavLink
from waypoint.policy import Action

# Staff who guide students (teaching, a caseload, administration) schedule and sit on exhibitions.
GUIDES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)
ADMINS = (Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links: list[NavLink] = []
    own = access.own_student_id
    if own is not None:
        links.append(NavLink(_("My diploma"), reverse("records-diploma", args=[own]), 19, LEARNING))
        links.append(NavLink(_("My transcript"), reverse("records-transcript", args=[own]), 20, LEARNING))
        links.append(NavLink(_("My portfolio"), reverse("records-portfolio", args=[own]), 21, LEARNING))
    if access.has_role(*GUIDES):
        links.append(NavLink(_("Exhibitions"), reverse("records-exhibitions"), 45, STUDENTS))
    if access.can(Action.AWARD_DIPLOMA):
        links.append(NavLink(_("Diplomas"), reverse("records-seniors"), 46, STUDENTS))
    if access.has_role(*ADMINS):
        if access.can(Action.ISSUE_TRANSCRIPT):
            links.append(
                NavLink(_("Transcript requests"), reverse("records-transcript-requests"), 47, STUDENTS)
            )
        if access.can(Action.VIEW_TRANSFERS):
            links.append(NavLink(_("Transfers"), reverse("records-transfers"), 48, STUDENTS))
        if access.can(Action.VIEW_GRADUATION_RULES):
            links.append(NavLink(_("Graduation rules"), reverse("records-rules"), 84, DISTRICT))
    if access.can(Action.DISPOSE_RECORD):
        links.append(NavLink(_("Disposals"), reverse("records-disposals"), 91, DISTRICT))
    return links
