"""PostgreSQL row-level security, the second wall (issue 17): code that goes around the access policy on
purpose (raw SQL, raw querysets, a page whose selector returns every student) still gets nothing from another
district.

The suite connects as `postgres`, a superuser, whom every policy lets through; these tests `SET ROLE` to a
role without superuser or BYPASSRLS, created inside the test's transaction (so its rollback removes it), as a
production role would be. On SQLite there is no wall to test: the application policy is the only one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import Demo
from waypoint import policy
from waypoint.core import row_security
from waypoint.core.models import AuditAction, AuditEvent, Student
from waypoint.core.row_security import (
    AGGREGATE_TABLES,
    NO_SCOPE,
    PUBLISHED_TABLES,
    SCOPE_SETTING,
    STATE_SCOPE,
    current_scope,
    district_models,
    district_scope,
    raw_scope,
    scope_value,
)
from waypoint.insights.models import GroupFigures
from waypoint.progress.models import PacingPractice

MIDDLEWARE = "waypoint.core.row_security.RowSecurityMiddleware"

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-level security is PostgreSQL's; SQLite keeps the application policy alone",
)


@pytest.fixture
def probe(db: None) -> Iterator[str]:
    """A role subject to the policies (no superuser, no BYPASSRLS) that may use every table, as the production
    role does. Created in the test's transaction, so its rollback drops it; the name is unique because roles
    belong to the whole cluster, which other test databases share."""
    name = f"waypoint_rls_probe_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOLOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {name}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {name}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def scalar(sql: str, params: list[object] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def districts_of(table: str, where: str = "true") -> set[int | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT district_id FROM {table} WHERE {where}")  # noqa: S608 (ours)
        return {row[0] for row in cursor.fetchall()}


def private_districts_of(model: type[Model]) -> set[int | None]:
    """The districts of a table's rows, leaving out what districts publish for each other."""
    condition = PUBLISHED_TABLES.get(model._meta.label)
    return districts_of(model._meta.db_table, f"NOT ({condition})" if condition else "true")


def test_scope_values() -> None:
    assert scope_value(None) == ""
    assert scope_value([]) == NO_SCOPE
    assert scope_value([7, 3, 7]) == "3,7"


def test_scopes_cost_nothing_on_sqlite(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite half: scopes are free there")
    with CaptureQueriesContext(connection) as queries, district_scope({1}), raw_scope(STATE_SCOPE):
        Student.objects.exists()
    assert len(queries) == 1


@needs_postgresql
def test_migrate_puts_the_wall_on_every_district_table(db: None) -> None:
    tables = [model._meta.db_table for model in district_models()]
    assert {"core_student", "core_auditevent", "evidence_score", "insights_groupfigures"} <= set(tables)
    assert len(tables) > 60
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity AND relname = ANY(%s)",
            [tables],
        )
        forced = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT DISTINCT tablename FROM pg_policies WHERE policyname = 'waypoint_district'")
        with_policy = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT relrowsecurity FROM pg_class WHERE relname = 'frameworks_competency'")
        reference = cursor.fetchone()[0]
    assert forced == set(tables)
    assert with_policy == set(tables)
    assert reference is False


@needs_postgresql
def test_raw_sql_and_raw_querysets_see_only_the_scope(demo: Demo, probe: str) -> None:
    riverside = demo.riverside.pk
    assert districts_of("core_student") == {riverside, demo.hillcrest.pk}
    everyone_in_riverside = Student.objects.filter(district=riverside).count()
    with acting_as(probe), district_scope({riverside}):
        assert districts_of("core_student") == {riverside}
        assert Student.objects.count() == everyone_in_riverside
        assert not Student.objects.filter(district=demo.hillcrest).exists()
        # Every district table, not only students: nothing of another district shows.
        for model in district_models():
            assert private_districts_of(model) <= {riverside, None}, model._meta.label


@needs_postgresql
def test_the_system_scope_sees_every_district_and_none_sees_nothing(demo: Demo, probe: str) -> None:
    total = Student.objects.count()
    with acting_as(probe):
        assert current_scope() == ""
        assert Student.objects.count() == total
        with district_scope(None):
            assert Student.objects.count() == total
        with district_scope(()):
            assert scalar("SELECT count(*) FROM core_student") == 0
            assert scalar("SELECT count(*) FROM core_user WHERE district_id IS NULL") == 0


@needs_postgresql
def test_the_setting_is_read_part_by_part(demo: Demo, probe: str) -> None:
    riverside = demo.riverside.pk
    with acting_as(probe):
        # Any part that is not a number counts for no district, whole ("3x4" is not read as 34).
        parsed = {"": [], NO_SCOPE: [], f"{STATE_SCOPE},{riverside}": [riverside], "3x4,12": [12]}
        for value, ids in parsed.items():
            with raw_scope(value):
                assert scalar("SELECT waypoint_scope_ids()") == ids, value
        with raw_scope(f"{STATE_SCOPE},{riverside}"):
            assert districts_of("core_student") == {riverside}
            assert {riverside, demo.hillcrest.pk} <= districts_of("insights_groupfigures")


@needs_postgresql
def test_nested_scopes_restore_the_outer_one(demo: Demo, probe: str) -> None:
    with acting_as(probe), district_scope({demo.hillcrest.pk}):
        with district_scope({demo.riverside.pk}):
            assert districts_of("core_student") == {demo.riverside.pk}
        assert districts_of("core_student") == {demo.hillcrest.pk}
    assert scalar("SELECT current_setting(%s, true)", [SCOPE_SETTING]) == ""


@needs_postgresql
def test_an_error_inside_a_scope_is_the_error_raised(demo: Demo, probe: str) -> None:
    """A statement that fails inside a scope leaves the transaction unable to run the statement that would
    put the outer scope back; the failure raised is still the statement's own, and the rollback restores."""
    with acting_as(probe):
        with (
            pytest.raises(DatabaseError, match="division by zero"),
            transaction.atomic(),
            district_scope({demo.riverside.pk}),
        ):
            scalar("SELECT 1 / 0")
        assert current_scope() == ""
        assert scalar("SELECT current_setting(%s, true)", [SCOPE_SETTING]) == ""
        assert districts_of("core_student") == {demo.riverside.pk, demo.hillcrest.pk}


@needs_postgresql
def test_no_write_lands_in_another_district(demo: Demo, probe: str) -> None:
    riverside, hillcrest = demo.riverside.pk, demo.hillcrest.pk
    theirs = Student.objects.filter(district=hillcrest).values_list("pk", flat=True).first()
    with acting_as(probe), district_scope({riverside}):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Student.objects.create(
                district_id=hillcrest, sourced_id="rls-probe", first_name="A", last_name="B"
            )
        # Moving an own student into another district is a write into it, refused the same way.
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Student.objects.filter(pk=demo.student.pk).update(district_id=hillcrest)
        # Another district's rows are not there to change or delete.
        assert Student.objects.filter(pk=theirs).update(last_name="Changed") == 0
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_guardianlink WHERE district_id = %s", [hillcrest])
            assert cursor.rowcount == 0
        # An own-district write passes.
        Student.objects.create(district_id=riverside, sourced_id="rls-probe", first_name="A", last_name="B")
    assert Student.objects.get(pk=theirs).last_name != "Changed"


@needs_postgresql
def test_what_a_district_publishes_is_read_in_every_district(demo: Demo, probe: str) -> None:
    published = set(PacingPractice.objects.filter(published=True).values_list("district_id", flat=True))
    assert demo.hillcrest.pk in published
    with acting_as(probe), district_scope({demo.riverside.pk}):
        assert demo.hillcrest.pk in set(
            PacingPractice.objects.filter(published=True).values_list("district_id", flat=True)
        )
        assert not PacingPractice.objects.filter(published=False, district=demo.hillcrest).exists()
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            PacingPractice.objects.filter(published=True, district=demo.hillcrest).update(title="Changed")


@needs_postgresql
def test_a_refused_attempt_on_another_district_is_still_recorded(demo: Demo, probe: str) -> None:
    hillcrest = demo.hillcrest.pk
    with acting_as(probe), district_scope({demo.riverside.pk}):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_auditevent (occurred_at, actor_username, action, object_type, object_id,"
                " district_id, path, reason, request_id) VALUES (now(), 'teacher', %s, 'student', '1', %s,"
                " '/students/1/', 'rls probe', '')",
                [AuditAction.DENIED, hillcrest],
            )
        # Written, yet not readable from the scope that wrote it.
        assert not AuditEvent.objects.filter(reason="rls probe").exists()
        # The log stays append-only under the wall, refused loudly (by its trigger), not matched in silence.
        own = AuditEvent.objects.filter(district=demo.riverside).values_list("pk", flat=True).first()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            scalar("UPDATE core_auditevent SET reason = 'changed' WHERE id = %s RETURNING id", [own])
    assert AuditEvent.objects.get(reason="rls probe").district_id == hillcrest


@needs_postgresql
def test_the_state_reads_every_districts_aggregates_and_no_student(demo: Demo, probe: str) -> None:
    aggregates = [model for model in district_models() if model._meta.label in AGGREGATE_TABLES]
    assert len(aggregates) == len(AGGREGATE_TABLES)
    figures = districts_of("insights_groupfigures")
    assert {demo.riverside.pk, demo.hillcrest.pk} <= figures
    with acting_as(probe), raw_scope(STATE_SCOPE):
        assert districts_of("insights_groupfigures") == figures
        assert scalar("SELECT count(*) FROM core_student") == 0
        for model in district_models():
            if model not in aggregates:
                assert private_districts_of(model) <= {None}, model._meta.label
        # The state reads aggregates; it writes none.
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            GroupFigures.objects.filter(district=demo.riverside).update(students=0)


def test_the_wall_sits_where_the_account_is_known() -> None:
    """After sign-in and the second-factor marker (its scope comes from the account), before every page."""
    middleware = list(settings.MIDDLEWARE)
    wall = middleware.index(MIDDLEWARE)
    assert wall > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert wall > middleware.index("django_otp.middleware.OTPMiddleware")


@needs_postgresql
def test_a_page_that_skips_the_policy_still_shows_one_district(
    demo: Demo, probe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The student list with its selector's policy call replaced by every student: without the wall it shows
    Hillcrest's students to Riverside's administrator; with it, Riverside's only."""
    monkeypatch.setattr(policy, "visible_students", lambda user: Student.objects.all())
    client = Client()
    client.force_login(demo.users["district-admin"])
    everyone = client.get("/students/?q=", {"page": 1})
    assert everyone.status_code == 200
    assert {s.district_id for s in everyone.context["page"].items} == {demo.hillcrest.pk, demo.riverside.pk}
    with acting_as(probe):
        shown = client.get("/students/", {"page": 1})
        assert shown.status_code == 200
        assert {s.district_id for s in shown.context["page"].items} == {demo.riverside.pk}
        # The scope ends with the request: the connection is back in the system scope.
        assert scalar("SELECT current_setting(%s, true)", [SCOPE_SETTING]) == ""
    # The page's audit rows were written (in the system scope, by the batch after the response).
    assert demo.added(AuditEvent).filter(object_type="student-list").exists()


@pytest.fixture
def scope_statements(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The parameters of every scope statement run (they stay out of Django's query log on purpose)."""
    seen: list[dict[str, object]] = []
    real = row_security._execute

    def spy(wrapper: BaseDatabaseWrapper, sql: str, params: dict[str, object]) -> object:
        seen.append(params)
        return real(wrapper, sql, params)

    monkeypatch.setattr(row_security, "_execute", spy)
    return seen


@needs_postgresql
def test_the_middleware_costs_two_statements(
    demo: Demo, probe: str, scope_statements: list[dict[str, object]]
) -> None:
    client = Client()
    client.force_login(demo.users["teacher"])
    with acting_as(probe):
        assert client.get("/students/").status_code == 200
    # One finds the teacher's districts and sets them; one resets the scope after the response.
    assert [params.get("user", params.get("value")) for params in scope_statements] == [
        demo.users["teacher"].pk,
        "",
    ]


@needs_postgresql
def test_public_pages_keep_the_system_scope_and_other_anonymous_pages_see_nothing(
    demo: Demo, probe: str, scope_statements: list[dict[str, object]]
) -> None:
    client = Client()
    with acting_as(probe):
        assert client.get("/login/").status_code == 200
        assert client.get("/verify/").status_code == 200
        assert scope_statements == []
        assert client.get("/students/").status_code == 302
    assert [params["value"] for params in scope_statements] == [NO_SCOPE, ""]
