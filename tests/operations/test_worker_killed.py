"""The proof: `waypoint worker`, a real process on PostgreSQL, killed (SIGKILL) in the middle of a roster
import's transaction, leaves no row of the roster behind, and a second worker's reaper ends the task failed,
visibly, with the import's run failed too; and the task's progress was readable while the import's
transaction was still open.

It runs in a scratch database of its own, beside the session's test database (whose schema it copies with
`pg_dump --schema-only`), so the committed rows a subprocess needs never reach the session's demo."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from waypoint.operations.services import WORKER_STOPPED

pytestmark = [pytest.mark.django_db, pytest.mark.once]
REPO = Path(__file__).resolve().parents[2]
WAYPOINT = REPO / ".venv" / "bin" / "waypoint"
# Big enough for the import's transaction to run several seconds (18,000 students, 100,000 enrollments).
USERS = 20_000
WAIT_SECONDS = 120


def _dsn(name: str) -> str:
    settings = connection.settings_dict
    return (
        f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"user={settings['USER'] or 'postgres'} dbname={name}"
        + (f" password={settings['PASSWORD']}" if settings["PASSWORD"] else "")
    )


@pytest.fixture
def scratch() -> Iterator[str]:
    """A database with the test database's schema and no rows, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "the proof needs PostgreSQL: a killed worker's transaction rolls back with its connection"
        )
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.skip("pg_dump and psql (the PostgreSQL client tools) are not installed")
    source = connection.settings_dict["NAME"]
    name = f"{source}_worker_proof"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        schema = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", _dsn(source)],  # noqa: S607
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            ["psql", "--quiet", "--set", "ON_ERROR_STOP=1", _dsn(name)],  # noqa: S607
            input=schema,
            check=True,
            capture_output=True,
        )
        yield name
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(database: str, tmp_path: Path) -> dict[str, str]:
    settings = connection.settings_dict
    server = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    url = f"postgres://{settings['USER'] or 'postgres'}@{server}/{database}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "WAYPOINT_ENV": "development",
        "WAYPOINT_VAR_DIR": str(tmp_path / "var"),
        "WAYPOINT_MEDIA_DIR": str(tmp_path / "media"),
        "WAYPOINT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    }


def _worker(name: str, environment: dict[str, str], log: Path, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(WAYPOINT), "worker", "--name", name, "--no-schedule", "--interval", "0.2", *options],
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _district_rows(db: psycopg.Connection[Any], district_id: int) -> dict[str, int]:
    """Every table with a district column: its rows of the district (what a partial import would leave)."""
    tables = db.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'district_id' AND table_name NOT LIKE 'operations_%' ORDER BY 1"
    ).fetchall()
    counts = {}
    for (table,) in tables:
        # The table names come from the catalog, not from input.
        query = f'SELECT count(*) FROM "{table}" WHERE district_id = %s'  # noqa: S608
        (counts[table],) = db.execute(query, [district_id]).fetchone() or (0,)
    return counts


def _until(what: str, check: Any, seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


def test_a_worker_killed_mid_import_leaves_no_partial_rows_and_the_task_ends_failed(
    scratch: str, tmp_path: Path
) -> None:
    environment = _environment(scratch, tmp_path)
    made = subprocess.run(
        [sys.executable, "-m", "tests.operations.proof_roster", str(USERS), str(tmp_path)],
        env=environment,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    ids = json.loads(made.stdout.decode().strip().splitlines()[-1])
    workers: list[subprocess.Popen[bytes]] = []
    with psycopg.connect(_dsn(scratch), autocommit=True) as db:
        before = _district_rows(db, ids["district"])
        assert before["core_student"] == 0
        try:
            doomed = _worker("doomed", environment, tmp_path / "doomed.log", "--beat", "1")
            workers.append(doomed)

            def import_writing() -> Any:
                # The worker's transaction has written rows (it holds an xid) for over a second.
                return db.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
                    "AND now() - xact_start > interval '1 second'",
                    [scratch],
                ).fetchone()

            _until("the import's transaction to be writing", import_writing)
            progress = db.execute(
                "SELECT status, progress_done, progress_total, message FROM operations_taskrun WHERE id = %s",
                [ids["task_run"]],
            ).fetchone()
            assert progress is not None
            status, done, total, message = progress
            # Seen from outside while the import's transaction is open: the status page's view.
            assert status == "running"
            assert 0 < done <= total
            assert message.endswith(".csv")

            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)

            assert _district_rows(db, ids["district"]) == before  # no partial rows
            assert db.execute(
                "SELECT status FROM operations_taskrun WHERE id = %s", [ids["task_run"]]
            ).fetchone() == ("running",)  # nobody has reaped it yet

            rescuer = _worker(
                "rescuer", environment, tmp_path / "rescuer.log", "--beat", "0.5", "--stale-after", "3"
            )
            workers.append(rescuer)

            def reaped() -> Any:
                return db.execute(
                    "SELECT status, message FROM operations_taskrun WHERE id = %s AND status = 'failed'",
                    [ids["task_run"]],
                ).fetchone()

            assert _until("the reaper to end the task", reaped, seconds=60) == ("failed", WORKER_STOPPED)
            assert db.execute(
                "SELECT status FROM interop_rosterimport WHERE id = %s", [ids["roster_import"]]
            ).fetchone() == ("failed",)
            assert db.execute(
                "SELECT q.status FROM django_tasks_database_dbtaskresult q JOIN operations_taskrun r "
                "ON r.result_id = q.id WHERE r.id = %s",
                [ids["task_run"]],
            ).fetchone() == ("FAILED",)
            assert _district_rows(db, ids["district"]) == before
            assert list((tmp_path / "media" / "roster-uploads").glob("*")) == []
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait(10)
