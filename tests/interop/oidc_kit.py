"""A real OpenID Connect provider for the sign-in tests, and the helpers that use it.

`oidc_provider` (session-scoped) starts django-oidc-provider in a second process on 127.0.0.1 (the project
in `tests/interop/oidc_provider_site/`), with three client registrations: Waypoint's, one that issues expired
ID tokens and one that issues them to another audience. It knows two people: `teacher`, with the demo
teacher's e-mail address, and `stranger`, whom no district rosters. Import the fixture into a test module
(`from tests.interop.oidc_kit import oidc_provider`) and:

- `oidc_provider.configure(district)` gives a district its `IdentityProvider` (needs the database);
- `sign_in_at_provider(authorize_url, "teacher")` plays the person at the provider with `requests` and
  returns the callback address the provider sends the browser back to (for Django's test client);
- `sign_in_at_provider_page(page, "teacher")` does the same in a Playwright page;
- `oidc_provider.allow_redirect_uri(base_url)` registers a live server's callback with the provider (the
  test client's `http://testserver` is registered from the start).
"""

from __future__ import annotations

import json
import os
import secrets
import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from waypoint.core.models import Organization
from waypoint.interop.models import IdentityProvider

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_PASSWORD = "provider-password"
# The demo gives each fixed account this address (waypoint.core.demo).
DEMO_TEACHER_EMAIL = "teacher@demo.waypoint.invalid"
CLIENT_ID = "waypoint"
EXPIRED_CLIENT_ID = "waypoint-expired"
WRONG_AUDIENCE_CLIENT_ID = "waypoint-wrong-audience"
CALLBACK_PATH = "/login/provider/callback/"
START_TIMEOUT_SECONDS = 60


@dataclass
class OidcProvider:
    """The running test provider."""

    base_url: str  # http://127.0.0.1:PORT
    kit_token: str
    client_secrets: dict[str, str]
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/openid"

    @property
    def client_id(self) -> str:
        return CLIENT_ID

    @property
    def client_secret(self) -> str:
        return self.client_secrets[CLIENT_ID]

    def _kit(self, endpoint: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(
            f"{self.base_url}/kit/{endpoint}",
            data=json.dumps(body or {}),
            headers={"X-Kit-Token": self.kit_token, "Content-Type": "application/json"},
            timeout=10,
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def add_user(self, username: str, *, email: str = "", first_name: str = "", last_name: str = "") -> str:
        """A person at the provider (password `PROVIDER_PASSWORD`); returns their subject (`sub`)."""
        body = {
            "username": username,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "password": PROVIDER_PASSWORD,
        }
        return str(self._kit("users", body)["sub"])

    def allow_redirect_uri(self, base_url: str) -> None:
        """Register `base_url`'s callback with every client (a live server's random port)."""
        self._kit("redirect-uris", {"uri": base_url.rstrip("/") + CALLBACK_PATH})

    def authorize_requests(self) -> list[dict[str, str]]:
        """The query of every request the provider's authorization endpoint received, oldest first."""
        requests_seen: list[dict[str, str]] = self._kit("authorize-requests")["requests"]
        return requests_seen

    def configure(
        self,
        district: Organization,
        *,
        client_id: str = CLIENT_ID,
        display_name: str = "District Google",
        match_claim: str = "email",
        match_field: str = IdentityProvider.MatchField.EMAIL,
        required_for_staff: bool = False,
        enabled: bool = True,
    ) -> IdentityProvider:
        """Give `district` this provider as its identity provider (replacing any it had)."""
        provider, _ = IdentityProvider.objects.update_or_create(
            district=district,
            defaults={
                "display_name": display_name,
                "issuer": self.issuer,
                "client_id": client_id,
                "client_secret": self.client_secrets[client_id],
                "match_claim": match_claim,
                "match_field": match_field,
                "required_for_staff": required_for_staff,
                "enabled": enabled,
            },
        )
        return provider


def start_provider(database: Path) -> OidcProvider:
    """Start the provider process and wait until it answers."""
    client_secrets = {
        client_id: secrets.token_urlsafe(24)
        for client_id in (CLIENT_ID, EXPIRED_CLIENT_ID, WRONG_AUDIENCE_CLIENT_ID)
    }
    kit_token = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "OIDC_KIT_DATABASE": str(database),
        "OIDC_KIT_TOKEN": kit_token,
        "OIDC_KIT_CLIENTS": json.dumps(client_secrets),
        "DJANGO_SETTINGS_MODULE": "tests.interop.oidc_provider_site.settings",
        "PYTHONPATH": str(REPO_ROOT),
    }
    log = database.with_suffix(".log")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.interop.oidc_provider_site.serve"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT_SECONDS)
    line = process.stdout.readline() if ready else b""
    if not line:
        process.kill()
        raise RuntimeError(f"The test OpenID provider did not start; its log:\n{log.read_text()}")
    port = json.loads(line)["port"]
    return OidcProvider(
        base_url=f"http://127.0.0.1:{port}",
        kit_token=kit_token,
        client_secrets=client_secrets,
        process=process,
    )


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The test provider, with `teacher` (the demo teacher's e-mail) and `stranger` (rostered nowhere)."""
    provider = start_provider(tmp_path_factory.mktemp("oidc-provider") / "provider.sqlite3")
    try:
        provider.add_user("teacher", email=DEMO_TEACHER_EMAIL, first_name="Taylor", last_name="Teacher")
        provider.add_user(
            "stranger", email="stranger@elsewhere.invalid", first_name="Sam", last_name="Stranger"
        )
        yield provider
    finally:
        provider.process.terminate()
        provider.process.wait(timeout=10)


def sign_in_at_provider(authorize_url: str, username: str, password: str = PROVIDER_PASSWORD) -> str:
    """Play the person at the provider: open the authorization address Waypoint redirected to, sign in on
    the provider's page, and return the address (Waypoint's callback, with `code` and `state`) the provider
    sends the browser back to, without following it."""
    browser = requests.Session()
    provider_host = urlsplit(authorize_url).netloc
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'name="password"' in response.text:
            response = browser.post(
                response.url,
                data={
                    "username": username,
                    "password": password,
                    "next": parse_qs(urlsplit(url).query).get("next", [""])[0],
                    "csrfmiddlewaretoken": browser.cookies["provider_csrftoken"],
                },
                headers={"Referer": response.url},
                allow_redirects=False,
                timeout=10,
            )
        if response.status_code not in (301, 302, 303):
            raise AssertionError(
                f"The provider answered {response.status_code} at {url}: {response.text[:500]}"
            )
        location = urljoin(url, response.headers["Location"])
        if urlsplit(location).netloc != provider_host:
            return location
        url = location
    raise AssertionError("The provider never sent the browser back to Waypoint.")


def sign_in_at_provider_page(page: Page, username: str, password: str = PROVIDER_PASSWORD) -> None:
    """In a browser already on the provider's sign-in page: sign in there (the provider then sends the
    browser back to Waypoint)."""
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(password)
    page.get_by_role("button", name="Continue to the district").click()
