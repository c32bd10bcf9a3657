"""The progress work the background runs: the nightly pace, projections and inquiry rules."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.operations.schedule import nightly as every_night
from waypoint.operations.work import Outcome, Progress, background
from waypoint.progress.services import nightly


@background(kind="progress-nightly", title=gettext_lazy("Nightly pace and inquiry rules"), retry_safe=True)
def progress_nightly(progress: Progress) -> Outcome:
    """Every district's pace, projections and alerts, as `waypoint progress-nightly` does (safe to run again:
    the rules open an alert once and close what no longer holds)."""
    results = nightly()
    return Outcome(
        message=_("%(districts)d districts: %(opened)d alerts opened, %(closed)d closed.")
        % {
            "districts": len(results),
            "opened": sum(result.opened for result in results.values()),
            "closed": sum(result.closed for result in results.values()),
        }
    )


SCHEDULE = [every_night(progress_nightly)]
