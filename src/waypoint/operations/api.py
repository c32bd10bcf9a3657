"""The background runs API: the runs the caller may follow (their own; a district administrator's
district's), and one run's status and progress."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.api import LIST_ERRORS, READ_ERRORS, Id, PageOut, PageQuery, page_fields
from waypoint.operations.models import TaskRun
from waypoint.operations.selectors import task_run_get, task_runs_page
from waypoint.policy import request_context

router = Router(tags=["tasks"])


class TaskRunOut(Schema):
    id: int
    kind: str = Field(description="What the work is, e.g. `roster-import`, `insights-refresh`.")
    status: str = Field(description="`queued`, `running`, `succeeded` or `failed`.")
    district_id: int | None = Field(description="The district the work concerns; none for a system job.")
    progress_done: int
    progress_total: int = Field(description="0 while the work has not said how much there is.")
    message: str = Field(description="Where the work stands, or why it failed, in plain words.")
    result_url: str = Field(description="The page of this site showing the result (a path), or empty.")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


class TaskRunPageOut(PageOut):
    items: list[TaskRunOut]


def _out(run: TaskRun) -> TaskRunOut:
    return TaskRunOut(
        id=run.pk,
        kind=run.kind,
        status=run.status,
        district_id=run.district_id,
        progress_done=run.progress_done,
        progress_total=run.progress_total,
        message=run.message,
        result_url=run.result_url,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


@router.get(
    "/tasks",
    response={200: TaskRunPageOut, **LIST_ERRORS},
    summary="Background tasks you started, and your district's if you administer it, newest first",
)
def task_runs(request: HttpRequest, query: Query[PageQuery]) -> TaskRunPageOut:
    page = task_runs_page(context=request_context(request), page=query.page, size=query.page_size)
    return TaskRunPageOut(items=[_out(run) for run in page.items], **page_fields(page))


@router.get(
    "/tasks/{int:task_run_id}",
    response={200: TaskRunOut, **READ_ERRORS},
    summary="One background task's status and progress (one you may not follow answers 404)",
)
def task_run(request: HttpRequest, task_run_id: Id) -> TaskRunOut:
    return _out(task_run_get(context=request_context(request), run_id=task_run_id))
