"""The CASE 1.1 provider (/ims/case/v1p1/…): every URI the CASE export mints resolves, the answers validate
against the official CASE 1.1 schema, only published versions are served (to anyone), and refusals are
CASE's imsx_StatusInfo."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import Demo
from tests.factories import DistrictFactory, StateFactory
from waypoint.core.models import Organization
from waypoint.frameworks import case, services
from waypoint.frameworks.models import Competency, FrameworkVersion
from waypoint.frameworks.selectors import case_export

FIXTURE = Path(__file__).parents[1] / "frameworks" / "fixtures" / "case_v1p1_complete.json"
API = "/ims/case/v1p1"
# Minted URIs that name nothing Waypoint serves: CASE 1.1 has no endpoint for rubric criteria and levels.
NOT_SERVED = ("CFRubricCriteria", "CFRubricCriterionLevels")

pytestmark = pytest.mark.django_db


def _fixture(*, without_uris: bool = False) -> dict[str, Any]:
    """The hand-written CASE 1.1 package; without its uris, every uri of an export is minted by Waypoint."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    if without_uris:

        def strip(value: object) -> None:
            if isinstance(value, dict):
                value.pop("uri", None)
                for entry in value.values():
                    strip(entry)
            elif isinstance(value, list):
                for entry in value:
                    strip(entry)

        strip(data)
    return data


def _import(data: dict[str, Any], owner: Organization, *, publish: bool = True) -> FrameworkVersion:
    raw = json.dumps(data).encode()
    return services.case_import(
        package=case.parse_package_data(data),
        owner=owner,
        file_name="case.json",
        content=raw,
        publish=publish,
    ).version


def _waypoint_made(owner: Organization) -> FrameworkVersion:
    """A framework written in Waypoint (no CASE import): its identifiers and uris are all Waypoint's."""
    draft = services.framework_create(owner=owner, title="Made in Waypoint")
    top = services.competency_create(
        version=draft, parent=None, fields=services.CompetencyFields(human_code="W.1", full_statement="Top.")
    )
    first = services.competency_create(
        version=draft, parent=top, fields=services.CompetencyFields(human_code="W.1.1", full_statement="One.")
    )
    second = services.competency_create(
        version=draft, parent=top, fields=services.CompetencyFields(human_code="W.1.2", full_statement="Two.")
    )
    services.alignment_create(competency=first, association_type="precedes", target=second)
    return services.version_publish(version=draft, actor=None)


@pytest.fixture
def district(db: None) -> Organization:
    district: Organization = DistrictFactory(parent=StateFactory())
    return district


@pytest.fixture(scope="module")
def schema(shared_data: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (shared_data / "case" / "schema" / "case_v1p1_cfpackage_official.json").read_text()
    )
    return loaded


def violations(schema: dict[str, Any], definition: str | None, value: object) -> list[str]:
    """Where `value` breaks the official CASE 1.1 schema (the whole package, or one of its $defs)."""
    target = schema if definition is None else {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    validator = jsonschema.Draft201909Validator(target, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]


def get(path: str, *, client: Client | None = None, **query: str) -> Any:
    return (client or Client()).get(path, query)


def minted(exported: dict[str, Any]) -> set[str]:
    """Every uri under WAYPOINT_BASE_URL in an exported package, but for destinations outside it: one that
    came without a uri gets one minted from its identifier, which names nothing Waypoint holds."""
    found: set[str] = set()
    inside = {item["identifier"] for item in exported["CFItems"]} | {exported["CFDocument"]["identifier"]}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            uri = value.get("uri")
            if isinstance(uri, str) and uri.startswith(settings.WAYPOINT_BASE_URL):
                found.add(uri)
            for name, entry in value.items():
                outside = name == "destinationNodeURI" and entry["identifier"] not in inside
                if not outside:
                    walk(entry)
        elif isinstance(value, list):
            for entry in value:
                walk(entry)

    walk(exported)
    return found


def test_every_uri_the_export_mints_resolves(district: Organization) -> None:
    versions = [_import(_fixture(without_uris=True), district), _waypoint_made(district)]
    checked = 0
    for version in versions:
        versions_of_case: tuple[case.CaseVersion, ...] = ("1.0", "1.1")
        for case_version in versions_of_case:
            exported = case_export(version, case_version=case_version)
            for uri in sorted(minted(exported)):
                path = urlsplit(uri).path
                collection, identifier = path.split("/")[-2:]
                if collection in NOT_SERVED:
                    continue
                response = get(path)
                assert response.status_code == 200, (uri, response.content)
                assert response["Content-Type"] == "application/json"
                body = response.json()
                named = {
                    "CFPackages": lambda b: b["CFDocument"]["identifier"],
                    "CFItemTypes": lambda b: b["CFItemTypes"][0]["identifier"],
                    "CFSubjects": lambda b: b["CFSubjects"][0]["identifier"],
                    "CFConcepts": lambda b: b["CFConcepts"][0]["identifier"],
                }.get(collection, lambda b: b["identifier"])(body)
                assert named.lower() == identifier.lower(), uri
                checked += 1
    # Documents, packages, 4 + 3 items, their isChildOf and other associations, all five kinds of definition.
    assert checked > 40


def test_the_answers_validate_against_the_official_case_1_1_schema(
    district: Organization, schema: dict[str, Any]
) -> None:
    version = _import(_fixture(), district)
    package = get(f"{API}/CFPackages/{version.framework.case_identifier}").json()
    assert violations(schema, None, package) == []
    assert package["CFDocument"]["caseVersion"] == "1.1"

    document = get(f"{API}/CFDocuments/{version.framework.case_identifier}").json()
    assert violations(schema, "LinkURI", document.pop("CFPackageURI")) == []
    assert violations(schema, "CFPckgDocument", document) == []
    assert document == package["CFDocument"]

    for entry in package["CFItems"]:
        item = get(f"{API}/CFItems/{entry['identifier']}").json()
        assert violations(schema, "LinkURI", item.pop("CFDocumentURI")) == []
        assert item == entry
    for entry in package["CFAssociations"]:
        association = get(f"{API}/CFAssociations/{entry['identifier']}").json()
        assert violations(schema, "LinkURI", association.pop("CFDocumentURI")) == []
        assert association == entry
    definitions = package["CFDefinitions"]
    for kind, definition in (
        ("CFLicenses", "CFLicense"),
        ("CFAssociationGroupings", "CFAssociationGrouping"),
    ):
        for entry in definitions[kind]:
            answer = get(f"{API}/{kind}/{entry['identifier']}").json()
            assert violations(schema, definition, answer) == []
            assert answer == entry
    # Concepts, subjects and item types come as a set: the one asked for, then those below it.
    item_types = get(f"{API}/CFItemTypes/{definitions['CFItemTypes'][0]['identifier']}").json()
    assert [entry["hierarchyCode"] for entry in item_types["CFItemTypes"]] == ["1", "1.1", "1.1.1"]
    subjects = get(f"{API}/CFSubjects/{definitions['CFSubjects'][1]['identifier']}").json()
    assert [entry["title"] for entry in subjects["CFSubjects"]] == ["Physics"]


def test_an_items_associations_are_served_with_it(district: Organization) -> None:
    version = _import(_fixture(), district)
    competency = version.competencies.get(human_code="SCI.1.1")
    body = get(f"{API}/CFItemAssociations/{competency.case_identifier}").json()
    assert body["CFItem"]["humanCodingScheme"] == "SCI.1.1"
    kinds = sorted(a["associationType"] for a in body["CFAssociations"])
    # Its own isChildOf, its child's isChildOf, and the precedes it starts.
    assert kinds == ["isChildOf", "isChildOf", "precedes"]


def test_only_published_versions_are_served(district: Organization) -> None:
    draft = _import(_fixture(), district, publish=False)
    item = draft.competencies.get(human_code="SCI.1")
    for path in (
        f"{API}/CFDocuments/{draft.framework.case_identifier}",
        f"{API}/CFPackages/{draft.framework.case_identifier}",
        f"{API}/CFItems/{item.case_identifier}",
    ):
        response = get(path)
        assert response.status_code == 404
        assert response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
            "unknownobject"
        )
    documents = get(f"{API}/CFDocuments", limit="1000").json()["CFDocuments"]
    assert draft.framework.case_identifier not in {document["identifier"] for document in documents}


def test_a_new_published_version_replaces_the_old_one_at_the_same_uris(district: Organization) -> None:
    first = _import(_fixture(), district)
    changed = _fixture()
    changed["CFItems"][0]["fullStatement"] = "Scientific inquiry, revised."
    changed["CFDocument"]["version"] = "2025"
    second = _import(changed, district)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.status == "retired"
    item = second.competencies.get(human_code="SCI.1")
    assert (
        get(f"{API}/CFItems/{item.case_identifier}").json()["fullStatement"] == "Scientific inquiry, revised."
    )
    document = get(f"{API}/CFDocuments/{second.framework.case_identifier}").json()
    assert document["version"] == "2025"


def test_unknown_and_malformed_identifiers_are_404_status_info() -> None:
    unknown = get(f"{API}/CFItems/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/json"
    body = unknown.json()
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    assert "00000000-0000-4000-8000-000000000000" in body["imsx_description"]
    assert body["imsx_codeMinor"]["imsx_codeMinorField"] == [
        {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
    ]
    for collection in ("CFDocuments", "CFPackages", "CFAssociations", "CFLicenses", "CFRubrics"):
        malformed = get(f"{API}/{collection}/not-a-uuid")
        assert malformed.status_code == 404
        field = malformed.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert field["imsx_codeMinorFieldValue"] == "invalid_uuid"


def test_identifiers_match_in_any_letter_case(district: Organization) -> None:
    version = _import(_fixture(), district)
    identifier = version.competencies.get(human_code="SCI.1").case_identifier
    assert get(f"{API}/CFItems/{identifier.upper()}").json()["identifier"] == identifier


def test_the_state_s_copy_is_served_when_two_owners_hold_the_same_document(district: Organization) -> None:
    district_copy = _fixture()
    district_copy["CFDocument"]["title"] = "The district's copy"
    _import(district_copy, district)
    _import(_fixture(), district.parent)  # type: ignore[arg-type]
    identifier = district_copy["CFDocument"]["identifier"]
    assert get(f"{API}/CFDocuments/{identifier}").json()["title"] == "Example Science Competencies"
    documents = get(f"{API}/CFDocuments", limit="1000").json()["CFDocuments"]
    assert [document["identifier"] for document in documents].count(identifier) == 1


def test_the_document_list_pages_sorts_and_refuses_what_it_cannot_do(district: Organization) -> None:
    _import(_fixture(), district)
    everything = get(f"{API}/CFDocuments", limit="1000")
    total = int(everything["X-Total-Count"])
    titles = [document["title"] for document in everything.json()["CFDocuments"]]
    assert total == len(titles) >= 2
    assert titles == sorted(titles, key=str.casefold)

    page = get(f"{API}/CFDocuments", limit="1", offset="1", sort="title", orderBy="desc")
    assert [document["title"] for document in page.json()["CFDocuments"]] == [
        sorted(titles, key=str.casefold, reverse=True)[1]
    ]
    links = page["Link"]
    assert 'rel="first"' in links
    assert 'rel="prev"' in links
    assert 'rel="last"' in links
    assert ("offset=2" in links) == (total > 2)

    for query, code in (
        ({"limit": "0"}, "invalid_selection_field"),
        ({"limit": "ten"}, "invalid_selection_field"),
        ({"offset": "-1"}, "invalid_selection_field"),
        ({"sort": "password"}, "invalid_sort_field"),
        ({"orderBy": "sideways"}, "invalid_selection_field"),
        ({"filter": "title='x'"}, "invalid_selection_field"),
    ):
        refused = Client().get(f"{API}/CFDocuments", query)
        assert refused.status_code == 400, query
        assert refused.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == code


def test_it_only_reads_and_any_site_may_read_it(demo: Demo) -> None:
    refused = Client().post(f"{API}/CFDocuments")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"
    assert refused.json()["imsx_codeMajor"] == "failure"
    answer = get(f"{API}/CFDocuments")
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert answer["Cache-Control"] == "public, max-age=300"


def test_the_demo_s_frameworks_are_public(demo: Demo) -> None:
    """Anyone reads a district's published graduate profile, signed in elsewhere or not at all."""
    version = FrameworkVersion.objects.get(
        framework__owner=demo.riverside, framework__kind="graduate_profile", status="published"
    )
    other = Client()
    other.force_login(demo.users["other-teacher"])
    for client in (Client(), other):
        body = get(f"{API}/CFPackages/{version.framework.case_identifier}", client=client).json()
        assert body["CFDocument"]["identifier"] == version.framework.case_identifier
        assert len(body["CFItems"]) == version.competencies.count()


def test_the_document_list_reads_in_few_queries(demo: Demo, district: Organization) -> None:
    for number in range(3):
        data = _fixture()
        # Another framework: every link to the document names the new identifier too.
        text = json.dumps(data).replace(
            data["CFDocument"]["identifier"], f"5b0c6e6a-0000-4000-8000-00000000000{number}"
        )
        _import(json.loads(text), district)
    with CaptureQueriesContext(connection) as queries:
        response = get(f"{API}/CFDocuments", limit="1000")
    assert response.status_code == 200
    assert len(response.json()["CFDocuments"]) >= 4
    # One query for the published versions with their frameworks and owners, whatever their number (and
    # the session's, none for an anonymous reader).
    assert len(queries) <= 2, [query["sql"] for query in queries]


@pytest.mark.shared_data
def test_the_items_of_common_core_resolve_and_the_package_is_whole(
    shared_data: Path, district: Organization
) -> None:
    raw = (shared_data / "case" / "ccss_math_opensalt_2017.json").read_bytes()
    version = services.case_import(
        package=case.parse_package(raw), owner=district, file_name="ccss.json", content=raw, publish=True
    ).version
    identifiers = list(
        Competency.objects.filter(version=version).order_by("path").values_list("case_identifier", flat=True)
    )
    client = Client()
    for identifier in identifiers[:: len(identifiers) // 10][:10]:
        item = client.get(f"{API}/CFItems/{identifier}")
        assert item.status_code == 200
        assert item.json()["identifier"] == identifier
    package = client.get(f"{API}/CFPackages/{version.framework.case_identifier}").json()
    assert len(package["CFItems"]) == 703
    assert copy.deepcopy(package) == package


def test_an_item_type_is_found_by_its_title_only_where_the_export_derives_it(district: Organization) -> None:
    """Items made in Waypoint carry their type as a title, and the export derives the type's identifier from
    it; an imported package's items link types of their own, so that identifier names nothing there."""
    linked = _fixture()
    linked["CFItems"][0]["CFItemType"] = "Strand of inquiry"  # a title no other framework uses
    _import(linked, district)
    derived = case.derived_item_type_identifier("Strand of inquiry")
    refused = get(f"{API}/CFItemTypes/{derived}")
    assert refused.status_code == 404
    assert refused.json()["imsx_codeMajor"] == "failure"

    titled = copy.deepcopy(linked)
    for item in titled["CFItems"]:
        item.pop("CFItemTypeURI")
    titled["CFDefinitions"].pop("CFItemTypes")
    text = json.dumps(titled).replace(
        titled["CFDocument"]["identifier"], "6c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f"
    )
    _import(json.loads(text), district)
    found = get(f"{API}/CFItemTypes/{derived}").json()
    assert [entry["title"] for entry in found["CFItemTypes"]] == ["Strand of inquiry"]
