"""Reads of background runs, each scoped by the policy (`policy.operations.visible_task_runs`): the person
who started a run, and their district's administrators. A run is no student's record (its result page is,
and audits itself), so following one is not written to the audit log."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotVisible
from waypoint.core.paging import Page, page_of
from waypoint.operations.models import TaskRun
from waypoint.policy.operations import visible_task_runs

# How long a failed run stays on its starter's home page.
RECENT_FAILURE = datetime.timedelta(days=2)


def task_runs_page(*, context: RequestContext, page: int = 1, size: int = 20) -> Page[TaskRun]:
    """The runs the reader may follow, newest first; two queries (count and page)."""
    rows = (
        visible_task_runs(context.user)
        .select_related("district", "started_by")
        .order_by("-created_at", "-id")
    )
    return page_of(rows, number=page, size=size)


def task_run_get(*, context: RequestContext, run_id: int) -> TaskRun:
    """One run the reader may follow; any other is missing (404), whether it exists or not."""
    found = visible_task_runs(context.user).select_related("district", "started_by").filter(pk=run_id).first()
    if found is None:
        raise NotVisible(_("There is no such task."))
    return found


def home_runs(*, context: RequestContext, limit: int = 5) -> list[TaskRun]:
    """The reader's own runs that need a look on their home page: those queued or running, and those that
    failed in the last two days; one query."""
    if context.actor is None:
        return []
    since = timezone.now() - RECENT_FAILURE
    return list(
        TaskRun.objects.filter(started_by=context.actor)
        .filter(
            Q(status__in=[TaskRun.Status.QUEUED, TaskRun.Status.RUNNING])
            | Q(status=TaskRun.Status.FAILED, finished_at__gte=since)
        )
        .order_by("-created_at", "-id")[:limit]
    )
