"""The access policy for a district's adoption: its set-up, its rosters, how its people sign in.

- The first-run page, roster imports and exports, the import history and the sign-in configuration belong to
  the district's administrators (district administrator role, for the district given as the object). A school
  administrator does not roster the district: OneRoster files carry every school of it.
- Two-step sign-in (TOTP) is each staff member's own: anyone holding a staff role sets up their own.
"""

from __future__ import annotations

import datetime

from django.db.models import Model

from waypoint.core.models import Organization, Role, User
from waypoint.policy.actions import Action
from waypoint.policy.base import districts_where, has_role
from waypoint.policy.registry import rule

STAFF_ROLES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, Role.STATE_ANALYST)


@rule("interop")
def interop_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the interop actions (the user is active; `can()` checked it)."""
    if action is Action.MANAGE_OWN_MFA:
        return obj is None and has_role(user, *STAFF_ROLES, on=on)
    if isinstance(obj, Organization):
        return obj.kind == Organization.Kind.DISTRICT and obj.pk in districts_where(
            user, Role.DISTRICT_ADMIN, on=on
        )
    if obj is None:
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    return False
