"""The frameworks API: reads for every signed-in user, writes for the owning district's administrators."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import Demo
from tests.factories import RoleFactory, UserFactory
from waypoint.core.models import Organization, Role, User
from waypoint.frameworks import services
from waypoint.frameworks.models import Competency, Framework, Rubric, Tier, VersionStatus

pytestmark = pytest.mark.django_db


def send(client: Client, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def admin_client(district_admin: User) -> Client:
    client = Client()
    client.force_login(district_admin)
    return client


def test_a_district_admin_builds_edits_and_publishes_a_framework(admin_client: Client, demo: Demo) -> None:
    created = send(
        admin_client, "post", "/api/v1/frameworks", {"title": "Graduate profile", "kind": "graduate_profile"}
    )
    assert created.status_code == 201
    version_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    domain = send(
        admin_client,
        "post",
        f"/api/v1/framework-versions/{version_id}/competencies",
        {"human_code": "COM", "full_statement": "Communicates effectively.", "tier": "domain"},
    )
    assert domain.status_code == 201
    child = send(
        admin_client,
        "post",
        f"/api/v1/framework-versions/{version_id}/competencies",
        {
            "human_code": "COM.1",
            "full_statement": "Presents ideas clearly to an audience.",
            "student_statement": "I can explain my ideas so others understand.",
            "parent_id": domain.json()["id"],
            "education_levels": ["09", "10"],
        },
    )
    assert child.status_code == 201
    assert child.json()["depth"] == 1

    edited = send(
        admin_client,
        "patch",
        f"/api/v1/competencies/{child.json()['id']}",
        {
            "human_code": "COM.1",
            "full_statement": "Presents ideas clearly.",
            "parent_id": domain.json()["id"],
        },
    )
    assert edited.status_code == 200
    assert edited.json()["full_statement"] == "Presents ideas clearly."

    bad = send(
        admin_client,
        "post",
        f"/api/v1/framework-versions/{version_id}/competencies",
        {"full_statement": "x", "education_levels": ["grade nine"]},
    )
    assert bad.status_code == 400
    assert "grade nine" in bad.json()["detail"]

    published = send(admin_client, "post", f"/api/v1/framework-versions/{version_id}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"

    frozen = send(
        admin_client, "patch", f"/api/v1/competencies/{child.json()['id']}", {"full_statement": "Changed."}
    )
    assert frozen.status_code == 409
    assert "cannot change" in frozen.json()["detail"]
    assert Competency.objects.get(pk=child.json()["id"]).full_statement == "Presents ideas clearly."

    framework_id = demo.added(Framework).get().pk
    draft = send(admin_client, "post", f"/api/v1/frameworks/{framework_id}/drafts")
    assert draft.status_code == 201
    assert draft.json()["number"] == 2
    diff = admin_client.get(f"/api/v1/framework-versions/{draft.json()['id']}/diff?against={version_id}")
    assert diff.json()["summary"] == "No changes."


def test_tree_and_search_answer_in_a_constant_number_of_queries(
    district: Organization, admin_client: Client
) -> None:
    draft = services.framework_create(owner=district, title="Math")
    parent = None
    for n in range(30):
        fields = services.CompetencyFields(human_code=f"M.{n}", full_statement=f"Solves problem type {n}.")
        made = services.competency_create(version=draft, parent=parent if n % 3 else None, fields=fields)
        parent = made if n % 3 == 0 else parent
    url = f"/api/v1/framework-versions/{draft.pk}/competencies"
    with CaptureQueriesContext(connection) as few:
        assert len(admin_client.get(url).json()["items"]) == 30
    services.competency_create(
        version=draft, parent=None, fields=services.CompetencyFields(human_code="M.x", full_statement="More.")
    )
    with CaptureQueriesContext(connection) as more:
        assert len(admin_client.get(url).json()["items"]) == 31
    assert len(more.captured_queries) == len(few.captured_queries)
    matches = admin_client.get(url + "?search=M.1").json()["items"]
    assert {m["human_code"] for m in matches} == {"M.1", *(f"M.{n}" for n in range(10, 20))}
    assert admin_client.get(url + "?search=type+7").json()["items"][0]["human_code"] == "M.7"


def test_drafts_are_invisible_outside_the_owning_districts_administrators(
    district: Organization, other_district: Organization, demo: Demo
) -> None:
    draft = services.framework_create(owner=district, title="Draft profile")
    teacher = UserFactory(district=district)
    RoleFactory(user=teacher, role=Role.TEACHER, organization=district)
    outsider_admin = UserFactory(district=other_district)
    RoleFactory(user=outsider_admin, role=Role.DISTRICT_ADMIN, organization=other_district)
    for user in (teacher, outsider_admin):
        client = Client()
        client.force_login(user)
        assert client.get(f"/api/v1/framework-versions/{draft.pk}/competencies").status_code == 404
        listed = [framework["id"] for framework in client.get("/api/v1/frameworks").json()["items"]]
        assert not demo.added(Framework).filter(pk__in=listed).exists()
        refused = send(client, "post", f"/api/v1/framework-versions/{draft.pk}/publish")
        assert refused.status_code == 404
    assert draft.status == VersionStatus.DRAFT


def test_a_scale_in_use_answers_409(district: Organization, admin_client: Client) -> None:
    scale = services.scale_create(owner=district, name="Ours", levels=list(services.DEFAULT_SCALE_LEVELS))
    levels = [{"value": 1, "label": "Not yet"}, {"value": 2, "label": "Yes", "meets_mastery": True}]
    assert (
        send(admin_client, "put", f"/api/v1/scales/{scale.pk}", {"name": "Two", "levels": levels}).status_code
        == 200
    )
    services.scale_mark_in_use(scale=scale)
    refused = send(admin_client, "put", f"/api/v1/scales/{scale.pk}", {"name": "Three", "levels": levels})
    assert refused.status_code == 409
    assert admin_client.get(f"/api/v1/scales/{scale.pk}").json()["name"] == "Two"
    invalid = services.scale_create(owner=district, name="Other", levels=list(services.DEFAULT_SCALE_LEVELS))
    no_mastery = [{"value": 1, "label": "A"}, {"value": 2, "label": "B"}]
    answer = send(admin_client, "put", f"/api/v1/scales/{invalid.pk}", {"name": "X", "levels": no_mastery})
    assert answer.status_code == 400
    assert "mastery" in answer.json()["detail"]


def test_competency_detail_resolves_alignments_and_lists_rubrics(
    district: Organization, admin_client: Client
) -> None:
    standards = services.framework_create(owner=district, title="Standards")
    target = services.competency_create(
        version=standards,
        parent=None,
        fields=services.CompetencyFields(human_code="S.1", full_statement="Std."),
    )
    services.version_publish(version=standards, actor=None)
    local = services.framework_create(owner=district, title="Local")
    competency = services.competency_create(
        version=local,
        parent=None,
        fields=services.CompetencyFields(human_code="L.1", full_statement="Local."),
    )
    competency.alignments.create(
        association_type="exactMatchOf",
        target_identifier=target.case_identifier,
        target_title="S.1",
        case_identifier="1d7fa0b6-3a6b-4bfa-9a7b-4c1d0d1f4e55",
    )
    services.rubric_create(
        owner=district,
        title="Local rubric",
        scale=local.framework.scale,
        criteria=[
            services.CriterionSpec(
                competency=competency, title="Quality", cells={float(v): ("T", "S") for v in (1, 2, 3, 4)}
            )
        ],
    )
    detail = admin_client.get(f"/api/v1/competencies/{competency.pk}").json()
    assert detail["alignments"][0]["target_competency_id"] == target.pk
    assert len(detail["rubric_ids"]) == 1
    rubric = admin_client.get(f"/api/v1/rubrics/{detail['rubric_ids'][0]}").json()
    assert [cell["level_label"] for cell in rubric["criteria"][0]["cells"]] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Advanced",
    ]
    assert Competency.objects.get(pk=competency.pk).tier == Tier.COMPETENCY


def test_patch_moves_a_competency_only_when_it_names_a_parent(
    district: Organization, admin_client: Client
) -> None:
    draft = services.framework_create(owner=district, title="Profile")
    top = services.competency_create(
        version=draft, parent=None, fields=services.CompetencyFields(human_code="A", full_statement="A.")
    )
    child = services.competency_create(
        version=draft, parent=top, fields=services.CompetencyFields(human_code="A.1", full_statement="A one.")
    )
    url = f"/api/v1/competencies/{child.pk}"
    kept = send(admin_client, "patch", url, {"human_code": "A.1", "full_statement": "Reworded."})
    assert kept.json()["parent_id"] == top.pk
    moved = send(
        admin_client, "patch", url, {"human_code": "A.1", "full_statement": "Reworded.", "parent_id": None}
    )
    assert moved.json()["parent_id"] is None
    assert moved.json()["depth"] == 0


def test_alignments_are_added_to_drafts_only_and_resolve_to_waypoint_items(
    district: Organization, state: Organization, admin_client: Client
) -> None:
    standards = services.framework_create(owner=state, title="State standards")
    target = services.competency_create(
        version=standards,
        parent=None,
        fields=services.CompetencyFields(human_code="S.1", full_statement="Std."),
    )
    services.version_publish(version=standards, actor=None)
    local = services.framework_create(owner=district, title="Local")
    competency = services.competency_create(
        version=local,
        parent=None,
        fields=services.CompetencyFields(human_code="L.1", full_statement="Local."),
    )
    url = f"/api/v1/competencies/{competency.pk}/alignments"
    made = send(
        admin_client, "post", url, {"association_type": "exactMatchOf", "target_competency_id": target.pk}
    )
    assert made.status_code == 201
    assert made.json()["target_title"] == "S.1"
    again = send(
        admin_client, "post", url, {"association_type": "exactMatchOf", "target_competency_id": target.pk}
    )
    assert again.status_code == 400
    assert "already there" in again.json()["detail"]
    outside = send(
        admin_client,
        "post",
        url,
        {
            "association_type": "isRelatedTo",
            "target_identifier": "urn:x-ngss:MS-PS1-1",
            "target_title": "MS-PS1-1",
        },
    )
    assert outside.status_code == 201
    nowhere = send(admin_client, "post", url, {"association_type": "isRelatedTo"})
    assert nowhere.status_code == 400

    detail = admin_client.get(f"/api/v1/competencies/{competency.pk}").json()
    assert {a["target_competency_id"] for a in detail["alignments"]} == {target.pk, None}
    page = admin_client.get(f"/competencies/{target.pk}/").content.decode()
    assert "Aligned from" in page

    services.version_publish(version=local, actor=None)
    frozen = send(admin_client, "delete", f"/api/v1/alignments/{made.json()['id']}", None)
    assert frozen.status_code == 409
    assert competency.alignments.count() == 2


def test_the_competency_page_adds_an_alignment_by_framework_and_code(
    district: Organization, state: Organization, admin_client: Client
) -> None:
    standards = services.framework_create(owner=state, title="State standards")
    target = services.competency_create(
        version=standards,
        parent=None,
        fields=services.CompetencyFields(human_code="S.2", full_statement="Std."),
    )
    services.version_publish(version=standards, actor=None)
    local = services.framework_create(owner=district, title="Local")
    competency = services.competency_create(
        version=local,
        parent=None,
        fields=services.CompetencyFields(human_code="L.2", full_statement="Local."),
    )
    form = {"association_type": "isRelatedTo", "framework": standards.framework_id, "code": "S.9"}
    missing = admin_client.post(f"/competencies/{competency.pk}/alignments/", form, follow=True)
    assert "No item with the code “S.9”" in missing.content.decode()
    added = admin_client.post(
        f"/competencies/{competency.pk}/alignments/", {**form, "code": "S.2"}, follow=True
    )
    assert "The alignment is added." in added.content.decode()
    alignment = competency.alignments.get()
    assert alignment.target_identifier == target.case_identifier
    removed = admin_client.post(f"/alignments/{alignment.pk}/delete/", follow=True)
    assert "The alignment is removed." in removed.content.decode()
    assert not competency.alignments.exists()


FIXTURES = Path(__file__).parent / "fixtures"


def test_api_import_creates_then_finds_nothing_new_and_lists_every_problem(
    admin_client: Client, district: Organization, settings: Any, demo: Demo
) -> None:
    with (FIXTURES / "case_rubrics.json").open("rb") as upload:
        first = admin_client.post("/api/v1/frameworks/import", {"file": upload, "publish": "true"})
    assert first.status_code == 201
    assert first.json()["outcome"] == "created"
    assert first.json()["version"]["status"] == "published"
    assert demo.added(Framework).get().owner == district
    with (FIXTURES / "case_rubrics.json").open("rb") as upload:
        second = admin_client.post("/api/v1/frameworks/import", {"file": upload})
    assert second.json()["outcome"] == "unchanged"

    bad = io.BytesIO(
        json.dumps({"CFDocument": {"identifier": "d"}, "CFItems": [{"identifier": "i"}]}).encode()
    )
    bad.name = "bad.json"
    refused = admin_client.post("/api/v1/frameworks/import", {"file": bad})
    assert refused.status_code == 400
    assert "title" in refused.json()["detail"]
    assert "fullStatement" in refused.json()["detail"]
    settings.WAYPOINT_CASE_MAX_BYTES = 100
    with (FIXTURES / "case_rubrics.json").open("rb") as upload:
        too_big = admin_client.post("/api/v1/frameworks/import", {"file": upload})
    assert too_big.status_code == 400
    assert demo.added(Framework).count() == 1


def test_api_adopts_retires_discards_and_creates_scales(
    admin_client: Client, district: Organization, state: Organization, demo: Demo
) -> None:
    standards = services.framework_create(owner=state, title="State standards")
    services.competency_create(
        version=standards,
        parent=None,
        fields=services.CompetencyFields(human_code="S.1", full_statement="S."),
    )
    services.version_publish(version=standards, actor=None)
    adopted = send(admin_client, "post", f"/api/v1/frameworks/{standards.framework_id}/adoptions")
    assert adopted.status_code == 201
    assert adopted.json()["district_id"] == district.pk

    own = services.framework_create(owner=district, title="Own")
    services.competency_create(
        version=own, parent=None, fields=services.CompetencyFields(human_code="O.1", full_statement="O.")
    )
    services.version_publish(version=own, actor=None)
    assert send(admin_client, "post", f"/api/v1/frameworks/{own.framework_id}/adoptions").status_code == 400
    retired = send(admin_client, "post", f"/api/v1/framework-versions/{own.pk}/retire")
    assert retired.json()["status"] == "retired"
    assert send(admin_client, "post", f"/api/v1/framework-versions/{own.pk}/retire").status_code == 400
    draft = services.draft_create(framework=own.framework)
    assert send(admin_client, "delete", f"/api/v1/framework-versions/{draft.pk}").status_code == 204
    assert send(admin_client, "delete", f"/api/v1/framework-versions/{own.pk}").status_code == 409

    levels = [{"value": 0, "label": "Not yet"}, {"value": 1, "label": "Met", "meets_mastery": True}]
    scale = send(admin_client, "post", "/api/v1/scales", {"name": "Met or not", "levels": levels})
    assert scale.status_code == 201
    assert [level["label"] for level in scale.json()["levels"]] == ["Not yet", "Met"]
    listed = [rubric["id"] for rubric in admin_client.get("/api/v1/rubrics").json()["items"]]
    assert not demo.added(Rubric).filter(pk__in=listed).exists()
