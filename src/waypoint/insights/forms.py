"""Forms of the insights pages: a school's action plan, an action of it, and a change of its status. They
parse input into the services' arguments; the services decide what is allowed (a goal within its
measure's range, a date ahead, an owner on the district's staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import DateInput, PersonChoiceField
from waypoint.core.models import Organization, User
from waypoint.insights.dimensions import ALL, DIMENSIONS
from waypoint.insights.measures import MEASURES
from waypoint.insights.models import PlanStatus
from waypoint.insights.selectors.filters import MAX_COHORT, MAX_GRADE, MIN_COHORT, MIN_GRADE

ALL_STUDENTS = f"{ALL}:{ALL}"


def group_choices() -> list[tuple[str, Any]]:
    """Every reporting group as "<dimension>:<group>", grouped by dimension, all students first."""
    choices: list[tuple[str, Any]] = [(ALL_STUDENTS, gettext("All students"))]
    for dimension in DIMENSIONS:
        if dimension.key == ALL:
            continue
        choices.append(
            (
                gettext(dimension.label),
                [(f"{dimension.key}:{value}", gettext(label)) for value, label in dimension.groups],
            )
        )
    return choices


class SchoolChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class PlanForm(forms.Form):
    """A new plan: the school, the goal on a measure for a group, the date, and why."""

    school = SchoolChoice(queryset=Organization.objects.none(), label=_("School"), empty_label=None)
    title = forms.CharField(max_length=200, label=_("Title"))
    measure = forms.ChoiceField(
        label=_("Measure"),
        help_text=_("The dashboard measure the goal is set on; it is read again at every refresh."),
    )
    group = forms.ChoiceField(label=_("Students"), initial=ALL_STUDENTS)
    grade = forms.IntegerField(min_value=MIN_GRADE, max_value=MAX_GRADE, required=False, label=_("Grade"))
    cohort = forms.IntegerField(
        min_value=MIN_COHORT,
        max_value=MAX_COHORT,
        required=False,
        label=_("Cohort"),
        help_text=_("The year the students entered grade 9."),
    )
    goal = forms.FloatField(
        label=_("Goal"),
        help_text=_("A share in percent (0 to 100), or a mean pace in competencies a month (0 to 50)."),
    )
    goal_on = forms.DateField(widget=DateInput, label=_("Goal date"))
    rationale = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Why this goal"),
        help_text=_("What the figures show and what the school will change."),
    )

    def __init__(
        self, *args: Any, schools: QuerySet[Organization], fixed_group: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["measure"].choices = [  # type: ignore[attr-defined]
            (measure.key, gettext(measure.label)) for measure in MEASURES.values()
        ]
        self.fields["group"].choices = group_choices()  # type: ignore[attr-defined]
        if fixed_group:
            # Opened from an alert: the alert decides the school and the group, the form only shows them.
            for name in ("school", "group"):
                self.fields[name].disabled = True

    def dimension_subgroup(self) -> tuple[str, str]:
        dimension, _sep, subgroup = str(self.cleaned_data["group"]).partition(":")
        return dimension, subgroup


class StepForm(forms.Form):
    """An action of a plan: what, who owns it, by when."""

    description = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label=_("Action"))
    owner = PersonChoiceField(queryset=User.objects.none(), label=_("Owner"), empty_label=None)
    due_on = forms.DateField(widget=DateInput, label=_("Due on"))

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    """The plan's status and goal, adjusted; `updated_at` is the version the page showed, so that a change
    someone else made meanwhile is reported, not overwritten."""

    status = forms.ChoiceField(choices=PlanStatus.choices, label=_("Status"))
    goal = forms.FloatField(label=_("Goal"))
    goal_on = forms.DateField(widget=DateInput, label=_("Goal date"))
    updated_at = forms.DateTimeField(widget=forms.HiddenInput)
