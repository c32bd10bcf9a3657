"""A database that is down or restarting answers 503 with Retry-After, never a 500, and the next request after
it is back succeeds in the same process.

The outage is real: Waypoint's middleware is given a PostgreSQL connection to a port of 127.0.0.1 that nobody
listens on, so the driver's own "connection refused" is what it sees (no server is needed, so this runs on
SQLite too). The restart of a real server under load is bench/failures.py's."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import psycopg
import pytest
from django.db import DatabaseError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from django.test import Client, RequestFactory

from waypoint.core import middleware
from waypoint.core.middleware import RETRY_AFTER_SECONDS, database_unavailable, server_error
from waypoint.site.api import server_error as api_server_error


def closed_port() -> int:
    """A port of 127.0.0.1 that was free a moment ago and that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable() -> Iterator[BaseDatabaseWrapper]:
    """A PostgreSQL connection to a closed port, configured as Django configures any connection."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "waypoint",
                "USER": "waypoint",
                "HOST": "127.0.0.1",
                "PORT": str(closed_port()),
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    yield handler["default"]
    handler.close_all()


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch, unreachable: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """The web process's connection is the unreachable one until the test puts the database back."""
    monkeypatch.setattr(middleware, "connection", unreachable)
    return unreachable


def test_a_page_answers_503_in_words_with_retry_after(
    db: None, client: Client, database_down: BaseDatabaseWrapper
) -> None:
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "X-Request-ID" in response
    page = response.content.decode()
    assert "cannot reach its database" in page
    assert "Traceback" not in page


def test_the_api_answers_problem_json(db: None, client: Client, database_down: BaseDatabaseWrapper) -> None:
    response = client.get("/api/v1/students", HTTP_AUTHORIZATION="Bearer not-checked-while-down")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = json.loads(response.content)
    assert body["status"] == 503
    assert "cannot reach its database" in json.dumps(body)


def test_healthz_is_the_process_alone(db: None, client: Client, database_down: BaseDatabaseWrapper) -> None:
    assert client.get("/healthz").status_code == 200


def test_the_next_request_after_the_database_is_back_succeeds(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch, database_down: BaseDatabaseWrapper
) -> None:
    assert client.get("/login/").status_code == 503
    monkeypatch.undo()
    assert client.get("/login/").status_code == 200


def test_a_database_lost_mid_request_is_a_503_not_a_500(db: None, unreachable: BaseDatabaseWrapper) -> None:
    request = RequestFactory().get("/api/v1/students")
    try:
        unreachable.ensure_connection()
    except DatabaseError:
        # Django calls handler500 while it handles the exception, as here.
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_the_apis_own_error_handler_answers_a_lost_database_with_503(
    db: None, unreachable: BaseDatabaseWrapper
) -> None:
    """django-ninja's catch-all handler sees an exception raised inside an API view before Django's handler500
    does: a database lost there is the same 503."""
    request = RequestFactory().get("/api/v1/students")
    with pytest.raises(DatabaseError) as lost:
        unreachable.ensure_connection()
    response = api_server_error(request, lost.value)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_any_other_fault_is_still_a_500(db: None) -> None:
    request = RequestFactory().get("/")
    try:
        raise ZeroDivisionError
    except ZeroDivisionError:
        response = server_error(request)
    assert response.status_code == 500


def _wrapped(driver_error: Exception) -> OperationalError:
    # As Django's wrap_database_errors raises the driver's error: its own class, the driver's as the cause.
    error = OperationalError(str(driver_error))
    error.__cause__ = driver_error
    return error


@pytest.mark.parametrize(
    ("driver_error", "unavailable"),
    [
        (psycopg.OperationalError("connection refused"), True),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (psycopg.errors.CannotConnectNow("the database system is starting up"), True),
        (psycopg.errors.ConnectionFailure("connection failure"), True),
        # Faults of a working database: answered as what they are, not as an outage.
        (psycopg.errors.DeadlockDetected("deadlock detected"), False),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (psycopg.errors.DatabaseDropped("the database was dropped"), False),
    ],
)
def test_only_a_missing_database_counts_as_unavailable(driver_error: Exception, unavailable: bool) -> None:
    assert database_unavailable(_wrapped(driver_error)) is unavailable
