"""The district administrator's pages: a new framework on its own scale, the draft editor, publishing,
discarding and retiring, and the scale editor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from tests.factories import UserFactory
from waypoint.core.models import Organization, User
from waypoint.frameworks import services
from waypoint.frameworks.models import Competency, Framework, ProficiencyScale, VersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(district_admin: User) -> Client:
    client = Client()
    client.force_login(district_admin)
    return client


def level_rows(levels: list[tuple[float, str, bool]], extra_blank: bool = True) -> dict[str, Any]:
    # As the browser sends it: prefilled rows count as initial forms, the blank row for a new level does not.
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(levels) + extra_blank),
        "form-INITIAL_FORMS": str(len(levels)),
    }
    for index, (value, label, mastery) in enumerate(levels):
        data[f"form-{index}-value"] = str(value)
        data[f"form-{index}-label"] = label
        if mastery:
            data[f"form-{index}-meets_mastery"] = "on"
    return data


def test_scale_editor_creates_validates_and_freezes(admin_client: Client, district: Organization) -> None:
    refused = admin_client.post(
        "/scales/new/",
        {"name": "No mastery", **level_rows([(1, "Low", False), (2, "High", False)], extra_blank=False)},
    )
    assert refused.status_code == 200
    assert "At least one level must meet mastery." in refused.content.decode()
    assert not ProficiencyScale.objects.filter(name="No mastery").exists()

    created = admin_client.post(
        "/scales/new/",
        {
            "name": "Three",
            **level_rows([(1, "Not yet", False), (2, "Nearly", False), (3, "Yes", True)], False),
        },
    )
    scale = ProficiencyScale.objects.get(name="Three")
    assert created.status_code == 302
    assert scale.owner == district
    assert list(scale.levels.values_list("label", flat=True)) == ["Not yet", "Nearly", "Yes"]

    edit = level_rows([(1, "Not yet", False), (2, "Nearly", False), (3, "Yes", True)], extra_blank=False)
    edit["form-1-DELETE"] = "on"
    assert admin_client.post(f"/scales/{scale.pk}/edit/", {"name": "Two", **edit}).status_code == 302
    assert list(scale.levels.values_list("label", flat=True)) == ["Not yet", "Yes"]

    services.scale_mark_in_use(scale=scale)
    frozen = admin_client.get(f"/scales/{scale.pk}/edit/", follow=True)
    assert "can no longer change" in frozen.content.decode()
    assert admin_client.post(f"/scales/{scale.pk}/edit/", {"name": "Again", **edit}).status_code == 302
    assert ProficiencyScale.objects.get(pk=scale.pk).name == "Two"


def test_the_draft_editor_adds_edits_publishes_and_freezes(
    admin_client: Client, district: Organization, demo: Demo
) -> None:
    scale = services.scale_create(owner=district, name="Ours", levels=list(services.DEFAULT_SCALE_LEVELS))
    response = admin_client.post(
        "/frameworks/new/", {"title": "Graduate profile", "kind": "graduate_profile", "scale": scale.pk}
    )
    framework = demo.added(Framework).get()
    assert framework.scale == scale
    draft = framework.versions.get()
    assert response["Location"] == f"/frameworks/versions/{draft.pk}/"

    fields = {
        "human_code": "COM",
        "full_statement": "Communicates.",
        "tier": "domain",
        "kind": "transferable_skill",
    }
    assert admin_client.post(f"/frameworks/versions/{draft.pk}/competencies/new/", fields).status_code == 302
    domain = demo.added(Competency).get(human_code="COM")
    child = {
        **fields,
        "human_code": "COM.1",
        "tier": "competency",
        "parent": domain.pk,
        "education_levels": "9, 10",
    }
    assert admin_client.post(f"/frameworks/versions/{draft.pk}/competencies/new/", child).status_code == 302
    competency = demo.added(Competency).get(human_code="COM.1")
    assert competency.parent == domain
    assert competency.education_levels == ["09", "10"]

    bad = admin_client.post(
        f"/competencies/{competency.pk}/edit/", {**child, "education_levels": "grade nine"}
    )
    assert bad.status_code == 200
    assert "Unknown education level" in bad.content.decode()

    confirm = admin_client.get(f"/frameworks/versions/{draft.pk}/publish/")
    assert "Publish version 1" in confirm.content.decode()
    assert admin_client.post(f"/frameworks/versions/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    after = admin_client.post(f"/competencies/{competency.pk}/edit/", {**child, "full_statement": "Changed."})
    assert after.status_code == 200
    assert "cannot change" in after.content.decode()
    assert Competency.objects.get(pk=competency.pk).full_statement == "Communicates."

    assert admin_client.post(f"/frameworks/versions/{draft.pk}/retire/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.RETIRED


def test_discarding_a_draft_keeps_the_published_version(admin_client: Client, district: Organization) -> None:
    first = services.framework_create(owner=district, title="Profile")
    services.competency_create(
        version=first, parent=None, fields=services.CompetencyFields(human_code="A", full_statement="A.")
    )
    services.version_publish(version=first, actor=None)
    second = services.draft_create(framework=first.framework)
    response = admin_client.post(f"/frameworks/versions/{second.pk}/discard/")
    assert response["Location"] == f"/frameworks/{first.framework_id}/"
    assert list(first.framework.versions.values_list("number", "status")) == [(1, "published")]
    assert admin_client.post(f"/frameworks/versions/{first.pk}/discard/").status_code == 302
    assert first.framework.versions.count() == 1


def test_the_list_links_an_editor_to_the_open_draft_and_hides_it_from_others(
    admin_client: Client, district: Organization
) -> None:
    first = services.framework_create(owner=district, title="Profile")
    services.competency_create(
        version=first, parent=None, fields=services.CompetencyFields(human_code="A", full_statement="A.")
    )
    services.version_publish(version=first, actor=None)
    draft = services.draft_create(framework=first.framework)
    page = admin_client.get("/frameworks/").content.decode()
    assert f'href="/frameworks/versions/{first.pk}/"' in page
    assert f'href="/frameworks/versions/{draft.pk}/">Open draft' in page
    reader = Client()
    reader.force_login(UserFactory())
    assert f"/frameworks/versions/{draft.pk}/" not in reader.get("/frameworks/").content.decode()


def test_the_tree_filters_by_grade_and_keeps_each_match_under_its_ancestors(
    admin_client: Client, district: Organization
) -> None:
    draft = services.framework_create(owner=district, title="Math")
    domain = services.competency_create(
        version=draft,
        parent=None,
        fields=services.CompetencyFields(human_code="EE", full_statement="Expressions.", tier="domain"),
    )
    for code, grade in (("EE.6", "06"), ("EE.8", "08")):
        services.competency_create(
            version=draft,
            parent=domain,
            fields=services.CompetencyFields(human_code=code, full_statement=code, education_levels=(grade,)),
        )
    everything = admin_client.get(f"/frameworks/versions/{draft.pk}/").content.decode()
    assert "EE.6" in everything
    assert '<option value="08">' in everything
    eighth = admin_client.get(f"/frameworks/versions/{draft.pk}/?grade=08").content.decode()
    assert "Competencies for grade 08" in eighth
    assert "<code>EE</code>" in eighth
    assert "<code>EE.8</code>" in eighth
    assert "<code>EE.6</code>" not in eighth
    unknown = admin_client.get(f"/frameworks/versions/{draft.pk}/?grade=99").content.decode()
    assert "<code>EE.6</code>" in unknown
