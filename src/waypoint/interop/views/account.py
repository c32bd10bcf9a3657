"""A person's own account: the password reset by e-mail (Django's views, Waypoint's pages and service) and
two-step sign-in for staff (setting it up or off, and the code page after a password sign-in)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from waypoint.core.audit import audit_context
from waypoint.core.errors import Conflict, Invalid, NotPermitted
from waypoint.core.models import User
from waypoint.interop.forms.account import PasswordResetRequestForm, SecondFactorCodeForm
from waypoint.interop.services import account as services
from waypoint.policy import request_context


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Ask for a link by e-mail address; the next page is the same whether or not an account uses it."""

    form_class = PasswordResetRequestForm
    template_name = "interop/password_reset_form.html"

    def form_valid(self, form: Form) -> HttpResponse:
        try:
            services.password_reset_request(
                context=audit_context(self.request), email=form.cleaned_data["email"]
            )
        except Invalid as refusal:
            for problem in refusal.problems:
                form.add_error(None, problem)
            # The service refuses only for asking too often.
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "interop/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password through the e-mailed link (Django checks the link and moves its token out of
    the address); staff whose district requires its provider are told to sign in there instead."""

    template_name = "interop/password_reset_confirm.html"

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        # A link sent before the account was closed opens nothing.
        return user if user is not None and user.is_active else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.validlink:
            context["provider"] = services.provider_required_for(self.user)
        return context

    def form_valid(self, form: Form) -> HttpResponse:
        try:
            services.password_reset_complete(
                # Whoever opened the e-mailed link holds the account's mailbox: the change is theirs.
                context=replace(audit_context(self.request), user=self.user),
                user=self.user,
                password=form.cleaned_data["new_password1"],
            )
        except NotPermitted as refusal:
            form.add_error(None, refusal.reason)
            return self.render_to_response(self.get_context_data(form=form), status=403)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "interop/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def two_step(request: HttpRequest) -> HttpResponse:
    """A staff member's two-step sign-in: turn it on (scan, then confirm with a code) or off (with a code)."""
    context = request_context(request)
    form = SecondFactorCodeForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("do", "")
        try:
            if action == "start":
                services.second_factor_start(context=context)
                return redirect("interop-mfa")
            form = SecondFactorCodeForm(request.POST)
            if form.is_valid() and action == "confirm":
                device = services.second_factor_confirm(context=context, code=form.cleaned_data["code"])
                # Scanning and confirming proved the app: this session needs no further code.
                services.mark_second_factor_verified(request, device)
                messages.success(
                    request,
                    gettext(
                        "Two-step sign-in is on. Waypoint asks for a code each time you sign in "
                        "with your password."
                    ),
                )
                return redirect("interop-mfa")
            if form.is_valid() and action == "turn-off":
                services.second_factor_turn_off(context=context, code=form.cleaned_data["code"])
                messages.success(request, gettext("Two-step sign-in is off."))
                return redirect("interop-mfa")
            if form.is_valid():
                form.add_error(None, gettext("Choose to turn two-step sign-in on or off."))
        except (Invalid, Conflict) as refusal:
            for problem in refusal.problems:
                form.add_error(None, problem)
        status = 400
    setup = services.second_factor_setup(context=context)
    return render(
        request,
        "interop/mfa_settings.html",
        {"setup": setup, "form": form, "qr_code": _qr_code(setup.config_url) if setup.config_url else ""},
        status=status,
    )


def _qr_code(config_url: str) -> str:
    """The app's otpauth:// link as an inline SVG QR code (markup of our own making, no script or style)."""
    svg = segno.make(config_url, error="m").svg_inline(
        scale=5, light="#fff", title=gettext("QR code for your authenticator app")
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


def _next_page(request: HttpRequest) -> str:
    """Where to go once the code is accepted: a page of this site the person was sent from, else home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def two_step_verify(request: HttpRequest) -> HttpResponse:
    """The code page after a password sign-in, for staff with a confirmed authenticator app."""
    if services.second_factor_pending(request) and not services.has_confirmed_device(request.user):
        # Turned off meanwhile, from another session: nothing is owed any more.
        services.mark_second_factor_satisfied(request)
    if not services.second_factor_pending(request):
        return redirect(_next_page(request))
    form = SecondFactorCodeForm(request.POST or None)
    # The one thing to do on this page: the cursor starts in the code field.
    form.fields["code"].widget.attrs["autofocus"] = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device = services.second_factor_verify(
                    context=audit_context(request), code=form.cleaned_data["code"]
                )
            except Invalid as refusal:
                for problem in refusal.problems:
                    form.add_error(None, problem)
            else:
                services.mark_second_factor_verified(request, device)
                return redirect(_next_page(request))
        status = 400
    # The menu is left out: every link in it would lead back here until the code is given.
    return render(
        request,
        "interop/mfa_verify.html",
        {"form": form, "next": _next_page(request), "nav": None},
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("password-reset/", PasswordResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", PasswordResetSentView.as_view(), name="password_reset_done"),
    path("password-reset/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/two-step/", two_step, name="interop-mfa"),
    path("account/two-step/verify/", two_step_verify, name="interop-mfa-verify"),
]
