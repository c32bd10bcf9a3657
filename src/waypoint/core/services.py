"""Writes of the core app: API tokens, sign-in records and the saved language. Each runs in one
transaction with its audit row."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid
from waypoint.core.models import AccessToken, AuditAction, User

TOKEN_LIFETIMES_DAYS = (30, 90, 365)
TOKEN_PREFIX = "wp_"  # noqa: S105  (a public marker that lets secret scanners spot leaked tokens)


class TokenNotFound(Exception):
    """No such token belongs to this user."""


def token_digest(raw_token: str) -> str:
    """SHA-256 suffices here: tokens are 256 random bits, so there is nothing to slow a guesser down on."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def access_token_create(
    *,
    context: RequestContext,
    user: User,
    name: str,
    expires_at: datetime.datetime | None = None,
    reason: str = "",
) -> tuple[AccessToken, str]:
    """Create a personal access token for `user` and return it with its plain text, which is never stored.

    `expires_at` None means the token lasts until revoked; pages and the CLI always pass an expiry."""
    name = name.strip()
    if not name:
        raise ValueError("A token needs a name that says what it is for.")
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw_token[:10],
        token_digest=token_digest(raw_token),
        expires_at=expires_at,
    )
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type="access-token",
        object_id=str(token.pk),
        district_id=user.district_id,
        reason=reason,
    )
    return token, raw_token


@transaction.atomic
def access_token_revoke(*, context: RequestContext, user: User, token_id: int) -> AccessToken:
    """Revoke one of the user's own tokens; another user's token is `TokenNotFound`."""
    token = AccessToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise TokenNotFound(f"No token {token_id} belongs to {user.username}.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="access-token",
            object_id=str(token.pk),
            district_id=user.district_id,
            reason="revoked",
        )
    return token


def access_token_authenticate(raw_token: str) -> User | None:
    """The active user a usable token belongs to, noting when the token was last used; otherwise None."""
    if not raw_token.startswith(TOKEN_PREFIX):
        return None
    token = AccessToken.objects.select_related("user").filter(token_digest=token_digest(raw_token)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    # One write a minute at most, so that busy API clients do not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def sign_in_record(*, context: RequestContext, user: User) -> None:
    """Audit a successful sign-in."""
    audit_record(
        context=context,
        action=AuditAction.LOGIN,
        object_type="account",
        object_id=user.username,
        district_id=user.district_id,
    )


def sign_in_failure_record(*, context: RequestContext, attempted_username: str) -> None:
    """Audit a failed sign-in under the name that was tried; when that account exists, its district's
    administrators see the attempt."""
    audit_record(
        context=context,
        action=AuditAction.LOGIN_FAILED,
        object_type="account",
        object_id=attempted_username,
        district_id=User.objects.filter(username=attempted_username)
        .values_list("district_id", flat=True)
        .first(),
    )


@transaction.atomic
def user_language_set(*, context: RequestContext, user: User, language: str) -> User:
    """Save the language `user` reads pages and notifications in; "" follows the browser again. A code not
    in `settings.LANGUAGES` is refused, so a crafted form cannot store a language with no catalog."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(gettext("Choose one of the languages on the list."))
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="account",
            object_id=user.username,
            district_id=user.district_id,
            reason=f"language: {language or 'browser'}",
        )
    return user
