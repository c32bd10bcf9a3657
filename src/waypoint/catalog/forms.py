"""Forms of the catalog pages: they parse input; the services decide what is allowed. `DateInput`,
`PersonChoiceField` and `phrases` serve the profile and path forms too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from waypoint.catalog import career_clusters
from waypoint.catalog.models import (
    Location,
    MeetingTime,
    Opportunity,
    OpportunityKind,
    Provider,
    ProviderKind,
)
from waypoint.catalog.services import OpportunityFields, ProviderFields
from waypoint.core.models import Organization, User
from waypoint.frameworks.models import Competency
from waypoint.frameworks.selectors import district_competencies

GRADE_CHOICES = [
    ("", _("Any")),
    *((str(grade), format_lazy("{} {}", _("Grade"), grade)) for grade in range(6, 13)),
]
# The clusters' names are marked for the catalog in `career_clusters` (which stays free of Django) and
# translated here, when a form shows them.
CAREER_CLUSTER_CHOICES = [(code, _(name)) for code, name in career_clusters.CHOICES]


class DateInput(forms.DateInput):
    input_type = "date"


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of user, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def phrases(text: str) -> list[str]:
    """Phrases typed separated by commas or on separate lines."""
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class ProviderForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    kind = forms.ChoiceField(choices=ProviderKind.choices, label=_("Kind of provider"))
    contact_name = forms.CharField(max_length=200, required=False, label=_("Contact person"))
    contact_email = forms.EmailField(max_length=254, required=False, label=_("Contact email"))
    contact_phone = forms.CharField(max_length=40, required=False, label=_("Contact phone"))
    website = forms.URLField(max_length=200, required=False, assume_scheme="https", label=_("Website"))
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No mentor account"),
        label=_("External mentor account"),
        help_text=_(
            "While a student’s path here is active, this account sees that student’s evidence for it."
        ),
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
    title = forms.CharField(max_length=200, label=_("Title"))
    kind = forms.ChoiceField(choices=OpportunityKind.choices, label=_("Type"))
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), empty_label=_("Choose a provider"), label=_("Provider")
    )
    description = forms.CharField(
        required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Description")
    )
    topics = forms.CharField(
        required=False,
        label=_("Topics"),
        max_length=2000,
        help_text=_(
            "Words students’ interests are matched to, separated by commas: robotics, animals, film…"
        ),
    )
    career_cluster = forms.ChoiceField(
        choices=[("", _("None")), *CAREER_CLUSTER_CHOICES], required=False, label=_("Career area")
    )
    competencies = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Competencies it can evidence"),
        help_text=_("Codes separated by commas, e.g. GP.COL.1, SCI.ENG.2 (from your district’s frameworks)."),
    )
    prerequisites = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Prerequisite competencies"),
        help_text=_("Codes of competencies a student must have mastered first."),
    )
    min_grade = forms.TypedChoiceField(
        choices=GRADE_CHOICES, coerce=int, empty_value=None, required=False, label=_("Lowest grade")
    )
    max_grade = forms.TypedChoiceField(
        choices=GRADE_CHOICES, coerce=int, empty_value=None, required=False, label=_("Highest grade")
    )
    location = forms.ChoiceField(choices=Location.choices, label=_("Where"))
    location_detail = forms.CharField(required=False, max_length=300, label=_("Address or platform"))
    times = forms.MultipleChoiceField(
        required=False,
        choices=MeetingTime.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("When it meets"),
    )
    schedule_notes = forms.CharField(required=False, max_length=300, label=_("Schedule"))
    starts_on = forms.DateField(required=False, widget=DateInput, label=_("Starts on"))
    ends_on = forms.DateField(required=False, widget=DateInput, label=_("Ends on"))
    hours_per_week = forms.IntegerField(required=False, min_value=1, max_value=80, label=_("Hours per week"))
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        label=_("Places"),
        help_text=_("Leave empty for no limit."),
    )
    cost_notes = forms.CharField(
        required=False, max_length=300, label=_("Cost"), help_text=_("Fees and who pays them.")
    )
    transport_provided = forms.BooleanField(required=False, label=_("Transport is provided"))
    transport_notes = forms.CharField(required=False, max_length=300, label=_("Getting there"))
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The provider’s mentor"),
        label=_("External mentor account"),
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Offered to students now"))
    shared_as_template = forms.BooleanField(
        required=False,
        label=_("Share as a best practice"),
        help_text=_("Other districts can copy it into their catalog. No student information is shared."),
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
        codes = phrases(self.cleaned_data.get(name, ""))
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
                ngettext(
                    "No competency with the code %(codes)s in your district’s published frameworks.",
                    "No competencies with the codes %(codes)s in your district’s published frameworks.",
                    len(missing),
                )
                % {"codes": ", ".join(missing)}
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
            topics=phrases(data["topics"]),
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
        empty_label=_("Choose a provider"),
        label=_("Your provider for it"),
        help_text=_("Who offers it in your district. Add a provider first if it is new."),
    )

    def __init__(self, *args: Any, district: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        provider_field.queryset = Provider.objects.filter(district=district).order_by("name")


class CatalogFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    kind = forms.ChoiceField(
        required=False, choices=[("", _("Any type")), *OpportunityKind.choices], label=_("Type")
    )
    location = forms.ChoiceField(
        required=False, choices=[("", _("Anywhere")), *Location.choices], label=_("Where")
    )
    career_cluster = forms.ChoiceField(
        required=False, choices=[("", _("Any career area")), *CAREER_CLUSTER_CHOICES], label=_("Career area")
    )
    grade = forms.TypedChoiceField(
        required=False, choices=GRADE_CHOICES, coerce=int, empty_value=None, label=_("Grade")
    )
    with_places = forms.BooleanField(required=False, label=_("Only with places left"))
