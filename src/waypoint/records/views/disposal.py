"""Disposal pages, for district administrators: the requests (overdue first) and a student's disposal,
where a request is recorded and then completed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.core.errors import Invalid
from waypoint.policy import request_context, today
from waypoint.records.forms.disposal import DisposalRequestForm
from waypoint.records.selectors import disposal as reads
from waypoint.records.services import disposal as services


@login_required
@require_GET
def disposals(request: HttpRequest) -> HttpResponse:
    rows = reads.disposal_list(context=request_context(request))
    return render(request, "records/disposals.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def disposal_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = reads.disposal_student(context=context, student_id=student_id)
    pending = reads.open_disposal(student)
    do = request.POST.get("do", "") if request.method == "POST" else ""
    form = DisposalRequestForm(request.POST if do == "record" else None)
    if do == "complete" and pending is not None:
        try:
            done = services.disposal_complete(context=context, request=pending)
        except Invalid as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                gettext("The record is disposed of: %(count)d rows removed.")
                % {"count": sum(done.disposed.values())},
            )
            return redirect("records-disposals")
    elif do == "record" and form.is_valid():
        try:
            services.disposal_request(
                context=context,
                student=student,
                requested_by_name=form.cleaned_data["requested_by_name"],
                received_on=form.cleaned_data["received_on"],
            )
        except Invalid as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, gettext("The request is recorded; complete it by its due date."))
            return redirect("records-disposal-new", student.pk)
    elif do:
        form.add_error(None, gettext("Record the request first, then complete it."))
    return render(
        request,
        "records/disposal_form.html",
        {
            "student": student,
            "pending": pending,
            "form": form,
            "departed": services.is_departed(student, today()),
        },
        status=400 if do else 200,
    )


urlpatterns: list[URLPattern] = [
    path("records/disposals/", disposals, name="records-disposals"),
    path("students/<int:student_id>/dispose/", disposal_new, name="records-disposal-new"),
]
