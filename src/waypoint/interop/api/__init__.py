"""The interop API under /api/v1/interop/: one router per area, joined here."""

from ninja import Router

from waypoint.interop.api import exports, rosters, sign_in

router = Router(tags=["interop"])
for area in (rosters, exports, sign_in):
    router.add_router("/interop/", area.router)
