"""Spanish everywhere a student or a guardian looks.

The two audiences sign in and read the site the way they would: from the home page and the pages named in
`AUDIENCE_PAGES`, following every link within the site, breadth first. Every template those pages rendered
is then checked twice: it may hold no English outside a translation tag (`template_text.untranslated_text`
says what counts), and every message its translation tags look up must have Spanish in the compiled
catalog. A failure names the template, the line and the text.

The catalog is checked on its own too: the committed `django.mo` must be what `msgfmt` makes of the
committed `django.po`, and the `.po` may hold no untranslated or fuzzy entry, which covers the Python
strings (messages, form labels, choices, navigation) that no template shows directly."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.template.base import Template
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

import waypoint
from tests.conftest import Demo
from tests.i18n.template_text import Message, messages_of, untranslated_text
from waypoint.core.models import User

PACKAGE_DIR = Path(waypoint.__file__).resolve().parent
SPANISH = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
AUDIENCES = ["student", "guardian"]
# The pages a student or guardian opens, by URL name; "student" takes the demo student's id (the guardian's
# child). The crawl starts here and follows links, so pages reached only through others (an evidence item,
# a path, an opportunity) are found too. A name that does not resolve yet is reported, not failed.
AUDIENCE_PAGES: list[tuple[str, str | None]] = [
    ("home", None),
    ("student-detail", "student"),
    ("student-disclosures", "student"),
    ("student-mastery", "student"),
    ("student-evidence", "student"),
    ("learner-profile", "student"),
    ("learner-profile-history", "student"),
    ("success-plan", "student"),
    ("recommendations", "student"),
    ("path-list", None),
    ("opportunity-list", None),
    ("account-language", None),
    ("notifications", None),
    ("notification-preferences", None),
    ("how-learning-is-measured", None),
    ("records-diploma", "student"),
    ("records-transcript", "student"),
    ("records-credentials", "student"),
    ("records-portfolio", "student"),
    ("records-exhibitions", None),
    ("records-transfers", None),
    ("records-verify", None),
    ("password_reset", None),
    ("password_reset_done", None),
]
# Links the crawl does not follow: signing out, the admin, the API, files and the language switch.
NOT_PAGES = ("/logout/", "/admin/", "/api/", "/static/", "/media/", "/i18n/")
# Enough pages of one route (say, three evidence items) to meet its template's branches, without reading
# every item in the record.
PAGES_PER_ROUTE = 3


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)
    not_yet_routed: list[str] = field(default_factory=list)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(page_url, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith(NOT_PAGES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _start_urls(demo: Demo) -> tuple[list[str], list[str]]:
    urls, missing = [], []
    for name, argument in AUDIENCE_PAGES:
        try:
            urls.append(reverse(name, args=[demo.student.pk] if argument == "student" else []))
        except NoReverseMatch:
            missing.append(name)
    return urls, missing


def crawl(client: Client, start: list[str]) -> Crawl:
    """Every page reachable from `start` by links, at most `PAGES_PER_ROUTE` per route, and the Waypoint
    templates they rendered (Django's own, such as form widgets, come translated)."""
    result = Crawl()
    queue, queued, per_route = deque(start), set(start), Counter[str]()
    while queue:
        url = queue.popleft()
        try:
            route = resolve(urlsplit(url).path).route
        except Resolver404:
            continue
        if per_route[route] >= PAGES_PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url)
        result.visited.append(url)
        for template in getattr(response, "templates", []):
            origin = Path(template.origin.name)
            if origin.is_relative_to(PACKAGE_DIR):
                result.templates[str(origin.relative_to(PACKAGE_DIR))] = template
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for link in _links(url, response.content.decode()):
                if link not in queued:
                    queued.add(link)
                    queue.append(link)
    return result


_crawls: dict[str, Crawl] = {}


@pytest.fixture
def audience_crawl(demo: Demo, request: pytest.FixtureRequest) -> Crawl:
    """The crawl of one audience, made once per session: templates are files, and the same pages give the
    same templates for the checks that share it."""
    audience: str = request.param
    if audience not in _crawls:
        start, missing = _start_urls(demo)
        client = Client()
        client.force_login(demo.users[audience])
        _crawls[audience] = crawl(client, start)
        _crawls[audience].not_yet_routed = missing
    found = _crawls[audience]
    if found.not_yet_routed:
        warnings.warn(
            f"{audience}: no page is routed yet for {', '.join(found.not_yet_routed)}; "
            "the crawl reaches them only through links",
            stacklevel=1,
        )
    return found


def spanish_catalog() -> dict[object, str]:
    """The compiled Spanish catalog, as `gettext` reads it: msgid (or (msgid, plural index)) to msgstr."""
    compiled = SPANISH / "django.mo"
    if not compiled.exists():
        pytest.fail(f"There is no compiled Spanish catalog at {compiled}: see docs/i18n.md.")
    with compiled.open("rb") as catalog_file:
        catalog: dict[object, str] = gettext.GNUTranslations(catalog_file)._catalog  # type: ignore[attr-defined]
    return catalog


@pytest.mark.parametrize("audience_crawl", AUDIENCES, indirect=True)
def test_the_crawl_reaches_the_pages_people_use(audience_crawl: Crawl) -> None:
    """A crawl that stopped at the home page would pass the checks below with nothing checked."""
    assert len(audience_crawl.visited) >= 10, audience_crawl.visited
    rendered = {template.name for template in audience_crawl.templates.values()}
    assert {"base.html", "core/student_detail.html", "people/language.html"} <= rendered, rendered


@pytest.mark.parametrize("audience_crawl", AUDIENCES, indirect=True)
def test_their_pages_hold_no_untranslated_text(audience_crawl: Crawl) -> None:
    problems = [
        str(item)
        for name, template in sorted(audience_crawl.templates.items())
        for item in untranslated_text(template.source, name)
    ]
    assert not problems, (
        f"{len(problems)} pieces of English outside {{% translate %}} / {{% blocktranslate %}} in "
        f"{len(audience_crawl.templates)} templates of {len(audience_crawl.visited)} pages:\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("audience_crawl", AUDIENCES, indirect=True)
def test_their_pages_have_spanish_for_every_message(audience_crawl: Crawl) -> None:
    catalog = spanish_catalog()
    missing = [
        f"{name}: {_described(message)}"
        for name, template in sorted(audience_crawl.templates.items())
        for message in dict.fromkeys(messages_of(template))
        if not catalog.get(message.catalog_key)
    ]
    assert not missing, (
        f"{len(missing)} messages have no Spanish in {SPANISH / 'django.mo'} "
        "(makemessages, translate, compilemessages: docs/i18n.md):\n" + "\n".join(missing)
    )


def _described(message: Message) -> str:
    described = repr(message.msgid)
    if message.plural:
        described += f" / plural {message.plural!r}"
    if message.context:
        described += f" (context {message.context!r})"
    return described


def _spanish(english: str) -> str:
    with translation.override("es"):
        spanish = translation.gettext(english)
    assert spanish != english, f"the catalog has no Spanish for {english!r}"
    return spanish


@pytest.mark.django_db
def test_the_browser_language_chooses_before_sign_in() -> None:
    response = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "es"
    page = response.content.decode()
    assert '<html lang="es"' in page
    assert _spanish("Sign in to Waypoint") in page


@pytest.mark.django_db
def test_english_is_the_default_for_a_browser_asking_for_neither() -> None:
    response = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "en"
    assert "Sign in to Waypoint" in response.content.decode()


@pytest.mark.parametrize(("saved", "browser"), [("es", "en"), ("en", "es")])
def test_a_saved_language_wins_over_the_browser_after_sign_in(demo: Demo, saved: str, browser: str) -> None:
    guardian = demo.users["guardian"]
    User.objects.filter(pk=guardian.pk).update(language=saved)
    client = Client()
    client.force_login(guardian)
    response = client.get(reverse("account-language"), HTTP_ACCEPT_LANGUAGE=browser)
    assert response["Content-Language"] == saved
    heading = "Choose your language" if saved == "en" else _spanish("Choose your language")
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_without_a_saved_language_the_browser_still_chooses(demo: Demo) -> None:
    student = demo.users["student"]
    User.objects.filter(pk=student.pk).update(language="")
    client = Client()
    client.force_login(student)
    response = client.get(reverse("account-language"), HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "es"


def _msgfmt() -> str:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed, so the catalog cannot be compiled to compare")
    return msgfmt


def test_the_compiled_catalog_is_not_stale(tmp_path: Path) -> None:
    """`django.mo` is committed beside `django.po`; one edited without compiling would show pages the old
    Spanish (or none)."""
    fresh = tmp_path / "django.mo"
    subprocess.run([_msgfmt(), "-o", str(fresh), str(SPANISH / "django.po")], check=True)
    with fresh.open("rb") as fresh_file:
        expected = gettext.GNUTranslations(fresh_file)._catalog  # type: ignore[attr-defined]
    assert spanish_catalog() == expected, "django.mo is stale: run `waypoint compilemessages` (docs/i18n.md)"


def test_every_catalog_entry_is_translated_and_checked() -> None:
    """No untranslated or fuzzy entry (msgfmt leaves fuzzy ones out of the `.mo`), and `msgfmt --check`
    passes: the placeholders of every python-format entry match its msgid's."""
    result = subprocess.run(
        [_msgfmt(), "--check", "--statistics", "-o", "/dev/null", str(SPANISH / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, (
        f"{result.stderr.strip()} in {SPANISH / 'django.po'}; list them with `msgattrib --untranslated`"
    )
    assert "fuzzy" not in result.stderr, (
        f"{result.stderr.strip()} in {SPANISH / 'django.po'}; list them with `msgattrib --only-fuzzy`"
    )
