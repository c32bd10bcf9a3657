"""The audit log at scale: the record of disclosures ("who viewed my record") over a log of 100 million
events, on PostgreSQL with monthly partitions. One JSON object per figure on stdout.

    python bench/audit_scale.py [--rows 100000000] [--students 50000] [--months 36] [--repeat 200] [--keep]
                                [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench_audit]

It drops and recreates the database, migrates, loads the small demo, and creates a partition for each of
the last `--months` months (three school years by default). It then generates `--rows` events, month by
month, with `INSERT … SELECT generate_series` (deterministic arithmetic for the "random" choices): views of
students in lists and records, scores and feedback, sign-ins, failed sign-ins, refusals, spread evenly
over the months and over `--students` students of the demo's district. The demo student (Jordan, the
`student` account) is one of the most viewed: `max(2000, rows / 10000)` of the events are about Jordan, by
the demo's staff, with one in ten Jordan's own visits (which the page leaves out). As in any bulk load, the
secondary indexes are dropped before the load and built after it (both timed), then the table is vacuumed
and analyzed, as autovacuum would have done over three years.

Figures: the generation (rows, seconds, rows/s), the index build, the vacuum, the disk size of the table
and of its indexes; then the disclosures page as Jordan, a whole request through Django's test Client
(p50/p95/p99 over `--repeat` requests, at least 200; goal p95 under 100 ms) and the same list from the API;
and the SQL alone: the page's two queries (the count and the page of 50) under EXPLAIN ANALYZE, with
planning and execution times. The database is dropped at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from _benchkit import ROOT, emit, percentile, start_django, timed

if TYPE_CHECKING:
    from waypoint.core.models import Student, User

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waypoint_bench_audit"
GOAL_P95_MS = 100
FAKE_STUDENTS_FROM = 50_000_000  # ids of generated students: no row behind them (no foreign key needed)
FAKE_STAFF_FROM = 60_000_000
STAFF = 3_000
COLUMNS = (
    "id, occurred_at, actor_id, actor_username, action, object_type, object_id, student_id, district_id, "
    "client_address, path, reason, request_id"
)

# The mix of events, in parts of 100: (upper bound, action, object type, names a student).
MIX = [
    (45, "view", "student-list", True),
    (57, "view", "student", True),
    (65, "view", "evidence-list", True),
    (71, "view", "section-roster", True),
    (75, "view", "mastery", True),
    (78, "view", "caseload", True),
    (83, "create", "score", True),
    (87, "update", "evidence-feedback", True),
    (88, "denied", "student", True),
    (96, "login", "account", False),
    (97, "login-failed", "account", False),
    (100, "view", "home", False),
]


def _case(position: str, column: int) -> str:
    """An SQL CASE choosing column `column` of MIX for the event at `position` (0–99)."""
    whens = " ".join(f"WHEN {position} < {entry[0]} THEN {_sql_value(entry[column])}" for entry in MIX)
    return f"CASE {whens} END"


def _sql_value(value: object) -> str:
    return ("TRUE" if value else "FALSE") if isinstance(value, bool) else f"'{value}'"


def _jordan() -> tuple[Student, User]:
    """The demo student whose record of disclosures is measured, and their account."""
    from waypoint.core.models import Student

    jordan = Student.objects.select_related("user").get(user__username="student")
    if jordan.user is None:
        raise RuntimeError("the demo student has no account")
    return jordan, jordan.user


def _execute(cursor: Any, statement: str, params: list[object] | None = None) -> int:
    cursor.execute(statement, params or [])
    return int(cursor.rowcount)


def _months(count: int) -> list[datetime.date]:
    from waypoint.core.audit_partitions import first_of_month

    this_month = first_of_month(datetime.datetime.now(datetime.UTC).date())
    return [first_of_month(this_month, later) for later in range(-count, 1)]


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        """SELECT indexname, replace(indexdef, ' ON ONLY ', ' ON ') FROM pg_indexes
        WHERE tablename = 'core_auditevent' AND indexname <> 'core_auditevent_pkey'"""
    )
    return list(cursor.fetchall())


def generate(rows: int, students: int, months: int) -> dict[str, object]:
    """The events, month by month, by the database itself; returns what was generated and how long."""
    from django.db import connection

    from waypoint.core.audit_partitions import audit_partitions_create, month_bounds
    from waypoint.core.models import User

    jordan, account = _jordan()
    staff = list(
        User.objects.filter(district_id=jordan.district_id, is_staff=False)
        .exclude(pk=account.pk)
        .order_by("pk")
        .values_list("pk", "username")[:20]
    )
    spread = _months(months)
    audit_partitions_create(since=spread[0])
    per_month = rows // len(spread)
    jordan_rows = max(2000, rows // 10_000) // len(spread)
    position = "((g * 37) %% 100)"
    staff_case = " ".join(f"WHEN {index} THEN {pk}" for index, (pk, _) in enumerate(staff))
    name_case = " ".join(f"WHEN {index} THEN '{name}'" for index, (_, name) in enumerate(staff))
    generated: dict[str, float] = {"rows": 0, "jordan_rows": 0}
    with connection.cursor() as cursor:
        _execute(cursor, "SET synchronous_commit = off")
        indexes = _secondary_indexes(cursor)
        for name, _ in indexes:
            _execute(cursor, f'DROP INDEX "{name}"')
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_auditevent")
        next_id = int(cursor.fetchone()[0]) + 1
        started = time.perf_counter()
        for month in spread:
            start, end = month_bounds(month)
            end = min(end, datetime.datetime.now(datetime.UTC))
            seconds = (end - start).total_seconds()
            generated["rows"] += _execute(
                cursor,
                f"""INSERT INTO core_auditevent ({COLUMNS})
                SELECT %s + g, %s + (g * %s / %s) * interval '1 second',
                       {FAKE_STAFF_FROM} + (g * 7) %% {STAFF}, 'bench-staff-' || ((g * 7) %% {STAFF}),
                       {_case(position, 1)}, {_case(position, 2)},
                       CASE WHEN {_case(position, 3)} THEN ({FAKE_STUDENTS_FROM} + (g * 7919) %% %s)::text
                            ELSE '' END,
                       CASE WHEN {_case(position, 3)} THEN {FAKE_STUDENTS_FROM} + (g * 7919) %% %s END,
                       %s, ('10.' || (g %% 200) || '.' || ((g / 200) %% 250) || '.' || (g %% 7 + 1))::inet,
                       '/students/' || ({FAKE_STUDENTS_FROM} + (g * 7919) %% %s) || '/',
                       CASE WHEN g %% 3 = 0 THEN 'Teacher of Algebra 1 (A)' WHEN g %% 3 = 1 THEN 'Teacher'
                            ELSE 'Advisor (caseload)' END,
                       lpad(to_hex(g), 32, '0')
                FROM generate_series(1, %s::bigint) g""",  # noqa: S608 (this script's own SQL)
                [
                    next_id,
                    start,
                    seconds,
                    per_month,
                    students,
                    students,
                    jordan.district_id,
                    students,
                    per_month,
                ],
            )
            next_id += per_month
            generated["jordan_rows"] += _execute(
                cursor,
                f"""INSERT INTO core_auditevent ({COLUMNS})
                SELECT %s + g, %s + (g * %s / %s + 0.5) * interval '1 second',
                       CASE WHEN g %% 10 = 0 THEN %s ELSE CASE g %% {len(staff)} {staff_case} END END,
                       CASE WHEN g %% 10 = 0 THEN 'student' ELSE CASE g %% {len(staff)} {name_case} END END,
                       CASE WHEN g %% 5 = 0 THEN 'create' ELSE 'view' END,
                       CASE g %% 5 WHEN 0 THEN 'score' WHEN 1 THEN 'student-list' WHEN 2 THEN 'student'
                            WHEN 3 THEN 'evidence-list' ELSE 'mastery' END,
                       %s::text, %s, %s, '10.0.0.1'::inet, '/students/' || %s || '/', 'Teacher', ''
                FROM generate_series(1, %s::bigint) g""",  # noqa: S608 (this script's own SQL)
                [
                    next_id,
                    start,
                    seconds,
                    jordan_rows,
                    jordan.user_id,
                    jordan.pk,
                    jordan.pk,
                    jordan.district_id,
                    jordan.pk,
                    jordan_rows,
                ],
            )
            next_id += jordan_rows
        generated["seconds"] = round(time.perf_counter() - started, 1)
        generated["rows_per_second"] = round(generated["rows"] / max(generated["seconds"], 0.1))
        _execute(cursor, "SELECT setval(pg_get_serial_sequence('core_auditevent', 'id'), %s)", [next_id])
        _execute(cursor, "SET maintenance_work_mem = '512MB'")
        started = time.perf_counter()
        for _, definition in indexes:
            _execute(cursor, definition)
        generated["index_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        _execute(cursor, "VACUUM (ANALYZE) core_auditevent")
        generated["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    return {**generated, "months": len(spread), "students": students}


def disk_size() -> dict[str, object]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*), sum(pg_table_size(relid)), sum(pg_indexes_size(relid))
            FROM pg_partition_tree('core_auditevent') WHERE isleaf"""
        )
        partitions, table, indexes = cursor.fetchone()
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
    gib = 1024**3
    return {
        "partitions": partitions,
        "table_gib": round(int(table) / gib, 2),
        "indexes_gib": round(int(indexes) / gib, 2),
        "database_gib": round(database / gib, 2),
    }


def _audit_scans(plan: dict[str, Any], found: dict[str, int] | None = None) -> dict[str, int]:
    """How the plan reads the audit partitions: the number of partitions per kind of scan and index
    ("Index Only Scan on audit_disclosures_idx": 37), the partitions' own index names folded into their
    parent's by their columns."""
    found = {} if found is None else found
    if plan.get("Relation Name", "").startswith("core_auditevent"):
        index = plan.get("Index Name", "")
        index = "audit_disclosures_idx" if "student_id_occurred_at_id_actor_id" in index else index
        key = f"{plan['Node Type']} on {index}" if index else plan["Node Type"]
        found[key] = found.get(key, 0) + 1
    for child in plan.get("Plans", []):
        _audit_scans(child, found)
    return found


def count_events() -> int:
    from waypoint.core.models import AuditEvent

    return AuditEvent.objects.count()


def explain(repeat: int) -> dict[str, object]:
    """The page's own count and page queries (as the selector runs them), under EXPLAIN ANALYZE."""
    from django.contrib.auth.models import AnonymousUser  # noqa: F401 (Django set up)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from waypoint.core.audit import RequestContext
    from waypoint.people.selectors import student_disclosures

    jordan, account = _jordan()
    with CaptureQueriesContext(connection) as queries:
        _, page = student_disclosures(context=RequestContext(user=account), student_id=jordan.pk)
    statements = {
        "count": next(q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "core_auditevent" in q["sql"]),
        "page": next(q["sql"] for q in queries if "LIMIT 50" in q["sql"] and "core_auditevent" in q["sql"]),
    }
    figures: dict[str, object] = {"events_listed": page.count}
    with connection.cursor() as cursor:
        for name, sql in statements.items():
            planning, execution = [], []
            for _ in range(repeat):
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0][0]
                planning.append(plan["Planning Time"])
                execution.append(plan["Execution Time"])
            figures[name] = {
                "planning_p50_ms": round(percentile(planning, 50), 2),
                "execution_p50_ms": round(percentile(execution, 50), 2),
                "execution_p95_ms": round(percentile(execution, 95), 2),
                "audit_scans": _audit_scans(plan["Plan"]),
            }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure again a database an earlier run kept (--keep): no drop, no generation",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    options = parser.parse_args()
    if not options.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the audit log is partitioned on PostgreSQL only: give a PostgreSQL --database-url")
    repeat = max(200, options.repeat)

    if options.measure_only:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "waypoint.settings",
                "WAYPOINT_DEBUG": "0",
                "DATABASE_URL": options.database_url,
            }
        )
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
    else:
        start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from waypoint.site.demo import load_demo

    if not options.measure_only:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        load_demo(scale=0.1)
        emit("audit_demo_load", scale=0.1, seconds=round(time.perf_counter() - started, 1))
        emit("audit_generate", **generate(options.rows, options.students, options.months))
    events = count_events()
    emit("audit_disk", events=events, **disk_size())

    jordan, account = _jordan()
    client = Client()
    client.force_login(account)
    for name, url in (
        ("audit_disclosures_page", reverse("student-disclosures", args=[jordan.pk])),
        ("audit_disclosures_api", f"/api/v1/students/{jordan.pk}/disclosures"),
    ):

        def get(url: str = url) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        emit(name, url=url, events=events, **timed(get, repeat=repeat, warmup=5), goal_p95_ms=GOAL_P95_MS)
    emit("audit_disclosures_sql", events=events, repeat=20, **explain(20))

    if not options.keep:
        import psycopg

        connection.close()
        name = options.database_url.rsplit("/", 1)[1]
        with psycopg.connect(options.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
