"""HTML pages of mastery: scoring a piece of evidence, a student's levels with their history and how each was
computed, a section's gradebook heatmap, and a district's choice of calculation method per framework or
competency."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from waypoint import policy
from waypoint.core.errors import NotPermitted
from waypoint.core.http import user_of
from waypoint.core.models import Organization
from waypoint.frameworks import selectors as framework_selectors
from waypoint.frameworks.models import Competency, Framework, FrameworkAdoption, ScaleLevel
from waypoint.frameworks.selectors import level_name, scale_levels
from waypoint.mastery import calc, selectors, services
from waypoint.mastery.calc import Method, MethodSpec, RollupRule
from waypoint.mastery.forms import (
    METHOD_LABELS,
    ROLLUP_LABELS,
    ROLLUP_SENTENCES,
    CalculationForm,
    ScoringForm,
)
from waypoint.mastery.models import CalculationRule, KnowledgeEstimate
from waypoint.mastery.services import DEFAULT_ROLLUP, DEFAULT_SPEC, CalculationError, calculation_rule_set
from waypoint.policy import Action, request_context

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
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.scores_record(
                context=context, evidence_id=detail.evidence.pk, scores=form.judgements()
            )
        except services.ScoringError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            outcome = (
                "It counts toward the mastery level."
                if detail.judgement_counts
                else "It is recorded as feedback and does not change the mastery level."
            )
            count = len(recorded)
            messages.success(request, f"Scored {count} competenc{'y' if count == 1 else 'ies'}. {outcome}")
            return redirect("evidence-detail", detail.evidence.pk)
    latest = detail.versions[-1].evidence if detail.versions else detail.evidence
    return render(
        request,
        "mastery/evidence_score.html",
        {
            "detail": detail,
            "evidence": detail.evidence,
            "student": detail.evidence.student,
            "latest": latest,
            "form": form,
            "blocks": form.blocks(),
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
class FrameworkLevels:
    framework: Framework
    rows: list[LevelRow]


def _chart(item: selectors.CompetencyLevel, levels: list[ScaleLevel]) -> dict[str, object]:
    """What mastery-charts.js draws: the level after each change, on the scale's range, with its names."""
    mastered = [level.value for level in levels if level.meets_mastery]
    code = item.competency.human_code or item.competency.short_statement[:40]
    return {
        "title": f"Level history of {code}",
        "points": [{"date": point.date, "level": point.level} for point in item.history],
        "min": levels[0].value if levels else 0,
        "max": levels[-1].value if levels else 4,
        "threshold": mastered[0] if mastered else None,
        "levels": [{"value": level.value, "label": level.label} for level in levels],
    }


@login_required
@require_GET
def student_mastery(request: HttpRequest, student_id: int) -> HttpResponse:
    user = user_of(request)
    mastery = selectors.student_mastery(context=request_context(request), student_id=student_id)
    scales = scale_levels(item.competency.version.framework.scale_id for item in mastery.levels)
    groups: dict[int, FrameworkLevels] = {}
    for item in mastery.levels:
        framework = item.competency.version.framework
        group = groups.setdefault(framework.pk, FrameworkLevels(framework, []))
        group.rows.append(
            LevelRow(
                item=item,
                chart_id=f"mastery-history-{item.competency.pk}",
                chart=_chart(item, scales[framework.scale_id]),
                estimate=EstimateView(item.estimate) if item.estimate else None,
            )
        )
    return render(
        request,
        "mastery/student_mastery.html",
        {
            "mastery": mastery,
            "student": mastery.student,
            "groups": list(groups.values()),
            "own": mastery.student.user_id == user.pk,
            "student_first": policy.request_access(request).reads_student_language_first,
            "other_estimates": [EstimateView(estimate) for estimate in mastery.estimates_without_level],
        },
    )


# The gradebook ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellView:
    competency: Competency
    cell: selectors.GradebookCell | None
    label: str


@login_required
@require_GET
def section_gradebook(request: HttpRequest, section_id: int) -> HttpResponse:
    """Students × competencies, each cell the level (number and name) coloured by band, linked to the
    evidence behind it; a fixed number of queries whatever the class size."""
    book = selectors.gradebook(context=request_context(request), section_id=section_id)
    scales = scale_levels(competency.version.framework.scale_id for competency in book.competencies)
    rows = [
        (
            student,
            [
                CellView(
                    competency,
                    cell,
                    level_name(scales[competency.version.framework.scale_id], cell.level) if cell else "",
                )
                for competency, cell in zip(book.competencies, cells, strict=True)
            ],
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
            "truncated": len(book.competencies) >= selectors.MAX_GRADEBOOK_COLUMNS,
            "max_columns": selectors.MAX_GRADEBOOK_COLUMNS,
        },
    )


# The calculation rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleView:
    """A rule in force: where it applies and what it does, in words."""

    scope: str
    method: str
    parameters: str
    rollup: str
    explanation: str
    stored: CalculationRule | None


def _parameters_text(spec: MethodSpec) -> str:
    if spec.method in (Method.WEIGHTED_AVERAGE, Method.DECAYING_AVERAGE):
        return f"newest score {spec.weight * 100:g} %"
    if spec.method is Method.N_OF_M:
        return f"n = {spec.n}, m = {spec.m}"
    return "—"


def _rule_view(scope: str, spec: MethodSpec, rollup: RollupRule, stored: CalculationRule | None) -> RuleView:
    return RuleView(
        scope=scope,
        method=METHOD_LABELS[spec.method],
        parameters=_parameters_text(spec),
        rollup=ROLLUP_LABELS[rollup],
        explanation=calc.explain(spec, score_count=4),
        stored=stored,
    )


@dataclass(frozen=True)
class ExampleRow:
    method: str
    explanation: str
    level: float | None
    level_label: str
    meets_mastery: bool


def _example(levels: list[ScaleLevel]) -> tuple[list[float], list[ExampleRow]]:
    """Every method applied to one made-up run of scores on the framework's scale."""
    values = [level.value for level in levels] or [1.0, 2.0, 3.0, 4.0]
    pattern = [0, 2, 1, 3, 2]
    scores = [values[min(index, len(values) - 1)] for index in pattern]
    threshold = next((level.value for level in levels if level.meets_mastery), values[-1])
    rows = []
    for method in Method:
        spec = MethodSpec(method)
        value = calc.level(spec, scores, scale_min=values[0], scale_max=values[-1])
        rows.append(
            ExampleRow(
                method=METHOD_LABELS[method],
                explanation=calc.explain(spec, score_count=len(scores)),
                level=None if value is None else round(value, 2),
                level_label=level_name(levels, value),
                meets_mastery=value is not None and value >= threshold - 1e-9,
            )
        )
    return scores, rows


def _uses_framework(district: Organization, framework: Framework) -> bool:
    """As the service decides: the district (or its state) owns the framework, or the district adopted it."""
    return (
        framework.owner_id in (district.pk, district.parent_id)
        or FrameworkAdoption.objects.filter(framework=framework, district=district).exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_calculation(request: HttpRequest, framework_id: int) -> HttpResponse:
    """The rules in force for the reader's district (anyone who reads the framework); district
    administrators choose them."""
    user = user_of(request)
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
                (c.case_identifier, f"{c.human_code or 'Item'} — {c.short_statement[:90]}")
                for c in competencies
            ],
        )
    if request.method == "POST":
        if not can_manage or district is None:
            raise NotPermitted("Only the district's administrators choose how mastery levels are calculated.")
        if not uses or form is None:
            raise NotPermitted(f"{district.name} does not use this framework: adopt it first.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                calculation_rule_set(
                    district=district,
                    framework=framework,
                    method=data["method"],
                    parameters=form.parameters(),
                    rollup_rule=data["rollup_rule"],
                    competency_identifier=data["competency_identifier"],
                    actor=user,
                )
            except CalculationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The rule is saved and every level of the district is recomputed.")
                return redirect("framework-calculation", framework.pk)
    rules = [
        _rule_view(
            "The whole framework" + ("" if framework_rule else " (the default: nothing chosen yet)"),
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
                f"{competency.human_code or 'Item'} — {competency.short_statement[:90]}"
                if competency
                else f"Competency {rule.competency_identifier}"
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
        },
    )
