"""Writing rubrics: the page that starts from a competency and its indicators, and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from tests.factories import RoleFactory, UserFactory
from waypoint.core.models import Organization, Role, User
from waypoint.frameworks import services
from waypoint.frameworks.models import Competency, FrameworkVersion, Rubric, RubricCell, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(state: Organization) -> FrameworkVersion:
    draft = services.framework_create(owner=state, title="Speaking and listening")
    competency = services.competency_create(
        version=draft,
        parent=None,
        fields=services.CompetencyFields(human_code="SL.1", full_statement="Presents."),
    )
    for code in ("SL.1.a", "SL.1.b"):
        services.competency_create(
            version=draft,
            parent=competency,
            fields=services.CompetencyFields(
                human_code=code, full_statement=f"Part {code}.", tier=Tier.INDICATOR
            ),
        )
    return services.version_publish(version=draft, actor=None)


def teacher_in(district: Organization) -> User:
    teacher = UserFactory(district=district)
    RoleFactory(user=teacher, role=Role.TEACHER, organization=district)
    return teacher


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(levels: int, rows: list[tuple[int, bool]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Presentation rubric",
        "description": "",
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
    }
    for index, (competency_id, include) in enumerate(rows):
        data[f"form-{index}-competency"] = str(competency_id)
        data[f"form-{index}-title"] = f"Criterion {index}"
        if include:
            data[f"form-{index}-include"] = "on"
        for level in range(levels):
            data[f"form-{index}-teacher_{level}"] = f"Teacher words {index}/{level}"
            data[f"form-{index}-student_{level}"] = f"I can {index}/{level}"
    return data


def test_a_teacher_writes_a_rubric_from_a_competency_and_its_indicators(
    published: FrameworkVersion, district: Organization, demo: Demo
) -> None:
    teacher = teacher_in(district)
    client = signed_in(teacher)
    root = published.competencies.get(human_code="SL.1")
    page = client.get(f"/rubrics/new/?competency={root.pk}")
    assert page.status_code == 200
    assert page.content.decode().count("<fieldset") == 3
    rows = [(c.pk, c.human_code != "SL.1.b") for c in published.competencies.order_by("path")]
    response = client.post(f"/rubrics/new/?competency={root.pk}", form_data(4, rows))
    assert response.status_code == 302
    rubric = demo.added(Rubric).get()
    assert rubric.owner == district
    assert rubric.created_by == teacher
    assert [c.competency.human_code for c in rubric.criteria.all()] == ["SL.1", "SL.1.a"]
    assert demo.added(RubricCell).count() == 8
    assert signed_in(teacher).get(f"/rubrics/{rubric.pk}/edit/").status_code == 200
    assert signed_in(teacher_in(district)).get(f"/rubrics/{rubric.pk}/edit/").status_code == 403


def test_a_rubric_with_an_empty_cell_is_not_saved(
    published: FrameworkVersion, district: Organization, demo: Demo
) -> None:
    client = signed_in(teacher_in(district))
    root = published.competencies.get(human_code="SL.1")
    data = form_data(4, [(root.pk, True)])
    data["form-0-teacher_2"] = ""
    response = client.post(f"/rubrics/new/?competency={root.pk}", data)
    assert response.status_code == 200
    assert "Criterion 1 has an empty cell." in response.content.decode()
    assert not demo.added(Rubric).exists()


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


def payload(competency: Competency, words: str = "Shows it") -> dict[str, Any]:
    return {
        "title": "API rubric",
        "criteria": [
            {
                "competency_id": competency.pk,
                "cells": [
                    {
                        "level_value": value,
                        "description": f"{words} {value}",
                        "student_description": f"I {value}",
                    }
                    for value in (1, 2, 3, 4)
                ],
            }
        ],
    }


def test_api_writes_and_rewrites_a_rubric_for_its_author_only(
    published: FrameworkVersion, district: Organization
) -> None:
    author = teacher_in(district)
    competency = published.competencies.get(human_code="SL.1.a")
    created = send(signed_in(author), "post", "/api/v1/rubrics", payload(competency))
    assert created.status_code == 201
    rubric_id = created.json()["id"]
    assert [cell["level_label"] for cell in created.json()["criteria"][0]["cells"]][2] == "Proficient"
    rewritten = send(
        signed_in(author), "put", f"/api/v1/rubrics/{rubric_id}", payload(competency, "Now shows")
    )
    assert rewritten.status_code == 200
    assert rewritten.json()["criteria"][0]["cells"][0]["description"] == "Now shows 1"
    refused = send(
        signed_in(teacher_in(district)), "put", f"/api/v1/rubrics/{rubric_id}", payload(competency)
    )
    assert refused.status_code == 403


def test_every_criterion_shares_the_rubric_scale(
    published: FrameworkVersion, district: Organization, state: Organization, demo: Demo
) -> None:
    other_scale = services.scale_create(
        owner=state,
        name="Three levels",
        levels=[
            services.LevelSpec(1, "Not yet"),
            services.LevelSpec(2, "Almost"),
            services.LevelSpec(3, "Yes", meets_mastery=True),
        ],
    )
    elsewhere = services.framework_create(owner=state, title="Other", scale=other_scale)
    foreign = services.competency_create(
        version=elsewhere,
        parent=None,
        fields=services.CompetencyFields(human_code="O.1", full_statement="Other."),
    )
    services.version_publish(version=elsewhere, actor=None)
    mixed = payload(published.competencies.get(human_code="SL.1"))
    mixed["criteria"].append({**payload(foreign)["criteria"][0], "competency_id": foreign.pk})
    response = send(signed_in(teacher_in(district)), "post", "/api/v1/rubrics", mixed)
    assert response.status_code == 400
    assert "scored on another scale" in response.json()["detail"]
    assert not demo.added(Rubric).exists()
