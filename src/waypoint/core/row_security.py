"""PostgreSQL row-level security: a second wall between districts, under the application's access policy.

The access policy (`waypoint.policy`) decides who sees what. On PostgreSQL the database also refuses, on every
table with a district column, the rows outside the connection's *scope*, so one bug in a view (a raw
queryset, raw SQL) still cannot read or write another district's students. SQLite has the application policy
alone: every function here is a no-op there.

The scope is the session setting `waypoint.district_ids`, a comma list of these values:

- unset or `''`: the **system** scope, no district limit (migrations, commands, the demo loader, scheduled
  jobs, the public pages, Django superusers);
- district ids, e.g. `'3,7'`: only the rows of those districts (and, in the three tables whose district may be
  empty, rows of no district: state staff's accounts and roles, audit events of no district);
- `'state'`: every row of the aggregate tables (`AGGREGATE_TABLES`) and no row of any other district table
  but the district-less ones (a state analyst); it may stand beside district ids;
- `'none'`: nothing (a visitor who is not signed in, on a page that is not public; a user with no role).

What a district publishes for the others (`PUBLISHED_TABLES`) is read in every scope but `none`.

Reads and writes are both held to the scope (`WITH CHECK`), except audit events: a request records a refused
attempt on another district's student under that district's id, so inserting an audit event always passes
(reading them stays scoped).

`install_row_security` (run after every `migrate`, `waypoint.core.apps`) puts the policies on every table with
a district column, so a new table is covered at the next migrate. Superusers and roles with BYPASSRLS skip
every policy; the production role owns the tables, and `FORCE ROW LEVEL SECURITY` holds the owner to them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from waypoint.core.models import (
    AuditEvent,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Student,
    User,
)

SCOPE_SETTING = "waypoint.district_ids"
SYSTEM_SCOPE = ""
STATE_SCOPE = "state"
NO_SCOPE = "none"

# What the state scope reads: counts per group of students, never a student (tests/core/test_tenant_columns).
AGGREGATE_TABLES = frozenset(
    {
        "insights.GroupFigures",
        "insights.MonthlyFigures",
        "insights.EvidenceVolume",
        "insights.CohortFigures",
        "insights.AggregateRefresh",
    }
)

# What a district publishes for every other one, and the condition (SQL on the row) that says a row is
# published: the state's repository of flexible-pacing practices and anonymised exemplar trajectories, and
# catalog opportunities shared as templates for other districts to copy, with the provider that offers them
# (a template is read with its provider). No student data. Published rows are read in every scope but `none`,
# and written only in the district's own.
PUBLISHED_TABLES = {
    "progress.ExemplarTrajectory": "published",
    "progress.PacingPractice": "published",
    "catalog.Opportunity": "shared_as_template",
    "catalog.Provider": (
        "EXISTS (SELECT 1 FROM catalog_opportunity AS shared"
        " WHERE shared.provider_id = catalog_provider.id AND shared.shared_as_template)"
    ),
}

# Pages that serve whoever holds a link or a code, in any district, signed in or not: sign-in and password
# reset find the account before anyone is known; credential and transcript verification, district keys and
# status lists, shared portfolios and the public CASE frameworks answer anyone; the health checks read no
# district. Matched on the start of the URL pattern (`ResolverMatch.route`). They run in the system scope.
PUBLIC_ROUTES = (
    "login/",
    "password-reset/",
    "verify/",
    "districts/<slug:district>/jwks.json",
    "districts/<slug:district>/credentials/status.json",
    "p/<str:token>/",
    "ims/case/",
    "healthz",
    "readyz",
)

# The scope this thread (or task) wants; every PostgreSQL connection it opens or holds carries it.
_scope: ContextVar[str] = ContextVar("waypoint_row_scope", default=SYSTEM_SCOPE)


# Scopes -----------------------------------------------------------------------------------------------------


def scope_value(district_ids: Collection[int] | None) -> str:
    """The setting's value for a set of districts; None is the system scope, an empty set sees nothing."""
    if district_ids is None:
        return SYSTEM_SCOPE
    if not district_ids:
        return NO_SCOPE
    return ",".join(str(int(district_id)) for district_id in sorted(set(district_ids)))


def current_scope() -> str:
    return _scope.get()


def _postgresql_connections() -> Iterator[BaseDatabaseWrapper]:
    """The open PostgreSQL connections of this thread (the primary and, when one is used, the replica)."""
    for wrapper in connections.all(initialized_only=True):
        if wrapper.vendor == "postgresql" and wrapper.connection is not None:
            yield wrapper


def _execute(wrapper: BaseDatabaseWrapper, sql: str, params: dict[str, Any]) -> Any:
    """Run one scope statement and return its value. Through the driver's connection, as Django sets its own
    per-connection state (the time zone): the scope is the connection's state, not a page's work, so it stays
    out of the query log and out of the query counts tests hold pages to. It still costs one round trip each
    (the notes of issue 17 measure it)."""
    wrapper.ensure_connection()
    with wrapper.wrap_database_errors:
        row = wrapper.connection.execute(sql, params).fetchone()
    return row[0] if row else None


def _apply(wrapper: BaseDatabaseWrapper, value: str) -> None:
    # Session level (`is_local` false), not `SET LOCAL`: requests are not wrapped in one transaction
    # (ATOMIC_REQUESTS is off), so a transaction-local setting would end with the first autocommitted query.
    # The middleware resets it when the response is ready, so a persistent connection never carries one
    # request's scope into the next. Inside a transaction that rolls back, PostgreSQL puts the setting back
    # as it was when the transaction (or savepoint) began, which is the scope the code around it had.
    statement = "SELECT set_config(%(setting)s, %(value)s, false)"
    _execute(wrapper, statement, {"setting": SCOPE_SETTING, "value": value})


def _set_scope(value: str) -> None:
    if value == _scope.get():
        return
    _scope.set(value)
    for wrapper in _postgresql_connections():
        _apply(wrapper, value)


def _scope_new_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """A connection opened inside a scope (a request's first query, a replica, a reconnect) starts in it."""
    if connection.vendor == "postgresql" and (value := _scope.get()) != SYSTEM_SCOPE:
        _apply(connection, value)


connection_created.connect(_scope_new_connection, dispatch_uid="waypoint.core.row_security")


def _restore(value: str) -> None:
    """Put an outer scope back, whatever happened inside. A connection that cannot take the statement is in
    one of two states. In a failed transaction: its rollback, which Django's atomic block is then told it
    owes, puts the setting back as it was when the transaction (or savepoint) began, which is the outer
    scope, and the error that failed it is the one raised. Or lost (the database went away): it is closed
    rather than kept, and the next connection opened starts in the scope (`_scope_new_connection`)."""
    if value == _scope.get():
        return
    _scope.set(value)
    for wrapper in _postgresql_connections():
        try:
            _apply(wrapper, value)
        except DatabaseError:
            if wrapper.in_atomic_block:
                transaction.set_rollback(True, using=wrapper.alias)
            else:
                wrapper.close()


@contextmanager
def raw_scope(value: str) -> Iterator[None]:
    """Inside, the connections' scope is `value` (one of the setting values above); the outer scope is back
    afterwards, whatever happens inside. No statement when the scope does not change, none on SQLite."""
    outer = _scope.get()
    try:
        _set_scope(value)
        yield
    finally:
        _restore(outer)


@contextmanager
def district_scope(district_ids: Collection[int] | None) -> Iterator[None]:
    """Inside, the connection sees and writes only the rows of `district_ids` (None: the system scope, no
    district limit; an empty collection: nothing). Nested scopes restore the outer one. A no-op on SQLite."""
    with raw_scope(scope_value(district_ids)):
        yield


# The request's scope ----------------------------------------------------------------------------------------


def _user_scope_sql() -> str:
    """One statement that finds a user's scope and sets it: the districts of their roles on a date, of their
    own student record and of the students they are guardian of (the districts `waypoint.policy.context`
    lets them act for), plus `state` for a state analyst; `none` when there is nothing."""
    roles = RoleAssignment._meta.db_table
    students = Student._meta.db_table
    links = GuardianLink._meta.db_table
    return f"""
SELECT set_config(%(setting)s, coalesce((
    SELECT string_agg(DISTINCT scope, ',') FROM (
        SELECT CASE WHEN role = %(state_role)s THEN %(state)s ELSE district_id::text END AS scope
          FROM {roles}
         WHERE user_id = %(user)s AND starts_on <= %(on)s AND (ends_on IS NULL OR ends_on >= %(on)s)
        UNION ALL
        SELECT district_id::text FROM {students} WHERE user_id = %(user)s
        UNION ALL
        SELECT student.district_id::text
          FROM {links} link JOIN {students} student ON student.id = link.student_id
         WHERE link.guardian_id = %(user)s AND link.starts_on <= %(on)s
           AND (link.ends_on IS NULL OR link.ends_on >= %(on)s)
    ) found WHERE scope IS NOT NULL
), %(none)s), false)
"""  # noqa: S608 (table names from the models)


def narrow_to_user(user: User, on: datetime.date | None = None) -> None:
    """Hold the rest of the request to what `user` may act for (`RowSecurityMiddleware` resets it after the
    response). One statement, on the primary: the districts are found and the scope set in the database. For
    a user signed in inside the request, e.g. by an API token. A Django superuser keeps the system scope: the
    admin site is the operators' tool over every district."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or user.is_superuser:
        return
    # The statement reads role assignments and student records, which a narrower scope would hide.
    _set_scope(SYSTEM_SCOPE)
    value = _execute(
        connection,
        _user_scope_sql(),
        {
            "setting": SCOPE_SETTING,
            "state_role": Role.STATE_ANALYST.value,
            "state": STATE_SCOPE,
            "user": user.pk,
            "on": on or timezone.localdate(),
            "none": NO_SCOPE,
        },
    )
    # The primary holds the value already; other open connections (a replica) are given it.
    _scope.set(value)
    for wrapper in _postgresql_connections():
        if wrapper is not connection:
            _apply(wrapper, value)


def is_public_route(route: str) -> bool:
    return route.startswith(PUBLIC_ROUTES)


class RowSecurityMiddleware:
    """Hold each request's queries to the districts of the person signed in, on PostgreSQL.

    Sessions, sign-in and second-factor checks run before the view is chosen, in the system scope (they must
    find the account first). When the view is chosen, the scope narrows: a public page (`PUBLIC_ROUTES`)
    keeps the system scope; a signed-in person gets their districts (`narrow_to_user`); anyone else gets
    `none`. After the response, whatever happened, the scope is reset. Costs two short statements on a
    page that is not public (set, for a signed-in person found and set in one; reset), none on a public page,
    none on SQLite."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        outer = _scope.get()
        try:
            return self.get_response(request)
        finally:
            _restore(outer)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        if not self.enabled:
            return
        match = request.resolver_match
        if match is not None and is_public_route(match.route):
            return
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            narrow_to_user(user)
        else:
            _set_scope(NO_SCOPE)


# The policies -----------------------------------------------------------------------------------------------

# The scope as set, its district ids (every part that is not a number dropped whole, in one expression: an
# aggregate over the parts cost 7 times as much), and whether it holds a word, as plain SQL functions.
SCOPE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION waypoint_scope() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('{SCOPE_SETTING}', true), '')
$$;
CREATE OR REPLACE FUNCTION waypoint_scope_ids() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT array_remove(string_to_array(regexp_replace(
        coalesce(current_setting('{SCOPE_SETTING}', true), ''), '(^|,)[^,]*[^0-9,][^,]*', '', 'g'
    ), ','), '')::bigint[]
$$;
CREATE OR REPLACE FUNCTION waypoint_scope_has(token text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT token = ANY (string_to_array(coalesce(current_setting('{SCOPE_SETTING}', true), ''), ','))
$$;
"""

# Each function sits in a scalar subquery, so PostgreSQL evaluates it once per query (an InitPlan) rather
# than once per row: per row it cost about 12 µs (a 2,000-row scan went from 0.4 to 25 ms); as a parameter
# the check is a comparison. The table's own `district_id = …` filters still use its indexes.
SYSTEM = "(SELECT waypoint_scope()) = ''"
IN_SCOPE = "district_id = ANY ((SELECT waypoint_scope_ids())::bigint[])"
NO_DISTRICT = f"(district_id IS NULL AND (SELECT waypoint_scope()) <> '{NO_SCOPE}')"
STATE_READS = f"(SELECT waypoint_scope_has('{STATE_SCOPE}'))"
PUBLISHED = "(({condition}) AND (SELECT waypoint_scope()) <> '" + NO_SCOPE + "')"

POLICY = "waypoint_district"
AUDIT_APPEND_POLICY = "waypoint_audit_append"


def district_column(model: type[models.Model]) -> models.ForeignKey[Any, Any] | None:
    """The model's `district`, when it is a foreign key to core.Organization."""
    field = next((f for f in model._meta.concrete_fields if f.name == "district"), None)
    if isinstance(field, models.ForeignKey) and field.related_model is Organization:
        return field
    return None


def district_models() -> list[type[models.Model]]:
    """Every table of Waypoint's apps with a district column: a concrete, managed model whose `district` is a
    foreign key to core.Organization."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config is not None
        and model._meta.app_config.name.startswith("waypoint.")
        and model._meta.managed
        and not model._meta.proxy
        and district_column(model) is not None
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def policy_statements(model: type[models.Model], connection: BaseDatabaseWrapper) -> list[str]:
    """The statements that put the wall on one table, from scratch each time (so a changed rule lands)."""
    table = connection.ops.quote_name(model._meta.db_table)
    field = district_column(model)
    if field is None:
        raise ValueError(f"{model._meta.label} has no district column to hold rows to")
    reads = [SYSTEM, IN_SCOPE]
    if field.null:
        reads.append(NO_DISTRICT)
    writes = list(reads)
    if model._meta.label in AGGREGATE_TABLES:
        reads.append(STATE_READS)
    if model._meta.label in PUBLISHED_TABLES:
        reads.append(PUBLISHED.format(condition=PUBLISHED_TABLES[model._meta.label]))
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"DROP POLICY IF EXISTS {AUDIT_APPEND_POLICY} ON {table}",
    ]
    statements.append(
        f"CREATE POLICY {POLICY} ON {table} USING ({' OR '.join(reads)}) WITH CHECK ({' OR '.join(writes)})"
    )
    if model is AuditEvent:
        # Appending always passes (policies for the same command add up): a refused attempt on another
        # district is recorded under that district. Reading stays scoped; an UPDATE or DELETE reaches the rows
        # in scope, and the append-only triggers refuse it loudly rather than it matching nothing in silence.
        statements.append(f"CREATE POLICY {AUDIT_APPEND_POLICY} ON {table} FOR INSERT WITH CHECK (true)")
    return statements


def install_row_security(
    using: str = DEFAULT_DB_ALIAS, tables: Iterable[type[models.Model]] | None = None
) -> int:
    """Put the policies on every district table (idempotent); returns how many tables. PostgreSQL only."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    chosen = list(district_models() if tables is None else tables)
    # All or nothing: a table is never left between its old policy dropped and its new one created.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(SCOPE_FUNCTIONS)
        for model in chosen:
            for statement in policy_statements(model, connection):
                cursor.execute(statement)
    return len(chosen)


def install_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """`post_migrate` receiver: every migrate ends with the wall on every district table, new ones too."""
    install_row_security(using)
