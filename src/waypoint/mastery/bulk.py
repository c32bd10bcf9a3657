"""The set-based writer of the bulk recompute: a district's levels, computed as columns by
`vectorized.level_columns`, written in a few statements.

On PostgreSQL the levels are COPied in binary into a temporary table (the COPY stream is built by NumPy), the
levels stored that no longer follow from anything are added to it as cleared, and one
`INSERT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM` writes the rows that differ, whose `RETURNING`
feeds the history: a change row for each level whose value or mastery moved. On SQLite the same shape, the
temporary table filled by `executemany`, the history taken by a join before the upsert.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import numpy as np
from django.db import connection
from django.db.backends.utils import CursorWrapper
from numpy.typing import NDArray

from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.mastery.vectorized import Competencies, LevelColumns, Rules


def _binary_copy(columns: LevelColumns) -> NDArray[np.uint8]:
    """The levels as PostgreSQL's binary COPY format, built by NumPy: a fixed part per row, then its array
    of score ids (12 bytes an element), the two interleaved by a mask."""
    rows = len(columns)
    fixed = np.zeros(
        rows,
        dtype=[
            ("fields", ">i2"),
            ("student_size", ">i4"),
            ("student", ">i8"),
            ("competency_size", ">i4"),
            ("competency", ">i8"),
            ("level_size", ">i4"),
            ("level", ">f8"),
            ("meets_size", ">i4"),
            ("meets", "u1"),
            ("rule_size", ">i4"),
            ("rule", ">i4"),
            ("ids_size", ">i4"),
            ("dimensions", ">i4"),
            ("has_nulls", ">i4"),
            ("element_type", ">i4"),
            ("length", ">i4"),
            ("lower_bound", ">i4"),
        ],
    )
    fixed["fields"] = 6
    fixed["student_size"] = fixed["competency_size"] = fixed["level_size"] = 8
    fixed["meets_size"], fixed["rule_size"] = 1, 4
    fixed["student"], fixed["competency"] = columns.student, columns.competency
    fixed["level"], fixed["meets"], fixed["rule"] = columns.level, columns.meets_mastery, columns.rule
    fixed["ids_size"] = 20 + 12 * columns.id_counts
    fixed["dimensions"], fixed["element_type"], fixed["lower_bound"] = 1, 20, 1  # int8 is type 20
    fixed["length"] = columns.id_counts
    elements = np.zeros(columns.score_ids.size, dtype=[("size", ">i4"), ("id", ">i8")])
    elements["size"], elements["id"] = 8, columns.score_ids
    pieces = np.empty(2 * rows, dtype=np.int64)
    pieces[0::2], pieces[1::2] = fixed.dtype.itemsize, 12 * columns.id_counts
    is_fixed = np.repeat(np.tile(np.array([True, False]), rows), pieces)
    header = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # the signature, no flags, no header extension
    stream = np.empty(len(header) + is_fixed.size + 2, dtype=np.uint8)
    stream[: len(header)] = np.frombuffer(header, dtype=np.uint8)
    body = stream[len(header) : -2]
    body[is_fixed] = fixed.view(np.uint8)
    body[~is_fixed] = elements.view(np.uint8)
    stream[-2:] = 0xFF  # the trailer: a field count of -1
    return stream


def store(
    *,
    district_id: int,
    columns: LevelColumns,
    rules: Rules,
    facts: Competencies,
    at: datetime.datetime,
) -> int:
    """Write the levels that differ from the stored ones, clear the stored levels that no longer follow from
    any score (the level the competency's own rule gives no scores), and append a history row for each change
    of level or of mastery; returns the number of history rows. In the caller's transaction."""
    level_table = connection.ops.quote_name(MasteryLevel._meta.db_table)
    change_table = connection.ops.quote_name(MasteryLevelChange._meta.db_table)
    postgres = connection.vendor == "postgresql"
    now = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE recompute_level (student_id bigint, competency_id bigint, level "
            f"{'float8' if postgres else 'real'}, meets_mastery boolean, rule integer, score_ids "
            f"{'bigint[]' if postgres else 'text'})"
        )
        cursor.execute(
            "CREATE TEMP TABLE recompute_rule (rule integer PRIMARY KEY, method varchar(24), parameters "
            f"{'jsonb' if postgres else 'text'}, rolled_up boolean)"
        )
        cursor.execute(
            "CREATE TEMP TABLE recompute_competency (competency_id bigint PRIMARY KEY, "
            "framework_version_id bigint, rule integer)"
        )
        cursor.executemany(
            "INSERT INTO recompute_rule VALUES (%s, %s, %s, %s)",
            [
                (number, method, json.dumps(parameters), rolled)
                for number, method, parameters, rolled in rules.described()
            ],
        )
        cursor.executemany(
            "INSERT INTO recompute_competency VALUES (%s, %s, %s)",
            list(zip(facts.ids.tolist(), facts.version.tolist(), facts.rule.tolist(), strict=True)),
        )
        if postgres:
            with cursor.cursor.copy(
                "COPY recompute_level (student_id, competency_id, level, meets_mastery, rule, score_ids) "
                "FROM STDIN (FORMAT binary)"
            ) as copy:
                copy.write(_binary_copy(columns).data)
        else:
            offsets = columns.offsets.tolist()
            ids = columns.score_ids.tolist()
            cursor.executemany(
                "INSERT INTO recompute_level VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        student,
                        competency,
                        None if level != level else level,  # NaN: no level
                        meets,
                        rule,
                        json.dumps(ids[offsets[row] : offsets[row + 1]]),
                    )
                    for row, (student, competency, level, meets, rule) in enumerate(
                        zip(
                            columns.student.tolist(),
                            columns.competency.tolist(),
                            columns.level.tolist(),
                            columns.meets_mastery.tolist(),
                            columns.rule.tolist(),
                            strict=True,
                        )
                    )
                ],
            )
        history = (
            f"INSERT INTO {change_table} (district_id, student_id, competency_id, level, meets_mastery, "
            "method, parameters, score_ids, changed_at) "
        )
        update = (
            "ON CONFLICT (student_id, competency_id) DO UPDATE SET "
            "framework_version_id = excluded.framework_version_id, level = excluded.level, "
            "meets_mastery = excluded.meets_mastery, method = excluded.method, "
            "parameters = excluded.parameters, score_ids = excluded.score_ids, "
            "rolled_up = excluded.rolled_up, computed_at = excluded.computed_at "
            "WHERE (stored.level, stored.meets_mastery, stored.method, stored.parameters, stored.score_ids, "
            "stored.rolled_up) IS DISTINCT FROM (excluded.level, excluded.meets_mastery, excluded.method, "
            "excluded.parameters, excluded.score_ids, excluded.rolled_up)"
        )
        columns_written = (
            "(district_id, student_id, competency_id, framework_version_id, level, meets_mastery, method, "
            "parameters, score_ids, rolled_up, computed_at)"
        )
        if postgres:
            changed = _write_postgres(cursor, district_id, now, level_table, history, update, columns_written)
        else:
            changed = _write_sqlite(cursor, district_id, now, level_table, history, update, columns_written)
        # Dropped, not left for the end of the transaction: one transaction may recompute twice.
        for table in ("recompute_level", "recompute_rule", "recompute_competency"):
            cursor.execute(f"DROP TABLE {table}")
    return changed


def _write_postgres(
    cursor: CursorWrapper,
    district_id: int,
    now: Any,
    level_table: str,
    history: str,
    update: str,
    columns_written: str,
) -> int:
    """One statement: the computed levels full-joined with the district's stored ones (a stored level with
    no computed one is cleared, under the competency's own rule), only the rows that differ upserted (ON
    CONFLICT locks every row it meets, even one its WHERE then leaves alone: a re-run that changes nothing
    must not lock and dirty every level), and a history row for each written level whose value or mastery
    moved, from `RETURNING`."""
    # A hash join of two tables of 700,000 rows: in memory, and not worth JIT-compiling (1.5 s here). Set for
    # this statement only, then put back.
    cursor.execute(
        "SELECT current_setting('jit'), current_setting('work_mem'), "
        "set_config('jit', 'off', true), set_config('work_mem', '256MB', true)"
    )
    jit, work_mem, _, _ = cursor.fetchone()
    cursor.execute(
        f"WITH wanted AS (SELECT COALESCE(t.student_id, old.student_id) AS student_id, "  # noqa: S608
        "c.competency_id, c.framework_version_id, NULLIF(t.level, 'NaN'::float8) AS level, "
        "COALESCE(t.meets_mastery, false) AS meets_mastery, r.method, r.parameters, "
        "COALESCE(t.score_ids, '{}'::bigint[]) AS score_ids, r.rolled_up, "
        "old.level AS old_level, old.meets_mastery AS old_meets_mastery "
        "FROM recompute_level t FULL JOIN (SELECT student_id, competency_id, level, meets_mastery, method, "
        f"parameters, score_ids, rolled_up FROM {level_table} WHERE district_id = %s) old "
        "ON old.student_id = t.student_id AND old.competency_id = t.competency_id "
        "JOIN recompute_competency c ON c.competency_id = COALESCE(t.competency_id, old.competency_id) "
        "JOIN recompute_rule r ON r.rule = COALESCE(t.rule, c.rule) "
        "WHERE (old.level, old.meets_mastery, old.method, old.parameters, old.score_ids, old.rolled_up) "
        "IS DISTINCT FROM (NULLIF(t.level, 'NaN'::float8), COALESCE(t.meets_mastery, false), r.method, "
        "r.parameters, COALESCE(t.score_ids, '{}'::bigint[]), r.rolled_up)), "
        f"written AS (INSERT INTO {level_table} AS stored {columns_written} "
        "SELECT %s, student_id, competency_id, framework_version_id, level, meets_mastery, method, "
        f"parameters, score_ids, rolled_up, %s FROM wanted {update} "
        "RETURNING stored.student_id, stored.competency_id, stored.level, stored.meets_mastery, "
        "stored.method, stored.parameters, stored.score_ids) "
        f"{history} SELECT %s, w.student_id, w.competency_id, w.level, w.meets_mastery, w.method, "
        "w.parameters, w.score_ids, %s FROM written w JOIN wanted ON wanted.student_id = w.student_id "
        "AND wanted.competency_id = w.competency_id "
        "WHERE (wanted.old_level, wanted.old_meets_mastery) IS DISTINCT FROM (w.level, w.meets_mastery) "
        "ORDER BY w.student_id, w.competency_id",
        [district_id, district_id, now, district_id, now],
    )
    changed: int = cursor.rowcount
    cursor.execute("SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)", [jit, work_mem])
    return changed


def _write_sqlite(
    cursor: CursorWrapper,
    district_id: int,
    now: Any,
    level_table: str,
    history: str,
    update: str,
    columns_written: str,
) -> int:
    """The same in three statements (SQLite has no writing sub-statements): the cleared levels added to the
    computed ones, the history taken from the levels as they are, then the upsert of the rows that differ."""
    cursor.execute(
        "INSERT INTO recompute_level (student_id, competency_id, level, meets_mastery, rule, score_ids) "  # noqa: S608
        "SELECT stored.student_id, stored.competency_id, NULL, false, c.rule, '[]' "
        f"FROM {level_table} stored JOIN recompute_competency c ON c.competency_id = stored.competency_id "
        "WHERE stored.district_id = %s AND NOT EXISTS (SELECT 1 FROM recompute_level t "
        "WHERE t.student_id = stored.student_id AND t.competency_id = stored.competency_id)",
        [district_id],
    )
    cursor.execute(
        f"{history} SELECT %s, t.student_id, t.competency_id, t.level, t.meets_mastery, r.method, "  # noqa: S608
        "r.parameters, t.score_ids, %s FROM recompute_level t JOIN recompute_rule r ON r.rule = t.rule "
        f"LEFT JOIN {level_table} old ON old.student_id = t.student_id "
        "AND old.competency_id = t.competency_id "
        "WHERE (old.level, old.meets_mastery) IS DISTINCT FROM (t.level, t.meets_mastery) "
        "ORDER BY t.student_id, t.competency_id",
        [district_id, now],
    )
    changed: int = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {level_table} AS stored {columns_written} "  # noqa: S608
        "SELECT %s, t.student_id, t.competency_id, c.framework_version_id, t.level, t.meets_mastery, "
        "r.method, r.parameters, t.score_ids, r.rolled_up, %s FROM recompute_level t "
        "JOIN recompute_rule r ON r.rule = t.rule "
        "JOIN recompute_competency c ON c.competency_id = t.competency_id "
        f"LEFT JOIN {level_table} old ON old.student_id = t.student_id "
        "AND old.competency_id = t.competency_id "
        "WHERE (old.level, old.meets_mastery, old.method, old.parameters, old.score_ids, old.rolled_up) "
        "IS DISTINCT FROM (t.level, t.meets_mastery, r.method, r.parameters, t.score_ids, r.rolled_up) "
        f"{update}",
        [district_id, now],
    )
    return changed
