"""The people API: /me, the visible students, one student, and the record of disclosures."""

from __future__ import annotations

import pytest
from django.test import Client

from waypoint.core.models import Student, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict[str, User]:
    """Accounts of the session's demo (tests/conftest.py)."""
    return {
        u.username: u
        for u in User.objects.filter(
            username__in=["student", "teacher", "state-analyst", "other-teacher", "guardian"]
        )
    }


def api(client: Client, user: User, path: str) -> tuple[int, dict]:
    client.force_login(user)
    response = client.get(f"/api/v1{path}")
    return response.status_code, response.json()


def test_me_for_a_student_carries_student_id(client: Client, demo: dict[str, User]) -> None:
    status, body = api(client, demo["student"], "/me")
    assert status == 200
    assert body["username"] == "student"
    assert body["roles"] == ["student"]
    assert body["student_id"] == Student.objects.get(user=demo["student"]).pk
    assert body["district"]["name"] == "Riverside Public Schools"


def test_me_for_staff_has_no_student_id(client: Client, demo: dict[str, User]) -> None:
    status, body = api(client, demo["teacher"], "/me")
    assert (status, body["student_id"], body["roles"]) == (200, None, ["teacher"])
    _, analyst = api(client, demo["state-analyst"], "/me")
    assert analyst["district"] is None
    assert analyst["roles"] == ["state_analyst"]


def test_students_are_paginated_and_complete(client: Client, demo: dict[str, User]) -> None:
    status, first = api(client, demo["teacher"], "/students?page_size=7")
    assert status == 200
    assert len(first["items"]) == 7
    assert set(first["items"][0]) == {"id", "name", "district", "school", "grade_level"}
    seen = {item["id"] for item in first["items"]}
    for page in range(2, first["pages"] + 1):
        _, body = api(client, demo["teacher"], f"/students?page_size=7&page={page}")
        seen |= {item["id"] for item in body["items"]}
    assert len(seen) == first["count"]
    assert all(item["district"]["name"] == "Riverside Public Schools" for item in first["items"])


def test_student_search_by_name(client: Client, demo: dict[str, User]) -> None:
    _, body = api(client, demo["teacher"], "/students?search=jordan%20alv")
    assert [item["name"] for item in body["items"]] == ["Jordan Alvarez"]


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=1000", "page=abc"])
def test_bad_paging_is_a_clear_422(client: Client, demo: dict[str, User], query: str) -> None:
    status, body = api(client, demo["teacher"], f"/students?{query}")
    assert status == 422
    assert body["detail"]


def test_state_analyst_gets_no_student_from_any_endpoint(client: Client, demo: dict[str, User]) -> None:
    status, body = api(client, demo["state-analyst"], "/students?page_size=200")
    assert (status, body["count"], body["items"]) == (200, 0, [])
    for student_id in Student.objects.values_list("id", flat=True)[:50]:
        assert api(client, demo["state-analyst"], f"/students/{student_id}")[0] == 404


def test_other_district_teacher_gets_404_for_student(client: Client, demo: dict[str, User]) -> None:
    jordan = Student.objects.get(user=demo["student"])
    status, hidden = api(client, demo["other-teacher"], f"/students/{jordan.pk}")
    assert (status, hidden["title"]) == (404, "Not Found")
    assert hidden == api(client, demo["other-teacher"], "/students/999999999")[1]
    status, body = api(client, demo["teacher"], f"/students/{jordan.pk}")
    assert status == 200
    assert body["grade_level"] == 10
    assert [e["grade_level"] for e in body["enrollments"]] == [10, 9, 8, 7, 6]


def test_disclosures_show_who_looked(client: Client, demo: dict[str, User]) -> None:
    jordan = Student.objects.get(user=demo["student"])
    api(client, demo["teacher"], f"/students/{jordan.pk}")
    status, body = api(client, demo["guardian"], f"/students/{jordan.pk}/disclosures")
    assert status == 200
    actors = [(item["actor"], item["action"]) for item in body["items"]]
    assert ("Dana Whitfield", "view") in actors
    assert api(client, demo["teacher"], f"/students/{jordan.pk}/disclosures")[0] == 403
