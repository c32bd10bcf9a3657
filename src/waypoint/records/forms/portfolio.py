"""Forms of the portfolio pages: they parse input into the services' arguments; the services decide what
is allowed (someone else's evidence, a link expiring in the past or beyond a year)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import DateInput
from waypoint.evidence.models import Evidence
from waypoint.records.models import PortfolioCollection
from waypoint.records.services.portfolio import MAX_TEXT, MAX_TITLE, Sharing

DEFAULT_LINK_DAYS = 30


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, label=_("Title"))
    reflection = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Reflection"),
        help_text=_("What this collection shows about your learning, and why you chose these pieces."),
    )
    shared_with_teachers = forms.BooleanField(
        required=False, initial=True, label=_("My teachers, advisor and school staff may see it")
    )
    shared_with_guardians = forms.BooleanField(
        required=False, initial=True, label=_("My parents or guardians may see it")
    )
    shared_with_panel = forms.BooleanField(
        required=False, label=_("The panel of an exhibition that shows it may see it")
    )
    shown_on_transcript = forms.BooleanField(required=False, label=_("Show it on my transcript"))

    @classmethod
    def of(cls, collection: PortfolioCollection) -> CollectionForm:
        return cls(
            initial={
                "title": collection.title,
                "reflection": collection.reflection,
                "shared_with_teachers": collection.shared_with_teachers,
                "shared_with_guardians": collection.shared_with_guardians,
                "shared_with_panel": collection.shared_with_panel,
                "shown_on_transcript": collection.shown_on_transcript,
            }
        )

    def sharing(self) -> Sharing:
        data = self.cleaned_data
        return Sharing(
            teachers=data["shared_with_teachers"],
            guardians=data["shared_with_guardians"],
            panel=data["shared_with_panel"],
            transcript=data["shown_on_transcript"],
        )


class AddItemsForm(forms.Form):
    """The picker lists the student's own evidence; an id typed in by hand is checked by the service."""

    evidence = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple, label=_("Evidence to add")
    )
    reflection = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reflection on these pieces"),
    )

    def __init__(self, *args: object, picker: list[Evidence], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["evidence"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101  (declared above)
        field.choices = [(e.pk, f"{e.title} ({timezone.localtime(e.submitted_at):%Y-%m-%d})") for e in picker]

    def clean_evidence(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["evidence"]]


class ItemReflectionForm(forms.Form):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reflection = forms.CharField(
        max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Reflection")
    )


class ItemForm(forms.Form):
    """Remove a piece, or move it a place up or down."""

    item = forms.IntegerField(min_value=1)


class LinkForm(forms.Form):
    expires_on = forms.DateField(
        widget=DateInput,
        label=_("The link stops working after"),
        help_text=_("At most a year from today. You can stop it sooner."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault(
                "expires_on", timezone.localdate() + datetime.timedelta(days=DEFAULT_LINK_DAYS)
            )


class RevokeForm(forms.Form):
    link = forms.IntegerField(min_value=1)
