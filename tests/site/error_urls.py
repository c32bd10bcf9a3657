"""A URL map for the error page tests: the site's own map, plus pages that fail on purpose."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from waypoint.core.errors import Conflict, NotPermitted


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a page")


def permission_denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def refused(request: HttpRequest) -> HttpResponse:
    raise NotPermitted("Only the student's teachers may score this evidence.")


def conflict(request: HttpRequest) -> HttpResponse:
    raise Conflict("This evidence was scored while you were looking at it.")


urlpatterns = [
    path("test-errors/broken/", broken),
    path("test-errors/permission-denied/", permission_denied),
    path("test-errors/refused/", refused),
    path("test-errors/conflict/", conflict),
    path("", include("waypoint.site.urls")),
]
