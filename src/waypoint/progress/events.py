"""The progress app's kinds of notification: an alert assigned to someone, a conference scheduled, and
conference notes shared with a guardian. Each is about one student; `notify` drops any recipient who may
not read that student."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.notifications.registry import EventKind, Reading, Rendered, register
from waypoint.progress.models import alert_sentence


def _alert_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "by": params.get("by", "")}
    return Rendered(
        subject=_("%(by)s assigned you an alert about %(student)s") % values,
        body=alert_sentence(str(params.get("kind", "")), dict(params.get("facts", {}))),
    )


def _conference_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "when": params.get("when", ""), "by": params.get("by", "")}
    if reading.about_self:
        subject = _("A conference with you is scheduled for %(when)s") % values
    else:
        subject = _("A conference about %(student)s is scheduled for %(when)s") % values
    return Rendered(
        subject=subject, body=_("%(by)s scheduled it. The agenda is on the conference page.") % values
    )


def _notes_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "by": params.get("by", "")}
    return Rendered(
        subject=_("%(by)s shared the notes of %(student)s’s conference") % values,
        body=_("Read the notes and the next steps agreed."),
    )


ALERT_ASSIGNED = register(
    EventKind(
        code="progress.alert_assigned",
        label=gettext_lazy("Alerts assigned to me"),
        description=gettext_lazy("An alert about a student’s progress was given to you to act on."),
        render=_alert_text,
        order=50,
    )
)
CONFERENCE_SCHEDULED = register(
    EventKind(
        code="progress.conference_scheduled",
        label=gettext_lazy("Conferences"),
        description=gettext_lazy("A conference about a student was scheduled."),
        render=_conference_text,
        order=51,
    )
)
NOTES_SHARED = register(
    EventKind(
        code="progress.notes_shared",
        label=gettext_lazy("Conference notes"),
        description=gettext_lazy("The notes of a conference were shared with you."),
        render=_notes_text,
        order=52,
    )
)
