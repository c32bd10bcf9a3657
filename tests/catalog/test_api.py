"""The catalog API: the same rules as the pages, with clear 400s for refused writes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from tests.pathways.conftest import World
from waypoint.core.models import User
from waypoint.policy import today

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(f"/api/v1{url}")
    return getattr(client, method)(
        f"/api/v1{url}", data=json.dumps(payload or {}), content_type="application/json"
    )


def dates(start: int = 0, end: int = 60) -> dict[str, str]:
    return {
        "starts_on": (today() + datetime.timedelta(days=start)).isoformat(),
        "ends_on": (today() + datetime.timedelta(days=end)).isoformat(),
    }


def test_the_catalog_api(world: World) -> None:
    admin = client_for(world.admin)
    listed = send(admin, "get", "/opportunities?kind=internship").json()
    assert [o["title"] for o in listed["items"]] == ["Machining internship"]
    assert listed["items"][0]["places_left"] == 2
    assert send(admin, "get", "/opportunities?kind=course").json()["count"] == 0
    payload = {"title": "Shop", "kind": "course", "provider_id": world.provider.pk, "location": "on_campus"}
    backwards = send(admin, "post", "/opportunities", {**payload, **dates(10, 5)})
    assert backwards.status_code == 400
    unknown = send(
        admin, "post", "/opportunities", {**payload, "competency_ids": [world.competencies[0].pk, 999999]}
    )
    assert unknown.status_code == 400
    made = send(admin, "post", "/opportunities", {**payload, "competency_ids": [world.competencies[0].pk]})
    assert made.status_code == 201
    assert made.json()["competencies"][0]["human_code"] == "COL.1"
    assert send(client_for(world.student_user), "post", "/opportunities", payload).status_code == 403
    participants = send(admin, "get", f"/opportunities/{world.internship.pk}/participants")
    assert participants.json()["items"] == []
