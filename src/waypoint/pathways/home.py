"""The pathways items of a home page: the paths an external mentor guides today."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waypoint import policy
from waypoint.core.models import Role, User
from waypoint.pathways.models import PathStatus
from waypoint.pathways.selectors import paths_for
from waypoint.policy import request_context


def home_items(request: HttpRequest, user: User) -> dict[str, Any]:
    if not policy.request_access(request).has_role(Role.MENTOR):
        return {}
    return {"mentor_paths": paths_for(context=request_context(request), statuses=[PathStatus.ACTIVE]).items}
