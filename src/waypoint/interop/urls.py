"""The interop pages: each area's view module lists its own routes."""

from waypoint.interop.views import account, case_provider, first_run, roster_export, roster_import, sign_in

urlpatterns = [
    *first_run.urlpatterns,
    *roster_import.urlpatterns,
    *roster_export.urlpatterns,
    *sign_in.urlpatterns,
    *account.urlpatterns,
    *case_provider.urlpatterns,
]
