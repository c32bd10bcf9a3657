"""Error pages with DEBUG off, as `make demo` and production serve: every 403, 404 and 500 is Waypoint's own
styled page with a way back, never Django's debug page, and keeps the Content-Security-Policy header."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from tests.conftest import Demo

pytestmark = pytest.mark.urls("tests.site.error_urls")


def _assert_styled(body: str) -> None:
    """Waypoint's page shell, and nothing of Django's technical pages."""
    assert '<link rel="stylesheet" href="/static/waypoint/app.css">' in body
    assert 'class="site-header"' in body
    for debug_marker in ("URLconf", "Traceback", "DEBUG = True", "technical", "Request Method"):
        assert debug_marker not in body


def _assert_csp(response: object) -> None:
    assert response["Content-Security-Policy"] == settings.WAYPOINT_CONTENT_SECURITY_POLICY  # type: ignore[index]


def test_the_tests_serve_with_debug_off() -> None:
    assert settings.DEBUG is False


def test_a_missing_page_signed_out_is_the_styled_404_and_offers_sign_in(db: None, client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    _assert_styled(body)
    _assert_csp(response)
    assert "Page not found" in body
    assert 'href="/login/"' in body
    assert 'id="site-nav"' not in body  # no menu for someone signed out


def test_a_missing_page_signed_in_is_the_styled_404_in_the_shell_with_the_way_home(
    demo: Demo, client: Client
) -> None:
    client.force_login(demo.users["teacher"])
    response = client.get("/students/999999999/")
    assert response.status_code == 404
    body = response.content.decode()
    _assert_styled(body)
    _assert_csp(response)
    assert 'id="site-nav"' in body
    assert '<a class="button" href="/">Go to your home page</a>' in body


def test_a_refusal_is_the_styled_403_with_its_reason(demo: Demo, client: Client) -> None:
    client.force_login(demo.users["teacher"])
    response = client.get("/test-errors/refused/")
    assert response.status_code == 403
    body = response.content.decode()
    _assert_styled(body)
    _assert_csp(response)
    assert "Only the student&#x27;s teachers may score this evidence." in body
    assert "You can’t open this page" in body
    assert 'href="/"' in body


def test_a_conflict_says_it_could_not_be_done_on_the_same_page(demo: Demo, client: Client) -> None:
    client.force_login(demo.users["teacher"])
    response = client.get("/test-errors/conflict/")
    assert response.status_code == 409
    body = response.content.decode()
    _assert_styled(body)
    assert "This could not be done" in body
    assert "scored while you were looking at it" in body


def test_djangos_permission_denied_is_the_styled_403(db: None, client: Client) -> None:
    response = client.get("/test-errors/permission-denied/")
    assert response.status_code == 403
    body = response.content.decode()
    _assert_styled(body)
    _assert_csp(response)
    assert "Your account does not have permission for this page." in body
    assert 'href="/login/"' in body


def test_an_expired_form_is_the_styled_csrf_page(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "teacher", "password": "waypoint-demo"})
    assert response.status_code == 403
    body = response.content.decode()
    _assert_styled(body)
    _assert_csp(response)
    assert "This form has expired" in body
    assert 'href="/"' in body


def test_a_bug_is_the_styled_500_with_the_way_home(demo: Demo) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(demo.users["teacher"])
    response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    _assert_styled(body)
    _assert_csp(response)
    assert "Something went wrong" in body
    assert '<a class="button" href="/">' in body
    assert "a bug in a page" not in body


def test_the_500_page_renders_without_the_database_or_a_request() -> None:
    """No `db` fixture: any query here fails the test. Django renders it with no request and no context
    processors, as when the database itself is what failed."""
    body = render_to_string("500.html")
    assert '<html lang="en">' in body
    assert "Something went wrong" in body


def test_error_pages_carry_the_language_of_the_request(db: None, client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert '<html lang="es">' in response.content.decode()


def test_static_files_are_served_with_debug_off(db: None, client: Client) -> None:
    """`make demo` serves with DEBUG off, where `runserver` stops serving static files: WhiteNoise does."""
    response = client.get("/static/waypoint/app.css")
    assert response.status_code == 200
    assert b".site-header" in b"".join(response.streaming_content)  # type: ignore[attr-defined]
