"""The interop API: how the caller's district signs people in through its identity provider. For district
administrators; the client secret can be replaced but is never returned."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, Text
from waypoint.interop.models import IdentityProvider
from waypoint.interop.selectors import sign_in as selectors
from waypoint.interop.services.sign_in import SignInSettings, sign_in_settings_save
from waypoint.policy import request_context

router = Router()


class SignInSettingsOut(Schema):
    configured: bool = Field(description="False until the district's provider is first saved.")
    district: str = Field(description="The district's slug.")
    display_name: str
    issuer: str
    client_id: str
    client_secret_saved: bool = Field(
        description="Whether a secret is saved; the secret itself is never sent."
    )
    scopes: str
    match_claim: str
    match_field: str = Field(description="email, sourced_id or username.")
    required_for_staff: bool
    enabled: bool
    updated_at: datetime.datetime | None


class SignInSettingsIn(Schema):
    display_name: Text = Field(max_length=100)
    issuer: Text = Field(max_length=500, description="The issuer address; its discovery document is checked.")
    client_id: Text = Field(max_length=255)
    client_secret: Text = Field(
        "", max_length=500, description="Empty keeps the saved secret (a first save needs one)."
    )
    match_claim: Text = Field("email", max_length=64)
    match_field: IdentityProvider.MatchField = IdentityProvider.MatchField.EMAIL
    required_for_staff: bool = False
    enabled: bool = True


def _out(district_slug: str, provider: IdentityProvider | None) -> SignInSettingsOut:
    if provider is None:
        return SignInSettingsOut(
            configured=False,
            district=district_slug,
            display_name="",
            issuer="",
            client_id="",
            client_secret_saved=False,
            scopes="",
            match_claim="",
            match_field="",
            required_for_staff=False,
            enabled=False,
            updated_at=None,
        )
    return SignInSettingsOut(
        configured=True,
        district=district_slug,
        display_name=provider.display_name,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret_saved=bool(provider.client_secret),
        scopes=provider.scopes,
        match_claim=provider.match_claim,
        match_field=provider.match_field,
        required_for_staff=provider.required_for_staff,
        enabled=provider.enabled,
        updated_at=provider.updated_at,
    )


@router.get(
    "/sign-in",
    response={200: SignInSettingsOut, **READ_ERRORS},
    summary="Read the district's sign-in settings",
)
def sign_in_settings(request: HttpRequest) -> SignInSettingsOut:
    """The identity provider of the district the caller acts for (district administrators; 403 otherwise).
    The client secret is never returned: `client_secret_saved` says whether one is saved."""
    context = request_context(request)
    district = selectors.configuring_district(context)
    return _out(district.slug, selectors.sign_in_settings(context=context, district=district))


@router.put(
    "/sign-in",
    response={200: SignInSettingsOut, **WRITE_ERRORS},
    summary="Replace the district's sign-in settings",
)
def sign_in_settings_update(request: HttpRequest, payload: SignInSettingsIn) -> SignInSettingsOut:
    """Save the district's identity provider (district administrators). When `enabled`, the issuer's
    discovery document is read first; every problem (fields, discovery) is listed in a 400."""
    context = request_context(request)
    district = selectors.configuring_district(context)
    provider = sign_in_settings_save(
        context=context,
        district=district,
        entered=SignInSettings(
            display_name=payload.display_name,
            issuer=payload.issuer,
            client_id=payload.client_id,
            client_secret=payload.client_secret,
            match_claim=payload.match_claim,
            match_field=payload.match_field.value,
            required_for_staff=payload.required_for_staff,
            enabled=payload.enabled,
        ),
    )
    return _out(district.slug, provider)
