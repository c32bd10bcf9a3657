"""The CASE 1.1 REST API (1EdTech Competencies and Academic Standards Exchange), read-only and public:
the URIs the CASE export mints under WAYPOINT_BASE_URL (`/ims/case/v1p1/CFItems/{id}`…) answer here with
the published versions (see waypoint.interop.selectors.case for who sees what and why it is public).

Answers are `application/json` as the CASE 1.1 REST binding gives them; a refusal is an `imsx_StatusInfo`
(404 `unknownobject` or `invalid_uuid`, 400 `invalid_selection_field` or `invalid_sort_field`, 405). Any
site may read them from a browser (CORS): the data is public and no credentials are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext

from waypoint.core.errors import Invalid
from waypoint.frameworks.models import CaseDefinitionKind
from waypoint.interop.selectors import case as selectors

PREFIX = "ims/case/v1p1/"
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}", re.ASCII)
# Published versions never change, but a framework's title or description may: a subscriber may keep an
# answer this long.
CACHE_SECONDS = 300


def status_info(status: int, code_minor: str, description: str) -> JsonResponse:
    """A CASE refusal (imsx_StatusInfo), with the reason in words."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": code_minor}
            ]
        },
    }
    return _public(JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}))


def _public(response: JsonResponse) -> JsonResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "X-Total-Count, Link"
    return response


View = Callable[..., JsonResponse]
# A body, and the headers that go with it.
Answer = tuple[dict[str, object], dict[str, str]]


def case_endpoint(view: Callable[[HttpRequest, str], dict[str, object] | Answer]) -> View:
    """A GET (or HEAD) answered with the selector's JSON; refusals as CASE's imsx_StatusInfo. The route's one
    placeholder (named after the CASE object it identifies) reaches the view as its identifier."""

    @wraps(view)
    def answer(request: HttpRequest, **placeholders: str) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = status_info(405, "forbidden", gettext("The CASE API only reads: use GET."))
            response["Allow"] = "GET, HEAD"
            return response
        try:
            answered = view(request, *placeholders.values())
        except selectors.InvalidIdentifier as refused:
            return status_info(404, "invalid_uuid", refused.reason)
        except selectors.UnknownObject as refused:
            return status_info(404, "unknownobject", refused.reason)
        except selectors.InvalidSortField as refused:
            return status_info(400, "invalid_sort_field", refused.reason)
        except Invalid as refused:
            return status_info(400, "invalid_selection_field", refused.reason)
        body, headers = answered if isinstance(answered, tuple) else (answered, {})
        response = _public(JsonResponse(body, json_dumps_params={"ensure_ascii": False}))
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        for name, value in headers.items():
            response[name] = value
        return response

    return answer


def _number(request: HttpRequest, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not _WHOLE_NUMBER.fullmatch(value):
        raise Invalid(gettext("%(name)s must be a whole number.") % {"name": name})
    return int(value)


@case_endpoint
def documents(request: HttpRequest, *_: str) -> Answer:
    """getAllCFDocuments: every published framework's CFDocument, paged with limit and offset, with the
    paging headers of the CASE binding: X-Total-Count and Link (first, prev, next, last)."""
    order = request.GET.get("orderBy", "asc")
    if order not in ("asc", "desc"):
        raise Invalid(gettext("orderBy must be asc or desc."))
    if request.GET.get("filter"):
        raise Invalid(gettext("filter is not supported: page through the list with limit and offset."))
    page = selectors.documents(
        limit=_number(request, "limit", selectors.DEFAULT_LIMIT),
        offset=_number(request, "offset", 0),
        sort=request.GET.get("sort", ""),
        descending=order == "desc",
    )
    links = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in _paging_links(request, page))
    return {"CFDocuments": page.documents}, {"X-Total-Count": str(page.total), "Link": links}


def _paging_links(request: HttpRequest, page: selectors.DocumentPage) -> list[tuple[str, str]]:
    def at(offset: int) -> str:
        query = {**request.GET.dict(), "limit": str(page.limit), "offset": str(offset)}
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    last = max(0, (page.total - 1) // page.limit * page.limit)
    links = [("first", at(0))]
    if page.offset > 0:
        links.append(("prev", at(max(0, page.offset - page.limit))))
    if page.offset + page.limit < page.total:
        links.append(("next", at(page.offset + page.limit)))
    links.append(("last", at(last)))
    return links


@case_endpoint
def document(request: HttpRequest, identifier: str) -> dict[str, object]:
    """getCFDocument."""
    return selectors.document(identifier)


@case_endpoint
def package(request: HttpRequest, identifier: str) -> dict[str, object]:
    """getCFPackage: the document with all its items, associations, definitions and rubrics."""
    return selectors.package(identifier)


@case_endpoint
def item(request: HttpRequest, identifier: str) -> dict[str, object]:
    """getCFItem."""
    return selectors.item(identifier)


@case_endpoint
def item_associations(request: HttpRequest, identifier: str) -> dict[str, object]:
    """getCFItemAssociations: the item and every association it is an end of."""
    return selectors.item_associations(identifier)


@case_endpoint
def association(request: HttpRequest, identifier: str) -> dict[str, object]:
    """getCFAssociation."""
    return selectors.association(identifier)


@case_endpoint
def rubric(request: HttpRequest, identifier: str) -> dict[str, object]:
    """getCFRubric."""
    return selectors.rubric(identifier)


def _definition_view(kind: CaseDefinitionKind) -> View:
    @case_endpoint
    def definition(request: HttpRequest, identifier: str) -> dict[str, object]:
        return selectors.definition(kind, identifier)

    definition.__doc__ = f"get{kind.value.removesuffix('s')}"
    return definition


# Route names: interop-case-<resource>. The `<str:…>` names say which CASE object the identifier is.
urlpatterns: list[URLPattern] = [
    path(f"{PREFIX}CFDocuments", documents, name="interop-case-documents"),
    path(f"{PREFIX}CFDocuments/<str:case_document>", document, name="interop-case-document"),
    path(f"{PREFIX}CFPackages/<str:case_document>", package, name="interop-case-package"),
    path(f"{PREFIX}CFItems/<str:case_item>", item, name="interop-case-item"),
    path(
        f"{PREFIX}CFItemAssociations/<str:case_item>",
        item_associations,
        name="interop-case-item-associations",
    ),
    path(f"{PREFIX}CFAssociations/<str:case_association>", association, name="interop-case-association"),
    path(f"{PREFIX}CFRubrics/<str:case_rubric>", rubric, name="interop-case-rubric"),
    *(
        path(
            f"{PREFIX}{kind.value}/<str:case_{kind.name.lower()}>",
            _definition_view(kind),
            name=f"interop-case-{kind.name.lower().replace('_', '-')}",
        )
        for kind in CaseDefinitionKind
    ),
]
