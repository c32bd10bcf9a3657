"""The REST API under /api/v1/: session or personal-access-token authentication, OpenAPI at openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from waypoint.catalog.api import router as catalog_router
from waypoint.core.errors import NotVisible, Refusal
from waypoint.core.services import access_token_authenticate
from waypoint.evidence.api import router as evidence_router
from waypoint.interop.api import router as interop_router
from waypoint.frameworks.api import router as frameworks_router
from waypoint.mastery.api import router as mastery_router
from waypoint.notifications.api import router as notifications_router
from waypoint.pathways.api import router as pathways_router
from waypoint.people.api import router as people_router
from waypoint.profiles.api import router as profiles_router
from waypoint.progress.api import router as progress_router
from waypoint.records.api import router as records_router


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
api.add_router("/", interop_router)


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    """Every refusal, in one place: what the policy hides answers 404 exactly like something that does not
    exist; anything else answers its status with its reason in words (never empty)."""
    if isinstance(exc, NotVisible):
        return api.create_response(request, {"detail": "Not Found"}, status=404)
    return api.create_response(request, {"detail": exc.reason}, status=exc.status)
