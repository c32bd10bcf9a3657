"""The interop links of the page shell: for a district's administrators, its roster imports, its set-up
checklist while the district has no roster yet (as the home page found it: see `forms.rosters.SET_UP_PENDING`;
the menu asks no question of its own), and how its people sign in; for staff, their own two-step sign-in in
the account menu."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import ACCOUNT, DISTRICT, NavLink
from waypoint.interop.forms.rosters import SET_UP_PENDING
from waypoint.policy import Action


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    access = policy.request_access(request)
    links: list[NavLink] = []
    if access.can(Action.VIEW_ROSTER_IMPORTS):
        session = getattr(request, "session", {})
        if access.acting_district_id is not None and session.get(SET_UP_PENDING) == access.acting_district_id:
            links.append(NavLink(_("Set up"), reverse("interop-first-run"), 70, DISTRICT))
        links.append(NavLink(_("Roster imports"), reverse("interop-roster-imports"), 92, DISTRICT))
    if access.can(Action.CONFIGURE_SIGN_IN):
        links.append(NavLink(_("Sign-in settings"), reverse("interop-sign-in-settings"), 93, DISTRICT))
    if access.can(Action.MANAGE_OWN_MFA):
        links.append(NavLink(_("Two-step sign-in"), reverse("interop-mfa"), 93, ACCOUNT))
    return links
