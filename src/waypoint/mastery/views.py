"""HTML pages of mastery: scoring a piece of evidence, a student's levels with their history and how each was
computed, the gradebooks and a section's sortable gradebook heatmap, a district's choice of calculation method
(previewed before it is saved), and the families' explainer of how learning is measured."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint import policy
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.http import user_of
from waypoint.core.models import Organization, Student
from waypoint.evidence.forms import CompetencyNamingForm
from waypoint.evidence.selectors import competencies_to_name
from waypoint.frameworks import selectors as framework_selectors
from waypoint.frameworks.models import Competency, Framework, FrameworkAdoption, ScaleLevel
from waypoint.frameworks.selectors import level_name
from waypoint.mastery import selectors, services, wording
from waypoint.mastery.calc import Method, MethodSpec, RollupRule
from waypoint.mastery.forms import (
    METHOD_LABELS,
    ROLLUP_LABELS,
    ROLLUP_SENTENCES,
    CalculationForm,
    ScoringForm,
)
from waypoint.mastery.models import CalculationRule, KnowledgeEstimate
from waypoint.mastery.services import DEFAULT_ROLLUP, DEFAULT_SPEC, CalculationError
from waypoint.policy import Action, request_context

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# Numbers and links written once per page --------------------------------------------------------------------

# An id no row has, put in a URL by `reverse` and swapped for each row's id: one `reverse` per kind of link
# instead of one per cell.
_ID_SLOT = 2_147_483_647


def _url_pattern(name: str) -> str:
    return reverse(name, args=[_ID_SLOT]).replace(str(_ID_SLOT), "{}")


def _url_pattern2(name: str) -> str:
    """`_url_pattern` for a URL of two ids."""
    url = reverse(name, args=[_ID_SLOT, _ID_SLOT - 1])
    return url.replace(str(_ID_SLOT - 1), "{1}").replace(str(_ID_SLOT), "{0}")


def _page_number(query: dict[str, str] | Any) -> int:
    raw = query.get("page", "1")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and 0 < len(raw) < 7 else 1


class _Numbers:
    """Levels as the page writes them, like the `floatformat` filter (rounded half up, the locale's decimal
    separator) but without a filter call per cell."""

    def __init__(self) -> None:
        self.separator = str(get_format("DECIMAL_SEPARATOR"))

    def fixed(self, value: float, places: int) -> str:
        """`floatformat:places`."""
        quantum = Decimal(1).scaleb(-places)
        return str(Decimal(repr(value)).quantize(quantum, ROUND_HALF_UP)).replace(".", self.separator)

    def trimmed(self, value: float, places: int) -> str:
        """`floatformat:"-places"`: whole numbers without decimals, the others with `places`."""
        return str(int(value)) if value == int(value) else self.fixed(value, places)


# Scoring a piece of evidence --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_score(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The scoring page: the rubric's criteria × levels (or the scale) per competency, and whether this
    viewer's score counts toward mastery. Every competency filled in is recorded by one service call, all or
    nothing."""
    context = request_context(request)
    user = user_of(request)
    sheet = selectors.scoring_sheet(context=context, evidence_id=evidence_id)
    detail = sheet.detail
    form = ScoringForm(request.POST if request.method == "POST" else None, scoring=sheet.blocks)
    if request.method == "POST" and sheet.blocks and form.is_valid():
        try:
            recorded = services.scores_record(
                context=context, evidence_id=detail.evidence.pk, scores=form.judgements()
            )
        except services.ScoringError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            count = len(recorded)
            # One whole message per outcome, so a translation can make its words agree with the number.
            scored = (
                ngettext(
                    "Scored %(count)d competency. It counts toward the mastery level.",
                    "Scored %(count)d competencies. It counts toward the mastery level.",
                    count,
                )
                if detail.judgement_counts
                else ngettext(
                    "Scored %(count)d competency. It is recorded as feedback and does not change the "
                    "mastery level.",
                    "Scored %(count)d competencies. It is recorded as feedback and does not change the "
                    "mastery level.",
                    count,
                )
            )
            messages.success(request, scored % {"count": count})
            return redirect("evidence-detail", detail.evidence.pk)
    latest = detail.versions[-1].evidence if detail.versions else detail.evidence
    shown = next((v for v in detail.versions if v.evidence.pk == detail.evidence.pk), None)
    # Evidence that names no competency has nothing to score: its scorer names them first (never a dead end).
    naming = (
        CompetencyNamingForm(offered=competencies_to_name(detail.evidence))
        if not detail.competencies
        and latest.pk == detail.evidence.pk
        and policy.can(user, Action.ADD_EVIDENCE_COMPETENCIES, detail.evidence)
        else None
    )
    return render(
        request,
        "mastery/evidence_score.html",
        {
            "detail": detail,
            "evidence": detail.evidence,
            "student": detail.evidence.student,
            "latest": latest,
            "shown": shown,
            "form": form,
            "blocks": form.blocks(),
            "naming_form": naming,
            "own": detail.evidence.student.user_id == user.pk,
            "student_first": policy.request_access(request).reads_student_language_first,
        },
    )


# A student's levels -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstimateView:
    """A knowledge-tracing estimate as shown beside (never instead of) the level."""

    estimate: KnowledgeEstimate

    @property
    def percent(self) -> int:
        return round(self.estimate.probability_mastered * 100)


@dataclass(frozen=True)
class HistoryRow:
    """A day of a level's history as the table shows it, its strings already written."""

    at: str  # ISO 8601, for <time datetime>
    date: str
    level: str
    steps: str


@dataclass(frozen=True)
class LevelRow:
    """A competency's row of the progress page, its numbers and dates already written (not by a filter per
    value): the chart's summary of the history (`chart_days`) and its text alternative; the full history
    is a link away (`student_level_history`)."""

    item: selectors.CompetencyLevel
    chart_id: str
    chart: dict[str, object]
    estimate: EstimateView | None
    value: str
    changed_at: str
    changed_on: str
    chart_label: str
    shown: int  # the days the chart draws
    day_count: int
    history_url: str

    @property
    def summarised(self) -> bool:
        return self.shown < self.day_count


@dataclass(frozen=True)
class LevelCount:
    """How many of a subject's competencies stand at one named level of its scale."""

    label: str
    count: int
    meets_mastery: bool


@dataclass(frozen=True)
class FrameworkLevels:
    """One subject (framework) of the progress page: its counts by named level for the summary, and its
    competencies as compact rows; `open` says whether its section starts unfolded."""

    framework: Framework
    rows: list[LevelRow]
    counts: list[LevelCount]
    at_mastery: int
    latest: datetime.datetime | None
    open: bool = False


def _level_counts(rows: list[LevelRow], levels: list[ScaleLevel]) -> list[LevelCount]:
    """The scale's named levels in order with how many rows stand at each, then those without a level."""
    named: Counter[int | None] = Counter()
    for row in rows:
        value = row.item.level.level
        # A level counts at the highest named level it reaches, as its label names it.
        reached = [level.pk for level in levels if value is not None and level.value <= value + 1e-9]
        named[reached[-1] if reached else None] += 1
    counts = [LevelCount(level.label, named[level.pk], level.meets_mastery) for level in levels]
    if named[None]:
        counts.append(LevelCount(gettext("No evidence yet"), named[None], False))
    return counts


class _HistoryWriter:
    """Writes levels and days for the progress page, each day's date once, the words translated once."""

    def __init__(self) -> None:
        self.numbers = _Numbers()
        self.dates: dict[datetime.date, str] = {}
        self.no_level = gettext("No level")
        self.no_level_lower = gettext("no level")
        self.history_url = _url_pattern2("student-mastery-history")

    def date(self, day: datetime.date) -> str:
        if day not in self.dates:
            self.dates[day] = date_format(day, "DATE_FORMAT")
        return self.dates[day]

    def level(self, value: float | None, missing: str) -> str:
        return missing if value is None else self.numbers.trimmed(value, 2)

    def row(self, day: selectors.HistoryDay) -> HistoryRow:
        steps = " → ".join(self.level(step, "—") for step in day.steps)
        return HistoryRow(
            day.at.isoformat(), self.date(day.date), self.level(day.level, self.no_level), steps
        )

    def label(self, title: str, days: list[selectors.HistoryDay]) -> str:
        """The chart's text alternative: each point's day and level, and how many changes it ended."""
        parts = []
        for day in days:
            text = f"{self.date(day.date)} {self.level(day.level, self.no_level_lower)}"
            if len(day.steps) > 1:
                after = len(day.steps)
                text += (
                    " ("
                    + ngettext("after %(steps)s change", "after %(steps)s changes", after) % {"steps": after}
                    + ")"
                )
            parts.append(text)
        return f"{title}: {', '.join(parts)}"


def _chart(
    item: selectors.CompetencyLevel, days: list[selectors.HistoryDay], levels: list[ScaleLevel]
) -> dict[str, object]:
    """What mastery-charts.js draws on a time axis: one point per day at the level the day ended on (several
    scores on one day would otherwise stack into a column of dots), with the day's last change (`at`, ISO
    8601 with its offset), the day (`date`, for the ticks) and the levels the day passed through (`steps`,
    for the tooltip), on the scale's range, with the level names and the words the chart shows. `days` is
    the history summarised (`selectors.chart_days`), so a long history draws a bounded number of points."""
    mastered = [level.value for level in levels if level.meets_mastery]
    code = item.competency.human_code or item.competency.short_statement[:40]
    return {
        "title": gettext("Level history of %(competency)s") % {"competency": code},
        "points": [
            {"at": day.at.isoformat(), "date": day.date.isoformat(), "level": day.level, "steps": day.steps}
            for day in days
        ],
        "min": levels[0].value if levels else 0,
        "max": levels[-1].value if levels else 4,
        "threshold": mastered[0] if mastered else None,
        "thresholdLabel": gettext("Mastery"),
        "noLevel": gettext("No level"),
        "stepsLabel": gettext("Levels that day"),
        "levels": [{"value": level.value, "label": level.label} for level in levels],
    }


def _level_row(
    writer: _HistoryWriter, student: Student, item: selectors.CompetencyLevel, levels: list[ScaleLevel]
) -> LevelRow:
    days = selectors.chart_days(item.days)
    chart = _chart(item, days, levels)
    changed = item.last_changed
    return LevelRow(
        item=item,
        chart_id=f"mastery-history-{item.competency.pk}",
        chart=chart,
        estimate=EstimateView(item.estimate) if item.estimate else None,
        value=writer.level(item.level.level, ""),
        changed_at=changed.isoformat() if changed else "",
        changed_on=writer.date(timezone.localdate(changed)) if changed else "",
        chart_label=writer.label(str(chart["title"]), days) if days else "",
        shown=len(days),
        day_count=len(item.days),
        history_url=writer.history_url.format(student.pk, item.competency.pk),
    )


@login_required
@require_GET
def student_mastery(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student's levels, said to the reader: "your" to the student, the student's name to a guardian, a
    teacher or other staff. A summary by subject comes first, then each subject as a folding section of
    one-line competencies whose chart and history fold too; the subject changed most recently starts open."""
    mastery = selectors.student_mastery(context=request_context(request), student_id=student_id)
    scales = mastery.scales
    writer = _HistoryWriter()
    rows: dict[int, list[LevelRow]] = {}
    frameworks: dict[int, Framework] = {}
    for item in mastery.levels:
        framework = item.competency.version.framework
        frameworks[framework.pk] = framework
        rows.setdefault(framework.pk, []).append(
            _level_row(writer, mastery.student, item, scales[framework.scale_id])
        )
    groups = [
        FrameworkLevels(
            framework=frameworks[framework_id],
            rows=framework_rows,
            counts=_level_counts(framework_rows, scales[frameworks[framework_id].scale_id]),
            at_mastery=sum(1 for row in framework_rows if row.item.level.meets_mastery),
            latest=max(
                (row.item.last_changed for row in framework_rows if row.item.last_changed), default=None
            ),
        )
        for framework_id, framework_rows in rows.items()
    ]
    if groups:
        # The subject changed most recently (the first when none has a history) starts open.
        latest = max((group.latest for group in groups if group.latest is not None), default=None)
        opened = next(group for group in groups if group.latest == latest)
        groups = [replace(group, open=group is opened) for group in groups]
    return render(
        request,
        "mastery/student_mastery.html",
        {
            "mastery": mastery,
            "student": mastery.student,
            "groups": groups,
            "own": mastery.voice.own,
            "name": mastery.voice.name,
            # "I can…" statements are written to the student; anyone else reads the full statement.
            "student_statements": mastery.voice.own,
            "other_estimates": [EstimateView(estimate) for estimate in mastery.estimates_without_level],
        },
    )


@login_required
@require_GET
def student_level_history(request: HttpRequest, student_id: int, competency_id: int) -> HttpResponse:
    """The full history of one level, day by day: what the progress page's chart summarises."""
    history = selectors.level_history(
        context=request_context(request), student_id=student_id, competency_id=competency_id
    )
    writer = _HistoryWriter()
    return render(
        request,
        "mastery/level_history.html",
        {
            "history": history,
            "student": history.student,
            "competency": history.competency,
            "own": history.voice.own,
            "name": history.voice.name,
            "value": writer.level(history.level.level, "") if history.level else "",
            "table": [writer.row(day) for day in reversed(history.days)],
        },
    )


# The gradebooks ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def gradebooks(request: HttpRequest) -> HttpResponse:
    """The gradebooks of the reader's sections: the ones they teach first."""
    entries = selectors.gradebooks_for(context=request_context(request))
    return render(
        request,
        "mastery/gradebooks.html",
        {
            "taught": [entry for entry in entries if entry.taught],
            "others": [entry for entry in entries if not entry.taught],
        },
    )


@dataclass(frozen=True)
class SortLink:
    """A sort control: where it leads and, for the column it sorts, the aria-sort it announces."""

    url: str
    aria_sort: str | None
    current: bool


def _gradebook_url(sort: selectors.GradebookSort) -> str:
    """A new order starts again at the first page, so the page number is left out."""
    return "?" + urlencode(
        {
            "sort": sort.students.value,
            "dir": "desc" if sort.descending else "asc",
            "columns": sort.competencies.value,
        }
    )


def _student_sort(sort: selectors.GradebookSort, by: selectors.StudentOrder) -> SortLink:
    """Sorting by this column: the first click sorts it (A–Z, or the highest level first), the next one
    turns the order around."""
    current = sort.students is by
    descending = not sort.descending if current else by is selectors.StudentOrder.LEVEL
    aria = ("descending" if sort.descending else "ascending") if current else None
    return SortLink(_gradebook_url(replace(sort, students=by, descending=descending)), aria, current)


@dataclass(frozen=True)
class GradebookPage:
    """Which page of the class is shown, as core/_pagination.html reads it."""

    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def first(self) -> int:
        return (self.number - 1) * selectors.GRADEBOOK_PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.count, self.number * selectors.GRADEBOOK_PAGE_SIZE)


@dataclass(frozen=True)
class ColumnView:
    """A competency column's header and footer, its strings prepared once."""

    url: str
    code: str
    title: str
    statement: str
    below: int


class _GradebookCells:
    """The gradebook's rows as HTML, each cell from strings prepared once per page: the translated words,
    one URL pattern per kind of link, the decimal separator, each day's date. A class of 200 × 25 is 5,000
    cells, and a template tag or filter per cell cost most of the page's time."""

    def __init__(self, book: selectors.Gradebook) -> None:
        self.numbers = _Numbers()
        self.student_url = _url_pattern("student-mastery")
        self.evidence_url = _url_pattern("evidence-detail")
        self.no_level = (
            '<td class="heat heat-0"><span aria-hidden="true">–</span><span class="visually-hidden">'
            f"{escape(gettext('No level yet'))}</span></td>"
        )
        self.no_overall = (
            '<td class="gradebook-overall num"><span aria-hidden="true">–</span>'
            f'<span class="visually-hidden">{escape(gettext("No level yet"))}</span></td>'
        )
        self.at_mastery = (
            ' <span aria-hidden="true">✓</span><span class="visually-hidden">'
            f"{escape(gettext(', at mastery'))}</span>"
        )
        self.behind = gettext(": %(student)s on %(competency)s, the evidence behind it")
        self.scored = gettext("scored %(value)s on %(date)s by %(scorer)s")
        self.see_history = escape(gettext("See the full history"))
        self.rolled_up = f'<p class="hint">{escape(gettext("Rolled up from the levels of its parts."))}</p>'
        self.close = escape(gettext("Close"))
        self.dates: dict[datetime.date, str] = {}
        self.scales = book.scales
        self.one_scale = next(iter(book.scales.values())) if len(book.scales) == 1 else None
        self.titles = {
            competency.pk: escape(competency.human_code or competency.short_statement)
            for competency in book.competencies
        }

    def _date(self, day: datetime.date) -> str:
        if day not in self.dates:
            self.dates[day] = date_format(day, "M j, Y")
        return self.dates[day]

    def row(
        self,
        student: Student,
        cells: list[tuple[Competency, selectors.GradebookCell | None]],
        overall: float | None,
    ) -> str:
        name = escape(student.full_name)
        parts = [f'<tr><th scope="row"><a href="{self.student_url.format(student.pk)}">{name}</a></th>']
        if overall is None:
            parts.append(self.no_overall)
        else:
            label = level_name(self.one_scale, overall) if self.one_scale else ""
            named = f' <span class="heat-label">{escape(label)}</span>' if label else ""
            parts.append(f'<td class="gradebook-overall num">{self.numbers.fixed(overall, 1)}{named}</td>')
        for competency, cell in cells:
            parts.append(self._cell(student, name, competency, cell))
        parts.append("</tr>")
        return "".join(parts)

    def _cell(
        self, student: Student, name: str, competency: Competency, cell: selectors.GradebookCell | None
    ) -> str:
        if cell is None or cell.level is None:
            return self.no_level
        title_code = self.titles[competency.pk]
        label = escape(level_name(self.scales[competency.version.framework.scale_id], cell.level))
        popover = f"cell-{student.pk}-{competency.pk}"
        mastered = self.at_mastery if cell.meets_mastery else ""
        behind = escape(
            self.behind % {"student": student.full_name, "competency": competency.human_code or competency.pk}
        )
        return (
            f'<td class="heat heat-{cell.band}"><button type="button" class="heat-button"'
            f' popovertarget="{popover}" aria-haspopup="dialog">'
            f'<span class="heat-value">{self.numbers.fixed(cell.level, 1)}</span>'
            f'<span class="heat-label">{label}{mastered}</span><span class="visually-hidden">{behind}</span>'
            f'</button><div popover id="{popover}" class="cell-popover" role="dialog"'
            f' aria-labelledby="{popover}-title"><p class="cell-popover-title" id="{popover}-title"><strong>'
            f"{name}</strong> · {title_code}: {label} ({self.numbers.trimmed(cell.level, 2)})</p>"
            f"{self._evidence(student, competency, cell)}"
            f'<button type="button" class="button button-quiet" popovertarget="{popover}"'
            f' popovertargetaction="hide">{self.close}</button></div></td>'
        )

    def _evidence(self, student: Student, competency: Competency, cell: selectors.GradebookCell) -> str:
        if not cell.scores:
            return self.rolled_up
        items = "".join(
            f'<li><a href="{self.evidence_url.format(score.evidence_id)}">{escape(score.evidence_title)}</a>'
            ' <span class="muted">'
            + escape(
                self.scored
                % {
                    "value": self.numbers.trimmed(score.value, 2),
                    "date": self._date(score.scored_on),
                    "scorer": score.scorer,
                }
            )
            + "</span></li>"
            for score in cell.scores
        )
        listed = f'<ul class="plain cell-evidence">{items}</ul>'
        more = cell.score_count - len(cell.scores)
        if not more:
            return listed
        earlier = ngettext("And %(more)s earlier score.", "And %(more)s earlier scores.", more) % {
            "more": more
        }
        history = f"{self.student_url.format(student.pk)}#competency-{competency.pk}"
        return f'{listed}<p class="hint">{escape(earlier)} <a href="{history}">{self.see_history}</a></p>'


@login_required
@require_GET
def section_gradebook(request: HttpRequest, section_id: int) -> HttpResponse:
    """Students × competencies, each cell the level (number and name) coloured by band, with a popover of the
    evidence behind it; rows sorted by name or overall level and columns by code or by how many students are
    below mastery, on the server from the query. Above `GRADEBOOK_PAGE_SIZE` students the class is cut into
    pages after it is sorted, so the order runs on across pages. A fixed number of queries whatever the class
    size; the cells are written in Python (see `_GradebookCells`)."""
    sort = selectors.GradebookSort.from_query(request.GET)
    book = selectors.gradebook(
        context=request_context(request), section_id=section_id, sort=sort, page=_page_number(request.GET)
    )
    writer = _GradebookCells(book)
    rows = [
        mark_safe(  # noqa: S308 (every value in it is escaped by `_GradebookCells`)
            writer.row(student, list(zip(book.competencies, cells, strict=True)), book.overall[student.pk])
        )
        for student, cells in book.rows
    ]
    competency_url = _url_pattern("competency-detail")
    return render(
        request,
        "mastery/gradebook.html",
        {
            "book": book,
            "section": book.section,
            "rows": rows,
            "columns": [
                ColumnView(
                    competency_url.format(competency.pk),
                    competency.human_code or str(competency.pk),
                    Truncator(competency.full_statement).chars(300),
                    competency.short_statement,
                    book.below_mastery[competency.pk],
                )
                for competency in book.competencies
            ],
            "page": GradebookPage(book.page, book.pages, book.class_size),
            "truncated": len(book.competencies) >= selectors.MAX_GRADEBOOK_COLUMNS,
            "max_columns": selectors.MAX_GRADEBOOK_COLUMNS,
            "by_name": _student_sort(sort, selectors.StudentOrder.NAME),
            "by_level": _student_sort(sort, selectors.StudentOrder.LEVEL),
            "column_orders": [
                (
                    label,
                    SortLink(
                        _gradebook_url(replace(sort, competencies=order)), None, sort.competencies is order
                    ),
                )
                for order, label in (
                    (selectors.CompetencyOrder.CODE, gettext("Code")),
                    (selectors.CompetencyOrder.BELOW, gettext("Most students below mastery")),
                )
            ],
        },
    )


# The calculation rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleView:
    """A rule in force: where it applies and what it does, in words."""

    scope: str
    method: StrOrPromise
    parameters: str
    rollup: StrOrPromise
    explanation: str
    stored: CalculationRule | None


def _parameters_text(spec: MethodSpec) -> str:
    if spec.method in (Method.WEIGHTED_AVERAGE, Method.DECAYING_AVERAGE):
        return gettext("newest score %(share)s") % {"share": wording.percent(spec.weight)}
    if spec.method is Method.N_OF_M:
        return f"n = {spec.n}, m = {spec.m}"
    return "—"


def _rule_view(scope: str, spec: MethodSpec, rollup: RollupRule, stored: CalculationRule | None) -> RuleView:
    return RuleView(
        scope=scope,
        method=METHOD_LABELS[spec.method],
        parameters=_parameters_text(spec),
        rollup=ROLLUP_LABELS[rollup],
        explanation=wording.method_sentence(spec, 4, wording.about_any_student()),
        stored=stored,
    )


@dataclass(frozen=True)
class ExampleRow:
    method: StrOrPromise
    explanation: str
    level: float | None
    level_label: str
    meets_mastery: bool


def _example(levels: list[ScaleLevel]) -> tuple[list[float], list[ExampleRow]]:
    """Every method applied to one made-up run of scores on the framework's scale."""
    scores = selectors.example_scores(levels)
    voice = wording.about_any_student()
    rows = []
    for method in Method:
        spec = MethodSpec(method)
        worked = selectors.worked_example(spec, levels)
        rows.append(
            ExampleRow(
                method=METHOD_LABELS[method],
                explanation=wording.method_sentence(spec, len(scores), voice),
                level=worked.level,
                level_label=worked.label,
                meets_mastery=worked.meets_mastery,
            )
        )
    return scores, rows


def _uses_framework(district: Organization, framework: Framework) -> bool:
    """As the service decides: the district (or its state) owns the framework, or the district adopted it."""
    return (
        framework.owner_id in (district.pk, district.parent_id)
        or FrameworkAdoption.objects.filter(framework=framework, district=district).exists()
    )


@dataclass(frozen=True)
class PreviewMove:
    """An example of the preview, with its competency named."""

    move: services.LevelMove
    competency: Competency | None


def _preview_moves(preview: services.RulePreview) -> list[PreviewMove]:
    named = Competency.objects.in_bulk([move.competency_id for move in preview.examples])
    return [PreviewMove(move, named.get(move.competency_id)) for move in preview.examples]


@login_required
@require_http_methods(["GET", "POST"])
def framework_calculation(request: HttpRequest, framework_id: int) -> HttpResponse:
    """The rules in force for the reader's district (anyone who reads the framework); district
    administrators choose them in two steps: a preview of how many levels would move (nothing saved), then
    a confirmation that saves exactly what was previewed, refused (409) when the rules or the scores changed
    in between."""
    user = user_of(request)
    context = request_context(request)
    framework, versions = framework_selectors.framework_get(user, framework_id)
    version = framework_selectors.shown_version(versions)
    acting_district_id = policy.request_access(request).acting_district_id
    district = (
        Organization.objects.filter(pk=acting_district_id, kind=Organization.Kind.DISTRICT).first()
        if acting_district_id is not None
        else None
    )
    can_manage = district is not None and policy.can(user, Action.MANAGE_CALCULATION, district)
    uses = district is not None and _uses_framework(district, framework)
    competencies = list(
        version.competencies.exclude(case_identifier="")
        .order_by("path")
        .only("id", "human_code", "case_identifier", "full_statement", "abbreviated_statement")
    )
    by_identifier = {competency.case_identifier: competency for competency in competencies}
    stored = list(
        CalculationRule.objects.filter(district=district, framework=framework)
        .select_related("updated_by")
        .order_by("competency_identifier")
        if district is not None
        else []
    )
    framework_rule = next((rule for rule in stored if not rule.competency_identifier), None)
    form = None
    if can_manage and uses:
        current = (
            MethodSpec.from_parameters(framework_rule.method, framework_rule.parameters)
            if framework_rule
            else DEFAULT_SPEC
        )
        form = CalculationForm(
            request.POST if request.method == "POST" else None,
            initial={
                "method": current.method.value,
                "weight_percent": round(current.weight * 100, 2),
                "n": current.n,
                "m": current.m,
                "rollup_rule": framework_rule.rollup_rule if framework_rule else DEFAULT_ROLLUP.value,
            },
            competencies=[
                (c.case_identifier, f"{c.human_code or gettext('Item')} — {c.short_statement[:90]}")
                for c in competencies
            ],
        )
    preview = None
    conflict = ""
    status = 200
    if request.method == "POST":
        if not can_manage or district is None:
            raise NotPermitted(
                gettext("Only the district's administrators choose how mastery levels are calculated.")
            )
        if not uses or form is None:
            raise NotPermitted(
                gettext("%(district)s does not use this framework: adopt it first.")
                % {"district": district.name}
            )
        if request.POST.get("step") == "apply":
            try:
                services.calculation_rule_apply(
                    context=context,
                    district=district,
                    framework=framework,
                    token=request.POST.get("token", ""),
                )
            except Conflict as refusal:
                # The page again with the form as it was sent, the reason, and a fresh preview to confirm.
                conflict, status = refusal.reason, Conflict.status
            else:
                messages.success(
                    request, gettext("The rule is saved and every level of the district is recomputed.")
                )
                return redirect("framework-calculation", framework.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = services.rule_proposal(
                    district=district,
                    framework=framework,
                    method=data["method"],
                    parameters=form.parameters(),
                    rollup_rule=data["rollup_rule"],
                    competency_identifier=data["competency_identifier"],
                )
                preview = services.calculation_rule_preview(context=context, proposal=proposal)
            except CalculationError as error:
                form.add_error(None, str(error))
    rules = [
        _rule_view(
            gettext("The whole framework")
            if framework_rule
            else gettext("The whole framework (the default: nothing chosen yet)"),
            MethodSpec.from_parameters(framework_rule.method, framework_rule.parameters)
            if framework_rule
            else DEFAULT_SPEC,
            RollupRule(framework_rule.rollup_rule) if framework_rule else DEFAULT_ROLLUP,
            framework_rule,
        )
    ]
    for rule in stored:
        if rule.competency_identifier:
            competency = by_identifier.get(rule.competency_identifier)
            scope = (
                f"{competency.human_code or gettext('Item')} — {competency.short_statement[:90]}"
                if competency
                else gettext("Competency %(identifier)s") % {"identifier": rule.competency_identifier}
            )
            rules.append(
                _rule_view(
                    scope,
                    MethodSpec.from_parameters(rule.method, rule.parameters),
                    RollupRule(rule.rollup_rule),
                    rule,
                )
            )
    levels = list(framework.scale.levels.order_by("value"))
    scores, example = _example(levels)
    return render(
        request,
        "mastery/calculation.html",
        {
            "framework": framework,
            "version": version,
            "district": district,
            "rules": rules,
            "form": form,
            "can_manage": can_manage,
            "uses": uses,
            "levels": levels,
            "example_scores": scores,
            "example": example,
            "rollups": [(ROLLUP_LABELS[rule], ROLLUP_SENTENCES[rule]) for rule in RollupRule],
            "method_options": list(zip(form["method"], example, strict=True)) if form else [],
            "preview": preview,
            "preview_moves": _preview_moves(preview) if preview else [],
            "preview_method": METHOD_LABELS[preview.proposal.spec.method] if preview else "",
            "conflict": conflict,
        },
        status=status,
    )


# How learning is measured (for families) -------------------------------------------------------------------


def _explained_district(request: HttpRequest) -> Organization | None:
    """The district whose levels the reader reads: a student's own, a guardian's child's (the first, when the
    children are in one district; else the acting one), and for staff the district they act for."""
    access = policy.request_access(request)
    district_id = access.own_student_district_id
    if district_id is None and access.guarded_student_ids:
        children = set(
            Student.objects.filter(pk__in=access.guarded_student_ids).values_list("district_id", flat=True)
        )
        district_id = children.pop() if len(children) == 1 else access.acting_district_id
    if district_id is None:
        district_id = access.acting_district_id
    if district_id is None:
        return None
    return Organization.objects.filter(pk=district_id, kind=Organization.Kind.DISTRICT).first()


@dataclass(frozen=True)
class ExplainedRule:
    rule: selectors.RuleExplained
    method: StrOrPromise
    sentence: str
    rollup: StrOrPromise


@login_required
@require_GET
def how_learning_is_measured(request: HttpRequest) -> HttpResponse:
    """ "How learning is measured here", for families: mastery-based learning, the district's own levels and
    calculation rules with a worked example, and how to read the progress page. Written from the district's
    data, so it changes when the district's scale or rules do."""
    access = policy.request_access(request)
    district = _explained_district(request)
    explainer = selectors.measurement_explainer(district) if district is not None else None
    progress_student_id = access.own_student_id or (
        access.guarded_student_ids[0] if len(access.guarded_student_ids) == 1 else None
    )
    return render(
        request,
        "mastery/how_it_works.html",
        {
            "district": district,
            "explainer": explainer,
            "rules": [
                ExplainedRule(
                    rule,
                    METHOD_LABELS[rule.spec.method],
                    wording.method_sentence(rule.spec, len(rule.example.scores), wording.about_any_student()),
                    ROLLUP_SENTENCES[rule.rollup],
                )
                for rule in (explainer.rules if explainer else [])
            ],
            "progress_student_id": progress_student_id,
            "choose_district": access.must_choose_district,
        },
    )
