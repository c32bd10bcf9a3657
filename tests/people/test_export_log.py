"""The district's export log: every export of the district, for its administrators, one row per file."""

from __future__ import annotations

import csv
import datetime
import io

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.models import AuditAction, AuditEvent, Student

LOG = "/audit/exports/"
LOG_CSV = "/audit/exports.csv"


def _client(demo: Demo, username: str = "district-admin") -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


def _export(demo: Demo, **fields: object) -> AuditEvent:
    admin = demo.users["district-admin"]
    values: dict[str, object] = {
        "actor": admin,
        "actor_username": admin.username,
        "action": AuditAction.EXPORT,
        "object_type": "insights-export",
        "district": demo.riverside,
        "client_address": "192.0.2.7",
    }
    return AuditEvent.objects.create(**(values | fields))


def test_a_roster_export_is_one_row_with_its_students_and_address(demo: Demo) -> None:
    client = _client(demo)
    assert client.post("/rosters/export/", REMOTE_ADDR="198.51.100.4").status_code == 200
    page = client.get(LOG)
    assert page.status_code == 200
    lines = page.context["page"].items
    roster = [line for line in lines if line.event.object_type == "roster-export"]
    assert len(roster) == 1, "one row for the file, not one per student"
    named = AuditEvent.objects.filter(
        object_type="roster-export", student__isnull=False, request_id=roster[0].event.request_id
    ).count()
    assert named > 0
    assert roster[0].students == named
    assert roster[0].event.client_address == "198.51.100.4"
    assert b"198.51.100.4" in page.content


def test_only_the_acting_districts_exports_and_only_exports(demo: Demo) -> None:
    own = _export(demo, reason="own district")
    _export(demo, district=demo.hillcrest, reason="other district")
    _export(demo, action=AuditAction.VIEW, reason="a view")
    other_student = Student.objects.filter(district=demo.hillcrest).first()
    _export(demo, object_type="credential", student=other_student, district=demo.hillcrest)
    credential = _export(demo, object_type="credential", student=demo.student)
    shown = {line.event.pk for line in _client(demo).get(LOG).context["page"].items}
    assert {own.pk, credential.pk} <= shown
    assert not AuditEvent.objects.filter(pk__in=shown).exclude(district=demo.riverside).exists()
    assert not AuditEvent.objects.filter(pk__in=shown).exclude(action=AuditAction.EXPORT).exists()


def test_filters_by_person_kind_and_days(demo: Demo) -> None:
    now = timezone.now()
    old = _export(demo, occurred_at=now - datetime.timedelta(days=40))
    recent = _export(demo, object_type="credential", student=demo.student)
    by_teacher = _export(demo, actor=demo.users["teacher"], actor_username="teacher")
    client = _client(demo)

    def shown(query: dict[str, str]) -> set[int]:
        return {line.event.pk for line in client.get(LOG, query).context["page"].items}

    assert by_teacher.pk in shown({"actor": "teacher"})
    assert recent.pk not in shown({"actor": "teacher"})
    assert shown({"kind": "credential"}) >= {recent.pk}
    assert by_teacher.pk not in shown({"kind": "credential"})
    since = (now - datetime.timedelta(days=7)).date().isoformat()
    assert old.pk not in shown({"since": since})
    assert old.pk in shown({"until": (now - datetime.timedelta(days=39)).date().isoformat()})
    assert recent.pk not in shown({"until": (now - datetime.timedelta(days=39)).date().isoformat()})
    # A kind the log does not know, or a day that is not one, filters nothing out.
    assert shown({"kind": "student", "since": "yesterday"}) >= {old.pk, recent.pk}


def test_pages_newest_first(demo: Demo) -> None:
    now = timezone.now()
    made = [
        _export(demo, actor=None, actor_username="script", occurred_at=now - datetime.timedelta(minutes=i))
        for i in range(60)
    ]
    client = _client(demo)
    first = client.get(LOG, {"actor": "script"}).context["page"]
    assert first.count == 60
    assert [line.event.pk for line in first.items[:3]] == [made[0].pk, made[1].pk, made[2].pk]
    second = client.get(LOG, {"actor": "script", "page": "2"}).context["page"]
    assert second.number == 2
    assert not {line.event.pk for line in first.items} & {line.event.pk for line in second.items}


def test_the_page_runs_a_bounded_number_of_queries(demo: Demo) -> None:
    for _ in range(30):
        _export(demo, object_type="credential", student=demo.student)
    client = _client(demo)
    client.get(LOG)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LOG).status_code == 200
    assert len(queries) <= 25, [query["sql"] for query in queries]


def test_the_csv_is_neutralised_and_itself_an_export(demo: Demo) -> None:
    _export(demo, actor_username="=HYPERLINK(1)", actor=None, reason="+cmd|' /C calc'!A0")
    response = _client(demo).get(LOG_CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="exports-riverside-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["When", "Username"]
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert not any(cell[:1] in {"=", "+", "@"} for cell in cells)
    taken = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="audit-log", object_id="exports")
    assert taken.filter(actor=demo.users["district-admin"], district=demo.riverside).exists()


def test_only_district_administrators_read_it_and_refusals_are_audited(demo: Demo) -> None:
    for username in ("teacher", "school-admin", "student", "guardian", "state-analyst"):
        client = _client(demo, username)
        assert client.get(LOG).status_code == 403, username
        assert client.get(LOG_CSV).status_code == 403, username
    denied = AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="audit-log", actor_username="teacher"
    )
    assert denied.exists()
    assert Client().get(LOG).status_code == 302


def test_opening_the_log_is_recorded_and_linked_from_the_navigation(demo: Demo) -> None:
    client = _client(demo)
    assert f'href="{reverse("export-log")}"'.encode() in client.get(reverse("home")).content
    client.get(LOG)
    opened = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="audit-log", object_id="exports")
    assert opened.filter(district=demo.riverside, actor=demo.users["district-admin"]).exists()
    assert (
        f'href="{reverse("export-log")}"'.encode()
        not in _client(demo, "teacher").get(reverse("home")).content
    )
