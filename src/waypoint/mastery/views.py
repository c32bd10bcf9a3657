"""HTML pages of mastery: scoring a piece of evidence, a student's levels with their history and how each was
computed, the gradebooks and a section's sortable gradebook heatmap, a district's choice of calculation method
(previewed before it is saved), and the families' explainer of how learning is measured."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
from waypoint.frameworks.selectors import level_name, scale_levels
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
class LevelRow:
    item: selectors.CompetencyLevel
    chart_id: str
    chart: dict[str, object]
    estimate: EstimateView | None


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


def _chart(item: selectors.CompetencyLevel, levels: list[ScaleLevel]) -> dict[str, object]:
    """What mastery-charts.js draws on a time axis: one point per day at the level the day ended on (several
    scores on one day would otherwise stack into a column of dots), with the day's last change (`at`, ISO
    8601 with its offset), the day (`date`, for the ticks) and every level the day passed through (`steps`,
    for the tooltip), on the scale's range, with the level names and the words the chart shows."""
    mastered = [level.value for level in levels if level.meets_mastery]
    code = item.competency.human_code or item.competency.short_statement[:40]
    return {
        "title": gettext("Level history of %(competency)s") % {"competency": code},
        "points": [
            {"at": day.at.isoformat(), "date": day.date.isoformat(), "level": day.level, "steps": day.steps}
            for day in item.days
        ],
        "min": levels[0].value if levels else 0,
        "max": levels[-1].value if levels else 4,
        "threshold": mastered[0] if mastered else None,
        "thresholdLabel": gettext("Mastery"),
        "noLevel": gettext("No level"),
        "stepsLabel": gettext("Levels that day"),
        "levels": [{"value": level.value, "label": level.label} for level in levels],
    }


@login_required
@require_GET
def student_mastery(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student's levels, said to the reader: "your" to the student, the student's name to a guardian, a
    teacher or other staff. A summary by subject comes first, then each subject as a folding section of
    one-line competencies whose chart and history fold too; the subject changed most recently starts open."""
    mastery = selectors.student_mastery(context=request_context(request), student_id=student_id)
    scales = scale_levels(item.competency.version.framework.scale_id for item in mastery.levels)
    rows: dict[int, list[LevelRow]] = {}
    frameworks: dict[int, Framework] = {}
    for item in mastery.levels:
        framework = item.competency.version.framework
        frameworks[framework.pk] = framework
        rows.setdefault(framework.pk, []).append(
            LevelRow(
                item=item,
                chart_id=f"mastery-history-{item.competency.pk}",
                chart=_chart(item, scales[framework.scale_id]),
                estimate=EstimateView(item.estimate) if item.estimate else None,
            )
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
class CellView:
    competency: Competency
    cell: selectors.GradebookCell | None
    label: str
    popover_id: str
    more: int  # counted scores behind the level beyond those listed


@dataclass(frozen=True)
class SortLink:
    """A sort control: where it leads and, for the column it sorts, the aria-sort it announces."""

    url: str
    aria_sort: str | None
    current: bool


def _gradebook_url(sort: selectors.GradebookSort) -> str:
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


@login_required
@require_GET
def section_gradebook(request: HttpRequest, section_id: int) -> HttpResponse:
    """Students × competencies, each cell the level (number and name) coloured by band, with a popover of the
    evidence behind it; rows sorted by name or overall level and columns by code or by how many students are
    below mastery, on the server from the query. A fixed number of queries whatever the class size."""
    sort = selectors.GradebookSort.from_query(request.GET)
    book = selectors.gradebook(context=request_context(request), section_id=section_id, sort=sort)
    scales = scale_levels(competency.version.framework.scale_id for competency in book.competencies)
    one_scale = scales[next(iter(scales))] if len(scales) == 1 else None
    rows = [
        (
            student,
            [
                CellView(
                    competency,
                    cell,
                    level_name(scales[competency.version.framework.scale_id], cell.level) if cell else "",
                    f"cell-{student.pk}-{competency.pk}",
                    cell.score_count - len(cell.scores) if cell else 0,
                )
                for competency, cell in zip(book.competencies, cells, strict=True)
            ],
            book.overall[student.pk],
            level_name(one_scale, book.overall[student.pk]) if one_scale else "",
        )
        for student, cells in book.rows
    ]
    return render(
        request,
        "mastery/gradebook.html",
        {
            "book": book,
            "section": book.section,
            "rows": rows,
            "columns": [(competency, book.below_mastery[competency.pk]) for competency in book.competencies],
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
