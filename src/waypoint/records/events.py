"""The records app's kinds of notification: a diploma awarded, a transfer released (to the requesting
district's administrators, the student and the guardians), a transfer requested (to the sending district's
administrators) and a transcript request (to the staff who issue transcripts). Each is about one student;
`notify` drops any recipient who may not read that student."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint.notifications.registry import EventKind, Reading, Rendered, register


def _diploma_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "by": params.get("by", ""), "on": params.get("on", "")}
    if reading.about_self:
        subject = _("You were awarded your diploma on %(on)s") % values
    else:
        subject = _("%(student)s was awarded the diploma on %(on)s") % values
    return Rendered(subject=subject, body=_("Awarded by %(by)s. The transcript shows it now.") % values)


def _transfer_released_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "from": params.get("from", ""), "to": params.get("to", "")}
    if reading.about_self:
        subject = _("Your record was sent from %(from)s to %(to)s") % values
    else:
        subject = _("The record of %(student)s was sent from %(from)s to %(to)s") % values
    return Rendered(subject=subject, body=_("The transcript-level record and the evidence chosen arrived."))


def _transfer_requested_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "to": params.get("to", "")}
    return Rendered(
        subject=_("%(to)s asks for the record of %(student)s") % values,
        body=_("Release it or decline it on the transfers page."),
    )


def _transcript_requested_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"student": reading.student_name, "recipient": params.get("recipient", "")}
    return Rendered(
        subject=_("A transcript of %(student)s is requested for %(recipient)s") % values,
        body=_("Issue it from the student’s transcript page."),
    )


DIPLOMA_AWARDED = register(
    EventKind(
        code="records.diploma_awarded",
        label=gettext_lazy("Diplomas"),
        description=gettext_lazy("A diploma was awarded."),
        render=_diploma_text,
        order=60,
    )
)
TRANSFER_RELEASED = register(
    EventKind(
        code="records.transfer_released",
        label=gettext_lazy("Records received"),
        description=gettext_lazy("A student’s record was released by the district they came from."),
        render=_transfer_released_text,
        order=61,
    )
)
TRANSFER_REQUESTED = register(
    EventKind(
        code="records.transfer_requested",
        label=gettext_lazy("Record requests"),
        description=gettext_lazy("Another district asked for a student’s record."),
        render=_transfer_requested_text,
        order=62,
    )
)
TRANSCRIPT_REQUESTED = register(
    EventKind(
        code="records.transcript_requested",
        label=gettext_lazy("Transcript requests"),
        description=gettext_lazy("A transcript was requested."),
        render=_transcript_requested_text,
        order=63,
    )
)
