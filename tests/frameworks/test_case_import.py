"""CASE 1.0 import and export through the database, the CLI and the API: real packages, round trips, updates
instead of duplicates, and bad input that writes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import Demo
from tests.frameworks.conftest import schema_errors
from waypoint.core.models import Organization, User
from waypoint.frameworks import case, services
from waypoint.frameworks.models import (
    Alignment,
    Competency,
    Framework,
    FrameworkImport,
    FrameworkVersion,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.selectors import case_export

pytestmark = pytest.mark.django_db

# file → (items, associations including isChildOf)
REAL_PACKAGES = {
    "act_holistic_framework_math.json": (28, 28),
    "opensalt_what_standards_could_be.json": (16, 39),
    "ccss_math_opensalt_2017.json": (703, 703),
    "ccss_ela_items_opensalt.csv": (1189, 1189),
}


def import_file(path: Path, owner: Organization, **options: Any) -> services.ImportResult:
    raw = path.read_bytes()
    package = services.case_parse(raw=raw, file_name=path.name)
    return services.case_import(package=package, owner=owner, file_name=path.name, content=raw, **options)


def normalised(package: dict[str, Any]) -> dict[str, Any]:
    """A CFPackage with every list sorted by identifier, so two exports compare by content."""
    result = json.loads(json.dumps(package))
    for key in ("CFItems", "CFAssociations", "CFRubrics"):
        result.get(key, []).sort(key=lambda entry: entry["identifier"])
    return result


def export_counts(package: dict[str, Any]) -> tuple[int, int]:
    return len(package["CFItems"]), len(package["CFAssociations"])


@pytest.mark.parametrize("file_name", sorted(REAL_PACKAGES))
def test_real_package_imports_exports_valid_case_and_round_trips(
    file_name: str,
    shared_data: Path,
    case_schema: dict[str, Any],
    state: Organization,
    district: Organization,
) -> None:
    items, associations = REAL_PACKAGES[file_name]
    result = import_file(shared_data / "case" / file_name, state)
    version = result.version
    assert (result.items, result.associations) == (items, associations)
    assert version.competencies.count() == items
    non_tree = associations - items
    assert Alignment.objects.filter(competency__version=version).count() == non_tree
    # Every item has exactly one place in the tree: the roots plus the children account for every isChildOf.
    assert (
        version.competencies.filter(parent__isnull=False).count()
        + version.competencies.filter(parent__isnull=True).count()
        == items
    )

    exported = case_export(version)
    assert schema_errors(case_schema, exported) == []
    assert export_counts(exported) == (items, associations)

    # The export imported elsewhere exports identically: same tree, statements, codes and associations.
    again = services.case_import(
        package=case.parse_package_data(exported), owner=district, file_name="export.json", content=b"{}"
    )
    assert normalised(case_export(again.version)) == normalised(exported)
    tree = [
        (c.human_code, c.full_statement, c.depth, c.case_identifier)
        for c in version.competencies.order_by("path")
    ]
    tree_again = [
        (c.human_code, c.full_statement, c.depth, c.case_identifier)
        for c in again.version.competencies.order_by("path")
    ]
    assert tree_again == tree


def test_act_export_keeps_every_identifier_and_uri(shared_data: Path, state: Organization) -> None:
    source = json.loads((shared_data / "case" / "act_holistic_framework_math.json").read_text())
    exported = case_export(
        import_file(shared_data / "case" / "act_holistic_framework_math.json", state).version
    )
    for key in ("CFItems", "CFAssociations"):
        assert {(e["identifier"], e["uri"]) for e in exported[key]} == {
            (e["identifier"], e["uri"]) for e in source[key]
        }
    assert exported["CFDocument"]["identifier"] == source["CFDocument"]["identifier"]
    assert exported["CFDocument"]["uri"] == source["CFDocument"]["uri"]
    statements = {e["identifier"]: (e["fullStatement"], e["humanCodingScheme"]) for e in source["CFItems"]}
    assert {
        e["identifier"]: (e["fullStatement"], e["humanCodingScheme"]) for e in exported["CFItems"]
    } == statements


def test_ccss_math_keeps_asn_identifiers_and_derives_stable_uuids(
    shared_data: Path, state: Organization
) -> None:
    path = shared_data / "case" / "ccss_math_opensalt_2017.json"
    result = import_file(path, state)
    assert any("not UUIDs" in warning or "UUID" in warning for warning in result.warnings)
    standard = result.version.competencies.get(human_code="CCSS.Math.Content.8.EE.C.7")
    assert standard.source_identifier.startswith("http://")
    assert case.is_uuid(standard.case_identifier)
    assert standard.case_identifier == case.stable_identifier(standard.source_identifier)
    assert standard.tier == Tier.COMPETENCY
    assert result.version.competencies.filter(item_type="Domain", tier=Tier.DOMAIN).count() == 33


def test_importing_the_same_package_twice_updates_instead_of_duplicating(
    shared_data: Path, state: Organization, demo: Demo
) -> None:
    path = shared_data / "case" / "opensalt_what_standards_could_be.json"
    first = import_file(path, state)
    second = import_file(path, state)
    assert (first.outcome, second.outcome) == ("created", "unchanged")
    assert demo.added(Framework).count() == 1
    assert demo.added(Competency).count() == 16
    assert demo.added(Alignment).count() == 23
    assert demo.added(FrameworkImport).count() == 2


def test_reimporting_a_changed_package_opens_a_new_draft_of_a_published_framework(
    state: Organization,
) -> None:
    package = json.loads((Path(__file__).parent / "fixtures" / "case_rubrics.json").read_text())
    raw = json.dumps(package).encode()
    first = services.case_import(
        package=case.parse_package(raw), owner=state, file_name="p.json", content=raw, publish=True
    )
    assert first.version.status == VersionStatus.PUBLISHED
    package["CFItems"][0]["fullStatement"] = "A reworded statement."
    raw = json.dumps(package).encode()
    second = services.case_import(
        package=case.parse_package(raw), owner=state, file_name="p.json", content=raw
    )
    assert second.outcome == "new_draft"
    assert second.version.number == 2
    assert second.version.status == VersionStatus.DRAFT
    first.version.refresh_from_db()
    assert first.version.competencies.filter(full_statement="A reworded statement.").count() == 0
    assert second.version.competencies.filter(full_statement="A reworded statement.").count() == 1
    third = services.case_import(
        package=case.parse_package(raw), owner=state, file_name="p.json", content=raw
    )
    assert third.outcome == "unchanged"
    assert FrameworkVersion.objects.filter(framework=first.version.framework).count() == 2


def test_cfrubrics_import_onto_the_scale_in_both_languages(state: Organization) -> None:
    raw = (Path(__file__).parent / "fixtures" / "case_rubrics.json").read_bytes()
    result = services.case_import(
        package=case.parse_package(raw), owner=state, file_name="r.json", content=raw
    )
    rubric = result.version.rubrics.get()
    cells = list(
        rubric.criteria.first()
        .cells.order_by("level__value")
        .values_list(  # type: ignore[union-attr]
            "level__value", "description", "student_description"
        )
    )
    assert [value for value, _, _ in cells] == sorted(value for value, _, _ in cells)
    assert all(teacher and student for _, teacher, student in cells)
    exported = case_export(result.version)
    assert len(exported["CFRubrics"]) == 1


def test_a_rubric_score_off_the_scale_refuses_the_whole_import(state: Organization, demo: Demo) -> None:
    package = json.loads((Path(__file__).parent / "fixtures" / "case_rubrics.json").read_text())
    package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][0]["score"] = 9
    raw = json.dumps(package).encode()
    with pytest.raises(services.FrameworkError, match="score 9"):
        services.case_import(package=case.parse_package(raw), owner=state, file_name="r.json", content=raw)
    assert not demo.added(Framework).exists()
    assert not demo.added(Competency).exists()


BAD_PACKAGES: dict[str, tuple[bytes, str]] = {
    "malformed JSON": (b'{"CFDocument": {"identifier": ', "line 1"),
    "missing required fields": (
        json.dumps(
            {"CFDocument": {"identifier": "4c8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1"}, "CFItems": [{}]}
        ).encode(),
        "title",
    ),
    "unknown association type": (
        json.dumps(
            {
                "CFDocument": {"identifier": "4c8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1", "title": "T"},
                "CFItems": [{"identifier": "5d8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1", "fullStatement": "S"}],
                "CFAssociations": [
                    {
                        "identifier": "6e8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1",
                        "associationType": "isCousinOf",
                        "originNodeURI": {"identifier": "5d8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1"},
                        "destinationNodeURI": {"identifier": "4c8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1"},
                    }
                ],
            }
        ).encode(),
        "isCousinOf",
    ),
}


@pytest.mark.parametrize("family", sorted(BAD_PACKAGES))
def test_cli_refuses_bad_packages_with_every_problem_and_writes_nothing(
    family: str, tmp_path: Path, state: Organization, demo: Demo
) -> None:
    raw, expected = BAD_PACKAGES[family]
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    with pytest.raises(CommandError, match="refused") as refused:
        call_command("import-case", str(path), "--no-progress")
    assert expected in str(refused.value)
    assert not demo.added(Framework).exists()
    assert not demo.added(Competency).exists()
    assert not demo.added(FrameworkImport).exists()


def test_cli_refuses_a_file_over_the_size_limit(
    tmp_path: Path, state: Organization, settings: Any, demo: Demo
) -> None:
    settings.WAYPOINT_CASE_MAX_BYTES = 1024
    path = tmp_path / "large.json"
    path.write_text(json.dumps({"CFDocument": {"title": "x" * 2048}}))
    with pytest.raises(CommandError, match="limit"):
        call_command("import-case", str(path), "--no-progress")
    assert not demo.added(Framework).exists()


def test_cli_imports_for_a_district_and_exports_to_stdout(
    shared_data: Path, case_schema: dict[str, Any], district: Organization, demo: Demo
) -> None:
    out, err = io.StringIO(), io.StringIO()
    path = shared_data / "case" / "act_holistic_framework_math.json"
    call_command("import-case", str(path), "--district", district.slug, "--publish", stdout=out, stderr=err)
    framework = demo.added(Framework).get()
    assert framework.owner == district
    assert "created; version 1 (published)" in out.getvalue()
    assert "28 items, 28 associations" in out.getvalue()
    exported = io.StringIO()
    call_command("export-case", str(framework.pk), stdout=exported)
    package = json.loads(exported.getvalue())
    assert schema_errors(case_schema, package) == []
    assert package["CFDocument"]["identifier"] == framework.case_identifier
    with pytest.raises(CommandError, match="No district"):
        call_command("import-case", str(path), "--district", "nowhere")


def test_api_export_matches_the_cli_and_needs_sign_in(
    shared_data: Path, state: Organization, district_admin: User
) -> None:
    version = import_file(
        shared_data / "case" / "act_holistic_framework_math.json", state, publish=True
    ).version
    client = Client()
    assert client.get(f"/api/v1/frameworks/{version.framework_id}/case").status_code == 401
    client.force_login(district_admin)
    response = client.get(f"/api/v1/frameworks/{version.framework_id}/case")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(case_export(version)))
    assert client.get(f"/api/v1/frameworks/{version.framework_id}/case?version=7").status_code == 404


def test_upload_page_imports_and_reports_warnings(
    shared_data: Path, district_admin: User, demo: Demo
) -> None:
    client = Client()
    client.force_login(district_admin)
    path = shared_data / "case" / "opensalt_what_standards_could_be.json"
    with path.open("rb") as upload:
        response = client.post("/frameworks/import/", {"file": upload, "kind": "standards"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "What Standards Could Be" in body
    framework = demo.added(Framework).get()
    assert framework.owner_id == district_admin.district_id
    assert framework.versions.get().competencies.count() == 16


def test_upload_page_refuses_a_file_that_is_not_what_its_name_says(district_admin: User, demo: Demo) -> None:
    client = Client()
    client.force_login(district_admin)
    fake = io.BytesIO(b"\x89PNG\r\n\x1a\n not a package")
    fake.name = "framework.json"
    response = client.post("/frameworks/import/", {"file": fake, "kind": "standards"})
    assert response.status_code == 400
    assert "not a JSON document" in response.content.decode()
    fake = io.BytesIO(b"{}")
    fake.name = "framework.exe"
    response = client.post("/frameworks/import/", {"file": fake, "kind": "standards"})
    assert response.status_code == 400
    assert not demo.added(Framework).exists()


def test_upload_page_lists_every_problem_of_a_bad_package(district_admin: User, demo: Demo) -> None:
    client = Client()
    client.force_login(district_admin)
    items = [{"identifier": "5d8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1", "fullStatement": "S"}] * 2
    package = io.BytesIO(json.dumps({"CFDocument": {"identifier": "x"}, "CFItems": items}).encode())
    package.name = "bad.json"
    response = client.post("/frameworks/import/", {"file": package, "kind": "standards"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "title" in body
    assert "5d8f0a4e-0d0b-4e8e-9a55-3a1b55d6e7a1" in body
    assert not demo.added(Framework).exists()


def test_values_longer_than_waypoint_stores_are_refused_not_cut(state: Organization, demo: Demo) -> None:
    package = json.loads((Path(__file__).parent / "fixtures" / "case_rubrics.json").read_text())
    package["CFItems"][1]["humanCodingScheme"] = "C" * 201
    raw = json.dumps(package).encode()
    with pytest.raises(services.FrameworkError) as refused:
        services.case_import(package=case.parse_package(raw), owner=state, file_name="p.json", content=raw)
    assert (
        "5b1a1175-9627-4e6a-a74b-e583e70fe056: human_code is 201 characters long; the limit is 200."
        in str(refused.value)
    )
    assert not demo.added(Competency).exists()


def test_a_nul_character_is_refused_before_it_reaches_the_database(state: Organization, demo: Demo) -> None:
    package = json.loads((Path(__file__).parent / "fixtures" / "case_rubrics.json").read_text())
    package["CFItems"][0]["fullStatement"] = "Collaboration\u0000"
    raw = json.dumps(package).encode()
    with pytest.raises(services.FrameworkError, match="full_statement contains a NUL character"):
        services.case_import(package=case.parse_package(raw), owner=state, file_name="p.json", content=raw)
    assert not demo.added(Framework).exists()
