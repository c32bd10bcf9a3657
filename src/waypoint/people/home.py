"""The people items of a home page: the own and children's records, sections, certification, caseload,
students in scope, and the state analyst's district overview."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from waypoint import policy
from waypoint.core.models import Organization, Role, User
from waypoint.people.selectors import caseload_size, family_students, sections_for
from waypoint.policy import Action, request_context


def home_items(request: HttpRequest, user: User) -> dict[str, Any]:
    context = request_context(request)
    access = policy.request_access(request)
    items: dict[str, Any] = {
        "roles": sorted(access.roles),
        "must_choose_district": access.must_choose_district,
    }
    if access.is_student or access.is_guardian:
        items["own_students"] = family_students(context=context)
    if access.can(Action.LIST_SECTIONS):
        items["sections"] = sections_for(context=context)
    if access.has_role(Role.TEACHER):
        items["certification"] = policy.current_certification(user)
        items["is_teacher"] = True
    if access.can(Action.VIEW_CASELOAD):
        items["caseload_size"] = caseload_size(context=context)
    if access.has_role(Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN):
        items["students_in_scope"] = policy.visible_students(user).count()
    if access.has_role(Role.STATE_ANALYST):
        items["district_overview"] = (
            Organization.objects.filter(kind=Organization.Kind.DISTRICT)
            .annotate(school_count=Count("children"))
            .order_by("name")
        )
    return items
