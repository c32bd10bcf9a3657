"""SQLite, the demo's database, under concurrent writers: every writing transaction takes the write lock when
it begins (BEGIN IMMEDIATE), waits its turn for up to 20 s, and readers go on in WAL mode, so concurrent
requests wait instead of answering "database is locked". Run in a subprocess on a file database of its own,
with the settings a developer gets from `DATABASE_URL=sqlite:///…`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WRITERS = """
import json, threading
import django
django.setup()
from django.conf import settings
from django.db import connection, connections, transaction

connection.cursor().execute("CREATE TABLE tally (n integer)")
errors = []

def writer():
    try:
        for _ in range(25):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Read, then write what was read: the shape that deadlocks two deferred transactions.
                    cursor.execute("SELECT count(*) FROM tally")
                    (count,) = cursor.fetchone()
                    cursor.execute("INSERT INTO tally (n) VALUES (%s)", [count + 1])
    except Exception as error:
        errors.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=writer) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*), count(DISTINCT n) FROM tally")
    rows, distinct = cursor.fetchone()
    cursor.execute("PRAGMA journal_mode")
    (journal,) = cursor.fetchone()
print(json.dumps({
    "errors": errors, "rows": rows, "distinct": distinct, "journal": journal,
    "options": {k: v for k, v in settings.DATABASES["default"]["OPTIONS"].items()},
}))
"""


def test_concurrent_writers_on_sqlite_wait_their_turn(tmp_path: Path) -> None:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WAYPOINT_", "DATABASE_URL", "SECRET_KEY", "DJANGO_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", WRITERS],
        env={
            **clean,
            "WAYPOINT_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "waypoint.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'writers.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    # Every transaction saw the rows of those before it: 100 rows numbered 1 to 100, none twice.
    assert (outcome["rows"], outcome["distinct"]) == (100, 100)
    assert outcome["journal"] == "wal"
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"
    assert outcome["options"]["timeout"] >= 5
