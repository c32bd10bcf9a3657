"""The preferences form: one choice per kind of notification, how it reaches the reader."""

from __future__ import annotations

from typing import Any

from django import forms

from waypoint.notifications.models import Delivery
from waypoint.notifications.selectors import PreferenceView


class PreferencesForm(forms.Form):
    """A radio group per kind, named by its code; a kind the reader may not stop e-mailing offers no
    "in Waypoint only"."""

    def __init__(self, *args: Any, preferences: list[PreferenceView], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in preferences:
            choices = [
                (value, label)
                for value, label in Delivery.choices
                if line.may_turn_off_email or value != Delivery.IN_APP
            ]
            self.fields[line.kind.code] = forms.ChoiceField(
                label=str(line.kind.label),
                help_text=str(line.kind.description),
                choices=choices,
                initial=line.delivery.value,
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[str, str]:
        """The cleaned choice of each kind, code → delivery."""
        return {code: str(value) for code, value in self.cleaned_data.items()}
