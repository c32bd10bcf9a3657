"""The insights pages: each area's view module lists its own routes."""

from waypoint.insights.views import dashboard, exports, graduation, plans, self_study, state

urlpatterns = [
    *dashboard.urlpatterns,
    *exports.urlpatterns,
    *state.urlpatterns,
    *graduation.urlpatterns,
    *self_study.urlpatterns,
    *plans.urlpatterns,
]
