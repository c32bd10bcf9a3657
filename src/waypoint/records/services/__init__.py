"""Every write of the records app, one module per area; each service is keyword-only and runs in one
transaction with its audit row. The two checks every area starts with are here."""

from __future__ import annotations

from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import User
from waypoint.policy import Action


def require(context: RequestContext, action: Action, obj: object) -> None:
    """Refuse (403) unless the access policy lets the acting user take the action on the object."""
    if not policy.can(context.user, action, obj):  # type: ignore[arg-type]
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})


def acting_user(context: RequestContext) -> User:
    """The signed-in person a write is recorded under."""
    if context.actor is None:
        raise NotPermitted(gettext("Sign in first."))
    return context.actor
