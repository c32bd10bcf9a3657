"""Import → export → import loses nothing: what CASE packages say beyond Waypoint's own model (association
groupings, subjects, licences, concepts, item types, status dates, notes, CASE 1.1 extensions) is kept and
written back.

Pure round trips (waypoint.frameworks.case) on a hand-written CASE 1.1 package that uses every kept field and
on the real packages in ../shared/data; then through the database (import, export, import elsewhere, export
again, and re-import where it already is, which must change nothing)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command

from waypoint.core.models import Organization
from waypoint.frameworks import case, services
from waypoint.frameworks.case import CasePackage
from waypoint.frameworks.models import CaseDefinition, FrameworkImport
from waypoint.frameworks.selectors import case_export

FIXTURE = Path(__file__).parent / "fixtures" / "case_v1p1_complete.json"
BASE_URI = "https://waypoint.example/ims/case/v1p1"
GENERATED_AT = "2024-06-01T00:00:00+00:00"
REAL_FILES = [
    "act_holistic_framework_math.json",
    "opensalt_what_standards_could_be.json",
    "ccss_math_opensalt_2017.json",
    "ccss_ela_items_opensalt.csv",
]
# What CASE 1.0 has no place for: a 1.0 export leaves these out (and only these).
ONLY_IN_1_1 = {
    "document.framework_type",
    "document.extensions",
    "item.subjects",
    "item.subject_links",
    "item.extensions",
    "item.child_association_notes",
    "item.child_association_extensions",
    "association.notes",
    "association.extensions",
    "association.destination_target_type",
    "definition.extensions",
}


def left_out_of_1_0(package: CasePackage) -> set[str]:
    """What a CASE 1.0 export of `package` leaves out: the 1.1 fields and the associations of 1.1 types."""
    return ONLY_IN_1_1 | {
        f"association {association.identifier}"
        for association in package.associations
        if association.association_type in case.CASE_1_1_ASSOCIATION_TYPES
    }


def read(raw: bytes, name: str = "package.json") -> CasePackage:
    if name.endswith(".csv"):
        return case.parse_opensalt_csv(raw, title="CCSS English Language Arts")
    return case.parse_package(raw)


def build(package: CasePackage, version: case.CaseVersion) -> dict[str, Any]:
    return case.build_package(package, base_uri=BASE_URI, generated_at=GENERATED_AT, case_version=version)


def as_bytes(built: dict[str, Any]) -> bytes:
    return json.dumps(built, ensure_ascii=False).encode()


def losses(before: CasePackage, after: CasePackage) -> set[str]:
    """Every field that said something in `before` and says something else (or nothing) in `after`, named
    `<kind>.<field>`. Fields `before` left empty may be filled (uris and dates the export mints)."""
    lost: set[str] = set()

    def kept(old: object, new: object) -> bool:
        if isinstance(old, case.CaseLink):  # a link's uri may have been minted
            return isinstance(new, case.CaseLink) and all(
                kept(getattr(old, name), getattr(new, name)) for name in ("identifier", "title", "uri")
            )
        if isinstance(old, tuple) and old and isinstance(old[0], case.CaseLink):
            return isinstance(new, tuple) and len(new) == len(old) and all(map(kept, old, new))
        return old in ("", (), {}, None) or old == new

    def compare(kind: str, old: object, new: object) -> None:
        for field in dataclasses.fields(old):  # type: ignore[arg-type]
            if not kept(getattr(old, field.name), getattr(new, field.name)):
                lost.add(f"{kind}.{field.name}")

    compare("document", before.document, after.document)
    for kind, old_entries, new_entries in (
        ("item", before.items, after.items),
        ("association", before.associations, after.associations),
        ("definition", before.definitions, after.definitions),
    ):
        found = {(getattr(entry, "kind", ""), entry.identifier.lower()): entry for entry in new_entries}
        for entry in old_entries:
            new = found.get((getattr(entry, "kind", ""), entry.identifier.lower()))
            if new is None:
                lost.add(f"{kind} {entry.identifier}")
            else:
                compare(kind, entry, new)
    return lost


@pytest.fixture(scope="module")
def v1p1_validator(shared_data: Path) -> jsonschema.Draft201909Validator:
    schema = json.loads((shared_data / "case" / "schema" / "case_v1p1_cfpackage_official.json").read_text())
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def v1p0_validator(shared_data: Path) -> jsonschema.Draft4Validator:
    schema = json.loads(
        (shared_data / "case" / "schema" / "opensalt-case-v1p0-cfpackage-schema.json").read_text()
    )
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(validator: jsonschema.protocols.Validator, package: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]


# --- Without a database ------------------------------------------------------------------------------------


def test_the_fixture_uses_every_kept_field_and_reads_without_warnings() -> None:
    package = read(FIXTURE.read_bytes())
    assert package.warnings == ()
    document = package.document
    assert document.framework_type == "Competency framework"
    assert (document.status_start_date, document.status_end_date) == ("2024-07-01", "2030-06-30")
    assert document.license == case.CaseLink(
        identifier=document.license.identifier if document.license else "",
        title="CC BY 4.0",
        uri=f"https://standards.example.org/uri/{document.license.identifier if document.license else ''}",
    )
    assert [link.title for link in document.subject_links] == ["Science"]
    assert document.extensions == {"ext:reviewCycle": "5 years"}
    assert {definition.kind for definition in package.definitions} == set(case.DEFINITION_KINDS)
    by_code = {item.human_code: item for item in package.items}
    assert by_code["SCI.1.1"].concept_keywords_link is not None
    assert by_code["SCI.1.1"].child_association_grouping is not None
    assert by_code["SCI.1.1"].child_association_notes == "The first step."
    assert by_code["SCI.1.1.a"].subjects == ("Physics", "Chemistry")
    precedes = next(a for a in package.associations if a.association_type == "precedes")
    assert (precedes.grouping is not None, precedes.notes) == (True, "Investigate before communicating.")
    match = next(a for a in package.associations if a.association_type == "exactMatchOf")
    assert match.destination_target_type == "ext:NGSS"
    # Every kept field of every entry says something somewhere in the fixture, so the round trips below
    # check each of them.
    said = {
        f"{kind}.{field.name}"
        for kind, entries in (
            ("document", [document]),
            ("item", package.items),
            ("association", package.associations),
            ("definition", package.definitions),
        )
        for entry in entries
        for field in dataclasses.fields(entry)
        if getattr(entry, field.name) not in ("", (), {}, None)
    }
    assert said >= ONLY_IN_1_1
    assert {
        "item.license",
        "item.status_start_date",
        "definition.keywords",
        "definition.license_text",
    } <= said


def test_a_case_1_1_package_round_trips_exactly(v1p1_validator: jsonschema.Draft201909Validator) -> None:
    package = read(FIXTURE.read_bytes())
    exported = build(package, "1.1")
    assert errors(v1p1_validator, exported) == []
    again = read(as_bytes(exported))
    assert again.warnings == ()
    assert (again.document, again.items, again.associations, again.definitions) == (
        package.document,
        package.items,
        package.associations,
        package.definitions,
    )
    assert build(again, "1.1") == exported


def test_a_case_1_0_export_leaves_out_only_what_1_0_has_no_place_for(
    v1p0_validator: jsonschema.Draft4Validator,
) -> None:
    package = read(FIXTURE.read_bytes())
    exported = build(package, "1.0")
    assert errors(v1p0_validator, exported) == []
    left_out = left_out_of_1_0(package)
    assert left_out > ONLY_IN_1_1  # the fixture has an isTranslationOf association
    assert losses(package, read(as_bytes(exported))) == left_out


def test_links_to_definitions_the_package_lacks_get_one_so_that_they_resolve() -> None:
    data = json.loads(FIXTURE.read_text())
    data["CFDefinitions"] = {}
    for item in data["CFItems"]:
        item.pop("CFItemTypeURI", None)
        item.pop("uri")
    package = case.parse_package_data(data)
    exported = build(package, "1.1")
    definitions = exported["CFDefinitions"]
    licence = exported["CFDocument"]["licenseURI"]
    assert [entry["identifier"] for entry in definitions["CFLicenses"]] == [licence["identifier"]]
    assert definitions["CFLicenses"][0]["licenseText"] == ""  # required by CASE; the link has no text
    assert sorted(entry["title"] for entry in definitions["CFItemTypes"]) == [
        "Competency",
        "Domain",
        "Indicator",
    ]
    links = [item["CFItemTypeURI"] for item in exported["CFItems"]]
    assert {link["uri"] for link in links} <= {
        f"{BASE_URI}/CFItemTypes/{e['identifier']}" for e in definitions["CFItemTypes"]
    }
    groupings = {entry["identifier"] for entry in definitions["CFAssociationGroupings"]}
    assert groupings == {
        a["CFAssociationGroupingURI"]["identifier"]
        for a in exported["CFAssociations"]
        if "CFAssociationGroupingURI" in a
    }
    # The completed package is a fixed point: reading and writing it again changes nothing.
    assert build(read(as_bytes(exported)), "1.1") == exported


@pytest.mark.shared_data
@pytest.mark.parametrize("name", REAL_FILES)
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_a_real_package_loses_nothing_through_export(
    name: str,
    version: case.CaseVersion,
    shared_data: Path,
    v1p0_validator: jsonschema.Draft4Validator,
    v1p1_validator: jsonschema.Draft201909Validator,
) -> None:
    package = read((shared_data / "case" / name).read_bytes(), name)
    exported = build(package, version)
    assert errors(v1p1_validator if version == "1.1" else v1p0_validator, exported) == []
    again = read(as_bytes(exported))
    assert again.warnings == ()
    # Source identifiers that were not UUIDs have no place in CASE (their derived UUIDs are kept).
    assert {loss for loss in losses(package, again) if not loss.endswith(".source_identifier")} == set()
    assert build(again, version) == exported


@pytest.mark.shared_data
def test_the_real_packages_definitions_and_groupings_are_kept(shared_data: Path) -> None:
    ccss = read((shared_data / "case" / "ccss_math_opensalt_2017.json").read_bytes())
    kinds = [(definition.kind, definition.title) for definition in ccss.definitions]
    assert kinds == [
        ("CFItemTypes", "Domain"),
        ("CFItemTypes", "Cluster"),
        ("CFItemTypes", "Standard"),
        ("CFItemTypes", "Component"),
        ("CFSubjects", "Math"),
    ]
    assert [link.title for link in ccss.document.subject_links] == ["Math"]  # from the draft's subjectURL
    assert sum(item.child_association_grouping is not None for item in ccss.items) == 703
    exported = build(ccss, "1.1")
    assert exported["CFDocument"]["subjectURI"][0]["identifier"] == "eb8ae273-6667-52ec-a73f-3d8a631bde9f"


# --- Through the database ----------------------------------------------------------------------------------


def _import(raw: bytes, name: str, owner: Organization) -> services.ImportResult:
    return services.case_import(
        package=read(raw, name), owner=owner, file_name=name, content=raw, publish=True
    )


def _round_trip(
    raw: bytes, name: str, first: Organization, second: Organization, version: case.CaseVersion
) -> None:
    imported = _import(raw, name, first)
    exported = case_export(imported.version, case_version=version)
    assert losses(read(raw, name), read(as_bytes(exported))) - {
        f"{kind}.source_identifier" for kind in ("document", "item", "association", "definition")
    } <= (left_out_of_1_0(read(raw, name)) if version == "1.0" else set())

    elsewhere = _import(as_bytes(exported), "export.json", second)
    assert case_export(elsewhere.version, case_version=version) == exported

    again = _import(as_bytes(exported), "export.json", second)
    assert again.outcome == FrameworkImport.Outcome.UNCHANGED
    assert again.version == elsewhere.version


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_the_fixture_round_trips_through_the_database(
    version: case.CaseVersion, district: Organization, other_district: Organization
) -> None:
    _round_trip(FIXTURE.read_bytes(), FIXTURE.name, district, other_district, version)
    stored = CaseDefinition.objects.filter(version__framework__owner=district)
    assert sorted(stored.values_list("kind", "title")) == sorted(
        (definition.kind, definition.title) for definition in read(FIXTURE.read_bytes()).definitions
    )


@pytest.mark.django_db
@pytest.mark.shared_data
@pytest.mark.parametrize("name", REAL_FILES)
def test_a_real_package_round_trips_through_the_database(
    name: str, shared_data: Path, district: Organization, other_district: Organization
) -> None:
    _round_trip((shared_data / "case" / name).read_bytes(), name, district, other_district, "1.1")


@pytest.mark.django_db
def test_a_new_draft_keeps_what_the_published_version_kept(district: Organization) -> None:
    imported = _import(FIXTURE.read_bytes(), FIXTURE.name, district)
    draft = services.draft_create(framework=imported.version.framework)
    published: dict[str, Any] = case_export(imported.version, case_version="1.1")
    copied: dict[str, Any] = case_export(draft, case_version="1.1")
    for entry in ("CFItems", "CFAssociations", "CFDefinitions"):
        assert copied[entry] == published[entry]
    kept = ("frameworkType", "subjectURI", "licenseURI", "statusStartDate", "statusEndDate", "extensions")
    assert [copied["CFDocument"][name] for name in kept] == [published["CFDocument"][name] for name in kept]


@pytest.mark.django_db
def test_the_command_exports_case_1_1_on_request(
    district: Organization, v1p1_validator: jsonschema.Draft201909Validator
) -> None:
    imported = _import(FIXTURE.read_bytes(), FIXTURE.name, district)
    out = io.StringIO()
    call_command("export-case", str(imported.version.framework_id), "--case-version", "1.1", stdout=out)
    printed = json.loads(out.getvalue())
    assert errors(v1p1_validator, printed) == []
    assert printed == json.loads(json.dumps(case_export(imported.version, case_version="1.1")))
    assert printed["CFDocument"]["frameworkType"] == "Competency framework"


@pytest.mark.django_db
def test_re_importing_a_published_package_that_left_is_child_of_to_be_derived_changes_nothing(
    district: Organization,
) -> None:
    data = json.loads(FIXTURE.read_text())
    # The top-level item loses its isChildOf: Waypoint derives one, and publishing writes its identifier down.
    data["CFAssociations"] = [a for a in data["CFAssociations"] if a["originNodeURI"]["title"] != "SCI.1"]
    raw = json.dumps(data).encode()
    first = _import(raw, "loose.json", district)
    top = first.version.competencies.get(human_code="SCI.1")
    assert top.child_association_identifier == case.child_association_identifier(
        top.case_identifier, first.version.framework.case_identifier
    )
    again = _import(raw, "loose.json", district)
    assert again.outcome == FrameworkImport.Outcome.UNCHANGED
