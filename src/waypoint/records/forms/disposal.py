"""The form that records a request to dispose of a departed student's record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import DateInput
from waypoint.policy import today


class DisposalRequestForm(forms.Form):
    requested_by_name = forms.CharField(
        max_length=200, label=_("Who asked"), help_text=_("The family, the student, or their representative.")
    )
    received_on = forms.DateField(
        widget=DateInput,
        initial=today,
        label=_("Received on"),
        help_text=_("The request is due 60 days later."),
    )
