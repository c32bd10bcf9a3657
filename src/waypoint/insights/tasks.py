"""The insights work the background runs: a district's refresh asked for by its administrator, and the
nightly refresh of every district (after `progress-nightly`, whose statuses and paces it reads)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.core.audit import RequestContext
from waypoint.insights.services.refresh import refresh_all, refresh_district
from waypoint.operations.schedule import daily
from waypoint.operations.work import Outcome, Progress, background


@background(kind="insights-refresh", title=gettext_lazy("Refresh of the district’s figures"), retry_safe=True)
def refresh(progress: Progress, *, district_id: int, dashboard_query: str = "") -> Outcome:
    """One district's figures, rebuilt in one transaction (safe to run again: it deletes what it rebuilds),
    as the person who asked: the policy is asked again when it runs, and the refresh is audited as theirs."""
    starter = progress.starter()
    context = RequestContext(user=starter, acting_district_id=district_id, path=reverse("insights-refresh"))
    done = refresh_district(district_id=district_id, context=context)
    return Outcome(
        message=_("The figures of %(district)s were rebuilt as of %(day)s in %(seconds)s s.")
        % {"district": done.district.name, "day": date_format(done.as_of), "seconds": done.seconds},
        url=f"{reverse('insights-dashboard')}?{dashboard_query}"
        if dashboard_query
        else reverse("insights-dashboard"),
    )


@background(
    kind="insights-refresh-all",
    title=gettext_lazy("Nightly refresh of every district’s figures"),
    retry_safe=True,
)
def refresh_every_district(progress: Progress) -> Outcome:
    """Every district, one transaction each: the nightly run."""
    done = refresh_all()
    return Outcome(message=_("%(count)d districts refreshed.") % {"count": len(done)})


# After progress-nightly (02:00 by default): the figures read the statuses and paces it computes.
SCHEDULE = [daily(refresh_every_district, "03:30")]
