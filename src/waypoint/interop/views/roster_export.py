"""The roster export page: what the export holds and a button to download it (a POST: each download is
audited and counted against the hourly allowance, so no link prefetch or crawler may start one). The page
asks for a sign-in within the last 15 minutes before it shows the button, as every student-level export
does."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from waypoint.core.export_limits import STUDENT_EXPORTS_PER_HOUR
from waypoint.core.recent_sign_in import recent_sign_in_required
from waypoint.interop.selectors.first_run import acting_district
from waypoint.interop.services.roster_export import export_file_name, roster_export
from waypoint.policy import Action, request_context


def zip_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # A roster names every student: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@recent_sign_in_required
def roster_export_page(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    district = acting_district(context=context, action=Action.EXPORT_ROSTER)
    if request.method == "POST":
        return zip_response(roster_export(context=context, district=district), export_file_name(district))
    return render(
        request, "interop/roster_export.html", {"district": district, "per_hour": STUDENT_EXPORTS_PER_HOUR}
    )


urlpatterns: list[URLPattern] = [
    path("rosters/export/", roster_export_page, name="interop-roster-export"),
]
