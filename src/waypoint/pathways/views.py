"""HTML pages of paths of study: recommendations, an opportunity as a student or staff member sees it,
proposals, the approval queue, paths and the equal access report. Each view parses input, asks the access
policy (through the selectors), calls a service, and renders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint import policy
from waypoint.catalog import selectors as catalog_selectors
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.http import user_of
from waypoint.core.models import Student
from waypoint.evidence import services as evidence_services
from waypoint.frameworks.selectors import district_competencies
from waypoint.pathways import selectors, services
from waypoint.pathways.forms import DecisionForm, NoteForm, PathWorkForm, ProposalForm
from waypoint.pathways.models import OPEN_STATUSES, PathProposal, PathStatus
from waypoint.people.selectors import family_students
from waypoint.policy import Action, request_context
from waypoint.policy.catalog import mentor_candidates
from waypoint.profiles.models import PlanGoal


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() and len(raw) < 9 else 1


def _add_problems(form: Form, error: services.PathwaysError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


def _own_student(context: RequestContext) -> Student:
    student = Student.objects.filter(user=context.actor).select_related("district").first()
    if student is None or not policy.can(context.user, Action.PROPOSE_PATH):
        raise NotPermitted(
            gettext("Students propose paths for themselves; your account has no student record.")
        )
    return student


# Recommendations ------------------------------------------------------------------------------------------


@login_required
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


# An opportunity, as someone who may take part sees it -----------------------------------------------------


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    context = request_context(request)
    user = context.user
    opportunity = catalog_selectors.opportunity_get(context=context, opportunity_id=opportunity_id)
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
            "places_left": catalog_selectors.places_left(opportunity),
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


# Paths ----------------------------------------------------------------------------------------------------


@login_required
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
@require_http_methods(["GET", "POST"])
def path_new(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    student = _own_student(context)
    raw_id = request.GET.get("opportunity", "")
    opportunity = (
        catalog_selectors.opportunity_get(context=context, opportunity_id=int(raw_id))
        if raw_id.isdigit() and len(raw_id) < 19
        else None
    )
    if opportunity is not None and opportunity.district_id != student.district_id:
        raise NotVisible(gettext("The opportunity is not in your district’s catalog."))
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
            messages.success(
                request, gettext("Your proposal is sent. Your advisor or a teacher will answer it here.")
            )
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
@require_http_methods(["GET", "POST"])
def path_edit(request: HttpRequest, path_id: int) -> HttpResponse:
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.REVISE_PATH)
    if path.status not in (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED):
        messages.error(
            request,
            gettext("This path can no longer be changed (its status: %(status)s).")
            % {"status": path.get_status_display()},
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
            messages.success(request, gettext("Your proposal is updated and sent back for approval."))
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


def _path_page(
    request: HttpRequest,
    page: selectors.PathPage,
    *,
    work_form: PathWorkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The path's page; the form to add work or an observation when the viewer may (the student while the
    path takes evidence, its mentor while it is active)."""
    path = page.path
    user = user_of(request)
    may_add = policy.can(user, Action.ADD_PATH_EVIDENCE, path)
    observing = may_add and path.student.user_id != user.pk
    if may_add and work_form is None:
        work_form = PathWorkForm(competencies=page.competencies, observation=observing)
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
            "work_form": work_form if may_add else None,
            "observing": observing,
        },
        status=status,
    )


@login_required
@require_GET
def path_detail(request: HttpRequest, path_id: int) -> HttpResponse:
    return _path_page(request, selectors.path_page(context=request_context(request), path_id=path_id))


@login_required
@require_POST
def path_evidence_new(request: HttpRequest, path_id: int) -> HttpResponse:
    """Work done on the path (the student) or an observation of it (its mentor), from the path's page: it
    is evidence on the path, scored by the student's certified teachers like any other; a mentor's
    observation and feedback never set a level themselves."""
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.ADD_PATH_EVIDENCE)
    observing = path.student.user_id != context.user.pk
    page = selectors.path_page(context=context, path_id=path.pk)
    form = PathWorkForm(request.POST, request.FILES, competencies=page.competencies, observation=observing)
    if form.is_valid():
        data = form.cleaned_data
        try:
            evidence_services.evidence_submit(
                context=context,
                student_id=path.student_id,
                title=data["title"],
                body=data["body"],
                links=data["links"],
                competency_ids=data["competencies"],
                files=data["attachments"],
                observation=observing,
                path_id=path.pk,
            )
        except evidence_services.EvidenceError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                gettext("The observation is recorded: the student and their teachers see it as feedback.")
                if observing
                else gettext("Your work is added to the path and waits for a teacher to score it."),
            )
            return redirect(reverse("path-detail", args=[path.pk]) + "#evidence-heading")
    return _path_page(request, page, work_form=form, status=400)


@login_required
@require_POST
def path_decide(request: HttpRequest, path_id: int) -> HttpResponse:
    context = request_context(request)
    path = selectors.path_get(context=context, path_id=path_id, action=Action.DECIDE_PATH)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose whether to approve the proposal or to ask for changes."))
        return redirect("path-detail", path.pk)
    notes = form.cleaned_data["notes"]
    try:
        if form.cleaned_data["decision"] == "approve":
            decided = services.path_approve(context=context, path=path, notes=notes)
            approved = (
                gettext("The path is approved and has started. %(name)s can see it.")
                if decided.status == PathStatus.ACTIVE
                else gettext("The path is approved. %(name)s can see it.")
            )
            messages.success(request, approved % {"name": path.student.full_name})
        else:
            services.path_request_changes(context=context, path=path, note=notes)
            messages.success(
                request,
                gettext("The proposal is sent back to %(name)s with your notes.")
                % {"name": path.student.full_name},
            )
    except services.PathwaysError as error:
        for problem in error.problems:
            messages.error(request, problem)
    return redirect("path-detail", path.pk)


@login_required
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
            messages.success(request, gettext("The path has started."))
        elif target == PathStatus.COMPLETED:
            services.path_complete(context=context, path=path, note=note)
            messages.success(request, gettext("The path is completed."))
        elif target == PathStatus.WITHDRAWN:
            services.path_withdraw(context=context, path=path, reason=note)
            messages.success(request, gettext("The path is withdrawn."))
        else:
            messages.error(request, gettext("Choose what to do with the path."))
    except services.PathwaysError as error:
        messages.error(request, str(error))
    return redirect("path-detail", path.pk)


@login_required
@require_GET
def path_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.approval_queue(context=request_context(request))
    return render(request, "pathways/queue.html", {"queue": queue, "open_statuses": OPEN_STATUSES})


# The equal access report ----------------------------------------------------------------------------------


@login_required
@require_GET
def access_report(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    raw = request.GET.get("school", "")
    report = selectors.access_report(
        context=context, school_id=int(raw) if raw.isdigit() and len(raw) < 19 else None
    )
    return render(request, "pathways/access_report.html", {"report": report, "all_schools": not raw})
