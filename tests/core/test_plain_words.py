"""The audit log and the record of disclosures in plain words: names and sentences, never internal codes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from waypoint.core import audit_vocabulary
from waypoint.core.models import AuditAction, AuditEvent, Role, User
from waypoint.policy.actions import LABELS, Action

SOURCE = Path(__file__).resolve().parents[2] / "src" / "waypoint"
# The keywords through which code names the object type of an audit event, and the helpers that pass a
# parameter of that name on (their literal values are found where they are called).
OBJECT_TYPE_KEYWORDS = {"object_type", "audit_as", "shown_in"}


def object_types_in_code() -> dict[str, str]:
    """Every object type written to the audit log by the code, with one place that writes it."""
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            values = [kw.value for kw in node.keywords if kw.arg in OBJECT_TYPE_KEYWORDS]
            if name == "audit_student" and len(node.args) >= 3:
                values.append(node.args[2])
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value, f"{path.relative_to(SOURCE)}:{node.lineno}")
    return found


class _Text(HTMLParser):
    """The text a person reads on a page: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def school_of(teacher: User) -> str:
    assignment = teacher.role_assignments.filter(role=Role.TEACHER).select_related("organization").first()
    assert assignment is not None
    return assignment.organization.name


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The sentences are checked in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


# The vocabulary covers the code -------------------------------------------------------------------------


def test_the_scan_finds_the_object_types_it_should() -> None:
    """A guard on the scan itself: it sees literals passed as keywords and as `audit_student`'s argument."""
    found = object_types_in_code()
    assert {"student", "student-list", "evidence-list", "score", "path", "success-plan"} <= found.keys()


def test_every_object_type_in_the_code_has_words() -> None:
    missing = {
        kind: where for kind, where in object_types_in_code().items() if kind not in audit_vocabulary.THINGS
    }
    assert not missing, f"Add words for these audit object types to core/audit_vocabulary.py: {missing}"


def test_every_audit_action_has_a_sentence_and_a_label() -> None:
    assert set(AuditAction.values) <= audit_vocabulary.VERBS.keys()
    assert set(AuditAction.values) <= audit_vocabulary.ACTION_LABELS.keys()


def test_every_policy_action_has_a_label() -> None:
    missing = [action.value for action in Action if action not in LABELS]
    assert not missing, f"Add a label to policy/actions.py LABELS for: {missing}"


def test_sentences_name_people_and_never_codes() -> None:
    role = audit_vocabulary.role_phrase("teacher", "Riverside High")
    assert (
        audit_vocabulary.sentence(
            AuditAction.VIEW, "evidence-list", actor="Maria Rivera", actor_role=role, student="Jordan"
        )
        == "Maria Rivera, teacher at Riverside High, viewed Jordan’s evidence list"
    )
    assert audit_vocabulary.person("Maria Rivera", role) == "Maria Rivera, teacher at Riverside High"
    assert (
        audit_vocabulary.sentence(
            AuditAction.CREATE, "score", actor="Mr Bell", student="Jordan", title="Linear functions quiz"
        )
        == "Mr Bell recorded a score on “Linear functions quiz”"
    )
    assert audit_vocabulary.sentence(AuditAction.LOGIN, "account", actor="dana") == "dana signed in"
    # An object type newer than the vocabulary still reads as words, never as its code.
    unknown = audit_vocabulary.sentence(AuditAction.VIEW, "report-card-v2", actor="Dana", student="Jordan")
    assert "report-card-v2" not in unknown
    assert "Jordan" in unknown


def test_every_object_type_reads_without_hyphens_in_every_language() -> None:
    for language in ("en", "es"):
        with translation.override(language):
            for kind in audit_vocabulary.THINGS:
                for action in AuditAction.values:
                    words = audit_vocabulary.sentence(
                        action, kind, actor="Dana", student="Jordan", title="Essay"
                    )
                    assert "-" not in kind or kind not in words, (language, action, kind, words)


def test_stored_interests_read_in_plain_words() -> None:
    assert audit_vocabulary.interest_words("Advisor (caseload)") == "The student’s advisor"
    assert audit_vocabulary.interest_words("Teacher of Algebra 1 (A)") == "Teacher of Algebra 1 (A)"
    assert audit_vocabulary.interest_words("Goal added") == "Goal added"


# The record of disclosures --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_disclosures_name_the_teacher_with_role_and_school_and_group_repeats(
    client: Client, demo: Demo
) -> None:
    jordan = demo.student
    teacher = demo.users["teacher"]
    client.force_login(teacher)
    for _ in range(3):
        assert client.get(reverse("student-evidence", args=[jordan.pk])).status_code == 200
    client.force_login(demo.users["guardian"])
    response = client.get(reverse("student-disclosures", args=[jordan.pk]))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    first = jordan.preferred_name or jordan.first_name
    who = f"{teacher.display_name}, teacher at {school_of(teacher)}"
    assert f"{who}, viewed {first}’s evidence list (3 times)" in text
    assert "Student number" not in text
    for kind in audit_vocabulary.THINGS:
        if "-" in kind:
            assert kind not in text, kind
    assert f"Student {jordan.pk}" not in text
    assert "Viewed (" not in text


@pytest.mark.django_db
def test_disclosures_explain_what_is_logged_and_why(client: Client, demo: Demo) -> None:
    client.force_login(demo.users["guardian"])
    text = visible_text(client.get(reverse("student-disclosures", args=[demo.student.pk])).content.decode())
    assert "What is written here, and why" in text
    assert "the reason the law allows it" in text


@pytest.mark.django_db
def test_disclosures_api_gives_the_sentence(client: Client, demo: Demo) -> None:
    jordan = demo.student
    client.force_login(demo.users["teacher"])
    client.get(reverse("student-detail", args=[jordan.pk]))
    client.force_login(demo.users["guardian"])
    items = client.get(f"/api/v1/students/{jordan.pk}/disclosures").json()["items"]
    first = jordan.preferred_name or jordan.first_name
    sentences = [item["sentence"] for item in items]
    teacher = demo.users["teacher"]
    assert f"{teacher.display_name}, teacher at {school_of(teacher)}, viewed {first}’s record" in sentences


@pytest.mark.django_db
def test_disclosures_page_query_count_does_not_grow(
    client: Client, demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    jordan = demo.student
    for username in ("teacher", "advisor", "school-admin", "district-admin"):
        client.force_login(demo.users[username])
        client.get(reverse("student-detail", args=[jordan.pk]))
        client.get(reverse("student-evidence", args=[jordan.pk]))
    client.force_login(demo.users["guardian"])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("student-disclosures", args=[jordan.pk])).status_code == 200


# The audit log ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_log_reads_in_sentences_with_student_names(client: Client, demo: Demo) -> None:
    jordan = demo.student
    client.force_login(demo.users["teacher"])
    client.get(reverse("student-evidence", args=[jordan.pk]))
    client.force_login(demo.users["district-admin"])
    response = client.get(reverse("audit-log") + f"?student={jordan.pk}")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert f"viewed {jordan.full_name}’s evidence list" in text
    assert f"Showing only events about {jordan.full_name}." in text
    assert "Student number" not in text
    for kind in audit_vocabulary.THINGS:
        if "-" in kind:
            assert kind not in text, kind


@pytest.mark.django_db
def test_audit_log_query_count_has_an_upper_bound(
    client: Client, demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(demo.users["district-admin"])
    for page in (1, 2, 3):
        client.get(reverse("student-list") + f"?page={page}")
    assert AuditEvent.objects.filter(district=demo.riverside).count() > 100
    with django_assert_max_num_queries(30):
        response = client.get(reverse("audit-log"))
    assert response.status_code == 200
    # A sign-in names the account signed in to, even when the request carried no user yet.
    sign_ins = client.get(reverse("audit-log"), {"action": AuditAction.LOGIN})
    assert "district-admin signed in" in visible_text(sign_ins.content.decode())


@pytest.mark.django_db
def test_a_refusal_names_the_action_in_words(client: Client, demo: Demo) -> None:
    client.force_login(demo.users["teacher"])
    response = client.get(reverse("student-disclosures", args=[demo.student.pk]))
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "see who has viewed this student’s record" in text
    assert "student_disclosures" not in text
