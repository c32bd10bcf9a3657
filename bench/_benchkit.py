"""What every benchmark shares: one JSON object per figure (with the machine's load average beside it),
timings as p50/p95/p99 over stated runs, a scratch database, and whole-process timings of `waypoint`
commands.

Percentiles are linear interpolation between closest ranks, NumPy's default (`numpy.percentile(...,
method="linear")`, Hyndman and Fan's type 7): the p95 of 3 runs lies between the middle and the slowest run,
90 % of the way to the slowest, never at the median."""

from __future__ import annotations

import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAYPOINT = Path(sys.executable).with_name("waypoint")


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: the machine is shared, so every figure carries them."""
    return [round(value, 2) for value in os.getloadavg()]


def emit(figure: str, **values: object) -> None:
    print(json.dumps({"figure": figure, **values, "load_average": load_average()}), flush=True)


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0 ≤ q ≤ 100) of the samples, by linear interpolation between closest ranks
    (NumPy's default method)."""
    if not samples:
        raise ValueError("the percentile of no samples is undefined")
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {q}")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    below = math.floor(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def summary_ms(samples_ms: Sequence[float]) -> dict[str, float | int]:
    """p50, p95 and p99 of timings in milliseconds, with how many runs they summarise."""
    return {
        "p50_ms": round(percentile(samples_ms, 50), 2),
        "p95_ms": round(percentile(samples_ms, 95), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "runs": len(samples_ms),
    }


def timed(run: Callable[[], object], repeat: int, warmup: int = 1) -> dict[str, float | int]:
    """Call `run` `warmup` times untimed (first-call caches, connections), then `repeat` times timed: wall
    time percentiles, and the median CPU time this process spent per call (`cpu_p50_ms`), which other
    processes competing for the cores inflate far less than the wall time (the database server's own CPU
    is not in it)."""
    for _ in range(warmup):
        run()
    samples = []
    cpu = []
    for _ in range(repeat):
        started = time.perf_counter()
        cpu_started = time.process_time()
        run()
        cpu.append((time.process_time() - cpu_started) * 1000)
        samples.append((time.perf_counter() - started) * 1000)
    return {**summary_ms(samples), "cpu_p50_ms": round(percentile(cpu, 50), 2)}


def timed_process(
    arguments: Sequence[str], repeat: int, environment: Mapping[str, str] | None = None
) -> dict[str, object]:
    """A `waypoint` command timed as a whole process (interpreter and Django start-up included), `repeat`
    times in a row, as a person at the shell waits for it. Raises if the command fails."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 (the checkout's own command, arguments from this script)
            [str(WAYPOINT), *arguments],
            check=True,
            env={**os.environ, **(environment or {})},
            stdout=subprocess.DEVNULL,
        )
        samples.append((time.perf_counter() - started) * 1000)
    return {"command": "waypoint " + " ".join(arguments), **summary_ms(samples)}


def prepare_database(database_url: str | None, scratch: Path) -> str:
    if not database_url:
        return f"sqlite:///{scratch / 'bench.sqlite3'}"
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url


def scratch_environment(database_url: str | None) -> dict[str, str]:
    """The environment of a scratch Waypoint: a new SQLite file, or the PostgreSQL database named (dropped
    and recreated), with its own var/ folder and DEBUG off."""
    scratch = Path(tempfile.mkdtemp(prefix="waypoint-bench-"))
    return {
        "DJANGO_SETTINGS_MODULE": "waypoint.settings",
        "WAYPOINT_VAR_DIR": str(scratch),
        "WAYPOINT_DEBUG": "0",
        "DATABASE_URL": prepare_database(database_url, scratch),
    }


def start_django(database_url: str | None) -> None:
    """Point Waypoint at a scratch database (see scratch_environment) and set Django up in this process;
    `waypoint` commands started afterwards inherit the same environment."""
    os.environ.update(scratch_environment(database_url))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def production_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """`environment` in the production profile, as gunicorn runs it under a bench on 127.0.0.1: a fresh secret
    key, no HTTPS redirect (there is no TLS here), warnings only in the log; the static files WhiteNoise
    serves are collected for it."""
    production = {
        **environment,
        "WAYPOINT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WAYPOINT_ALLOWED_HOSTS": "127.0.0.1",
        "WAYPOINT_SSL_REDIRECT": "0",
        "WAYPOINT_LOG_LEVEL": "WARNING",
    }
    subprocess.run(  # noqa: S603
        [str(WAYPOINT), "collectstatic", "--noinput", "-v", "0"], check=True, env=production
    )
    return production
