"""Forms of the path pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import QuerySet

from waypoint.catalog.forms import DateInput, PersonChoiceField
from waypoint.catalog.models import Opportunity
from waypoint.core.models import Organization, User
from waypoint.frameworks.models import Competency, Tier
from waypoint.frameworks.selectors import district_competencies
from waypoint.pathways.models import PathProposal
from waypoint.pathways.services import ProposalFields
from waypoint.policy import today
from waypoint.profiles.models import PlanGoal


class GoalChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A choice of success plan goals, shown with their domain."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_domain_display()}: {obj.statement}"


class ProposalForm(forms.Form):
    """A proposal for a catalog opportunity (`opportunity` given) or an independent study (not given)."""

    title = forms.CharField(max_length=200, label="Title of your independent study")
    question = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="The question you will explore"
    )
    texts = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Texts and resources",
        help_text="Books, articles, videos, people you will learn from.",
    )
    product = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What you will make or show at the end",
    )
    competencies = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label="Competencies it will show"
    )
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose later with my advisor",
        label="Mentor",
        help_text="A teacher or an external mentor in your district.",
    )
    rationale = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why this path?",
        help_text="How it fits your interests, strengths and goals.",
    )
    goals = GoalChoiceField(
        queryset=PlanGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Goals of your success plan it serves",
    )
    starts_on = forms.DateField(widget=DateInput, label="Start")
    ends_on = forms.DateField(widget=DateInput, label="End")

    INDEPENDENT_ONLY = ("title", "question", "texts", "product", "competencies", "mentor")

    def __init__(
        self,
        *args: Any,
        student_district: Organization,
        goals: QuerySet[PlanGoal],
        mentors: QuerySet[User],
        opportunity: Opportunity | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        if opportunity is not None:
            for name in self.INDEPENDENT_ONLY:
                del self.fields[name]
        else:
            grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for competency in (
                district_competencies(student_district)
                .filter(tier=Tier.COMPETENCY)
                .exclude(version__framework__kind="standards")
                .select_related("version__framework")
                .order_by("version__framework__title", "path")
            ):
                statement = competency.student_statement or competency.short_statement
                grouped[competency.version.framework.title].append(
                    (str(competency.pk), f"{competency.human_code} {statement}".strip())
                )
            competency_field = self.fields["competencies"]
            assert isinstance(competency_field, forms.MultipleChoiceField)  # noqa: S101  (declared above)
            competency_field.choices = list(grouped.items())
            mentor_field = self.fields["mentor"]
            assert isinstance(mentor_field, forms.ModelChoiceField)  # noqa: S101
            mentor_field.queryset = mentors.order_by("last_name", "first_name")
        goal_field = self.fields["goals"]
        assert isinstance(goal_field, forms.ModelMultipleChoiceField)  # noqa: S101
        goal_field.queryset = goals

    @staticmethod
    def initial_for(path: PathProposal) -> dict[str, object]:
        return {
            "title": path.title,
            "question": path.question,
            "texts": path.texts,
            "product": path.product,
            "competencies": [str(c.pk) for c in path.competencies.all()],
            "mentor": path.mentor_id,
            "rationale": path.rationale,
            "goals": [goal.pk for goal in path.goals.all()],
            "starts_on": path.starts_on,
            "ends_on": path.ends_on,
        }

    @staticmethod
    def initial_dates(opportunity: Opportunity | None) -> dict[str, datetime.date]:
        """A path starts today, or when the opportunity starts if later; it ends when the opportunity ends,
        else after a school term (90 days)."""
        start = today()
        if opportunity is not None and opportunity.starts_on and opportunity.starts_on > start:
            start = opportunity.starts_on
        end = opportunity.ends_on if opportunity is not None and opportunity.ends_on else None
        return {
            "starts_on": start,
            "ends_on": end if end and end >= start else start + datetime.timedelta(days=90),
        }

    def proposal_fields(self, competencies: list[Competency]) -> ProposalFields:
        data = self.cleaned_data
        return ProposalFields(
            rationale=data["rationale"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            opportunity=self.opportunity,
            goals=list(data["goals"]),
            title=data.get("title", ""),
            question=data.get("question", ""),
            texts=data.get("texts", ""),
            product=data.get("product", ""),
            competencies=competencies,
            mentor=data.get("mentor"),
        )

    def chosen_competency_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data.get("competencies", [])]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("request_changes", "Ask for changes")],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    notes = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Notes for the student",
        help_text="Needed when you ask for changes: say what should change.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Note"
    )
