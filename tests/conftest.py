"""Fixtures shared by every test folder: the demo state built once per session, real sample data, the
browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.db.models import Max, Model, QuerySet
from django.test import TransactionTestCase
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker

from waypoint.core.demo import FIXED_ACCOUNTS, DemoSummary
from waypoint.core.models import Organization, Student, User
from waypoint.site.demo import load_demo

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CHROMIUM = Path("/usr/bin/chromium")
# Big enough for every role to have real rosters, small enough to load in a few seconds.
DEMO_SCALE = 0.1
M = TypeVar("M", bound=Model)

# Property tests check results, not speed (benchmarks live in bench/): on a loaded two-core machine
# Hypothesis's default 200 ms deadline fails runs whose every answer was right.
hypothesis_settings.register_profile("waypoint", deadline=None)
hypothesis_settings.load_profile("waypoint")


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """pyproject's addopts ask pytest-xdist for workers (`-n`, `--dist`). With xdist turned off
    (`-p no:xdist`) those options would be unknown and pytest would refuse to start; accept them and run in
    one process instead."""
    if not pluginmanager.has_plugin("xdist"):
        group = parser.getgroup("xdist")
        # `_addoption` is how plugins (xdist among them) register a lowercase short option.
        group._addoption("-n", "--numprocesses", help="ignored: pytest-xdist is turned off")
        group.addoption("--dist", help="ignored: pytest-xdist is turned off")


# Fixtures through which a test reaches the database.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "demo", "live_server", "demo_site"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `engine_free` what no database engine can change: a test that never reaches the database, and
    the translation checks (tests/i18n), which read templates and the catalog. CI runs them once, on
    SQLite."""
    for item in items:
        test_case = getattr(item, "cls", None)
        reaches_database = (
            item.get_closest_marker("django_db") is not None
            or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
            or (isinstance(test_case, type) and issubclass(test_case, TransactionTestCase))
        )
        if not reaches_database or "tests/i18n/" in item.nodeid:
            item.add_marker(pytest.mark.engine_free)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test database, with the demo state committed in it once per session (per xdist worker).

    Every test that uses the database runs in a transaction on top of it that is rolled back at its end, so
    each test starts from the same demo without rebuilding it (2–4 s each). Tests of the loader itself start
    from an empty database with `load_demo_into_empty_db`."""
    with django_db_blocker.unblock():
        load_demo(scale=DEMO_SCALE)


@pytest.fixture
def connection_kept_across_requests() -> Iterator[None]:
    """A request served by a real WSGI handler (not Django's test client) would let `request_started` and
    `request_finished` close the test's database connection, and its transaction, as a leftover of a failed
    request; Django's own test client holds these signals off the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _waypoint_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("waypoint.") and model._meta.managed
    ]


@pytest.fixture(scope="session")
def _demo_newest_ids(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> dict[type[Model], int]:
    """The newest primary key of each Waypoint table in the session's demo, read before any test writes.
    Primary keys only grow (PostgreSQL's sequences, SQLite's AUTOINCREMENT), so a row with a larger one was
    added on top of the demo."""
    with django_db_blocker.unblock():
        return {
            model: model._default_manager.aggregate(newest=Max("pk"))["newest"] or 0
            for model in _waypoint_models()
        }


@dataclass(frozen=True)
class Demo:
    """Handles on the session's demo state."""

    users: dict[str, User]  # the fixed demo accounts, by username
    student: Student  # Jordan Alvarez, the `student` account's record, grade 10 at Riverside High
    riverside: Organization
    hillcrest: Organization
    newest_ids: dict[type[Model], int]

    def added(self, model: type[M]) -> QuerySet[M]:
        """The rows of `model` that are not the demo's: what the test and its fixtures wrote. A test that
        once asked an empty table for "all its rows" asks this instead, and means the same."""
        return model._default_manager.filter(pk__gt=self.newest_ids[model])


@pytest.fixture
def demo(db: None, _demo_newest_ids: dict[type[Model], int]) -> Demo:
    """The demo's handles, read again for each test: a test may change these rows, and its rollback must not
    be undone by objects kept in memory from an earlier test."""
    districts = {org.slug: org for org in Organization.objects.filter(slug__in=["riverside", "hillcrest"])}
    return Demo(
        users={user.username: user for user in User.objects.filter(username__in=FIXED_ACCOUNTS)},
        student=Student.objects.get(user__username="student"),
        riverside=districts["riverside"],
        hillcrest=districts["hillcrest"],
        newest_ids=_demo_newest_ids,
    )


@pytest.fixture
def load_demo_into_empty_db(db: None) -> Callable[..., DemoSummary]:
    """The demo loader, over a database emptied of every Waypoint row, for the tests that load the demo
    themselves (full scale, with Common Core, twice to compare, or refused). The emptying happens inside the
    test's transaction, so its rollback brings the session's demo back for the next test. (PostgreSQL
    empties with TRUNCATE, which the audit table's append-only trigger, a row trigger, does not see.)"""
    tables = [model._meta.db_table for model in _waypoint_models()]
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(statement)
    return load_demo


def _missing(requirement_variable: str, reason: str) -> None:
    """Skip with a reason on a developer's machine; fail in CI, which sets the requirement variable."""
    if os.environ.get(requirement_variable) == "1":
        pytest.fail(f"{reason} ({requirement_variable}=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout: real CASE, OneRoster and knowledge-tracing samples."""
    if not SHARED_DATA.is_dir():
        _missing("WAYPOINT_REQUIRE_SHARED_DATA", f"the real sample data is not at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _missing("WAYPOINT_REQUIRE_BROWSER", f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A request served in Spanish leaves Spanish active in the thread (Django's LocaleMiddleware activates
    a language and nothing deactivates it), so a later test that renders outside a request would read
    Spanish; every test starts and ends in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()
