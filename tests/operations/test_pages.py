"""The task pages and API: the starter follows their task (status, progress bar, message, link to the
result, polling while it runs), their district's administrators follow it too, nobody else sees it (404);
and the home page item of a running or failed task, in bounded queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from waypoint.core.models import User
from waypoint.operations.home import home_panels
from waypoint.operations.models import TaskRun
from waypoint.policy import request_context

pytestmark = pytest.mark.django_db


def _run(demo: Demo, starter: str | None = "teacher", **fields: object) -> TaskRun:
    values: dict[str, object] = {
        "district": demo.riverside,
        "started_by": demo.users[starter] if starter else None,
        "kind": "roster-import",
        "work": "waypoint.interop.tasks.import_roster",
        "status": TaskRun.Status.RUNNING,
        "progress_done": 3000,
        "progress_total": 12000,
        "message": "enrollments.csv",
    }
    return TaskRun.objects.create(**{**values, **fields})


def _client(demo: Demo, username: str) -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


def test_the_status_page_shows_progress_and_polls_while_running(demo: Demo) -> None:
    run = _run(demo)
    html = _client(demo, "teacher").get(f"/tasks/{run.pk}/").content.decode()
    assert "<h1>Roster import</h1>" in html  # the work's declared title, not its code
    assert '<progress class="task-progress" value="3000" max="12000"' in html
    assert "3,000 of 12,000 · enrollments.csv" in html
    assert f'hx-get="/tasks/{run.pk}/" hx-trigger="load delay:2000ms"' in html


def test_the_poll_answers_only_the_status_and_stops_once_ended(demo: Demo) -> None:
    run = _run(
        demo,
        status=TaskRun.Status.SUCCEEDED,
        progress_done=12000,
        message="The roster is imported.",
        result_url="/rosters/imports/7/",
        finished_at=timezone.now(),
    )
    poll = _client(demo, "teacher").get(f"/tasks/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in poll
    assert "Done" in poll
    assert "The roster is imported." in poll
    assert '<a class="button" href="/rosters/imports/7/">See the result</a>' in poll
    assert "hx-trigger" not in poll


def test_a_failed_task_says_why_and_links_to_what_it_left(demo: Demo) -> None:
    run = _run(
        demo,
        status=TaskRun.Status.FAILED,
        message="The worker stopped while it ran; nothing of it was kept.",
        finished_at=timezone.now(),
    )
    html = _client(demo, "teacher").get(f"/tasks/{run.pk}/").content.decode()
    assert "Failed" in html
    assert "The worker stopped while it ran; nothing of it was kept." in html
    assert "hx-trigger" not in html


def test_the_starter_and_the_districts_administrator_follow_it_and_nobody_else(demo: Demo) -> None:
    run = _run(demo)
    assert _client(demo, "teacher").get(f"/tasks/{run.pk}/").status_code == 200
    assert _client(demo, "district-admin").get(f"/tasks/{run.pk}/").status_code == 200
    for other in ("advisor", "school-admin", "other-teacher", "student"):
        assert _client(demo, other).get(f"/tasks/{run.pk}/").status_code == 404, other


def test_the_list_shows_ones_own_tasks_and_the_district_administrators_all(demo: Demo) -> None:
    mine = _run(demo, "teacher")
    scheduled = _run(
        demo, None, kind="insights-refresh-all", work="waypoint.insights.tasks.refresh_every_district"
    )
    teacher = _client(demo, "teacher").get("/tasks/").content.decode()
    assert f'id="task-run-{mine.pk}"' in teacher
    assert f'id="task-run-{scheduled.pk}"' not in teacher
    admin = _client(demo, "district-admin").get("/tasks/").content.decode()
    assert f'id="task-run-{mine.pk}"' in admin
    assert f'id="task-run-{scheduled.pk}"' in admin
    assert "the schedule" in admin


def test_the_api_lists_and_reads_the_same_tasks(demo: Demo) -> None:
    run = _run(demo)
    teacher = _client(demo, "teacher")
    listed = teacher.get("/api/v1/tasks").json()
    assert [item["id"] for item in listed["items"]] == [run.pk]
    one = teacher.get(f"/api/v1/tasks/{run.pk}").json()
    assert {key: one[key] for key in ("kind", "status", "progress_done", "progress_total", "message")} == {
        "kind": "roster-import",
        "status": "running",
        "progress_done": 3000,
        "progress_total": 12000,
        "message": "enrollments.csv",
    }
    assert set(one) == {
        "id", "kind", "status", "district_id", "progress_done", "progress_total", "message", "result_url",
        "created_at", "started_at", "finished_at",
    }  # fmt: skip
    assert _client(demo, "advisor").get(f"/api/v1/tasks/{run.pk}").status_code == 404


def _home(user: User) -> list[object]:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request_context(request)  # computed once per request, for every panel: not this panel's cost
    return request  # type: ignore[return-value]


def test_the_home_item_of_running_and_recently_failed_tasks_in_one_query(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    teacher = demo.users["teacher"]
    running = _run(demo)
    failed = _run(
        demo, status=TaskRun.Status.FAILED, message="The worker stopped.", finished_at=timezone.now()
    )
    _run(  # failed long ago: no longer news
        demo, status=TaskRun.Status.FAILED, finished_at=timezone.now() - datetime.timedelta(days=3)
    )
    _run(demo, status=TaskRun.Status.SUCCEEDED, finished_at=timezone.now())
    request = _home(teacher)
    with django_assert_max_num_queries(2):
        (panel,) = home_panels(request, teacher)  # type: ignore[arg-type]
    assert panel.tone == "warning"
    assert [item.url for item in panel.items] == [f"/tasks/{failed.pk}/", f"/tasks/{running.pk}/"]
    assert panel.items[0].label == "Roster import failed"
    assert panel.items[1].detail == "25% done"


def test_no_home_item_without_a_task_that_needs_a_look(demo: Demo) -> None:
    advisor = demo.users["advisor"]
    assert home_panels(_home(advisor), advisor) == []  # type: ignore[arg-type]
