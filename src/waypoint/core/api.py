"""What every API router shares: the problem body of every error, the bounded input types (ids, text, dates,
web addresses), the paged list shapes and the error responses operations declare."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, GetJsonSchemaHandler, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from waypoint.core.paging import Page

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemItem(Schema):
    reason: str = Field(description="One reason, in words one can act on.")
    location: str | None = Field(
        None, description="For invalid input, where it is: `body.payload.title`, `query.page`."
    )


class Problem(Schema):
    """An error as RFC 9457 describes it, with every reason listed."""

    type: str = Field("about:blank", description="Always `about:blank`: the status says what kind.")
    title: str = Field(description="The status in words, e.g. `Not Found`.")
    status: int
    detail: str = Field(description="Every reason in words, joined.")
    problems: list[ProblemItem] = Field(description="Each reason on its own (at least one).")


# The reasons of the errors no operation raises itself.
NOT_FOUND_REASON = _("There is nothing at this address, or you may not see it.")
METHOD_REASON = _("This address does not take that method; the allowed ones are in the Allow header.")
TOO_BIG_REASON = _(
    "The request body is larger than this API accepts; send less at a time (uploads go as multipart files)."
)
SERVER_ERROR_REASON = _("Something went wrong on our side; it has been logged. Please try again later.")


def problem_body(
    status: int, problems: Sequence[str | Promise | ProblemItem], **extensions: Any
) -> dict[str, Any]:
    """The body of a problem answer: `problems` as sentences (or items with their location), `extensions`
    any members a subclass of `Problem` declares."""
    items = [p if isinstance(p, ProblemItem) else ProblemItem(reason=str(p), location=None) for p in problems]
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": " ".join(item.reason for item in items),
        "problems": [item.dict() for item in items],
        **extensions,
    }


def problem_response(
    *, status: int, problems: Sequence[str | Promise | ProblemItem], **extensions: Any
) -> HttpResponse:
    """An `application/problem+json` answer (`problem_body`)."""
    body = json.dumps(problem_body(status, problems, **extensions), cls=NinjaJSONEncoder)
    return HttpResponse(body, status=status, content_type=PROBLEM_MEDIA_TYPE)


# Ids are 64-bit database integers: anything larger is refused by validation, never sent to the database.
MAX_ID = 2**63 - 1


def _storable(text: str) -> str:
    # PostgreSQL can store neither NUL characters nor lone UTF-16 surrogates (JSON's "\ud800"), and no text
    # needs one: refuse them as invalid input rather than fail at the database.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must not contain lone UTF-16 surrogates (not valid Unicode text)") from error
    return text


class _SchemaPattern:
    """Adds a `pattern` to a type's JSON schema, keeping its other constraints (`maxLength`...), so the
    schema says what the validator refuses."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(core_schema), "pattern": self.pattern}


# Free text every API accepts: any string but one with a NUL character or a lone surrogate (which JSON
# Schema cannot say; the API's JSON parser refuses it in every field).
Text = Annotated[str, AfterValidator(_storable), _SchemaPattern("^[^\\x00]*$")]

# Dates far from now overflow date arithmetic (a due date 60 days after 9999-12-31 does not exist), and no
# school record needs them: inputs stay within these bounds.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2199, 12, 31)


def _in_range(day: datetime.date) -> datetime.date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}")
    return day


def _moment_in_range(moment: datetime.datetime) -> datetime.datetime:
    _in_range(moment.date())
    return moment


# The bounds in the schema too, as a pattern, so clients (and the schema fuzz) know them. Days 29–31 are
# left out of the pattern only: every date it matches exists; the validator takes any real date.
_DAY_PATTERN = r"(19|20|21)\d\d-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
Day = Annotated[
    datetime.date,
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{_DAY_PATTERN}$"}),
]
Moment = Annotated[
    datetime.datetime,
    AfterValidator(_moment_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": f"^{_DAY_PATTERN}T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(Z|[+-](0\\d|1[0-2]):00)$",
        }
    ),
]


def is_web_address(text: str) -> bool:
    """A link to another site that a person may store (a provider's website): http or https, with a host.
    Browsers read a backslash as a slash, so `/\\host` and `https:\\\\host` lead elsewhere; a scheme
    without a host (`https:/host`) is not an address at all. Checked after the access policy, so someone
    who may not write learns that first."""
    parts = urlsplit(text)
    return "\\" not in text and parts.scheme in ("http", "https") and bool(parts.hostname)


Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]

# The error responses operations declare (every one a `Problem`).
UNAUTHORIZED: dict[int, type[Problem]] = {401: Problem}
LIST_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: Problem}
READ_ERRORS: dict[int, type[Problem]] = {**LIST_ERRORS, 404: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {**READ_ERRORS, 400: Problem, 409: Problem, 413: Problem}


class PageQuery(Schema):
    """The paging every list takes; a list's filters subclass it."""

    page: int = Field(1, ge=1, le=1_000_000, description="Past the last page answers the last page.")
    page_size: int = Field(50, ge=1, le=settings.WAYPOINT_API_MAX_PAGE_SIZE)


class PageOut(Schema):
    """The paging every list answers with; a list's page subclasses it with `items`."""

    count: int = Field(description="Items on all pages.")
    page: int
    page_size: int
    pages: int = Field(description="Pages there are (at least 1).")


def page_fields(page: Page[Any]) -> dict[str, int]:
    """`PageOut`'s fields of a page: `XPageOut(items=[...], **page_fields(page))`."""
    return {"count": page.count, "page": page.number, "page_size": page.size, "pages": page.num_pages}


def binary_response(media_type: str, description: str) -> dict[str, Any]:
    """`openapi_extra` for an operation whose 200 is a file, not JSON."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }
