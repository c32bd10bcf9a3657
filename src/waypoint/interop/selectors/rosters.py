"""Reading a district's roster imports: the district a person acts for, its history, one run, the newest.

Shared by the import pages, the API and the home panel; every read is for a district whose administrator the
person is (`Action.VIEW_ROSTER_IMPORTS`), and a run of another district answers as missing."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import Organization
from waypoint.interop.models import RosterImport
from waypoint.policy import Action


def acting_district(*, context: RequestContext, action: Action) -> Organization:
    """The district the person acts for, when they may take the action there (403 otherwise)."""
    district = Organization.objects.filter(pk=context.district_id).first() if context.district_id else None
    if district is None or not policy.can(context.user, action, district):
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})
    return district


def roster_imports(*, context: RequestContext, district: Organization) -> QuerySet[RosterImport]:
    """The district's runs, newest first, with who started each (one query however many are listed)."""
    if not policy.can(context.user, Action.VIEW_ROSTER_IMPORTS, district):
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": Action.VIEW_ROSTER_IMPORTS.label})
    return (
        RosterImport.objects.filter(district=district)
        .select_related("started_by", "district")
        .order_by("-started_at", "-id")
    )


def roster_import_get(*, context: RequestContext, import_id: int) -> RosterImport:
    """One run, when the person may read its district's imports; missing (404) otherwise, as for an id that
    does not exist."""
    run = RosterImport.objects.select_related("started_by", "district").filter(pk=import_id).first()
    if run is None or not policy.can(context.user, Action.VIEW_ROSTER_IMPORTS, run.district):
        raise NotVisible(gettext("There is no such roster import."))
    return run


def roster_import_by_token(*, context: RequestContext, token: str) -> RosterImport | None:
    """The run a page follows by its progress token, if it is saved yet and the person may read it."""
    run = RosterImport.objects.select_related("district").filter(progress_token=token).first()
    if run is None or not policy.can(context.user, Action.VIEW_ROSTER_IMPORTS, run.district):
        return None
    return run


def latest_roster_import(district_id: int) -> RosterImport | None:
    """The district's newest run (for the home panel, which has already checked who reads it)."""
    return RosterImport.objects.filter(district_id=district_id).order_by("-started_at", "-id").first()


def refused_since_last_import(district_id: int) -> int:
    """How many runs were refused since the district's last successful import (all of them if none)."""
    last = (
        RosterImport.objects.filter(district_id=district_id, status=RosterImport.Status.IMPORTED)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    refused = RosterImport.objects.filter(district_id=district_id, status=RosterImport.Status.REFUSED)
    if last is not None:
        refused = refused.filter(started_at__gt=last)
    return refused.count()
