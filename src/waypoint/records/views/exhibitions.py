"""The exhibition pages: the list (the staff's students', a student's own, a guardian's children's, and the
panels one sits on), scheduling one with its panel, and one exhibition with the panel's scoring form and the
outcome. A refused write shows the page again with every problem (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.core.errors import Invalid, NotPermitted
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.records.forms.exhibitions import ExhibitionForm, OutcomeForm, ScoreForm
from waypoint.records.models import ExhibitionStatus, PortfolioCollection
from waypoint.records.selectors import exhibitions as reads
from waypoint.records.services import exhibitions as services


def _problems(form: Form, error: Invalid) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


@login_required
@require_GET
def exhibitions(request: HttpRequest) -> HttpResponse:
    found = reads.exhibition_list(context=request_context(request))
    return render(request, "records/exhibitions.html", {"found": found})


@login_required
@require_http_methods(["GET", "POST"])
def exhibition_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.SCHEDULE_EXHIBITION, audit_as="exhibition"
    )
    form = ExhibitionForm(
        request.POST or None,
        competencies=services.competency_choices(student),
        rubrics=services.rubric_choices(student),
        collections=PortfolioCollection.objects.filter(student=student).order_by("title"),
        staff=services.staff_choices(student),
        guardians=services.guardian_choices(student),
    )
    if request.method == "POST" and form.is_valid():
        try:
            exhibition = services.exhibition_schedule(context=context, student=student, plan=form.plan())
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The exhibition is scheduled with its panel."))
            return redirect("records-exhibition", exhibition.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/exhibition_form.html", {"student": student, "form": form}, status=status)


def _score_form(request: HttpRequest | None, page: reads.ExhibitionPage) -> ScoreForm:
    return ScoreForm(
        request.POST if request is not None else None,
        competencies=page.competencies,
        levels=page.levels,
        experts=page.experts,
        own_seat=page.can_score,
    )


def _page(
    request: HttpRequest,
    page: reads.ExhibitionPage,
    score: ScoreForm | None = None,
    outcome: OutcomeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    open_for_scores = page.exhibition.status != ExhibitionStatus.CANCELLED
    context: dict[str, object] = {
        "page": page,
        "exhibition": page.exhibition,
        "student": page.exhibition.student,
        "score_form": score
        or (_score_form(None, page) if open_for_scores and (page.can_score or page.experts) else None),
        "outcome_form": outcome
        or (
            OutcomeForm()
            if page.can_manage and page.exhibition.status == ExhibitionStatus.SCHEDULED
            else None
        ),
    }
    return render(request, "records/exhibition.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def exhibition(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    """Read an exhibition; a panel member scores it and the staff who guide the student record the outcome
    (the `op` of each form)."""
    context = request_context(request)
    page = reads.exhibition_page(context=context, exhibition_id=exhibition_id)
    if request.method == "GET":
        return _page(request, page)
    if request.POST.get("op") == "outcome":
        return _outcome(request, page)
    if not (page.can_score or page.experts):
        raise NotPermitted(gettext("Only a member of the exhibition’s panel scores it."))
    form = _score_form(request, page)
    if form.is_valid():
        try:
            done = services.exhibition_score(
                context=context,
                exhibition=page.exhibition,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                member_id=form.cleaned_data.get("member"),
            )
        except Invalid as error:
            _problems(form, error)
        else:
            if done.sets_levels:
                messages.success(
                    request, gettext("Your scores are recorded and the student’s levels updated.")
                )
            else:
                messages.success(request, gettext("The judgement is recorded as feedback for the student."))
            return redirect("records-exhibition", page.exhibition.pk)
    return _page(request, page, score=form, status=400)


def _outcome(request: HttpRequest, page: reads.ExhibitionPage) -> HttpResponse:
    if not page.can_manage:
        raise NotPermitted(gettext("Only the staff who guide the student record the outcome."))
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.exhibition_record_outcome(
                context=request_context(request),
                exhibition=page.exhibition,
                held_on=form.cleaned_data["held_on"],
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The outcome is recorded."))
            return redirect("records-exhibition", page.exhibition.pk)
    return _page(request, page, outcome=form, status=400)


urlpatterns: list[URLPattern] = [
    path("records/exhibitions/", exhibitions, name="records-exhibitions"),
    path("students/<int:student_id>/exhibitions/new/", exhibition_new, name="records-exhibition-new"),
    path("exhibitions/<int:exhibition_id>/", exhibition, name="records-exhibition"),
]
