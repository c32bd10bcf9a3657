"""Signing in through a district's OpenID Connect provider (Google Workspace, Microsoft Entra ID, ...), and
saving how a district is registered with it.

The flow is the authorization code flow with PKCE (S256), `state` and `nonce`, through Authlib: a client is
built per district from its `IdentityProvider` (the discovery document at `<issuer>/.well-known/
openid-configuration` names the endpoints and the keys), and the ID token is checked for its signature,
issuer, audience (our client id), expiry and nonce. What the callback needs (PKCE verifier, nonce, district,
where to go next) waits in the session under the `state`, so a callback that did not start in this browser
matches nothing.

The provider only finds accounts the roster already made: a claim (e-mail, the SIS id, a username) is
matched against the rostered accounts of that district, and nothing is ever created from a sign-in. The
first success links the account to the person's subject at the provider (`ExternalIdentity`); from then on
the subject decides, so a person whose e-mail address changed still signs in."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import (
    DjangoIntegration,
    DjangoOAuth2App,
)
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted, Refusal
from waypoint.core.models import AuditAction, Organization, User
from waypoint.core.services import sign_in_failure_record
from waypoint.interop.models import ExternalIdentity, IdentityProvider
from waypoint.interop.selectors.sign_in import district_contacts, provider_of_district, rostered_in
from waypoint.policy import Action

# Authlib keeps each pending sign-in in the session under this name and its `state`.
PENDING_SIGN_INS = "waypoint-provider"
DISCOVERY_PATH = "/.well-known/openid-configuration"
# Sign-in waits on the provider (discovery, keys, token): long enough for a slow provider, short enough that
# a dead one does not hold a request thread for minutes.
PROVIDER_TIMEOUT_SECONDS = 10
# The settings page checks the discovery document while the administrator waits.
DISCOVERY_CHECK_TIMEOUT_SECONDS = 5
# Clocks of the provider and of Waypoint may differ a little; an ID token is accepted this long past its end.
CLOCK_LEEWAY_SECONDS = 60
AUDIT_OBJECT_SETTINGS = "sign-in-settings"
AUDIT_OBJECT_LINK = "external-identity"


class ProviderUnavailable(Refusal):
    """The district's provider cannot be reached or answers nonsense; answered 503: nothing the person
    did is wrong, and trying later (or a password, where allowed) may work."""

    status: ClassVar[int] = 503


@dataclass(frozen=True)
class ProviderSignIn:
    """A sign-in the provider vouched for: the rostered account, and where the person was going."""

    user: User
    provider: IdentityProvider
    next_url: str


@dataclass(frozen=True)
class SignInSettings:
    """What a district administrator enters about the district's provider. An empty `client_secret` keeps
    the stored one (the page never shows it)."""

    display_name: str
    issuer: str
    client_id: str
    client_secret: str
    match_claim: str
    match_field: str
    required_for_staff: bool
    enabled: bool
    scopes: str = "openid email profile"


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def _client(provider: IdentityProvider) -> DjangoOAuth2App:
    return DjangoOAuth2App(
        DjangoIntegration(PENDING_SIGN_INS),
        name=PENDING_SIGN_INS,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=discovery_url(provider.issuer),
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT_SECONDS,
        },
    )


def _unreachable(provider: IdentityProvider) -> ProviderUnavailable:
    return ProviderUnavailable(
        gettext(
            "%(provider)s cannot be reached just now, so %(district)s cannot sign you in through it. "
            "Try again in a few minutes."
        )
        % {"provider": provider.display_name, "district": provider.district.name}
    )


def provider_authorization_url(
    *, session: SessionBase, provider: IdentityProvider, redirect_uri: str, next_url: str
) -> str:
    """Begin a sign-in: the provider's authorization address (with `state`, `nonce` and the PKCE
    challenge); the verifier, the nonce and where to go afterwards wait in the session under the state."""
    client = _client(provider)
    try:
        started: dict[str, Any] = client.create_authorization_url(redirect_uri)
    except (requests.RequestException, RuntimeError, ValueError) as error:
        raise _unreachable(provider) from error
    client.framework.set_state_data(
        session,
        started["state"],
        {
            "redirect_uri": redirect_uri,
            "code_verifier": started["code_verifier"],
            "nonce": started["nonce"],
            "district_id": provider.district_id,
            "next": next_url,
        },
    )
    return str(started["url"])


def _whom_to_ask(district: Organization) -> str:
    contacts = district_contacts(district)
    return ", ".join(contacts) if contacts else gettext("your district office")


def _token_problem(provider: IdentityProvider, error: JoseError) -> str:
    """Why an ID token was refused, in words a person (and the district's IT staff) can act on."""
    names = {"provider": provider.display_name}
    if isinstance(error, ExpiredTokenError):
        return gettext("The sign-in from %(provider)s had already expired. Please sign in again.") % names
    if isinstance(error, ClaimError) and error.claim in ("aud", "azp"):
        return (
            gettext(
                "%(provider)s signed you in for another application, not this Waypoint. Ask your district "
                "office to check Waypoint's client id in the sign-in settings."
            )
            % names
        )
    if isinstance(error, ClaimError) and error.claim == "nonce":
        return (
            gettext("This sign-in answer from %(provider)s was already used. Please sign in again.") % names
        )
    if isinstance(error, ClaimError) and error.claim == "iss":
        return (
            gettext(
                "The sign-in answer did not come from %(provider)s (its issuer differs). "
                "Please sign in again."
            )
            % names
        )
    return (
        gettext("The sign-in answer from %(provider)s could not be verified. Please sign in again.") % names
    )


def _verified_claims(
    provider: IdentityProvider, pending: Mapping[str, str], query: Mapping[str, str]
) -> dict[str, Any]:
    """The ID token's claims, once its code has been exchanged and the token verified."""
    client = _client(provider)
    if query.get("error"):
        reason = query.get("error_description") or query["error"]
        raise Invalid(
            gettext("%(provider)s did not sign you in: %(reason)s")
            % {"provider": provider.display_name, "reason": reason[:200]}
        )
    if not query.get("code"):
        raise Invalid(gettext("The provider sent no sign-in code back. Please sign in again."))
    try:
        token = client.fetch_access_token(
            code=query["code"],
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending["code_verifier"],
        )
        if "id_token" not in token:
            raise Invalid(
                gettext("%(provider)s sent no ID token, so it did not say who you are.")
                % {"provider": provider.display_name}
            )
        claims = client.parse_id_token(
            token,
            nonce=pending["nonce"],
            claims_options={
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
            },
            leeway=CLOCK_LEEWAY_SECONDS,
        )
    except JoseError as error:
        raise Invalid(_token_problem(provider, error)) from error
    except OAuthError as error:
        raise Invalid(
            gettext("%(provider)s refused to finish the sign-in (%(reason)s). Please sign in again.")
            % {"provider": provider.display_name, "reason": error.error or error.description or ""}
        ) from error
    except (requests.RequestException, RuntimeError, ValueError) as error:
        raise _unreachable(provider) from error
    return dict(claims)


def _matching_accounts(provider: IdentityProvider, value: str) -> list[User]:
    accounts = User.objects.filter(rostered_in(provider.district), is_active=True)
    if provider.match_field == IdentityProvider.MatchField.EMAIL:
        accounts = accounts.filter(email__iexact=value)
    elif provider.match_field == IdentityProvider.MatchField.SOURCED_ID:
        accounts = accounts.filter(sourced_id=value)
    else:
        accounts = accounts.filter(username=value)
    return list(accounts[:2])


def _rostered_account(provider: IdentityProvider, claims: Mapping[str, Any]) -> tuple[User, bool]:
    """The account the claims name and whether it is linked now for the first time; `NotPermitted`, with
    whom to ask, when no rostered account of the district matches."""
    district = provider.district
    linked = (
        ExternalIdentity.objects.filter(provider=provider, subject=str(claims["sub"]))
        .select_related("user")
        .first()
    )
    if linked is not None:
        if User.objects.filter(rostered_in(district), pk=linked.user_id, is_active=True).exists():
            return linked.user, False
        raise NotPermitted(
            gettext(
                "Your Waypoint account is no longer on the roster of %(district)s. Ask your school's "
                "Waypoint administrator (%(contacts)s) if this is a mistake."
            )
            % {"district": district.name, "contacts": _whom_to_ask(district)}
        )
    value = str(claims.get(provider.match_claim) or "").strip()
    if not value:
        raise NotPermitted(
            gettext(
                "%(provider)s did not say your %(claim)s, which %(district)s uses to find your Waypoint "
                "account. Ask your district office (%(contacts)s) to check the sign-in settings."
            )
            % {
                "provider": provider.display_name,
                "claim": provider.match_claim,
                "district": district.name,
                "contacts": _whom_to_ask(district),
            }
        )
    if provider.match_claim == "email" and claims.get("email_verified") is False:
        raise NotPermitted(
            gettext(
                "%(provider)s has not verified the e-mail address %(value)s, so it cannot find your account."
            )
            % {"provider": provider.display_name, "value": value}
        )
    accounts = _matching_accounts(provider, value)
    if len(accounts) != 1:
        template = (
            gettext(
                "No Waypoint account of %(district)s matches %(value)s. Ask your school's Waypoint "
                "administrator (%(contacts)s) to add you to the roster."
            )
            if not accounts
            else gettext(
                "More than one Waypoint account of %(district)s matches %(value)s. Ask your school's "
                "Waypoint administrator (%(contacts)s) to correct the roster."
            )
        )
        raise NotPermitted(
            template % {"district": district.name, "value": value, "contacts": _whom_to_ask(district)}
        )
    account = accounts[0]
    if ExternalIdentity.objects.filter(provider=provider, user=account).exists():
        raise NotPermitted(
            gettext(
                "The Waypoint account for %(value)s is already linked to another account at %(provider)s. "
                "Ask your school's Waypoint administrator (%(contacts)s)."
            )
            % {"value": value, "provider": provider.display_name, "contacts": _whom_to_ask(district)}
        )
    return account, True


def provider_sign_in_finish(
    *, context: RequestContext, session: SessionBase, query: Mapping[str, str]
) -> ProviderSignIn:
    """Finish a sign-in the provider sent back (`query` is the callback's: `state`, `code` or `error`):
    check the state against the session, exchange the code (with the PKCE verifier), verify the ID token,
    and find the rostered account, linking it to the person's subject the first time. Refused (`Invalid`,
    `NotPermitted`, `ProviderUnavailable`) with the reason; every refusal is audited as a failed sign-in.
    Signing the account in (`django.contrib.auth.login`, which audits the sign-in) is the caller's."""
    framework = DjangoIntegration(PENDING_SIGN_INS)
    state = query.get("state", "")
    pending = framework.get_state_data(session, state) if state else None
    if state:
        # A state is good for one callback: a replayed answer finds nothing.
        framework.clear_state_data(session, state)
    provider = provider_of_district(int(pending["district_id"])) if pending else None
    attempted = provider.district.slug if provider else "identity provider"
    try:
        if provider is not None and not provider.enabled:
            raise Invalid(
                gettext("%(district)s no longer signs people in through %(provider)s.")
                % {"district": provider.district.name, "provider": provider.display_name}
            )
        if pending is None or provider is None:
            raise Invalid(
                gettext(
                    "This sign-in did not start in this browser, or it took too long. Start again from the "
                    "sign-in page."
                )
            )
        claims = _verified_claims(provider, pending, query)
        attempted = str(claims.get(provider.match_claim) or claims.get("sub") or attempted)
        user, first_time = _rostered_account(provider, claims)
    except Refusal:
        sign_in_failure_record(context=context, attempted_username=attempted[:64])
        raise
    with transaction.atomic():
        now = timezone.now()
        if first_time:
            identity = ExternalIdentity.objects.create(
                provider=provider, user=user, subject=str(claims["sub"]), last_sign_in_at=now
            )
            audit_record(
                context=context,
                action=AuditAction.CREATE,
                object_type=AUDIT_OBJECT_LINK,
                object_id=str(identity.pk),
                district_id=provider.district_id,
                reason=f"{user.username} linked to {provider.display_name}",
            )
        else:
            ExternalIdentity.objects.filter(provider=provider, subject=str(claims["sub"])).update(
                last_sign_in_at=now
            )
    return ProviderSignIn(user=user, provider=provider, next_url=str(pending.get("next") or ""))


def discovery_problems(issuer: str) -> list[str]:
    """Why the issuer's discovery document cannot serve sign-ins, in words; empty when it can."""
    url = discovery_url(issuer)
    try:
        response = requests.get(url, timeout=DISCOVERY_CHECK_TIMEOUT_SECONDS)
        response.raise_for_status()
        metadata = response.json()
    except requests.Timeout:
        return [
            gettext("%(url)s did not answer within %(seconds)s seconds.")
            % {"url": url, "seconds": DISCOVERY_CHECK_TIMEOUT_SECONDS}
        ]
    except requests.HTTPError as error:
        return [
            gettext("%(url)s answered %(status)s; check the issuer address.")
            % {"url": url, "status": error.response.status_code if error.response is not None else "?"}
        ]
    except requests.RequestException:
        return [gettext("%(url)s cannot be reached; check the issuer address.") % {"url": url}]
    except ValueError:
        return [gettext("%(url)s is not a discovery document (it is not JSON).") % {"url": url}]
    if not isinstance(metadata, dict):
        return [gettext("%(url)s is not a discovery document (it is not JSON).") % {"url": url}]
    problems = []
    if metadata.get("issuer") != issuer:
        problems.append(
            gettext("The discovery document names the issuer %(found)s, not %(issuer)s; enter it exactly.")
            % {"found": metadata.get("issuer") or "—", "issuer": issuer}
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(key):
            problems.append(gettext("The discovery document names no %(key)s.") % {"key": key})
    if "code" not in metadata.get("response_types_supported", ["code"]):
        problems.append(gettext("The provider does not offer the authorization code flow Waypoint uses."))
    if "S256" not in metadata.get("code_challenge_methods_supported", ["S256"]):
        problems.append(gettext("The provider does not offer PKCE with S256, which Waypoint requires."))
    return problems


def _field_problems(entered: SignInSettings, *, secret_stored: bool) -> list[str]:
    problems = []
    if not entered.display_name.strip():
        problems.append(gettext("Enter the name people know the provider by (it is on the sign-in button)."))
    issuer = urlsplit(entered.issuer)
    local = issuer.hostname in ("127.0.0.1", "localhost", "::1")
    if issuer.scheme != "https" and not (issuer.scheme == "http" and local and not settings.PRODUCTION):
        problems.append(gettext("The issuer must be an https:// address."))
    elif not issuer.hostname or issuer.query or issuer.fragment or "\\" in entered.issuer:
        problems.append(gettext("The issuer must be a web address with a host and no query or fragment."))
    if not entered.client_id.strip():
        problems.append(gettext("Enter the client id the provider gave Waypoint."))
    if not entered.client_secret and not secret_stored:
        problems.append(gettext("Enter the client secret the provider gave Waypoint."))
    if not entered.match_claim.strip():
        problems.append(gettext("Enter the claim that identifies a person (e.g. email)."))
    if entered.match_field not in IdentityProvider.MatchField.values:
        problems.append(gettext("Choose which account field the claim is matched against."))
    if "openid" not in entered.scopes.split():
        problems.append(gettext("The scopes must include openid."))
    return problems


def sign_in_settings_save(
    *, context: RequestContext, district: Organization, entered: SignInSettings
) -> IdentityProvider:
    """Save how `district` signs people in through its provider (district administrators). Every problem
    with the fields is listed; an enabled provider's discovery document is fetched first, so a wrong issuer
    never locks staff out. Audited (never the secret itself)."""
    if not policy.can(context.user, Action.CONFIGURE_SIGN_IN, district):
        raise NotPermitted(gettext("Only a district administrator configures how the district signs in."))
    entered = dataclasses.replace(
        entered,
        display_name=entered.display_name.strip(),
        issuer=entered.issuer.strip(),
        client_id=entered.client_id.strip(),
        match_claim=entered.match_claim.strip(),
    )
    existing = IdentityProvider.objects.filter(district=district).first()
    problems = _field_problems(entered, secret_stored=bool(existing and existing.client_secret))
    if not problems and entered.enabled:
        problems = discovery_problems(entered.issuer)
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().filter(district=district).first()
        created = provider is None
        provider = provider or IdentityProvider(district=district)
        fields = {
            "display_name": entered.display_name,
            "issuer": entered.issuer,
            "client_id": entered.client_id,
            "scopes": entered.scopes,
            "match_claim": entered.match_claim,
            "match_field": entered.match_field,
            "required_for_staff": entered.required_for_staff,
            "enabled": entered.enabled,
        }
        changed = sorted(name for name, value in fields.items() if getattr(provider, name) != value)
        if entered.client_secret and entered.client_secret != provider.client_secret:
            provider.client_secret = entered.client_secret
            changed.append("client_secret")
        for name, value in fields.items():
            setattr(provider, name, value)
        if created or changed:
            provider.updated_at = timezone.now()
            provider.save()
            audit_record(
                context=context,
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                object_type=AUDIT_OBJECT_SETTINGS,
                object_id=district.slug,
                district_id=district.pk,
                reason=f"changed: {', '.join(changed)}"[:300],
            )
    return provider
