"""The audit log partitioned by month on PostgreSQL: events land in their month, the log stays append-only,
partitions are created ahead once, old months are disposed of whole (never the current school year, always
with an audit event), and the record of disclosures reads through its index."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core import audit_partitions
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.audit_partitions import (
    DEFAULT_PARTITION,
    Disposal,
    RetentionRefused,
    audit_month_dispose,
    audit_months_dispose,
    audit_partitions_create,
    first_of_month,
    partition_months,
    partition_name,
)
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.people.selectors import student_disclosures

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps the audit log in one table, without partitions"
)
SYSTEM = RequestContext(user=AnonymousUser())
# A month long before any school year the tests run in.
OLD_MONTH = datetime.date(2023, 1, 1)


def this_month() -> datetime.date:
    return first_of_month(timezone.now().astimezone(datetime.UTC).date())


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_auditevent WHERE id = %s", [event.pk])
        return str(cursor.fetchone()[0])


def old_event(day: int = 15) -> AuditEvent:
    """An event of OLD_MONTH, as a log kept for years holds: written straight, as an import would."""
    event = AuditEvent(
        occurred_at=datetime.datetime(OLD_MONTH.year, OLD_MONTH.month, day, 12, tzinfo=datetime.UTC),
        action=AuditAction.VIEW,
        object_type="student",
    )
    event.save()
    return event


def sql_fails(statement: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError:
        return True
    return False


@postgresql_only
def test_the_audit_table_is_partitioned_by_month_with_a_default() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_partkeydef('core_auditevent'::regclass)")
        assert cursor.fetchone()[0] == "RANGE (occurred_at)"
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'core_auditevent_key'")
        key = cursor.fetchone()[0]
        assert key.startswith("CREATE UNIQUE INDEX")
        assert key.endswith("USING btree (id, occurred_at)")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DEFAULT_PARTITION])
        assert cursor.fetchone()[0]
    assert {first_of_month(this_month(), ahead) for ahead in range(4)} <= set(partition_months())


@postgresql_only
def test_an_event_lands_in_its_months_partition_and_is_read_by_its_id() -> None:
    event = audit_record(context=SYSTEM, action=AuditAction.VIEW, object_type="student")
    assert partition_of(event) == partition_name(this_month())
    assert AuditEvent.objects.get(pk=event.pk).occurred_at == event.occurred_at
    second = AuditEvent.objects.bulk_create(
        [AuditEvent(action=AuditAction.VIEW, object_type="student") for _ in range(2)]
    )
    assert [row.pk for row in second] == [event.pk + 1, event.pk + 2]


@postgresql_only
def test_sql_cannot_update_or_delete_an_event_in_any_partition() -> None:
    event = audit_record(context=SYSTEM, action=AuditAction.VIEW, object_type="x")
    partition = partition_of(event)
    for table in ("core_auditevent", partition):
        assert sql_fails(f"UPDATE {table} SET reason = 'changed' WHERE id = {event.pk}")  # noqa: S608
        assert sql_fails(f"DELETE FROM {table} WHERE id = {event.pk}")  # noqa: S608
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@postgresql_only
def test_partitions_ahead_are_created_once_and_a_dry_run_creates_none() -> None:
    before = partition_months()
    wanted = first_of_month(this_month(), 6)
    assert audit_partitions_create(months_ahead=6, dry_run=True) == [
        month for month in (first_of_month(this_month(), ahead) for ahead in range(7)) if month not in before
    ]
    assert partition_months() == before
    created = audit_partitions_create(months_ahead=6)
    assert wanted in created
    assert audit_partitions_create(months_ahead=6) == []
    assert set(partition_months()) == set(before) | set(created)


@postgresql_only
def test_events_in_the_default_partition_move_into_their_months_new_partition() -> None:
    event = old_event()
    assert partition_of(event) == DEFAULT_PARTITION
    assert OLD_MONTH in audit_partitions_create()
    assert partition_of(event) == partition_name(OLD_MONTH)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [DEFAULT_PARTITION, "core_auditevent_append_only"],
        )
        assert cursor.fetchone()[0] == "O", "the trigger held off for the move is on again"


@postgresql_only
def test_retention_disposes_of_an_old_month_whole_and_records_it(demo: Demo) -> None:
    old_event(10)
    old_event(20)
    audit_partitions_create()
    dry = audit_months_dispose(retention_months=24, dry_run=True)
    assert Disposal(month=OLD_MONTH, events=2) in dry
    assert OLD_MONTH in partition_months()
    newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert not AuditEvent.objects.filter(pk__gt=newest).exists()

    disposed = audit_months_dispose(retention_months=24)
    assert Disposal(month=OLD_MONTH, events=2) in disposed
    assert OLD_MONTH not in partition_months()
    assert not AuditEvent.objects.filter(occurred_at__year=2023).exists()
    record = AuditEvent.objects.get(pk__gt=newest, object_type="audit-month", object_id="2023-01")
    assert (record.action, record.actor_id, record.student_id) == (AuditAction.DELETE, None, None)
    assert record.reason == "Retention of 24 months: 2 events disposed of"


@postgresql_only
def test_the_current_school_year_is_never_disposed_of() -> None:
    now = datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.UTC)
    september = datetime.date(2026, 9, 1)
    june = datetime.date(2026, 6, 1)
    assert audit_partitions.expired_months(retention_months=1, now=now) == [
        month for month in partition_months() if month <= june
    ]
    audit_partitions_create(now=datetime.datetime(2026, 9, 15, tzinfo=datetime.UTC), months_ahead=0)
    with pytest.raises(RetentionRefused, match="2026-09 overlaps the current school year"):
        audit_month_dispose(month=september, reason="test", now=now)
    assert september in partition_months()


@postgresql_only
@override_settings(WAYPOINT_AUDIT_RETENTION_MONTHS=24)
def test_the_command_dry_run_says_what_it_would_do_and_changes_nothing() -> None:
    old_event()
    before = partition_months()
    out = StringIO()
    call_command("audit-partitions", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing changed. Partitions to create: ")
    assert "2023-01" in out.getvalue()
    assert partition_months() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the one-table case is SQLite's")
def test_on_sqlite_the_command_says_the_log_is_one_table() -> None:
    out = StringIO()
    call_command("audit-partitions", stdout=out)
    assert "one table" in out.getvalue()
    assert audit_partitions_create() == []


def _scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of an EXPLAIN (FORMAT JSON) plan that reads an audit partition or sorts events by time."""
    reads_audit = plan.get("Relation Name", "").startswith("core_auditevent")
    sorts_events = "Sort" in plan["Node Type"] and "occurred_at" in str(plan.get("Sort Key"))
    found = [plan] if reads_audit or sorts_events else []
    for child in plan.get("Plans", []):
        found.extend(_scans(child))
    return found


@postgresql_only
def test_the_disclosures_page_reads_the_student_through_its_index(demo: Demo) -> None:
    """The page's own two queries (the page of events and their count), explained. With the demo's few
    events the planner would rather read whole partitions; with sequential scans priced out, what it picks
    shows what the index does at scale (bench/audit_scale.py measures it): every partition read through
    `audit_disclosures_idx` in the page's order, so no sort, and the count from the index alone."""
    context = RequestContext(user=demo.users["student"])
    with CaptureQueriesContext(connection) as queries:
        student_disclosures(context=context, student_id=demo.student.pk)
    [count] = [
        query["sql"] for query in queries if "COUNT(*)" in query["sql"] and "core_auditevent" in query["sql"]
    ]
    [page] = [
        query["sql"] for query in queries if "LIMIT 50" in query["sql"] and "core_auditevent" in query["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits"
            " WHERE inhparent = 'audit_disclosures_idx'::regclass"
        )
        partition_indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plans = {}
        for name, sql in (("count", count), ("page", page)):
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plans[name] = _scans(cursor.fetchone()[0][0]["Plan"])
    assert len(partition_indexes) == len(partition_months()) + 1  # and the default partition's
    for name, nodes in plans.items():
        assert nodes, name
        assert all(node.get("Index Name") in partition_indexes for node in nodes), (name, nodes)
    assert {node["Node Type"] for node in plans["count"]} == {"Index Only Scan"}
    assert {node["Node Type"] for node in plans["page"]} == {"Index Scan"}


@postgresql_only
def test_a_query_over_a_month_reads_that_months_partition_alone() -> None:
    start, end = audit_partitions.month_bounds(this_month())
    events = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    plan = events.explain()
    assert partition_name(this_month()) in plan
    assert partition_name(first_of_month(this_month(), 1)) not in plan
    assert DEFAULT_PARTITION not in plan
