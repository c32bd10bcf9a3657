"""Mastery levels follow the student's record (`visible_students`); a district's calculation rules are set
by its administrators."""

from __future__ import annotations

import datetime

from django.db.models import Model

from waypoint.core.models import Organization, Role, User
from waypoint.policy.actions import Action
from waypoint.policy.base import districts_where, has_role
from waypoint.policy.registry import rule


@rule("mastery")
def mastery_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    if action is not Action.MANAGE_CALCULATION:
        return False
    if isinstance(obj, Organization):
        return obj.pk in districts_where(user, Role.DISTRICT_ADMIN, on=on)
    return obj is None and has_role(user, Role.DISTRICT_ADMIN, on=on)
