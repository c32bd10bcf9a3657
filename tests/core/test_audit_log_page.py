"""The audit log reads well: its own opening is its first row, its dates use the locale's one date-time
format, and a page's path breaks between its parts rather than inside them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from tests.conftest import Demo
from waypoint.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)


def test_opening_the_audit_log_is_its_first_row(client: Client, demo: Demo) -> None:
    client.force_login(demo.users["district-admin"])
    client.get(reverse("student-list"))
    response = client.get(reverse("audit-log"))
    assert response.status_code == 200
    first = re.sub(r"<[^>]+>", "", _rows(response.content.decode())[0])
    assert "opened the audit log" in first


def test_dates_use_the_locales_date_time_format_and_paths_break_at_slashes(
    client: Client, demo: Demo
) -> None:
    client.force_login(demo.users["district-admin"])
    client.get(reverse("student-detail", args=[demo.student.pk]))
    html = client.get(reverse("audit-log")).content.decode()
    event = AuditEvent.objects.filter(district=demo.riverside).order_by("-occurred_at", "-id").first()
    assert event is not None
    shown = formats.date_format(timezone.localtime(event.occurred_at), "DATETIME_FORMAT")
    assert f">{shown}</time>" in html
    assert formats.date_format(timezone.localtime(event.occurred_at), "SHORT_DATETIME_FORMAT") not in html
    # "/students/12/" is written as its parts with a break opportunity after each slash.
    path = f"/students/{demo.student.pk}/"
    assert f"<code>/<wbr>students/<wbr>{demo.student.pk}/<wbr></code>" in html
    assert f'<td class="path audit-path">{path}</td>' not in html
