"""Forms of the pathways pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from waypoint.core.models import Organization, User
from waypoint.frameworks.models import Competency, FrameworkAdoption, Tier, VersionStatus
from waypoint.pathways import career_clusters
from waypoint.pathways.models import (
    GoalDomain,
    GoalMilestone,
    GoalStatus,
    LearnerProfile,
    LearningPreference,
    Location,
    MeetingTime,
    MilestoneStatus,
    Opportunity,
    OpportunityKind,
    PathProposal,
    PlanGoal,
    PostsecondaryGoal,
    Provider,
    ProviderKind,
)
from waypoint.pathways.services import (
    GoalFields,
    MilestoneSpec,
    OpportunityFields,
    ProfileFields,
    ProposalFields,
    ProviderFields,
)
from waypoint.policy import today

YES_NO_UNSAID = [("yes", "Yes"), ("no", "No"), ("", "I’d rather not say")]
GRADE_CHOICES = [("", "Any"), *((str(grade), f"Grade {grade}") for grade in range(6, 13))]


class DateInput(forms.DateInput):
    input_type = "date"


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of user, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class GoalChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A choice of success plan goals, shown with their domain."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_domain_display()}: {obj.statement}"


def _phrases(text: str) -> list[str]:
    """Phrases typed separated by commas or on separate lines."""
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _said(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def district_competencies(district: Organization) -> QuerySet[Competency]:
    """The competencies (not domains) of the published versions of frameworks a district owns or adopts, or
    its state's: what its catalog and its students' paths can name."""
    adopted = FrameworkAdoption.objects.filter(district=district).values("framework_id")
    return Competency.objects.filter(
        Q(version__framework__owner_id__in=[district.pk, district.parent_id])
        | Q(version__framework_id__in=adopted),
        version__status=VersionStatus.PUBLISHED,
    ).exclude(tier=Tier.DOMAIN)


class ProfileForm(forms.Form):
    interests = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you like to learn about or do, separated by commas: robotics, soccer, drawing…",
    )
    strengths = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you are good at, separated by commas.",
    )
    learning_preferences = forms.MultipleChoiceField(
        required=False,
        choices=LearningPreference.choices,
        widget=forms.CheckboxSelectMultiple,
        label="How I learn best",
    )
    aspirations = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="My hopes and dreams",
        help_text="Who you want to become, what you want to do after school.",
    )
    career_clusters = forms.MultipleChoiceField(
        required=False,
        choices=career_clusters.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Career areas I am curious about",
    )
    postsecondary_goal = forms.ChoiceField(
        choices=PostsecondaryGoal.choices,
        label="After high school, I plan to…",
        initial=PostsecondaryGoal.UNDECIDED,
    )
    postsecondary_detail = forms.CharField(
        required=False,
        max_length=300,
        label="More about that plan",
        help_text="A college, a trade, a program…",
    )
    has_home_device = forms.ChoiceField(
        choices=YES_NO_UNSAID,
        required=False,
        widget=forms.RadioSelect,
        label="Do you have a computer or tablet you can use at home?",
    )
    has_home_internet = forms.ChoiceField(
        choices=YES_NO_UNSAID, required=False, widget=forms.RadioSelect, label="Do you have internet at home?"
    )
    transport_is_hard = forms.BooleanField(
        required=False, label="Getting to places outside school (after school or on weekends) is hard for me"
    )
    free_times = forms.MultipleChoiceField(
        required=False,
        choices=MeetingTime.choices,
        widget=forms.CheckboxSelectMultiple,
        label="When I am free",
    )
    schedule_notes = forms.CharField(
        required=False,
        max_length=300,
        label="Anything else about my schedule",
        help_text="A job, caring for family, a team practice…",
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
            interests=_phrases(data["interests"]),
            strengths=_phrases(data["strengths"]),
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
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The student and their guardians read it.",
    )


class GoalForm(forms.Form):
    domain = forms.ChoiceField(
        choices=GoalDomain.choices,
        widget=forms.RadioSelect,
        label="Domain",
        error_messages={
            "required": "Choose the goal’s domain: academic, career, or social, emotional and physical."
        },
    )
    statement = forms.CharField(
        max_length=2000, label="Goal", widget=forms.Textarea(attrs={"rows": 2}), help_text="“I will …”"
    )
    target_date = forms.DateField(required=False, widget=DateInput, label="Target date")
    status = forms.ChoiceField(choices=GoalStatus.choices, initial=GoalStatus.NOT_STARTED)
    evidence_links = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Evidence links",
        help_text="Links to work that shows progress, one per line (https://… or a Waypoint page).",
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
    description = forms.CharField(max_length=500, required=False, label="Milestone")
    target_date = forms.DateField(required=False, widget=DateInput, label="By")
    status = forms.ChoiceField(choices=MilestoneStatus.choices, initial=MilestoneStatus.PLANNED)

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
    reviewed_on = forms.DateField(widget=DateInput, label="Reviewed on", initial=today)
    notes = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="What was agreed"
    )


class ProviderForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ProviderKind.choices, label="Kind of provider")
    contact_name = forms.CharField(max_length=200, required=False, label="Contact person")
    contact_email = forms.EmailField(max_length=254, required=False, label="Contact email")
    contact_phone = forms.CharField(max_length=40, required=False, label="Contact phone")
    website = forms.URLField(max_length=200, required=False, assume_scheme="https")
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No mentor account",
        label="External mentor account",
        help_text="While a student’s path here is active, this account sees that student’s evidence for it.",
    )

    def __init__(self, *args: Any, mentors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mentor_field = self.fields["mentor"]
        assert isinstance(mentor_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        mentor_field.queryset = mentors.order_by("last_name", "first_name")

    @staticmethod
    def initial_for(provider: Provider) -> dict[str, object]:
        return {
            "name": provider.name,
            "kind": provider.kind,
            "contact_name": provider.contact_name,
            "contact_email": provider.contact_email,
            "contact_phone": provider.contact_phone,
            "website": provider.website,
            "mentor": provider.mentor_id,
        }

    def provider_fields(self) -> ProviderFields:
        data = self.cleaned_data
        return ProviderFields(
            name=data["name"],
            kind=data["kind"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            website=data["website"],
            mentor=data["mentor"],
        )


class OpportunityForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=OpportunityKind.choices, label="Type")
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), empty_label="Choose a provider")
    description = forms.CharField(required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    topics = forms.CharField(
        required=False,
        max_length=2000,
        help_text="Words students’ interests are matched to, separated by commas: robotics, animals, film…",
    )
    career_cluster = forms.ChoiceField(choices=[("", "None"), *career_clusters.CHOICES], required=False)
    competencies = forms.CharField(
        required=False,
        max_length=2000,
        label="Competencies it can evidence",
        help_text="Codes separated by commas, e.g. GP.COL.1, SCI.ENG.2 (from your district’s frameworks).",
    )
    prerequisites = forms.CharField(
        required=False,
        max_length=2000,
        label="Prerequisite competencies",
        help_text="Codes of competencies a student must have mastered first.",
    )
    min_grade = forms.TypedChoiceField(
        choices=GRADE_CHOICES, coerce=int, empty_value=None, required=False, label="Lowest grade"
    )
    max_grade = forms.TypedChoiceField(
        choices=GRADE_CHOICES, coerce=int, empty_value=None, required=False, label="Highest grade"
    )
    location = forms.ChoiceField(choices=Location.choices, label="Where")
    location_detail = forms.CharField(required=False, max_length=300, label="Address or platform")
    times = forms.MultipleChoiceField(
        required=False,
        choices=MeetingTime.choices,
        widget=forms.CheckboxSelectMultiple,
        label="When it meets",
    )
    schedule_notes = forms.CharField(required=False, max_length=300, label="Schedule")
    starts_on = forms.DateField(required=False, widget=DateInput, label="Starts on")
    ends_on = forms.DateField(required=False, widget=DateInput, label="Ends on")
    hours_per_week = forms.IntegerField(required=False, min_value=1, max_value=80, label="Hours per week")
    capacity = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, label="Places", help_text="Leave empty for no limit."
    )
    cost_notes = forms.CharField(
        required=False, max_length=300, label="Cost", help_text="Fees and who pays them."
    )
    transport_provided = forms.BooleanField(required=False, label="Transport is provided")
    transport_notes = forms.CharField(required=False, max_length=300, label="Getting there")
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="The provider’s mentor",
        label="External mentor account",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Offered to students now")
    shared_as_template = forms.BooleanField(
        required=False,
        label="Share as a best practice",
        help_text="Other districts can copy it into their catalog. No student information is shared.",
    )

    def __init__(self, *args: Any, district: Organization, mentors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        provider_field = self.fields["provider"]
        mentor_field = self.fields["mentor"]
        assert isinstance(provider_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        assert isinstance(mentor_field, forms.ModelChoiceField)  # noqa: S101
        provider_field.queryset = Provider.objects.filter(district=district).order_by("name")
        mentor_field.queryset = mentors.order_by("last_name", "first_name")

    def _codes(self, name: str) -> list[Competency]:
        codes = _phrases(self.cleaned_data.get(name, ""))
        if not codes:
            return []
        found: dict[str, Competency] = {}
        for competency in (
            district_competencies(self.district)
            .filter(human_code__in=codes)
            .select_related("version__framework")
        ):
            found.setdefault(competency.human_code, competency)
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(
                f"No competency with the code {', '.join(missing)} in your district’s published frameworks."
            )
        return [found[code] for code in codes]

    def clean_competencies(self) -> list[Competency]:
        return self._codes("competencies")

    def clean_prerequisites(self) -> list[Competency]:
        return self._codes("prerequisites")

    @staticmethod
    def initial_for(opportunity: Opportunity) -> dict[str, object]:
        return {
            "title": opportunity.title,
            "kind": opportunity.kind,
            "provider": opportunity.provider_id,
            "description": opportunity.description,
            "topics": ", ".join(opportunity.topics),
            "career_cluster": opportunity.career_cluster,
            "competencies": ", ".join(c.human_code for c in opportunity.competencies.all()),
            "prerequisites": ", ".join(c.human_code for c in opportunity.prerequisites.all()),
            "min_grade": opportunity.min_grade,
            "max_grade": opportunity.max_grade,
            "location": opportunity.location,
            "location_detail": opportunity.location_detail,
            "times": opportunity.times,
            "schedule_notes": opportunity.schedule_notes,
            "starts_on": opportunity.starts_on,
            "ends_on": opportunity.ends_on,
            "hours_per_week": opportunity.hours_per_week,
            "capacity": opportunity.capacity,
            "cost_notes": opportunity.cost_notes,
            "transport_provided": opportunity.transport_provided,
            "transport_notes": opportunity.transport_notes,
            "mentor": opportunity.mentor_id,
            "is_active": opportunity.is_active,
            "shared_as_template": opportunity.shared_as_template,
        }

    def opportunity_fields(self) -> OpportunityFields:
        data = self.cleaned_data
        return OpportunityFields(
            title=data["title"],
            kind=data["kind"],
            provider=data["provider"],
            location=data["location"],
            description=data["description"],
            topics=_phrases(data["topics"]),
            location_detail=data["location_detail"],
            times=data["times"],
            schedule_notes=data["schedule_notes"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            hours_per_week=data["hours_per_week"],
            capacity=data["capacity"],
            min_grade=data["min_grade"],
            max_grade=data["max_grade"],
            competencies=data["competencies"],
            prerequisites=data["prerequisites"],
            cost_notes=data["cost_notes"],
            transport_provided=data["transport_provided"],
            transport_notes=data["transport_notes"],
            career_cluster=data["career_cluster"],
            mentor=data["mentor"],
            is_active=data["is_active"],
            shared_as_template=data["shared_as_template"],
        )


class CopyForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        empty_label="Choose a provider",
        label="Your provider for it",
        help_text="Who offers it in your district. Add a provider first if it is new.",
    )

    def __init__(self, *args: Any, district: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        provider_field.queryset = Provider.objects.filter(district=district).order_by("name")


class CatalogFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any type"), *OpportunityKind.choices], label="Type"
    )
    location = forms.ChoiceField(required=False, choices=[("", "Anywhere"), *Location.choices], label="Where")
    career_cluster = forms.ChoiceField(
        required=False, choices=[("", "Any career area"), *career_clusters.CHOICES], label="Career area"
    )
    grade = forms.TypedChoiceField(
        required=False, choices=GRADE_CHOICES, coerce=int, empty_value=None, label="Grade"
    )
    with_places = forms.BooleanField(required=False, label="Only with places left")


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
