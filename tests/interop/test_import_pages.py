"""The administrator's roster import pages and API: the upload (with and without htmx), which queues the
import for a worker (`tests.operations.runner.run_queued` plays the worker), the progress the page polls (the
task's), a refused set's problems with their file, line and column, the history, one run, the menu and the
home panel.

Imports go into a district made for the test with the first-run set-up (`district_setup`), never into the
demo's districts: a bulk roster ends what it does not list, and the demo's rosters are not the kit's."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.interop import roster_kit as kit
from tests.operations.runner import run_queued
from waypoint.core.models import Organization, SectionEnrollment, Student, User
from waypoint.interop import home as interop_home
from waypoint.interop import navigation
from waypoint.interop.forms.rosters import SET_UP_PENDING
from waypoint.interop.models import RosterImport
from waypoint.operations.models import TaskRun

pytestmark = pytest.mark.django_db

NEW = "/rosters/imports/new/"
LIST = "/rosters/imports/"
API = "/api/v1/interop/rosters/imports"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def adopter(demo: Demo, settings: Any, tmp_path: Path) -> User:
    """The first administrator of a district set up for the test, signed in nowhere yet; uploads waiting for
    their import are kept under tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    result = kit.adoption_district(admin_password=None)
    return result.admin


@pytest.fixture
def admin_client(adopter: User) -> Client:
    client = Client()
    client.force_login(adopter)
    return client


@pytest.fixture
def roster(tmp_path: Path) -> Callable[..., bytes]:
    """The kit as zip bytes, with any change `write_roster` takes."""

    def make(**changes: object) -> bytes:
        folder = kit.write_roster(tmp_path / uuid.uuid4().hex, **changes)  # type: ignore[arg-type]
        return kit.zip_roster(folder)

    return make


def upload(data: bytes, name: str = "roster.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def no_role(row: dict[str, str]) -> dict[str, str]:
    """The kit's users with one bad row: teacher-2's role is not a OneRoster role."""
    if row["sourcedId"] == kit.sid("teacher-2"):
        row["role"] = "wizard"
    return row


def district_of(user: User) -> Organization:
    assert user.district is not None
    return user.district


# The upload, without JavaScript -----------------------------------------------------------------------------


def test_the_upload_page_offers_the_form_with_a_progress_token(admin_client: Client) -> None:
    response = admin_client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    token = response.context["form"]["token"].value()
    assert uuid.UUID(str(token))
    assert f'hx-get="/rosters/imports/progress/{token}/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Adoption Unified" in html


def test_an_upload_imports_the_roster_and_shows_the_run(
    admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    response = admin_client.post(NEW, {"file": upload(roster())})
    task = TaskRun.objects.get(kind="roster-import", district=district_of(adopter))
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    assert run_queued() == 1
    run = RosterImport.objects.get(district=district_of(adopter))
    assert run.status == RosterImport.Status.IMPORTED
    assert run.started_by == adopter
    assert run.source_name == "roster.zip"
    assert Student.objects.filter(district=district_of(adopter)).count() == 12
    status = admin_client.get(response["Location"]).content.decode()
    assert "The roster is imported." in status
    assert f'href="/rosters/imports/{run.pk}/"' in status

    page = admin_client.get(f"/rosters/imports/{run.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<code>users.csv</code>" in html
    assert run.counts["users.csv"]["rows"] == kit.KIT_COUNTS["users.csv"]
    assert f'<td class="num">{kit.KIT_COUNTS["users.csv"]}</td>' in html


def test_a_large_upload_is_read_from_its_temporary_file(
    admin_client: Client, adopter: User, roster: Callable[..., bytes], settings: object
) -> None:
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django keeps the upload on disk: the importer reads it there,
    whatever the file was called."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1  # type: ignore[attr-defined]
    response = admin_client.post(NEW, {"file": upload(roster(), "export-without-extension")})
    assert response.status_code == 302
    run_queued()
    run = RosterImport.objects.get(district=district_of(adopter))
    assert (run.status, run.source_name) == (RosterImport.Status.IMPORTED, "export-without-extension")
    assert Student.objects.filter(district=district_of(adopter)).count() == 12


def test_a_bad_row_refuses_the_whole_set_and_names_its_file_line_and_column(
    admin_client: Client, adopter: User, roster: Callable[..., bytes], tmp_path: Path
) -> None:
    folder = kit.write_roster(tmp_path / "bad", edits={"users.csv": no_role})
    line = kit.line_of(folder, "users.csv", kit.sid("teacher-2"))
    enrollments = SectionEnrollment.objects.count()

    response = admin_client.post(NEW, {"file": upload(kit.zip_roster(folder), "bad.zip")})
    assert response.status_code == 302
    run_queued()
    run = RosterImport.objects.get(district=district_of(adopter))
    assert run.status == RosterImport.Status.REFUSED
    assert Student.objects.filter(district=district_of(adopter)).count() == 0
    assert SectionEnrollment.objects.count() == enrollments

    html = admin_client.get(f"/rosters/imports/{run.pk}/").content.decode()
    assert "The roster was refused; nothing was imported." in html
    problem = next(p for p in run.problems if p["file"] == "users.csv" and p["column"] == "role")
    assert problem["line"] == line
    row = (
        f'<tr><td><code>users.csv</code></td><td class="num">{line}</td><td><code>role</code></td>'
        f"<td>{problem['reason']}</td></tr>"
    )
    assert row in html.replace("&#x27;", "'").replace("&quot;", '"')


def test_a_file_that_is_not_a_zip_is_refused_by_its_content(admin_client: Client, adopter: User) -> None:
    spreadsheet = SimpleUploadedFile(
        "roster.zip", b"sourcedId,status\r\nx,active\r\n", content_type="application/zip"
    )
    response = admin_client.post(NEW, {"file": spreadsheet})
    assert response.status_code == 400
    assert "The file is not a zip archive." in response.content.decode()
    assert not RosterImport.objects.filter(district=district_of(adopter)).exists()


def test_a_file_over_the_limit_is_refused(
    admin_client: Client, adopter: User, roster: Callable[..., bytes], settings: object
) -> None:
    settings.WAYPOINT_ROSTER_MAX_BYTES = 1024  # type: ignore[attr-defined]
    response = admin_client.post(NEW, {"file": upload(roster())})
    assert response.status_code == 400
    assert "The file is larger than the limit of 0 MB." in response.content.decode()
    assert not RosterImport.objects.filter(district=district_of(adopter)).exists()


# The upload with htmx, and its progress ---------------------------------------------------------------------


def test_with_htmx_the_upload_sends_the_browser_to_the_tasks_page(
    admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    response = admin_client.post(NEW, {"file": upload(roster())}, headers=HTMX)
    task = TaskRun.objects.get(kind="roster-import", district=district_of(adopter))
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/tasks/{task.pk}/"


def test_the_poll_follows_the_task_to_its_end(
    admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    token = uuid.uuid4()
    admin_client.post(NEW, {"file": upload(roster(edits={"users.csv": no_role})), "token": str(token)})
    queued = admin_client.get(f"/rosters/imports/progress/{token}/").content.decode()
    assert "Sending the file…" in queued  # queued: no file read yet
    assert "hx-trigger" in queued
    run_queued()
    poll = admin_client.get(f"/rosters/imports/progress/{token}/").content.decode()
    assert '<progress class="roster-progress-bar" value="1" max="1"' in poll
    assert "Refused" in poll
    assert "hx-trigger" not in poll


def test_the_poll_shows_the_current_file_and_rows_and_polls_again(
    admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    token = uuid.uuid4()
    admin_client.post(NEW, {"file": upload(roster()), "token": str(token)})
    TaskRun.objects.filter(kind="roster-import", district=district_of(adopter)).update(
        status=TaskRun.Status.RUNNING, progress_done=3000, progress_total=12000, message="enrollments.csv"
    )
    response = admin_client.get(f"/rosters/imports/progress/{token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress class="roster-progress-bar" value="3000" max="12000"' in html
    assert "enrollments.csv: 3,000 of 12,000 rows" in html
    assert f'hx-get="/rosters/imports/progress/{token}/" hx-trigger="load delay:500ms"' in html


def test_the_poll_is_the_districts_own(
    demo: Demo, admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    """Another district's administrator polling the same token sees nothing of the run."""
    token = uuid.uuid4()
    admin_client.post(NEW, {"file": upload(roster()), "token": str(token)})
    TaskRun.objects.filter(kind="roster-import").update(
        status=TaskRun.Status.RUNNING, progress_done=10, progress_total=18, message="users.csv"
    )
    other = Client()
    other.force_login(demo.users["district-admin"])
    html = other.get(f"/rosters/imports/progress/{token}/").content.decode()
    assert "users.csv" not in html
    assert "Sending the file…" in html


def test_the_poll_refuses_what_is_not_a_token_and_who_may_not_import(
    admin_client: Client, demo: Demo
) -> None:
    assert admin_client.get("/rosters/imports/progress/not-a-token/").status_code == 404
    teacher = Client()
    teacher.force_login(demo.users["teacher"])
    assert teacher.get(f"/rosters/imports/progress/{uuid.uuid4()}/").status_code == 403


# The history and one run ------------------------------------------------------------------------------------


def _runs(district: Organization, count: int, **fields: object) -> list[RosterImport]:
    now = timezone.now()
    fields = {"status": RosterImport.Status.IMPORTED, **fields}
    return RosterImport.objects.bulk_create(
        RosterImport(
            district=district,
            source_name=f"roster-{number:03d}.zip",
            started_at=now - datetime.timedelta(minutes=number),
            **fields,
        )
        for number in range(count)
    )


def test_the_history_is_paged_newest_first_in_bounded_queries(
    admin_client: Client, adopter: User, django_assert_max_num_queries: object
) -> None:
    _runs(district_of(adopter), 60, started_by=adopter)
    # 10 measured: the session, the person, the access context, the district, the page and its count.
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        first = admin_client.get(LIST)
    assert first.status_code == 200
    page = first.context["page"]
    assert (page.count, page.num_pages, len(page.items)) == (60, 2, 50)
    assert page.items[0].source_name == "roster-000.zip"
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get(LIST, {"page": 2})
    assert [run.source_name for run in second.context["page"].items][-1] == "roster-059.zip"


def test_the_history_is_the_acting_districts_only(demo: Demo, admin_client: Client, adopter: User) -> None:
    _runs(demo.riverside, 2)
    mine = _runs(district_of(adopter), 1)
    page = admin_client.get(LIST).context["page"]
    assert [run.pk for run in page.items] == [mine[0].pk]


def test_another_districts_run_is_not_found(demo: Demo, admin_client: Client) -> None:
    (theirs,) = _runs(demo.riverside, 1)
    assert admin_client.get(f"/rosters/imports/{theirs.pk}/").status_code == 404
    assert admin_client.get(f"{API}/{theirs.pk}").status_code == 404


@pytest.mark.parametrize("username", ["teacher", "school-admin", "student"])
def test_only_district_administrators_reach_the_pages(demo: Demo, username: str) -> None:
    client = Client()
    client.force_login(demo.users[username])
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.get(API).status_code == 403


# The API ----------------------------------------------------------------------------------------------------


def test_the_api_imports_a_zip_and_answers_201_with_the_run(
    admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    response = admin_client.post(API, {"file": upload(roster())})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "imported"
    assert body["started_by"] == "adoption-admin"
    counts = {row["file"]: row for row in body["counts"]}
    assert counts["users.csv"]["rows"] == kit.KIT_COUNTS["users.csv"]
    assert counts["enrollments.csv"]["created"] == kit.KIT_COUNTS["enrollments.csv"]
    # Again: nothing changes, and the run says so.
    again = admin_client.post(API, {"file": upload(roster())}).json()
    unchanged = {row["file"]: row["unchanged"] for row in again["counts"]}
    assert unchanged["users.csv"] == kit.KIT_COUNTS["users.csv"]

    listed = admin_client.get(API, {"page_size": 1}).json()
    assert (listed["count"], listed["pages"], listed["page_size"]) == (2, 2, 1)
    assert listed["items"][0]["id"] == again["id"]
    one = admin_client.get(f"{API}/{body['id']}").json()
    assert one["counts"] == body["counts"]


def test_the_api_refusal_lists_every_problem_with_its_place(
    admin_client: Client, adopter: User, roster: Callable[..., bytes], tmp_path: Path
) -> None:
    folder = kit.write_roster(tmp_path / "bad", edits={"users.csv": no_role})
    line = kit.line_of(folder, "users.csv", kit.sid("teacher-2"))
    response = admin_client.post(API, {"file": upload(kit.zip_roster(folder)), "delta": "false"})
    body = response.json()
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    run = RosterImport.objects.get(district=district_of(adopter))
    assert body["run_id"] == run.pk
    assert {"file": "users.csv", "line": line, "column": "role"} in [
        {key: row[key] for key in ("file", "line", "column")} for row in body["rows"]
    ]
    assert len(body["problems"]) == len(body["rows"]) == len(run.problems)
    assert all(item["reason"] for item in body["problems"])


def test_the_api_refuses_what_is_not_a_zip_and_what_is_too_large(
    admin_client: Client, adopter: User, roster: Callable[..., bytes], settings: object
) -> None:
    not_zip = admin_client.post(API, {"file": SimpleUploadedFile("r.zip", b"not a zip")})
    assert not_zip.status_code == 400
    assert "not a zip archive" in not_zip.json()["detail"]
    settings.WAYPOINT_ROSTER_MAX_BYTES = 1024  # type: ignore[attr-defined]
    too_large = admin_client.post(API, {"file": upload(roster())})
    assert too_large.status_code == 413
    assert "larger than the limit" in too_large.json()["detail"]
    assert not RosterImport.objects.filter(district=district_of(adopter)).exists()


# The menu and the home --------------------------------------------------------------------------------------


def _links(user: User, session: Mapping[str, object] | None = None) -> dict[str, str]:
    request = RequestFactory().get("/")
    request.user = user
    request.session = dict(session or {})  # type: ignore[assignment]
    return {str(link.label): link.url for link in navigation.nav_links(request, user)}


def _menu_of(client: Client, path: str) -> list[str]:
    nav = client.get(path).context["nav"]
    return [link.label for group in nav.groups for link in group.links] + [link.label for link in nav.account]


def test_the_menu_offers_set_up_until_the_district_has_a_roster(
    admin_client: Client, adopter: User, roster: Callable[..., bytes]
) -> None:
    links = _links(adopter)
    assert links == {
        "Roster imports": LIST,
        "Sign-in settings": reverse("interop-sign-in-settings"),
        "Two-step sign-in": reverse("interop-mfa"),
    }
    # The home finds the district without students and notes it in the session; the menu then offers the
    # checklist on every page, asking nothing of the database itself.
    assert "Set up" in _menu_of(admin_client, "/")
    assert "Set up" in _menu_of(admin_client, LIST)
    pending = {SET_UP_PENDING: district_of(adopter).pk}
    assert _links(adopter, pending)["Set up"] == reverse("interop-first-run")
    admin_client.post(NEW, {"file": upload(roster())})
    run_queued()
    assert "Set up" not in _menu_of(admin_client, LIST)
    assert "Set up" not in _menu_of(admin_client, "/")


def test_the_menu_of_a_teacher_has_only_their_two_step_sign_in(demo: Demo) -> None:
    assert _links(demo.users["teacher"]) == {"Two-step sign-in": reverse("interop-mfa")}
    assert _links(demo.users["student"]) == {}


def _panels(client: Client) -> dict[str, object]:
    response = client.get("/")
    assert response.status_code == 200
    return {shown.panel.key: shown.panel for shown in response.context["panels"]}


def test_the_home_says_set_up_your_district_while_it_has_no_roster(
    admin_client: Client, roster: Callable[..., bytes]
) -> None:
    panel = _panels(admin_client)["set-up-district"]
    assert panel.title == "Set up your district"  # type: ignore[attr-defined]
    assert panel.items[0].url == NEW  # type: ignore[attr-defined]
    assert panel.action.url == reverse("interop-first-run")  # type: ignore[attr-defined]
    admin_client.post(NEW, {"file": upload(roster())})
    run_queued()
    assert "set-up-district" not in _panels(admin_client)


def test_the_home_gives_the_last_import_and_the_refusals_since(
    admin_client: Client, roster: Callable[..., bytes]
) -> None:
    admin_client.post(NEW, {"file": upload(roster())})
    run_queued()
    (item,) = _panels(admin_client)["roster-imports"].items  # type: ignore[attr-defined]
    assert item.label == "Last import: imported"
    assert item.detail.startswith("roster.zip, ")
    for _ in range(2):
        admin_client.post(NEW, {"file": upload(roster(edits={"users.csv": no_role}), "bad.zip")})
    run_queued()
    panel = _panels(admin_client)["roster-imports"]
    last, refused = panel.items  # type: ignore[attr-defined]
    assert last.label == "Last import: refused"
    assert (refused.count, refused.url) == (2, LIST)
    assert panel.tone == "warning"  # type: ignore[attr-defined]


def test_the_demo_administrator_reads_that_no_roster_was_imported(demo: Demo) -> None:
    client = Client()
    client.force_login(demo.users["district-admin"])
    panel = _panels(client)["roster-imports"]
    assert panel.items == ()  # type: ignore[attr-defined]
    assert panel.empty  # type: ignore[attr-defined]


def test_the_interop_panel_stays_within_its_queries(
    demo: Demo, adopter: User, django_assert_max_num_queries: object
) -> None:
    _runs(district_of(adopter), 30, status=RosterImport.Status.REFUSED)
    for user in (adopter, demo.users["district-admin"]):
        request = RequestFactory().get("/")
        request.user = user
        request.session = {}  # type: ignore[assignment]
        with django_assert_max_num_queries(12):  # type: ignore[operator]
            assert interop_home.home_panels(request, user)
