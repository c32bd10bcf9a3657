"""Running queued background tasks inside a test, in the test's own transaction: django_tasks_db's worker
runs each one (`Worker.run_task`: the queue's own bookkeeping, signals and failure recording), after the
claim its loop would make. Its loop itself is not used: on SQLite it opens an exclusive transaction of its
own, which cannot nest in the test's."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

TEST_WORKER = "test-worker"


def run_queued(*, worker: str = TEST_WORKER, limit: int = 50) -> int:
    """Run every ready task, oldest first (and those they queue), as worker `worker`; returns how many ran."""
    loop = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker,
    )
    ran = 0
    while ran < limit and (ready := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        ready.claim(worker)
        loop.run_task(ready)
        ran += 1
    return ran
