"""Reads of the catalog, shared by the pages and the API: opportunities with their places left, the
best-practice templates, providers, and the district a curator adds to. The catalog is not student data and
is not audited; a refusal to a role is.

Places: an opportunity's places left are its capacity less the places held in it. What holds a place is
decided above the catalog (a path approved or active, in `waypoint.pathways`), and the catalog imports
nothing above it: an app declares `place_holders` on its AppConfig, the dotted path of a function that
returns the rows holding places, each with an `opportunity` foreign key (like the contributions apps offer
the site, `waypoint.site.contributions`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Count, Expression, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from waypoint import policy
from waypoint.catalog.models import Opportunity, Provider
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization
from waypoint.core.paging import Page, page_of
from waypoint.frameworks.models import Competency
from waypoint.policy import Action
from waypoint.policy import catalog as catalog_access


def _refused(context: RequestContext, *, object_type: str, reason: str) -> NotPermitted:
    """Audit a page or action refused to the actor's role (no student is involved)."""
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id="",
        district_id=context.district_id,
        reason=reason,
    )
    return NotPermitted(reason)


# Competencies as the catalog names them -------------------------------------------------------------------


def competency_label(code: str, statement: str, domain: str) -> str:
    """A competency's short name from its code, statement and domain title (see `competency_name`)."""
    if domain and code:
        return f"{domain} ({code})"
    return code or (statement if len(statement) <= 60 else statement[:59] + "…")


def competency_name(competency: Competency) -> str:
    """A competency as a reason names it: its domain's title and its code ("Collaboration (GP.COL.1)"),
    else its code, else its statement shortened."""
    parent = competency.parent
    domain = parent.abbreviated_statement if parent is not None else ""
    return competency_label(competency.human_code, competency.short_statement, domain)


def _named_competencies() -> QuerySet[Competency]:
    return Competency.objects.select_related("parent").order_by("path")


# Places ---------------------------------------------------------------------------------------------------


@cache
def _place_holders() -> tuple[Callable[[], QuerySet[Any]], ...]:
    """The functions the installed apps declare as `place_holders`: each returns the rows holding a place in
    an opportunity (today: the approved and active paths)."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "place_holders", None)
        if path:
            found.append(import_string(path))
    return tuple(found)


def places_taken() -> Expression:
    """The number of places held in the opportunity, as a correlated subquery per holder: unlike a join with
    GROUP BY, it costs nothing when a page only counts its rows."""
    counts = [
        Coalesce(
            Subquery(
                holders()
                .filter(opportunity=OuterRef("pk"))
                .order_by()
                .values("opportunity")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )
        for holders in _place_holders()
    ]
    return functools.reduce(operator.add, counts) if counts else Value(0)


def places_held(opportunity: Opportunity) -> int:
    """How many places of the opportunity are held now."""
    return sum(holders().filter(opportunity=opportunity).count() for holders in _place_holders())


def with_catalog_details(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Opportunities with their provider, competencies, prerequisites and `places_taken`, in three queries."""
    return (
        opportunities.select_related("provider", "district")
        .prefetch_related(
            Prefetch("competencies", queryset=_named_competencies()),
            Prefetch("prerequisites", queryset=_named_competencies()),
        )
        .annotate(places_taken=places_taken())
    )


def places_left(opportunity: Opportunity) -> int | None:
    """The places still free (None: no limit), from `with_catalog_details`' count."""
    if opportunity.capacity is None:
        return None
    return max(0, opportunity.capacity - getattr(opportunity, "places_taken", 0))


# The catalog ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogFilters:
    kind: str = ""
    location: str = ""
    career_cluster: str = ""
    grade: int | None = None
    query: str = ""
    with_places: bool = False
    include_inactive: bool = False


def catalog(
    *, context: RequestContext, filters: CatalogFilters, page: int = 1, page_size: int = 50
) -> Page[Opportunity]:
    """A page of the catalogs the actor reads (their districts'), filtered; curators may include the
    opportunities no longer offered."""
    user = context.user
    rows = catalog_opportunities(context)
    if not (filters.include_inactive and policy.can(user, Action.CURATE_CATALOG)):
        rows = rows.filter(is_active=True)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.location:
        rows = rows.filter(location=filters.location)
    if filters.career_cluster:
        rows = rows.filter(career_cluster=filters.career_cluster)
    if filters.grade is not None:
        rows = rows.filter(
            Q(min_grade__isnull=True) | Q(min_grade__lte=filters.grade),
            Q(max_grade__isnull=True) | Q(max_grade__gte=filters.grade),
        )
    for word in filters.query.split()[:4]:
        rows = rows.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(provider__name__icontains=word)
        )
    rows = with_catalog_details(rows)
    if filters.with_places:
        rows = rows.filter(Q(capacity__isnull=True) | Q(capacity__gt=F("places_taken")))
    return page_of(rows.order_by("title", "id"), number=page, size=page_size)


def catalog_opportunities(context: RequestContext) -> QuerySet[Opportunity]:
    """The opportunities of the actor's own districts' catalogs (shared templates of other districts are
    listed apart)."""
    user = context.user
    return catalog_access.visible_opportunities(user).filter(
        district_id__in=catalog_access.catalog_districts(user)
    )


def opportunity_get(*, context: RequestContext, opportunity_id: int) -> Opportunity:
    """An opportunity the actor may read, with its details; NotVisible otherwise."""
    opportunity = (
        with_catalog_details(catalog_access.visible_opportunities(context.user).filter(pk=opportunity_id))
        .select_related("mentor", "provider__mentor", "copied_from", "created_by")
        .first()
    )
    if opportunity is None:
        raise NotVisible(f"No opportunity {opportunity_id} is visible to this user.")
    return opportunity


def templates_for(*, context: RequestContext) -> list[Opportunity]:
    """The best-practice templates other districts share, for curators."""
    user = context.user
    if not policy.can(user, Action.CURATE_CATALOG):
        raise _refused(context, object_type="opportunity-templates", reason="Templates are for curators")
    return list(
        with_catalog_details(
            catalog_access.visible_opportunities(user)
            .filter(shared_as_template=True)
            .exclude(district_id__in=catalog_access.curated_districts(user))
        ).order_by("title", "id")
    )


def providers_for(*, context: RequestContext) -> list[Provider]:
    """The providers of the catalogs the actor curates, with their number of opportunities."""
    user = context.user
    if not policy.can(user, Action.CURATE_CATALOG):
        raise _refused(context, object_type="providers", reason="Providers are for curators")
    return list(
        catalog_access.visible_providers(user)
        .select_related("mentor", "district")
        .annotate(opportunity_count=Count("opportunities"))
        .order_by("name", "id")
    )


def provider_get(*, context: RequestContext, provider_id: int) -> Provider:
    provider = (
        catalog_access.visible_providers(context.user)
        .filter(pk=provider_id)
        .select_related("district")
        .first()
    )
    if provider is None:
        raise NotVisible(f"No provider {provider_id} is visible to this user.")
    return provider


def curated_district(context: RequestContext, district_id: int | None = None) -> Organization:
    """The district whose catalog the actor adds to: the one named, or their only one."""
    districts = sorted(catalog_access.curated_districts(context.user))
    if not districts:
        raise _refused(
            context, object_type="opportunity", reason="Teachers and administrators curate the catalog"
        )
    chosen = district_id if district_id is not None else districts[0]
    if chosen not in districts:
        raise NotPermitted(gettext("You do not curate that district’s catalog."))
    return Organization.objects.get(pk=chosen)
