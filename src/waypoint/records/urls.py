"""The records pages: each area's view module lists its own routes."""

from waypoint.records.views import (
    credentials,
    disposal,
    exhibitions,
    graduation,
    portfolio,
    transcripts,
    transfers,
)

urlpatterns = [
    *graduation.urlpatterns,
    *transcripts.urlpatterns,
    *credentials.urlpatterns,
    *portfolio.urlpatterns,
    *exhibitions.urlpatterns,
    *transfers.urlpatterns,
    *disposal.urlpatterns,
]
