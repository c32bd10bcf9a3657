from django.contrib import admin
from django.urls import include, path

from waypoint.interop.api import api

admin.site.site_header = "Waypoint administration"

urlpatterns = [
    path("", include("waypoint.core.urls")),
    path("", include("waypoint.frameworks.urls")),
    path("", include("waypoint.evidence.urls")),
    path("", include("waypoint.mastery.urls")),
    path("", include("waypoint.pathways.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
