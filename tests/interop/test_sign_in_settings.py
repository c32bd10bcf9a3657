"""A district administrator's sign-in settings, on the page and through the API: checked against the real
test provider's discovery document, the secret write-only, every problem listed, audited."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.conftest import Demo
from tests.interop.oidc_kit import OidcProvider, oidc_provider
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.interop.models import IdentityProvider

__all__ = ["oidc_provider"]
PAGE = "/district/sign-in/"
API = "/api/v1/interop/sign-in"


def signed_in(demo: Demo, username: str = "district-admin") -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


def fields(provider: OidcProvider, **changes: Any) -> dict[str, Any]:
    return {
        "display_name": "Riverside Google",
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "match_claim": "email",
        "match_field": "email",
        "required_for_staff": True,
        "enabled": True,
        **changes,
    }


def form(values: dict[str, Any]) -> dict[str, Any]:
    """The values as a browser posts them: an unchecked box is absent."""
    return {key: value for key, value in values.items() if value is not False}


def test_the_page_names_the_redirect_address_to_register(demo: Demo) -> None:
    response = signed_in(demo).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"How {demo.riverside.name} signs in" in page
    assert "http://testserver/login/provider/callback/" in page


def test_only_district_administrators_configure_sign_in(demo: Demo) -> None:
    assert signed_in(demo, "school-admin").get(PAGE).status_code == 403
    assert signed_in(demo, "teacher").get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302


def test_saving_checks_the_discovery_document_and_keeps_the_secret_unseen(
    demo: Demo, oidc_provider: OidcProvider
) -> None:
    client = signed_in(demo)

    response = client.post(PAGE, form(fields(oidc_provider)))

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(district=demo.riverside)
    assert provider.issuer == oidc_provider.issuer
    assert provider.client_secret == oidc_provider.client_secret
    assert provider.required_for_staff
    page = client.get(PAGE).content.decode()
    assert oidc_provider.client_secret not in page
    assert "Saved (not shown)" in page
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="sign-in-settings")
    assert event.district_id == demo.riverside.pk
    assert oidc_provider.client_secret not in event.reason


def test_an_empty_secret_keeps_the_saved_one(demo: Demo, oidc_provider: OidcProvider) -> None:
    client = signed_in(demo)
    client.post(PAGE, form(fields(oidc_provider)))

    response = client.post(PAGE, form(fields(oidc_provider, client_secret="", display_name="Google")))

    assert response.status_code == 302
    provider = IdentityProvider.objects.get(district=demo.riverside)
    assert provider.display_name == "Google"
    assert provider.client_secret == oidc_provider.client_secret
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="sign-in-settings")
    assert update.reason == "changed: display_name"


def test_a_wrong_issuer_is_refused_with_what_the_document_says(
    demo: Demo, oidc_provider: OidcProvider
) -> None:
    # The provider's site root is not its issuer: no discovery document there.
    response = signed_in(demo).post(PAGE, form(fields(oidc_provider, issuer=oidc_provider.base_url)))

    assert response.status_code == 400
    assert "answered 404; check the issuer address" in response.content.decode()
    assert not IdentityProvider.objects.filter(district=demo.riverside).exists()


def test_an_issuer_that_names_another_is_refused(demo: Demo, oidc_provider: OidcProvider) -> None:
    response = signed_in(demo).post(PAGE, form(fields(oidc_provider, issuer=oidc_provider.issuer + "/")))

    assert response.status_code == 400
    assert "names the issuer" in response.content.decode()


def test_an_unreachable_issuer_is_refused(demo: Demo) -> None:
    values = {
        "display_name": "Google",
        "issuer": "http://127.0.0.1:9/",
        "client_id": "x",
        "client_secret": "y",
        "match_claim": "email",
        "match_field": "email",
        "enabled": "on",
    }
    response = signed_in(demo).post(PAGE, values)

    assert response.status_code == 400
    assert "cannot be reached; check the issuer address" in response.content.decode()


def test_every_problem_is_listed_at_once(demo: Demo) -> None:
    values = {"display_name": " ", "issuer": "ftp://idp.example", "client_id": " ", "match_claim": "email"}
    response = signed_in(demo).post(PAGE, {**values, "match_field": "email", "enabled": "on"})

    assert response.status_code == 400
    page = response.content.decode()
    for problem in (
        "Enter the name people know the provider by",
        "The issuer must be an https:// address.",
        "Enter the client id the provider gave Waypoint.",
        "Enter the client secret the provider gave Waypoint.",
    ):
        assert problem in page


def test_a_disabled_provider_is_saved_without_reaching_it(demo: Demo) -> None:
    values = {
        "display_name": "Google",
        "issuer": "https://accounts.google.com",
        "client_id": "x",
        "client_secret": "y",
        "match_claim": "email",
        "match_field": "email",
    }
    assert signed_in(demo).post(PAGE, values).status_code == 302
    assert not IdentityProvider.objects.get(district=demo.riverside).enabled


def test_the_api_reads_without_the_secret_and_replaces(demo: Demo, oidc_provider: OidcProvider) -> None:
    client = signed_in(demo)
    assert client.get(API).json()["configured"] is False

    response = client.put(API, data=json.dumps(fields(oidc_provider)), content_type="application/json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["configured"] is True
    assert body["client_secret_saved"] is True
    assert body["issuer"] == oidc_provider.issuer
    read = client.get(API)
    assert oidc_provider.client_secret not in read.content.decode()
    assert "client_secret" not in read.json()


def test_the_api_lists_every_problem(demo: Demo, oidc_provider: OidcProvider) -> None:
    payload = fields(oidc_provider, issuer="ftp://idp.example", client_id=" ", client_secret="")
    response = signed_in(demo).put(API, data=json.dumps(payload), content_type="application/json")

    assert response.status_code == 400
    reasons = [problem["reason"] for problem in response.json()["problems"]]
    assert "The issuer must be an https:// address." in reasons
    assert "Enter the client id the provider gave Waypoint." in reasons
    assert "Enter the client secret the provider gave Waypoint." in reasons


def test_the_api_is_for_district_administrators(demo: Demo) -> None:
    assert signed_in(demo, "teacher").get(API).status_code == 403
    assert Client().get(API).status_code == 401
