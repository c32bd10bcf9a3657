"""The catalog pages: forms that save or explain what is wrong, and the catalog as each role sees it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.pathways.conftest import World
from waypoint.catalog.models import Opportunity
from waypoint.core.models import User

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_staff_curate_the_catalog(world: World) -> None:
    admin = client_for(world.admin)
    response = admin.post(
        "/opportunities/new/",
        {
            "title": "Bakery apprenticeship",
            "kind": "apprenticeship",
            "provider": str(world.provider.pk),
            "location": "community",
            "competencies": "COL.1, NOPE.9",
            "starts_on": "2030-05-01",
            "ends_on": "2030-04-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "No competency with the code NOPE.9" in page
    assert not Opportunity.objects.filter(title="Bakery apprenticeship").exists()
    response = admin.post(
        "/opportunities/new/",
        {
            "title": "Bakery apprenticeship",
            "kind": "apprenticeship",
            "provider": str(world.provider.pk),
            "location": "community",
            "competencies": "COL.1",
            "starts_on": "2030-05-01",
            "ends_on": "2030-04-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "before it starts" in text(response)
    catalog = text(client_for(world.student_user).get("/opportunities/?kind=internship"))
    assert "Machining internship" in catalog
    assert "2 places left" in catalog
    empty = text(client_for(world.student_user).get("/opportunities/?kind=course"))
    assert "No opportunity matches these filters." in empty
    detail = text(admin.get(f"/opportunities/{world.internship.pk}/"))
    assert "Participants" in detail
    assert "Participants" not in text(
        client_for(world.student_user).get(f"/opportunities/{world.internship.pk}/")
    )
