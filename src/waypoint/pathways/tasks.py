"""The pathways work the background runs: starting, each morning, the approved paths whose start date has
come (what `waypoint start-paths` does by hand)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy, ngettext

from waypoint.core.audit import RequestContext
from waypoint.operations.schedule import daily
from waypoint.operations.work import Outcome, Progress, background
from waypoint.pathways.services import paths_start_due


@background(kind="start-paths", title=gettext_lazy("Starting the paths due today"), retry_safe=True)
def start_paths(progress: Progress) -> Outcome:
    """Safe to run again: a started path is no longer waiting to start. No user: the paths' history and the
    audit log say Waypoint started them."""
    started = paths_start_due(context=RequestContext(user=AnonymousUser(), path="scheduler"))
    return Outcome(
        message=ngettext("Started %(count)d path.", "Started %(count)d paths.", started) % {"count": started}
    )


# Before the school day.
SCHEDULE = [daily(start_paths, "05:00")]
