"""The competency transcript's pages: the transcript (HTML and a live, unofficial PDF), issuing an official
one, requesting one, the requests waiting for an issuer, and the public check of an issued transcript (no
sign-in: the verification code is the reader's authority). Each view parses input, reads through the
selectors (which ask the access policy and audit), calls a service, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from waypoint.core.audit import RequestContext, audit_context
from waypoint.core.errors import Invalid
from waypoint.policy import Action, request_context
from waypoint.records.forms.transcripts import TranscriptRequestForm
from waypoint.records.selectors import transcripts as reads
from waypoint.records.services import transcripts as services


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    _private(response)
    return response


def _private(response: HttpResponse) -> None:
    """A transcript names a student: no shared cache keeps it (signed-in pages get this from the middleware;
    the public check is read without signing in) and no search engine lists it."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"


def _page(
    request: HttpRequest, page: reads.TranscriptPage, form: TranscriptRequestForm, status: int = 200
) -> HttpResponse:
    context = {
        "page": page,
        "student": page.student,
        "form": form,
        **services.document_context(page.content, readable_evidence=page.readable_evidence),
    }
    return render(request, "records/transcript.html", context, status=status)


@login_required
@require_GET
def transcript(request: HttpRequest, student_id: int) -> HttpResponse:
    page = reads.transcript_page(context=request_context(request), student_id=student_id)
    return _page(request, page, TranscriptRequestForm())


@login_required
@require_GET
def transcript_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    """The transcript as it stands, printed live: a draft marked "Unofficial"."""
    student = reads.transcript_student(
        context=request_context(request), student_id=student_id, action=Action.VIEW_TRANSCRIPT
    )
    pdf = services.render_pdf(reads.transcript_content(student=student))
    return _pdf_response(pdf, f"transcript-{student.pk}-unofficial.pdf")


@login_required
@require_POST
def transcript_issue(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = reads.transcript_student(context=context, student_id=student_id, action=Action.ISSUE_TRANSCRIPT)
    issued = services.transcript_issue(context=context, student=student)
    messages.success(
        request,
        gettext("An official transcript of %(student)s was issued on %(date)s.")
        % {"student": student.full_name, "date": date_format(issued.issued_at, "DATE_FORMAT")},
    )
    return redirect("records-transcript", student_id=student.pk)


@login_required
@require_POST
def transcript_request(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = reads.requesting_student(context=context, student_id=student_id)
    form = TranscriptRequestForm(request.POST)
    if form.is_valid():
        try:
            services.transcript_request(
                context=context, student=student, recipient=form.cleaned_data["recipient"]
            )
        except Invalid as error:
            for problem in error.problems:
                form.add_error("recipient", problem)
        else:
            messages.success(
                request,
                gettext("Your request for a transcript for %(recipient)s was sent to the school.")
                % {"recipient": form.cleaned_data["recipient"]},
            )
            return redirect("records-transcript", student_id=student.pk)
    page = reads.transcript_page(context=context, student_id=student_id)
    return _page(request, page, form, status=400)


@login_required
@require_GET
def transcript_requests(request: HttpRequest) -> HttpResponse:
    waiting = reads.waiting_requests(context=request_context(request))
    return render(request, "records/transcript_requests.html", {"requests": waiting})


def _public(request: HttpRequest) -> RequestContext:
    """The context of a public read: recorded with no actor, whoever holds the code."""
    return RequestContext(
        user=AnonymousUser(),
        client_address=audit_context(request).client_address,
        path=request.path[:300],
    )


@require_GET
def transcript_verify(request: HttpRequest, code: str) -> HttpResponse:
    verification = reads.issued_transcript_get(context=_public(request), code=code)
    response = render(
        request,
        "records/transcript_verify.html",
        {"verification": verification, "issued": verification.transcript},
    )
    _private(response)
    return response


@require_GET
def transcript_issued_pdf(request: HttpRequest, code: str) -> HttpResponse:
    verification = reads.issued_transcript_get(context=_public(request), code=code, with_pdf=True)
    issued = verification.transcript
    return _pdf_response(bytes(issued.pdf), f"transcript-{issued.issued_at:%Y-%m-%d}.pdf")


urlpatterns: list[URLPattern] = [
    path("students/<int:student_id>/transcript/", transcript, name="records-transcript"),
    path("students/<int:student_id>/transcript.pdf", transcript_pdf, name="records-transcript-pdf"),
    path("students/<int:student_id>/transcript/issue/", transcript_issue, name="records-transcript-issue"),
    path(
        "students/<int:student_id>/transcript/request/", transcript_request, name="records-transcript-request"
    ),
    path("records/transcripts/requests/", transcript_requests, name="records-transcript-requests"),
    path("verify/transcripts/<str:code>/", transcript_verify, name="records-transcript-verify"),
    path("verify/transcripts/<str:code>/pdf", transcript_issued_pdf, name="records-transcript-issued-pdf"),
]
