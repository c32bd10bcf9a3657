"""API of the catalog: opportunities, best-practice templates and their copies, providers. The same selectors
and services as the pages; a refused write answers 400 listing every problem. The operations moved here from
the pathways API and kept their operation ids. `OpportunityOut`, `opportunity_out`, `competency_ref`,
`published_competencies` and `district_mentor` serve the paths API too."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from waypoint import policy
from waypoint.catalog import selectors, services
from waypoint.catalog.models import (
    Location,
    MeetingTime,
    Opportunity,
    OpportunityKind,
    Provider,
    ProviderKind,
)
from waypoint.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Id,
    PageOut,
    PageQuery,
    RefId,
    Text,
    is_web_address,
    page_fields,
)
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import Organization, User
from waypoint.core.paging import page_of_sequence
from waypoint.frameworks.models import Competency
from waypoint.frameworks.selectors import district_competencies
from waypoint.policy import Action, request_context
from waypoint.policy.catalog import mentor_candidates

router = Router(tags=["catalog"])


# Schemas --------------------------------------------------------------------------------------------------


class CompetencyRef(Schema):
    id: int
    human_code: str
    name: str


class ProviderRef(Schema):
    id: int
    name: str
    kind: str


class OpportunityOut(Schema):
    id: int
    district_id: int
    title: str
    kind: str
    provider: ProviderRef
    description: str
    topics: list[str]
    location: str
    location_detail: str
    times: list[str]
    schedule_notes: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    hours_per_week: int | None
    capacity: int | None
    places_left: int | None
    min_grade: int | None
    max_grade: int | None
    competencies: list[CompetencyRef]
    prerequisites: list[CompetencyRef]
    cost_notes: str
    transport_provided: bool
    transport_notes: str
    career_cluster: str
    is_active: bool
    shared_as_template: bool


class OpportunityPageOut(PageOut):
    items: list[OpportunityOut]


class OpportunityIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    kind: OpportunityKind
    provider_id: RefId
    location: Location
    description: Text = Field("", max_length=8000)
    topics: list[Annotated[Text, Field(max_length=80)]] = Field(default=[], max_length=20)
    location_detail: Text = Field("", max_length=300)
    times: list[MeetingTime] = []
    schedule_notes: Text = Field("", max_length=300)
    starts_on: Day | None = None
    ends_on: Day | None = None
    hours_per_week: int | None = Field(None, ge=1, le=80)
    capacity: int | None = Field(None, ge=1, le=100_000)
    min_grade: int | None = Field(None, ge=0, le=13)
    max_grade: int | None = Field(None, ge=0, le=13)
    competency_ids: list[RefId] = Field(default=[], max_length=50)
    prerequisite_ids: list[RefId] = Field(default=[], max_length=20)
    cost_notes: Text = Field("", max_length=300)
    transport_provided: bool = False
    transport_notes: Text = Field("", max_length=300)
    career_cluster: Text = Field("", max_length=32)
    mentor_id: RefId | None = None
    is_active: bool = True
    shared_as_template: bool = False
    district_id: RefId | None = Field(None, description="Needed only when you curate several districts.")


class OpportunityCopyIn(Schema):
    provider_id: RefId


class ProviderIn(Schema):
    name: Text = Field(min_length=1, max_length=200)
    kind: ProviderKind
    contact_name: Text = Field("", max_length=200)
    contact_email: Text = Field("", max_length=254)
    contact_phone: Text = Field("", max_length=40)
    website: Text = Field("", max_length=200)
    mentor_id: RefId | None = None
    district_id: RefId | None = Field(None, description="Needed only when you curate several districts.")


class ProviderOut(Schema):
    id: int
    district_id: int
    name: str
    kind: str
    contact_name: str
    contact_email: str
    contact_phone: str
    website: str
    mentor_id: int | None


class ProviderPageOut(PageOut):
    items: list[ProviderOut]


class CatalogQuery(PageQuery):
    search: Text = Field("", max_length=100, description="Words of the title, description or topics.")
    kind: OpportunityKind | None = None
    location: Location | None = None
    career_cluster: Text = Field("", max_length=32)
    grade: int | None = Field(None, ge=0, le=13)
    with_places: bool = False


# Converters -----------------------------------------------------------------------------------------------


def competency_ref(competency: Competency) -> CompetencyRef:
    return CompetencyRef(
        id=competency.pk, human_code=competency.human_code, name=selectors.competency_name(competency)
    )


def opportunity_out(opportunity: Opportunity) -> OpportunityOut:
    provider = opportunity.provider
    return OpportunityOut(
        id=opportunity.pk,
        district_id=opportunity.district_id,
        title=opportunity.title,
        kind=opportunity.kind,
        provider=ProviderRef(id=provider.pk, name=provider.name, kind=provider.kind),
        description=opportunity.description,
        topics=opportunity.topics,
        location=opportunity.location,
        location_detail=opportunity.location_detail,
        times=opportunity.times,
        schedule_notes=opportunity.schedule_notes,
        starts_on=opportunity.starts_on,
        ends_on=opportunity.ends_on,
        hours_per_week=opportunity.hours_per_week,
        capacity=opportunity.capacity,
        places_left=selectors.places_left(opportunity),
        min_grade=opportunity.min_grade,
        max_grade=opportunity.max_grade,
        competencies=[competency_ref(c) for c in opportunity.competencies.all()],
        prerequisites=[competency_ref(c) for c in opportunity.prerequisites.all()],
        cost_notes=opportunity.cost_notes,
        transport_provided=opportunity.transport_provided,
        transport_notes=opportunity.transport_notes,
        career_cluster=opportunity.career_cluster,
        is_active=opportunity.is_active,
        shared_as_template=opportunity.shared_as_template,
    )


def _provider_out(provider: Provider) -> ProviderOut:
    return ProviderOut(
        id=provider.pk,
        district_id=provider.district_id,
        name=provider.name,
        kind=provider.kind,
        contact_name=provider.contact_name,
        contact_email=provider.contact_email,
        contact_phone=provider.contact_phone,
        website=provider.website,
        mentor_id=provider.mentor_id,
    )


# The catalog ----------------------------------------------------------------------------------------------


@router.get(
    "/opportunities",
    response={200: OpportunityPageOut, **LIST_ERRORS},
    summary="The catalogs of your districts, filtered",
)
def opportunity_list(request: HttpRequest, query: Query[CatalogQuery]) -> OpportunityPageOut:
    """The catalogs of your districts, filtered."""
    context = request_context(request)
    page = selectors.catalog(
        context=context,
        filters=selectors.CatalogFilters(
            kind=query.kind or "",
            location=query.location or "",
            career_cluster=query.career_cluster,
            grade=query.grade,
            query=query.search,
            with_places=query.with_places,
            include_inactive=policy.can(context.user, Action.CURATE_CATALOG),
        ),
        page=query.page,
        page_size=query.page_size,
    )
    return OpportunityPageOut(items=[opportunity_out(o) for o in page.items], **page_fields(page))


def published_competencies(district: Organization, ids: list[int]) -> list[Competency]:
    found = {
        c.pk: c
        for c in district_competencies(district)
        .filter(pk__in=ids)
        .select_related("version__framework", "parent")
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise services.CatalogError(
            gettext("Competencies %(ids)s are not in the published frameworks of %(district)s.")
            % {"ids": ", ".join(missing), "district": district.name}
        )
    return [found[i] for i in ids]


def _district_provider(district: Organization, provider_id: int) -> Provider:
    provider = Provider.objects.filter(pk=provider_id, district=district).first()
    if provider is None:
        raise services.CatalogError(
            gettext("Provider %(id)s is not in %(district)s’s catalog.")
            % {"id": provider_id, "district": district.name}
        )
    return provider


def district_mentor(district: Organization, mentor_id: int | None) -> User | None:
    if mentor_id is None:
        return None
    mentor = mentor_candidates(district).filter(pk=mentor_id).first()
    if mentor is None:
        raise services.CatalogError(
            gettext("User %(id)s is not an external mentor or teacher in %(district)s.")
            % {"id": mentor_id, "district": district.name}
        )
    return mentor


def _opportunity_fields(district: Organization, payload: OpportunityIn) -> services.OpportunityFields:
    return services.OpportunityFields(
        title=payload.title,
        kind=payload.kind,
        provider=_district_provider(district, payload.provider_id),
        location=payload.location,
        description=payload.description,
        topics=payload.topics,
        location_detail=payload.location_detail,
        times=payload.times,
        schedule_notes=payload.schedule_notes,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        hours_per_week=payload.hours_per_week,
        capacity=payload.capacity,
        min_grade=payload.min_grade,
        max_grade=payload.max_grade,
        competencies=published_competencies(district, payload.competency_ids),
        prerequisites=published_competencies(district, payload.prerequisite_ids),
        cost_notes=payload.cost_notes,
        transport_provided=payload.transport_provided,
        transport_notes=payload.transport_notes,
        career_cluster=payload.career_cluster,
        mentor=district_mentor(district, payload.mentor_id),
        is_active=payload.is_active,
        shared_as_template=payload.shared_as_template,
    )


def _detailed(context: RequestContext, opportunity_id: int) -> OpportunityOut:
    return opportunity_out(selectors.opportunity_get(context=context, opportunity_id=opportunity_id))


@router.post(
    "/opportunities",
    response={201: OpportunityOut, **WRITE_ERRORS},
    summary="Add an opportunity to your district's catalog (teachers and administrators)",
)
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[OpportunityOut]:
    """Add an opportunity to your district's catalog (teachers and administrators)."""
    context = request_context(request)
    district = selectors.curated_district(context, payload.district_id)
    opportunity = services.opportunity_save(
        district=district, fields=_opportunity_fields(district, payload), actor=context.actor
    )
    return Status(201, _detailed(context, opportunity.pk))


@router.get(
    "/opportunities/{int:opportunity_id}",
    response={200: OpportunityOut, **READ_ERRORS},
    summary="One opportunity of a catalog you may read",
)
def opportunity_detail(request: HttpRequest, opportunity_id: Id) -> OpportunityOut:
    return _detailed(request_context(request), opportunity_id)


@router.put(
    "/opportunities/{int:opportunity_id}",
    response={200: OpportunityOut, **WRITE_ERRORS},
    summary="Rewrite an opportunity (its author, or its district's administrators)",
)
def opportunity_update(request: HttpRequest, opportunity_id: Id, payload: OpportunityIn) -> OpportunityOut:
    """Rewrite an opportunity (its author, or its district's administrators)."""
    context = request_context(request)
    opportunity = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.EDIT_OPPORTUNITY, opportunity):
        raise NotPermitted(
            gettext("An opportunity is edited by its author or by its district’s administrators.")
        )
    district = opportunity.district
    services.opportunity_save(
        district=district,
        fields=_opportunity_fields(district, payload),
        actor=context.actor,
        opportunity=opportunity,
    )
    return _detailed(context, opportunity.pk)


@router.post(
    "/opportunities/{int:opportunity_id}/copies",
    response={201: OpportunityOut, **WRITE_ERRORS},
    summary="Copy a shared best-practice template into your district's catalog with one of your providers",
)
def opportunity_copy(
    request: HttpRequest, opportunity_id: Id, payload: OpportunityCopyIn
) -> Status[OpportunityOut]:
    """Copy a shared best-practice template into your district's catalog with one of your providers."""
    context = request_context(request)
    template = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.COPY_OPPORTUNITY, template):
        raise NotPermitted(
            gettext("Teachers and administrators copy best-practice templates into their catalog.")
        )
    district = selectors.curated_district(context)
    copy, _ = services.opportunity_copy(
        template=template,
        district=district,
        provider=_district_provider(district, payload.provider_id),
        actor=context.actor,
    )
    return Status(201, _detailed(context, copy.pk))


@router.get(
    "/opportunity-templates",
    response={200: OpportunityPageOut, **LIST_ERRORS},
    summary="The best-practice templates other districts share (curators)",
)
def opportunity_templates(request: HttpRequest, query: Query[PageQuery]) -> OpportunityPageOut:
    """The best-practice templates other districts share (curators)."""
    templates = selectors.templates_for(context=request_context(request))
    page = page_of_sequence(templates, number=query.page, size=query.page_size)
    return OpportunityPageOut(items=[opportunity_out(o) for o in page.items], **page_fields(page))


@router.get(
    "/providers",
    response={200: ProviderPageOut, **LIST_ERRORS},
    summary="The providers of the catalogs you curate",
)
def provider_list(request: HttpRequest, query: Query[PageQuery]) -> ProviderPageOut:
    """The providers of the catalogs you curate."""
    providers = selectors.providers_for(context=request_context(request))
    page = page_of_sequence(providers, number=query.page, size=query.page_size)
    return ProviderPageOut(items=[_provider_out(p) for p in page.items], **page_fields(page))


def _provider_fields(district: Organization, payload: ProviderIn) -> services.ProviderFields:
    if payload.website and not is_web_address(payload.website):
        raise services.CatalogError(gettext("The website should start with https:// and name its site."))
    return services.ProviderFields(
        name=payload.name,
        kind=payload.kind,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        contact_phone=payload.contact_phone,
        website=payload.website,
        mentor=district_mentor(district, payload.mentor_id),
    )


@router.post(
    "/providers",
    response={201: ProviderOut, **WRITE_ERRORS},
    summary="Add a provider to your district's catalog",
)
def provider_create(request: HttpRequest, payload: ProviderIn) -> Status[ProviderOut]:
    """Add a provider to your district's catalog."""
    district = selectors.curated_district(request_context(request), payload.district_id)
    provider = services.provider_save(district=district, fields=_provider_fields(district, payload))
    return Status(201, _provider_out(provider))


@router.put(
    "/providers/{int:provider_id}",
    response={200: ProviderOut, **WRITE_ERRORS},
    summary="Rewrite a provider of your district's catalog",
)
def provider_update(request: HttpRequest, provider_id: Id, payload: ProviderIn) -> ProviderOut:
    provider = selectors.provider_get(context=request_context(request), provider_id=provider_id)
    saved = services.provider_save(
        district=provider.district, fields=_provider_fields(provider.district, payload), provider=provider
    )
    return _provider_out(saved)
