"""Transfer pages: the list (requests in and out, waiting first; a student's or guardian's own), B's request
form, and a transfer's page, where A's district administrator releases the record with the evidence chosen
or declines. Thin: the selectors scope and audit, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint import policy
from waypoint.core.errors import Invalid
from waypoint.policy import Action, request_context
from waypoint.records.forms.transfers import DeclineForm, ReleaseForm, TransferRequestForm
from waypoint.records.models import TransferStatus
from waypoint.records.selectors import transfers as reads
from waypoint.records.services import transfers as services


def _problems(form: Form, error: Invalid) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


@login_required
@require_GET
def transfers(request: HttpRequest) -> HttpResponse:
    rows = reads.transfer_list(context=request_context(request))
    return render(request, "records/transfers.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = reads.transfer_student(context=context, student_id=student_id)
    form = TransferRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_request(
                context=context, student=student, state_student_id=form.cleaned_data["state_student_id"]
            )
        except Invalid as error:
            _problems(form, error)
        else:
            if transfer.status == TransferStatus.RELEASED:
                messages.success(
                    request, gettext("The record arrived: the sending district releases on a match.")
                )
            else:
                messages.success(
                    request,
                    gettext("The record of %(student)s is requested from %(district)s.")
                    % {"student": student.full_name, "district": transfer.from_district.name},
                )
            return redirect("records-transfer", transfer.pk)
    return render(
        request,
        "records/transfer_form.html",
        {"student": student, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    context = request_context(request)
    row = reads.transfer_get(context=context, transfer_id=transfer_id)
    choices = reads.release_choices(context=context, row=row)
    decide = request.POST.get("do", "") if request.method == "POST" else ""
    release_form = ReleaseForm(request.POST if decide == "release" else None, choices=choices)
    decline_form = DeclineForm(request.POST if decide == "decline" else None)
    if decide:
        try:
            if decide == "release" and release_form.is_valid():
                services.transfer_release(
                    context=context, transfer=row.transfer, evidence_ids=release_form.cleaned_data["evidence"]
                )
                messages.success(request, gettext("The record is released."))
                return redirect("records-transfer", row.transfer.pk)
            if decide == "decline" and decline_form.is_valid():
                services.transfer_decline(
                    context=context, transfer=row.transfer, reason=decline_form.cleaned_data["reason"]
                )
                messages.success(request, gettext("The request is declined."))
                return redirect("records-transfer", row.transfer.pk)
            if decide not in ("release", "decline"):
                release_form.add_error(None, gettext("Choose to release or to decline."))
        except Invalid as error:
            _problems(release_form if decide == "release" else decline_form, error)
    can_decide = row.waiting and policy.can(context.user, Action.RELEASE_TRANSFER, row.transfer)
    return render(
        request,
        "records/transfer_detail.html",
        {
            "row": row,
            "transfer": row.transfer,
            "package": row.transfer.package if row.transfer.status == TransferStatus.RELEASED else None,
            "can_decide": can_decide,
            "release_form": release_form,
            "decline_form": decline_form,
        },
        status=400 if decide else 200,
    )


urlpatterns: list[URLPattern] = [
    path("records/transfers/", transfers, name="records-transfers"),
    path("students/<int:student_id>/transfer/", transfer_new, name="records-transfer-new"),
    path("transfers/<int:transfer_id>/", transfer_detail, name="records-transfer"),
]
