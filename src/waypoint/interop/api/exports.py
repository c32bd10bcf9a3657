"""The interop API: a district's roster as OneRoster 1.1 CSV (a zip), the same export as the page's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from waypoint.core.api import Problem, binary_response
from waypoint.core.recent_sign_in import require_recent_sign_in
from waypoint.interop.selectors.first_run import acting_district
from waypoint.interop.services import roster_export as export
from waypoint.policy import Action, request_context

router = Router()


@router.get(
    "/rosters/export",
    summary="Export the district's roster as a OneRoster 1.1 CSV zip",
    response={401: Problem, 403: Problem, 429: Problem},
    openapi_extra=binary_response("application/zip", "A OneRoster 1.1 CSV zip (bulk), one file per entity."),
)
def roster_export(request: HttpRequest) -> HttpResponse:
    """The roster of the district you act for, as the export page gives it: for its district
    administrators. Every export is audited, one event per student written; more than five exports of
    student records in an hour answer 429 with when to try again. It needs a sign-in within the last 15
    minutes (the session's, or for a personal access token its owner's last sign-in): 403 otherwise, with
    the address of the page that confirms it's you."""
    context = request_context(request)
    district = acting_district(context=context, action=Action.EXPORT_ROSTER)
    require_recent_sign_in(request)
    response = HttpResponse(
        export.roster_export(context=context, district=district), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.export_file_name(district)}"'
    response["Cache-Control"] = "private, no-store"
    return response
