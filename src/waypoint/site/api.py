"""The REST API under /api/v1/: session or personal-access-token authentication, OpenAPI 3.1 at openapi.json,
the docs page at docs.

Every error answers `application/problem+json` (RFC 9457, `waypoint.core.api.Problem`) from here: refusals,
invalid input, missing credentials, and anything unexpected (a 500 that says nothing of the internals). The
operations are named `<app>_<function>` in the schema, and every error response is documented with the
problem media type, so a client (and the schema fuzz) can rely on both."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core import signals
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from waypoint.catalog.api import router as catalog_router
from waypoint.core.api import (
    NOT_FOUND_REASON,
    PROBLEM_MEDIA_TYPE,
    SERVER_ERROR_REASON,
    TOO_BIG_REASON,
    ProblemItem,
    problem_response,
)
from waypoint.core.errors import NotVisible, Refusal
from waypoint.core.middleware import database_unavailable, unavailable_response
from waypoint.core.row_security import district_scope, narrow_to_user
from waypoint.core.services import access_token_authenticate
from waypoint.evidence.api import router as evidence_router
from waypoint.frameworks.api import router as frameworks_router
from waypoint.insights.api import router as insights_router
from waypoint.interop.api import router as interop_router
from waypoint.mastery.api import router as mastery_router
from waypoint.notifications.api import router as notifications_router
from waypoint.operations.api import router as operations_router
from waypoint.pathways.api import router as pathways_router
from waypoint.people.api import router as people_router
from waypoint.profiles.api import router as profiles_router
from waypoint.progress.api import router as progress_router
from waypoint.records.api import router as records_router

logger = logging.getLogger("waypoint.api")

NOT_JSON_REASON = _(
    "The request body is not JSON: send `Content-Type: application/json` and a JSON document."
)
UNAUTHORIZED_REASON = _(
    "Sign in first, or send a personal access token as `Authorization: Bearer wp_…` (`waypoint token`)."
)


class AccessTokenAuth(HttpBearer):
    """`Authorization: Bearer wp_…` with a personal access token (`waypoint token USERNAME`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The token finds its user in any district (the system scope); the rest of the request is then held
        # to that user's districts (PostgreSQL row-level security; RowSecurityMiddleware resets it after).
        with district_scope(None):
            user = access_token_authenticate(token)
        if user is not None:
            request.user = user
            narrow_to_user(user)
        return user


class UnstorableBody(ValueError):
    """A JSON body Waypoint cannot take, with where and why in words."""


class StrictJSONParser(Parser):
    """JSON as RFC 8259 defines it, and only text a database can store: `NaN`/`Infinity` are not JSON, and
    a lone UTF-16 surrogate (`"\\ud800"`) is not Unicode text. Checked once here, for every field of every
    body, rather than field by field."""

    def parse_body(self, request: HttpRequest) -> Any:
        return _storable(json.loads(request.body, parse_constant=_not_json), "body")


def _not_json(constant: str) -> None:
    raise UnstorableBody(f"{constant} is not a JSON number.")


def _storable(value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise UnstorableBody(
                f"{where} holds a lone UTF-16 surrogate, which is not Unicode text."
            ) from error
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key, where)
            _storable(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _storable(item, f"{where}.{index}")
    return value


class WaypointAPI(NinjaAPI):
    """Ninja's API with Waypoint's operation names and a schema whose errors are all problem+json."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # `people_students`, `records_transfer_release`: the app and the function, stable across refactors
        # that move a function between modules of one app.
        app = operation.view_func.__module__.split(".")[1]
        return f"{app}_{operation.view_func.__name__}"

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    if int(status) >= 400 and "content" in response:
                        # Errors are built by the handlers below, never by the operation's renderer.
                        response["content"] = {PROBLEM_MEDIA_TYPE: response["content"]["application/json"]}
        return schema


api = WaypointAPI(
    title="Waypoint API",
    version="1",
    description="Mastery-based personalized learning. Every student read is scoped by the access policy "
    "and written to the audit log; a student outside your scope answers 404.\n\n"
    "Errors are `application/problem+json` (RFC 9457) with every reason in `problems`. Lists take `page` "
    "and `page_size` and answer `items`, `count`, `page`, `page_size` and `pages`.",
    auth=[AccessTokenAuth(), django_auth],
    parser=StrictJSONParser(),
    urls_namespace="api",
)
api.add_router("/", people_router)
api.add_router("/", frameworks_router)
api.add_router("/", evidence_router)
api.add_router("/", mastery_router)
api.add_router("/", catalog_router)
api.add_router("/", profiles_router)
api.add_router("/", pathways_router)
api.add_router("/", notifications_router)
api.add_router("/", progress_router)
api.add_router("/", records_router)
api.add_router("/", insights_router)
api.add_router("/", interop_router)
api.add_router("/", operations_router)


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    """Every refusal, in one place: what the policy hides answers 404 exactly like something that does not
    exist; anything else answers its status with every reason in words."""
    if isinstance(exc, NotVisible):
        return not_found(request, Http404())
    return problem_response(status=exc.status, problems=exc.problems)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, problems=[NOT_FOUND_REASON])


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Invalid input answers 422 with one item per error and where it is. A path that does not parse (`abc`,
    an id past 2^63−1) names no object, so it answers 404 like an id that names none."""
    if any(error["loc"][0] == "path" for error in exc.errors):
        return not_found(request, Http404())
    items = [
        ProblemItem(
            reason=f"{'.'.join(map(str, error['loc']))}: {error['msg']}",
            location=".".join(map(str, error["loc"])),
        )
        for error in exc.errors
    ]
    return problem_response(status=422, problems=items)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(status=401, problems=[str(UNAUTHORIZED_REASON)])
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja answers any failure to read a body "Cannot parse request body"; the cause says which it was.
    if isinstance(exc.__cause__, RequestDataTooBig):
        return too_big(request, exc.__cause__)
    if isinstance(exc.__cause__, UnstorableBody):
        return problem_response(status=400, problems=[str(exc.__cause__)])
    if isinstance(exc.__cause__, ValueError):
        return problem_response(status=400, problems=[str(NOT_JSON_REASON)])
    return problem_response(status=exc.status_code, problems=[str(exc)])


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(status=413, problems=[TOO_BIG_REASON])


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unexpected: logged with its traceback (and signalled like Django's own 500s, so error
    reporting and the test client see it), answered without a word of the internals. A database lost in
    the middle of the call is a 503 with Retry-After, as everywhere else (waypoint.core.middleware)."""
    if isinstance(exc, DatabaseError) and database_unavailable(exc):
        logger.error("Database unavailable on %s %s", request.method, request.path, exc_info=exc)
        return unavailable_response(request)
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    signals.got_request_exception.send(sender=None, request=request)
    return problem_response(status=500, problems=[SERVER_ERROR_REASON])
