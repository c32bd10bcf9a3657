"""The insights API under /api/v1/insights/: one router per area, joined here."""

from ninja import Router

from waypoint.insights.api import dashboard, exports, graduation, plans, self_study, state

router = Router(tags=["insights"])
for area in (dashboard, exports, state, graduation, self_study, plans):
    router.add_router("/insights/", area.router)
