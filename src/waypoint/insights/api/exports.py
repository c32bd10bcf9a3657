"""The insights API's exports: one dashboard table as a CSV or XLSX file, the same file as the page's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from waypoint.core.api import READ_ERRORS, Problem, Text, binary_response
from waypoint.core.exports import XLSX_MEDIA_TYPE
from waypoint.insights.services.exports import export_request
from waypoint.policy import request_context

router = Router()


class ExportQuery(Schema):
    """The file format and the dashboard's filters; each is checked by the export, which answers 400 with
    the reason for a bad value."""

    format: Text = Field("csv", max_length=8, description="`csv` or `xlsx`.")
    school: Text | None = Field(None, max_length=20, description="A school's id (default: the district).")
    grade: Text | None = Field(None, max_length=20, description="A grade, 0 (kindergarten) to 13.")
    cohort: Text | None = Field(None, max_length=20, description="A cohort: the year it entered grade 9.")
    subgroup: Text | None = Field(
        None, max_length=80, description="One group: `<dimension>:<group>`, e.g. `english_learner:yes`."
    )
    by: Text | None = Field(
        None, max_length=40, description="The breakdown: a dimension, or `grade`, `cohort`, `school`."
    )
    district: Text | None = Field(None, max_length=20, description="A district's id (default: yours).")


# The 200 is a file of either type, as `format` asks: the schema lists both.
_FILE = binary_response(
    XLSX_MEDIA_TYPE,
    "The table as a file (CSV when `format=csv`, XLSX when `format=xlsx`): a header block, then the figures "
    "as the dashboard shows them, suppressed.",
)
_FILE["responses"][200]["content"]["text/csv"] = _FILE["responses"][200]["content"][XLSX_MEDIA_TYPE]


@router.get(
    "/exports/{str:table}",
    summary="Export one dashboard table as CSV or XLSX",
    response={**READ_ERRORS, 400: Problem, 429: Problem},
    openapi_extra=_FILE,
)
def export_table(request: HttpRequest, table: str, query: Query[ExportQuery]) -> HttpResponse:
    """One table of the dashboard (`growth`, `status`, `pace`, `access`, `advancements`, `alerts`,
    `evidence`) with the dashboard's filters, for one school or district you administer. Every export is
    audited; more than the hourly allowance answers 429 with when to try again; another district, or a
    school outside yours, answers 404. Cells starting like a spreadsheet formula are prefixed with an
    apostrophe."""
    params = {key: value for key, value in query.dict().items() if value is not None and key != "format"}
    content, media_type, file_name = export_request(
        context=request_context(request), table_key=table, fmt=query.format, params=params
    )
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
