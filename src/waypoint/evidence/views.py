"""HTML pages of evidence: the scorers' inbox, submitting work and observations, the chain of versions with
feedback and judgements, revisions, files, and assessments (the scoring page is mastery's). Each view parses
input, calls a selector or service (which ask the access policy), and renders; what the policy hides answers
404, what it refuses answers the 403 page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint import policy
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.http import page_number, user_of
from waypoint.core.models import Organization, Student
from waypoint.evidence import selectors, services
from waypoint.evidence.forms import (
    AssessmentForm,
    CompetencyNamingForm,
    EvidenceForm,
    FeedbackForm,
    ReviseForm,
    competency_groups,
)
from waypoint.evidence.models import EvidenceStatus, Score
from waypoint.frameworks.selectors import level_name, rubrics_for
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.policy.pathways import paths_taking_evidence


def _add_problems(form: Any, error: services.EvidenceError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


# The inbox -----------------------------------------------------------------------------------------------


def _chosen_id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The waiting evidence, narrowed by `?section=<id>&subject=<name>&assessment=<id>` (they combine)."""
    chosen = selectors.InboxFilter(
        section_id=_chosen_id(request, "section"),
        subject=request.GET.get("subject", "")[:200],
        assessment_id=_chosen_id(request, "assessment"),
    )
    found = selectors.evidence_inbox(
        context=request_context(request),
        page=page_number(request),
        page_size=settings.WAYPOINT_PAGE_SIZE,
        chosen=chosen,
    )
    return render(request, "evidence/inbox.html", {"inbox": found, "page": found.page})


# Submitting work and observations --------------------------------------------------------------------------


def _evidence_form_page(request: HttpRequest, *, student: Student, observation: bool) -> HttpResponse:
    user = user_of(request)
    context = request_context(request)
    assessments = selectors.assessments_for(context=context)
    initial: dict[str, object] = {}
    raw_assessment = request.GET.get("assessment", "")
    if raw_assessment.isdigit() and any(a.pk == int(raw_assessment) for a in assessments):
        initial["assessment"] = int(raw_assessment)
    # The student's own work may be done on one of their paths (the API takes `path_id` the same way).
    paths = (
        []
        if observation
        else [
            (path.pk, path.display_title)
            for path in paths_taking_evidence(user, student).select_related("opportunity")
        ]
    )
    raw_path = request.GET.get("path", "")
    if raw_path.isdigit() and any(pk == int(raw_path) for pk, _ in paths):
        initial["path"] = int(raw_path)
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        assessments=assessments,
        groups=competency_groups(student.district),
        observation=observation,
        paths=paths,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = services.evidence_submit(
                context=context,
                student_id=student.pk,
                title=data["title"],
                body=data["body"],
                links=data["links"],
                competency_ids=data["competencies"],
                assessment_id=data["assessment"],
                files=data["attachments"],
                observation=observation,
                path_id=data.get("path"),
            )
        except services.EvidenceError as error:
            _add_problems(form, error)
        else:
            messages.success(
                request,
                gettext("The observation is recorded.")
                if observation
                else gettext("Your work is submitted for scoring."),
            )
            return redirect("evidence-detail", evidence.pk)
    student_first = policy.request_access(request).reads_student_language_first
    return render(
        request,
        "evidence/evidence_form.html",
        {
            "form": form,
            "student": student,
            "observation": observation,
            "own_work": student.user_id == user.pk,
            "student_first": student_first,
            "groups": form.picker(student_first=student_first),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_new(request: HttpRequest) -> HttpResponse:
    """A student submits their own work."""
    user = user_of(request)
    student = Student.objects.filter(user=user).first()
    if student is None or not policy.can(user, Action.SUBMIT_EVIDENCE, student):
        raise NotPermitted(
            gettext(
                "Students submit their own work here. Staff record an observation from a student’s evidence "
                "page."
            )
        )
    return _evidence_form_page(request, student=student, observation=False)


@login_required
@require_http_methods(["GET", "POST"])
def observation_new(request: HttpRequest, student_id: int) -> HttpResponse:
    """A teacher or administrator records what they observed a student do."""
    student = student_get(
        context=request_context(request),
        student_id=student_id,
        action=Action.RECORD_OBSERVATION,
        audit_as="evidence",
    )
    return _evidence_form_page(request, student=student, observation=True)


@login_required
@require_GET
def student_evidence(request: HttpRequest, student_id: int) -> HttpResponse:
    user = user_of(request)
    student, pieces = selectors.student_evidence(context=request_context(request), student_id=student_id)
    return render(
        request,
        "evidence/student_evidence.html",
        {
            "student": student,
            "pieces": pieces,
            "can_submit": policy.can(user, Action.SUBMIT_EVIDENCE, student),
            "can_observe": policy.can(user, Action.RECORD_OBSERVATION, student),
        },
    )


# One piece of evidence ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgementRow:
    """A score as the evidence page shows it: its level's name, counted or feedback only, and the score that
    corrected it (if one did)."""

    score: Score
    label: str
    corrected_by: Score | None


@dataclass(frozen=True)
class VersionRow:
    version: selectors.VersionView
    judgements: list[JudgementRow]
    is_latest: bool
    is_shown: bool


def _version_rows(detail: selectors.EvidenceDetail) -> list[VersionRow]:
    rows = []
    last = detail.versions[-1].evidence.pk if detail.versions else None
    levels = detail.levels
    for view in detail.versions:
        by_superseded = {score.supersedes_id: score for score in view.scores if score.supersedes_id}
        rows.append(
            VersionRow(
                version=view,
                judgements=[
                    JudgementRow(
                        score,
                        level_name(levels.get(score.competency_id, []), score.value),
                        by_superseded.get(score.pk),
                    )
                    for score in view.scores
                ],
                is_latest=view.evidence.pk == last,
                is_shown=view.evidence.pk == detail.evidence.pk,
            )
        )
    return rows


def _detail_page(
    request: HttpRequest,
    detail: selectors.EvidenceDetail,
    *,
    revise_form: ReviseForm | None = None,
    feedback_form: FeedbackForm | None = None,
) -> HttpResponse:
    user = user_of(request)
    evidence = detail.evidence
    own = evidence.student.user_id == user.pk
    may_comment = detail.may_judge
    latest = detail.versions[-1].evidence if detail.versions else evidence
    return render(
        request,
        "evidence/evidence_detail.html",
        {
            "detail": detail,
            "evidence": evidence,
            "student": evidence.student,
            "latest": latest,
            "rows": _version_rows(detail),
            "own": own,
            "student_first": policy.request_access(request).reads_student_language_first,
            "revise_form": (revise_form or ReviseForm()) if detail.may_revise else None,
            "feedback_form": (
                feedback_form
                or FeedbackForm(may_request_revision=detail.may_request_revision, student_author=own)
            )
            if may_comment and latest.pk == evidence.pk
            else None,
            "revision_requested": evidence.status == EvidenceStatus.REVISION_REQUESTED,
        },
    )


@login_required
@require_GET
def evidence_detail(request: HttpRequest, evidence_id: int) -> HttpResponse:
    detail = selectors.evidence_detail(context=request_context(request), evidence_id=evidence_id)
    return _detail_page(request, detail)


@login_required
@require_POST
def evidence_revise(request: HttpRequest, evidence_id: int) -> HttpResponse:
    context = request_context(request)
    evidence = selectors.evidence_get(context=context, evidence_id=evidence_id, action=Action.REVISE_EVIDENCE)
    form = ReviseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revision = services.evidence_revise(
                context=context,
                evidence_id=evidence.pk,
                title=data["title"],
                body=data["body"],
                links=data["links"],
                files=data["attachments"],
            )
        except services.EvidenceError as error:
            _add_problems(form, error)
        else:
            messages.success(
                request,
                gettext("Version %(version)s is submitted for scoring.") % {"version": revision.version},
            )
            return redirect("evidence-detail", revision.pk)
    detail = selectors.evidence_detail(context=context, evidence_id=evidence.pk)
    return _detail_page(request, detail, revise_form=form)


@login_required
@require_POST
def evidence_feedback(request: HttpRequest, evidence_id: int) -> HttpResponse:
    context = request_context(request)
    user = user_of(request)
    evidence = selectors.evidence_get(context=context, evidence_id=evidence_id, action=Action.JUDGE_EVIDENCE)
    may_request = policy.can(user, Action.REQUEST_REVISION, evidence)
    form = FeedbackForm(
        request.POST, may_request_revision=may_request, student_author=evidence.student.user_id == user.pk
    )
    if form.is_valid():
        asks = bool(form.cleaned_data.get("requests_revision"))
        try:
            services.feedback_add(
                context=context,
                evidence_id=evidence.pk,
                body=form.cleaned_data["body"],
                requests_revision=asks,
            )
        except services.EvidenceError as error:
            _add_problems(form, error)
        else:
            messages.success(
                request,
                gettext("The feedback is saved and the student is asked for a revision.")
                if asks
                else gettext("Saved."),
            )
            return redirect("evidence-detail", evidence.pk)
    detail = selectors.evidence_detail(context=context, evidence_id=evidence.pk)
    return _detail_page(request, detail, feedback_form=form)


@login_required
@require_POST
def evidence_competencies(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """A scorer names the competencies of evidence that names none, then scores it on the scoring page."""
    context = request_context(request)
    evidence = selectors.evidence_get(context=context, evidence_id=evidence_id, action=Action.JUDGE_EVIDENCE)
    if not policy.can(context.user, Action.ADD_EVIDENCE_COMPETENCIES, evidence):
        raise NotPermitted(
            gettext(
                "Only the student's teachers and administrators name the competencies of the latest version."
            )
        )
    form = CompetencyNamingForm(request.POST, offered=selectors.competencies_to_name(evidence))
    if not form.is_valid():
        for problem in form.errors.get("competencies", []):
            messages.error(request, str(problem))
        return redirect("evidence-score", evidence.pk)
    try:
        services.evidence_competencies_add(
            context=context, evidence_id=evidence.pk, competency_ids=form.cleaned_data["competencies"]
        )
    except services.EvidenceError as error:
        for problem in error.problems:
            messages.error(request, problem)
    except Conflict as conflict:
        messages.info(request, conflict.reason)
    else:
        messages.success(request, gettext("The competencies are named: score the evidence on them now."))
    return redirect("evidence-score", evidence.pk)


@login_required
@require_GET
def artifact_download(request: HttpRequest, artifact_id: int) -> HttpResponseBase:
    """A file of evidence, only to those who may read the evidence, always as a download."""
    artifact = selectors.artifact_get(context=request_context(request), artifact_id=artifact_id)
    try:
        handle = artifact.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=artifact.original_name, content_type=artifact.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=300)
    return response


# Assessments ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    return render(
        request,
        "evidence/assessment_list.html",
        {
            "assessments": selectors.assessments_for(context=request_context(request)),
            "can_create": policy.can(user, Action.CREATE_ASSESSMENT),
            "is_student": policy.request_access(request).is_student,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not policy.can(user, Action.CREATE_ASSESSMENT):
        raise NotPermitted(gettext("Teachers and administrators of a district create assessments."))
    district_id = policy.request_access(request).acting_district_id
    district = Organization.objects.filter(pk=district_id).first() if district_id is not None else None
    rubrics = list(
        rubrics_for(user)
        .filter(owner_id__in=[pk for pk in (district_id, district.parent_id if district else None) if pk])
        .prefetch_related("criteria")
    )
    sections = list(policy.visible_sections(user).filter(teachers=user).distinct().order_by("title"))
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        rubrics=rubrics,
        sections=sections,
        groups=competency_groups(district),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_create(
                context=request_context(request),
                title=data["title"],
                kind=data["kind"],
                competency_ids=form.competency_ids(),
                instructions=data["instructions"],
                rubric_id=data["rubric"],
                section_id=data["section"],
                due_on=data["due_on"],
            )
        except services.EvidenceError as error:
            _add_problems(form, error)
        else:
            messages.success(request, gettext("“%(title)s” is saved.") % {"title": assessment.title})
            return redirect("assessment-detail", assessment.pk)
    return render(
        request,
        "evidence/assessment_form.html",
        {"form": form, "groups": form.picker()},
    )


@login_required
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = user_of(request)
    assessment = selectors.assessment_get(context=request_context(request), assessment_id=assessment_id)
    own_id = policy.request_access(request).own_student_id
    own_record = Student.objects.filter(pk=own_id).first() if own_id is not None else None
    return render(
        request,
        "evidence/assessment_detail.html",
        {
            "assessment": assessment,
            "competencies": list(assessment.competencies.order_by("path")),
            "can_submit": own_record is not None and policy.can(user, Action.SUBMIT_EVIDENCE, own_record),
            "section_visible": assessment.section_id is not None
            and policy.visible_sections(user).filter(pk=assessment.section_id).exists(),
            "own_record": own_record,
            "can_work_inbox": policy.can(user, Action.WORK_EVIDENCE_INBOX),
            "student_first": policy.request_access(request).reads_student_language_first,
        },
    )
