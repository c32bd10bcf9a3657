"""The portfolio pages: a student's collections (curated by the student, read by whom they share each with),
one collection with its pieces, its sharing and its public links, and the public page behind a link.

Each view parses input, reads through the portfolio selectors (which ask the access policy and audit), calls
a service, and renders. A refused write shows the page again with every problem (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.core.errors import Invalid, NotPermitted
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.records.forms.portfolio import (
    AddItemsForm,
    CollectionForm,
    ItemForm,
    ItemReflectionForm,
    LinkForm,
    RevokeForm,
)
from waypoint.records.selectors import portfolio as reads
from waypoint.records.services import portfolio as services


def _problems(form: Form, error: Invalid) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


def _require_curator(page: reads.CollectionPage) -> None:
    """A reader the collection is shared with may not change it (403); the services check it again."""
    if not page.can_curate:
        raise NotPermitted(gettext("Only the student curates their portfolio."))


@login_required
@require_GET
def portfolio(request: HttpRequest, student_id: int) -> HttpResponse:
    page = reads.portfolio_page(context=request_context(request), student_id=student_id)
    return render(request, "records/portfolio.html", {"page": page, "student": page.student})


@login_required
@require_http_methods(["GET", "POST"])
def collection_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.CURATE_PORTFOLIO, audit_as="portfolio"
    )
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(
                context=context,
                student=student,
                title=form.cleaned_data["title"],
                reflection=form.cleaned_data["reflection"],
                sharing=form.sharing(),
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The collection is made. Add your evidence to it."))
            return redirect("records-collection", collection.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/collection_form.html", {"student": student, "form": form}, status=status)


def _collection_page(
    request: HttpRequest,
    page: reads.CollectionPage,
    *,
    forms: dict[str, Form] | None = None,
    new_link: services.NewLink | None = None,
    status: int = 200,
) -> HttpResponse:
    chosen = forms or {}
    context: dict[str, object] = {
        "page": page,
        "collection": page.collection,
        "student": page.collection.student,
        "now": timezone.now(),
        "new_link_url": request.build_absolute_uri(
            reverse("records-public-collection", args=[new_link.token])
        )
        if new_link
        else "",
    }
    if page.can_curate:
        context |= {
            "form": chosen.get("form") or CollectionForm.of(page.collection),
            "add": chosen.get("add") or AddItemsForm(picker=page.picker),
            "link_form": chosen.get("link") or LinkForm(),
            "item_problems": chosen.get("item"),
        }
    return render(request, "records/collection.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def collection(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Read a collection; the student also curates it here (the `op` of each form says what to do)."""
    context = request_context(request)
    page = reads.collection_page(context=context, collection_id=collection_id)
    if request.method == "GET":
        return _collection_page(request, page)
    _require_curator(page)
    op = request.POST.get("op", "")
    handlers = {
        "update": _update,
        "add": _add,
        "reflect": _reflect,
        "remove": _item_op,
        "up": _item_op,
        "down": _item_op,
        "delete": _delete,
    }
    handler = handlers.get(op)
    if handler is None:
        raise services.PortfolioError(gettext("Choose what to change in the collection."))
    return handler(request, page, op)


def _update(request: HttpRequest, page: reads.CollectionPage, op: str) -> HttpResponse:
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            services.collection_update(
                context=request_context(request),
                collection=page.collection,
                title=form.cleaned_data["title"],
                reflection=form.cleaned_data["reflection"],
                sharing=form.sharing(),
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The collection is saved."))
            return redirect("records-collection", page.collection.pk)
    return _collection_page(request, page, forms={"form": form}, status=400)


def _add(request: HttpRequest, page: reads.CollectionPage, op: str) -> HttpResponse:
    form = AddItemsForm(request.POST, picker=page.picker)
    if form.is_valid():
        try:
            services.items_add(
                context=request_context(request),
                collection=page.collection,
                evidence_ids=form.cleaned_data["evidence"],
                reflection=form.cleaned_data["reflection"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The evidence is added to the collection."))
            return redirect("records-collection", page.collection.pk)
    return _collection_page(request, page, forms={"add": form}, status=400)


def _reflect(request: HttpRequest, page: reads.CollectionPage, op: str) -> HttpResponse:
    form = ItemReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.item_reflect(
                context=request_context(request),
                collection=page.collection,
                item_id=form.cleaned_data["item"],
                reflection=form.cleaned_data["reflection"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("Your reflection is saved."))
            return redirect("records-collection", page.collection.pk)
    return _collection_page(request, page, forms={"item": form}, status=400)


def _item_op(request: HttpRequest, page: reads.CollectionPage, op: str) -> HttpResponse:
    form = ItemForm(request.POST)
    if form.is_valid():
        context = request_context(request)
        item_id = form.cleaned_data["item"]
        try:
            if op == "remove":
                services.item_remove(context=context, collection=page.collection, item_id=item_id)
            else:
                services.item_move(
                    context=context, collection=page.collection, item_id=item_id, up=op == "up"
                )
        except Invalid as error:
            _problems(form, error)
        else:
            return redirect("records-collection", page.collection.pk)
    return _collection_page(request, page, forms={"item": form}, status=400)


def _delete(request: HttpRequest, page: reads.CollectionPage, op: str) -> HttpResponse:
    student_id = page.collection.student_id
    services.collection_delete(context=request_context(request), collection=page.collection)
    messages.success(request, gettext("The collection is removed; your evidence stays on your record."))
    return redirect("records-portfolio", student_id)


@login_required
@require_POST
def collection_link(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Make a public link (shown once, on the page this answers) or revoke one."""
    context = request_context(request)
    page = reads.collection_page(context=context, collection_id=collection_id)
    _require_curator(page)
    if request.POST.get("op") == "revoke":
        revoke = RevokeForm(request.POST)
        if not revoke.is_valid():
            raise services.PortfolioError(gettext("Choose the link to stop."))
        services.link_revoke(context=context, collection=page.collection, link_id=revoke.cleaned_data["link"])
        messages.success(request, gettext("The link is stopped: it opens nothing any more."))
        return redirect("records-collection", page.collection.pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            made = services.link_create(
                context=context, collection=page.collection, expires_on=form.cleaned_data["expires_on"]
            )
        except Invalid as error:
            _problems(form, error)
        else:
            page = reads.collection_page(context=context, collection_id=collection_id)
            return _collection_page(request, page, new_link=made)
    return _collection_page(request, page, forms={"link": form}, status=400)


@require_GET
def public_collection(request: HttpRequest, token: str) -> HttpResponse:
    """The collection behind a public link, for anyone with it: no sign-in, not indexed, and the link never
    sent on to another site as a referrer."""
    shown = reads.public_collection(
        token=token, client_address=request.META.get("REMOTE_ADDR") or None, path="/p/…/"
    )
    response = render(request, "records/public_collection.html", {"shown": shown})
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("students/<int:student_id>/portfolio/", portfolio, name="records-portfolio"),
    path("students/<int:student_id>/portfolio/new/", collection_new, name="records-collection-new"),
    path("portfolio/<int:collection_id>/", collection, name="records-collection"),
    path("portfolio/<int:collection_id>/links/", collection_link, name="records-collection-link"),
    path("p/<str:token>/", public_collection, name="records-public-collection"),
]
