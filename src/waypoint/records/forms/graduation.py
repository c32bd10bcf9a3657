"""The forms of graduation rules and the diploma: a rule set with a formset of requirements, the award and the
revocation. They parse; the services decide (every refusal of theirs is shown on the form)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.frameworks.models import Competency, Framework
from waypoint.records.models import ExperienceKind, GraduationRuleSet, RequirementKind
from waypoint.records.services.graduation import RequirementSpec


class RuleSetForm(forms.Form):
    cohort_year = forms.IntegerField(
        label=_("Cohort"), help_text=_("The year the cohort began high school (entered grade 9).")
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Description")
    )
    publish = forms.BooleanField(
        required=False,
        label=_("Put it in force now"),
        help_text=_("Otherwise it is kept as a draft; the rules in force stay as they are."),
    )

    def __init__(self, *args: object, rule_set: GraduationRuleSet | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if rule_set is not None:
            self.initial.update(
                cohort_year=rule_set.cohort_year, title=rule_set.title, description=rule_set.description
            )
            # A rule set belongs to its cohort: saving it writes that cohort's next version.
            self.fields["cohort_year"].disabled = True


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(required=False, label=_("Kind"))
    label = forms.CharField(
        max_length=300, required=False, label=_("Label"), help_text=_("Empty: named after what it requires.")
    )
    competency = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Competency or domain")
    )
    framework = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label=_("Framework"),
        help_text=_("For a count without a domain: its top-level domains are counted."),
    )
    min_level = forms.FloatField(
        required=False, label=_("Lowest level"), help_text=_("Leave it empty to require the mastery level.")
    )
    count = forms.IntegerField(required=False, min_value=0, label=_("How many domains"))
    experience = forms.ChoiceField(required=False, label=_("Experience"))
    credits = forms.DecimalField(required=False, max_digits=5, decimal_places=2, label=_("Credits"))

    def __init__(
        self,
        *args: object,
        competency_choices: list[tuple[int | str, str]],
        framework_choices: list[tuple[int | str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", gettext("None")), *RequirementKind.choices]  # type: ignore[attr-defined]
        self.fields["experience"].choices = [("", "—"), *ExperienceKind.choices]  # type: ignore[attr-defined]
        self.fields["competency"].choices = competency_choices  # type: ignore[attr-defined]
        self.fields["framework"].choices = framework_choices  # type: ignore[attr-defined]

    def spec(self) -> RequirementSpec | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        credits: Decimal | None = data.get("credits")
        return RequirementSpec(
            kind=data["kind"],
            label=data.get("label") or "",
            competency_id=data.get("competency"),
            framework_id=data.get("framework"),
            min_level=data.get("min_level"),
            count=data.get("count"),
            experience=data.get("experience") or "",
            credits=credits,
        )


class BaseRequirementFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def requirements(self) -> list[RequirementSpec]:
        """The rows with a kind, in order; a row left without a kind is an unused one."""
        return [spec for form in self.forms if (spec := form.spec()) is not None]


RequirementFormSet = forms.formset_factory(
    RequirementForm, formset=BaseRequirementFormSet, extra=3, max_num=60, validate_max=True
)


def competency_choices(competencies: QuerySet[Competency]) -> list[tuple[int | str, str]]:
    """The choices of every requirement row, read once for the whole formset: each competency with its
    framework, domains included."""
    return [
        ("", gettext("None")),
        *((c.pk, f"{c.version.framework.title} · {c}") for c in competencies),
    ]


def framework_choices(frameworks: QuerySet[Framework]) -> list[tuple[int | str, str]]:
    return [("", gettext("None")), *((f.pk, f.title) for f in frameworks)]


def requirement_initial(rule_set: GraduationRuleSet) -> list[dict[str, object]]:
    return [
        {
            "kind": r.kind,
            "label": r.label,
            "competency": r.competency_id,
            "framework": r.framework_id,
            "min_level": r.min_level,
            "count": r.count,
            "experience": r.experience,
            "credits": r.credits,
        }
        for r in rule_set.requirements.all()
    ]


class AwardForm(forms.Form):
    awarded_on = forms.DateField(
        label=_("Awarded on"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def clean_awarded_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["awarded_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A diploma cannot be awarded on a date still to come."))
        return day


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("Why is the diploma revoked?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the diploma is revoked.")},
    )
