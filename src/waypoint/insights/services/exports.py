"""A dashboard table as a file: CSV or XLSX, written by `waypoint.core.exports`, the one export writer.

What an export holds, and only that: a header block (the table's title, the district and school, the filters
in words, the day the figures are as of, and the suppression rule in words), then the table as the page
shows it. A FigureTable is suppressed when it is made, and the export writes each cell as shown: its `text`
(a hidden figure is "*", a share recoded at the top "≥ 95 %", exactly as on the page), except that XLSX holds
a shown figure as a number, rounded as its text shows it, so a spreadsheet can add it up. No student row,
and no figure the page hides, can reach a file. Text is neutralised against formulas (`core.exports`).

Who, and how often:
- one district at a time, and only where the actor may export (`Action.EXPORT_INSIGHTS` on the school, or on
  the district for the whole district); a request for another district, or a school of another district, is
  refused and audited (DENIED) before any figure is read;
- every export is audited (`insights-export`, EXPORT, the district, the table's key);
- at most `settings.WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR` exports a person in any hour, counted from those
  audit rows, so the limit holds across processes and restarts (a cache would not)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waypoint import policy
from waypoint.core import exports
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted, NotVisible, Refusal
from waypoint.core.models import AuditAction, AuditEvent, Organization, User
from waypoint.insights.dimensions import dimension
from waypoint.insights.models import AggregateRefresh
from waypoint.insights.selectors.access import readable_schools
from waypoint.insights.selectors.dashboard import TABLE_KEYS, dashboard_table
from waypoint.insights.selectors.filters import FilterError, Filters, parse_filters
from waypoint.insights.tables import HIDDEN, Cell, FigureTable
from waypoint.policy import Action

OBJECT_TYPE = "insights-export"
FORMATS: tuple[str, ...] = ("csv", "xlsx")
MEDIA_TYPES = {"csv": exports.CSV_MEDIA_TYPE, "xlsx": exports.XLSX_MEDIA_TYPE}
# The number in a shown figure's text ("12", "0.75", "12,5 %" in Spanish): its decimals say its precision.
_SHOWN_NUMBER = re.compile(r"\d+(?:[.,](?P<decimals>\d+))?(?!.*\d)")


class ExportsExhausted(Refusal):
    """The person exported as many tables this hour as allowed; answered 429 with when to try again."""

    status = 429


@dataclass(frozen=True)
class ExportSubject:
    """What an export is about: its district, and its school (None: the whole district); and who exports."""

    actor: User
    district: Organization
    school: Organization | None

    @property
    def organization(self) -> Organization:
        return self.school or self.district


def export_subject(*, context: RequestContext, filters: Filters, table_key: str = "") -> ExportSubject:
    """The district (and school) an export covers, as the dashboard reads them: the filters' district, else
    the one the actor acts for, else the first they administer; the filters' school, else (for a school
    administrator, who exports no whole district) their first school in it. Checked against
    `Action.EXPORT_INSIGHTS` and refused, audited as DENIED: 403 for someone who exports nothing at all; 404
    for a district or school outside their reach (another district, a school of another district, one that
    does not exist), as the dashboard answers, so the refusal reveals nothing."""
    actor = context.actor
    if actor is None:
        raise NotPermitted(_("Sign in first."))
    if not policy.can(actor, Action.EXPORT_INSIGHTS):
        raise _refused(context, filters, table_key, hide=False)
    reach = readable_schools(actor)
    readable, districts = reach.schools, reach.districts
    if filters.district_id is not None:
        district_id = filters.district_id if filters.district_id in districts else None
    elif filters.school_id is not None:
        district_id = next((s.parent_id for s in readable if s.pk == filters.school_id), None)
    elif context.district_id in districts:
        district_id = context.district_id
    else:
        district_id = min(reach.administered or districts, default=None)
    schools = [school for school in readable if school.parent_id == district_id]
    school: Organization | None = None
    if filters.school_id is not None:
        school = next((choice for choice in schools if choice.pk == filters.school_id), None)
    elif district_id not in reach.administered and schools:
        school = schools[0]
    district = Organization.objects.filter(pk=district_id).first() if district_id is not None else None
    if (
        district is None
        or (filters.school_id is not None and school is None)
        or not policy.can(actor, Action.EXPORT_INSIGHTS, school or district)
    ):
        raise _refused(context, filters, table_key, hide=True)
    return ExportSubject(actor=actor, district=district, school=school)


def _refused(context: RequestContext, filters: Filters, table_key: str, *, hide: bool) -> Refusal:
    """The refusal of an export, audited as DENIED in the actor's district's log with what was asked."""
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=OBJECT_TYPE,
        object_id=table_key,
        district_id=context.district_id,
        reason=_("Export refused (district %(district)s, school %(school)s).")
        % {"district": filters.district_id or "-", "school": filters.school_id or "-"},
    )
    reason = _("You may not export these figures: an export covers one school or district you administer.")
    return NotVisible(reason) if hide else NotPermitted(reason)


def export_request(
    *, context: RequestContext, table_key: str, fmt: str, params: Mapping[str, str]
) -> tuple[bytes, str, str]:
    """An export as the page and the API ask for it: the table's key, the format and the dashboard's filters
    as query parameters. Someone who may export nothing at all is refused (403) whatever they asked; then bad
    input (an unknown table or format, a bad filter) is refused (400) before anything is read or written;
    then `export_subject` checks which district and school, the dashboard's selector makes the table
    (suppressed), and `export_table` writes it."""
    if context.actor is None:
        raise NotPermitted(_("Sign in first."))
    if not policy.can(context.actor, Action.EXPORT_INSIGHTS):
        raise _refused(context, Filters(), table_key[:64], hide=False)
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise Invalid(_("Choose a file format: CSV or XLSX."))
    table_key = table_key.strip()
    if table_key not in TABLE_KEYS:
        raise Invalid(_("There is no dashboard table called “%(table)s”.") % {"table": table_key[:40]})
    try:
        filters = parse_filters(params)
    except FilterError as error:
        raise Invalid(str(error)) from error
    subject = export_subject(context=context, filters=filters, table_key=table_key)
    # The table is made for exactly what was checked: the district and school the export covers.
    filters = replace(
        filters, district_id=subject.district.pk, school_id=subject.school.pk if subject.school else None
    )
    table = dashboard_table(context=context, filters=filters, key=table_key)
    return export_table(
        context=context, table=table, district_id=subject.district.pk, fmt=fmt, filters=filters
    )


def export_table(
    *,
    context: RequestContext,
    table: FigureTable,
    district_id: int,
    fmt: str,
    filters: Filters | None = None,
) -> tuple[bytes, str, str]:
    """The table as a file: (content, media type, file name). `filters` are those the table was made with
    (its school, and the header's words); the actor must be allowed to export that school or district
    (`export_subject`, refused and audited otherwise), within their hourly allowance (429 otherwise). The
    export is audited in the same transaction that counts the allowance."""
    if fmt not in FORMATS:
        raise Invalid(_("Choose a file format: CSV or XLSX."))
    filters = replace(filters or Filters(), district_id=district_id)
    subject = export_subject(context=context, filters=filters, table_key=table.key)
    actor = subject.actor
    now = timezone.now()
    with transaction.atomic():
        # One export at a time per person, so two at once cannot both slip under the allowance.
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
        exhausted = _exhausted(actor, now)
        if not exhausted:
            rows = _rows(table, subject, filters, fmt)
            content = exports.csv_bytes(rows) if fmt == "csv" else exports.xlsx_bytes(table.title, rows)
            audit_record(
                context=context,
                action=AuditAction.EXPORT,
                object_type=OBJECT_TYPE,
                object_id=table.key,
                district_id=subject.district.pk,
                reason=_("%(table)s (%(format)s) of %(scope)s: %(filters)s.")
                % {
                    "table": table.title,
                    "format": fmt.upper(),
                    "scope": subject.organization.name,
                    "filters": filters_in_words(filters, subject.school),
                },
            )
    if exhausted:
        # Recorded outside the transaction, which wrote nothing: the refusal stands whatever becomes of it.
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type=OBJECT_TYPE,
            object_id=table.key,
            district_id=subject.district.pk,
            reason=exhausted,
        )
        raise ExportsExhausted(exhausted)
    return content, MEDIA_TYPES[fmt], file_name(table, subject, fmt, timezone.localdate(now))


def _exhausted(actor: User, now: datetime.datetime) -> str:
    """Why the actor may export no more this hour (their allowance is used up), or "" when they may."""
    allowed = settings.WAYPOINT_INSIGHTS_EXPORTS_PER_HOUR
    recent = list(
        AuditEvent.objects.filter(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type=OBJECT_TYPE,
            occurred_at__gte=now - datetime.timedelta(hours=1),
        )
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)[: max(allowed, 1)]
    )
    if len(recent) < allowed:
        return ""
    again = timezone.localtime((recent[0] if recent else now) + datetime.timedelta(hours=1))
    return ngettext(
        "You exported %(count)d table in the last hour, the most allowed; try again after %(time)s.",
        "You exported %(count)d tables in the last hour, the most allowed; try again after %(time)s.",
        allowed,
    ) % {"count": allowed, "time": again.strftime("%H:%M")}


def filters_in_words(filters: Filters, school: Organization | None) -> str:
    """The filters as a sentence's parts: "School: Elm High; grade 9; English learners: Yes; by race"."""
    parts = [
        _("school: %(school)s") % {"school": school.name} if school else _("every school of the district")
    ]
    if filters.grade is not None:
        parts.append(
            _("kindergarten") if filters.grade == 0 else _("grade %(grade)d") % {"grade": filters.grade}
        )
    if filters.cohort is not None:
        parts.append(_("cohort %(cohort)d") % {"cohort": filters.cohort})
    if filters.dimension != "all":
        found = dimension(filters.dimension)
        group = dict(found.groups).get(filters.subgroup, filters.subgroup)
        parts.append(f"{_(found.label)}: {_(group)}")
    breakdowns = {"grade": _("grade"), "cohort": _("cohort"), "school": _("school")}
    by = breakdowns.get(filters.by) or _(dimension(filters.by).label).lower()
    parts.append(_("broken down by %(by)s") % {"by": by})
    return "; ".join(parts)


def _rows(
    table: FigureTable, subject: ExportSubject, filters: Filters, fmt: str
) -> list[list[exports.Value]]:
    """The header block, a blank line, then the table: each cell as shown (its text) in CSV; in XLSX a shown
    figure as a number with the precision shown, and anything else ("*", "≥ 95 %", "—") as its text."""
    freshness = AggregateRefresh.objects.filter(district=subject.district).only("as_of").first()
    as_of = (
        formats.date_format(freshness.as_of, "DATE_FORMAT")
        if freshness
        else _("not computed yet (the district's figures have not been refreshed)")
    )
    header: list[list[exports.Value]] = [[table.title], [_("District"), subject.district.name]]
    if subject.school:
        header.append([_("School"), subject.school.name])
    header += [
        [_("Filters"), filters_in_words(filters, subject.school)],
        [_("Figures as of"), as_of],
        [_("Suppression"), suppression_in_words()],
    ]
    if table.note:
        header.append([_("Note"), table.note])
    header += [[], [table.row_header, *table.columns]]
    figure = _xlsx_figure if fmt == "xlsx" else _text
    return header + [[row.label, *(figure(cell) for cell in row.cells)] for row in table.rows]


def _text(cell: Cell) -> exports.Value:
    return cell.text


def _xlsx_figure(cell: Cell) -> exports.Value:
    """A shown figure as a number, rounded as its text shows it ("12.5 %" → 12.5 % with one decimal, "3" →
    3): the file says no more than the page. A hidden or recoded figure has no value: its text."""
    number = _SHOWN_NUMBER.search(cell.text)
    if cell.value is None or number is None:
        return cell.text
    decimals = len(number.group("decimals") or "")
    value = round(cell.value, decimals)
    if cell.text.rstrip().endswith("%"):
        return exports.Percent(value, decimals)
    return value if decimals else int(value)


def suppression_in_words() -> str:
    return _(
        "A figure about fewer than %(numerator)d students, or about a group of fewer than %(denominator)d "
        "students, is hidden and shown as “%(hidden)s”, and so is any figure from which a hidden one could "
        "be worked out; a share of nearly all of a group is shown as a range (“≥ 95 %%”)."
    ) % {
        "numerator": settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR,
        "denominator": settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR,
        "hidden": HIDDEN,
    }


def file_name(table: FigureTable, subject: ExportSubject, fmt: str, on: datetime.date) -> str:
    """A file name safe in any header and file system: ASCII letters, digits and hyphens only."""
    parts = [
        slugify(subject.organization.slug or subject.organization.name),
        slugify(table.key),
        on.isoformat(),
    ]
    stem = "-".join(part for part in parts if part)[:120] or "insights"
    return f"insights-{stem}.{fmt}"
