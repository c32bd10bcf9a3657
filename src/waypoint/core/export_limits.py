"""The hourly allowance of student-level bulk exports: one count for every file that lists students.

A student-level bulk export is a file naming many students (today the district's OneRoster roster; a new
one adds its audit object type to `STUDENT_LEVEL_EXPORTS`). Each writes one `export` audit event for the run
(no student on it) and one per student written. The allowance counts the run events of the last hour over
every such kind together, so a person cannot take five rosters and then five of something else: one stolen
account takes at most `STUDENT_EXPORTS_PER_HOUR` files an hour, and each is in the district's export log.
Counted from the audit table, the allowance holds across processes and restarts (a cache would not).

Aggregate exports (the insights tables, suppressed figures with no student row) keep their own, looser
allowance (`WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR`) and need no recent sign-in."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from waypoint.core.errors import Refusal
from waypoint.core.models import AuditAction, AuditEvent, User

STUDENT_EXPORTS_PER_HOUR = 5
# The audit object types of the run events of every student-level bulk export.
STUDENT_LEVEL_EXPORTS = frozenset({"roster-export"})


class ExportsExhausted(Refusal):
    """The person made as many student-level exports this hour as allowed; answered 429 with when to try
    again."""

    status = 429


def student_export_allowance_check(*, actor: User, now: datetime.datetime | None = None) -> None:
    """Refuse (429) when the actor made `STUDENT_EXPORTS_PER_HOUR` student-level exports in the last hour.

    Call it inside the transaction that writes the export's audit event: it locks the actor's row first,
    so two exports at once cannot both pass the count before either is recorded."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Check the export allowance inside the export's transaction.")
    now = now or timezone.now()
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
    recent = list(
        AuditEvent.objects.filter(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type__in=STUDENT_LEVEL_EXPORTS,
            student__isnull=True,
            occurred_at__gte=now - datetime.timedelta(hours=1),
        )
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)[:STUDENT_EXPORTS_PER_HOUR]
    )
    if len(recent) < STUDENT_EXPORTS_PER_HOUR:
        return
    again = timezone.localtime(recent[0] + datetime.timedelta(hours=1))
    raise ExportsExhausted(
        ngettext(
            "You made %(count)d export of student records in the last hour, the most allowed; try again "
            "after %(time)s.",
            "You made %(count)d exports of student records in the last hour, the most allowed; try again "
            "after %(time)s.",
            STUDENT_EXPORTS_PER_HOUR,
        )
        % {"count": STUDENT_EXPORTS_PER_HOUR, "time": again.strftime("%H:%M")}
    )
