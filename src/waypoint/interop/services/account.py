"""A person's own account: the password reset by e-mail, and two-step sign-in (TOTP) for staff.

Password reset
--------------
Anyone may ask for a link by e-mail address; the page answers the same whether or not an account uses it
(no one learns who has an account), and every account that does gets an e-mail in its own language. The
reset is also how a rostered person sets a first password: roster imports create accounts without one, so
accounts with an unusable password get a link too. Staff whose district signs staff in through its identity
provider get no link: their e-mail says to sign in through the provider. Requests are limited per address
and per computer (a school's computers share one address, hence the looser limit there).

Two-step sign-in
----------------
A staff member may add an authenticator app (django-otp's `TOTPDevice`). Once it is confirmed, a password
sign-in is finished only by a current code (`waypoint.interop.middleware.SecondFactorMiddleware` holds every
other page back). The session remembers whose second step is done, so pages cost no query for it: a sign-in
through the district's provider counts as done (the provider does its own multi-factor check), and so does a
sign-in by someone with no confirmed device. Wrong codes are throttled by django-otp (each failure doubles
the wait) and audited."""

from __future__ import annotations

import base64
import datetime
import hashlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid, NotPermitted
from waypoint.core.models import AuditAction, RoleAssignment, User
from waypoint.interop.models import IdentityProvider
from waypoint.policy import Action, can

logger = logging.getLogger(__name__)

# {"user": <id>, "done": <bool>}: whose sign-in this session is, and whether its second step is done. Keyed by
# the user's id so that a session that changes hands is never trusted.
SECOND_FACTOR_SESSION_KEY = "waypoint.second_factor"
# What the authenticator app lists the account under.
ISSUER = "Waypoint"
DEVICE_NAME = "Authenticator app"

# Reset requests an hour: per e-mail address (a person retrying), and per client address (a school's
# computers reach Waypoint from one address, so it is looser, yet stops spraying many addresses).
RESETS_PER_ADDRESS_PER_HOUR = 3
RESETS_PER_CLIENT_PER_HOUR = 30
RESET_WINDOW_SECONDS = 60 * 60


# Second step: the session -----------------------------------------------------------------------------------


def mark_second_factor_satisfied(request: HttpRequest) -> None:
    """Count this session's sign-in as having passed its second step: a sign-in through the district's
    provider (which did its own multi-factor check), or one whose app was turned off meanwhile. Call it after
    `login()`, which renews the session."""
    request.session[SECOND_FACTOR_SESSION_KEY] = {"user": request.user.pk, "done": True}


def has_confirmed_device(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def second_factor_note_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """`user_logged_in` receiver: note in the new session whether it still owes a code, so that no page
    has to ask the database again."""
    if request is not None and hasattr(request, "session"):
        request.session[SECOND_FACTOR_SESSION_KEY] = {"user": user.pk, "done": not has_confirmed_device(user)}


def second_factor_pending(request: HttpRequest) -> bool:
    """Whether the signed-in person must still enter a code before anything else."""
    user = request.user
    if not user.is_authenticated:
        return False
    noted = request.session.get(SECOND_FACTOR_SESSION_KEY)
    if isinstance(noted, dict) and noted.get("user") == user.pk:
        return not noted.get("done")
    # A session the sign-in receiver did not note (one from before this release, or one that changed hands)
    # is asked each time, never remembered here: "nothing owed" is learnt only at a sign-in.
    return has_confirmed_device(user)


# Second step: setting it up, turning it off, entering a code ------------------------------------------------


@dataclass(frozen=True)
class SecondFactorSetup:
    """What the two-step page shows: whether it is on, and for a set-up under way the app's link (shown as
    a QR code) and its secret for typing in by hand."""

    confirmed: bool
    config_url: str = ""
    secret: str = ""


def _require_own_mfa(context: RequestContext) -> User:
    actor = context.actor
    if actor is None:
        raise NotPermitted(gettext("Sign in first."))
    if not can(actor, Action.MANAGE_OWN_MFA, None):
        raise NotPermitted(
            gettext("Two-step sign-in is for staff; students and guardians sign in without it.")
        )
    return actor


def _secret(device: TOTPDevice) -> str:
    """The key in base32 as authenticator apps take it, in groups of four, to copy without losing one's
    place."""
    encoded = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def _config_url(device: TOTPDevice, user: User) -> str:
    """The otpauth:// link an authenticator app reads from the QR code, named "Waypoint:<username>"."""
    label = quote(f"{ISSUER}:{user.get_username()}")
    params = {
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def second_factor_setup(*, context: RequestContext) -> SecondFactorSetup:
    """The acting staff member's two-step sign-in: on, being set up (with the key to scan), or off."""
    user = _require_own_mfa(context)
    devices = list(TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-pk")[:1])
    if not devices:
        return SecondFactorSetup(confirmed=False)
    device = devices[0]
    if device.confirmed:
        return SecondFactorSetup(confirmed=True)
    return SecondFactorSetup(confirmed=False, config_url=_config_url(device, user), secret=_secret(device))


def _audit_second_factor(
    context: RequestContext, user: User, action: AuditAction, reason: str, device: TOTPDevice | None = None
) -> None:
    audit_record(
        context=context,
        action=action,
        object_type="second-factor",
        object_id=str(device.pk) if device else user.username,
        district_id=user.district_id,
        reason=reason,
    )


@transaction.atomic
def second_factor_start(*, context: RequestContext) -> TOTPDevice:
    """Begin setting up an authenticator app with a fresh key; starting again replaces the unconfirmed
    one."""
    user = _require_own_mfa(context)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(gettext("Two-step sign-in is already on. Turn it off first to use another app."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    _audit_second_factor(context, user, AuditAction.CREATE, "set-up started", device)
    return device


def _wait_reason(device: TOTPDevice) -> str | None:
    """Why a code cannot be checked now (too many wrong ones lately), or None."""
    allowed, details = device.verify_is_allowed()  # type: ignore[no-untyped-call]
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


def _check_code(
    context: RequestContext, user: User, *, confirmed: bool, code: str, attempt: str
) -> TOTPDevice | str:
    """Check a code against the user's device in its own transaction, so that a wrong code's throttle count
    and audit row are stored even though the caller then refuses. Returns the device, or why it failed."""
    with transaction.atomic():
        device: TOTPDevice | None = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed).first()
        )
        if device is None:
            return (
                gettext("Two-step sign-in is not on.")
                if confirmed
                else gettext("Start setting up two-step sign-in first.")
            )
        wait = _wait_reason(device)
        if wait is not None:
            _audit_second_factor(context, user, AuditAction.LOGIN_FAILED, f"{attempt}: throttled", device)
            return wait
        if device.verify_token(code.replace(" ", "")):  # type: ignore[no-untyped-call]
            return device
        _audit_second_factor(context, user, AuditAction.LOGIN_FAILED, f"{attempt}: wrong code", device)
        return gettext(
            "That code is not right. Enter the 6-digit code your authenticator app shows now for Waypoint."
        )


def second_factor_confirm(*, context: RequestContext, code: str) -> TOTPDevice:
    """Turn two-step sign-in on once the app shows a right code (proof the key reached it)."""
    user = _require_own_mfa(context)
    checked = _check_code(context, user, confirmed=False, code=code, attempt="set-up")
    if isinstance(checked, str):
        raise Invalid(checked)
    with transaction.atomic():
        checked.confirmed = True
        checked.save(update_fields=["confirmed"])
        _audit_second_factor(context, user, AuditAction.UPDATE, "turned on", checked)
    return checked


def second_factor_turn_off(*, context: RequestContext, code: str) -> None:
    """Turn two-step sign-in off; a current code is needed, so a session left open cannot remove it."""
    user = _require_own_mfa(context)
    checked = _check_code(context, user, confirmed=True, code=code, attempt="turning off")
    if isinstance(checked, str):
        raise Invalid(checked)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        _audit_second_factor(context, user, AuditAction.DELETE, "turned off", checked)


def second_factor_verify(*, context: RequestContext, code: str) -> TOTPDevice:
    """Finish a password sign-in with a code from the person's app; a wrong one is refused and audited.
    The caller marks the session (`mark_second_factor_verified`)."""
    user = context.actor
    if user is None:
        raise NotPermitted(gettext("Sign in first."))
    checked = _check_code(context, user, confirmed=True, code=code, attempt="sign-in")
    if isinstance(checked, str):
        raise Invalid(checked)
    _audit_second_factor(context, user, AuditAction.LOGIN, "second step", checked)
    return checked


def mark_second_factor_verified(request: HttpRequest, device: TOTPDevice) -> None:
    """The session passed its second step with `device`: django-otp's mark (`request.user.is_verified()`)
    and Waypoint's, under a new session key since the session now carries more trust."""
    request.session.cycle_key()
    otp_login(request, device)  # type: ignore[no-untyped-call]
    mark_second_factor_satisfied(request)


# Password reset ---------------------------------------------------------------------------------------------


def provider_required_for(user: User, on: datetime.date | None = None) -> IdentityProvider | None:
    """The identity provider through which this person must sign in: that of a district that requires it for
    staff, where the person holds a staff role today."""
    on = on or timezone.localdate()
    districts = RoleAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), user=user, starts_on__lte=on
    ).values("district_id")
    return (
        IdentityProvider.objects.filter(enabled=True, required_for_staff=True, district__in=districts)
        .select_related("district")
        .order_by("pk")
        .first()
    )


def _over_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the count expired between add and incr: this request starts a new hour
        return False


def _reset_link(user: User) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    # The site's own address, never the request's Host header, which a requester could forge.
    return f"{settings.WAYPOINT_BASE_URL}{path}"


def _send_reset_email(user: User, provider: IdentityProvider | None) -> bool:
    """One e-mail in the person's language: the link, or where to sign in instead. False if it failed."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "provider": provider,
            "sign_in_link": f"{settings.WAYPOINT_BASE_URL}{reverse('login')}",
            "reset_link": "" if provider else _reset_link(user),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        if provider is None:
            subject = gettext("Waypoint: set your password")
            body = render_to_string("interop/password_reset_email.txt", context)
        else:
            subject = gettext("Waypoint: how to sign in")
            body = render_to_string("interop/password_reset_provider_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:
        # The page must answer as it does for an unknown address, so the failure is logged, not shown.
        logger.exception("Could not e-mail a password reset to user %s.", user.pk)
        return False
    return True


def _reset_key(kind: str, value: str) -> str:
    return f"interop-password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def password_reset_request(*, context: RequestContext, email: str) -> None:
    """E-mail a reset link to every active account using this address (staff whose district requires its
    provider get where to sign in instead). Answers the same whether or not any account uses it; refuses
    (`Invalid`, answered 429) only when the address or the computer asked too often this hour, which says
    nothing about accounts either."""
    email = email.strip()
    too_many = [
        over
        for over in (
            _over_limit(_reset_key("email", email.casefold()), RESETS_PER_ADDRESS_PER_HOUR),
            _over_limit(_reset_key("client", context.client_address or ""), RESETS_PER_CLIENT_PER_HOUR),
        )
        if over
    ]
    if too_many:
        raise Invalid(
            gettext(
                "Too many password reset requests for this address or from this computer. "
                "Try again in an hour, or ask your school office."
            )
        )
    users = User.objects.filter(email__iexact=email, is_active=True).order_by("pk")
    for user in users:
        provider = provider_required_for(user)
        sent = _send_reset_email(user, provider)
        with transaction.atomic():
            audit_record(
                context=context,
                action=AuditAction.CREATE if provider is None else AuditAction.DENIED,
                object_type="password",
                object_id=user.username,
                district_id=user.district_id,
                reason=(
                    ("reset link e-mailed" if provider is None else "told to sign in through the provider")
                    if sent
                    else "e-mail failed"
                ),
            )


@transaction.atomic
def password_reset_complete(*, context: RequestContext, user: User, password: str) -> None:
    """Set the password chosen through a reset link (the link's token was checked by Django's view; the
    password by the form's validators). Staff whose district requires its provider are refused even with a
    link sent before the district decided so."""
    provider = provider_required_for(user)
    if provider is not None:
        raise NotPermitted(
            gettext("%(district)s signs staff in through %(provider)s; Waypoint passwords are not used.")
            % {"district": provider.district.name, "provider": provider.display_name}
        )
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type="password",
        object_id=user.username,
        district_id=user.district_id,
        reason="set through a reset link",
    )
