"""The people pages: sign-in and its "confirm it's you" step, the student list and record, disclosures,
sections, caseload, the audit log and its export log, and API tokens. Each parses input, calls a selector
or service, and renders; a refusal raised by a selector is answered by `RefusalMiddleware` (404 for what
the policy hides, 403 with the reason otherwise)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from waypoint import policy
from waypoint.core import audit_vocabulary, demo, exports
from waypoint.core.audit_vocabulary import ACTION_LABELS
from waypoint.core.errors import NotPermitted
from waypoint.core.http import page_number, user_of
from waypoint.core.models import AccessToken, AuditAction, Organization
from waypoint.core.recent_sign_in import RECENT_SIGN_IN
from waypoint.core.services import (
    TOKEN_LIFETIMES_DAYS,
    TokenNotFound,
    access_token_create,
    access_token_revoke,
    user_language_set,
)
from waypoint.interop.forms.sign_in import PasswordSignInForm
from waypoint.interop.selectors.sign_in import (
    provider_of_district,
    provider_required_for,
    sign_in_page_providers,
)
from waypoint.people.selectors import (
    CASELOAD_SORTS,
    EXPORT_KINDS,
    AuditFilter,
    ExportFilter,
    caseload_page,
    describe_events,
    disclosure_days,
    district_audit_log,
    district_export_log,
    district_export_log_rows,
    section_roster,
    sections_for,
    student_disclosures,
    student_list,
    student_record,
)
from waypoint.policy import request_context


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class SignInView(LoginView):
    """The sign-in page: the password form (which sends staff of a district that requires its identity
    provider there), a button per district provider (a picker past three), and, on a development machine with
    the demo loaded, the demo password."""

    template_name = "core/login.html"
    redirect_authenticated_user = True
    authentication_form = PasswordSignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_loaded"] = not settings.PRODUCTION and demo.is_loaded()
        context.update(sign_in_page_providers())
        return context


@login_required
@require_http_methods(["GET", "POST"])
def confirm_identity(request: HttpRequest) -> HttpResponse:
    """ "Confirm it's you": the step before an export of student records when the last sign-in is more than
    15 minutes old. The person signs in again, with their password (through the sign-in form, so lockout
    and the district's "staff use the provider" rule hold) or through their district's identity provider,
    and comes back to the page they were on."""
    user = user_of(request)
    next_url = _safe_next(request)
    context = request_context(request)
    provider = provider_of_district(context.district_id) if context.district_id is not None else None
    if provider is not None and not provider.enabled:
        provider = None
    # Staff whose district requires its provider have no password to give here (the form would refuse it).
    password_allowed = user.has_usable_password() and provider_required_for(user) is None
    form = PasswordSignInForm(request)
    if request.method == "POST" and password_allowed:
        form = PasswordSignInForm(
            request, data={"username": user.username, "password": request.POST.get("password", "")}
        )
        if form.is_valid():
            # A sign-in like the first: a new session key, the sign-in's time, an audit row, and the
            # second step again for an account with an authenticator app.
            login(request, form.get_user())
            return redirect(next_url or "home")
    return render(
        request,
        "people/confirm_identity.html",
        {
            "form": form,
            "next": next_url,
            "provider": provider,
            "password_allowed": password_allowed,
            "minutes": int(RECENT_SIGN_IN.total_seconds() // 60),
        },
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def students(request: HtmxHttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    page = student_list(
        context=request_context(request),
        search=search,
        page=page_number(request),
        page_size=settings.WAYPOINT_PAGE_SIZE,
    )
    template = "core/_student_results.html" if request.htmx else "core/student_list.html"
    return render(request, template, {"page": page, "search": search})


@login_required
@require_GET
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    record = student_record(context=request_context(request), student_id=student_id)
    return render(request, "core/student_detail.html", {"record": record, "student": record.student})


@login_required
@require_GET
def disclosures(request: HttpRequest, student_id: int) -> HttpResponse:
    student, events = student_disclosures(
        context=request_context(request), student_id=student_id, page=page_number(request)
    )
    days = disclosure_days(describe_events(events.items, student_names="first"))
    return render(request, "core/disclosures.html", {"student": student, "page": events, "days": days})


@login_required
@require_GET
def sections(request: HttpRequest) -> HttpResponse:
    visible = sections_for(context=request_context(request))
    return render(request, "core/section_list.html", {"sections": visible})


@login_required
@require_GET
def section_detail(request: HttpRequest, section_id: int) -> HttpResponse:
    section, roster = section_roster(context=request_context(request), section_id=section_id)
    return render(request, "core/section_detail.html", {"section": section, "roster": roster})


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    result = caseload_page(
        context=request_context(request),
        search=request.GET.get("q", "")[:100],
        sort=next((sort for sort in CASELOAD_SORTS if sort == request.GET.get("sort")), "name"),
        page=page_number(request),
        page_size=settings.WAYPOINT_PAGE_SIZE,
        pace=request.GET.get("pace", "")[:32],
    )
    return render(request, "core/caseload.html", {"caseload": result, "page": result.rows})


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    raw_student = request.GET.get("student", "")
    audit_filter = AuditFilter(
        actor_username=request.GET.get("actor", "")[:150],
        action=request.GET.get("action", "") if request.GET.get("action") in AuditAction.values else "",
        student_id=int(raw_student) if raw_student.isdigit() else None,
    )
    districts, events = district_audit_log(
        context=request_context(request), audit_filter=audit_filter, page=page_number(request)
    )
    about = next(
        (event.student for event in events.items if event.student_id == audit_filter.student_id), None
    )
    return render(
        request,
        "core/audit_log.html",
        {
            "districts": districts,
            "page": events,
            "lines": describe_events(events.items),
            "filter": audit_filter,
            "about": about,
            "actions": [(value, ACTION_LABELS[value]) for value in AuditAction.values],
        },
    )


def _export_filter(request: HttpRequest) -> ExportFilter:
    kind = request.GET.get("kind", "")
    return ExportFilter(
        actor_username=request.GET.get("actor", "")[:150],
        kind=kind if kind in EXPORT_KINDS else "",
        since=_day(request.GET.get("since", "")),
        until=_day(request.GET.get("until", "")),
    )


def _day(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw[:10])
    except ValueError:
        return None


@login_required
@require_GET
def export_log(request: HttpRequest) -> HttpResponse:
    """Every export of the district's data, for its administrators: who, when, what, how many students."""
    export_filter = _export_filter(request)
    district, page = district_export_log(
        context=request_context(request), export_filter=export_filter, page=page_number(request)
    )
    kinds = [(kind, str(audit_vocabulary.thing_words(kind).alone)) for kind in EXPORT_KINDS]
    return render(
        request,
        "people/export_log.html",
        {"district": district, "page": page, "filter": export_filter, "kinds": kinds},
    )


@login_required
@require_GET
def export_log_csv(request: HttpRequest) -> HttpResponse:
    """The export log as filtered, as a CSV file (cells neutralised against formulas)."""
    district, rows = district_export_log_rows(
        context=request_context(request), export_filter=_export_filter(request)
    )
    response = HttpResponse(exports.csv_bytes(rows), content_type=exports.CSV_MEDIA_TYPE)
    name = f"exports-{district.slug}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
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
    user = user_of(request)
    try:
        token = access_token_revoke(context=request_context(request), user=user, token_id=token_id)
    except TokenNotFound as exc:
        raise Http404 from exc
    messages.success(request, f"Token “{token.name}” is revoked.")
    return redirect("token-list")


@login_required
@require_http_methods(["GET", "POST"])
def acting_district(request: HttpRequest) -> HttpResponse:
    """Choose the district to act for, when one has roles or children in several; the choice is kept for
    the session, and every page and API call of it acts for that district."""
    access = policy.request_access(request)
    if request.method == "POST":
        raw = request.POST.get("district", "")
        chosen = int(raw) if raw.isdigit() else None
        if chosen is None or chosen not in access.districts:
            raise NotPermitted(gettext("Choose one of the districts you work or study in."))
        request.session[policy.ACTING_DISTRICT_SESSION_KEY] = chosen
        messages.success(request, gettext("You now act for the district you chose."))
        return redirect("home")
    districts = Organization.objects.filter(pk__in=access.districts).order_by("name")
    return render(
        request,
        "people/acting_district.html",
        {"districts": districts, "acting_district_id": access.acting_district_id},
    )


def _safe_next(request: HttpRequest) -> str:
    """The page to go back to after choosing a language: only a page of this site, never an outside
    address a link could smuggle in."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


@login_required
@require_http_methods(["GET", "POST"])
def account_language(request: HttpRequest) -> HttpResponse:
    """Choose the language one reads Waypoint in. The choice is saved on the account, so it follows the
    person to any computer and wins over the browser's language; "follow my browser" clears it."""
    user = user_of(request)
    next_url = _safe_next(request)
    if request.method == "POST":
        language = request.POST.get("language", "")
        user_language_set(context=request_context(request), user=user, language=language)
        # The confirmation is read in the language just chosen.
        translation.activate(language or translation.get_language_from_request(request))
        messages.success(request, gettext("Your language is saved."))
        response = redirect(next_url or "home")
        # The cookie keeps the sign-in page in the same language after signing out.
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(request, "people/language.html", {"saved_language": user.language, "next": next_url})
