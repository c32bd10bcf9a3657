"""Forms of transfers between districts: B's request, and A's release (the evidence picker) or decline."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.records.selectors.transfers import EvidenceChoice


class TransferRequestForm(forms.Form):
    state_student_id = forms.CharField(
        max_length=32,
        label=_("State student id"),
        help_text=_("The id the state gave the student; the district that holds it is asked for the record."),
    )


class ReleaseForm(forms.Form):
    evidence = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Evidence to send"),
        help_text=_(
            "The transcript-level record always goes. Each piece chosen is copied with its counted scores."
        ),
    )

    def __init__(self, *args: object, choices: Sequence[EvidenceChoice], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["evidence"]
        field.choices = [  # type: ignore[attr-defined]
            (
                choice.evidence.pk,
                _("%(title)s (%(count)d counted scores)")
                % {"title": choice.evidence.title, "count": choice.counted_scores},
            )
            for choice in choices
        ]
        if not self.is_bound:
            self.initial["evidence"] = [c.evidence.pk for c in choices if c.counted_scores]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Why the request is declined")
    )
