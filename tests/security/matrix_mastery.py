"""Authorization-matrix rows of the mastery pages and API added for the everyday product: the gradebooks
list, the families explainer, and previewing then applying a calculation rule.

The gradebooks list is for everyone who opens sections (403 for everyone else); it lists counts of the
reader's own sections only, so it is checked for leaks. The explainer is for every signed-in person: it
shows the reader's district's own scale and rules and no student data. Previewing and applying a rule is for
the district administrator (403 for everyone else): the preview answers 200; applying a token that Waypoint
did not make answers 400 (tests/mastery/test_rule_preview.py applies a real one, and covers the 409s).
"""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import (
    OTHER,
    OWN,
    READS_OWN_STUDENT,
    SECTION_ROLES,
    Row,
    everyone,
    same_for_both,
)
from waypoint.core.models import Organization, User

ADMIN = {"district-admin"}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    "gradebooks/": same_for_both(SECTION_ROLES, 403, leak_check=True),
    "learning/how-it-works/": everyone(leak_check=True),
    # The full history behind a progress chart: for whoever reads the student's progress page.
    "students/<int:student_id>/mastery/<int:competency_id>/history/": Row(
        allowed={OWN: READS_OWN_STUDENT, OTHER: {"other-teacher"}}
    ),
    # The matrix's adoption rows have made Hillcrest's profile one Riverside uses, as for the PUT beside it.
    "api/v1/frameworks/<int:framework_id>/calculation-rules/preview": same_for_both(
        ADMIN, 403, anonymous=401, method="post", payload={"method": "highest"}
    ),
    "api/v1/frameworks/<int:framework_id>/calculation-rules/apply": same_for_both(
        ADMIN, 403, ok=400, anonymous=401, method="post", payload={"token": "not-a-preview"}
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """The rows above use the shared targets (the district's graduate profile)."""
    return {}
