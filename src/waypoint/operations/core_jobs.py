"""Core's scheduled work, declared here because core, the ground, imports no app: the audit log's monthly
partitions and its retention (`waypoint.core.audit_partitions`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from waypoint.core.audit_partitions import audit_partitions_daily
from waypoint.operations.schedule import daily
from waypoint.operations.work import Outcome, Progress, background


@background(
    kind="audit-partitions", title=gettext_lazy("Audit log partitions and retention"), retry_safe=True
)
def audit_partitions(progress: Progress) -> Outcome:
    """Next months' partitions, then disposal past WAYPOINT_AUDIT_RETENTION_MONTHS (safe to run again: it
    creates only what is missing and disposes only of what is still there). A system job: no district scope,
    since it changes the audit table itself."""
    return Outcome(message=audit_partitions_daily().summary())


# Between progress-nightly (02:00) and the figures' refresh (03:30).
SCHEDULE = [daily(audit_partitions, "02:30")]
