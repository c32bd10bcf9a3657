"""Authorization-matrix rows of the roster import pages and API.

Roster imports belong to the district's administrators: the history, the upload, the progress poll and one
run are theirs alone (403 for every other role on the lists and forms; another district's run, or a run for
someone who may not read runs, answers 404 like one that does not exist). No row imports anything: the upload
rows send no file (the page answers 400 with the form's error) or a file that is not a zip (the API answers
400), so the demo's rosters stay as they are for the rows after them."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, Row, same_for_both
from waypoint.core.models import Organization, User
from waypoint.interop.models import RosterImport

ADMIN = {"district-admin"}
# Any file that is not a zip: the API refuses it by its content, after the policy let the caller in.
NOT_A_ZIP = Path(__file__)

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "rosters/imports/": same_for_both(ADMIN, 403),
    "rosters/imports/new/": (
        same_for_both(ADMIN, 403),
        same_for_both(ADMIN, 403, ok=400, method="post", multipart=True, payload={"delta": "on"}),
    ),
    "rosters/imports/<int:import_id>/": Row(allowed={OWN: ADMIN, OTHER: set()}),
    "rosters/imports/progress/<str:progress_token>/": same_for_both(ADMIN, 403),
    # API ----------------------------------------------------------------------------------------------------
    "api/v1/interop/rosters/imports": (
        same_for_both(ADMIN, 403, anonymous=401),
        same_for_both(
            ADMIN, 403, ok=400, anonymous=401, method="post", multipart=True, upload=NOT_A_ZIP, payload={}
        ),
    ),
    "api/v1/interop/rosters/imports/<int:import_id>": Row(allowed={OWN: ADMIN, OTHER: set()}, anonymous=401),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model | str]:
    """A refused run of the district, and a progress token (nobody's run)."""
    run = RosterImport.objects.create(
        district=district,
        started_by=users["district-admin"],
        source_name="matrix.zip",
        status=RosterImport.Status.REFUSED,
        problems=[{"file": "users.csv", "line": 2, "column": "role", "reason": "Matrix."}],
    )
    return {"import": run, "progress_token": str(uuid.uuid4())}
