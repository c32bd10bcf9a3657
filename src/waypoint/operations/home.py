"""The background work panel of a home page: the reader's own runs still going, or failed lately, each a
link to its status page. Shown only when there is one."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint.core.home import TODAY, HomeItem, HomePanel
from waypoint.core.models import User
from waypoint.operations.models import TaskRun
from waypoint.operations.selectors import home_runs
from waypoint.policy import request_context


def _item(run: TaskRun) -> HomeItem:
    url = reverse("task-run", args=[run.pk])
    if run.status == TaskRun.Status.FAILED:
        return HomeItem(
            label=_("%(task)s failed") % {"task": run.title}, url=url, detail=run.message, tone="warning"
        )
    if run.status == TaskRun.Status.QUEUED:
        return HomeItem(
            label=_("%(task)s is waiting for a worker") % {"task": run.title}, url=url, detail=run.message
        )
    detail = _("%(percent)d%% done") % {"percent": run.percent} if run.percent is not None else run.message
    return HomeItem(label=_("%(task)s is running") % {"task": run.title}, url=url, detail=detail)


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    """One query (the reader's runs)."""
    runs = home_runs(context=request_context(request))
    if not runs:
        return []
    return [
        HomePanel(
            key="task-runs",
            title=_("Your background tasks"),
            # Before the day's work: a failed import or refresh is what the reader must see first.
            order=TODAY,
            items=tuple(_item(run) for run in runs),
            tone="warning" if any(run.status == TaskRun.Status.FAILED for run in runs) else "info",
            action=HomeItem(label=_("All your tasks"), url=reverse("task-runs")),
        )
    ]
