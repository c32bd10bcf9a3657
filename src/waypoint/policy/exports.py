"""Who reads a district's export log: its district administrators, the people who answer for what left it.

The log lists every export of the district (who, when, what, how many students, from where); it names staff
but no student's record, and it is a district's own: an administrator reads the district they act for."""

from __future__ import annotations

import datetime

from waypoint.core.models import Role
from waypoint.policy.base import Actor, districts_where, today


def export_log_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose export log the user may read."""
    return districts_where(user, Role.DISTRICT_ADMIN, on=on or today())
