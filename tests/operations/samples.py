"""Background work for the tests: counting with progress, a refusal, an error, and work safe to retry."""

from __future__ import annotations

from django.db import connection, transaction

from waypoint.core.errors import Invalid
from waypoint.core.models import Organization
from waypoint.operations.work import Outcome, Progress, background

# What the work saw while it ran, for the tests to read.
SEEN: dict[str, object] = {}


@background(kind="count", title="Counting")
def count_to(progress: Progress, *, total: int) -> Outcome:
    for done in range(1, total + 1):
        progress.report(done, total, f"counted {done}")
    return Outcome(message=f"Counted to {total}.", url="/")


@background(kind="rename", title="Renaming a district")
def rename_district(progress: Progress, *, district_id: int, name: str) -> Outcome:
    """A write inside a transaction of its own, reporting progress inside it."""
    with transaction.atomic():
        Organization.objects.filter(pk=district_id).update(name=name)
        progress.report(1, 2, "renamed")
    return Outcome(message="Renamed.")


@background(kind="refuse", title="Refusing")
def refuse(progress: Progress) -> None:
    raise Invalid(["users.csv:7: role: not a role"])


@background(kind="explode", title="Exploding")
def explode(progress: Progress) -> None:
    raise RuntimeError("boom")


@background(kind="again", title="Safe to run again", retry_safe=True)
def idempotent(progress: Progress) -> None:
    return None


@background(kind="tidy", title="Tidies when abandoned", abandoned=lambda arguments: SEEN.update(arguments))
def tidy(progress: Progress, *, marker: str) -> None:
    return None


@background(kind="scope", title="Looking at the row-security scope")
def look_at_scope(progress: Progress) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('waypoint.district_ids', true)")
        SEEN["scope"] = cursor.fetchone()[0]
