"""The interop panel of a district administrator's home page: "Set up your district" while the district has
no roster (the first-run checklist's live state), and afterwards its roster imports: the last run's status
and date, and the imports refused since the last one that succeeded. Counts and dates only: no student is
named, so nothing is audited."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.home import REFERENCE, TODAY, HomeItem, HomePanel
from waypoint.core.models import Organization, Student, User
from waypoint.interop.forms.rosters import SET_UP_PENDING
from waypoint.interop.models import RosterImport
from waypoint.interop.selectors import rosters as reads
from waypoint.interop.selectors.first_run import FirstRunState, first_run_state
from waypoint.policy import Action


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    if access.acting_district_id is None or not access.can(Action.VIEW_FIRST_RUN):
        return []
    district = Organization.objects.get(pk=access.acting_district_id)
    if not access.can(Action.VIEW_FIRST_RUN, district):
        return []
    # The whole checklist (six queries) only while the district is being set up; every day after, the
    # panel reads the roster imports alone.
    session = getattr(request, "session", {})
    if not _has_roster(district.pk):
        if session.get(SET_UP_PENDING) != district.pk:
            session[SET_UP_PENDING] = district.pk
        return [_set_up(first_run_state(district))]
    if SET_UP_PENDING in session:
        del session[SET_UP_PENDING]
    return [_roster_imports(district)]


def _set_up(state: FirstRunState) -> HomePanel:
    steps = state.steps_left
    return HomePanel(
        key="set-up-district",
        title=gettext("Set up your district"),
        order=TODAY,
        tone="action",
        intro=gettext("%(district)s has no roster yet: import one, then choose a framework and invite staff.")
        % {"district": state.district.name},
        items=(
            HomeItem(
                gettext("Import a roster"),
                reverse("interop-roster-import-new"),
                detail=gettext("OneRoster CSV from your student information system"),
                tone="action",
            ),
        ),
        action=HomeItem(
            gettext("The set-up checklist"),
            reverse("interop-first-run"),
            detail=ngettext("%(count)s step left", "%(count)s steps left", steps) % {"count": steps},
        ),
    )


def _roster_imports(district: Organization) -> HomePanel:
    """The last run, and how many were refused since the last import that succeeded."""
    last = reads.latest_roster_import(district.pk)
    items: list[HomeItem] = []
    if last is not None:
        refused_count = reads.refused_since_last_import(district.pk)
        failed = last.status in (RosterImport.Status.REFUSED, RosterImport.Status.FAILED)
        items.append(
            HomeItem(
                _status_label(last),
                reverse("interop-roster-import", args=[last.pk]),
                detail=gettext("%(file)s, %(date)s")
                % {
                    "file": last.source_name,
                    "date": date_format(localtime(last.started_at), "DATETIME_FORMAT"),
                },
                tone="warning" if failed else "info",
            )
        )
        if refused_count:
            items.append(
                HomeItem(
                    gettext("Refused imports"),
                    reverse("interop-roster-imports"),
                    count=refused_count,
                    detail=gettext("since the last import that succeeded: nothing of them was imported"),
                    tone="warning",
                )
            )
    return HomePanel(
        key="roster-imports",
        title=gettext("Roster imports"),
        order=REFERENCE + 8,
        tone="warning" if any(item.tone == "warning" for item in items) else "info",
        items=tuple(items),
        empty=gettext("No roster has been imported here: the roster came in another way."),
        action=HomeItem(gettext("Import a roster"), reverse("interop-roster-import-new")),
    )


def _has_roster(district_id: int) -> bool:
    """The first-run checklist's first step (`FirstRunState.roster_done`): the district has students."""
    return Student.objects.filter(district_id=district_id).exists()


def _status_label(run: RosterImport) -> str:
    if run.status == RosterImport.Status.IMPORTED:
        return gettext("Last import: imported")
    if run.status == RosterImport.Status.REFUSED:
        return gettext("Last import: refused")
    if run.status == RosterImport.Status.FAILED:
        return gettext("Last import: failed")
    return gettext("Last import: running")
