"""Authorization-matrix rows of background tasks (`waypoint.policy.operations`), pages and API.

- The list of tasks: everyone signed in reads their own (an empty list is still 200).
- One task: the person who started it and their district's administrators; anyone else gets 404, as for a
  task that does not exist. The own target is a task the teacher started in Riverside (the teacher and
  Riverside's administrator follow it); the other target is a scheduled task of Hillcrest (started by
  nobody), which none of the matrix's people follow: Hillcrest's administrator is not among them.
"""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, Row, everyone
from waypoint.core.models import Organization, User
from waypoint.operations.models import TaskRun

STARTER_AND_ADMIN = {"teacher", "district-admin"}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    "tasks/": everyone(),
    "tasks/<int:task_run_id>/": Row(allowed={OWN: STARTER_AND_ADMIN, OTHER: set()}),
    "api/v1/tasks": everyone(anonymous=401),
    "api/v1/tasks/<int:task_run_id>": Row(allowed={OWN: STARTER_AND_ADMIN, OTHER: set()}, anonymous=401),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A finished task of the district: Riverside's started by its teacher, Hillcrest's by the schedule."""
    starter = users["teacher"] if users["teacher"].district_id == district.pk else None
    run = TaskRun.objects.create(
        district=district,
        started_by=starter,
        kind="roster-import",
        work="waypoint.interop.tasks.import_roster",
        status=TaskRun.Status.SUCCEEDED,
        message="Matrix.",
    )
    return {"task_run": run}
