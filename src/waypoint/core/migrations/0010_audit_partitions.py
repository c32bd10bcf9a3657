"""On PostgreSQL, the audit log becomes a table partitioned by month of `occurred_at`, so that a log of a
hundred million events is many small tables and old months can be disposed of whole
(`waypoint.core.audit_partitions`, `waypoint audit-partitions`).

- One partition per calendar month in UTC, named `core_auditevent_yYYYYmMM`, from the month of the oldest
  event to three months ahead, and `core_auditevent_default` for any event outside them (the daily job moves
  such events into a partition of their own month).
- (id, occurred_at) is the key: a partitioned table's unique indexes must include the partition key. It is a
  unique index (`core_auditevent_key`) over two NOT NULL columns, which is what a primary key enforces, and
  not a PRIMARY KEY constraint, because `pg_restore --clean` (`waypoint restore --replace`) cannot drop a
  partition's inherited primary key constraint (PostgreSQL 15's pg_dump writes a DROP CONSTRAINT for each
  partition, which PostgreSQL refuses) while a partition's index goes with its parent's. Django still treats
  `id` as the primary key; ids keep coming from one identity sequence, which continues from the old table's,
  so no id is reused.
- The rows are copied, then the indexes (the ones the table had, by the same names) are built, then the
  append-only trigger (0002) is created on the new table: a row trigger on a partitioned table applies to
  every partition (PostgreSQL 13 and later).

The copy holds the table locked while it runs: on a large log, run this migration in a maintenance window.
SQLite keeps one table: the migration does nothing there. Reversible: the way back copies the rows into one
plain table again, with the primary key (id).
"""

import datetime

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.utils import CursorWrapper
from django.db.migrations.state import StateApps

TABLE = "core_auditevent"
KEY = f"{TABLE}_key"  # the partitioned table's unique (id, occurred_at)
MONTHS_AHEAD = 3


def _first_of_month(day: datetime.date, months_later: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months_later
    return datetime.date(index // 12, index % 12 + 1, 1)


def _index_definitions(cursor: CursorWrapper) -> list[tuple[str, str]]:
    """The table's indexes other than its key, each with the statement that builds it on a plain table (a
    partitioned table's definitions say `ON ONLY`, which a plain table refuses)."""
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = %s AND indexname NOT IN (%s, %s)""",
        [TABLE, f"{TABLE}_pkey", KEY],
    )
    return [(name, definition.replace(" ON ONLY ", " ON ")) for name, definition in cursor.fetchall()]


def _months(cursor: CursorWrapper, table: str) -> list[datetime.date]:
    """Every month from the oldest event's (or this month, for an empty log) to three months ahead."""
    cursor.execute(f"SELECT min(occurred_at) FROM {table}")  # noqa: S608 (a name of this migration's)
    oldest = cursor.fetchone()[0]
    today = datetime.datetime.now(datetime.UTC).date()
    month = _first_of_month(oldest.astimezone(datetime.UTC).date() if oldest else today)
    last = _first_of_month(today, MONTHS_AHEAD)
    months = []
    while month <= last:
        months.append(month)
        month = _first_of_month(month, 1)
    return months


def _rebuild(cursor: CursorWrapper, *, partitioned: bool) -> None:
    """Copy the audit table into a new one, partitioned by month or plain, with the same columns, ids,
    indexes and trigger, and drop the old one."""
    old = f"{TABLE}_old"
    indexes = _index_definitions(cursor)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    old_sequence = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
    if partitioned:
        cursor.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {TABLE}_pkey TO {old}_pkey")
    else:
        cursor.execute(f"ALTER INDEX {KEY} RENAME TO {old}_key")
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    partition_by = " PARTITION BY RANGE (occurred_at)" if partitioned else ""
    cursor.execute(f"CREATE TABLE {TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY){partition_by}")
    if partitioned:
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        for month in _months(cursor, old):
            following = _first_of_month(month, 1)
            cursor.execute(
                f"CREATE TABLE {TABLE}_y{month.year}m{month.month:02d} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{month.isoformat()} 00:00+00') TO ('{following.isoformat()} 00:00+00')"
            )
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {old}")  # noqa: S608 (names of this migration's)
    # The key and the indexes are built after the copy: faster than keeping them up to date row by row.
    if partitioned:
        cursor.execute(f"CREATE UNIQUE INDEX {KEY} ON {TABLE} (id, occurred_at)")
    else:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
    for _, definition in indexes:
        cursor.execute(definition)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    new_sequence = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT setval(%s, last_value, is_called) FROM {old_sequence}",  # noqa: S608 (a catalog name)
        [new_sequence],
    )
    cursor.execute(f"DROP TABLE {old}")  # its trigger and its sequence go with it
    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {TABLE}_id_seq")
    cursor.execute(
        f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION waypoint_audit_append_only()"""
    )


def partition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, partitioned=True)


def unpartition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_indexes")]
    operations = [migrations.RunPython(partition, unpartition)]
