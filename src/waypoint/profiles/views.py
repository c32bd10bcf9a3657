"""HTML pages of learner profiles and Student Success Plans. Each view parses input, asks the access policy
(through the selectors), calls a service, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.core.audit import RequestContext
from waypoint.core.http import user_of
from waypoint.core.models import Student
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.profiles import selectors, services
from waypoint.profiles.forms import (
    CommentForm,
    GoalForm,
    MilestoneForm,
    MilestoneFormSet,
    ProfileForm,
    ReviewForm,
    TargetForm,
    goal_fields,
)
from waypoint.profiles.models import PlanGoal


def _add_problems(form: Form, error: services.ProfileError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


# Learner profile ------------------------------------------------------------------------------------------


@login_required
@require_GET
def profile(request: HttpRequest, student_id: int) -> HttpResponse:
    page = selectors.profile_page(context=request_context(request), student_id=student_id)
    return render(
        request,
        "profiles/profile.html",
        {"page": page, "student": page.student, "comment_form": CommentForm() if page.can_comment else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student, learner_profile = selectors.profile_for_edit(context=context, student_id=student_id)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(learner_profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(context=context, student=student, fields=form.profile_fields())
        except services.ProfileError as error:
            _add_problems(form, error)
        else:
            messages.success(request, gettext("Your profile is saved. Your recommendations now use it."))
            return redirect("learner-profile", student.pk)
    return render(request, "profiles/profile_form.html", {"form": form, "student": student})


@login_required
@require_GET
def profile_history(request: HttpRequest, student_id: int) -> HttpResponse:
    student, revisions = selectors.profile_history(context=request_context(request), student_id=student_id)
    return render(request, "profiles/profile_history.html", {"student": student, "revisions": revisions})


@login_required
@require_POST
def profile_comment(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.COMMENT_PROFILE, audit_as="learner-profile"
    )
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write a comment before sending it."))
    else:
        try:
            services.profile_comment_add(context=context, student=student, text=form.cleaned_data["text"])
        except services.ProfileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Your comment is added."))
    return redirect("learner-profile", student.pk)


# Success plan ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def plan(request: HttpRequest, student_id: int) -> HttpResponse:
    page = selectors.plan_page(context=request_context(request), student_id=student_id)
    acknowledged = page.acknowledged_by(user_of(request).pk) if page.can_acknowledge else None
    return render(
        request,
        "profiles/plan.html",
        {
            "page": page,
            "student": page.student,
            "review_form": ReviewForm() if page.can_review else None,
            "target_form": TargetForm(initial={"target_years": page.plan.target_years if page.plan else 4})
            if page.can_edit
            else None,
            "acknowledged": acknowledged,
            "acknowledged_current": acknowledged is not None
            and page.plan is not None
            and acknowledged.revision == page.plan.revision,
        },
    )


def _goal_page(
    request: HttpRequest, *, context: RequestContext, student: Student, goal: PlanGoal | None
) -> HttpResponse:
    form = GoalForm(request.POST or None, initial=GoalForm.initial_for(goal) if goal else {})
    milestones = MilestoneFormSet(
        request.POST or None,
        initial=[MilestoneForm.initial_for(m) for m in goal.milestones.all()] if goal else [],
        prefix="milestones",
    )
    if request.method == "POST" and form.is_valid() and milestones.is_valid():
        fields = goal_fields(form, milestones)
        try:
            if goal is None:
                services.goal_add(context=context, student=student, fields=fields)
            else:
                services.goal_update(context=context, goal=goal, fields=fields)
        except services.ProfileError as error:
            _add_problems(form, error)
        else:
            messages.success(request, gettext("The goal is saved in the success plan."))
            return redirect("success-plan", student.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "profiles/goal_form.html",
        {"form": form, "milestones": milestones, "student": student, "goal": goal},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.EDIT_PLAN)
    return _goal_page(request, context=context, student=student, goal=None)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    context = request_context(request)
    goal = selectors.goal_get(context=context, goal_id=goal_id)
    return _goal_page(request, context=context, student=goal.plan.student, goal=goal)


@login_required
@require_POST
def plan_review(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.REVIEW_PLAN)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the date of the review."))
    else:
        try:
            services.plan_review_record(
                context=context,
                student=student,
                reviewed_on=form.cleaned_data["reviewed_on"],
                notes=form.cleaned_data["notes"],
            )
        except services.ProfileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("The review is recorded."))
    return redirect("success-plan", student.pk)


@login_required
@require_POST
def plan_acknowledge(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.ACKNOWLEDGE_PLAN)
    try:
        services.plan_acknowledge(context=context, student=student)
    except services.ProfileError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("Thank you: you acknowledged %(name)s’s success plan.") % {"name": student.full_name},
        )
    return redirect("success-plan", student.pk)


@login_required
@require_POST
def plan_target(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.EDIT_PLAN)
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose 3, 4, 5 or 6 years."))
    else:
        try:
            services.plan_target_set(
                context=context, student=student, target_years=form.cleaned_data["target_years"]
            )
        except services.ProfileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("The graduation target is saved."))
    return redirect("success-plan", student.pk)
