"""HTML pages of the catalog: the opportunities of a district, adding and editing them, the best-practice
templates other districts share and their copies, and the providers. Each view parses input, asks the access
policy (through the selectors), calls a service, and renders. An opportunity's own page, with who takes part
and whether the reader may propose it, is a page of paths (`waypoint.pathways.views.opportunity_detail`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint import policy
from waypoint.catalog import selectors, services
from waypoint.catalog.forms import CatalogFilterForm, CopyForm, OpportunityForm, ProviderForm
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.policy import Action, request_context
from waypoint.policy.catalog import mentor_candidates


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 9 else 1


def _add_problems(form: Form, error: services.CatalogError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


# The catalog ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    form = CatalogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    can_curate = policy.can(context.user, Action.CURATE_CATALOG)
    filters = selectors.CatalogFilters(
        kind=data.get("kind", ""),
        location=data.get("location", ""),
        career_cluster=data.get("career_cluster", ""),
        grade=data.get("grade"),
        query=data.get("q", ""),
        with_places=data.get("with_places", False),
        include_inactive=can_curate,
    )
    page = selectors.catalog(
        context=context, filters=filters, page=_page_number(request), page_size=settings.WAYPOINT_PAGE_SIZE
    )
    own = policy.request_access(request).own_student_id
    return render(
        request,
        "catalog/catalog.html",
        {
            "form": form,
            "page": page,
            "rows": [(o, selectors.places_left(o)) for o in page.items],
            "can_curate": can_curate,
            "own_student_id": own,
            "filtered": form.is_valid() and any(data.values()),
        },
    )


def _opportunity_page(request: HttpRequest, *, context: RequestContext, opportunity: Any) -> HttpResponse:
    district = opportunity.district if opportunity else selectors.curated_district(context)
    form = OpportunityForm(
        request.POST or None,
        district=district,
        mentors=mentor_candidates(district),
        initial=OpportunityForm.initial_for(opportunity) if opportunity else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.opportunity_save(
                district=district,
                fields=form.opportunity_fields(),
                actor=context.actor,
                opportunity=opportunity,
            )
        except services.CatalogError as error:
            _add_problems(form, error)
        else:
            messages.success(
                request, gettext("“%(title)s” is saved in the catalog.") % {"title": saved.title}
            )
            return redirect("opportunity-detail", saved.pk)
    return render(
        request,
        "catalog/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "district": district},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_new(request: HttpRequest) -> HttpResponse:
    return _opportunity_page(request, context=request_context(request), opportunity=None)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    context = request_context(request)
    opportunity = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.EDIT_OPPORTUNITY, opportunity):
        raise NotPermitted(
            gettext("An opportunity is edited by its author or by its district’s administrators.")
        )
    return _opportunity_page(request, context=context, opportunity=opportunity)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_copy(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    context = request_context(request)
    template = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.COPY_OPPORTUNITY, template):
        raise NotPermitted(
            gettext("Teachers and administrators copy best-practice templates into their catalog.")
        )
    district = selectors.curated_district(context)
    form = CopyForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            copy, dropped = services.opportunity_copy(
                template=template,
                district=district,
                provider=form.cleaned_data["provider"],
                actor=context.actor,
            )
        except services.CatalogError as error:
            _add_problems(form, error)
        else:
            copied = gettext("“%(title)s” is copied into your catalog. Check its dates and places.") % {
                "title": copy.title
            }
            if dropped:
                copied += " " + ngettext(
                    "%(count)s competency of a framework your district does not use was left out.",
                    "%(count)s competencies of frameworks your district does not use were left out.",
                    dropped,
                ) % {"count": dropped}
            messages.success(request, copied)
            return redirect("opportunity-edit", copy.pk)
    return render(
        request, "catalog/opportunity_copy.html", {"form": form, "template": template, "district": district}
    )


@login_required
@require_GET
def opportunity_templates(request: HttpRequest) -> HttpResponse:
    templates = selectors.templates_for(context=request_context(request))
    return render(request, "catalog/templates.html", {"templates": templates})


# Providers ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = selectors.providers_for(context=request_context(request))
    return render(request, "catalog/provider_list.html", {"providers": providers})


def _provider_page(request: HttpRequest, *, context: RequestContext, provider: Any) -> HttpResponse:
    district = provider.district if provider else selectors.curated_district(context)
    form = ProviderForm(
        request.POST or None,
        mentors=mentor_candidates(district),
        initial=ProviderForm.initial_for(provider) if provider else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.provider_save(
                district=district, fields=form.provider_fields(), provider=provider
            )
        except services.CatalogError as error:
            _add_problems(form, error)
        else:
            messages.success(request, gettext("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("provider-list")
    return render(
        request,
        "catalog/provider_form.html",
        {"form": form, "provider": provider, "district": district},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest) -> HttpResponse:
    return _provider_page(request, context=request_context(request), provider=None)


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    context = request_context(request)
    provider = selectors.provider_get(context=context, provider_id=provider_id)
    return _provider_page(request, context=context, provider=provider)
