"""Forms of the progress pages: they parse input into the services' arguments; the services decide what is
allowed (a future date, an advancement without its requirements, an owner without the student in scope)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import DateInput
from waypoint.core.models import Section, User
from waypoint.policy import today
from waypoint.profiles.models import PlanGoal
from waypoint.progress.models import (
    ConferenceKind,
    ExemplarTrajectory,
    LargeScaleTest,
    SittingOutcome,
    SupportKind,
    TestingWindow,
)
from waypoint.progress.services import NextStepIn


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
