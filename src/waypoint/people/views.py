"""HTML pages of the core app. Each parses input, calls a selector or service, and renders."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from waypoint import policy
from waypoint.core import demo
from waypoint.core.audit import request_context
from waypoint.core.models import AccessToken, AuditAction, Organization, Role, User
from waypoint.core.selectors import (
    AuditFilter,
    NotPermitted,
    NotVisible,
    caseload_for,
    caseload_size,
    district_audit_log,
    family_students,
    section_roster,
    sections_for,
    student_disclosures,
    student_list,
    student_record,
)
from waypoint.core.services import (
    TOKEN_LIFETIMES_DAYS,
    TokenNotFound,
    access_token_create,
    access_token_revoke,
)
from waypoint.pathways.models import PathStatus
from waypoint.pathways.selectors import paths_for
from waypoint.policy import Action


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _forbidden(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
    return render(request, "core/forbidden.html", {"reason": str(exc)}, status=403)


class SignInView(LoginView):
    """The sign-in page; on a development machine with the demo loaded it names the demo password."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_loaded"] = not settings.PRODUCTION and demo.is_loaded()
        return context


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without touching the database or any student data."""
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (login_required guarantees a signed-in User)
    user_roles = policy.roles(user)
    page: dict[str, Any] = {"roles": user_roles}
    if "guardian" in user_roles or "student" in user_roles:
        page["own_students"] = family_students(context=context)
    if policy.can(user, Action.LIST_SECTIONS):
        page["sections"] = sections_for(context=context)
    if policy.has_role(user, Role.TEACHER):
        page["certification"] = policy.current_certification(user)
        page["is_teacher"] = True
    if policy.can(user, Action.VIEW_CASELOAD):
        page["caseload_size"] = caseload_size(context=context)
    if policy.has_role(user, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN):
        page["students_in_scope"] = policy.visible_students(user).count()
    if policy.has_role(user, Role.MENTOR):
        page["mentor_paths"] = paths_for(context=context, statuses=[PathStatus.ACTIVE]).items
    if policy.has_role(user, Role.STATE_ANALYST):
        page["district_overview"] = (
            Organization.objects.filter(kind=Organization.Kind.DISTRICT)
            .annotate(school_count=Count("children"))
            .order_by("name")
        )
    return render(request, "core/home.html", page)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def students(request: HtmxHttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    page = student_list(
        context=request_context(request),
        search=search,
        page=_page_number(request),
        page_size=settings.WAYPOINT_PAGE_SIZE,
    )
    template = "core/_student_results.html" if request.htmx else "core/student_list.html"
    return render(request, template, {"page": page, "search": search})


@login_required
@require_GET
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    try:
        record = student_record(context=request_context(request), student_id=student_id)
    except NotVisible as exc:
        raise Http404 from exc
    return render(request, "core/student_detail.html", {"record": record, "student": record.student})


@login_required
@require_GET
def disclosures(request: HttpRequest, student_id: int) -> HttpResponse:
    try:
        student, events = student_disclosures(
            context=request_context(request), student_id=student_id, page=_page_number(request)
        )
    except NotVisible as exc:
        raise Http404 from exc
    except NotPermitted as exc:
        return _forbidden(request, exc)
    return render(request, "core/disclosures.html", {"student": student, "page": events})


@login_required
@require_GET
def sections(request: HttpRequest) -> HttpResponse:
    try:
        visible = sections_for(context=request_context(request))
    except NotPermitted as exc:
        return _forbidden(request, exc)
    return render(request, "core/section_list.html", {"sections": visible})


@login_required
@require_GET
def section_detail(request: HttpRequest, section_id: int) -> HttpResponse:
    try:
        section, roster = section_roster(context=request_context(request), section_id=section_id)
    except NotVisible as exc:
        raise Http404 from exc
    return render(request, "core/section_detail.html", {"section": section, "roster": roster})


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    try:
        students_in_caseload = caseload_for(context=request_context(request))
    except NotPermitted as exc:
        return _forbidden(request, exc)
    return render(request, "core/caseload.html", {"students": students_in_caseload})


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    raw_student = request.GET.get("student", "")
    audit_filter = AuditFilter(
        actor_username=request.GET.get("actor", "")[:150],
        action=request.GET.get("action", "") if request.GET.get("action") in AuditAction.values else "",
        student_id=int(raw_student) if raw_student.isdigit() else None,
    )
    try:
        districts, events = district_audit_log(
            context=request_context(request), audit_filter=audit_filter, page=_page_number(request)
        )
    except NotPermitted as exc:
        return _forbidden(request, exc)
    return render(
        request,
        "core/audit_log.html",
        {"districts": districts, "page": events, "filter": audit_filter, "actions": AuditAction.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (login_required guarantees a signed-in User)
    new_token = None
    if request.method == "POST":
        days = request.POST.get("days", "90")
        if not days.isdigit() or int(days) not in TOKEN_LIFETIMES_DAYS:
            messages.error(request, "Choose how long the token lasts: 30, 90 or 365 days.")
        else:
            try:
                _, new_token = access_token_create(
                    context=request_context(request),
                    user=user,
                    name=request.POST.get("name", ""),
                    expires_at=timezone.now() + datetime.timedelta(days=int(days)),
                )
            except ValueError as exc:
                messages.error(request, str(exc))
    own_tokens = AccessToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "core/tokens.html",
        {"tokens": own_tokens, "new_token": new_token, "lifetimes": TOKEN_LIFETIMES_DAYS},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (login_required guarantees a signed-in User)
    try:
        token = access_token_revoke(context=request_context(request), user=user, token_id=token_id)
    except TokenNotFound as exc:
        raise Http404 from exc
    messages.success(request, f"Token “{token.name}” is revoked.")
    return redirect("token-list")
