"""Every write of the catalog: providers, opportunities, and copies of best-practice templates. Each function
is one transaction; bad input raises `CatalogError` listing every problem, and nothing is written.

Who may call which service is decided by `waypoint.policy` in the views and the API; the services repeat the
checks that protect the data whoever calls them (only a district's curators add to its catalog) and enforce
dates, grades and places (never fewer than the places already held, `selectors.places_held`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from waypoint.catalog import career_clusters, cleaning
from waypoint.catalog.models import (
    Location,
    MeetingTime,
    Opportunity,
    OpportunityKind,
    Provider,
    ProviderKind,
)
from waypoint.catalog.selectors import places_held
from waypoint.core.errors import Invalid
from waypoint.core.models import Organization, User
from waypoint.frameworks.models import Competency, VersionStatus
from waypoint.frameworks.selectors import frameworks_in_use
from waypoint.policy.catalog import curated_districts, mentor_candidates


class CatalogError(Invalid):
    """A refused write; `problems` lists every reason, in words the person can act on."""


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise CatalogError(problems)


@dataclass(frozen=True)
class ProviderFields:
    name: str
    kind: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""
    mentor: User | None = None


def mentor_problem(mentor: User | None, district: Organization) -> str | None:
    """Why the user cannot be the mentor of an opportunity or a path in the district (None: they can)."""
    if mentor is not None and not mentor_candidates(district).filter(pk=mentor.pk).exists():
        return gettext("%(name)s is not an external mentor or teacher in %(district)s.") % {
            "name": mentor.display_name,
            "district": district.name,
        }
    return None


@transaction.atomic
def provider_save(
    *, district: Organization, fields: ProviderFields, provider: Provider | None = None
) -> Provider:
    """Create a provider in a district's catalog, or update one."""
    problems: list[str] = []
    name = cleaning.text(fields.name, gettext("The name"), problems, limit=200, required=True)
    if fields.kind not in ProviderKind.values:
        problems.append(
            gettext("Choose what kind of provider it is: school, college, employer or nonprofit.")
        )
    email = cleaning.text(fields.contact_email, gettext("The contact email"), problems, limit=254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(gettext("“%(email)s” is not an email address.") % {"email": email})
    website = cleaning.text(fields.website, gettext("The website"), problems, limit=200)
    if website and urlsplit(website).scheme not in ("http", "https"):
        problems.append(gettext("The website should start with https://."))
    unfit_mentor = mentor_problem(fields.mentor, district)
    if unfit_mentor:
        problems.append(unfit_mentor)
    clash = Provider.objects.filter(district=district, name__iexact=name)
    if provider is not None:
        clash = clash.exclude(pk=provider.pk)
    if name and clash.exists():
        problems.append(
            gettext("%(district)s already has a provider called “%(name)s”.")
            % {"district": district.name, "name": name}
        )
    values = {
        "name": name,
        "kind": fields.kind,
        "contact_name": cleaning.text(fields.contact_name, gettext("The contact name"), problems, limit=200),
        "contact_email": email,
        "contact_phone": cleaning.text(fields.contact_phone, gettext("The phone number"), problems, limit=40),
        "website": website,
        "mentor": fields.mentor,
    }
    _refuse_if(problems)
    if provider is None:
        return Provider.objects.create(district=district, **values)
    for attribute, value in values.items():
        setattr(provider, attribute, value)
    provider.save()
    return provider


@dataclass(frozen=True)
class OpportunityFields:
    title: str
    kind: str
    provider: Provider
    location: str
    description: str = ""
    topics: Sequence[str] = ()
    location_detail: str = ""
    times: Sequence[str] = ()
    schedule_notes: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    hours_per_week: int | None = None
    capacity: int | None = None
    min_grade: int | None = None
    max_grade: int | None = None
    competencies: Sequence[Competency] = ()
    prerequisites: Sequence[Competency] = ()
    cost_notes: str = ""
    transport_provided: bool = False
    transport_notes: str = ""
    career_cluster: str = ""
    mentor: User | None = None
    is_active: bool = True
    shared_as_template: bool = False


def _opportunity_values(
    district: Organization, fields: OpportunityFields, opportunity: Opportunity | None
) -> dict[str, object]:
    problems: list[str] = []
    title = cleaning.text(fields.title, gettext("The title"), problems, limit=200, required=True)
    if fields.kind not in OpportunityKind.values:
        problems.append(gettext("Choose the type of opportunity."))
    if fields.location not in Location.values:
        problems.append(gettext("Choose where it happens: on campus, in the community or online."))
    if fields.provider.district_id != district.pk:
        problems.append(gettext("The provider belongs to another district’s catalog."))
    cleaning.dates_ordered(fields.starts_on, fields.ends_on, "opportunity", problems)
    for wrong_grade, grade in (
        (gettext_noop("The lowest grade must be from 0 (kindergarten) to 13."), fields.min_grade),
        (gettext_noop("The highest grade must be from 0 (kindergarten) to 13."), fields.max_grade),
    ):
        if grade is not None and not 0 <= grade <= 13:
            problems.append(gettext(wrong_grade))
    if fields.min_grade is not None and fields.max_grade is not None and fields.min_grade > fields.max_grade:
        problems.append(gettext("The lowest grade is above the highest grade."))
    if fields.capacity is not None and fields.capacity < 1:
        problems.append(gettext("The number of places must be at least 1 (leave it empty for no limit)."))
    if fields.hours_per_week is not None and not 0 < fields.hours_per_week <= 80:
        problems.append(gettext("Hours per week must be from 1 to 80."))
    if opportunity is not None and fields.capacity is not None:
        taken = places_held(opportunity)
        if fields.capacity < taken:
            problems.append(
                ngettext(
                    "%(count)s student already holds a place: the number of places cannot be below that.",
                    "%(count)s students already hold places: the number of places cannot be below that.",
                    taken,
                )
                % {"count": taken}
            )
    if fields.career_cluster and fields.career_cluster not in career_clusters.CODES:
        problems.append(
            gettext("“%(cluster)s” is not one of the 16 career clusters.")
            % {"cluster": fields.career_cluster}
        )
    for not_published, competencies in (
        (
            gettext_noop("A competency it can evidence (%(name)s) is not in a published framework version."),
            fields.competencies,
        ),
        (
            gettext_noop("A prerequisite competency (%(name)s) is not in a published framework version."),
            fields.prerequisites,
        ),
    ):
        unpublished = [c for c in competencies if c.version.status != VersionStatus.PUBLISHED]
        if unpublished:
            name = unpublished[0].human_code or unpublished[0].short_statement
            problems.append(gettext(not_published) % {"name": name})
    unfit_mentor = mentor_problem(fields.mentor, district)
    if unfit_mentor:
        problems.append(unfit_mentor)
    values: dict[str, object] = {
        "title": title,
        "kind": fields.kind,
        "provider": fields.provider,
        "description": cleaning.text(fields.description, gettext("The description"), problems, limit=8000),
        "topics": cleaning.words(fields.topics, gettext("Topics"), problems),
        "location": fields.location,
        "location_detail": cleaning.text(fields.location_detail, gettext("The place"), problems, limit=300),
        "times": cleaning.choices(fields.times, MeetingTime.values, gettext("Times"), problems),
        "schedule_notes": cleaning.text(fields.schedule_notes, gettext("The schedule"), problems, limit=300),
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
        "hours_per_week": fields.hours_per_week,
        "capacity": fields.capacity,
        "min_grade": fields.min_grade,
        "max_grade": fields.max_grade,
        "cost_notes": cleaning.text(fields.cost_notes, gettext("The cost notes"), problems, limit=300),
        "transport_provided": fields.transport_provided,
        "transport_notes": cleaning.text(
            fields.transport_notes, gettext("The transport notes"), problems, limit=300
        ),
        "career_cluster": fields.career_cluster,
        "mentor": fields.mentor,
        "is_active": fields.is_active,
        "shared_as_template": fields.shared_as_template,
    }
    _refuse_if(problems)
    return values


@transaction.atomic
def opportunity_save(
    *,
    district: Organization,
    fields: OpportunityFields,
    actor: User | None,
    opportunity: Opportunity | None = None,
) -> Opportunity:
    """Create an opportunity in a district's catalog, or update one."""
    if opportunity is not None:
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    values = _opportunity_values(district, fields, opportunity)
    if opportunity is None:
        opportunity = Opportunity.objects.create(district=district, created_by=actor, **values)
    else:
        for name, value in values.items():
            setattr(opportunity, name, value)
        opportunity.updated_at = timezone.now()
        opportunity.save()
    opportunity.competencies.set(fields.competencies)
    opportunity.prerequisites.set(fields.prerequisites)
    return opportunity


def usable_competencies(district: Organization, competencies: Sequence[Competency]) -> list[Competency]:
    """The competencies a district can evidence: those of frameworks it owns or adopts, or its state's."""
    in_use = set(frameworks_in_use(district).values_list("id", flat=True))
    return [competency for competency in competencies if competency.version.framework_id in in_use]


@transaction.atomic
def opportunity_copy(
    *, template: Opportunity, district: Organization, provider: Provider, actor: User | None
) -> tuple[Opportunity, int]:
    """Copy a best-practice template into a district's catalog with one of its providers; returns the copy
    and how many competencies were left out because the district does not use their framework."""
    if not template.shared_as_template and template.district_id != district.pk:
        raise CatalogError(
            gettext("Only an opportunity shared as a best practice can be copied to another district.")
        )
    if actor is None or district.pk not in curated_districts(actor):
        raise CatalogError(gettext("Only teachers and administrators of a district add to its catalog."))
    competencies = list(template.competencies.select_related("version__framework"))
    prerequisites = list(template.prerequisites.select_related("version__framework"))
    kept = usable_competencies(district, competencies)
    kept_prerequisites = usable_competencies(district, prerequisites)
    copy = opportunity_save(
        district=district,
        actor=actor,
        fields=OpportunityFields(
            title=template.title,
            kind=template.kind,
            provider=provider,
            location=template.location,
            description=template.description,
            topics=template.topics,
            times=template.times,
            schedule_notes=template.schedule_notes,
            hours_per_week=template.hours_per_week,
            capacity=template.capacity,
            min_grade=template.min_grade,
            max_grade=template.max_grade,
            competencies=kept,
            prerequisites=kept_prerequisites,
            cost_notes=template.cost_notes,
            transport_provided=template.transport_provided,
            transport_notes=template.transport_notes,
            career_cluster=template.career_cluster,
        ),
    )
    copy.copied_from = template
    copy.save(update_fields=["copied_from"])
    return copy, len(competencies) - len(kept) + len(prerequisites) - len(kept_prerequisites)
