"""Real concurrent PostgreSQL transactions for the concurrency tests.

The session's test database holds the demo, and every other test runs in a transaction rolled back at its
end; a race needs transactions that commit, on connections of their own. So a race runs in a scratch copy of
the session's database (`CREATE DATABASE … TEMPLATE`, a file copy, about a second), on threads: Django gives
each thread its own connection, opened to the scratch copy while the fixture points the `default` alias at
it. The copy is dropped afterwards; nothing a race commits reaches the session's database.

On SQLite these tests skip: writing transactions there begin one at a time (settings: BEGIN IMMEDIATE), so
the races they look for cannot happen, and two threads on the in-memory test database share one cache."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
import pytest
from django.db import connection, connections
from psycopg import sql
from pytest_django import DjangoDbBlocker

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """What one thread's work gave: its value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


@dataclass(frozen=True)
class ScratchDatabase:
    name: str

    def run(self, *work: Callable[[], Any], timeout: float = 120) -> list[Outcome]:
        """Run each callable on its own thread and connection, released together by a barrier so their
        transactions overlap, and return their outcomes in order."""
        barrier = threading.Barrier(len(work))
        outcomes: list[Outcome] = [Outcome()] * len(work)

        def body(index: int, job: Callable[[], Any]) -> None:
            try:
                barrier.wait(timeout=timeout)
                outcomes[index] = Outcome(value=job())
            except BaseException as error:
                outcomes[index] = Outcome(error=error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=body, args=(i, job)) for i, job in enumerate(work)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
            assert not thread.is_alive(), "a racing transaction did not finish: a deadlock?"
        return outcomes

    def one(self, job: Callable[[], T]) -> T:
        """Run one piece of work (setting up, checking) on a connection to the scratch database."""
        (outcome,) = self.run(job)
        if outcome.error is not None:
            raise outcome.error
        return outcome.value  # type: ignore[no-any-return]


def _admin(settings: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname="postgres",
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        autocommit=True,
    )


def _create(settings: dict[str, Any], name: str, template: str) -> None:
    with _admin(settings) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        )


def _drop(settings: dict[str, Any], name: str) -> None:
    with _admin(settings) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def _race_template(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """A copy of the session's test database as the demo left it, taken once. Session-scoped, so it is
    taken before any test's transaction opens: a template may have no other session, and this process's own
    connection is closed for the copy (Django opens it again on first use)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs two real PostgreSQL connections (DATABASE_URL=postgres://…); SQLite begins writing "
            "transactions one at a time, so these races cannot happen there"
        )
    settings = connections.settings["default"]
    name = f"{settings['NAME']}_race_{os.getpid()}"[:63]
    with django_db_blocker.unblock():
        connection.close()
        _create(settings, name, settings["NAME"])
    yield name
    _drop(settings, name)


@pytest.fixture(name="scratch_postgres")
def scratch_postgres_fixture(
    _race_template: str, django_db_blocker: DjangoDbBlocker
) -> Iterator[ScratchDatabase]:
    """A scratch copy of the session's PostgreSQL test database (demo included) for one test, reached by
    `run` and `one`. The test is marked `django_db` so that pytest-django sets the test database up; its own
    connection is not used."""
    original = connections.settings["default"]
    name = f"{_race_template}_t"[:63]
    _create(original, name, _race_template)
    # Connections opened from now on by other threads go to the copy; this thread's keeps its settings.
    connections.settings["default"] = {**original, "NAME": name}
    try:
        with django_db_blocker.unblock():
            yield ScratchDatabase(name)
    finally:
        connections.settings["default"] = original
        _drop(original, name)
