"""CASE 1.0 reading and writing without a database (waypoint.frameworks.case): the real packages in
../shared/data, small hand-written fixtures, every family of bad input, and properties of identifiers and
trees."""

from __future__ import annotations

import collections
import copy
import json
import pickle
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypoint.frameworks import case
from waypoint.frameworks.case import CaseAssociation, CaseDocument, CaseItem, CasePackage, CasePackageError

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URI = "https://waypoint.example/ims/case/v1p0"
GENERATED_AT = "2024-06-01T00:00:00+00:00"

# file → (CFItems, CFAssociations by type), as counted in the file itself by the first test below.
REAL_JSON = {
    "act_holistic_framework_math.json": (28, {"isChildOf": 28}),
    "opensalt_what_standards_could_be.json": (
        16,
        {"isChildOf": 16, "exactMatchOf": 16, "precedes": 3, "exemplar": 2, "isRelatedTo": 2},
    ),
    "ccss_math_opensalt_2017.json": (703, {"isChildOf": 703}),
}
REAL_FILES = [*sorted(REAL_JSON), "ccss_ela_items_opensalt.csv"]


def build(package: CasePackage) -> dict[str, object]:
    return case.build_package(package, base_uri=BASE_URI, generated_at=GENERATED_AT)


def normalised(package: dict[str, object]) -> str:
    return json.dumps(package, sort_keys=True, ensure_ascii=False)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def read_real(shared_data: Path, name: str) -> CasePackage:
    raw = (shared_data / "case" / name).read_bytes()
    if name.endswith(".csv"):
        return case.parse_opensalt_csv(raw, title="CCSS English Language Arts")
    return case.parse_package(raw)


def refusal(data: object) -> CasePackageError:
    with pytest.raises(CasePackageError) as refused:
        case.parse_package_data(data)
    return refused.value


def messages(error: CasePackageError) -> list[str]:
    return [str(problem) for problem in error.problems]


@pytest.fixture(scope="session")
def cfpackage_validator(shared_data: Path) -> jsonschema.Draft4Validator:
    """The CASE 1.0 CFPackage schema with formats checked for real (uri, date-time)."""
    schema = json.loads(
        (shared_data / "case" / "schema" / "opensalt-case-v1p0-cfpackage-schema.json").read_text()
    )
    checker = jsonschema.FormatChecker()
    # Without rfc3339-validator and rfc3986-validator these formats would silently pass.
    assert {"date-time", "uri"} <= set(checker.checkers)
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def schema_errors(validator: jsonschema.Draft4Validator, package: object) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(package)
    ]


def small_package() -> CasePackage:
    return case.parse_package((FIXTURES / "case_small_framework.json").read_bytes())


# --- The real packages --------------------------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(REAL_JSON))
def test_real_package_parses_with_the_counts_of_the_file(name: str, shared_data: Path) -> None:
    source = json.loads((shared_data / "case" / name).read_text(encoding="utf-8"))
    items, types = REAL_JSON[name]
    assert len(source["CFItems"]) == items
    assert collections.Counter(a["associationType"] for a in source["CFAssociations"]) == types

    package = read_real(shared_data, name)
    parsed_types = collections.Counter(a.association_type for a in package.associations)
    parsed_types["isChildOf"] = len(package.items)
    assert parsed_types == types
    assert case.package_summary(package) == {
        "items": items,
        "associations": sum(types.values()),
        "isChildOf": types["isChildOf"],
        "rubrics": 0,
    }


@pytest.mark.shared_data
@pytest.mark.parametrize("name", REAL_FILES)
def test_real_package_exports_valid_case_and_round_trips(
    name: str, shared_data: Path, cfpackage_validator: jsonschema.Draft4Validator
) -> None:
    package = read_real(shared_data, name)
    exported = build(package)
    assert schema_errors(cfpackage_validator, exported) == []

    reread = case.parse_package_data(exported)
    assert normalised(build(reread)) == normalised(exported)
    assert reread.warnings == ()  # our own export conforms: nothing to warn about
    assert [kept(item, ITEM_FIELDS) for item in reread.items] == [
        kept(item, ITEM_FIELDS) for item in package.items
    ]
    assert [kept(a, ASSOCIATION_FIELDS) for a in reread.associations] == [
        kept(a, ASSOCIATION_FIELDS) for a in package.associations
    ]


# What survives a round trip through CASE: everything but the source identifiers, which CASE has no field for.
ITEM_FIELDS: tuple[str, ...] = (
    "identifier",
    "full_statement",
    "human_code",
    "abbreviated_statement",
    "alternative_label",
    "item_type",
    "education_levels",
    "language",
    "notes",
    "list_enumeration",
    "concept_keywords",
    "last_change",
    "parent_identifier",
    "position",
    "child_association_identifier",
)
ASSOCIATION_FIELDS: tuple[str, ...] = tuple(
    name for name in CaseAssociation.__dataclass_fields__ if name != "source_identifier"
)


def kept(entry: object, names: tuple[str, ...]) -> list[object]:
    return [getattr(entry, name) for name in names]


@pytest.mark.shared_data
def test_act_export_keeps_every_identifier_and_uri_byte_for_byte(shared_data: Path) -> None:
    path = shared_data / "case" / "act_holistic_framework_math.json"
    source = json.loads(path.read_text(encoding="utf-8"))
    package = case.parse_package(path.read_bytes())
    assert package.warnings == ()
    exported: dict[str, Any] = build(package)
    for key in ("CFItems", "CFAssociations"):
        assert sorted((e["identifier"], e["uri"]) for e in exported[key]) == sorted(
            (e["identifier"], e["uri"]) for e in source[key]
        )
    assert (exported["CFDocument"]["identifier"], exported["CFDocument"]["uri"]) == (
        source["CFDocument"]["identifier"],
        source["CFDocument"]["uri"],
    )
    # The tree is the source's: the same parent for every item.
    parent = {
        a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"]
        for a in source["CFAssociations"]
    }
    assert {
        a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"]
        for a in exported["CFAssociations"]
    } == parent
    # Without sequence numbers, siblings keep the order of CFItems.
    order = [item["identifier"] for item in source["CFItems"]]
    level_one = [
        item.identifier for item in package.items if item.human_code.startswith("H.A.MATH.GM.PF.2DFP.L1.")
    ]
    assert level_one == [identifier for identifier in order if identifier in set(level_one)]


@pytest.mark.shared_data
def test_ccss_math_warns_and_derives_the_same_identifiers_every_time(shared_data: Path) -> None:
    first = read_real(shared_data, "ccss_math_opensalt_2017.json")
    second = read_real(shared_data, "ccss_math_opensalt_2017.json")
    assert first == second
    warnings = " | ".join(str(warning) for warning in first.warnings)
    assert "704 identifiers are not UUIDs" in warnings  # the document and its 703 items
    assert "educationalLevel" in warnings
    assert "703 CFItems give educationLevel as one string" in warnings
    assert "originNodeIdentifier" in warnings
    assert "UTC was assumed" in warnings

    assert first.document.source_identifier == "http://purl.org/ASN/resources/D10003FB"
    assert first.document.identifier == case.stable_identifier("http://purl.org/ASN/resources/D10003FB")
    assert first.document.subject == ("Math",)
    standard = next(item for item in first.items if item.human_code == "CCSS.Math.Content.8.EE.C.7")
    assert standard.source_identifier.startswith("http://")
    assert case.is_uuid(standard.identifier)
    assert standard.identifier == case.stable_identifier(standard.source_identifier)
    assert standard.education_levels == ("08",)
    assert standard.last_change.endswith("+00:00")
    assert case.is_uuid(standard.child_association_identifier)  # the associations already had UUIDs
    assert standard.child_association_source_identifier == ""


@pytest.mark.shared_data
def test_what_standards_could_be_keeps_alignments_outside_the_package(shared_data: Path) -> None:
    package = read_real(shared_data, "opensalt_what_standards_could_be.json")
    roots = [item for item in package.items if item.parent_identifier is None]
    assert [(item.human_code, item.position) for item in roots] == [
        ("CCSS.Math.Content.6.RP.A", 1),
        ("CCSS.Math.Content.7.RP.A", 2),
    ]  # sequenceNumber "1" and "2", given as strings
    assert any("strings of digits" in str(warning) for warning in package.warnings)
    exemplars = [a for a in package.associations if a.association_type == "exemplar"]
    assert {a.destination_in_package for a in exemplars} == {False}
    assert any("illustrativemathematics.org" in a.destination_uri for a in exemplars)
    precedes = [a for a in package.associations if a.association_type == "precedes"]
    assert sorted(a.destination_in_package for a in precedes) == [False, True, True]
    items = {item.identifier for item in package.items}
    assert all(a.destination_identifier in items for a in precedes if a.destination_in_package)


@pytest.mark.shared_data
def test_ccss_ela_csv_builds_the_tree_from_smart_levels(shared_data: Path) -> None:
    package = read_real(shared_data, "ccss_ela_items_opensalt.csv")
    assert len(package.items) == 1189
    assert package.document.identifier == case.stable_identifier("opensalt-csv:CCSS English Language Arts")
    roots = [item for item in package.items if item.parent_identifier is None]
    assert [item.position for item in roots] == list(range(1, 13))
    seen: set[str] = set()
    for item in package.items:
        assert item.parent_identifier is None or item.parent_identifier in seen
        seen.add(item.identifier)
    by_code = {item.human_code: item for item in package.items if item.human_code}
    assert by_code["L.9-10.4"].education_levels == ("09", "10")
    assert by_code["L.1.4"].last_change == "2017-08-23T23:48:01+00:00"
    assert by_code["L.1.4"].position == 1  # smartLevel 3.6.2.1
    warnings = " | ".join(str(warning) for warning in package.warnings)
    assert "3 items separate education levels with '.'" in warnings
    again = read_real(shared_data, "ccss_ela_items_opensalt.csv")
    assert [i.child_association_identifier for i in again.items] == [
        i.child_association_identifier for i in package.items
    ]


# --- Hand-written fixtures ----------------------------------------------------------------------------------


def test_small_framework_reads_into_a_tree_in_order() -> None:
    package = small_package()
    assert package.warnings == ()
    codes = [(item.human_code, item.position) for item in package.items]
    assert codes == [
        ("SI", 1),
        ("SI.1", 1),
        ("SI.2", 2),
        ("SI.2.a", 1),
        ("SI.2.b", 2),
        ("CM", 2),
        ("CM.1", 1),
    ]
    by_code = {item.human_code: item for item in package.items}
    assert by_code["SI.2.a"].parent_identifier == by_code["SI.2"].identifier
    assert by_code["SI"].parent_identifier is None
    assert by_code["SI.2.a"].child_association_identifier == "8b4dd92a-1522-49f8-8b47-9d7fd3ec7699"
    assert by_code["SI.2.a"].concept_keywords == ("variables", "controls")
    assert by_code["SI.2"].alternative_label == "Investigate"
    assert package.document.subject == ("Science",)
    assert package.document.official_source_url.endswith("scientific-inquiry.pdf")
    kinds = {a.association_type: a for a in package.associations}
    assert kinds["precedes"].destination_in_package is True
    assert kinds["exactMatchOf"].destination_in_package is False
    assert kinds["exactMatchOf"].destination_title == "PRACTICE.1"
    assert kinds["isRelatedTo"].sequence_number == 3


@pytest.mark.shared_data
def test_small_framework_exports_valid_case_keeping_its_identifiers(
    cfpackage_validator: jsonschema.Draft4Validator,
) -> None:
    source = fixture("case_small_framework.json")
    exported: dict[str, Any] = build(small_package())
    assert schema_errors(cfpackage_validator, exported) == []
    assert {(e["identifier"], e["uri"]) for e in exported["CFAssociations"]} == {
        (e["identifier"], e["uri"]) for e in source["CFAssociations"]
    }
    item_types = exported["CFDefinitions"]["CFItemTypes"]
    assert [t["title"] for t in item_types] == ["Competency", "Domain", "Indicator"]
    assert item_types[0]["identifier"] == case.stable_identifier("item-type:Competency")
    first = exported["CFItems"][0]
    assert first["CFItemTypeURI"]["identifier"] == case.stable_identifier("item-type:Domain")
    assert first["educationLevel"] == ["09", "10", "11", "12"]
    assert (
        exported["CFDocument"]["CFPackageURI"]["uri"]
        == f"{BASE_URI}/CFPackages/{source['CFDocument']['identifier']}"
    )


@pytest.mark.shared_data
def test_the_schema_check_really_checks_formats(cfpackage_validator: jsonschema.Draft4Validator) -> None:
    exported: dict[str, Any] = build(small_package())
    exported["CFItems"][0]["lastChangeDateTime"] = "2024-03-01T12:00:00"  # no offset
    exported["CFItems"][1]["uri"] = "not a uri"
    assert len(schema_errors(cfpackage_validator, exported)) == 2


def test_a_uri_that_is_not_a_uri_is_dropped_with_a_warning_and_regenerated() -> None:
    data = small_data()
    data["CFItems"][0]["uri"] = "frameworks.example.org/items/SI"
    package = case.parse_package_data(data)
    assert [str(w) for w in package.warnings] == [
        f"{SI}: a uri is not a valid absolute URI; it was dropped and will be regenerated on export"
    ]
    exported: dict[str, Any] = build(package)
    assert exported["CFItems"][0]["uri"] == f"{BASE_URI}/CFItems/{SI}"


def test_rubrics_round_trip() -> None:
    package = case.parse_package((FIXTURES / "case_rubrics.json").read_bytes())
    assert package.warnings == ()
    (rubric,) = package.rubrics
    assert rubric.title == "Team role rubric"
    assert [c.category for c in rubric.criteria] == ["Role", "Reliability"]  # by position, not source order
    role = rubric.criteria[0]
    assert role.item_identifier == "5b1a1175-9627-4e6a-a74b-e583e70fe056"
    assert role.weight == pytest.approx(0.6)
    assert [(level.quality, level.score) for level in role.levels] == [
        ("Beginning", 1.0),
        ("Proficient", 3.0),
        ("Advanced", 4.0),
    ]
    assert role.levels[2].feedback == "I change how I help when the team needs it."
    exported = build(package)
    reread = case.parse_package_data(exported)
    assert reread.rubrics == package.rubrics
    assert normalised(build(reread)) == normalised(exported)
    assert case.package_summary(package)["rubrics"] == 1


@pytest.mark.shared_data
def test_rubric_export_is_valid_case(cfpackage_validator: jsonschema.Draft4Validator) -> None:
    exported: dict[str, Any] = build(case.parse_package((FIXTURES / "case_rubrics.json").read_bytes()))
    assert schema_errors(cfpackage_validator, exported) == []
    criterion = exported["CFRubrics"][0]["CFRubricCriteria"][0]
    assert criterion["rubricId"] == "351deedf-85e5-4117-a7cf-22431ac1f94e"
    assert criterion["CFRubricCriterionLevels"][0]["rubricCriterionId"] == criterion["identifier"]


def test_pre_final_draft_shape_is_accepted_with_aggregated_warnings() -> None:
    package = case.parse_package((FIXTURES / "case_draft_shape.json").read_bytes())
    warnings = [str(warning) for warning in package.warnings]
    expected = [
        "6 identifiers are not UUIDs",
        "subject is one string",
        "8 date-times have no UTC offset",
        "2 CFItems use educationalLevel",
        "2 CFItems give educationLevel as one string",
        "urn:example:item:RL.1: education levels separated by '.' (like \"09.10\")",
        "conceptKeywords is one string",
        "not in RFC 3339 form",
        "originNodeIdentifier/destinationNodeIdentifier",
        "2 sequenceNumbers or positions are strings of digits",
        "urn:example:item:loose: the CFItem has no isChildOf association",
    ]
    for text in expected:
        assert any(text in warning for warning in warnings), text
    assert len(warnings) == len(expected)

    document = package.document
    assert document.source_identifier == "urn:example:framework:reading"
    assert document.last_change == "2016-09-28T21:43:01+00:00"
    by_source = {item.source_identifier: item for item in package.items}
    strand = by_source["urn:example:item:RL"]
    assert strand.item_type == "Strand"  # from CFItemTypeURI.title
    assert strand.education_levels == ("09", "10")
    cite = by_source["urn:example:item:RL.1"]
    # The LinkURI had no identifier: the draft originNodeIdentifier placed it.
    assert (cite.parent_identifier, cite.position) == (strand.identifier, 2)
    assert cite.education_levels == ("09", "10")
    assert cite.concept_keywords == ("evidence", "citation")
    theme = by_source["urn:example:item:RL.2"]
    assert (theme.position, theme.last_change) == (1, "2016-07-28T00:00:00+00:00")
    assert theme.child_association_last_change == "2016-09-02T18:02:10+00:00"
    loose = by_source["urn:example:item:loose"]
    assert (loose.parent_identifier, loose.position, loose.child_association_identifier) == (None, 2, "")
    assert [item.source_identifier for item in package.items] == [
        "urn:example:item:RL",
        "urn:example:item:RL.2",
        "urn:example:item:RL.1",
        "urn:example:item:loose",
    ]
    (related,) = package.associations
    assert related.source_identifier == "urn:example:association:related"
    assert related.destination_identifier == "http://asn.example.org/resources/S0001"
    assert related.origin_identifier == cite.identifier
    # Kept rather than dropped: the definitions and the association grouping.
    assert [(d.kind, d.title) for d in package.definitions] == [
        ("CFItemTypes", "Strand"),
        ("CFSubjects", "English Language Arts"),
    ]
    grouped = [item for item in package.items if item.child_association_grouping is not None]
    assert [(item.source_identifier, item.child_association_grouping.title) for item in grouped] == [  # type: ignore[union-attr]
        ("urn:example:item:RL", "Association Group")
    ]


@pytest.mark.shared_data
def test_pre_final_draft_shape_exports_valid_case(cfpackage_validator: jsonschema.Draft4Validator) -> None:
    package = case.parse_package((FIXTURES / "case_draft_shape.json").read_bytes())
    exported: dict[str, Any] = build(package)
    assert schema_errors(cfpackage_validator, exported) == []
    loose = next(i for i in package.items if i.source_identifier == "urn:example:item:loose")
    placed = next(
        a for a in exported["CFAssociations"] if a["originNodeURI"]["identifier"] == loose.identifier
    )
    assert placed["destinationNodeURI"]["identifier"] == package.document.identifier
    assert placed["uri"] == f"{BASE_URI}/CFAssociations/{placed['identifier']}"


def test_opensalt_csv_fixture_reads_rows_in_any_order() -> None:
    package = case.parse_opensalt_csv((FIXTURES / "case_items.csv").read_bytes(), title="Writing (sample)")
    assert [item.human_code or item.abbreviated_statement for item in package.items] == [
        "W",
        "Text types",
        "W.9-10.1",
        "W.9-10.1.a",
        "W.9-10.2",
        "SL",
    ]
    assert [item.position for item in package.items] == [1, 1, 1, 1, 2, 2]
    by_code = {item.full_statement.split(",")[0]: item for item in package.items}
    claims = by_code["Write arguments to support claims"]
    assert claims.concept_keywords == ("argument", "claim")
    assert claims.last_change == "2024-02-10T09:15:00+00:00"
    assert claims.child_association_identifier == case.stable_identifier(
        f"isChildOf:{claims.identifier}:{claims.parent_identifier}"
    )
    root = package.items[0]
    assert root.child_association_identifier == case.stable_identifier(
        f"isChildOf:{root.identifier}:{package.document.identifier}"
    )
    assert package.items[3].education_levels == ("09", "10")  # "09.10", with a warning
    assert any("row 5" in str(warning) for warning in package.warnings)


# --- Bad input: every family is refused, naming what is wrong -----------------------------------------------

DOCUMENT_ID = "b09efdb5-4c3b-49f0-8177-adcf9ae337d7"
SI, SI_1, SI_2 = (
    "cde7fd6e-afe0-4dd8-929f-c433eb856232",
    "7a700e09-11ab-4dca-88cc-c4f0f87d3186",
    "b3c0621b-a22a-4200-bf1c-917857cb709c",
)


def small_data() -> dict[str, Any]:
    return fixture("case_small_framework.json")


def association(identifier: str, kind: str, origin: str, destination: str) -> dict[str, object]:
    return {
        "identifier": identifier,
        "associationType": kind,
        "originNodeURI": {"title": "", "identifier": origin, "uri": f"https://x.example.org/{origin}"},
        "destinationNodeURI": {
            "title": "",
            "identifier": destination,
            "uri": f"https://x.example.org/{destination}",
        },
    }


def test_malformed_json_is_refused_with_its_line_and_column() -> None:
    with pytest.raises(CasePackageError) as refused:
        case.parse_package(b'{"CFDocument": {"identifier": "x",\n  "title": }}')
    assert "not a JSON document" in str(refused.value)
    assert "line 2, column 12" in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused_with_where() -> None:
    with pytest.raises(CasePackageError, match=r"byte 0xff at line 2, column 3"):
        case.parse_package(b'{"CFDocument":\n  \xff}')


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "must be an object, not an array"),
        ({"CFItems": []}, "no CFDocument"),
        ({"CFDocument": "x"}, "no CFDocument"),
    ],
)
def test_something_that_is_not_a_package_is_refused(data: object, expected: str) -> None:
    assert expected in str(refusal(data))


def test_a_byte_order_mark_is_accepted() -> None:
    raw = b"\xef\xbb\xbf" + (FIXTURES / "case_small_framework.json").read_bytes()
    assert case.parse_package(raw) == small_package()


def test_missing_required_fields_name_the_entry() -> None:
    data = small_data()
    del data["CFDocument"]["title"]
    del data["CFItems"][2]["fullStatement"]  # SI.1
    del data["CFItems"][3]["identifier"]  # SI.2
    del data["CFAssociations"][7]["destinationNodeURI"]  # precedes
    del data["CFAssociations"][8]["associationType"]  # exactMatchOf
    found = messages(refusal(data))
    assert f"{DOCUMENT_ID}: the CFDocument has no title" in found
    assert f"{SI_1}: the CFItem has no fullStatement" in found
    assert "CFItems[3]: the CFItem has no identifier" in found
    assert "815f6871-c1c8-42dd-9320-b2f01a3bced6: there is no destinationNodeURI" in found
    assert "437ec21d-2413-4fa9-9376-f7eac6727d61: the CFAssociation has no associationType" in found


def test_values_of_the_wrong_type_are_problems() -> None:
    data = small_data()
    data["CFItems"][0]["fullStatement"] = 5
    data["CFItems"][1]["educationLevel"] = 9
    data["CFAssociations"][0]["sequenceNumber"] = "first"
    data["CFAssociations"][1]["originNodeURI"] = ["not", "an", "object"]
    found = messages(refusal(data))
    assert f"{SI}: fullStatement must be a string, not a number" in found
    assert (
        "59983786-ea00-4fcf-89a2-9818a6e80890: educationLevel must be an array of strings, not a number"
        in found
    )
    assert (
        'e042208a-7e5e-4c43-a0db-6ce06efc7542: sequenceNumber must be an integer, not a string ("first")'
        in found
    )
    assert any(
        m.startswith("bfc43132-46ad-4b9c-8934-a07608b7af96: originNodeURI must be an object") for m in found
    )
    assert len(found) == 4


def test_an_unknown_association_type_is_refused() -> None:
    data = small_data()
    data["CFAssociations"].append(
        association("0f0e0d0c-0b0a-4908-8706-050403020100", "isCousinOf", SI_1, SI_2)
    )
    (problem,) = refusal(data).problems
    assert problem.identifier == "0f0e0d0c-0b0a-4908-8706-050403020100"
    assert '"isCousinOf" is not a CASE association type' in problem.message


def test_duplicate_identifiers_are_refused_one_problem_each() -> None:
    data = small_data()
    data["CFItems"].append({"identifier": SI_1.upper(), "fullStatement": "Same UUID, other case."})
    data["CFItems"].append({"identifier": DOCUMENT_ID, "fullStatement": "The document's identifier."})
    data["CFAssociations"].append(copy.deepcopy(data["CFAssociations"][7]))
    found = messages(refusal(data))
    assert found == [
        f"{SI_1.upper()}: CFItems[7] repeats the identifier of CFItems[2]",
        f"{DOCUMENT_ID}: the CFItem has the identifier of the CFDocument",
        "815f6871-c1c8-42dd-9320-b2f01a3bced6: CFAssociations[10] repeats the identifier of "
        "CFAssociations[7]",
    ]


def test_a_cycle_in_is_child_of_names_every_item_in_it() -> None:
    data = small_data()
    # SI becomes a child of SI.2.a, which is under SI.2, which is under SI: a cycle of three.
    data["CFAssociations"][0]["destinationNodeURI"]["identifier"] = "59983786-ea00-4fcf-89a2-9818a6e80890"
    (problem,) = refusal(data).problems
    assert "form a cycle" in problem.message
    for member in (SI, SI_2, "59983786-ea00-4fcf-89a2-9818a6e80890"):
        assert member in problem.message
    assert SI_1 not in problem.message  # under the cycle, not in it


def test_an_item_that_is_its_own_parent_is_a_cycle() -> None:
    data = small_data()
    data["CFAssociations"][6]["destinationNodeURI"]["identifier"] = "3b84ef33-c0ee-4920-bb54-74c3296a888d"
    (problem,) = refusal(data).problems
    assert str(problem) == (
        "3b84ef33-c0ee-4920-bb54-74c3296a888d: the isChildOf associations form a cycle: "
        "3b84ef33-c0ee-4920-bb54-74c3296a888d → 3b84ef33-c0ee-4920-bb54-74c3296a888d"
    )


def test_an_item_with_two_parents_is_refused() -> None:
    data = small_data()
    data["CFAssociations"].append(
        association("1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d", "isChildOf", SI_2, DOCUMENT_ID)
    )
    (problem,) = refusal(data).problems
    assert problem.identifier == SI_2
    assert "two parents" in problem.message
    assert SI in problem.message
    assert DOCUMENT_ID in problem.message
    assert "1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d" in problem.message


def test_the_same_is_child_of_twice_is_only_a_warning() -> None:
    data = small_data()
    repeat = copy.deepcopy(data["CFAssociations"][2])
    repeat["identifier"] = "1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d"
    data["CFAssociations"].append(repeat)
    package = case.parse_package_data(data)
    assert [str(w) for w in package.warnings] == [
        "1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d: this isChildOf association repeats another one for the same "
        "item and parent; it was ignored"
    ]


@pytest.mark.parametrize(
    ("kind", "origin", "destination", "expected"),
    [
        ("precedes", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", SI_1, 'the precedes origin "9a8b7c6d-'),
        ("isChildOf", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", SI_1, 'the isChildOf origin "9a8b7c6d-'),
        ("isChildOf", SI_1, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 'the isChildOf destination "9a8b7c6d-'),
        ("exactMatchOf", DOCUMENT_ID, SI_1, f'the exactMatchOf origin "{DOCUMENT_ID}"'),
    ],
)
def test_an_association_from_outside_the_package_is_refused(
    kind: str, origin: str, destination: str, expected: str
) -> None:
    data = small_data()
    if kind == "isChildOf":
        data["CFAssociations"] = [
            a for a in data["CFAssociations"] if a["originNodeURI"]["identifier"] != origin
        ]
    data["CFAssociations"].append(
        association("1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d", kind, origin, destination)
    )
    (problem,) = refusal(data).problems
    assert problem.identifier == "1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d"
    assert problem.message.startswith(expected)


def test_an_item_without_is_child_of_is_placed_at_the_top_with_a_warning() -> None:
    data = small_data()
    data["CFAssociations"] = [a for a in data["CFAssociations"] if a["originNodeURI"]["identifier"] != SI_2]
    package = case.parse_package_data(data)
    (warning,) = package.warnings
    assert warning.identifier == SI_2
    roots = [(item.human_code, item.position) for item in package.items if item.parent_identifier is None]
    assert roots == [("SI", 1), ("CM", 2), ("SI.2", 3)]
    children = [item.human_code for item in package.items if item.parent_identifier == SI_2]
    assert children == ["SI.2.a", "SI.2.b"]


def test_a_date_that_is_not_a_date_and_a_negative_sequence_number_are_refused() -> None:
    data = small_data()
    data["CFItems"][0]["lastChangeDateTime"] = "2024-02-30T10:00:00+00:00"
    data["CFAssociations"][1]["sequenceNumber"] = -1
    found = messages(refusal(data))
    assert found == [
        f'{SI}: lastChangeDateTime "2024-02-30T10:00:00+00:00" is not a date-time',
        "bfc43132-46ad-4b9c-8934-a07608b7af96: sequenceNumber -1 is negative",
    ]


def test_a_rubric_criterion_must_assess_an_item_of_the_package() -> None:
    data = fixture("case_rubrics.json")
    data["CFRubrics"][0]["CFRubricCriteria"][0]["CFItemURI"]["identifier"] = (
        "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    )
    data["CFRubrics"][0]["CFRubricCriteria"][1]["CFRubricCriterionLevels"][0]["score"] = "high"
    found = messages(refusal(data))
    assert found[0].startswith('05444f62-4c3e-479a-9c41-2a194508acba: the criterion assesses "9a8b7c6d-')
    assert (
        found[1]
        == '72f53110-f0fb-4cc7-8f4e-5382ca65edcf: score must be a finite number, not a string ("high")'
    )


def test_several_problems_in_one_file_are_all_reported() -> None:
    with pytest.raises(CasePackageError) as refused:
        case.parse_package((FIXTURES / "case_several_problems.json").read_bytes())
    error = refused.value
    found = messages(error)
    assert found == [
        "819e1357-0593-4b2e-bece-b8d8d7ae5983: the CFItem has no fullStatement",
        "dee98ca1-d4ed-4ce9-90ad-8c9e3655256c: CFItems[3] repeats the identifier of CFItems[2]",
        "CFItems[4]: the CFItem has no identifier",
        "CFItems[4]: humanCodingScheme must be a string, not a number",
        '1f0c7d6e-5a4b-4c3d-8e2f-1a0b9c8d7e6f: associationType "isCousinOf" is not a CASE association '
        "type (one of isChildOf, isPeerOf, isPartOf, exactMatchOf, precedes, isRelatedTo, replacedBy, "
        "exemplar, hasSkillLevel, isTranslationOf)",
        '2e1d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b: the precedes origin "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" is '
        "not a CFItem of this package",
        "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a: there is no originNodeURI",
    ]
    assert str(error).splitlines()[0] == "The CASE package was refused (7 problems):"
    assert str(error).splitlines()[1:] == [f"- {line}" for line in found]


def test_a_refusal_survives_pickling() -> None:
    error = refusal({"CFDocument": {"identifier": DOCUMENT_ID}})
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, just pickled
    assert again.problems == error.problems
    assert (
        str(again)
        == str(error)
        == (f"The CASE package was refused (1 problem):\n- {DOCUMENT_ID}: the CFDocument has no title")
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded() -> None:
    # Not even UTF-8: the size is checked first.
    with pytest.raises(
        CasePackageError, match=r"^The CASE package was refused \(1 problem\):\n- The file is 1 KB; "
    ):
        case.parse_package(b"\xff" * 1024, max_bytes=1000)
    with pytest.raises(CasePackageError, match=r"The file is 30 MB; the limit is 25 MB\."):
        case.parse_package(b" " * (30 * 1024 * 1024))
    with pytest.raises(
        CasePackageError, match=r"The file is 26,214,401 bytes; the limit is 26,214,400 bytes\."
    ):
        case.parse_package(b" " * (case.DEFAULT_MAX_BYTES + 1))
    with pytest.raises(CasePackageError, match=r"the limit is 100 bytes"):
        case.parse_opensalt_csv((FIXTURES / "case_items.csv").read_bytes(), title="T", max_bytes=100)


# --- Bad CSV ------------------------------------------------------------------------------------------------

CSV_HEADER = (
    "identifier,fullStatement,humanCodingScheme,smartLevel,listEnumeration,abbreviatedStatement,"
    "conceptKeywords,notes,language,educationLevel,CFItemType,license,lastChangeDateTime"
)


def csv_refusal(*rows: str, header: str = CSV_HEADER) -> list[str]:
    raw = "\n".join([header, *rows]).encode()
    with pytest.raises(CasePackageError) as refused:
        case.parse_opensalt_csv(raw, title="Bad list")
    return messages(refused.value)


def test_csv_without_a_required_column_is_refused() -> None:
    (problem,) = csv_refusal("a,b,c", header="identifier,fullStatement,humanCodingScheme")
    assert problem.startswith("row 1: the header lacks the required column smartLevel")


def test_csv_with_a_missing_parent_level_is_refused_naming_the_row() -> None:
    found = csv_refusal(
        "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0,Root,R,1,,,,,en,,,,",
        "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d,Orphan,R.2.1,1.2.1,,,,,en,,,,",
    )
    assert found == ['row 3: smartLevel "1.2.1" needs a row with smartLevel "1.2"; there is none']


def test_csv_with_a_duplicate_smart_level_or_identifier_is_refused() -> None:
    found = csv_refusal(
        "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0,Root,R,1,,,,,en,,,,",
        "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d,Child,R.1,1.1,,,,,en,,,,",
        "8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e,Same level,R.1b,1.01,,,,,en,,,,",
        "6F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0,Same identifier,R.2,1.2,,,,,en,,,,",
    )
    assert found == [
        'row 4: smartLevel "1.01" repeats the smartLevel of row 3',
        'row 5: the identifier "6F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0" repeats the identifier of row 2',
    ]


def test_csv_row_problems_are_all_reported() -> None:
    found = csv_refusal(
        ",No identifier,X,1,,,,,en,,,,",
        "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d,,X,2,,,,,en,,,,",
        "8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e,Bad level,X,3.a,,,,,en,,,,",
        "9c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f,Bad date,X,4,,,,,en,,,,yesterday",
        "ad5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f80,Too many cells,X,5,,,,,en,,,,,surplus",
    )
    assert found == [
        "row 2: the identifier is empty",
        "row 3: the fullStatement of 7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d is empty",
        'row 4: smartLevel "3.a" is not a dotted list of numbers like "3.6.2"',
        'row 5: lastChangeDateTime "yesterday" is not a date-time',
        "row 6: the row has 14 cells but the header has 13 columns",
    ]


def test_csv_needs_a_title_and_a_header() -> None:
    with pytest.raises(CasePackageError, match="give the framework a title"):
        case.parse_opensalt_csv(CSV_HEADER.encode(), title="  ")
    with pytest.raises(CasePackageError, match="no header row"):
        case.parse_opensalt_csv(b"", title="Empty")


# --- Writing ------------------------------------------------------------------------------------------------


def minimal_package(*items: CaseItem, associations: tuple[CaseAssociation, ...] = ()) -> CasePackage:
    document = CaseDocument(identifier=DOCUMENT_ID, source_identifier="", uri="", title="Minimal")
    return CasePackage(document=document, items=items, associations=associations)


def test_build_fills_missing_uris_and_dates_and_is_deterministic() -> None:
    root = CaseItem(identifier=SI, source_identifier="", uri="", full_statement="Root", item_type="Domain")
    child = CaseItem(
        identifier=SI_1, source_identifier="", uri="", full_statement="Child", parent_identifier=SI
    )
    outside = CaseAssociation(
        identifier="1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d",
        source_identifier="",
        uri="",
        association_type="exactMatchOf",
        origin_identifier=SI_1,
        destination_identifier="CCSS.ELA-Literacy.W.9-10.1",
        destination_uri="",
        destination_title="W.9-10.1",
        destination_in_package=False,
    )
    package = minimal_package(child, root, associations=(outside,))  # not in tree order: build sorts
    exported: dict[str, Any] = build(package)
    assert exported == build(package)
    assert [item["identifier"] for item in exported["CFItems"]] == [SI, SI_1]
    assert exported["CFDocument"]["uri"] == f"{BASE_URI}/CFDocuments/{DOCUMENT_ID}"
    assert exported["CFItems"][0]["uri"] == f"{BASE_URI}/CFItems/{SI}"
    assert exported["CFItems"][0]["lastChangeDateTime"] == GENERATED_AT
    placing = exported["CFAssociations"][1]
    assert placing["identifier"] == case.stable_identifier(f"isChildOf:{SI_1}:{SI}")
    assert placing["uri"] == f"{BASE_URI}/CFAssociations/{placing['identifier']}"
    assert (placing["sequenceNumber"], placing["destinationNodeURI"]["identifier"]) == (0, SI)
    alignment = exported["CFAssociations"][2]
    assert alignment["destinationNodeURI"] == {
        "title": "W.9-10.1",
        "identifier": "CCSS.ELA-Literacy.W.9-10.1",
        "uri": f"{BASE_URI}/CFItems/CCSS.ELA-Literacy.W.9-10.1",
    }
    assert exported["CFDefinitions"]["CFItemTypes"][0]["lastChangeDateTime"] == GENERATED_AT


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"base_uri": BASE_URI, "generated_at": "2024-06-01T00:00:00"}, "generated_at"),
        ({"base_uri": BASE_URI, "generated_at": "June 1st"}, "generated_at"),
        ({"base_uri": "waypoint.example/case", "generated_at": GENERATED_AT}, "base_uri"),
    ],
)
def test_build_refuses_malformed_arguments(options: dict[str, str], expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        case.build_package(small_package(), **options)


def test_build_refuses_items_that_are_not_a_tree() -> None:
    orphan = CaseItem(
        identifier=SI_1, source_identifier="", uri="", full_statement="x", parent_identifier=SI_2
    )
    with pytest.raises(ValueError, match="is not an item"):
        build(minimal_package(orphan))
    first = CaseItem(identifier=SI, source_identifier="", uri="", full_statement="x", parent_identifier=SI_1)
    second = CaseItem(identifier=SI_1, source_identifier="", uri="", full_statement="y", parent_identifier=SI)
    with pytest.raises(ValueError, match="cycle"):
        build(minimal_package(first, second))


# --- Properties ---------------------------------------------------------------------------------------------


def test_is_uuid_is_a_full_match() -> None:
    assert case.is_uuid("a33fc64e-5c40-11e7-82c4-3d54268aa9ee")
    assert case.is_uuid("A33FC64E-5C40-11E7-82C4-3D54268AA9EE")
    assert not case.is_uuid("a33fc64e-5c40-11e7-82c4-3d54268aa9ee\n")
    assert not case.is_uuid("urn:uuid:a33fc64e-5c40-11e7-82c4-3d54268aa9ee")
    assert not case.is_uuid("a33fc64e5c4011e782c43d54268aa9ee")


@given(source=st.text())
def test_stable_identifier_is_a_deterministic_uuid(source: str) -> None:
    derived = case.stable_identifier(source)
    assert case.is_uuid(derived)
    assert derived == case.stable_identifier(source)
    assert case.stable_identifier(derived) == derived
    if not case.is_uuid(source):
        assert derived == str(uuid.uuid5(case.WAYPOINT_NAMESPACE, source))


@given(value=st.uuids(), upper=st.booleans())
def test_stable_identifier_keeps_a_uuid_exactly(value: uuid.UUID, upper: bool) -> None:
    text = str(value).upper() if upper else str(value)
    assert case.stable_identifier(text) == text


EDUCATION_LEVELS = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]
# The types a CASE 1.0 package can carry (the property tests write CASE 1.0).
OTHER_TYPES = [
    kind
    for kind in case.ASSOCIATION_TYPES
    if kind != "isChildOf" and kind not in case.CASE_1_1_ASSOCIATION_TYPES
]


@st.composite
def random_packages(draw: st.DrawFn) -> CasePackage:
    """A random tree (each item's parent comes earlier in creation order), items given in a shuffled order."""
    count = draw(st.integers(min_value=1, max_value=30))
    identifiers = [
        str(value).upper() if draw(st.booleans()) else str(value)
        for value in draw(st.lists(st.uuids(), min_size=count, max_size=count, unique=True))
    ]
    parents = [draw(st.integers(min_value=-1, max_value=index - 1)) for index in range(count)]
    statements = st.text(min_size=1, max_size=20).filter(str.strip)
    items = [
        CaseItem(
            identifier=identifiers[index],
            source_identifier="",
            uri="",
            full_statement=draw(statements),
            human_code=draw(st.text(max_size=8)),
            education_levels=tuple(draw(st.lists(st.sampled_from(EDUCATION_LEVELS), max_size=3))),
            last_change=draw(st.sampled_from(["", "2020-01-02T03:04:05+00:00"])),
            parent_identifier=identifiers[parents[index]] if parents[index] >= 0 else None,
            position=draw(st.integers(min_value=0, max_value=5)),
        )
        for index in range(count)
    ]
    associations = []
    for number in range(draw(st.integers(min_value=0, max_value=4))):
        inside = draw(st.booleans())
        associations.append(
            CaseAssociation(
                identifier=str(uuid.uuid5(case.WAYPOINT_NAMESPACE, f"association {number}")),
                source_identifier="",
                uri="",
                association_type=draw(st.sampled_from(OTHER_TYPES)),
                origin_identifier=draw(st.sampled_from(identifiers)),
                destination_identifier=draw(st.sampled_from(identifiers))
                if inside
                else str(draw(st.uuids())),
                destination_uri="" if inside else "https://elsewhere.example.org/case/item",
                destination_title=draw(st.text(max_size=8)),
                destination_in_package=inside,
                sequence_number=draw(st.none() | st.integers(min_value=0, max_value=9)),
            )
        )
    order = draw(st.permutations(range(count)))
    document = CaseDocument(identifier=DOCUMENT_ID, source_identifier="", uri="", title="Random")
    return CasePackage(
        document=document, items=tuple(items[i] for i in order), associations=tuple(associations)
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(package=random_packages())
def test_build_parse_build_is_a_fixed_point_and_items_come_parents_first(package: CasePackage) -> None:
    exported = build(package)
    reread = case.parse_package_data(exported)
    assert normalised(build(reread)) == normalised(exported)
    assert reread.warnings == ()

    seen: set[str] = set()
    last_position: dict[str | None, int] = {}
    for item in reread.items:
        assert item.parent_identifier is None or item.parent_identifier in seen
        assert item.position >= last_position.get(item.parent_identifier, item.position)
        last_position[item.parent_identifier] = item.position
        seen.add(item.identifier)
    source = {item.identifier: item for item in package.items}
    assert set(source) == seen
    for item in reread.items:
        original = source[item.identifier]
        assert (item.parent_identifier, item.position, item.full_statement, item.education_levels) == (
            original.parent_identifier,
            original.position,
            original.full_statement,
            original.education_levels,
        )
    assert [(a.identifier, a.destination_identifier) for a in reread.associations] == [
        (a.identifier, a.destination_identifier) for a in package.associations
    ]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)
FIELDS = [
    "identifier",
    "title",
    "uri",
    "fullStatement",
    "educationLevel",
    "educationalLevel",
    "subject",
    "conceptKeywords",
    "CFItemType",
    "CFItemTypeURI",
    "lastChangeDateTime",
    "associationType",
    "sequenceNumber",
    "originNodeURI",
    "destinationNodeURI",
    "originNodeIdentifier",
]


@settings(deadline=None)
@given(
    section=st.sampled_from(["CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"]),
    index=st.integers(min_value=0, max_value=9),
    name=st.sampled_from(FIELDS),
    value=JSON_VALUES,
)
def test_a_damaged_package_is_read_or_refused_never_crashes(
    section: str, index: int, name: str, value: object
) -> None:
    data = small_data()
    if section in ("CFItems", "CFAssociations"):
        data[section][index % len(data[section])][name] = value
    elif section == "CFDocument":
        data[section][name] = value
    else:
        data[section] = value
    result = outcome(lambda: case.parse_package_data(data))
    assert len(result.items) == 7 if isinstance(result, CasePackage) else result.problems


@given(raw=st.binary(max_size=200))
def test_random_bytes_are_read_or_refused_never_crash(raw: bytes) -> None:
    for result in (
        outcome(lambda: case.parse_package(raw)),
        outcome(lambda: case.parse_opensalt_csv(raw, title="T")),
    ):
        assert isinstance(result, CasePackage) or result.problems


def outcome(read: Callable[[], CasePackage]) -> CasePackage | CasePackageError:
    """What reading gives: a package or a refusal (anything else propagates and fails the test)."""
    try:
        return read()
    except CasePackageError as refused:
        return refused
