"""Signing in through a district's OpenID Connect provider, against a real provider running in a second
process on 127.0.0.1 (tests/interop/oidc_kit.py): the Django test client plays Waypoint's side, `requests`
plays the person at the provider."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import Demo
from tests.interop.oidc_kit import (
    DEMO_TEACHER_EMAIL,
    EXPIRED_CLIENT_ID,
    WRONG_AUDIENCE_CLIENT_ID,
    OidcProvider,
    oidc_provider,
    sign_in_at_provider,
)
from waypoint.core.models import AuditAction, AuditEvent, User
from waypoint.interop.models import ExternalIdentity, IdentityProvider

__all__ = ["oidc_provider"]


def start(client: Client, district: str = "riverside", next_url: str = "") -> str:
    """Press the district's button on the sign-in page; the provider's authorization address."""
    response = client.get(f"/login/provider/{district}/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def provider_sign_in(client: Client, username: str, **start_kwargs: str) -> Any:
    """The whole round: the button, the provider's sign-in page, and back to Waypoint's callback."""
    return client.get(sign_in_at_provider(start(client, **start_kwargs), username))


def test_the_provider_knows_the_demo_teacher_by_their_address(demo: Demo) -> None:
    assert demo.users["teacher"].email == DEMO_TEACHER_EMAIL


def test_teacher_signs_in_through_the_provider_with_pkce(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside)
    authorize_url = start(client)
    assert authorize_url.startswith(oidc_provider.issuer + "/authorize")

    response = client.get(sign_in_at_provider(authorize_url, "teacher"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user(client) == demo.users["teacher"]
    # What the provider's authorization endpoint was asked: code flow, PKCE S256, state and nonce.
    sent = next(
        r
        for r in oidc_provider.authorize_requests()
        if r["state"] == parse_qs(urlsplit(authorize_url).query)["state"][0]
    )
    assert sent["response_type"] == "code"
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) >= 43
    assert sent["nonce"]
    assert "openid" in sent["scope"].split()
    identity = ExternalIdentity.objects.get(provider__district=demo.riverside, user=demo.users["teacher"])
    assert identity.last_sign_in_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, object_id="teacher", district=demo.riverside
    ).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="external-identity").exists()
    assert client.get("/").status_code == 200


def test_the_provider_counts_as_the_second_step(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    """A teacher with a confirmed authenticator app is asked for a code after a password, not after the
    provider (which does its own multi-factor check)."""
    TOTPDevice.objects.create(user=demo.users["teacher"], name="Phone", confirmed=True)
    by_password = Client()
    by_password.post("/login/", {"username": "teacher", "password": "waypoint-demo"})
    assert by_password.get("/")["Location"].startswith(reverse("interop-mfa-verify"))
    oidc_provider.configure(demo.riverside)

    provider_sign_in(client, "teacher")

    assert client.get("/").status_code == 200


def test_the_person_lands_where_they_were_going(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside)
    response = provider_sign_in(client, "teacher", next_url="/sections/")
    assert response["Location"] == "/sections/"


def test_a_link_elsewhere_is_not_followed_after_sign_in(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside)
    response = provider_sign_in(client, "teacher", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_once_linked_the_subject_decides_even_after_the_address_changed(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside)
    provider_sign_in(client, "teacher")
    client.logout()
    User.objects.filter(pk=demo.users["teacher"].pk).update(email="t.teacher@riverside.invalid")

    response = provider_sign_in(Client(), "teacher")
    assert response.status_code == 302
    assert ExternalIdentity.objects.filter(user=demo.users["teacher"]).count() == 1


def test_an_unknown_person_is_refused_and_told_whom_to_ask(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside)
    users_before = User.objects.count()

    response = provider_sign_in(client, "stranger")

    assert response.status_code == 403
    page = response.content.decode()
    assert "No Waypoint account of Riverside" in page
    assert "stranger@elsewhere.invalid" in page
    assert "add you to the roster" in page
    assert demo.users["district-admin"].email in page
    assert signed_in_user(client) is None
    # Never an account made from a sign-in, nor a link.
    assert User.objects.count() == users_before
    assert not ExternalIdentity.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, object_id="stranger@elsewhere.invalid"
    ).exists()


def test_a_token_for_another_audience_is_refused(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside, client_id=WRONG_AUDIENCE_CLIENT_ID)

    response = provider_sign_in(client, "teacher")

    assert response.status_code == 400
    assert "for another application" in response.content.decode()
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()


def test_an_expired_token_is_refused(client: Client, demo: Demo, oidc_provider: OidcProvider) -> None:
    oidc_provider.configure(demo.riverside, client_id=EXPIRED_CLIENT_ID)

    response = provider_sign_in(client, "teacher")

    assert response.status_code == 400
    assert "had already expired" in response.content.decode()
    assert signed_in_user(client) is None
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_id="riverside").exists()


def test_a_bad_state_is_refused(client: Client, demo: Demo, oidc_provider: OidcProvider) -> None:
    oidc_provider.configure(demo.riverside)
    callback = sign_in_at_provider(start(client), "teacher")
    state = parse_qs(urlsplit(callback).query)["state"][0]

    response = client.get(callback.replace(f"state={state}", "state=forged"))

    assert response.status_code == 400
    assert "did not start in this browser" in response.content.decode()
    assert signed_in_user(client) is None


def test_an_answer_is_good_once_and_only_in_the_browser_that_started(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside)
    callback = sign_in_at_provider(start(client), "teacher")

    assert Client().get(callback).status_code == 400  # another browser: its session holds no such state
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code == 400  # replayed


def test_a_sis_id_claim_finds_the_account_by_its_sourced_id(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    advisor = demo.users["advisor"]
    advisor.sourced_id = "SIS-ADV-7"
    advisor.save(update_fields=["sourced_id"])
    oidc_provider.add_user("SIS-ADV-7", email="someone.else@elsewhere.invalid")
    oidc_provider.configure(
        demo.riverside, match_claim="preferred_username", match_field=IdentityProvider.MatchField.SOURCED_ID
    )

    provider_sign_in(client, "SIS-ADV-7")

    assert signed_in_user(client) == advisor


def test_an_account_rostered_in_another_district_is_not_found(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    # Hillcrest's provider knows the address, but the teacher is Riverside's.
    oidc_provider.configure(demo.hillcrest)

    response = provider_sign_in(client, "teacher", district="hillcrest")

    assert response.status_code == 403
    assert "No Waypoint account of Hillcrest" in response.content.decode()


def test_a_district_without_an_enabled_provider_has_no_start(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    assert client.get("/login/provider/riverside/").status_code == 404
    oidc_provider.configure(demo.riverside, enabled=False)
    assert client.get("/login/provider/riverside/").status_code == 404


def test_an_unreachable_provider_is_said_so(client: Client, demo: Demo, oidc_provider: OidcProvider) -> None:
    provider = oidc_provider.configure(demo.riverside)
    IdentityProvider.objects.filter(pk=provider.pk).update(issuer="http://127.0.0.1:9/openid")

    response = client.get("/login/provider/riverside/")

    assert response.status_code == 503
    assert "cannot be reached just now" in response.content.decode()


def test_the_sign_in_page_offers_each_district_provider(demo: Demo, oidc_provider: OidcProvider) -> None:
    client = Client()
    assert "Sign in with" not in client.get("/login/").content.decode()
    oidc_provider.configure(demo.riverside, display_name="Riverside Google")

    page = client.get("/login/?next=/sections/").content.decode()

    assert "Sign in with Riverside Google (Riverside" in page
    assert 'href="/login/provider/riverside/?next=/sections/"' in page
    assert 'href="/password-reset/"' in page


def test_past_three_districts_the_sign_in_page_has_a_picker(demo: Demo) -> None:
    from waypoint.core.models import Organization

    for number in range(4):
        district = Organization.objects.create(
            kind=Organization.Kind.DISTRICT,
            name=f"District {number}",
            slug=f"d{number}",
            sourced_id=f"d{number}",
            parent=demo.riverside.parent,
        )
        IdentityProvider.objects.create(
            district=district, display_name="Google", issuer="https://accounts.google.com", client_id="x"
        )

    page = Client().get("/login/").content.decode()

    assert '<select id="id_district" name="district"' in page
    assert page.count("<option") == 4
    response = Client().get("/login/provider/?district=d2")
    assert response["Location"] == "/login/provider/d2/"


@pytest.mark.parametrize("username", ["teacher", "school-admin"])
def test_staff_of_a_district_that_requires_the_provider_may_not_use_a_password(
    demo: Demo, oidc_provider: OidcProvider, username: str
) -> None:
    oidc_provider.configure(demo.riverside, display_name="Riverside Google", required_for_staff=True)
    client = Client()

    response = client.post("/login/", {"username": username, "password": "waypoint-demo"})

    assert response.status_code == 200
    assert f"{demo.riverside.name} signs staff in through Riverside Google" in response.content.decode()
    assert signed_in_user(client) is None


@pytest.mark.parametrize("username", ["student", "guardian", "other-teacher"])
def test_students_guardians_and_other_districts_staff_keep_their_passwords(
    demo: Demo, oidc_provider: OidcProvider, username: str
) -> None:
    oidc_provider.configure(demo.riverside, required_for_staff=True)
    client = Client()

    response = client.post("/login/", {"username": username, "password": "waypoint-demo"})

    assert response.status_code == 302
    assert signed_in_user(client) == demo.users[username]


def test_staff_required_to_use_the_provider_still_sign_in_through_it(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    oidc_provider.configure(demo.riverside, required_for_staff=True)
    provider_sign_in(client, "teacher")
    assert signed_in_user(client) == demo.users["teacher"]


def test_a_guardian_signs_in_through_the_provider_too(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    guardian = demo.users["guardian"]
    oidc_provider.add_user("guardian-at-provider", email=guardian.email.upper())
    oidc_provider.configure(demo.riverside)

    provider_sign_in(client, "guardian-at-provider")

    assert signed_in_user(client) == guardian


def test_a_deactivated_account_is_not_found(client: Client, demo: Demo, oidc_provider: OidcProvider) -> None:
    User.objects.filter(pk=demo.users["teacher"].pk).update(is_active=False)
    oidc_provider.configure(demo.riverside)

    response = provider_sign_in(client, "teacher")

    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_the_sign_in_page_reads_the_providers_in_one_query(
    demo: Demo, oidc_provider: OidcProvider, django_assert_max_num_queries: Any
) -> None:
    oidc_provider.configure(demo.riverside)
    oidc_provider.configure(demo.hillcrest)
    client = Client()
    client.get("/login/")  # the first visit starts the session

    with django_assert_max_num_queries(4):
        page = client.get("/login/").content.decode()

    assert page.count("Sign in with District Google") == 2


def test_a_provider_turned_off_meanwhile_finishes_no_sign_in(
    client: Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    provider = oidc_provider.configure(demo.riverside)
    callback = sign_in_at_provider(start(client), "teacher")
    IdentityProvider.objects.filter(pk=provider.pk).update(enabled=False)

    response = client.get(callback)

    assert response.status_code == 400
    assert "no longer signs people in through District Google" in response.content.decode()
    assert signed_in_user(client) is None
