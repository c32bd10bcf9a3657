"""The evidence app's kinds of notification (registered with `waypoint.notifications.registry`) and the calls
its services make inside their transactions: feedback on a piece of work, and a request to revise it. Both
go to the student and their guardians who may read the work, never to the person who wrote the feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.evidence.models import Evidence
from waypoint.notifications.registry import EventKind, Reading, Rendered, register
from waypoint.notifications.services import notify
from waypoint.policy import Action
from waypoint.policy.notifications import family_of


def _feedback_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {
        "author": params.get("author", ""),
        "title": params.get("title", ""),
        "student": reading.student_name,
    }
    if reading.about_self:
        subject = _("%(author)s left feedback on your work “%(title)s”") % values
    else:
        subject = _("%(author)s left feedback on %(student)s’s work “%(title)s”") % values
    return Rendered(subject=subject, body=_("Open the work to read what is strong and what to work on next."))


def _revision_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {
        "author": params.get("author", ""),
        "title": params.get("title", ""),
        "student": reading.student_name,
    }
    if reading.about_self:
        subject = _("%(author)s asked you to revise “%(title)s”") % values
        body = _("Read the feedback, then submit a new version of the work.")
    else:
        subject = _("%(author)s asked %(student)s to revise “%(title)s”") % values
        body = _("The feedback says what to change; %(student)s submits a new version.") % values
    return Rendered(subject=subject, body=body)


FEEDBACK = register(
    EventKind(
        code="evidence.feedback",
        label=gettext_lazy("Feedback on work"),
        description=gettext_lazy("A teacher or mentor commented on a piece of work."),
        render=_feedback_text,
        order=10,
    )
)
REVISION_REQUESTED = register(
    EventKind(
        code="evidence.revision_requested",
        label=gettext_lazy("A revision is asked for"),
        description=gettext_lazy("A teacher asked for a new version of a piece of work."),
        render=_revision_text,
        order=11,
    )
)


def feedback_added(*, context: RequestContext, evidence: Evidence, requests_revision: bool) -> None:
    """Tell the student and their guardians who may read the work; called in `feedback_add`'s transaction."""
    actor = context.actor
    readers = [
        user
        for user in family_of(evidence.student)
        if user != actor and policy.can(user, Action.VIEW_EVIDENCE, evidence)
    ]
    notify(
        kind=(REVISION_REQUESTED if requests_revision else FEEDBACK).code,
        recipients=readers,
        student=evidence.student,
        params={"title": evidence.title, "author": actor.display_name if actor else "Waypoint"},
        url=reverse("evidence-detail", args=[evidence.pk]),
    )
