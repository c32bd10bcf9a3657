"""The notifications panel of a home page: the newest unread notifications, each opened with one click."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.home import PROGRESS, HomeItem, HomePanel
from waypoint.core.models import User
from waypoint.core.navigation import LEARNER_ROLES
from waypoint.notifications.selectors import unread_count, unread_latest
from waypoint.policy import request_context

SHOWN = 5


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    """The panel, for students and guardians always (its empty sentence says nothing is new), for anyone
    else when something is unread. One query, two when more than `SHOWN` are unread."""
    context = request_context(request)
    latest = unread_latest(context=context, limit=SHOWN)
    if not latest and not policy.request_access(request).roles & LEARNER_ROLES:
        return []
    unread = unread_count(context=context) if len(latest) == SHOWN else len(latest)
    return [
        HomePanel(
            key="notifications",
            title=_("New for you"),
            # After every panel of work waiting today (on a phone the reader meets what needs them first),
            # before how their learning is going: what happened since the last visit.
            order=PROGRESS - 1,
            items=(
                HomeItem(
                    label=_("Unread notifications"), url=reverse("notifications"), count=unread, tone="info"
                ),
            ),
            empty=_("Nothing new. Feedback, levels and path decisions appear here when they arrive."),
            template="notifications/_home_panel.html",
            context={"notifications": latest, "unread": unread},
            action=HomeItem(label=_("All notifications"), url=reverse("notifications")),
        )
    ]
