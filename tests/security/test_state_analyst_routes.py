"""The state analyst reaches no student: every route of the URL resolver (every app, pages and API), signed
in as the demo's `state-analyst`, with each id filled by a real object of the analyst's state (a student, a
section, evidence, a path, a plan...: the authorization matrix's targets in both demo districts).

- A route that takes a student, or an object of a student's record, answers 404: the analyst cannot tell
  it exists.
- No 200 answer names a student of the state's districts (their first and last names, their record's
  address), however the route is filled.

The analyst's own pages (the state view) are walked too; they show aggregates only."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from tests.security import test_authorization_matrix as matrix
from tests.security.matrix_kit import OTHER, OWN, Row
from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.demo import DEMO_PASSWORD
from waypoint.core.models import AccessToken, Organization, Section, Student, User
from waypoint.core.services import access_token_create

ANALYST = "state-analyst"
# The placeholders whose object is a student or part of a student's record.
STUDENT_OBJECTS = {
    "student",
    "evidence",
    "artifact",
    "path",
    "goal",
    "conference",
    "support",
    "readiness",
    "credential",
    "collection",
    "exhibition",
    "transfer",
    "disposal",
}
# Words a page may carry that also happen to be a demo student's first or last name: checking them would
# find the page's own text, not a student (none is a full name).
COMMON_WORDS = {"may", "will", "grace", "hope", "page", "young", "long", "rivers", "case", "lane", "hall"}


# A public portfolio link, a transcript's verification code and a password reset carry a secret in their
# address that only its holder knows (anyone holding the link or the code reads it, signed out too, by
# design): the walk guesses, as the analyst would have to.
SECRET_PLACEHOLDERS = {"<str:token>", "<str:uidb64>", "<str:code>"}
SECRET_GUESS = "guessed-secret"
# Routes whose GET answers 405 and whose POST the walk does not send: signing out would end the walk.
NEVER_POSTED = {"logout/"}


def _takes_student(route: str) -> bool:
    return any(f"<int:{name}_id>" in route for name in STUDENT_OBJECTS)


# A walk of the site's routes (which of them answer a student), like the API fuzz: CI runs it once, on
# PostgreSQL; the authorization matrix checks each route's scoping on both engines.
@pytest.mark.once
class StateAnalystRoutesTest(TestCase):
    users: dict[str, User]
    targets: dict[str, dict[str, object]]
    state: Organization
    names: set[str]
    student_ids: set[int]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.users = {u.username: u for u in User.objects.filter(username__in=matrix.SIGNED_IN)}
        analyst = cls.users[ANALYST]
        (state_id,) = policy.insights_scope(analyst).states
        state = Organization.objects.get(pk=state_id)
        cls.state = state
        # The demo's students of the state's districts, read before the matrix's targets add their own
        # (named after the matrix, words that frameworks and practices of the matrix carry too).
        students = Student.objects.filter(district__parent=state)
        cls.student_ids = set(students.values_list("pk", flat=True))
        cls.names = set()
        for first, last, preferred in students.values_list("first_name", "last_name", "preferred_name"):
            cls.names |= {name for name in (first, last, preferred) if len(name) > 2}
        # A staff member who shares a student's name is named on staff pages: such a name cannot tell a
        # student from the staff member, so it is left to the record addresses checked below.
        for first, last in User.objects.filter(student_record__isnull=True).values_list(
            "first_name", "last_name"
        ):
            cls.names -= {first, last}
        cls.names -= {word.title() for word in COMMON_WORDS}
        own_student = Student.objects.get(user__username="student")
        other_section = Section.objects.filter(teachers=cls.users["other-teacher"]).order_by("pk").first()
        assert other_section is not None
        other_student = other_section.roster.order_by("pk").first().student  # type: ignore[union-attr]
        cls.targets = {
            OWN: {
                "student": own_student,
                "section": Section.objects.get(teachers__username="teacher", roster__student=own_student),
                **matrix._framework_targets(Organization.objects.get(slug="riverside")),
            },
            OTHER: {
                "student": other_student,
                "section": other_section,
                **matrix._framework_targets(Organization.objects.get(slug="hillcrest")),
            },
        }
        for target, slug in ((OWN, "riverside"), (OTHER, "hillcrest")):
            district = Organization.objects.get(slug=slug)
            assert district.parent_id == state.pk, "both demo districts are in the analyst's state"
            for module in matrix.APP_MATRICES:
                cls.targets[target].update(module.targets(district, cls.users))

    def setUp(self) -> None:
        self.client = Client()
        # Signed in through the sign-in page, as a person would (the password is the demo's, published).
        response = self.client.post(reverse("login"), {"username": ANALYST, "password": DEMO_PASSWORD})
        assert response.status_code == 302

    def token(self, target: str) -> AccessToken:
        owner = self.users["other-teacher"] if target == OTHER else self.users["teacher"]
        token, _ = access_token_create(context=RequestContext(user=owner), user=owner, name="analyst walk")
        return token

    def url(self, route: str, target: str, row: Row | None) -> str:
        if route == matrix.ADMIN_PREFIX:
            return "/admin/"
        objects = self.targets[target]
        chosen = row.objects if row else {}

        def fill(match: re.Match[str]) -> str:
            placeholder = match.group(0)
            if placeholder == "<int:token_id>":
                return str(self.token(target).pk)
            if placeholder == "<slug:district>":
                return str(objects["student"].district.slug)  # type: ignore[attr-defined]
            if placeholder in SECRET_PLACEHOLDERS:
                return SECRET_GUESS
            if match.group(2):
                return str(objects[match.group(2)])
            key = chosen.get(placeholder) or matrix.DEFAULT_OBJECTS.get(placeholder) or match.group(1)
            return str(objects[key].pk)  # type: ignore[attr-defined]

        return "/" + matrix.PLACEHOLDER.sub(fill, route + (row.query if row else ""))

    def send(self, route: str, target: str, row: Row | None) -> tuple[str, int, str, str]:
        """The request sent (as the row of the matrix sends it, or a GET), its status, body and redirect."""
        url = self.url(route, target, row)
        method = row.method if row else "get"
        if row is not None and row.payload is not None and not row.multipart:
            body = json.dumps(row.payload)
            for name in {m.group(1) for m in matrix.PLACEHOLDER.finditer(body) if m.group(1)}:
                body = body.replace(
                    f'"<int:{name}_id>"', self.url(f"<int:{name}_id>", target, row).lstrip("/")
                )
            response = getattr(self.client, method)(url, data=body, content_type="application/json")
        else:
            response = getattr(self.client, method)(url)
        if response.status_code == 405 and method == "get" and route not in NEVER_POSTED:
            method = "post"
            response = self.client.post(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        location = response.get("Location", "")
        return f"{method.upper()} {url}", response.status_code, content.decode(errors="replace"), location

    def disclosures(self, body: str) -> list[str]:
        """What in a body names a student of the state: a name, or the address of a student's record."""
        found = sorted(name for name in self.names if re.search(rf"\b{re.escape(name)}\b", body))
        found += sorted(f"/students/{pk}/" for pk in self.student_ids if f"/students/{pk}/" in body)
        return found

    def test_no_route_reaches_a_student(self) -> None:
        routes = sorted(set(matrix.enumerate_routes()))
        walked: list[str] = []
        problems: list[str] = []
        for route in routes:
            entry = matrix.MATRIX.get(route)
            rows: tuple[Row | None, ...] = matrix.rows_of(entry) if entry is not None else (None,)
            for row in rows:
                for target in (OWN, OTHER):
                    request, status, body, location = self.send(route, target, row)
                    walked.append(f"{status} {request}")
                    if status == 302 and location.startswith(reverse("login")):
                        problems.append(f"{request}: sent to the sign-in page (the walk was signed out)")
                    if _takes_student(route) and status != 404:
                        problems.append(f"{request}: {status}, expected 404 (it takes a student)")
                    if status == 200:
                        for name in self.disclosures(body):
                            problems.append(f"{request}: 200 shows {name!r}")
        print("\n".join(["Routes walked as the state analyst:", *walked]))  # noqa: T201  (the record)
        assert {line.split(" ", 2)[2].split("?")[0] for line in walked} >= {
            "/" + route if not route.startswith("admin") else "/admin/"
            for route in routes
            if "<" not in route
        }
        assert problems == [], "\n" + "\n".join(problems)

    def test_the_state_view_itself_is_walked_and_names_nobody(self) -> None:
        response = self.client.get(reverse("insights-state"))
        assert response.status_code == 200
        assert self.disclosures(response.content.decode()) == []
        api = self.client.get("/api/v1/insights/state")
        assert api.status_code == 200
        assert self.disclosures(api.content.decode()) == []
