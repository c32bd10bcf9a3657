"""What every benchmark shares: one JSON object per figure, timings as p50/p95, a scratch database."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def emit(figure: str, **values: object) -> None:
    print(json.dumps({"figure": figure, **values}), flush=True)


def timed(run: Callable[[], object], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "runs": repeat,
    }


def prepare_database(database_url: str | None, scratch: Path) -> str:
    if database_url is None:
        return f"sqlite:///{scratch / 'bench.sqlite3'}"
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url


def start_django(database_url: str | None) -> None:
    """Point Waypoint at a scratch database (a new SQLite file, or the PostgreSQL database named, dropped and
    recreated) with its own var/ folder, and set Django up."""
    scratch = Path(tempfile.mkdtemp(prefix="waypoint-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "waypoint.settings",
            "WAYPOINT_VAR_DIR": str(scratch),
            "WAYPOINT_DEBUG": "0",
            "DATABASE_URL": prepare_database(database_url, scratch),
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
