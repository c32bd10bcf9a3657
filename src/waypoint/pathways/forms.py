"""Forms of the path pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from waypoint.catalog.forms import DateInput, PersonChoiceField
from waypoint.catalog.models import Opportunity
from waypoint.core.models import Organization, User
from waypoint.evidence.forms import WorkFields
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

    title = forms.CharField(max_length=200, label=gettext_lazy("Title of your independent study"))
    question = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("The question you will explore"),
    )
    texts = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Texts and resources"),
        help_text=gettext_lazy("Books, articles, videos, people you will learn from."),
    )
    product = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("What you will make or show at the end"),
    )
    competencies = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Competencies it will show")
    )
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose later with my advisor"),
        label=gettext_lazy("Mentor"),
        help_text=gettext_lazy("A teacher or an external mentor in your district."),
    )
    rationale = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Why this path?"),
        help_text=gettext_lazy("How it fits your interests, strengths and goals."),
    )
    goals = GoalChoiceField(
        queryset=PlanGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Goals of your success plan it serves"),
    )
    starts_on = forms.DateField(widget=DateInput, label=gettext_lazy("Start"))
    ends_on = forms.DateField(widget=DateInput, label=gettext_lazy("End"))

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
        choices=[("approve", gettext_lazy("Approve")), ("request_changes", gettext_lazy("Ask for changes"))],
        widget=forms.RadioSelect,
        label=gettext_lazy("Your decision"),
    )
    notes = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Notes for the student"),
        help_text=gettext_lazy("Needed when you ask for changes: say what should change."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Note")
    )


class PathWorkForm(WorkFields):
    """Work added from a path's page: the student's own work, or (with `observation`) what its mentor saw;
    the competencies are those the path can show. The evidence services check everything again (files by
    content, one published framework version)."""

    competencies = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Competencies it shows"),
        help_text=gettext_lazy("From the competencies this path can show; all from one framework."),
        error_messages={"required": gettext_lazy("Choose at least one competency the work shows.")},
    )
    field_order = ["title", "body", "links", "attachments", "competencies"]

    def __init__(
        self, *args: Any, competencies: Sequence[Competency], observation: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "work")
        super().__init__(*args, **kwargs)
        field = self.fields["competencies"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101  (declared above)
        # The code in bold before the statement in normal weight, in one span so the choice row (a flex
        # line in `forms/_field.html`'s choice group) keeps them together beside the box.
        field.choices = [
            (
                c.pk,
                format_html(
                    "<span><code>{}</code> {}</span>", c.human_code, c.student_statement or c.short_statement
                )
                if c.human_code
                else c.student_statement or c.short_statement,
            )
            for c in competencies
        ]
        if len(competencies) == 1 and not self.is_bound:
            self.initial["competencies"] = [competencies[0].pk]
        self.fields["title"].label = gettext_lazy("Title")
        if observation:
            self.fields["title"].help_text = gettext_lazy(
                "What you observed, e.g. “Set up the lathe safely”."
            )
            self.fields["body"].label = gettext_lazy("What you observed")
            self.fields["body"].help_text = gettext_lazy(
                "What the student did and said, and what to work on next, in plain words."
            )
        else:
            self.fields["title"].help_text = gettext_lazy("e.g. “Week 3: my first CNC part”.")
