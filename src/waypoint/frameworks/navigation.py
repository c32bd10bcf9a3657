"""The frameworks link of the page shell: every signed-in user reads the published frameworks, a student as
part of their learning, staff as what their district keeps."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.models import User
from waypoint.core.navigation import DISTRICT, NavLink, learner_or


def nav_links(request: HttpRequest, user: User) -> list[NavLink]:
    group = learner_or(policy.request_access(request).roles, DISTRICT)
    return [NavLink(_("Frameworks"), reverse("framework-list"), 80, group)]
