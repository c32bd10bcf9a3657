"""The insights panels of a home page: for school and district administrators, how their students are
growing (the share on track and the mean pace of all students, as the dashboard's default view shows them,
and how fresh the figures are), with the way to the dashboard; for the state's analysts, the way to the state
view.

At most three queries: the organizations (names), the latest refresh, and one GROUP BY of the aggregates."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.home import PROGRESS, REFERENCE, HomeItem, HomePanel
from waypoint.core.models import Organization, Role, User
from waypoint.insights.models import AggregateRefresh
from waypoint.insights.selectors.dashboard import headline
from waypoint.insights.tables import Cell
from waypoint.policy import AccessContext, Action


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    panels: list[HomePanel] = []
    if access.has_role(Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN) and access.can(Action.VIEW_DASHBOARD):
        panel = _growth(access)
        if panel is not None:
            panels.append(panel)
    if access.can(Action.VIEW_STATE_INSIGHTS):
        panels.append(_state())
    return panels


def _target(access: AccessContext) -> tuple[int, list[int]] | None:
    """The district of the reader's dashboard (the acting one when they administer in it) and, for a school
    administrator there, their schools in it; the dashboard opens on the same figures."""
    districts = {g.organization_id for g in access.grants if g.role == Role.DISTRICT_ADMIN}
    schools = [(g.organization_id, g.district_id) for g in access.grants if g.role == Role.SCHOOL_ADMIN]
    reachable = districts | {district for _school, district in schools if district is not None}
    if not reachable:
        return None
    if access.acting_district_id in reachable:
        district_id = access.acting_district_id
    else:
        district_id = min(districts or reachable)
    if district_id in districts:
        return district_id, []
    return district_id, [school for school, district in schools if district == district_id]


def _text(cell: Cell) -> str:
    return gettext("hidden to protect a small group") if cell.hidden else cell.text


def _growth(access: AccessContext) -> HomePanel | None:
    target = _target(access)
    if target is None:
        return None
    district_id, schools = target
    # The dashboard opens on the first of a school administrator's schools, by name.
    organizations = list(Organization.objects.filter(pk__in=[district_id, *schools]).order_by("name", "pk"))
    school = next((org for org in organizations if org.pk in schools), None)
    scope = school or next((org for org in organizations if org.pk == district_id), None)
    if scope is None:
        return None
    url = reverse("insights-dashboard")
    refresh = AggregateRefresh.objects.filter(district_id=district_id).order_by("-finished_at", "-id").first()
    panel = HomePanel(
        key="insights-growth",
        title=gettext("How your students are growing"),
        order=PROGRESS + 5,
        action=HomeItem(gettext("Open the growth dashboard"), url),
        empty=gettext(
            "No figures yet: they are built each night, or when a district administrator refreshes them "
            "from the dashboard."
        ),
    )
    if refresh is None:
        return panel
    figures = headline(district_id=district_id, school_id=school.pk if school else None)
    return HomePanel(
        key=panel.key,
        title=panel.title,
        order=panel.order,
        action=panel.action,
        intro=gettext("%(scope)s, all students: figures as of %(day)s (refreshed %(moment)s)")
        % {
            "scope": scope.name,
            "day": date_format(refresh.as_of),
            "moment": date_format(refresh.finished_at, "DATETIME_FORMAT"),
        },
        items=(
            HomeItem(
                gettext("On track or ahead: %(share)s") % {"share": _text(figures.on_track)},
                url,
                detail=gettext("Of all students, whether their pace is measured yet or not."),
            ),
            HomeItem(
                gettext("Mean pace: %(pace)s") % {"pace": _text(figures.mean_pace)},
                url,
                detail=gettext("Competencies mastered a month, over the students whose pace is measured."),
            ),
        ),
    )


def _state() -> HomePanel:
    return HomePanel(
        key="insights-state",
        title=gettext("The state's districts compared"),
        order=REFERENCE + 2,
        items=(
            HomeItem(
                gettext("Growth, equal access and graduation by district"),
                reverse("insights-state"),
                detail=gettext("Aggregates only, with small groups hidden."),
            ),
        ),
    )
