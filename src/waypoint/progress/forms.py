"""Forms of the progress pages: they parse input into the services' arguments; the services decide what is
allowed (a future date, an advancement without its requirements, an owner without the student in scope)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import DateInput
from waypoint.core.models import Section, User
from waypoint.frameworks.models import Competency, FrameworkKind
from waypoint.policy import today
from waypoint.profiles.models import PlanGoal
from waypoint.progress.models import (
    AdvancementRule,
    ConferenceKind,
    ExemplarTrajectory,
    InquirySettings,
    LargeScaleTest,
    SittingOutcome,
    SupportKind,
    TestingWindow,
)
from waypoint.progress.services import LIMITS, NextStepIn
from waypoint.progress.trajectory import DEFAULT_TARGET_YEARS, TARGET_YEARS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class UsersChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SectionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Section) -> str:
        return f"{obj.title} ({obj.course_code})" if obj.course_code else obj.title


class AdvanceForm(forms.Form):
    to_section = SectionChoice(queryset=Section.objects.none(), label=_("Next section"), empty_label=None)
    advanced_on = forms.DateField(widget=DateInput, label=_("Advances on"), initial=today)
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason to advance without every requirement"),
        help_text=_("Only when a requirement is not met. The reason is kept on the student’s record."),
    )

    def __init__(self, *args: object, sections: Iterable[Section], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        chosen = Section.objects.filter(pk__in=[s.pk for s in sections]).order_by("title")
        self.fields["to_section"].queryset = chosen  # type: ignore[attr-defined]


class ReadyForm(forms.Form):
    test = forms.ModelChoiceField(queryset=LargeScaleTest.objects.none(), label=_("Test"), empty_label=None)
    window = forms.ModelChoiceField(
        queryset=TestingWindow.objects.none(),
        required=False,
        label=_("Testing window"),
        empty_label=_("The next window"),
    )

    def __init__(
        self,
        *args: object,
        tests: QuerySet[LargeScaleTest],
        windows: QuerySet[TestingWindow],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["test"].queryset = tests  # type: ignore[attr-defined]
        self.fields["window"].queryset = windows  # type: ignore[attr-defined]


class SittingForm(forms.Form):
    sat_on = forms.DateField(widget=DateInput, label=_("Sat the test on"), initial=today)
    outcome = forms.ChoiceField(choices=SittingOutcome.choices, label=_("Outcome"))
    score = forms.CharField(required=False, max_length=64, label=_("Score"))


class SupportForm(forms.Form):
    kind = forms.ChoiceField(choices=SupportKind.choices, label=_("Kind of support"))
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label=_("What it is")
    )
    owner = UserChoice(queryset=User.objects.none(), label=_("Owner"), empty_label=None)
    starts_on = forms.DateField(widget=DateInput, label=_("Starts on"), initial=today)
    ends_on = forms.DateField(widget=DateInput, required=False, label=_("Ends on"))
    follow_up_on = forms.DateField(
        widget=DateInput,
        label=_("Follow-up on"),
        help_text=_("On this day the owner checks whether the condition behind the alert has cleared."),
    )

    def __init__(self, *args: object, owners: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("follow_up_on", today() + datetime.timedelta(days=28))


class FollowUpForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Follow-up note")
    )


class ConferenceForm(forms.Form):
    kind = forms.ChoiceField(choices=ConferenceKind.choices, widget=forms.RadioSelect, label=_("Kind"))
    scheduled_for = forms.DateTimeField(widget=DateTimeInput(), label=_("Date and time"))
    attendees = UsersChoice(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who is invited"),
        help_text=_("The student, their guardians and their staff. Each is told by a notification."),
    )

    def __init__(self, *args: object, people: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["attendees"].queryset = people  # type: ignore[attr-defined]
        if not self.is_bound:
            soon = timezone.localtime() + datetime.timedelta(days=7)
            self.initial.setdefault(
                "scheduled_for", soon.replace(hour=15, minute=30, second=0, microsecond=0)
            )


STEP_MILESTONE = "milestone"
STEP_SUPPORT = "support"


class RecordForm(forms.Form):
    held_on = forms.DateField(widget=DateInput, label=_("Held on"), initial=today)
    notes = forms.CharField(max_length=8000, widget=forms.Textarea(attrs={"rows": 5}), label=_("Notes"))
    attended = UsersChoice(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who came"),
    )

    def __init__(self, *args: object, people: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["attended"].queryset = people  # type: ignore[attr-defined]


class NextStepForm(forms.Form):
    text = forms.CharField(required=False, max_length=500, label=_("Next step"))
    becomes = forms.ChoiceField(
        choices=[(STEP_MILESTONE, _("A success-plan milestone")), (STEP_SUPPORT, _("A support"))],
        initial=STEP_MILESTONE,
        label=_("It becomes"),
    )
    goal = forms.ModelChoiceField(
        queryset=PlanGoal.objects.none(),
        required=False,
        label=_("Under the goal"),
        empty_label=_("A new academic goal"),
    )
    due = forms.DateField(widget=DateInput, required=False, label=_("By"))
    support_kind = forms.ChoiceField(
        choices=[("", _("Not a support")), *SupportKind.choices], required=False, label=_("Kind of support")
    )
    owner = UserChoice(queryset=User.objects.none(), required=False, label=_("Support owner"))

    def __init__(
        self, *args: object, goals: QuerySet[PlanGoal], owners: QuerySet[User], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def step(self) -> NextStepIn | None:
        data = self.cleaned_data
        if not data.get("text"):
            return None
        if data["becomes"] == STEP_SUPPORT:
            return NextStepIn(
                text=data["text"],
                due=data["due"],
                support_kind=data["support_kind"] or SupportKind.OTHER,
                support_owner=data["owner"],
            )
        return NextStepIn(text=data["text"], due=data["due"], goal=data["goal"])


NextStepFormSet = forms.formset_factory(NextStepForm, extra=3, max_num=6, validate_max=True)


class ShareForm(forms.Form):
    guardians = UsersChoice(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Share the notes with"),
        help_text=_("Each reads them on the conference page, in their own language’s page."),
    )

    def __init__(self, *args: object, guardians: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["guardians"].queryset = guardians  # type: ignore[attr-defined]


class TaskDoneForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("What the school did"),
    )


class PracticeForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    write_up = forms.CharField(
        max_length=20000, widget=forms.Textarea(attrs={"rows": 8}), label=_("The practice")
    )
    for_struggling = forms.CharField(
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("What it did for students who struggle"),
    )
    exemplars = forms.ModelMultipleChoiceField(
        queryset=ExemplarTrajectory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Exemplar trajectories attached"),
    )
    published = forms.BooleanField(required=False, initial=True, label=_("Publish it for every district"))

    def __init__(self, *args: object, exemplars: QuerySet[ExemplarTrajectory], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["exemplars"].queryset = exemplars  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assignee = UserChoice(queryset=User.objects.none(), label=_("Assign to"), empty_label=None)

    def __init__(
        self, *args: object, staff: QuerySet[User], candidates: QuerySet[User], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["assignee"]
        # Any of the district's staff is parsed, so the service (which decides) says why someone without
        # the student in scope is refused; only those who guide the student are offered.
        field.queryset = staff  # type: ignore[attr-defined]
        field.widget.choices = [(user.pk, user.display_name) for user in candidates]


# District administration ----------------------------------------------------------------------------------

# Each threshold's label and what it does; the allowed range comes from `services.LIMITS`.
THRESHOLDS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    "pace_window_weeks": (
        _("Pace window (weeks)"),
        _("How far back pace is measured: competencies reaching mastery per month over these weeks."),
    ),
    "no_evidence_weeks": (
        _("Weeks without evidence"),
        _("A student with no new evidence for this many weeks raises an alert."),
    ),
    "stuck_attempts": (
        _("Scored attempts before stuck"),
        _("A student still below mastery on a competency after this many scored attempts raises an alert."),
    ),
    "ahead_months": (
        _("Months ahead"),
        _("A student projected to graduate at least this many months before their target is ahead."),
    ),
    "at_risk_months": (
        _("Months late for at risk"),
        _("A student projected up to this many months after their target is at risk; later is off track."),
    ),
    "subgroup_min_pace": (
        _("Lowest subgroup pace"),
        _("Competencies mastered per month. A group whose median pace is below it raises an alert."),
    ),
    "subgroup_margin": (
        _("Subgroup margin"),
        _(
            "A fraction of the school’s median pace (0.25 is a quarter). A group this far below its school "
            "raises an alert."
        ),
    ),
    "min_cell_size": (
        _("Smallest reporting group"),
        _("Groups with fewer students are not compared, so no student can be singled out."),
    ),
    "exemplar_min_students": (
        _("Students behind an exemplar"),
        _("An exemplar trajectory shows a month only when at least this many students share it."),
    ),
}
# Thresholds stored as fractions or rates; the others are whole numbers.
FRACTIONAL = {"subgroup_min_pace", "subgroup_margin"}


def _range_help(name: str, help_text: str) -> str:
    low, high = LIMITS[name]
    return _("%(help)s Allowed: %(low)s to %(high)s.") % {
        "help": help_text,
        "low": f"{low:g}",
        "high": f"{high:g}",
    }


class InquirySettingsForm(forms.Form):
    """Parses each threshold as a number; whether it can hold is the service's to say (`LIMITS`)."""

    requirement_kinds = forms.MultipleChoiceField(
        choices=FrameworkKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one kind of framework that counts toward graduation.")
        },
        label=_("Frameworks that count toward graduation"),
        help_text=_("The leaf competencies of their latest published versions, each at the mastery level."),
    )

    def __init__(self, *args: object, settings: InquirySettings, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, (label, help_text) in THRESHOLDS.items():
            low, high = LIMITS[name]
            kind = forms.FloatField if name in FRACTIONAL else forms.IntegerField
            self.fields[name] = kind(
                label=label,
                help_text=_range_help(name, str(help_text)),
                widget=forms.NumberInput(
                    attrs={
                        "min": f"{low:g}",
                        "max": f"{high:g}",
                        "step": "any" if name in FRACTIONAL else "1",
                    }
                ),
            )
            self.initial.setdefault(name, getattr(settings, name))
        self.initial.setdefault("requirement_kinds", settings.kinds)

    def values(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in ["requirement_kinds", *THRESHOLDS]}


class AdvancementRuleForm(forms.Form):
    course_code = forms.CharField(max_length=64, label=_("Course code"))
    next_course_code = forms.CharField(
        max_length=64, label=_("Next course code"), help_text=_("The course a student moves on to.")
    )
    title = forms.CharField(max_length=200, required=False, label=_("Title"))

    def __init__(self, *args: object, rule: AdvancementRule | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if rule is not None:
            self.initial.update(
                course_code=rule.course_code, next_course_code=rule.next_course_code, title=rule.title
            )
            # A rule is kept per course code: changing the code would write another course's rule.
            self.fields["course_code"].disabled = True


class CompetencyChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Competency) -> str:
        return str(obj)


def competency_choices(competencies: QuerySet[Competency]) -> list[tuple[int | str, str]]:
    """The choices of every requirement row, read once for the whole formset."""
    return [("", gettext("None")), *((c.pk, str(c)) for c in competencies)]


class RequirementForm(forms.Form):
    competency = CompetencyChoice(queryset=Competency.objects.none(), required=False, label=_("Competency"))
    min_level = forms.FloatField(
        required=False,
        label=_("Lowest level"),
        help_text=_("Leave it empty to require the mastery level."),
    )

    def __init__(
        self,
        *args: object,
        competencies: QuerySet[Competency],
        choices: list[tuple[int | str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["competency"]
        field.queryset = competencies  # type: ignore[attr-defined]
        field.choices = choices  # type: ignore[attr-defined]


class BaseRequirementFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        chosen = [
            form.cleaned_data["competency"] for form in self.forms if form.cleaned_data.get("competency")
        ]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Name each competency once."))

    def requirements(self) -> list[tuple[Competency, float | None]]:
        return [
            (form.cleaned_data["competency"], form.cleaned_data["min_level"])
            for form in self.forms
            if form.cleaned_data.get("competency")
        ]


RequirementFormSet = forms.formset_factory(
    RequirementForm, formset=BaseRequirementFormSet, extra=4, max_num=40, validate_max=True
)


class ExemplarForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    target_years = forms.TypedChoiceField(
        coerce=int, initial=DEFAULT_TARGET_YEARS, label=_("Students aiming to graduate in")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["target_years"].choices = [  # type: ignore[attr-defined]
            (years, gettext("%(years)s years") % {"years": years}) for years in TARGET_YEARS
        ]
