"""The access policy for background work: who may follow a run.

- The person who started a run follows it (its status page, the API, their home page).
- A district's administrators follow every run of their district, whoever started it (the schedule's
  included): they answer for the district's imports and refreshes.
- Nobody else, and nobody at all for a system run of no district but the person who started it. A run that is
  not visible answers 404, like a student out of scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from waypoint.core.models import Role, User
from waypoint.operations.models import TaskRun
from waypoint.policy.base import Actor, districts_where


def visible_task_runs(user: Actor) -> QuerySet[TaskRun]:
    """The runs `user` may follow."""
    if not isinstance(user, User) or not user.is_active:
        return TaskRun.objects.none()
    administered = districts_where(user, Role.DISTRICT_ADMIN)
    scope = Q(started_by=user)
    if administered:
        scope |= Q(district_id__in=administered)
    return TaskRun.objects.filter(scope)
