"""The REST API under /api/v1/: session or personal-access-token authentication, OpenAPI at openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from waypoint.core.api import router as core_router
from waypoint.core.selectors import NotPermitted, NotVisible
from waypoint.core.services import access_token_authenticate
from waypoint.evidence.api import router as evidence_router
from waypoint.evidence.services import EvidenceError
from waypoint.frameworks.api import router as frameworks_router
from waypoint.frameworks.services import FrameworkError, Frozen
from waypoint.mastery.api import router as mastery_router
from waypoint.mastery.services import CalculationError
from waypoint.pathways.api import router as pathways_router
from waypoint.pathways.services import PathwaysError


class AccessTokenAuth(HttpBearer):
    """`Authorization: Bearer wp_…` with a personal access token (`waypoint token USERNAME`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = access_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Waypoint API",
    version="1",
    description="Mastery-based personalized learning. Every student read is scoped by the access policy "
    "and written to the audit log; a student outside your scope answers 404.",
    auth=[AccessTokenAuth(), django_auth],
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", frameworks_router)
api.add_router("/", evidence_router)
api.add_router("/", mastery_router)
api.add_router("/", pathways_router)


@api.exception_handler(NotVisible)
def not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(NotPermitted)
def not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(Frozen)
def frozen(request: HttpRequest, exc: Frozen) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(FrameworkError)
def framework_refused(request: HttpRequest, exc: FrameworkError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(EvidenceError)
def evidence_refused(request: HttpRequest, exc: EvidenceError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(CalculationError)
def calculation_refused(request: HttpRequest, exc: CalculationError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(PathwaysError)
def pathways_refused(request: HttpRequest, exc: PathwaysError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)
