"""The authorization matrix: every route × every demo role (and anonymous) × a target in the role's own
district and in the other district.

Routes are enumerated from the URL resolver, so a route added without a row here fails
`test_every_route_has_a_matrix_row`. Expected statuses: 200 allowed; 404 a student (or section, or token) the
user may not see, indistinguishable from one that does not exist; 403 a page for another role, or an action
on a visible student that the role may not take; 302 to the sign-in page (HTML) or 401 (API) when signed out.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import unittest
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.matrix_kit import (
    ANONYMOUS,
    OTHER,
    OWN,
    READS_OWN_STUDENT,
    ROLES,
    SECTION_ROLES,
    SEES_OWN_DISCLOSURES,
    SIGNED_IN,
    Row,
    everyone,
    same_for_both,
)
from waypoint.core.audit import RequestContext
from waypoint.core.models import AccessToken, Organization, Section, Student, User
from waypoint.core.services import access_token_create
from waypoint.frameworks.models import (
    Alignment,
    Competency,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Rubric,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.services import (
    DEFAULT_SCALE_LEVELS,
    CompetencyFields,
    alignment_create,
    competency_create,
    draft_create,
    framework_create,
    scale_create,
    version_publish,
)

STUDENT_ROW = Row(allowed={OWN: READS_OWN_STUDENT, OTHER: {"other-teacher"}})
DISCLOSURE_OVERRIDES = {
    **{(role, OWN): 403 for role in READS_OWN_STUDENT - SEES_OWN_DISCLOSURES},
    ("other-teacher", OTHER): 403,
}

ADMIN = {"district-admin"}
# Frameworks are not student data: every signed-in user reads published versions; drafts exist only for the
# owning district's administrators (404 for everyone else); edits by anyone else are refused (403).
DRAFT = {"<int:version_id>": "draft", "<int:competency_id>": "draft_competency"}
LEVELS = [
    {"value": 1, "label": "Not yet"},
    {"value": 2, "label": "Nearly"},
    {"value": 3, "label": "Got it", "meets_mastery": True},
]

CASE_FILE = Path(__file__).parents[1] / "frameworks" / "fixtures" / "case_rubrics.json"
RUBRIC_WRITERS = {"teacher", "teacher-uncertified", "school-admin", "district-admin", "other-teacher"}
RUBRIC_PAYLOAD: dict[str, object] = {
    "title": "Matrix rubric",
    "criteria": [
        {
            "competency_id": "<int:competency_id>",
            "cells": [{"level_value": value, "description": f"Level {value}."} for value in (1, 2, 3, 4)],
        }
    ],
}

MATRIX: dict[str, Row | tuple[Row, ...]] = {
    "": everyone(leak_check=True),
    "healthz": everyone(anonymous=200),
    "readyz": everyone(anonymous=200),
    "login/": everyone(302, anonymous=200),
    "logout/": everyone(405, anonymous=405),
    "students/": everyone(leak_check=True),
    "students/<int:student_id>/": STUDENT_ROW,
    "students/<int:student_id>/disclosures/": Row(
        allowed={OWN: SEES_OWN_DISCLOSURES, OTHER: set()}, overrides=DISCLOSURE_OVERRIDES
    ),
    "sections/": same_for_both(SECTION_ROLES, 403, leak_check=True),
    "sections/<int:section_id>/": Row(
        allowed={OWN: {"teacher", "school-admin", "district-admin"}, OTHER: {"other-teacher"}}
    ),
    "caseload/": same_for_both({"advisor"}, 403, leak_check=True),
    "audit/": same_for_both({"district-admin"}, 403),
    "account/tokens/": everyone(),
    "account/tokens/<int:token_id>/revoke/": Row(
        allowed={OWN: set(SIGNED_IN), OTHER: {"other-teacher"}}, ok=302, method="post"
    ),
    # django-ninja's API root has no page of its own.
    "api/v1/": everyone(404, anonymous=404),
    "api/v1/me": everyone(anonymous=401),
    "api/v1/students": everyone(anonymous=401, leak_check=True),
    "api/v1/students/<int:student_id>": Row(allowed=STUDENT_ROW.allowed, anonymous=401),
    "api/v1/students/<int:student_id>/disclosures": Row(
        allowed={OWN: SEES_OWN_DISCLOSURES, OTHER: set()}, overrides=DISCLOSURE_OVERRIDES, anonymous=401
    ),
    "api/v1/openapi.json": everyone(anonymous=200),
    "api/v1/docs": everyone(anonymous=200),
    "frameworks/": everyone(),
    "frameworks/new/": same_for_both(ADMIN, 403),
    "frameworks/import/": same_for_both(ADMIN, 403),
    "frameworks/<int:framework_id>/": everyone(302),
    # The Riverside profile already has a draft, so its administrator is sent back with a message.
    "frameworks/<int:framework_id>/drafts/": Row(
        allowed={OWN: ADMIN, OTHER: set()}, refused={OWN: 403, OTHER: 403}, ok=302, method="post"
    ),
    # Adopting one's own framework is refused with a message; another district's administrator may not adopt.
    "frameworks/<int:framework_id>/adopt/": Row(
        allowed={OWN: ADMIN, OTHER: ADMIN}, refused={OWN: 403, OTHER: 403}, ok=302, method="post"
    ),
    "frameworks/versions/<int:version_id>/": everyone(),
    "frameworks/versions/<int:version_id>/case.json": everyone(),
    "frameworks/versions/<int:version_id>/diff/": everyone(),
    "frameworks/versions/<int:version_id>/publish/": Row(allowed={OWN: ADMIN, OTHER: set()}, objects=DRAFT),
    "frameworks/versions/<int:version_id>/competencies/new/": Row(
        allowed={OWN: ADMIN, OTHER: set()}, objects=DRAFT
    ),
    "frameworks/versions/<int:version_id>/discard/": Row(
        allowed={OWN: ADMIN, OTHER: set()}, ok=302, method="post", objects={"<int:version_id>": "spare_draft"}
    ),
    "frameworks/versions/<int:version_id>/retire/": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        refused={OWN: 403, OTHER: 403},
        ok=302,
        method="post",
        objects={"<int:version_id>": "spare_published"},
    ),
    "scales/new/": same_for_both(ADMIN, 403),
    "scales/<int:scale_id>/": everyone(),
    "scales/<int:scale_id>/edit/": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        refused={OWN: 403, OTHER: 403},
        objects={"<int:scale_id>": "district_scale"},
    ),
    "competencies/<int:competency_id>/": everyone(),
    "competencies/<int:competency_id>/edit/": Row(allowed={OWN: ADMIN, OTHER: set()}, objects=DRAFT),
    "competencies/<int:competency_id>/delete/": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        ok=302,
        method="post",
        objects={"<int:competency_id>": "doomed_html"},
    ),
    "competencies/<int:competency_id>/alignments/": Row(
        allowed={OWN: ADMIN, OTHER: set()}, ok=302, method="post", objects=DRAFT
    ),
    "alignments/<int:alignment_id>/delete/": Row(allowed={OWN: ADMIN, OTHER: set()}, ok=302, method="post"),
    "rubrics/": everyone(),
    "rubrics/new/": same_for_both(RUBRIC_WRITERS, 403, query="?competency=<int:competency_id>"),
    "rubrics/<int:rubric_id>/": everyone(),
    # The demo rubrics have no author, so only the owning district's administrator edits them.
    "rubrics/<int:rubric_id>/edit/": Row(allowed={OWN: ADMIN, OTHER: set()}, refused={OWN: 403, OTHER: 403}),
    "api/v1/frameworks": (
        everyone(anonymous=401),
        same_for_both(
            ADMIN, 403, ok=201, anonymous=401, method="post", payload={"title": "Matrix framework"}
        ),
    ),
    "api/v1/frameworks/<int:framework_id>": everyone(anonymous=401),
    "api/v1/frameworks/<int:framework_id>/case": everyone(anonymous=401),
    "api/v1/frameworks/<int:framework_id>/drafts": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        refused={OWN: 403, OTHER: 403},
        ok=400,
        anonymous=401,
        method="post",
    ),
    "api/v1/framework-versions/<int:version_id>/competencies": (
        everyone(anonymous=401),
        Row(
            allowed={OWN: ADMIN, OTHER: set()},
            ok=201,
            anonymous=401,
            method="post",
            objects=DRAFT,
            payload={"full_statement": "Explains a matrix."},
        ),
    ),
    "api/v1/framework-versions/<int:version_id>/diff": everyone(
        anonymous=401, query="?against=<int:version_id>"
    ),
    "api/v1/competencies/<int:competency_id>": (
        everyone(anonymous=401),
        Row(
            allowed={OWN: ADMIN, OTHER: set()},
            anonymous=401,
            method="patch",
            objects=DRAFT,
            payload={"full_statement": "Explains a revised matrix."},
        ),
        Row(
            allowed={OWN: ADMIN, OTHER: set()},
            ok=204,
            anonymous=401,
            method="delete",
            objects={"<int:competency_id>": "doomed_api"},
        ),
    ),
    "api/v1/rubrics": (
        everyone(anonymous=401),
        same_for_both(RUBRIC_WRITERS, 403, ok=201, anonymous=401, method="post", payload=RUBRIC_PAYLOAD),
    ),
    "api/v1/frameworks/import": same_for_both(
        ADMIN, 403, ok=201, anonymous=401, method="post", upload=CASE_FILE
    ),
    # Adopting one's own framework is refused (400); the other district's is adopted.
    "api/v1/frameworks/<int:framework_id>/adoptions": Row(
        allowed={OWN: ADMIN, OTHER: ADMIN},
        refused={OWN: 403, OTHER: 403},
        overrides={("district-admin", OWN): 400},
        ok=201,
        anonymous=401,
        method="post",
    ),
    "api/v1/framework-versions/<int:version_id>/retire": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        refused={OWN: 403, OTHER: 403},
        anonymous=401,
        method="post",
        objects={"<int:version_id>": "spare_published_api"},
    ),
    "api/v1/framework-versions/<int:version_id>": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        ok=204,
        anonymous=401,
        method="delete",
        objects={"<int:version_id>": "spare_draft_api"},
    ),
    "api/v1/scales": same_for_both(
        ADMIN, 403, ok=201, anonymous=401, method="post", payload={"name": "Matrix", "levels": LEVELS}
    ),
    "api/v1/competencies/<int:competency_id>/alignments": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        ok=201,
        anonymous=401,
        method="post",
        objects=DRAFT,
        payload={"association_type": "isRelatedTo", "target_identifier": "matrix-target"},
    ),
    "api/v1/alignments/<int:alignment_id>": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        ok=204,
        anonymous=401,
        method="delete",
        objects={"<int:alignment_id>": "alignment_api"},
    ),
    "api/v1/rubrics/<int:rubric_id>": (
        everyone(anonymous=401),
        Row(
            allowed={OWN: ADMIN, OTHER: set()},
            refused={OWN: 403, OTHER: 403},
            anonymous=401,
            method="put",
            payload=RUBRIC_PAYLOAD,
        ),
    ),
    "api/v1/scales/<int:scale_id>": (
        everyone(anonymous=401),
        same_for_both(set(), 403, anonymous=401, method="put", payload={"name": "Matrix", "levels": LEVELS}),
        Row(
            allowed={OWN: ADMIN, OTHER: set()},
            refused={OWN: 403, OTHER: 403},
            anonymous=401,
            method="put",
            objects={"<int:scale_id>": "district_scale"},
            payload={"name": "Matrix", "levels": LEVELS},
        ),
    ),
}
# Last: publishing turns the draft the rows above use into a published version, which the roles asked
# after the district administrator can then see (403 instead of 404).
FINAL_ROWS: dict[str, Row | tuple[Row, ...]] = {
    "api/v1/framework-versions/<int:version_id>/publish": Row(
        allowed={OWN: ADMIN, OTHER: set()},
        anonymous=401,
        method="post",
        objects=DRAFT,
        overrides={(role, OWN): 403 for role in SIGNED_IN[SIGNED_IN.index("district-admin") + 1 :]},
    ),
    # The Django admin is for district IT staff; no demo role is staff, so every page sends to its login.
    "admin/": everyone(302),
}
ADMIN_PREFIX = "admin/"


def app_matrices() -> list[ModuleType]:
    """The per-app row modules beside this file (`matrix_<app>.py`): each has `ROWS` and
    `targets(district, users)` returning the objects its placeholders name."""
    here = Path(__file__).parent
    return [
        importlib.import_module(f"tests.security.{module.name}")
        for module in pkgutil.iter_modules([str(here)])
        if module.name.startswith("matrix_") and module.name != "matrix_kit"
    ]


APP_MATRICES = app_matrices()
MATRIX = {
    **MATRIX,
    **{route: entry for module in APP_MATRICES for route, entry in module.ROWS.items()},
    **FINAL_ROWS,
}
MATRIX_SHARDS = 4


def shard_routes(shard: int) -> list[str]:
    """The routes one shard checks. Rows of routes on a framework run in one shard, in the matrix's order:
    the adoption rows make another district's framework one the district uses, which the calculation-rule
    rows after them rely on."""
    on_a_framework = [route for route in MATRIX if "<int:framework_id>" in route]
    others = [route for route in MATRIX if "<int:framework_id>" not in route]
    return (on_a_framework if shard == 0 else []) + others[shard::MATRIX_SHARDS]


# Placeholders whose target key is not simply their name.
DEFAULT_OBJECTS = {"<int:alignment_id>": "alignment_html"}
# `<int:x_id>` is the primary key of the target's object `x`; `<str:x>` is the target's string `x` (a public
# link's token, an issued transcript's code); `<slug:district>` the target district's slug.
PLACEHOLDER = re.compile(r"<int:(\w+)_id>|<str:(\w+)>|<slug:district>")


def enumerate_routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """Every concrete route of the project, with the Django admin counted as one route."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(ADMIN_PREFIX):
            yield ADMIN_PREFIX
        elif isinstance(entry, URLResolver):
            yield from enumerate_routes(entry.url_patterns, route)
        else:
            yield route.lstrip("^").rstrip("$")


def rows_of(entry: Row | tuple[Row, ...]) -> tuple[Row, ...]:
    return entry if isinstance(entry, tuple) else (entry,)


def _framework_targets(district: Organization) -> dict[str, Model]:
    """A district's graduate profile: published version, a draft, competencies of both, a rubric, a scale."""
    framework = Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
    published = framework.versions.get(status=VersionStatus.PUBLISHED)
    draft = framework.versions.filter(status=VersionStatus.DRAFT).first() or draft_create(framework=framework)
    leaves = list(draft.competencies.filter(tier=Tier.INDICATOR).order_by("path")[:3])
    return {
        "framework": framework,
        "version": published,
        "draft": draft,
        "competency": published.competencies.order_by("path").first(),  # type: ignore[dict-item]
        "draft_competency": leaves[0],
        "doomed_html": leaves[1],
        "doomed_api": leaves[2],
        "rubric": Rubric.objects.filter(owner=district).order_by("pk").first(),  # type: ignore[dict-item]
        "scale": framework.scale,
        "district_scale": scale_create(owner=district, name="Matrix scale", levels=DEFAULT_SCALE_LEVELS),
        "alignment_html": _alignment(leaves[0], "matrix-html"),
        "alignment_api": _alignment(leaves[0], "matrix-api"),
        "spare_draft": _spare_version(district, publish=False),
        "spare_published": _spare_version(district, publish=True),
        "spare_draft_api": _spare_version(district, publish=False),
        "spare_published_api": _spare_version(district, publish=True),
    }


def _alignment(competency: Competency, identifier: str) -> Alignment:
    return alignment_create(
        competency=competency, association_type="isRelatedTo", target_identifier=identifier
    )


def _spare_version(district: Organization, *, publish: bool) -> FrameworkVersion:
    """A small framework of its own for the rows that discard or retire a version."""
    version = framework_create(owner=district, title=f"Spare {'published' if publish else 'draft'}")
    competency_create(
        version=version, parent=None, fields=CompetencyFields(human_code="S.1", full_statement="S.")
    )
    return version_publish(version=version, actor=None) if publish else version


@pytest.mark.matrix
class AuthorizationMatrixTest(TestCase):
    users: dict[str, User]
    targets: dict[str, dict[str, Model]]

    @classmethod
    def setUpTestData(cls) -> None:
        # The demo is the session's (tests/conftest.py).
        cls.users = {u.username: u for u in User.objects.filter(username__in=SIGNED_IN)}
        own_student = Student.objects.get(user__username="student")
        other_teacher = cls.users["other-teacher"]
        own_section = Section.objects.get(teachers__username="teacher", roster__student=own_student)
        other_section = Section.objects.filter(teachers=other_teacher).order_by("pk").first()
        assert other_section is not None
        other_student = other_section.roster.order_by("pk").first().student  # type: ignore[union-attr]
        cls.targets = {
            OWN: {
                "student": own_student,
                "section": own_section,
                **_framework_targets(Organization.objects.get(slug="riverside")),
            },
            OTHER: {
                "student": other_student,
                "section": other_section,
                **_framework_targets(Organization.objects.get(slug="hillcrest")),
            },
        }
        for target, slug in ((OWN, "riverside"), (OTHER, "hillcrest")):
            district = Organization.objects.get(slug=slug)
            for module in APP_MATRICES:
                cls.targets[target].update(module.targets(district, cls.users))

    def token_for(self, role: str, target: str) -> AccessToken:
        owner = self.users["other-teacher"] if target == OTHER or role == ANONYMOUS else self.users[role]
        token, _ = access_token_create(context=RequestContext(user=owner), user=owner, name="matrix")
        return token

    def url(self, route: str, role: str, target: str, row: Row | None = None) -> str:
        if route == ADMIN_PREFIX:
            return "/admin/"
        objects = self.targets[target]
        chosen = row.objects if row else {}

        def fill(match: re.Match[str]) -> str:
            placeholder = match.group(0)
            if placeholder == "<int:token_id>":
                return str(self.token_for(role, target).pk)
            if placeholder == "<slug:district>":
                return str(objects["student"].district.slug)
            if match.group(2):
                return str(objects[match.group(2)])
            key = chosen.get(placeholder) or DEFAULT_OBJECTS.get(placeholder) or match.group(1)
            return str(objects[key].pk)

        return "/" + PLACEHOLDER.sub(fill, route + (row.query if row else ""))

    def body(self, row: Row, role: str, target: str) -> str:
        """The row's JSON payload, with id placeholders (as strings) replaced by the target's ids."""
        text = json.dumps(row.payload)
        for placeholder in {match.group(1) for match in PLACEHOLDER.finditer(text) if match.group(1)}:
            quoted = f'"<int:{placeholder}_id>"'
            text = text.replace(quoted, self.url(quoted.strip('"'), role, target, row).lstrip("/"))
        return text

    def leaked(self, role: str, body: str) -> list[str]:
        """Students named in a list response that the role must not see."""
        leaks = []
        checks = [(OTHER, role != "other-teacher"), (OWN, role not in READS_OWN_STUDENT)]
        for target, must_be_hidden in checks:
            student = self.targets[target]["student"]
            if must_be_hidden and (f"/students/{student.pk}/" in body or f'"id": {student.pk},' in body):
                leaks.append(f"{target} student {student.pk}")
        return leaks

    def test_every_route_has_a_matrix_row(self) -> None:
        routes = set(enumerate_routes())
        assert sorted(routes - set(MATRIX)) == [], "routes without a matrix row"
        assert sorted(set(MATRIX) - routes) == [], "matrix rows for routes that no longer exist"

    # The matrix runs in shards, each a test of its own, so the two CI workers share it instead of one
    # worker carrying thousands of requests while the other sits idle at the end of the run.
    def test_matrix_shard_0(self) -> None:
        self.check_matrix(0)

    def test_matrix_shard_1(self) -> None:
        self.check_matrix(1)

    def test_matrix_shard_2(self) -> None:
        self.check_matrix(2)

    def test_matrix_shard_3(self) -> None:
        self.check_matrix(3)

    def check_matrix(self, shard: int) -> None:
        """Every row of every `MATRIX_SHARDS`-th route, from the shard's; the shards cover every route."""
        routes = shard_routes(shard)
        mismatches: list[str] = []
        cases = 0
        # A GET that is the same request for both targets (a route without ids) is sent once: the same client
        # asking the same URL gets the same answer, which is checked against both targets' expectations.
        answered: dict[tuple[str, str], tuple[int, str]] = {}
        # One signed-in client per role for the whole matrix: a sign-in is a session row and an audit row,
        # and thousands of them were a third of the matrix's time. No row changes its client's session.
        clients: dict[str, Client] = {}
        for role in ROLES:
            clients[role] = Client()
            if role != ANONYMOUS:
                clients[role].force_login(self.users[role])
        for route in routes:
            entry = MATRIX[route]
            for row, role, target in (
                (row, role, target) for row in rows_of(entry) for role in ROLES for target in (OWN, OTHER)
            ):
                client = clients[role]
                url = self.url(route, role, target, row)
                if row.multipart:
                    form = json.loads(self.body(row, role, target))
                    if row.upload is not None:
                        with row.upload.open("rb") as upload:
                            response = client.post(url, {**form, row.upload_field: upload})
                    else:
                        response = client.post(url, form)
                elif row.upload is not None:
                    with row.upload.open("rb") as upload:
                        response = client.post(url, {"file": upload})
                elif row.payload is not None:
                    response = getattr(client, row.method)(
                        url, data=self.body(row, role, target), content_type="application/json"
                    )
                elif row.method == "get" and (role, url) in answered:
                    response = None
                else:
                    response = getattr(client, row.method)(url)
                if response is not None:
                    body = response.content.decode() if row.leak_check and response.status_code == 200 else ""
                    if body and response.get("Content-Type", "").startswith("application/json"):
                        body = json.dumps(json.loads(body))
                    if row.method == "get" and not row.multipart and row.upload is None:
                        answered[(role, url)] = (response.status_code, body)
                    status = response.status_code
                else:
                    status, body = answered[(role, url)]
                cases += 1
                expected = row.expected(role, target)
                if status != expected:
                    mismatches.append(
                        f"{role:>20} {row.method.upper()} {url} ({target}): {status}, expected {expected}"
                    )
                if row.leak_check and status == 200:
                    for leak in self.leaked(role, body):
                        mismatches.append(f"{role:>20} GET {url}: shows {leak}")
        assert mismatches == [], "\n" + "\n".join(mismatches)
        assert cases == sum(len(rows_of(MATRIX[route])) for route in routes) * len(ROLES) * 2

    def test_signed_out_pages_redirect_to_sign_in(self) -> None:
        response = Client().get(self.url("students/<int:student_id>/", ANONYMOUS, OWN))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.matrix
class AuthorizationMatrixUnderRowSecurityTest(AuthorizationMatrixTest):
    """The same matrix on PostgreSQL with row-level security in force (`waypoint.core.row_security`): every
    request runs as a role that is neither a superuser nor exempt from the policies, as production connects.

    The suite connects as a superuser, which the policies let through, so the matrix above checks the access
    policy alone. Here the second wall stands under it: a route whose legitimate work crosses districts in a
    way the policies forbid (a transfer, a state count, the district named in a denied event) would answer
    differently, and the matrix would say which. The role lives in the class's transaction and goes with
    it."""

    @classmethod
    def setUpClass(cls) -> None:
        if connection.vendor != "postgresql":
            raise unittest.SkipTest("row-level security is PostgreSQL's; SQLite has the access policy alone")
        super().setUpClass()
        # Roles are the cluster's: one per test database, so two xdist workers never meet.
        role = f"waypoint_matrix_{connection.settings_dict['NAME']}"[:63]
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS")
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
            cursor.execute(f"SET ROLE {role}")

    @classmethod
    def tearDownClass(cls) -> None:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        super().tearDownClass()

    def test_requests_run_under_the_policies(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (False,)
