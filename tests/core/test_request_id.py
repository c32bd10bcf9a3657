"""The request id: the caller's X-Request-ID kept when it is a safe token and replaced when not, sent back on
every response, written into the request's audit rows and into its JSON log lines."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from tests.core.test_settings import PRODUCTION_ENV
from tests.factories import EnrollmentFactory, RoleFactory, RosterFactory, SectionTeacherFactory
from waypoint.core.logging import JsonFormatter, bound_request_id, current_request_id
from waypoint.core.models import AuditAction, AuditEvent, Role, User

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def teacher_and_student() -> tuple[User, int]:
    enrollment = EnrollmentFactory()
    teacher = RoleFactory(role=Role.TEACHER, organization=enrollment.school).user
    section = SectionTeacherFactory(teacher=teacher, section__school=enrollment.school).section
    RosterFactory(section=section, student=enrollment.student)
    return teacher, enrollment.student.pk


@pytest.fixture
def json_lines(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every line logged during the test, as the JSON formatter writes it."""
    caplog.handler.setFormatter(JsonFormatter())
    with caplog.at_level(logging.INFO):
        yield caplog


def parsed(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    return [json.loads(line) for line in caplog.text.splitlines()]


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["lb-7f3a.01_Z", "a" * 64, "0"])
def test_a_safe_id_is_echoed(client: Client, incoming: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["a" * 65, "a" * 200, "abc\ndef", "abc\n", 'a"b', "a'b", "a b", "<script>", "id;drop", "é", ""],
)
def test_an_unsafe_or_missing_id_is_replaced(client: Client, incoming: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_every_request_gets_its_own_id(client: Client) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert GENERATED.fullmatch(first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    # Nothing of a request's id outlives it.
    assert current_request_id() == ""


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["trace-42.abc", None])
def test_the_audit_row_of_a_page_view_carries_the_id(
    client: Client, teacher_and_student: tuple[User, int], incoming: str | None
) -> None:
    teacher, student_id = teacher_and_student
    client.force_login(teacher)
    headers = {"X-Request-ID": incoming} if incoming else {}
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(f"/students/{student_id}/", headers=headers)
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(pk__gt=before)
    assert (event.action, event.student_id) == (AuditAction.VIEW, student_id)
    assert event.request_id == response["X-Request-ID"]
    if incoming:
        assert event.request_id == incoming


@pytest.mark.django_db
def test_a_log_line_of_a_real_request_is_json_with_the_id(
    client: Client, json_lines: pytest.LogCaptureFixture
) -> None:
    # Django logs "Not Found" after the middleware has returned; the line still names the request's id.
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="probe-404")
    assert response.status_code == 404
    [line] = [line for line in parsed(json_lines) if line["logger"] == "django.request"]
    assert line["request_id"] == "probe-404"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"


@pytest.mark.django_db
def test_a_line_logged_inside_the_request_carries_the_id_and_the_exception(
    client: Client, json_lines: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> str:
        raise ValueError("the check broke")

    # A page that fails inside the stack: Django logs the 500 with its traceback while the id is bound.
    monkeypatch.setattr("waypoint.site.views._database_check", broken)
    client.raise_request_exception = False
    response = client.get("/readyz", HTTP_X_REQUEST_ID="probe-500")
    assert response.status_code == 500
    [line] = [line for line in parsed(json_lines) if line["logger"] == "django.request"]
    assert line["request_id"] == "probe-500"
    assert line["level"] == "ERROR"
    assert "ValueError: the check broke" in line["exception"]


def test_the_formatter_writes_one_line_of_utc_time_and_no_id_outside_a_request() -> None:
    try:
        raise RuntimeError("first line\nsecond line")
    except RuntimeError:
        record = logging.getLogger("waypoint.test").makeRecord(
            "waypoint.test", logging.ERROR, __file__, 1, "failed for %s", ("Ana",), sys.exc_info()
        )
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["time"].endswith("+00:00")
    assert (line["level"], line["logger"], line["message"]) == ("ERROR", "waypoint.test", "failed for Ana")
    assert "RuntimeError: first line\nsecond line" in line["exception"]
    assert "request_id" not in line
    with bound_request_id("job-1"):
        assert json.loads(JsonFormatter().format(record))["request_id"] == "job-1"


@pytest.mark.parametrize(
    ("env", "formatter"),
    [
        ({}, None),
        ({"WAYPOINT_LOG_FORMAT": "json"}, "json"),
        (PRODUCTION_ENV, "json"),
        ({**PRODUCTION_ENV, "WAYPOINT_LOG_FORMAT": "text"}, None),
    ],
)
def test_log_format_by_profile(tmp_path: Path, env: dict[str, str], formatter: str | None) -> None:
    result = settings_value("LOGGING['handlers']['console'].get('formatter')", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(formatter)


def test_an_unknown_log_format_is_refused(tmp_path: Path) -> None:
    result = settings_value("LOGGING", env={"WAYPOINT_LOG_FORMAT": "xml"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "WAYPOINT_LOG_FORMAT must be 'text' or 'json'" in result.stderr


def settings_value(
    expression: str, *, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """`settings.<expression>` as a fresh interpreter prints it under `env` (settings are read once per
    process)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WAYPOINT_", "DATABASE_URL", "SECRET_KEY", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"from waypoint import settings; print(settings.{expression})"],
        env={**clean, "WAYPOINT_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
