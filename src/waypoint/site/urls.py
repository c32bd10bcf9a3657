"""The URL map: the site's own pages, then every app's pages, the API root and the admin."""

from django.contrib import admin
from django.urls import include, path

from waypoint.site import views
from waypoint.site.api import api

admin.site.site_header = "Waypoint administration"
# A database that goes away in the middle of a request answers 503 with Retry-After, like one found missing
# at its start; anything else is Django's 500 page.
handler500 = "waypoint.core.middleware.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("waypoint.people.urls")),
    path("", include("waypoint.frameworks.urls")),
    path("", include("waypoint.evidence.urls")),
    path("", include("waypoint.mastery.urls")),
    path("", include("waypoint.catalog.urls")),
    path("", include("waypoint.profiles.urls")),
    path("", include("waypoint.pathways.urls")),
    path("", include("waypoint.notifications.urls")),
    path("", include("waypoint.progress.urls")),
    path("", include("waypoint.records.urls")),
    path("", include("waypoint.insights.urls")),
    path("", include("waypoint.interop.urls")),
    path("", include("waypoint.operations.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
