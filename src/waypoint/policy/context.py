"""The request context: who is acting and for which district, computed once per request.

Views, the API, selectors and navigation read it; nothing derives these facts again. It holds the roles the
user acts in, their dated grants, their own student record, the students they are guardian of, the districts
they may act for, and the one they act for now.

The acting district, by one rule: the district the person chose (remembered in their session) when they may
still act for it; otherwise their home district (`User.district`) when they may act for it; otherwise the
only district they may act for; otherwise none (a state analyst, or a person with roles in several districts
who has not chosen yet, who is asked to choose)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from waypoint.core.audit import RequestContext, audit_context
from waypoint.core.models import GuardianLink, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import GUARDIAN_ROLE, STUDENT_ROLE, Actor, Grant, active_on, grants, today
from waypoint.policy.registry import can

ACTING_DISTRICT_SESSION_KEY = "waypoint.acting_district"


@dataclass(frozen=True)
class AccessContext:
    """What the policy knows about the person behind one request."""

    user: Actor
    on: datetime.date
    grants: tuple[Grant, ...] = ()
    roles: frozenset[str] = frozenset()
    own_student_id: int | None = None
    own_student_district_id: int | None = None
    guarded_student_ids: tuple[int, ...] = ()
    districts: tuple[int, ...] = ()
    acting_district_id: int | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_student(self) -> bool:
        return self.own_student_id is not None

    @property
    def is_guardian(self) -> bool:
        return bool(self.guarded_student_ids)

    @property
    def reads_student_language_first(self) -> bool:
        """Students and guardians see the student-friendly wording first; staff see the official wording."""
        return bool({STUDENT_ROLE, GUARDIAN_ROLE} & self.roles)

    @property
    def must_choose_district(self) -> bool:
        return self.acting_district_id is None and len(self.districts) > 1

    def has_role(self, *wanted: str) -> bool:
        return bool(self.roles & {str(role) for role in wanted})

    def can(self, action: Action, obj: Model | None = None) -> bool:
        """`policy.can` for this person on the context's date; decisions without an object are kept for
        the request, since navigation and pages ask the same ones."""
        if obj is not None:
            return can(self.user, action, obj, self.on)
        key = f"can:{action.value}"
        if key not in self._cache:
            self._cache[key] = can(self.user, action, None, self.on)
        return bool(self._cache[key])


def access_context(
    user: Actor, *, chosen_district_id: int | None = None, on: datetime.date | None = None
) -> AccessContext:
    """The context for a user (anonymous users get an empty one), with the acting district by the rule above.
    Two queries for a signed-in user beyond the grants: the own record and the guardian links."""
    on = on or today()
    if not isinstance(user, User) or not user.is_active:
        return AccessContext(user=user, on=on)
    held = tuple(grants(user, on))
    own = Student.objects.filter(user=user).values_list("id", "district_id").first()
    guarded = tuple(
        GuardianLink.objects.filter(active_on(on), guardian=user)
        .order_by("student_id")
        .values_list("student_id", "student__district_id")
    )
    roles = {g.role.value for g in held}
    districts = {g.district_id for g in held if g.district_id is not None}
    if own is not None:
        roles.add(STUDENT_ROLE)
        districts.add(own[1])
    if guarded:
        roles.add(GUARDIAN_ROLE)
        districts.update(district_id for _, district_id in guarded)
    acting = _acting_district(user, districts, chosen_district_id)
    return AccessContext(
        user=user,
        on=on,
        grants=held,
        roles=frozenset(roles),
        own_student_id=own[0] if own else None,
        own_student_district_id=own[1] if own else None,
        guarded_student_ids=tuple(student_id for student_id, _ in guarded),
        districts=tuple(sorted(districts)),
        acting_district_id=acting,
    )


def _acting_district(user: User, districts: set[int], chosen: int | None) -> int | None:
    if chosen is not None and chosen in districts:
        return chosen
    if user.district_id is not None and user.district_id in districts:
        return user.district_id
    if len(districts) == 1:
        return next(iter(districts))
    return None


def request_access(request: HttpRequest) -> AccessContext:
    """The request's context, computed on first use and kept on the request for the rest of it."""
    cached = request.__dict__.get("_waypoint_access")
    if isinstance(cached, AccessContext):
        return cached
    chosen = request.session.get(ACTING_DISTRICT_SESSION_KEY) if hasattr(request, "session") else None
    context = access_context(request.user, chosen_district_id=chosen if isinstance(chosen, int) else None)
    request.__dict__["_waypoint_access"] = context
    return context


def request_context(request: HttpRequest) -> RequestContext:
    """The request's context for selectors and services: who acts, from where, and for which district."""
    context = audit_context(request)
    if context.actor is None:
        return context
    return replace(context, acting_district_id=request_access(request).acting_district_id)
