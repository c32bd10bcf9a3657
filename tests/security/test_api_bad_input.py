"""The inputs that once broke the API with a server error, each by name on several operations: lone UTF-16
surrogates (in any field of a JSON body, and in query strings), `NaN` in a body, ids past 2^63−1 (in paths
and bodies), dates in the year 9999, and links such as `/\\host` that look local but lead elsewhere. Each is
refused in words (problem+json), never answered 500, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from waypoint.catalog.models import Provider
from waypoint.core.api import PROBLEM_MEDIA_TYPE
from waypoint.core.models import AuditEvent
from waypoint.pathways.models import PathProposal
from waypoint.progress.models import Support
from waypoint.records.models import DisposalRequest

pytestmark = pytest.mark.django_db

HUGE = 2**63  # one past the largest id a database integer holds
FAR = "9999-12-31"


def _signed_in(demo: Demo, username: str) -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


def _send(client: Client, method: str, url: str, raw: str) -> Any:
    return getattr(client, method)(f"/api/v1{url}", data=raw, content_type="application/json")


def _refused(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"].startswith(PROBLEM_MEDIA_TYPE)
    body: dict[str, Any] = response.json()
    for word in words:
        assert word in body["detail"], body["detail"]
    return body


# Lone surrogates -------------------------------------------------------------------------------------------

SURROGATE = '"\\ud800"'  # JSON's escape for half a UTF-16 pair: valid JSON, not Unicode text


@pytest.mark.parametrize(
    ("username", "method", "url", "template"),
    [
        ("district-admin", "post", "/opportunities", '{"title": %s, "kind": "internship"}'),
        ("district-admin", "post", "/providers", '{"name": "Shop", "kind": "employer", "contact_name": %s}'),
        ("student", "post", "/records/students/{student}/portfolio/collections", '{"title": %s}'),
        ("district-admin", "post", "/records/credentials/verify", '{"token": %s}'),
        (
            "advisor",
            "post",
            "/progress/students/{student}/supports",
            '{"kind": "tutoring", "description": %s}',
        ),
        ("district-admin", "put", "/progress/inquiry-settings", '{"requirement_kinds": [%s]}'),
    ],
)
def test_a_lone_surrogate_anywhere_in_a_body_is_refused_in_words(
    demo: Demo, username: str, method: str, url: str, template: str
) -> None:
    client = _signed_in(demo, username)
    where = url.format(student=demo.student.pk)
    before = AuditEvent.objects.count()
    _refused(_send(client, method, where, template % SURROGATE), 400, "surrogate")
    # Even as a key, where no schema looks.
    _refused(_send(client, method, where, f"{{{SURROGATE}: 1}}"), 400, "surrogate")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "path", ["/students?search=%ED%A0%80", "/opportunities?search=%ED%A0%80&kind=course"]
)
def test_a_lone_surrogate_in_a_query_string_is_searched_as_text(demo: Demo, path: str) -> None:
    # A query string arrives as bytes; the surrogate's bytes are not UTF-8, so they decode to U+FFFD and
    # match nothing.
    response = _signed_in(demo, "teacher").get(f"/api/v1{path}")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_nan_is_not_json(demo: Demo) -> None:
    response = _send(
        _signed_in(demo, "teacher"), "put", "/progress/inquiry-settings", '{"subgroup_margin": NaN}'
    )
    _refused(response, 400, "NaN is not a JSON number")


def test_a_body_that_is_not_json_says_so(demo: Demo) -> None:
    _refused(_send(_signed_in(demo, "district-admin"), "post", "/opportunities", "{title"), 400, "not JSON")
    latin1 = _signed_in(demo, "district-admin").post(
        "/api/v1/opportunities",
        data='{"title": "Caf\xe9"}'.encode("latin-1"),
        content_type="application/json",
    )
    _refused(latin1, 400, "not JSON")


# Ids past 2^63−1 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/students/{HUGE}",
        f"/students/{HUGE}/mastery",
        f"/evidence/{HUGE}",
        f"/records/students/{HUGE}/transcript",
        f"/progress/alerts/{HUGE}",
        f"/frameworks/{10**40}",
    ],
)
def test_an_id_past_the_largest_integer_in_a_path_is_a_404(demo: Demo, path: str) -> None:
    _refused(_signed_in(demo, "district-admin").get(f"/api/v1{path}"), 404)


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        (
            "post",
            "/paths",
            {"student_id": HUGE, "rationale": "x", "starts_on": "2030-01-01", "ends_on": "2030-02-01"},
        ),
        ("post", "/records/transfers/1/release", {"evidence_ids": [HUGE]}),
        (
            "post",
            "/progress/students/{student}/conferences",
            {"kind": "student_led", "scheduled_for": "2030-01-01T10:00:00Z", "attendee_ids": [HUGE]},
        ),
        ("post", "/opportunities", {"provider_id": HUGE}),
    ],
)
def test_an_id_past_the_largest_integer_in_a_body_is_refused_where_it_is(
    demo: Demo, method: str, url: str, payload: dict[str, Any]
) -> None:
    client = _signed_in(demo, "district-admin")
    response = _send(client, method, url.format(student=demo.student.pk), json.dumps(payload))
    body = _refused(response, 422, "less than or equal to 9223372036854775807")
    assert any(item["location"] and "_id" in item["location"] for item in body["problems"])


def test_an_id_past_the_largest_integer_in_a_form_is_refused(demo: Demo) -> None:
    response = _signed_in(demo, "student").post(
        "/api/v1/evidence", {"student_id": str(HUGE), "title": "Work", "competency_ids": [str(HUGE)]}
    )
    _refused(response, 422, "less than or equal to")


# Dates in the year 9999 ------------------------------------------------------------------------------------


def test_a_date_in_the_year_9999_is_refused_before_any_date_arithmetic(demo: Demo) -> None:
    # A disposal is due 60 days after it was received: 9999-12-31 + 60 days overflowed into a 500.
    admin = _signed_in(demo, "district-admin")
    disposal = {"requested_by_name": "The family", "received_on": FAR}
    url = f"/records/students/{demo.student.pk}/disposal-requests"
    _refused(_send(admin, "post", url, json.dumps(disposal)), 422, "between 1900-01-01 and 2199-12-31")
    assert not demo.added(DisposalRequest).exists()


@pytest.mark.parametrize(
    ("username", "url", "payload"),
    [
        (
            "advisor",
            "/progress/students/{student}/supports",
            {"kind": "tutoring", "starts_on": "2030-01-01", "follow_up_on": FAR},
        ),
        (
            "advisor",
            "/progress/students/{student}/conferences",
            {"kind": "student_led", "scheduled_for": f"{FAR}T23:59:59Z"},
        ),
        (
            "student",
            "/paths",
            {"student_id": "{student}", "rationale": "x", "starts_on": "2030-01-01", "ends_on": FAR},
        ),
        ("district-admin", "/records/students/{student}/diploma", {"awarded_on": FAR}),
        ("district-admin", "/records/students/{student}/credentials", {"valid_until": f"{FAR}T00:00:00Z"}),
    ],
)
def test_far_dates_are_refused_on_every_date_input(
    demo: Demo, username: str, url: str, payload: dict[str, Any]
) -> None:
    raw = json.dumps(payload).replace('"{student}"', str(demo.student.pk))
    response = _send(_signed_in(demo, username), "post", url.format(student=demo.student.pk), raw)
    _refused(response, 422, "between 1900-01-01 and 2199-12-31")
    assert not demo.added(Support).exists()
    assert not demo.added(PathProposal).exists()


# Links that look local but are not -------------------------------------------------------------------------

NOT_LOCAL = [
    "/\\evil.example",
    "\\\\evil.example",
    "//evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
]


@pytest.mark.parametrize("link", NOT_LOCAL)
def test_a_stored_web_address_must_name_a_host_plainly(demo: Demo, link: str) -> None:
    admin = _signed_in(demo, "district-admin")
    provider = {"name": "Machine shop", "kind": "employer", "website": link}
    _refused(_send(admin, "post", "/providers", json.dumps(provider)), 400, "name its site")
    assert not Provider.objects.filter(name="Machine shop").exists()
    fine = _send(admin, "post", "/providers", json.dumps({**provider, "website": "https://shop.example"}))
    assert fine.status_code == 201, fine.content


@pytest.mark.parametrize("link", NOT_LOCAL)
def test_a_next_parameter_that_leads_elsewhere_is_not_followed(demo: Demo, link: str) -> None:
    response = Client().post(f"/login/?next={link}", {"username": "teacher", "password": "waypoint-demo"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert response["Location"].startswith("/")
