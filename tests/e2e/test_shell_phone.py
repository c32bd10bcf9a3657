"""The page shell in a real browser: on a 390 px phone the menu folds behind a button, the header stays short,
the account menu holds the account's links, and no page of any menu scrolls sideways; on a desktop the task
menus drop down and close again; without scripts every menu shows open."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import screenshot, sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PHONE_WIDTH = 390
# Brand, Menu button and account button on one line.
PHONE_HEADER_MAX_HEIGHT = 64


def _assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways on a phone ({width}px)"


def _shell_links(page: Page) -> list[str]:
    hrefs = page.locator(".site-header a[href^='/']").evaluate_all("links => links.map(a => a.href)")
    return list(dict.fromkeys(hrefs))


def _csp_violations(page: Page) -> list[str]:
    found: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    return found


def test_on_a_phone_the_menu_folds_behind_a_button(phone: Page, demo_site: str) -> None:
    violations = _csp_violations(phone)
    sign_in(phone, demo_site, "teacher")
    header = phone.locator(".site-header")
    box = header.bounding_box()
    assert box is not None
    assert box["height"] <= PHONE_HEADER_MAX_HEIGHT, box
    menu = phone.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(phone.locator("#site-nav")).to_be_hidden()
    screenshot(phone, "shell-phone-closed")

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav = phone.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    expect(nav.locator(".nav-group-heading", has_text="Teaching")).to_be_visible()
    expect(nav.get_by_role("link", name="Evidence inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="API tokens")).to_have_count(0)
    screenshot(phone, "shell-phone-menu-open")

    phone.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(phone.locator("#site-nav")).to_be_hidden()
    assert violations == []


def test_on_a_phone_the_account_menu_holds_tokens_language_and_sign_out(phone: Page, demo_site: str) -> None:
    sign_in(phone, demo_site, "student")
    account = phone.locator(".account-button")
    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    panel = phone.locator("#account-panel")
    for name in ["Who viewed my record", "API tokens", "Language"]:
        expect(panel.get_by_role("link", name=name)).to_be_visible()
    expect(panel.get_by_role("button", name="Sign out")).to_be_visible()
    _assert_no_sideways_scroll(phone)
    screenshot(phone, "shell-phone-account")
    # A click elsewhere closes it.
    phone.locator("main").click(position={"x": 5, "y": 5})
    expect(account).to_have_attribute("aria-expanded", "false")
    # The student's main menu is their learning, without the account's links.
    phone.get_by_role("button", name="Menu").click()
    nav = phone.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My progress")).to_be_visible()
    expect(nav.get_by_role("link", name="API tokens")).to_have_count(0)
    sign_out(phone)
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("username", ["student", "guardian", "teacher", "district-admin"])
def test_no_page_of_the_menus_scrolls_sideways_on_a_phone(phone: Page, demo_site: str, username: str) -> None:
    sign_in(phone, demo_site, username)
    for url in _shell_links(phone):
        phone.goto(url)
        _assert_no_sideways_scroll(phone)
    phone.goto(f"{demo_site}/no-such-page/")
    _assert_no_sideways_scroll(phone)


def test_the_tokens_page_with_a_new_token_fits_a_phone(phone: Page, demo_site: str) -> None:
    sign_in(phone, demo_site, "teacher")
    phone.goto(f"{demo_site}/account/tokens/")
    phone.get_by_label("Token name").fill("Gradebook sync from the district's student information system")
    phone.get_by_role("button", name="Create token").click()
    expect(phone.get_by_role("heading", name="Your new token")).to_be_visible()
    _assert_no_sideways_scroll(phone)
    screenshot(phone, "tokens-phone")


def test_on_a_desktop_task_menus_drop_down_and_close(page: Page, demo_site: str) -> None:
    violations = _csp_violations(page)
    sign_in(page, demo_site, "district-admin")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    teaching = page.get_by_role("button", name="Teaching")
    students = page.get_by_role("button", name="Students")
    gradebooks = page.get_by_role("link", name="Gradebooks")
    expect(gradebooks).to_be_hidden()
    teaching.click()
    expect(teaching).to_have_attribute("aria-expanded", "true")
    expect(gradebooks).to_be_visible()
    screenshot(page, "shell-desktop-teaching-open")
    # Opening another closes the first.
    students.click()
    expect(teaching).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Approvals")).to_be_visible()
    # A click outside closes it; Escape closes and returns focus.
    page.locator("main h1").click()
    expect(students).to_have_attribute("aria-expanded", "false")
    teaching.click()
    page.keyboard.press("Escape")
    expect(teaching).to_have_attribute("aria-expanded", "false")
    expect(teaching).to_be_focused()
    # The page's own section is marked on its task menu.
    teaching.click()
    gradebooks.click()
    expect(page.locator(".nav-group-current > .nav-group-button")).to_have_text("Teaching")
    assert violations == []


def test_without_scripts_every_menu_shows_open(browser: Browser, demo_site: str) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, demo_site, "teacher")
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Evidence inbox")).to_be_visible()
        expect(page.locator("#account-panel").get_by_role("link", name="API tokens")).to_be_visible()
        _assert_no_sideways_scroll(page)
    finally:
        context.close()
