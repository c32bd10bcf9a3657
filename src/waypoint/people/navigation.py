"""The people links of the page shell: the own record, students, sections, caseload, audit log, export log,
and the account menu's district choice, API tokens and language."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import ACCOUNT, DISTRICT, LEARNING, STUDENTS, TEACHING, NavLink, learner_or
from waypoint.policy import Action
from waypoint.policy.exports import export_log_districts


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links = []
    if access.own_student_id is not None:
        own = access.own_student_id
        links.append(NavLink(_("My record"), reverse("student-detail", args=[own]), 57, LEARNING))
        disclosures = reverse("student-disclosures", args=[own])
        links.append(NavLink(_("Who viewed my record"), disclosures, 21, ACCOUNT))
    elif policy.visible_students(user).exists():
        # A guardian's student list is their children; for staff it is the students they work with.
        group = learner_or(access.roles, STUDENTS)
        label = _("My children") if group == LEARNING else _("Students")
        links.append(NavLink(label, reverse("student-list"), 22, group))
    if access.can(Action.LIST_SECTIONS):
        links.append(NavLink(_("Sections"), reverse("section-list"), 74, TEACHING))
    if access.can(Action.VIEW_CASELOAD):
        links.append(NavLink(_("Caseload"), reverse("caseload"), 40, STUDENTS))
    if access.can(Action.VIEW_DISTRICT_AUDIT):
        links.append(NavLink(_("Audit log"), reverse("audit-log"), 90, DISTRICT))
    if access.acting_district_id in export_log_districts(user, access.on):
        links.append(NavLink(_("Export log"), reverse("export-log"), 90, DISTRICT))
    if len(access.districts) > 1:
        label = _("Choose your district") if access.must_choose_district else _("Change district")
        links.append(NavLink(label, reverse("acting-district"), 94, ACCOUNT))
    # A program acting as the person is an account setting, not a task: it lives in the account menu.
    links.append(NavLink(_("API tokens"), reverse("token-list"), 95, ACCOUNT))
    links.append(NavLink(_("Language"), reverse("account-language"), 96, ACCOUNT))
    return links
