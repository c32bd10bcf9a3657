"""The ground of the access policy: who is acting, and which dated roles they hold on a day.

Every grant is dated: a role, teaching assignment, roster place, caseload place or guardian link counts only
while it is active. The rule modules build on these functions; nothing here knows a domain."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from waypoint.core.models import GuardianLink, Role, RoleAssignment, Student, User

Actor: TypeAlias = User | AnonymousUser

STUDENT_ROLE = "student"
GUARDIAN_ROLE = "guardian"


@dataclass(frozen=True)
class Grant:
    """One active role assignment, reduced to what the policy needs."""

    role: Role
    organization_id: int
    district_id: int | None


def today() -> datetime.date:
    return timezone.localdate()


def active_user(user: Actor) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def active_on(on: datetime.date, *, prefix: str = "", start: str = "starts_on", end: str = "ends_on") -> Q:
    """Rows whose inclusive date span (an open end means "still") contains `on`; `prefix` reaches a related
    row, e.g. "roster__"."""
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def grants(user: Actor, on: datetime.date | None = None) -> list[Grant]:
    """The user's active role assignments on a date (today by default), read once per user object."""
    if not isinstance(user, User) or not user.is_active:
        return []
    on = on or today()
    cache: dict[datetime.date, list[Grant]] = user.__dict__.setdefault("_waypoint_grants", {})
    if on not in cache:
        cache[on] = [
            Grant(role=Role(role), organization_id=organization_id, district_id=district_id)
            for role, organization_id, district_id in RoleAssignment.objects.filter(
                active_on(on), user=user
            ).values_list("role", "organization_id", "district_id")
        ]
    return cache[on]


def districts_where(user: Actor, *wanted: Role, on: datetime.date | None = None) -> set[int]:
    """The districts in which the user holds one of the roles on a date."""
    return {g.district_id for g in grants(user, on) if g.role in wanted and g.district_id is not None}


def organizations_where(user: Actor, *wanted: Role, on: datetime.date | None = None) -> set[int]:
    """The organizations (schools or districts) at which the user holds one of the roles on a date."""
    return {g.organization_id for g in grants(user, on) if g.role in wanted}


def role_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """Every district in which the user holds any staff role on a date."""
    return {g.district_id for g in grants(user, on) if g.district_id is not None}


def has_role(user: Actor, *wanted: Role, on: datetime.date | None = None) -> bool:
    return any(g.role in wanted for g in grants(user, on))


def roles(user: Actor, on: datetime.date | None = None) -> list[str]:
    """Every role the user acts in today: assigned staff roles, plus student and guardian from the records."""
    if not isinstance(user, User) or not user.is_active:
        return []
    on = on or today()
    found = {g.role.value for g in grants(user, on)}
    if Student.objects.filter(user=user).exists():
        found.add(STUDENT_ROLE)
    if GuardianLink.objects.filter(active_on(on), guardian=user).exists():
        found.add(GUARDIAN_ROLE)
    return sorted(found)
