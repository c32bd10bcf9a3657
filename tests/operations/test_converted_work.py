"""The work moved to the background: the roster upload queues an import that a worker runs with progress
(all or nothing, refusals listed on the run), and the insights refresh button starts a refresh whose status
page links back to the dashboard.

Imports go into a district set up for the test (`district_setup`), never into the demo's districts."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import Demo
from tests.interop import roster_kit as kit
from tests.operations.runner import run_queued
from waypoint.core.models import Organization, Student, User
from waypoint.insights.models import AggregateRefresh
from waypoint.interop.models import RosterImport
from waypoint.operations.models import TaskRun

pytestmark = pytest.mark.django_db
NEW = "/rosters/imports/new/"


@pytest.fixture
def adopter(demo: Demo, settings: Any, tmp_path: Path) -> User:
    """The first administrator of a district set up for the test; uploads kept under tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return kit.adoption_district(admin_password=None).admin


def _upload(tmp_path: Path, **changes: Any) -> SimpleUploadedFile:
    folder = kit.write_roster(tmp_path / uuid.uuid4().hex, **changes)
    return SimpleUploadedFile("roster.zip", kit.zip_roster(folder), content_type="application/zip")


def _district(user: User) -> Organization:
    assert user.district is not None
    return user.district


def _uploads(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "media" / "roster-uploads").glob("*"))


def test_an_upload_queues_the_import_and_a_worker_runs_it(adopter: User, tmp_path: Path) -> None:
    client = Client()
    client.force_login(adopter)
    response = client.post(NEW, {"file": _upload(tmp_path)})
    task = TaskRun.objects.get(kind="roster-import", district=_district(adopter))
    run = RosterImport.objects.get(district=_district(adopter))
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    # Queued, not imported: nothing of the roster yet, the upload kept for the worker.
    assert (task.status, task.started_by, task.arguments["roster_import_id"]) == ("queued", adopter, run.pk)
    assert not Student.objects.filter(district=_district(adopter)).exists()
    assert len(_uploads(tmp_path)) == 1

    assert run_queued() == 1
    task.refresh_from_db()
    run.refresh_from_db()
    assert (task.status, task.message) == (TaskRun.Status.SUCCEEDED, "The roster is imported.")
    assert task.result_url == f"/rosters/imports/{run.pk}/"
    assert task.progress_total > 0
    assert task.progress_done == task.progress_total
    assert (run.status, run.started_by, run.source_name) == (
        RosterImport.Status.IMPORTED,
        adopter,
        "roster.zip",
    )
    assert Student.objects.filter(district=_district(adopter)).count() == 12
    assert _uploads(tmp_path) == []  # the kept upload is gone once imported
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'href="/rosters/imports/{run.pk}/">See the result' in page


def test_with_htmx_the_upload_sends_the_browser_to_the_tasks_page(adopter: User, tmp_path: Path) -> None:
    client = Client()
    client.force_login(adopter)
    response = client.post(NEW, {"file": _upload(tmp_path)}, headers={"HX-Request": "true"})
    task = TaskRun.objects.get(kind="roster-import", district=_district(adopter))
    assert response["HX-Redirect"] == f"/tasks/{task.pk}/"


def test_a_refused_roster_ends_the_task_failed_with_a_link_to_its_problems(
    adopter: User, tmp_path: Path
) -> None:
    def no_role(row: dict[str, str]) -> dict[str, str]:
        if row["sourcedId"] == kit.sid("teacher-2"):
            row["role"] = "wizard"
        return row

    client = Client()
    client.force_login(adopter)
    client.post(NEW, {"file": _upload(tmp_path, edits={"users.csv": no_role})})
    run_queued()
    task = TaskRun.objects.get(kind="roster-import", district=_district(adopter))
    run = RosterImport.objects.get(district=_district(adopter))
    assert task.status == TaskRun.Status.FAILED
    assert task.message == "The roster was refused; nothing was imported (1 problem)."
    assert task.result_url == f"/rosters/imports/{run.pk}/"
    assert run.status == RosterImport.Status.REFUSED
    assert not Student.objects.filter(district=_district(adopter)).exists()
    assert _uploads(tmp_path) == []


def test_the_progress_poll_reads_the_task_and_only_for_its_district(
    adopter: User, tmp_path: Path, demo: Demo
) -> None:
    client = Client()
    client.force_login(adopter)
    token = uuid.uuid4()
    client.post(NEW, {"file": _upload(tmp_path), "token": str(token)})
    TaskRun.objects.filter(kind="roster-import").update(
        status=TaskRun.Status.RUNNING, progress_done=3000, progress_total=12000, message="enrollments.csv"
    )
    poll = client.get(f"/rosters/imports/progress/{token}/").content.decode()
    assert '<progress class="roster-progress-bar" value="3000" max="12000"' in poll
    assert "enrollments.csv: 3,000 of 12,000 rows" in poll
    # Another district's administrator polling the same token sees nothing of the run.
    other = Client()
    other.force_login(demo.users["district-admin"])
    assert "enrollments.csv" not in other.get(f"/rosters/imports/progress/{token}/").content.decode()


def test_the_insights_refresh_button_starts_a_task_that_links_back_to_the_dashboard(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("insights-refresh"), {"by": "grade"})
    task = TaskRun.objects.get(kind="insights-refresh", district=demo.riverside, started_by=admin)
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "The refresh of Riverside" in page
    assert "has started" in page
    before = AggregateRefresh.objects.filter(district=demo.riverside).count()

    run_queued()
    task.refresh_from_db()
    assert task.status == TaskRun.Status.SUCCEEDED, task.message
    assert task.result_url == reverse("insights-dashboard") + "?by=grade"
    assert task.message.startswith("The figures of Riverside")
    latest = AggregateRefresh.objects.filter(district=demo.riverside).order_by("-id").first()
    assert AggregateRefresh.objects.filter(district=demo.riverside).count() == before + 1
    assert latest is not None
    assert latest.requested_by == admin


def test_a_school_administrator_cannot_start_a_refresh(demo: Demo) -> None:
    client = Client()
    client.force_login(demo.users["school-admin"])
    assert client.post(reverse("insights-refresh")).status_code == 403
    assert not TaskRun.objects.filter(kind="insights-refresh", district=demo.riverside).exists()
