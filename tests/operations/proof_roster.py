"""Set-up for the killed-worker proof (`test_worker_killed.py`), run as its own process against the proof's
scratch database (`DATABASE_URL`): a district and its administrator, a generated OneRoster set of
`users` users (bench/oneroster.py's generator), uploaded as the page does (`roster_import_start`, committed).
Prints the ids the test needs as one JSON object.

    python -m tests.operations.proof_roster USERS WORK_FOLDER"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def main(users: int, work: Path) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    django.setup()
    from django.core.files.uploadedfile import UploadedFile

    from waypoint.core.audit import RequestContext
    from waypoint.core.models import Organization, Role, RoleAssignment, User
    from waypoint.interop.tasks import roster_import_start

    sys.path.insert(0, str(BENCH))
    from oneroster import generate

    generate(work / "set", prefix="proof", users=users, classes=users // 40, enrollments=users * 5)
    archive = Path(shutil.make_archive(str(work / "roster"), "zip", work / "set"))
    state = Organization.objects.create(kind="state", name="Proof State", slug="proof-state")
    district = Organization.objects.create(
        kind="district", name="Proof District", slug="proof", sourced_id="proof-d", parent=state
    )
    admin = User.objects.create_user(username="proof-admin", district=district)
    RoleAssignment.objects.create(
        user=admin, role=Role.DISTRICT_ADMIN, organization=district, district=district
    )
    with archive.open("rb") as handle:
        upload = UploadedFile(handle, name="roster.zip", size=archive.stat().st_size)
        task = roster_import_start(
            context=RequestContext(user=admin), district=district, upload=upload, delta=False
        )
    sys.stdout.write(
        json.dumps(
            {
                "task_run": task.pk,
                "district": district.pk,
                "roster_import": task.arguments["roster_import_id"],
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
