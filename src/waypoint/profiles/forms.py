"""Forms of the learner profile and success plan pages: they parse input; the services decide what is
allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from waypoint.catalog.forms import CAREER_CLUSTER_CHOICES, DateInput, phrases
from waypoint.catalog.models import MeetingTime
from waypoint.policy import today
from waypoint.profiles.models import (
    GoalDomain,
    GoalMilestone,
    GoalStatus,
    LearnerProfile,
    LearningPreference,
    MilestoneStatus,
    PlanGoal,
    PostsecondaryGoal,
)
from waypoint.profiles.services import GoalFields, MilestoneSpec, ProfileFields

YES_NO_UNSAID = [("yes", _("Yes")), ("no", _("No")), ("", _("I’d rather not say"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _said(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class ProfileForm(forms.Form):
    interests = forms.CharField(
        required=False,
        label=_("Interests"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you like to learn about or do, separated by commas: robotics, soccer, drawing…"),
    )
    strengths = forms.CharField(
        required=False,
        label=_("Strengths"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you are good at, separated by commas."),
    )
    learning_preferences = forms.MultipleChoiceField(
        required=False,
        choices=LearningPreference.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("How I learn best"),
    )
    aspirations = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("My hopes and dreams"),
        help_text=_("Who you want to become, what you want to do after school."),
    )
    career_clusters = forms.MultipleChoiceField(
        required=False,
        choices=CAREER_CLUSTER_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label=_("Career areas I am curious about"),
    )
    postsecondary_goal = forms.ChoiceField(
        choices=PostsecondaryGoal.choices,
        label=_("After high school, I plan to…"),
        initial=PostsecondaryGoal.UNDECIDED,
    )
    postsecondary_detail = forms.CharField(
        required=False,
        max_length=300,
        label=_("More about that plan"),
        help_text=_("A college, a trade, a program…"),
    )
    has_home_device = forms.ChoiceField(
        choices=YES_NO_UNSAID,
        required=False,
        widget=forms.RadioSelect,
        label=_("Do you have a computer or tablet you can use at home?"),
    )
    has_home_internet = forms.ChoiceField(
        choices=YES_NO_UNSAID,
        required=False,
        widget=forms.RadioSelect,
        label=_("Do you have internet at home?"),
    )
    transport_is_hard = forms.BooleanField(
        required=False,
        label=_("Getting to places outside school (after school or on weekends) is hard for me"),
    )
    free_times = forms.MultipleChoiceField(
        required=False,
        choices=MeetingTime.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("When I am free"),
    )
    schedule_notes = forms.CharField(
        required=False,
        max_length=300,
        label=_("Anything else about my schedule"),
        help_text=_("A job, caring for family, a team practice…"),
    )

    @staticmethod
    def initial_for(profile: LearnerProfile | None) -> dict[str, object]:
        if profile is None:
            return {}
        return {
            "interests": ", ".join(profile.interests),
            "strengths": ", ".join(profile.strengths),
            "learning_preferences": profile.learning_preferences,
            "aspirations": profile.aspirations,
            "career_clusters": profile.career_clusters,
            "postsecondary_goal": profile.postsecondary_goal,
            "postsecondary_detail": profile.postsecondary_detail,
            "has_home_device": _said(profile.has_home_device),
            "has_home_internet": _said(profile.has_home_internet),
            "transport_is_hard": profile.transport_is_hard,
            "free_times": profile.free_times,
            "schedule_notes": profile.schedule_notes,
        }

    def profile_fields(self) -> ProfileFields:
        data = self.cleaned_data
        return ProfileFields(
            interests=phrases(data["interests"]),
            strengths=phrases(data["strengths"]),
            learning_preferences=data["learning_preferences"],
            aspirations=data["aspirations"],
            career_clusters=data["career_clusters"],
            postsecondary_goal=data["postsecondary_goal"],
            postsecondary_detail=data["postsecondary_detail"],
            has_home_device=_yes_no(data["has_home_device"]),
            has_home_internet=_yes_no(data["has_home_internet"]),
            transport_is_hard=data["transport_is_hard"],
            free_times=data["free_times"],
            schedule_notes=data["schedule_notes"],
        )


class CommentForm(forms.Form):
    text = forms.CharField(
        max_length=4000,
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The student and their guardians read it."),
    )


class GoalForm(forms.Form):
    domain = forms.ChoiceField(
        choices=GoalDomain.choices,
        widget=forms.RadioSelect,
        label=_("Domain"),
        error_messages={
            "required": _("Choose the goal’s domain: academic, career, or social, emotional and physical.")
        },
    )
    statement = forms.CharField(
        max_length=2000, label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("“I will …”")
    )
    target_date = forms.DateField(required=False, widget=DateInput, label=_("Target date"))
    status = forms.ChoiceField(choices=GoalStatus.choices, initial=GoalStatus.NOT_STARTED, label=_("Status"))
    evidence_links = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Evidence links"),
        help_text=_("Links to work that shows progress, one per line (https://… or a Waypoint page)."),
    )

    @staticmethod
    def initial_for(goal: PlanGoal) -> dict[str, object]:
        return {
            "domain": goal.domain,
            "statement": goal.statement,
            "target_date": goal.target_date,
            "status": goal.status,
            "evidence_links": "\n".join(goal.evidence_links),
        }


class MilestoneForm(forms.Form):
    description = forms.CharField(max_length=500, required=False, label=_("Milestone"))
    target_date = forms.DateField(required=False, widget=DateInput, label=_("By"))
    status = forms.ChoiceField(
        choices=MilestoneStatus.choices, initial=MilestoneStatus.PLANNED, label=_("Status")
    )

    @staticmethod
    def initial_for(milestone: GoalMilestone) -> dict[str, object]:
        return {
            "description": milestone.description,
            "target_date": milestone.target_date,
            "status": milestone.status,
        }


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, max_num=12, validate_max=True)


def goal_fields(form: GoalForm, milestones: Any) -> GoalFields:
    data = form.cleaned_data
    return GoalFields(
        domain=data["domain"],
        statement=data["statement"],
        target_date=data["target_date"],
        status=data["status"],
        evidence_links=[line.strip() for line in data["evidence_links"].splitlines() if line.strip()],
        milestones=[
            MilestoneSpec(
                row.cleaned_data["description"], row.cleaned_data["target_date"], row.cleaned_data["status"]
            )
            for row in milestones
            if row.cleaned_data
            and (row.cleaned_data.get("description") or row.cleaned_data.get("target_date"))
        ],
    )


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(widget=DateInput, label=_("Reviewed on"), initial=today)
    notes = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label=_("What was agreed")
    )


class TargetForm(forms.Form):
    target_years = forms.TypedChoiceField(
        choices=[(3, _("3 years")), (4, _("4 years")), (5, _("5 years")), (6, _("6 years"))],
        coerce=int,
        label=_("Graduate from high school in"),
        help_text=_("High school can take 3 to 6 years. Pace and projections are measured against it."),
    )
