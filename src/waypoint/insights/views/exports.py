"""The export of one dashboard table as a file: a GET link beside each table on the dashboard (`table`,
`format` = csv or xlsx, and the dashboard's own filters). Bad input answers 400 with the reason and writes
nothing; the rules (who, how often, what the file holds) are `services.exports`'."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from waypoint.insights.services.exports import export_request
from waypoint.policy import request_context


def file_response(content: bytes, media_type: str, file_name: str) -> HttpResponse:
    """A download: `file_name` is ASCII letters, digits and hyphens (services.exports.file_name), so it
    needs no quoting beyond the header's quotes."""
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def insights_export(request: HttpRequest) -> HttpResponse:
    content, media_type, file_name = export_request(
        context=request_context(request),
        table_key=request.GET.get("table", ""),
        fmt=request.GET.get("format", ""),
        params=request.GET,
    )
    return file_response(content, media_type, file_name)


urlpatterns: list[URLPattern] = [
    path("insights/export/", insights_export, name="insights-export"),
]
