"""/readyz: 200 when the database answers and every migration is applied, 503 with the reason when not
(never a 500), and nothing a probe should not cause: no session, no cookie, no audit row, no student table
read."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.conftest import Demo
from tests.core.test_request_id import settings_value
from tests.core.test_settings import PRODUCTION_ENV
from waypoint.core.models import AuditEvent
from waypoint.site import views

pytestmark = pytest.mark.django_db

READY_CHECKS = {"database": "ok", "migrations": "ok", "worker": "not configured"}


@pytest.fixture(autouse=True)
def _migrations_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from a process that has not yet seen the migrations applied."""
    monkeypatch.setattr(views, "_migrated_databases", set())


def _database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "cursor", refuse)


def test_ready_on_the_test_database(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": READY_CHECKS}
    assert "no-store" in response["Cache-Control"]


def test_a_database_that_does_not_answer_gives_503_with_the_reason(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _database_down(monkeypatch)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "unavailable", "migrations": "not checked", "worker": "not checked"},
    }
    # The page is public: the database's own words (hosts, ports, accounts) go to the log, not the answer.
    assert b"127.0.0.1" not in response.content
    assert "Connection refused" in caplog.text


def test_recovers_once_the_database_answers_again(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as outage:
        _database_down(outage)
        assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 200


def test_an_unapplied_migration_gives_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    later = Migration("0999_not_yet", "core")
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(later, False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 unapplied, from core.0999_not_yet"
    # Not ready is not remembered: the next probe looks again.
    assert views._migrated_databases == set()


def test_migrations_are_read_once_per_process(client: Client) -> None:
    with CaptureQueriesContext(connection) as first:
        assert client.get("/readyz").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/readyz").status_code == 200
    assert any("django_migrations" in query["sql"] for query in first.captured_queries)
    assert not any("django_migrations" in query["sql"] for query in second.captured_queries)


def test_reads_no_table_but_the_migrations_record_and_the_worker_heartbeat(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/readyz")
    tables = {
        name for query in queries.captured_queries for name in re.findall(r'FROM "(\w+)"', query["sql"])
    }
    assert tables <= {"django_migrations", "operations_workerheartbeat"}


@pytest.mark.parametrize("signed_in", [False, True])
def test_no_session_cookie_and_no_audit_row(demo: Demo, client: Client, signed_in: bool) -> None:
    if signed_in:
        client.force_login(demo.users["teacher"])
    before = AuditEvent.objects.count()
    for _ in range(2):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert not response.cookies
    assert AuditEvent.objects.count() == before


def test_a_session_waiting_for_its_second_factor_is_not_redirected(
    demo: Demo, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The load balancer's probe must reach the check whoever's cookie it carries.
    monkeypatch.setattr("waypoint.interop.middleware.second_factor_pending", lambda request: True)
    client.force_login(demo.users["teacher"])
    assert client.get("/readyz").status_code == 200
    assert client.get("/students/").status_code == 302


def test_production_answers_the_probes_over_plain_http(client: Client, demo: Demo, tmp_path: Path) -> None:
    # A load balancer probes each node over HTTP; every other address is still redirected to HTTPS.
    result = settings_value("SECURE_REDIRECT_EXEMPT", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=ast.literal_eval(result.stdout)):
        assert client.get("/readyz").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/students/").status_code == 301
