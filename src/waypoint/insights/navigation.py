"""The insights links of the page shell, each shown only when the access policy says the page works: the
growth dashboard and the schools' action plans for school and district administrators; the graduation rates
and the self-study for district administrators and the state's analysts; the state view for the analysts."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import DISTRICT, NavLink
from waypoint.policy import Action


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links = []
    if access.can(Action.VIEW_DASHBOARD):
        links.append(NavLink(_("Growth dashboard"), reverse("insights-dashboard"), 81, DISTRICT))
    if access.can(Action.VIEW_STATE_INSIGHTS):
        links.append(NavLink(_("State view"), reverse("insights-state"), 81, DISTRICT))
    if access.can(Action.VIEW_GRADUATION_RATES):
        links.append(NavLink(_("Graduation rates"), reverse("insights-graduation"), 82, DISTRICT))
    if access.can(Action.VIEW_SELF_STUDY):
        links.append(NavLink(_("District self-study"), reverse("insights-self-study"), 83, DISTRICT))
    if access.can(Action.VIEW_ACTION_PLANS):
        links.append(NavLink(_("Action plans"), reverse("insights-plans"), 84, DISTRICT))
    return links
