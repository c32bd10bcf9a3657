"""HTML pages of multiple paths of study: the learner profile and success plan, recommendations, the catalog,
proposals, the approval queue, paths and the equal access report. Each view parses input, asks the access
policy (through the selectors), calls a service, and renders."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint import policy
from waypoint.core.audit import RequestContext, request_context
from waypoint.core.models import Student, User
from waypoint.core.selectors import NotPermitted, NotVisible, family_students, student_get
from waypoint.pathways import selectors, services
from waypoint.pathways.forms import (
    CatalogFilterForm,
    CommentForm,
    CopyForm,
    DecisionForm,
    GoalForm,
    MilestoneForm,
    MilestoneFormSet,
    NoteForm,
    OpportunityForm,
    ProfileForm,
    ProposalForm,
    ProviderForm,
    ReviewForm,
    district_competencies,
    goal_fields,
)
from waypoint.pathways.models import OPEN_STATUSES, PathProposal, PathStatus, PlanGoal
from waypoint.policy import Action
from waypoint.policy.pathways import mentor_candidates

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponse])


def _guarded(view: ViewFunction) -> ViewFunction:
    """What the access policy hides answers 404, like something that does not exist; what it refuses
    answers 403 with the reason."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotVisible as exc:
            raise Http404 from exc
        except NotPermitted as exc:
            return render(request, "core/forbidden.html", {"reason": str(exc)}, status=403)

    return cast(ViewFunction, wrapper)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101  (login_required guarantees a signed-in User)
    return request.user


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 9 else 1


def _add_problems(form: Form, error: services.PathwaysError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


def _own_student(context: RequestContext) -> Student:
    student = Student.objects.filter(user=context.actor).select_related("district").first()
    if student is None or not policy.can(context.user, Action.PROPOSE_PATH):
        raise NotPermitted("Students propose paths for themselves; your account has no student record.")
    return student


# Learner profile ------------------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def profile(request: HttpRequest, student_id: int) -> HttpResponse:
    page = selectors.profile_page(context=request_context(request), student_id=student_id)
    return render(
        request,
        "pathways/profile.html",
        {"page": page, "student": page.student, "comment_form": CommentForm() if page.can_comment else None},
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student, learner_profile = selectors.profile_for_edit(context=context, student_id=student_id)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(learner_profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(context=context, student=student, fields=form.profile_fields())
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "Your profile is saved. Your recommendations now use it.")
            return redirect("learner-profile", student.pk)
    return render(request, "pathways/profile_form.html", {"form": form, "student": student})


@login_required
@_guarded
@require_GET
def profile_history(request: HttpRequest, student_id: int) -> HttpResponse:
    student, revisions = selectors.profile_history(context=request_context(request), student_id=student_id)
    return render(request, "pathways/profile_history.html", {"student": student, "revisions": revisions})


@login_required
@_guarded
@require_POST
def profile_comment(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.COMMENT_PROFILE, audit_as="learner-profile"
    )
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a comment before sending it.")
    else:
        try:
            services.profile_comment_add(context=context, student=student, text=form.cleaned_data["text"])
        except services.PathwaysError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your comment is added.")
    return redirect("learner-profile", student.pk)


# Success plan ---------------------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def plan(request: HttpRequest, student_id: int) -> HttpResponse:
    page = selectors.plan_page(context=request_context(request), student_id=student_id)
    acknowledged = page.acknowledged_by(_user(request).pk) if page.can_acknowledge else None
    return render(
        request,
        "pathways/plan.html",
        {
            "page": page,
            "student": page.student,
            "review_form": ReviewForm() if page.can_review else None,
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
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "The goal is saved in the success plan.")
            return redirect("success-plan", student.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "pathways/goal_form.html",
        {"form": form, "milestones": milestones, "student": student, "goal": goal},
        status=status,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.EDIT_PLAN)
    return _goal_page(request, context=context, student=student, goal=None)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    context = request_context(request)
    goal = selectors.goal_get(context=context, goal_id=goal_id)
    return _goal_page(request, context=context, student=goal.plan.student, goal=goal)


@login_required
@_guarded
@require_POST
def plan_review(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.REVIEW_PLAN)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date of the review.")
    else:
        try:
            services.plan_review_record(
                context=context,
                student=student,
                reviewed_on=form.cleaned_data["reviewed_on"],
                notes=form.cleaned_data["notes"],
            )
        except services.PathwaysError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The review is recorded.")
    return redirect("success-plan", student.pk)


@login_required
@_guarded
@require_POST
def plan_acknowledge(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = selectors.plan_student(context=context, student_id=student_id, action=Action.ACKNOWLEDGE_PLAN)
    try:
        services.plan_acknowledge(context=context, student=student)
    except services.PathwaysError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Thank you: you acknowledged {student.full_name}’s success plan.")
    return redirect("success-plan", student.pk)


# Recommendations ------------------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def recommendations(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    page = selectors.recommendations_for(context=context, student_id=student_id)
    return render(
        request,
        "pathways/recommendations.html",
        {
            "page": page,
            "student": page.student,
            "can_propose": policy.can(context.user, Action.PROPOSE_PATH, page.student),
        },
    )


# The catalog ----------------------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    form = CatalogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    can_curate = policy.can(context.user, Action.CURATE_CATALOG)
    filters = selectors.CatalogFilters(
        kind=data.get("kind", ""),
        location=data.get("location", ""),
        career_cluster=data.get("career_cluster", ""),
        grade=data.get("grade"),
        query=data.get("q", ""),
        with_places=data.get("with_places", False),
        include_inactive=can_curate,
    )
    page = selectors.catalog(
        context=context, filters=filters, page=_page_number(request), page_size=settings.WAYPOINT_PAGE_SIZE
    )
    own = Student.objects.filter(user=context.actor).values_list("pk", flat=True).first()
    return render(
        request,
        "pathways/catalog.html",
        {
            "form": form,
            "page": page,
            "rows": [(o, selectors.places_left(o)) for o in page.items],
            "can_curate": can_curate,
            "own_student_id": own,
            "filtered": form.is_valid() and any(data.values()),
        },
    )


@login_required
@_guarded
@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    context = request_context(request)
    user = context.user
    opportunity = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    participants = (
        selectors.opportunity_participants(context=context, opportunity=opportunity)
        if policy.can(user, Action.VIEW_PARTICIPANTS, opportunity)
        else None
    )
    student = Student.objects.filter(user=context.actor).first()
    proposable = (
        student is not None
        and opportunity.is_active
        and opportunity.district_id == student.district_id
        and policy.can(user, Action.PROPOSE_PATH, student)
    )
    open_path = (
        PathProposal.objects.filter(
            student=student, opportunity=opportunity, status__in=OPEN_STATUSES
        ).first()
        if proposable
        else None
    )
    return render(
        request,
        "pathways/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "open_path": open_path,
            "places_left": selectors.places_left(opportunity),
            "participants": participants,
            "proposable": proposable,
            "barriers": selectors.eligibility_barriers(student, opportunity)
            if proposable and student
            else [],
            "can_edit": policy.can(user, Action.EDIT_OPPORTUNITY, opportunity),
            "can_copy": opportunity.shared_as_template
            and policy.can(user, Action.COPY_OPPORTUNITY, opportunity),
        },
    )


def _opportunity_page(request: HttpRequest, *, context: RequestContext, opportunity: Any) -> HttpResponse:
    district = opportunity.district if opportunity else selectors.curated_district(context)
    form = OpportunityForm(
        request.POST or None,
        district=district,
        mentors=mentor_candidates(district),
        initial=OpportunityForm.initial_for(opportunity) if opportunity else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.opportunity_save(
                district=district,
                fields=form.opportunity_fields(),
                actor=context.actor,
                opportunity=opportunity,
            )
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"“{saved.title}” is saved in the catalog.")
            return redirect("opportunity-detail", saved.pk)
    return render(
        request,
        "pathways/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "district": district},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def opportunity_new(request: HttpRequest) -> HttpResponse:
    return _opportunity_page(request, context=request_context(request), opportunity=None)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    context = request_context(request)
    opportunity = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.EDIT_OPPORTUNITY, opportunity):
        raise NotPermitted("An opportunity is edited by its author or by its district’s administrators.")
    return _opportunity_page(request, context=context, opportunity=opportunity)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def opportunity_copy(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    context = request_context(request)
    template = selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
    if not policy.can(context.user, Action.COPY_OPPORTUNITY, template):
        raise NotPermitted("Teachers and administrators copy best-practice templates into their catalog.")
    district = selectors.curated_district(context)
    form = CopyForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            copy, dropped = services.opportunity_copy(
                template=template,
                district=district,
                provider=form.cleaned_data["provider"],
                actor=context.actor,
            )
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            noun = "competency" if dropped == 1 else "competencies"
            note = (
                f" {dropped} {noun} of frameworks your district does not use were left out."
                if dropped
                else ""
            )
            messages.success(
                request, f"“{copy.title}” is copied into your catalog. Check its dates and places.{note}"
            )
            return redirect("opportunity-edit", copy.pk)
    return render(
        request, "pathways/opportunity_copy.html", {"form": form, "template": template, "district": district}
    )


@login_required
@_guarded
@require_GET
def opportunity_templates(request: HttpRequest) -> HttpResponse:
    templates = selectors.templates_for(context=request_context(request))
    return render(request, "pathways/templates.html", {"templates": templates})


# Providers ------------------------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = selectors.providers_for(context=request_context(request))
    return render(request, "pathways/provider_list.html", {"providers": providers})


def _provider_page(request: HttpRequest, *, context: RequestContext, provider: Any) -> HttpResponse:
    district = provider.district if provider else selectors.curated_district(context)
    form = ProviderForm(
        request.POST or None,
        mentors=mentor_candidates(district),
        initial=ProviderForm.initial_for(provider) if provider else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.provider_save(
                district=district, fields=form.provider_fields(), provider=provider
            )
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"“{saved.name}” is saved.")
            return redirect("provider-list")
    return render(
        request,
        "pathways/provider_form.html",
        {"form": form, "provider": provider, "district": district},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest) -> HttpResponse:
    return _provider_page(request, context=request_context(request), provider=None)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    context = request_context(request)
    provider = selectors.provider_get(context=context, provider_id=provider_id)
    return _provider_page(request, context=context, provider=provider)


# Paths ----------------------------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def path_list(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    status = request.GET.get("status", "")
    statuses = [status] if status in PathStatus.values else []
    roles = policy.roles(context.user)
    family = family_students(context=context) if {"student", "guardian"} & set(roles) else []
    page = selectors.paths_for(
        context=context, statuses=statuses, page=_page_number(request), page_size=settings.WAYPOINT_PAGE_SIZE
    )
    return render(
        request,
        "pathways/path_list.html",
        {
            "page": page,
            "family": family,
            "status": status,
            "statuses": PathStatus.choices,
            "is_mentor": "mentor" in roles,
            "can_queue": policy.can(context.user, Action.VIEW_APPROVAL_QUEUE),
        },
    )


def _proposal_form(
    request: HttpRequest, *, student: Student, opportunity: Any, initial: Mapping[str, object]
) -> ProposalForm:
    goals = PlanGoal.objects.filter(plan__student=student).order_by("domain", "position")
    return ProposalForm(
        request.POST or None,
        student_district=student.district,
        goals=goals,
        mentors=mentor_candidates(student.district).exclude(student_record=student),
        opportunity=opportunity,
        initial=initial,
    )


def _chosen_competencies(form: ProposalForm, student: Student) -> list[Any]:
    ids = form.chosen_competency_ids()
    return list(district_competencies(student.district).filter(pk__in=ids).select_related("version"))


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def path_new(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    student = _own_student(context)
    raw_id = request.GET.get("opportunity", "")
    opportunity = (
        selectors.opportunity_get(context=context, opportunity_id=int(raw_id))
        if raw_id.isdigit() and len(raw_id) < 19
        else None
    )
    if opportunity is not None and opportunity.district_id != student.district_id:
        raise Http404
    form = _proposal_form(
        request, student=student, opportunity=opportunity, initial=ProposalForm.initial_dates(opportunity)
    )
    if request.method == "POST" and form.is_valid():
        try:
            path = services.path_propose(
                context=context,
                student=student,
                fields=form.proposal_fields(_chosen_competencies(form, student)),
            )
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "Your proposal is sent. Your advisor or a teacher will answer it here.")
            return redirect("path-detail", path.pk)
    learner_profile = getattr(student, "learner_profile", None)
    return render(
        request,
        "pathways/path_form.html",
        {
            "form": form,
            "student": student,
            "opportunity": opportunity,
            "path": None,
            "profile": learner_profile,
            "barriers": selectors.eligibility_barriers(student, opportunity) if opportunity else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def path_edit(request: HttpRequest, path_id: int) -> HttpResponse:
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.REVISE_PATH)
    if path.status not in (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED):
        messages.error(
            request, f"This path is {path.get_status_display().lower()}: it can no longer be changed."
        )
        return redirect("path-detail", path.pk)
    student = path.student
    form = _proposal_form(
        request, student=student, opportunity=path.opportunity, initial=ProposalForm.initial_for(path)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.path_revise(
                context=context, path=path, fields=form.proposal_fields(_chosen_competencies(form, student))
            )
        except services.PathwaysError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "Your proposal is updated and sent back for approval.")
            return redirect("path-detail", path.pk)
    return render(
        request,
        "pathways/path_form.html",
        {
            "form": form,
            "student": student,
            "opportunity": path.opportunity,
            "path": path,
            "profile": getattr(student, "learner_profile", None),
            "barriers": [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@_guarded
@require_GET
def path_detail(request: HttpRequest, path_id: int) -> HttpResponse:
    page = selectors.path_page(context=request_context(request), path_id=path_id)
    path = page.path
    return render(
        request,
        "pathways/path_detail.html",
        {
            "page": page,
            "path": path,
            "decision_form": DecisionForm()
            if page.can_decide and path.status == PathStatus.PROPOSED
            else None,
            "can_start": page.can_decide and path.status == PathStatus.APPROVED,
            "can_complete": page.can_decide and path.status == PathStatus.ACTIVE,
            "note_form": NoteForm(),
        },
    )


@login_required
@_guarded
@require_POST
def path_decide(request: HttpRequest, path_id: int) -> HttpResponse:
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.DECIDE_PATH)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to approve the proposal or to ask for changes.")
        return redirect("path-detail", path.pk)
    notes = form.cleaned_data["notes"]
    try:
        if form.cleaned_data["decision"] == "approve":
            decided = services.path_approve(context=context, path=path, notes=notes)
            started = " and has started" if decided.status == PathStatus.ACTIVE else ""
            messages.success(request, f"The path is approved{started}. {path.student.full_name} can see it.")
        else:
            services.path_request_changes(context=context, path=path, note=notes)
            messages.success(
                request, f"The proposal is sent back to {path.student.full_name} with your notes."
            )
    except services.PathwaysError as error:
        for problem in error.problems:
            messages.error(request, problem)
    return redirect("path-detail", path.pk)


@login_required
@_guarded
@require_POST
def path_status(request: HttpRequest, path_id: int) -> HttpResponse:
    """Start, complete or withdraw a path (`to` in the form)."""
    context = request_context(request)
    target = request.POST.get("to", "")
    action = Action.WITHDRAW_PATH if target == PathStatus.WITHDRAWN else Action.DECIDE_PATH
    path = selectors.path_get(context=context, path_id=path_id, action=action)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if target == PathStatus.ACTIVE:
            services.path_start(context=context, path=path)
            messages.success(request, "The path has started.")
        elif target == PathStatus.COMPLETED:
            services.path_complete(context=context, path=path, note=note)
            messages.success(request, "The path is completed.")
        elif target == PathStatus.WITHDRAWN:
            services.path_withdraw(context=context, path=path, reason=note)
            messages.success(request, "The path is withdrawn.")
        else:
            messages.error(request, "Choose what to do with the path.")
    except services.PathwaysError as error:
        messages.error(request, str(error))
    return redirect("path-detail", path.pk)


@login_required
@_guarded
@require_GET
def path_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.approval_queue(context=request_context(request))
    return render(request, "pathways/queue.html", {"queue": queue, "open_statuses": OPEN_STATUSES})


# The equal access report ----------------------------------------------------------------------------------


@login_required
@_guarded
@require_GET
def access_report(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    raw = request.GET.get("school", "")
    report = selectors.access_report(
        context=context, school_id=int(raw) if raw.isdigit() and len(raw) < 19 else None
    )
    return render(request, "pathways/access_report.html", {"report": report, "all_schools": not raw})
