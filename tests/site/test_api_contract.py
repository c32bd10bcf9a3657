"""The API's contract, read from its own OpenAPI document and checked on live answers: OpenAPI 3.1; every
operation named, summarised, with explicit schemas and its errors documented as problem+json; every list
paged the same way; and every error (refusals, invalid input, unknown addresses, wrong methods, bodies over
the limit, missing credentials, failures) answered as `application/problem+json` with its reasons."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from ninja import Schema

from tests.conftest import Demo
from waypoint.core.api import PROBLEM_MEDIA_TYPE
from waypoint.site.api import api

Operation = tuple[str, str, dict[str, Any]]
PAGE_FIELDS = {"items", "count", "page", "page_size", "pages"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return api.get_openapi_schema()  # type: ignore[no-any-return]


def _operations(schema: dict[str, Any]) -> Iterator[Operation]:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _violations(schema: dict[str, Any], check: Any) -> list[str]:
    return [
        f"{method} {path}: {problem}" for method, path, op in _operations(schema) for problem in check(op)
    ]


def _assert_none(violations: list[str]) -> None:
    assert not violations, f"{len(violations)} operations break the contract:\n" + "\n".join(violations)


def test_the_document_is_openapi_3_1(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1.")
    assert len(list(_operations(schema))) > 100


def test_every_operation_has_a_unique_stable_id_and_a_written_summary(schema: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(schema)]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

    def check(op: dict[str, Any]) -> Iterator[str]:
        app, _, function = op["operationId"].partition("_")
        if not re.fullmatch(r"[a-z]+", app) or not re.fullmatch(r"[a-z0-9_]+", function):
            yield f"operation id {op['operationId']!r} is not <app>_<function>"
        # Ninja's own summary is the function's name in title case: a written one says what it does.
        if op.get("summary", "") in ("", function.title().replace("_", " ")):
            yield "no written summary"
        elif len(op["summary"]) > 100 or op["summary"].endswith("."):
            yield f"summary {op['summary']!r} is not one short phrase"

    _assert_none(_violations(schema, check))


def test_every_operation_declares_its_errors_as_problems(schema: dict[str, Any]) -> None:
    def check(op: dict[str, Any]) -> Iterator[str]:
        responses = {int(status): response for status, response in op["responses"].items()}
        parameters = op.get("parameters", [])
        needed = {401}
        if parameters or "requestBody" in op:
            needed.add(422)
        if any(p["in"] == "path" for p in parameters):
            needed.add(404)
        if "requestBody" in op:
            needed.add(413)
        if missing := needed - responses.keys():
            yield f"undocumented errors {sorted(missing)}"
        for status, response in responses.items():
            if status < 400:
                continue
            content = response.get("content", {})
            if list(content) != [PROBLEM_MEDIA_TYPE]:
                yield f"{status} is not documented as {PROBLEM_MEDIA_TYPE}"
                continue
            body = _resolve(schema, content[PROBLEM_MEDIA_TYPE]["schema"])
            if not {"type", "title", "status", "detail", "problems"} <= set(body.get("properties", {})):
                yield f"{status} is not a Problem"

    _assert_none(_violations(schema, check))


def test_every_success_has_an_explicit_schema_and_no_list_is_unpaged(schema: dict[str, Any]) -> None:
    def check(method: str, op: dict[str, Any]) -> Iterator[str]:
        for status, response in op["responses"].items():
            if int(status) >= 300 or int(status) == 204:
                continue
            content = response.get("content")
            if not content:
                yield f"{status} has no schema"
                continue
            for media_type, body in content.items():
                resolved = _resolve(schema, body.get("schema", {}))
                shapes = [_resolve(schema, one) for one in resolved.get("anyOf", [resolved])]
                if media_type == "application/json" and any(
                    shape.get("type") != "object" for shape in shapes
                ):
                    yield f"{status} answers a bare {resolved.get('type', 'value')}, not an object"
                elif (
                    method == "GET"
                    and "items" in resolved.get("properties", {})
                    and not set(resolved["properties"]) >= PAGE_FIELDS
                ):
                    yield f"{status} has items but not the page fields {sorted(PAGE_FIELDS)}"

    _assert_none([f"{m} {path}: {p}" for m, path, op in _operations(schema) for p in check(m, op)])


def test_every_paged_list_takes_page_and_page_size(schema: dict[str, Any]) -> None:
    def check(op: dict[str, Any]) -> Iterator[str]:
        ok = op["responses"].get("200", op["responses"].get(200, {}))
        body = _resolve(schema, ok.get("content", {}).get("application/json", {}).get("schema", {}))
        if "items" not in body.get("properties", {}):
            return
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if missing := {"page", "page_size"} - names:
            yield f"a list without the query parameters {sorted(missing)}"

    _assert_none(_violations(schema, check))


def test_no_two_schemas_share_a_name() -> None:
    # The OpenAPI document names each schema by its class alone: two classes of one name would both be
    # documented as whichever came first, and an operation would show another's body.
    names: dict[str, set[str]] = {}

    def walk(cls: type[Schema]) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("waypoint."):
                names.setdefault(sub.__name__, set()).add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    assert {name: places for name, places in names.items() if len(places) > 1} == {}


def test_every_input_id_is_bounded_to_a_database_integer(schema: dict[str, Any]) -> None:
    def ints(node: dict[str, Any], name: str, seen: frozenset[str] = frozenset()) -> Iterator[str]:
        if "$ref" in node:
            ref = node["$ref"]
            if ref not in seen:
                yield from ints(_resolve(schema, node), name, seen | {ref})
            return
        for alternative in node.get("anyOf", []) + node.get("allOf", []):
            yield from ints(alternative, name, seen)
        is_id = name == "id" or name.endswith(("_id", "_ids"))
        bound = node.get("maximum", node.get("exclusiveMaximum", 2**64))
        if node.get("type") == "integer" and is_id and bound > 2**63 - 1:
            yield f"{name} is an unbounded id"
        if node.get("type") == "array":
            yield from ints(node.get("items", {}), name, seen)
        for field, child in node.get("properties", {}).items():
            yield from ints(child, field, seen)

    def check(op: dict[str, Any]) -> Iterator[str]:
        for parameter in op.get("parameters", []):
            yield from ints(parameter["schema"], parameter["name"])
        for body in op.get("requestBody", {}).get("content", {}).values():
            yield from ints(body["schema"], "body")

    _assert_none(_violations(schema, check))


# Live answers: each error family as problem+json with its reason.


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(PROBLEM_MEDIA_TYPE), response["Content-Type"]
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["problems"]
    assert all(item["reason"] for item in body["problems"])
    assert body["detail"] == " ".join(item["reason"] for item in body["problems"])
    return body


@pytest.fixture
def teacher(demo: Demo, client: Client) -> Client:
    client.force_login(demo.users["teacher"])
    return client


def test_invalid_input_lists_every_error_with_its_location(teacher: Client) -> None:
    body = _problem(teacher.get("/api/v1/students?page=0&page_size=abc"), 422)
    assert {item["location"] for item in body["problems"]} == {"query.page", "query.page_size"}


def test_a_refusal_lists_every_reason(demo: Demo, client: Client) -> None:
    client.force_login(demo.users["district-admin"])
    current = client.get("/api/v1/progress/inquiry-settings").json()
    payload = {k: v for k, v in current.items() if k not in ("district_id", "updated_at", "limits")}
    payload |= {"pace_window_weeks": -5, "stuck_attempts": 10**30}
    body = _problem(
        client.put("/api/v1/progress/inquiry-settings", payload, content_type="application/json"), 400
    )
    assert len(body["problems"]) == 2
    assert all(item["location"] is None for item in body["problems"])


def test_what_the_policy_hides_answers_exactly_like_what_does_not_exist(demo: Demo, client: Client) -> None:
    client.force_login(demo.users["other-teacher"])
    hidden = client.get(f"/api/v1/students/{demo.student.pk}")
    missing = client.get("/api/v1/students/999999999")
    assert _problem(hidden, 404) == _problem(missing, 404)


@pytest.mark.parametrize(
    "path", ["/api/v1/students/abc", f"/api/v1/students/{2**63}", f"/api/v1/students/{2**64}"]
)
def test_a_path_that_names_nothing_is_404(teacher: Client, path: str) -> None:
    _problem(teacher.get(path), 404)


def test_no_credentials_is_401_with_the_way_in(db: None, client: Client) -> None:
    response = client.get("/api/v1/students")
    body = _problem(response, 401)
    assert "Bearer" in body["detail"]
    assert response["WWW-Authenticate"] == "Bearer"
    _problem(client.get("/api/v1/students", HTTP_AUTHORIZATION="Bearer wp_not-a-token"), 401)


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v2/students", "/api/"])
def test_an_unknown_address_under_the_api_is_a_404_problem(teacher: Client, path: str) -> None:
    _problem(teacher.get(path), 404)


def test_a_method_the_address_does_not_take_is_a_405_problem_with_allow(teacher: Client) -> None:
    response = teacher.delete("/api/v1/students")
    _problem(response, 405)
    assert "GET" in response["Allow"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_a_413_problem_with_a_reason(demo: Demo, client: Client) -> None:
    client.force_login(demo.users["district-admin"])
    payload = json.dumps({"title": "x" * 2000})
    body = _problem(client.post("/api/v1/opportunities", payload, content_type="application/json"), 413)
    assert "larger than this API accepts" in body["detail"]
    form = client.post("/api/v1/opportunities", {"title": "x" * 2000})
    _problem(form, 413)


def test_a_failure_is_a_500_problem_that_tells_nothing_of_the_internals(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("secret internals: /srv/waypoint/settings.py")

    monkeypatch.setattr("waypoint.people.api.student_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(demo.users["teacher"])
    response = client.get("/api/v1/students")
    body = _problem(response, 500)
    assert "secret" not in response.content.decode()
    assert "logged" in body["detail"]


def test_the_docs_page_and_the_schema_are_served(db: None, client: Client) -> None:
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert docs["Content-Security-Policy"] == settings.WAYPOINT_CONTENT_SECURITY_POLICY
    assert "<script>" not in docs.content.decode()  # no inline script: the policy would block it
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1.")
