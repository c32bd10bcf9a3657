"""The schools' action plans: the list, a new plan (from scratch or from a subgroup alert), one plan with its
measure against the goal over time, its status and its actions. Each view parses input, reads through
`selectors.plans`, calls a service and renders; a refused write shows its page again with every problem
(400), and a write that collides with someone else's (409) says so and saves nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict, Invalid
from waypoint.core.http import page_number
from waypoint.core.paging import page_of
from waypoint.insights.forms import ALL_STUDENTS, PlanForm, StatusForm, StepForm
from waypoint.insights.selectors import plans as reads
from waypoint.insights.services import plans as services
from waypoint.policy import Action, request_context

PAGE_SIZE = 50


def _problems(form: Form, error: Invalid) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    page = page_of(reads.plan_list(context=context), number=page_number(request), size=PAGE_SIZE)
    return render(
        request,
        "insights/plans.html",
        {
            "page": page,
            "rows": [reads.PlanRow(plan) for plan in page.items],
            "can_manage": policy.can(context.user, Action.MANAGE_ACTION_PLAN),
            "today": policy.today(),
        },
    )


def _alert_of(request: HttpRequest, context: RequestContext) -> reads.AlertGroup | None:
    """The subgroup alert the plan is opened from (`?alert=<id>`); an id that is no number is ignored, an
    alert the person may not plan for answers 404."""
    raw = request.GET.get("alert", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    return reads.alert_for_plan(context=context, alert_id=int(raw))


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    schools = reads.plan_schools(context=context)
    alert = _alert_of(request, context)
    initial: dict[str, object] = {"group": ALL_STUDENTS}
    if alert is not None:
        initial = {
            "school": alert.alert.school_id,
            "group": f"{alert.dimension}:{alert.subgroup}",
            "measure": "mean_pace",
            "title": gettext("Pace of %(group)s at %(school)s")
            % {"group": alert.group_label, "school": alert.alert.school.name if alert.alert.school else ""},
        }
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        schools=schools,
        fixed_group=alert is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dimension, subgroup = form.dimension_subgroup()
        try:
            plan = services.plan_create(
                context=context,
                school_id=data["school"].pk,
                title=data["title"],
                measure=data["measure"],
                dimension=dimension,
                subgroup=subgroup,
                grade=data["grade"],
                cohort=data["cohort"],
                goal=data["goal"],
                goal_on=data["goal_on"],
                rationale=data["rationale"],
                alert_id=alert.alert.pk if alert is not None else None,
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The plan is open. Name its actions next."))
            return redirect("insights-plan", plan.pk)
    return render(
        request,
        "insights/plan_form.html",
        {"form": form, "alert": alert},
        status=400 if request.method == "POST" else 200,
    )


def _plan_page(
    request: HttpRequest,
    context: RequestContext,
    plan_id: int,
    *,
    status_form: StatusForm | None = None,
    step_form: StepForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    # A page shown again after a refused write was audited when it was first shown.
    page = reads.plan_get(context=context, plan_id=plan_id, audit=status == 200)
    plan = page.plan
    if page.can_manage:
        status_form = status_form or StatusForm(
            initial={
                "status": plan.status,
                "goal": plan.goal,
                "goal_on": plan.goal_on,
                "updated_at": plan.updated_at.isoformat(),
            }
        )
        step_form = step_form or StepForm(
            owners=reads.step_owners(district_id=plan.district_id), initial={"owner": context.actor}
        )
    return render(
        request,
        "insights/plan_detail.html",
        {
            "page": page,
            "plan": plan,
            "table": page.table(),
            "chart": page.chart(),
            "status_form": status_form if page.can_manage else None,
            "step_form": step_form if page.can_manage else None,
            "problem": problem,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    context = request_context(request)
    if request.method != "POST":
        return _plan_page(request, context, plan_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        current = reads.plan_get(context=context, plan_id=plan_id, audit=False).plan
        try:
            services.plan_update(
                context=context,
                plan_id=plan_id,
                status=data["status"],
                goal=data["goal"],
                # An unchanged date may already be past; only a new one is checked.
                goal_on=data["goal_on"] if data["goal_on"] != current.goal_on else None,
                expected_updated_at=data["updated_at"],
            )
        except Conflict as conflict:
            return _plan_page(request, context, plan_id, problem=conflict.reason, status=409)
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The plan is saved."))
            return redirect("insights-plan", plan_id)
    return _plan_page(request, context, plan_id, status_form=form, status=400)


@login_required
@require_POST
def plan_steps(request: HttpRequest, plan_id: int) -> HttpResponse:
    context = request_context(request)
    plan = reads.plan_get(context=context, plan_id=plan_id, audit=False).plan
    form = StepForm(request.POST, owners=reads.step_owners(district_id=plan.district_id))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.step_add(
                context=context,
                plan_id=plan_id,
                description=data["description"],
                owner_id=data["owner"].pk,
                due_on=data["due_on"],
            )
        except Conflict as conflict:
            return _plan_page(request, context, plan_id, problem=conflict.reason, status=409)
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The action is added."))
            return redirect("insights-plan", plan_id)
    return _plan_page(request, context, plan_id, step_form=form, status=400)


@login_required
@require_POST
def plan_step_done(request: HttpRequest, plan_id: int, step_id: int) -> HttpResponse:
    context = request_context(request)
    try:
        services.step_done(context=context, plan_id=plan_id, step_id=step_id)
    except Conflict as conflict:
        return _plan_page(request, context, plan_id, problem=conflict.reason, status=409)
    messages.success(request, gettext("The action is marked done."))
    return redirect("insights-plan", plan_id)


urlpatterns = [
    path("insights/plans/", plans, name="insights-plans"),
    path("insights/plans/new/", plan_new, name="insights-plan-new"),
    path("insights/plans/<int:plan_id>/", plan_detail, name="insights-plan"),
    path("insights/plans/<int:plan_id>/steps/", plan_steps, name="insights-plan-steps"),
    path(
        "insights/plans/<int:plan_id>/steps/<int:step_id>/done/",
        plan_step_done,
        name="insights-plan-step-done",
    ),
]
