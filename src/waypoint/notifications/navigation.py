"""The notification links of the account menu: the list, with the unread count (one query), and the
settings."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint.core.models import User
from waypoint.core.navigation import ACCOUNT, NavLink
from waypoint.notifications.selectors import unread_count
from waypoint.policy import request_context


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    unread = unread_count(context=request_context(request))
    label = _("Notifications (%(count)d new)") % {"count": unread} if unread else _("Notifications")
    return [
        NavLink(label, reverse("notifications"), 91, ACCOUNT),
        NavLink(_("Notification settings"), reverse("notification-preferences"), 92, ACCOUNT),
    ]
