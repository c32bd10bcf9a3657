"""The page shell: the language of the page, the skip link, the main menu behind a menu button on a phone,
task menus, the account menu with the account's links and Sign out, and scripts only from static files."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.conftest import Demo


class _Ids(HTMLParser):
    """Every id in the page, every aria-controls, and the text inside the element with a given id."""

    def __init__(self, inside: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.controls: list[str] = []
        self.inside = inside
        self._depth = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if found.get("aria-controls"):
            self.controls.append(str(found["aria-controls"]))
        if self._depth or found.get("id") == self.inside:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and data.strip():
            self.text.append(data.strip())


def _page(client: Client, demo: Demo, username: str, inside: str = "site-nav") -> tuple[str, _Ids]:
    client.force_login(demo.users[username])
    body = client.get("/").content.decode()
    parsed = _Ids(inside)
    parsed.feed(body)
    return body, parsed


def test_the_page_names_its_language(demo: Demo, client: Client) -> None:
    body, _ = _page(client, demo, "teacher")
    assert '<html lang="en">' in body
    user = demo.users["guardian"]
    user.language = "es"
    user.save(update_fields=["language"])
    client.force_login(user)
    assert '<html lang="es">' in client.get("/").content.decode()


def test_the_skip_link_leads_to_main(demo: Demo, client: Client) -> None:
    body, parsed = _page(client, demo, "teacher")
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in body
    assert "main" in parsed.ids


@pytest.mark.parametrize("username", ["student", "teacher", "district-admin"])
def test_every_menu_button_controls_an_element_of_the_page(demo: Demo, client: Client, username: str) -> None:
    body, parsed = _page(client, demo, username)
    assert parsed.controls, "the shell has disclosures"
    assert set(parsed.controls) <= parsed.ids
    # Collapsed by default: the stylesheet hides a panel while its button says so.
    assert body.count('aria-expanded="true"') == 0
    menu_button = '<button type="button" class="menu-button" aria-expanded="false" aria-controls="site-nav"'
    assert menu_button in body


def test_staff_see_task_menus_with_headings(demo: Demo, client: Client) -> None:
    body, parsed = _page(client, demo, "teacher")
    for key, heading in [("teaching", "Teaching"), ("students", "Students"), ("district", "District")]:
        assert f'aria-controls="nav-group-{key}"' in body
        assert f'<ul class="nav-group-list" id="nav-group-{key}" aria-label="{heading}">' in body
    assert "Evidence inbox" in parsed.text


def test_a_student_sees_a_flat_menu_without_api_tokens(demo: Demo, client: Client) -> None:
    body, parsed = _page(client, demo, "student")
    assert "nav-group-button" not in body
    assert "My progress" in parsed.text
    assert "API tokens" not in parsed.text
    assert "Language" not in parsed.text


@pytest.mark.parametrize("username", ["student", "guardian", "teacher"])
def test_the_account_menu_holds_tokens_language_and_sign_out(
    demo: Demo, client: Client, username: str
) -> None:
    body, parsed = _page(client, demo, username, inside="account-panel")
    assert 'aria-controls="account-panel"' in body
    assert "API tokens" in parsed.text
    assert "Language" in parsed.text
    assert "Sign out" in parsed.text
    assert demo.users[username].display_name in parsed.text


def test_scripts_and_styles_come_from_static_files_only(demo: Demo, client: Client) -> None:
    body, _ = _page(client, demo, "teacher")
    assert '<script src="/static/waypoint/shell.js" defer></script>' in body
    # Without scripts the menus show open, from a stylesheet loaded only then.
    assert '<noscript><link rel="stylesheet" href="/static/waypoint/no-script.css"></noscript>' in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in body


def test_signed_out_pages_have_no_menus(db: None, client: Client) -> None:
    body = client.get("/login/").content.decode()
    assert 'id="site-nav"' not in body
    assert 'id="account-panel"' not in body
    assert 'class="skip-link"' in body
