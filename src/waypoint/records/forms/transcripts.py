"""The form on the transcript page: a request for an official transcript."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.records.services.transcripts import RECIPIENT_MAX


class TranscriptRequestForm(forms.Form):
    recipient = forms.CharField(
        label=_("Who is it for?"),
        max_length=RECIPIENT_MAX,
        help_text=_("A college, an employer or a scholarship, with the office or address if you know it."),
        error_messages={
            "required": _("Say who the transcript is for: a college, an employer, a scholarship.")
        },
    )
