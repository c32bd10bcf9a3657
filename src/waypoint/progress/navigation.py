"""The progress links of the page shell, each shown only when the access policy says the page works: a
student's own pace; a teacher's students ready to advance; alerts, supports and conferences for the staff who
guide students; testing lists and the school support plan for administrators; the inquiry settings and the
advancement rules for district administrators; the repository for staff (its exemplar trajectories are
published from the repository page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import Role, User
from waypoint.core.navigation import DISTRICT, LEARNING, STUDENTS, TEACHING, NavLink
from waypoint.policy import Action

# Staff who guide students (teaching, a caseload, administration) work alerts, supports and conferences.
GUIDES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links = []
    if access.own_student_id is not None:
        url = reverse("progress-trajectory", args=[access.own_student_id])
        links.append(NavLink(_("My pace"), url, 18, LEARNING))
    if access.has_role(Role.TEACHER):
        links.append(NavLink(_("Ready to advance"), reverse("progress-ready"), 72, TEACHING))
    if access.has_role(*GUIDES):
        links.append(NavLink(_("Alerts"), reverse("progress-alerts"), 41, STUDENTS))
        links.append(NavLink(_("Supports"), reverse("progress-supports"), 42, STUDENTS))
        links.append(NavLink(_("Conferences"), reverse("progress-conferences"), 43, STUDENTS))
    if access.can(Action.VIEW_TEST_LISTS):
        links.append(NavLink(_("Testing"), reverse("progress-testing"), 44, STUDENTS))
    if access.can(Action.WORK_SCHOOL_TASKS):
        links.append(NavLink(_("School support plan"), reverse("progress-school-tasks"), 87, DISTRICT))
    if access.can(Action.MANAGE_INQUIRY):
        links.append(NavLink(_("Inquiry settings"), reverse("progress-inquiry-settings"), 85, DISTRICT))
    if access.can(Action.MANAGE_ADVANCEMENT_RULES):
        links.append(NavLink(_("Advancement rules"), reverse("progress-advancement-rules"), 86, DISTRICT))
    if access.can(Action.VIEW_REPOSITORY):
        links.append(NavLink(_("Pacing repository"), reverse("progress-repository"), 89, DISTRICT))
    return links
