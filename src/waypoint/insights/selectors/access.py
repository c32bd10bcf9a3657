"""What every insights read shares before it reads a figure: who may open it, which schools and districts
they reach, and the audited refusal when they may not (a DENIED row, then 403 or 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotPermitted, NotVisible, Refusal
from waypoint.core.models import AuditAction, Organization
from waypoint.policy import Action, Actor

E = TypeVar("E", bound=Refusal)


def refused(context: RequestContext, error: E, *, object_type: str, object_id: str = "") -> E:
    """Audit the refusal (in the district the reader acts for) and hand the error back to be raised."""
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=object_id,
        district_id=context.district_id,
        reason=error.reason,
    )
    return error


@dataclass(frozen=True)
class Reach:
    """The schools whose dashboards a user reads (every school of the districts they administer, and the
    schools they administer), by name; the districts those schools are in; and the districts they
    administer whole."""

    schools: list[Organization]
    districts: set[int]
    administered: frozenset[int]


def readable_schools(user: Actor) -> Reach:
    scope = policy.insights_scope(user)
    schools = list(
        Organization.objects.filter(
            Q(parent_id__in=scope.districts) | Q(pk__in=scope.schools), kind=Organization.Kind.SCHOOL
        ).order_by("name", "pk")
    )
    districts = set(scope.districts) | {school.parent_id for school in schools if school.parent_id}
    return Reach(schools=schools, districts=districts, administered=scope.districts)


def readable_district(
    context: RequestContext,
    district_id: int | None,
    *,
    action: Action,
    object_type: str,
    not_permitted: str,
    not_visible: str,
    none_visible: str,
) -> tuple[Organization, list[Organization]]:
    """The district a district-level report (graduation rates, the self-study) covers, and the districts the
    reader may choose: those they administer and those of the states they analyse. Without `district_id`,
    the district the reader acts for, or the first they may choose. Anyone the action is not for is refused
    (403, `not_permitted`); a district outside the choices is not visible (404, `not_visible` with
    %(id)s, or `none_visible` when no district was asked for)."""
    user = context.user
    if not policy.can(user, action):
        raise refused(context, NotPermitted(not_permitted), object_type=object_type)
    scope = policy.insights_scope(user)
    choices = list(
        Organization.objects.filter(
            Q(pk__in=scope.districts) | Q(parent_id__in=scope.states), kind=Organization.Kind.DISTRICT
        ).order_by("name", "pk")
    )
    wanted = district_id if district_id is not None else context.district_id
    district = next((choice for choice in choices if choice.pk == wanted), None)
    if district is None and district_id is None and choices:
        district = choices[0]
    if district is None or not policy.can(user, action, district):
        reason = not_visible % {"id": district_id} if district_id is not None else none_visible
        raise refused(context, NotVisible(reason), object_type=object_type, object_id=str(district_id or ""))
    return district, choices
