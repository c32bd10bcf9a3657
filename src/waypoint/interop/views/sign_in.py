"""Pages of signing in through a district's identity provider: the start (a redirect to the provider), the
one callback every district shares, the district picker, and the district's sign-in settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from waypoint.core.audit import audit_context
from waypoint.core.errors import Invalid, Refusal
from waypoint.interop.forms.sign_in import PasswordSignInForm, SignInSettingsForm
from waypoint.interop.selectors.sign_in import (
    configuring_district,
    enabled_provider,
    sign_in_page_providers,
    sign_in_settings,
)
from waypoint.interop.services.account import mark_second_factor_satisfied
from waypoint.interop.services.sign_in import (
    provider_authorization_url,
    provider_sign_in_finish,
    sign_in_settings_save,
)
from waypoint.policy import request_context

# The backend a provider sign-in is recorded under: the account exists (the roster made it); the provider,
# not a password, proved who is signing in.
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _sign_in_page(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The sign-in page, saying why the provider sign-in was refused."""
    return render(
        request,
        "core/login.html",
        {
            "form": PasswordSignInForm(request),
            "next": "",
            **sign_in_page_providers(),
            "provider_problems": refusal.problems,
        },
        status=refusal.status,
    )


@require_GET
def provider_sign_in(request: HttpRequest, district: str) -> HttpResponse:
    """Send the browser to the district's provider; it comes back to `provider_callback`."""
    provider = enabled_provider(district)
    try:
        url = provider_authorization_url(
            session=request.session,
            provider=provider,
            redirect_uri=request.build_absolute_uri(reverse("interop-provider-callback")),
            next_url=_safe_next(request, request.GET.get("next", "")),
        )
    except Refusal as refusal:
        return _sign_in_page(request, refusal)
    return HttpResponseRedirect(url)


@require_GET
def provider_choose(request: HttpRequest) -> HttpResponse:
    """The picker's answer (many districts on one installation): on to the chosen district's provider."""
    slug = request.GET.get("district", "")
    provider = enabled_provider(slug[:80])
    target = reverse("interop-provider-sign-in", args=[provider.district.slug])
    next_url = _safe_next(request, request.GET.get("next", ""))
    return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)


@require_GET
def provider_callback(request: HttpRequest) -> HttpResponse:
    """Where every district's provider sends the browser back: sign the rostered account in, or say why
    not."""
    try:
        signed_in = provider_sign_in_finish(
            context=audit_context(request), session=request.session, query=request.GET.dict()
        )
    except Refusal as refusal:
        return _sign_in_page(request, refusal)
    login(request, signed_in.user, backend=SIGN_IN_BACKEND)
    # The provider did its own multi-factor check: Waypoint does not ask for a second step again.
    mark_second_factor_satisfied(request)
    return redirect(_safe_next(request, signed_in.next_url) or settings.LOGIN_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_settings_page(request: HttpRequest) -> HttpResponse:
    """A district administrator's page: the district's provider, checked against its discovery document."""
    context = request_context(request)
    district = configuring_district(context)
    provider = sign_in_settings(context=context, district=district)
    secret_stored = bool(provider and provider.client_secret)
    status = 200
    if request.method == "POST":
        form = SignInSettingsForm(request.POST, secret_stored=secret_stored)
        if form.is_valid():
            try:
                sign_in_settings_save(context=context, district=district, entered=form.entered())
            except Invalid as refusal:
                for problem in refusal.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, gettext("The sign-in settings are saved."))
                return redirect("interop-sign-in-settings")
        status = 400
    else:
        initial = (
            {
                "display_name": provider.display_name,
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "match_claim": provider.match_claim,
                "match_field": provider.match_field,
                "required_for_staff": provider.required_for_staff,
                "enabled": provider.enabled,
            }
            if provider
            else None
        )
        form = SignInSettingsForm(initial=initial, secret_stored=secret_stored)
    return render(
        request,
        "interop/sign_in_settings.html",
        {
            "form": form,
            "district": district,
            "provider": provider,
            "redirect_uri": request.build_absolute_uri(reverse("interop-provider-callback")),
        },
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("login/provider/", provider_choose, name="interop-provider-choose"),
    # Before the district's route, which would otherwise read "callback" as a district's slug.
    path("login/provider/callback/", provider_callback, name="interop-provider-callback"),
    path("login/provider/<slug:district>/", provider_sign_in, name="interop-provider-sign-in"),
    path("district/sign-in/", sign_in_settings_page, name="interop-sign-in-settings"),
]
