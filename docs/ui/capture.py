"""Photograph the components of docs/ui.md in real Chromium: `.venv/bin/python docs/ui/capture.py`.

It renders docs/ui/gallery.html (a Django template extending the real base.html, using the real partials), the
404 page and the page shell with sample navigation, through Django's template engine with no database, writes
them beside a copy of the static files under var/ui-gallery/, opens them in headless Chromium through
Playwright, and saves one PNG per component and shell state into docs/ui/. Not a test: run it after changing
app.css or a component, and commit the pictures."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "var" / "ui-gallery"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1024, "height": 800}
PHONE = {"width": 390, "height": 844}


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    import django

    django.setup()


def _sample_form() -> object:
    """A bound form with an error: labels, help, an optional field, a choice, a checkbox, the summary."""
    from django import forms

    class GoalForm(forms.Form):
        statement = forms.CharField(
            label="Goal", help_text="One sentence, in your own words.", max_length=200
        )
        target = forms.DateField(
            label="Reach it by", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        area = forms.ChoiceField(
            label="Area", choices=[("academic", "Academic"), ("career", "Career"), ("personal", "Personal")]
        )
        shared = forms.BooleanField(label="Share with my advisor", required=False)

    form = GoalForm(data={"statement": "", "area": "career", "shared": "on"})
    form.is_valid()
    return form


def _shell_context(path: str) -> dict[str, object]:
    """A teacher's navigation, as the context processor would give it, without asking the database."""
    from waypoint.core.navigation import ACCOUNT, DISTRICT, STUDENTS, TEACHING, NavLink
    from waypoint.site.navigation import arrange

    links = [
        NavLink("Home", "/", 10),
        NavLink("Students", "/students/", 22, STUDENTS),
        NavLink("Caseload", "/caseload/", 40, STUDENTS),
        NavLink("Paths", "/paths/", 51, STUDENTS),
        NavLink("Approvals", "/paths/approvals/", 52, STUDENTS),
        NavLink("Opportunities", "/opportunities/", 53, DISTRICT),
        NavLink("Evidence inbox", "/evidence/inbox/", 70, TEACHING),
        NavLink("Gradebooks", "/gradebooks/", 71, TEACHING),
        NavLink("Assessments", "/assessments/", 72, TEACHING),
        NavLink("Sections", "/sections/", 74, TEACHING),
        NavLink("Frameworks", "/frameworks/", 80, DISTRICT),
        NavLink("Notifications", "/notifications/", 91, ACCOUNT),
        NavLink("API tokens", "/account/tokens/", 95, ACCOUNT),
        NavLink("Language", "/account/language/", 96, ACCOUNT),
    ]
    user = SimpleNamespace(is_authenticated=True, display_name="Dana Whitfield")
    return {"user": user, "nav": arrange(links, path)}


def _render() -> None:
    from django.template import engines

    engine = engines["django"]
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(ROOT / "src" / "waypoint" / "static", OUT / "static")
    shutil.copy(HERE / "gallery.css", OUT / "gallery.css")
    pages = {
        "index.html": engine.from_string((HERE / "gallery.html").read_text()),
        "404.html": engine.get_template("404.html"),
    }
    for name, template in pages.items():
        context = {**_shell_context("/gradebooks/"), "form": _sample_form(), "csrf_token": "gallery"}
        html = template.render(context)
        (OUT / name).write_text(html.replace('"/static/', '"static/'))


def _photograph() -> None:
    from playwright.sync_api import Page, sync_playwright

    def shoot(page: Page, selector: str, name: str) -> None:
        page.locator(selector).first.screenshot(path=str(HERE / f"{name}.png"))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        desktop = browser.new_page(viewport=DESKTOP)
        desktop.goto((OUT / "index.html").as_uri())
        for item in desktop.locator("[data-component]").all():
            name = item.get_attribute("data-component")
            item.screenshot(path=str(HERE / f"{name}.png"))
        desktop.get_by_role("button", name="Teaching").click()
        desktop.screenshot(
            path=str(HERE / "shell-desktop.png"), clip={"x": 0, "y": 0, "width": 1024, "height": 280}
        )
        desktop.get_by_role("button", name="Teaching").click()
        desktop.locator(".account-button").click()
        desktop.screenshot(
            path=str(HERE / "shell-account.png"), clip={"x": 574, "y": 0, "width": 450, "height": 330}
        )

        phone = browser.new_page(viewport=PHONE, is_mobile=True)
        phone.goto((OUT / "index.html").as_uri())
        shoot(phone, ".site-header", "shell-phone")
        phone.get_by_role("button", name="Menu").click()
        shoot(phone, ".site-header", "shell-phone-menu")
        phone.goto((OUT / "404.html").as_uri())
        phone.screenshot(path=str(HERE / "error-404.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    _django()
    _render()
    _photograph()
    sys.stdout.write(f"Screenshots written to {HERE.relative_to(ROOT)}\n")
