"""Authorization-matrix rows of the catalog: opportunities, best-practice templates and their copies,
providers, pages and API.

The catalog is read within its district; teachers and administrators curate it and read every district's
shared templates; an opportunity is edited by its district's administrators (or its author); a provider is
edited by its district's curators."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, SIGNED_IN, Row, everyone, same_for_both
from waypoint.catalog import services
from waypoint.catalog.models import Opportunity, Provider
from waypoint.core.models import Organization, User

CURATORS = {"teacher", "teacher-uncertified", "school-admin", "district-admin", "other-teacher"}
OWN_CURATORS = CURATORS - {"other-teacher"}
ADMINS = {"school-admin", "district-admin"}
IN_OWN_DISTRICT = set(SIGNED_IN) - {"other-teacher", "state-analyst"}
NON_CURATORS_OWN = IN_OWN_DISTRICT - OWN_CURATORS
OPPORTUNITY_EDIT = {
    **{(role, OWN): 403 for role in IN_OWN_DISTRICT - ADMINS},
    ("other-teacher", OTHER): 403,
}
COPY = {(role, OWN): 403 for role in NON_CURATORS_OWN}
TEMPLATE = {"<int:opportunity_id>": "template"}
OPPORTUNITY = {
    "title": "Matrix opportunity",
    "kind": "project",
    "provider_id": "<int:provider_id>",
    "location": "on_campus",
}
# A provider in the target's district: the curators of the other district name a provider not theirs (400).
FOREIGN_PROVIDER = {
    **{(role, OTHER): 400 for role in OWN_CURATORS},
    ("other-teacher", OWN): 400,
}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "opportunities/": everyone(),
    "opportunities/new/": same_for_both(CURATORS, 403),
    "opportunities/templates/": same_for_both(CURATORS, 403),
    "opportunities/<int:opportunity_id>/edit/": Row(
        allowed={OWN: ADMINS, OTHER: set()}, overrides=OPPORTUNITY_EDIT
    ),
    "opportunities/<int:opportunity_id>/copy/": Row(
        allowed={OWN: CURATORS, OTHER: CURATORS}, overrides=COPY, objects=TEMPLATE
    ),
    "providers/": same_for_both(CURATORS, 403),
    "providers/new/": same_for_both(CURATORS, 403),
    "providers/<int:provider_id>/edit/": Row(allowed={OWN: OWN_CURATORS, OTHER: {"other-teacher"}}),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/opportunities": (
        everyone(anonymous=401),
        Row(
            allowed={OWN: OWN_CURATORS, OTHER: {"other-teacher"}},
            refused={OWN: 403, OTHER: 403},
            overrides=FOREIGN_PROVIDER,
            ok=201,
            anonymous=401,
            method="post",
            payload=OPPORTUNITY,
        ),
    ),
    "api/v1/opportunities/<int:opportunity_id>": (
        Row(allowed={OWN: IN_OWN_DISTRICT, OTHER: {"other-teacher"}}, anonymous=401),
        Row(
            allowed={OWN: ADMINS, OTHER: set()},
            overrides=OPPORTUNITY_EDIT,
            anonymous=401,
            method="put",
            payload=OPPORTUNITY,
        ),
    ),
    "api/v1/opportunities/<int:opportunity_id>/copies": Row(
        allowed={OWN: CURATORS, OTHER: CURATORS},
        overrides={**COPY, **FOREIGN_PROVIDER},
        ok=201,
        anonymous=401,
        method="post",
        objects=TEMPLATE,
        payload={"provider_id": "<int:provider_id>"},
    ),
    "api/v1/opportunity-templates": same_for_both(CURATORS, 403, anonymous=401),
    "api/v1/providers": (
        same_for_both(CURATORS, 403, anonymous=401),
        # Curators pass the access check and reach validation: a website that is not http(s) is refused.
        same_for_both(
            CURATORS,
            403,
            ok=400,
            anonymous=401,
            method="post",
            payload={"name": "Matrix provider", "kind": "employer", "website": "ftp://example.org"},
        ),
    ),
    "api/v1/providers/<int:provider_id>": Row(
        allowed={OWN: OWN_CURATORS, OTHER: {"other-teacher"}},
        anonymous=401,
        method="put",
        payload={"name": "Matrix provider, renamed", "kind": "nonprofit"},
    ),
}


def matrix_provider(district: Organization) -> Provider:
    return Provider.objects.get(district=district, name__contains="Historical Society")


def matrix_opportunity(district: Organization, provider: Provider, title: str) -> Opportunity:
    """A new project in the district's catalog."""
    return services.opportunity_save(
        district=district,
        fields=services.OpportunityFields(
            title=title, kind="project", provider=provider, location="on_campus"
        ),
        actor=None,
    )


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """An opportunity of the district, a template it shares, and a provider."""
    shared = Opportunity.objects.get(district=district, title="Food bank volunteer crew")
    shared.shared_as_template = True
    shared.save(update_fields=["shared_as_template"])
    return {
        "opportunity": Opportunity.objects.get(district=district, title="Spring musical company"),
        "template": shared,
        "provider": matrix_provider(district),
    }
