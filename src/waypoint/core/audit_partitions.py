"""The audit log's monthly partitions on PostgreSQL: created ahead of time, and disposed of whole once they
are older than the retention the district chose.

Migration 0010 made `core_auditevent` a table partitioned by month of `occurred_at` (calendar months in
UTC), with a default partition for any event outside the months that exist. Each day,
`audit_partitions_daily` (the scheduled job; `waypoint audit-partitions` by hand):

1. creates the partitions of this month and the next `MONTHS_AHEAD`, and of any month whose events fell
   into the default partition (they are moved into their month's partition, so the default stays empty);
2. with `WAYPOINT_AUDIT_RETENTION_MONTHS` set, disposes of every month that ended more than that many
   months before this one: the partition is detached and dropped, and an audit event says which month and
   how many events went. A month that overlaps the current school year (from July 1) is never disposed of,
   whatever the retention. Unset, the log is kept forever: FERPA's record of disclosures must be kept as
   long as the student's record is, which only the district can decide to shorten.

Dropping a partition is the one way events leave the log: the append-only trigger refuses DELETE, and a
DROP of a whole month is a deliberate, audited act, not a change to a row. SQLite keeps one table, without
partitions or disposal: the functions here report that and change nothing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.models import AuditAction

TABLE = "core_auditevent"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3
# A disposal waits this long for the table's lock (readers and writers hold it only for a statement), then
# gives up until the next day rather than queue every request behind it.
LOCK_TIMEOUT = "5s"
_PARTITION_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
SCHOOL_YEAR_FIRST_MONTH = 7


class RetentionRefused(Exception):
    """A month that must be kept: it overlaps the current school year."""


@dataclass(frozen=True)
class Disposal:
    """A month of the audit log disposed of (or, in a dry run, that would be) and how many events it held."""

    month: datetime.date
    events: int


@dataclass(frozen=True)
class PartitionsReport:
    """What a run of the daily job did, or would do in a dry run."""

    created: list[datetime.date]
    disposed: list[Disposal]
    dry_run: bool

    def summary(self) -> str:
        created = ", ".join(f"{month:%Y-%m}" for month in self.created) or "none"
        disposed = ", ".join(f"{item.month:%Y-%m} ({item.events} events)" for item in self.disposed) or "none"
        if self.dry_run:
            return (
                "Dry run, nothing changed. "
                f"Partitions to create: {created}. Months to dispose of: {disposed}."
            )
        return f"Audit log partitions created: {created}. Months disposed of: {disposed}."


def is_partitioned() -> bool:
    """Whether the audit table is partitioned here: PostgreSQL after migration 0010."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def first_of_month(day: datetime.date, months_later: int = 0) -> datetime.date:
    """The first day of the month `months_later` months after the month of `day` (negative: before)."""
    index = day.year * 12 + day.month - 1 + months_later
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months_between(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year}m{month.month:02d}"


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants a month's partition holds: from its first midnight (UTC) up to the next month's."""
    following = first_of_month(month, 1)
    return (
        datetime.datetime(month.year, month.month, 1, tzinfo=datetime.UTC),
        datetime.datetime(following.year, following.month, 1, tzinfo=datetime.UTC),
    )


def school_year_start(now: datetime.datetime) -> datetime.datetime:
    """The first instant of the school year (July 1 to June 30, local time) that contains `now`."""
    today = timezone.localtime(now).date()
    year = today.year if today.month >= SCHOOL_YEAR_FIRST_MONTH else today.year - 1
    return datetime.datetime(year, SCHOOL_YEAR_FIRST_MONTH, 1, tzinfo=timezone.get_current_timezone())


def partition_months() -> list[datetime.date]:
    """The months that have a partition, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT child.relname FROM pg_inherits
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE pg_inherits.inhparent = to_regclass(%s)""",
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall()]
    found = (_PARTITION_NAME.match(name) for name in names)
    return sorted(datetime.date(int(match[1]), int(match[2]), 1) for match in found if match)


def _months_in_default(cursor: CursorWrapper) -> set[datetime.date]:
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') FROM {DEFAULT_PARTITION}"  # noqa: S608 (a name of this module's)
    )
    return {moment.date() for (moment,) in cursor.fetchall()}


def _literal(moment: datetime.datetime) -> str:
    """A partition bound as SQL: DDL takes no parameters, and these come from dates, never from input."""
    return f"'{moment.isoformat()}'"


def _create_partition(cursor: CursorWrapper, month: datetime.date) -> None:
    """Create the month's partition. Events of that month already in the default partition are moved into
    it first (PostgreSQL refuses a partition whose rows the default partition holds): the append-only
    trigger is held off on the default partition for that move alone, inside this transaction."""
    name = partition_name(month)
    start, end = (_literal(bound) for bound in month_bounds(month))
    in_range = f"occurred_at >= {start} AND occurred_at < {end}"
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE {in_range})")  # noqa: S608 (names and bounds of this module's)
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ({start}) TO ({end})")
        return
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE})")
    cursor.execute(f"ALTER TABLE {DEFAULT_PARTITION} DISABLE TRIGGER {TABLE}_append_only")
    cursor.execute(
        f"""WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE {in_range} RETURNING *)
        INSERT INTO {name} SELECT * FROM moved"""  # noqa: S608 (names and bounds of this module's)
    )
    cursor.execute(f"ALTER TABLE {DEFAULT_PARTITION} ENABLE TRIGGER {TABLE}_append_only")
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({start}) TO ({end})")


def audit_partitions_create(
    *,
    months_ahead: int = MONTHS_AHEAD,
    since: datetime.date | None = None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
) -> list[datetime.date]:
    """Create the partitions missing for this month (or every month from `since`, for events of the past
    about to be loaded), the next `months_ahead`, and every month that has events in the default partition;
    returns those months (in a dry run, creates nothing). Running it again creates nothing more."""
    if not is_partitioned():
        return []
    month = first_of_month((now or timezone.now()).astimezone(datetime.UTC).date())
    first = first_of_month(min(since, month)) if since else month
    with transaction.atomic(), connection.cursor() as cursor:
        wanted = {
            first_of_month(first, later) for later in range(_months_between(first, month) + months_ahead + 1)
        }
        wanted |= _months_in_default(cursor)
        missing = sorted(wanted - set(partition_months()))
        if not dry_run:
            for each in missing:
                _create_partition(cursor, each)
    return missing


def expired_months(*, retention_months: int, now: datetime.datetime | None = None) -> list[datetime.date]:
    """The months past the retention: every month that ended at least `retention_months` months before this
    one began, and before the current school year."""
    if retention_months < 1:
        raise ValueError("The audit log's retention is at least one month.")
    now = now or timezone.now()
    kept_from = min(
        month_bounds(first_of_month(now.astimezone(datetime.UTC).date(), -retention_months))[0],
        school_year_start(now),
    )
    return [month for month in partition_months() if month_bounds(month)[1] <= kept_from]


def audit_month_dispose(
    *,
    month: datetime.date,
    reason: str,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
) -> Disposal:
    """Detach and drop one month's partition, and record it in the audit log, in one transaction; refused
    for a month that overlaps the current school year. A dry run only counts the month's events."""
    if month_bounds(month)[1] > school_year_start(now or timezone.now()):
        raise RetentionRefused(f"{month:%Y-%m} overlaps the current school year, which is always kept.")
    name = partition_name(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (a partition name of this module's)
        events = int(cursor.fetchone()[0])
        if not dry_run:
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
            audit_record(
                context=RequestContext(user=AnonymousUser()),
                action=AuditAction.DELETE,
                object_type="audit-month",
                object_id=f"{month:%Y-%m}",
                reason=f"{reason}: {events} events disposed of",
            )
    return Disposal(month=month, events=events)


def audit_months_dispose(
    *, retention_months: int, now: datetime.datetime | None = None, dry_run: bool = False
) -> list[Disposal]:
    """Dispose of every month past the retention (`expired_months`), oldest first, each in its own
    transaction."""
    if not is_partitioned():
        return []
    reason = f"Retention of {retention_months} months"
    return [
        audit_month_dispose(month=month, reason=reason, now=now, dry_run=dry_run)
        for month in expired_months(retention_months=retention_months, now=now)
    ]


def audit_partitions_daily(*, dry_run: bool = False) -> PartitionsReport:
    """The scheduled daily job: partitions ahead, then disposal by the retention setting (none when unset)."""
    retention: int | None = settings.WAYPOINT_AUDIT_RETENTION_MONTHS
    created = audit_partitions_create(dry_run=dry_run)
    disposed = audit_months_dispose(retention_months=retention, dry_run=dry_run) if retention else []
    return PartitionsReport(created=created, disposed=disposed, dry_run=dry_run)
