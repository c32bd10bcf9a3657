"""Forms of the exhibition pages: scheduling with the panel, a panel member's scores, and the outcome. They
parse input into the services' arguments; the services decide what is allowed (a member outside the
district, a held date in the future, a score by someone not on the panel)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import DateInput
from waypoint.core.models import User
from waypoint.frameworks.models import Competency, Rubric, ScaleLevel
from waypoint.records.models import ExhibitionKind, ExhibitionOutcome, PanelMember, PortfolioCollection
from waypoint.records.services.exhibitions import (
    MAX_PANEL,
    MAX_TEXT,
    MAX_TITLE,
    ExhibitionPlan,
    Expert,
    PanelScore,
)

LEVEL_PREFIX = "level_"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class UsersChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class CompetenciesChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Competency) -> str:
        code = f"{obj.human_code} " if obj.human_code else ""
        return f"{obj.version.framework.title}: {code}{obj.short_statement}"


class ExhibitionForm(forms.Form):
    kind = forms.ChoiceField(choices=ExhibitionKind.choices, widget=forms.RadioSelect, label=_("Kind"))
    title = forms.CharField(max_length=MAX_TITLE, label=_("Title"))
    summary = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("What the student will present"),
    )
    scheduled_at = forms.DateTimeField(widget=DateTimeInput(), label=_("Date and time"))
    location = forms.CharField(max_length=300, required=False, label=_("Where"))
    competencies = CompetenciesChoice(
        queryset=Competency.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        label=_("Competencies shown"),
        help_text=_("From one framework the district uses."),
    )
    rubric = forms.ModelChoiceField(queryset=Rubric.objects.none(), required=False, label=_("Rubric"))
    collection = forms.ModelChoiceField(
        queryset=PortfolioCollection.objects.none(),
        required=False,
        label=_("Portfolio collection shown"),
        help_text=_("The panel sees it only if the student shares it with the panel."),
    )
    staff = UsersChoice(
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label=_("Staff on the panel"),
    )
    guardians = UsersChoice(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Family on the panel"),
    )
    experts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Community experts"),
        help_text=_("One a line: the name, a comma, then what they do (e.g. “Ana Ruiz, civil engineer”)."),
    )

    def __init__(
        self,
        *args: object,
        competencies: QuerySet[Competency],
        rubrics: QuerySet[Rubric],
        collections: QuerySet[PortfolioCollection],
        staff: QuerySet[User],
        guardians: QuerySet[User],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["competencies"].queryset = competencies  # type: ignore[attr-defined]
        self.fields["rubric"].queryset = rubrics  # type: ignore[attr-defined]
        self.fields["collection"].queryset = collections  # type: ignore[attr-defined]
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        self.fields["guardians"].queryset = guardians  # type: ignore[attr-defined]
        if not self.is_bound:
            soon = timezone.localtime() + datetime.timedelta(days=14)
            self.initial.setdefault("scheduled_at", soon.replace(hour=10, minute=0, second=0, microsecond=0))

    def clean_experts(self) -> list[Expert]:
        experts = []
        for line in self.cleaned_data["experts"].splitlines():
            if line.strip():
                name, _, affiliation = line.partition(",")
                experts.append(Expert(name=name.strip(), affiliation=affiliation.strip()))
        if len(experts) > MAX_PANEL:
            raise forms.ValidationError(
                gettext("A panel has at most %(limit)d members.") % {"limit": MAX_PANEL}
            )
        return experts

    def plan(self) -> ExhibitionPlan:
        data = self.cleaned_data
        return ExhibitionPlan(
            kind=data["kind"],
            title=data["title"],
            summary=data["summary"],
            scheduled_at=data["scheduled_at"],
            location=data["location"],
            competency_ids=[c.pk for c in data["competencies"]],
            rubric_id=data["rubric"].pk if data["rubric"] else None,
            collection_id=data["collection"].pk if data["collection"] else None,
            staff_ids=[u.pk for u in data["staff"]],
            guardian_ids=[u.pk for u in data["guardians"]],
            experts=data["experts"],
        )


class ScoreForm(forms.Form):
    """A level for each competency of the exhibition (any may be left out), a comment, and, for staff
    entering a community expert's judgement, whose it is."""

    comment = forms.CharField(
        max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment")
    )
    member = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Whose judgement"))

    def __init__(
        self,
        *args: object,
        competencies: list[Competency],
        levels: dict[int, list[ScaleLevel]],
        experts: list[PanelMember],
        own_seat: bool,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.competencies = competencies
        for competency in competencies:
            code = f"{competency.human_code} " if competency.human_code else ""
            self.fields[f"{LEVEL_PREFIX}{competency.pk}"] = forms.TypedChoiceField(
                coerce=float,
                required=False,
                empty_value=None,
                choices=[("", gettext("Not judged"))]
                + [
                    (f"{level.value:g}", f"{level.label} ({level.value:g})")
                    for level in levels[competency.pk]
                ],
                label=f"{code}{competency.short_statement}",
            )
        member = self.fields["member"]
        assert isinstance(member, forms.TypedChoiceField)  # noqa: S101  (declared above)
        own = [("", gettext("My own"))] if own_seat else []
        member.choices = own + [
            (m.pk, f"{m.name}, {m.affiliation}" if m.affiliation else m.name) for m in experts
        ]
        # Staff without a seat of their own enter only an expert's judgement: they must say whose.
        member.required = not own_seat
        if not experts:
            del self.fields["member"]

    def scores(self) -> list[PanelScore]:
        return [
            PanelScore(competency_id=c.pk, value=value)
            for c in self.competencies
            if (value := self.cleaned_data.get(f"{LEVEL_PREFIX}{c.pk}")) is not None
        ]


class OutcomeForm(forms.Form):
    held_on = forms.DateField(widget=DateInput, label=_("Held on"), initial=timezone.localdate)
    outcome = forms.ChoiceField(
        choices=[
            (ExhibitionOutcome.PASSED, _("Demonstrated")),
            (ExhibitionOutcome.NOT_YET, _("Not yet demonstrated")),
        ],
        widget=forms.RadioSelect,
        label=_("Outcome"),
    )
    notes = forms.CharField(
        max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes")
    )
