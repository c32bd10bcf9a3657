"""The records API under /api/v1/records/: one router per area, joined here."""

from ninja import Router

from waypoint.records.api import credentials, exhibitions, graduation, portfolio, transcripts, transfers

router = Router(tags=["records"])
for area in (graduation, transcripts, credentials, portfolio, exhibitions, transfers):
    router.add_router("/records/", area.router)
