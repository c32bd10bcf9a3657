"""The pages of verifiable credentials: a student's credentials (issue, download, revoke), and the public
ones anyone reaches without signing in: the verification page, the district's public keys (JWKS) and its
revocation list."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.core.errors import Invalid, NotVisible
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.records import vc
from waypoint.records.forms.credentials import RevokeForm, VerifyForm
from waypoint.records.selectors import credentials as reads
from waypoint.records.services import credentials as services

# The public page checks at most this many credentials per client address a minute: enough for a person,
# too few to use Waypoint as a free signature oracle.
CHECKS_PER_MINUTE = 30


def _page(
    request: HttpRequest, student_id: int, *, refused: tuple[int, RevokeForm] | None = None, status: int = 200
) -> HttpResponse:
    """The student's credentials; `refused` is the revocation form (of that credential) shown again with its
    problems. Each record gets its own form, so labels and ids stay unique on the page."""
    page = reads.credentials_page(context=request_context(request), student_id=student_id)
    forms = {record.pk: RevokeForm(auto_id=f"revoke-{record.pk}-%s") for record in page.records}
    if refused is not None:
        forms[refused[0]] = refused[1]
    rows = [(record, forms[record.pk]) for record in page.records]
    return render(
        request,
        "records/credentials.html",
        {"page": page, "student": page.student, "rows": rows},
        status=status,
    )


@login_required
@require_GET
def credentials(request: HttpRequest, student_id: int) -> HttpResponse:
    return _page(request, student_id)


@login_required
@require_POST
def credentials_issue(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.ISSUE_CREDENTIAL, audit_as="credentials"
    )
    try:
        issued = services.credentials_issue(context=context, student=student)
    except Invalid as error:
        for problem in error.problems:
            messages.error(request, problem)
        return _page(request, student_id, status=400)
    messages.success(
        request,
        gettext("The Comprehensive Learner Record of %(name)s is signed: %(count)s credentials.")
        % {"name": student.full_name, "count": issued.parts.count()},
    )
    return redirect("records-credentials", student.pk)


@login_required
@require_GET
def credential_download(request: HttpRequest, credential_id: int) -> HttpResponse:
    """The signed credential as `application/vc+jwt` (.jwt), or with `?format=json` the credential it
    carries, as JSON (readable, but only the .jwt proves anything)."""
    credential = reads.credential_get(
        context=request_context(request), credential_id=credential_id, action=Action.DOWNLOAD_CREDENTIAL
    )
    # The kind's value, not its label: a translated label could put non-ASCII in the header.
    name = f"waypoint-{credential.kind}-{credential.pk}"
    if request.GET.get("format") == "json":
        document = vc.parse_token(credential.token).credential
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = HttpResponse(credential.token, content_type="application/vc+jwt")
        response["Content-Disposition"] = f'attachment; filename="{name}.jwt"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def credential_revoke(request: HttpRequest, credential_id: int) -> HttpResponse:
    context = request_context(request)
    credential = reads.credential_get(
        context=context, credential_id=credential_id, action=Action.REVOKE_CREDENTIAL
    )
    student_id = credential.student_id
    form = RevokeForm(request.POST, auto_id=f"revoke-{credential.pk}-%s")
    if form.is_valid():
        try:
            services.credential_revoke(
                context=context, credential=credential, reason=form.cleaned_data["reason"]
            )
        except Invalid as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, gettext("The credential is revoked: verifiers now see it as revoked."))
            if student_id is None:
                return redirect("records-verify")
            return redirect("records-credentials", student_id)
    if student_id is None:
        raise NotVisible(f"Credential {credential_id} has no student record.")
    return _page(request, student_id, refused=(credential.pk, form), status=400)


def _too_many(request: HttpRequest) -> bool:
    key = f"records-verify:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) > CHECKS_PER_MINUTE
    except ValueError:
        return False


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: paste or upload a credential and read, in words, everything that was checked."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    checked = None
    status = 200
    if request.method == "POST":
        if _too_many(request):
            form.add_error(
                None, gettext("Too many checks from here in a minute. Wait a moment and try again.")
            )
            status = 429
        elif form.is_valid():
            checked = reads.credential_check(form.cleaned_data["data"])
            status = 200 if checked.valid else 400
        else:
            status = 400
    context = {
        "form": form,
        "checked": checked,
        "sentences": reads.check_sentences(checked) if checked is not None else [],
    }
    return render(request, "records/verify.html", context, status=status)


@require_GET
def jwks(request: HttpRequest, district: str) -> JsonResponse:
    """Public: the district's signing keys, as a JWK Set."""
    response = JsonResponse(reads.district_jwks(slug=district))
    response["Content-Type"] = "application/jwk-set+json"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def status_list(request: HttpRequest, district: str) -> JsonResponse:
    """Public: the district's revocation list (1EdTechRevocationList)."""
    response = JsonResponse(reads.status_list(slug=district))
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "max-age=60"
    return response


urlpatterns: list[URLPattern] = [
    path("students/<int:student_id>/credentials/", credentials, name="records-credentials"),
    path("students/<int:student_id>/credentials/issue/", credentials_issue, name="records-credentials-issue"),
    path(
        "credentials/<int:credential_id>/download/", credential_download, name="records-credential-download"
    ),
    path("credentials/<int:credential_id>/revoke/", credential_revoke, name="records-credential-revoke"),
    path("verify/", verify, name="records-verify"),
    path("districts/<slug:district>/jwks.json", jwks, name="records-jwks"),
    path("districts/<slug:district>/credentials/status.json", status_list, name="records-status-list"),
]
