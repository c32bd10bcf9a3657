"""Browser journeys: real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

The live server serves the session's demo (tests/conftest.py) inside each journey's own test transaction: its
request threads use the test's database connection, as Django's live server already does for an in-memory
SQLite database, on PostgreSQL too. What a journey writes, through the browser or the ORM, rolls back at its
end like any other test's writes, so journeys never see each other's work and nothing flushes the demo away
from the tests that run after them on the same worker."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponseBase
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, sync_playwright

# CI keeps this folder as its output: a full-page picture of each step of the journeys.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API runs an event loop in the test thread; the ORM calls made from that thread are
    still synchronous, so Django's async-safety guard would refuse them. Only browser tests lift it."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _OneRequestAtATime(StaticFilesHandler):
    """The live server's handler (static files, then the site), serving one request at a time: requests share
    the test's connection, and two at once would tangle its transaction state (its open savepoints). The
    server still accepts sockets in parallel, so a connection that Chromium opens ahead of time and leaves
    idle blocks nothing."""

    def __init__(self, application: WSGIHandler) -> None:
        super().__init__(application)
        self._turn = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> HttpResponseBase:
        with self._turn:
            return super().__call__(environ, start_response)


class _SharedConnectionServer(ThreadedWSGIServer):
    def _close_connections(self) -> None:
        """Django closes a request thread's connections after each request; here that is the test's own
        connection, in the middle of its transaction, so it stays open."""


class _SharedConnectionServerThread(LiveServerThread):
    server_class = _SharedConnectionServer


@pytest.fixture(scope="session")
def live_site(django_db_setup: None) -> Iterator[str]:
    """One live server per session (per xdist worker), serving on the test thread's database connection."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.inc_thread_sharing()
    server = _SharedConnectionServerThread(
        "localhost", _OneRequestAtATime, connections_override={DEFAULT_DB_ALIAS: connection}
    )
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://{server.host}:{server.port}"
    server.terminate()
    connection.dec_thread_sharing()


@pytest.fixture
def browser(chromium_path: Path, _orm_beside_playwright: None) -> Iterator[Browser]:
    """A fresh Chromium per test: its event loop must not outlive the test that lifted the async guard."""
    connection = connections[DEFAULT_DB_ALIAS]
    with sync_playwright() as playwright:
        # While Playwright's event loop runs, asgiref would hand the test's ORM calls a connection of their
        # own, outside the test's transaction and blind to what the browser wrote in it: keep the test's.
        connections[DEFAULT_DB_ALIAS] = connection
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_site(db: None, live_site: str, connection_kept_across_requests: None) -> str:
    """The live server's address. It serves the session's demo; this test's writes roll back at its end."""
    return live_site


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("waypoint-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def screenshot(page: Page, name: str) -> None:
    """A full-page picture for a person to look at, under var/screenshots, when WAYPOINT_SCREENSHOTS=1: each
    costs most of a second, and in CI nobody looks at them."""
    if os.environ.get("WAYPOINT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


_AXE = Axe()
# axe reports only the violations: the passes and incomplete checks it would also list, node by node, took
# as long again as the rules themselves (measured: 29 s against 17 s over six pages).
_AXE_OPTIONS = {"resultTypes": ["violations"]}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands."""
    violations: list[dict[str, Any]] = _AXE.run(page, options=_AXE_OPTIONS).response["violations"]
    return violations


def follow_nav(page: Page, name: str) -> None:
    """Follow a link of the page shell by its name, opening what holds it first, as a person would: the Menu
    button on a phone, then the task menu ("Teaching", "Students"...) or the account menu around the link."""
    link = page.locator(".site-header").get_by_role("link", name=name, exact=True, include_hidden=True)
    # The disclosures whose panel holds the link, outermost first (a button comes before what it controls).
    holders = link.evaluate(
        """a => Array.from(document.querySelectorAll("[data-disclosure]"))
            .map(b => b.getAttribute("aria-controls"))
            .filter(id => document.getElementById(id).contains(a))"""
    )
    for panel in holders:
        button = page.locator(f'[data-disclosure][aria-controls="{panel}"]')
        if button.is_visible() and button.get_attribute("aria-expanded") == "false":
            button.click()
    link.click()


def sign_out(page: Page) -> None:
    """Sign out from the account menu."""
    page.locator(".account-button").click()
    page.get_by_role("button", name="Sign out").click()
