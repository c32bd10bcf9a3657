"""`waypoint import-oneroster PATH`: counts per file on success; every problem as `file:line: column:
reason` and exit status 1 on refusal, nothing written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.interop import roster_kit as kit
from tests.interop.test_roster_import import district, snapshot
from waypoint.core.models import Organization, Student, User
from waypoint.interop.models import RosterImport

__all__ = ["district"]  # the fixture, shared with the importer's tests


def test_the_command_imports_and_prints_counts_per_file(tmp_path: Path, district: Organization) -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import-oneroster",
        str(kit.write_roster(tmp_path / "set")),
        district=district.slug,
        stdout=out,
        stderr=err,
    )

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"Imported set into {district.name} (OneRoster 1.1, bulk; run ")
    users = next(line for line in lines if line.startswith("users.csv"))
    assert users.split() == ["users.csv", "18", "18", "0", "0", "0", "0"]
    enrollments = next(line for line in lines if line.startswith("enrollments.csv"))
    assert enrollments.split()[1:3] == ["31", "31"]
    run = RosterImport.objects.get(district=district)
    # Recorded under the district's first administrator (no --as given).
    assert run.started_by == User.objects.get(username="kit-first-admin")
    assert Student.objects.filter(district=district).count() == 12


def test_a_refused_roster_prints_every_problem_and_writes_nothing(
    tmp_path: Path, district: Organization
) -> None:
    folder = kit.write_roster(tmp_path / "set")
    first = kit.set_cell(folder, "users.csv", kit.sid("teacher-1"), "username", "teacher")
    second = kit.set_cell(folder, "users.csv", kit.sid("teacher-2"), "username", "student")
    before = snapshot()

    with pytest.raises(CommandError) as refusal:
        call_command("import-oneroster", str(folder), district=district.slug, stdout=io.StringIO())

    # Django's command runner prints the message on stderr and exits with this status.
    assert refusal.value.returncode == 1
    message = str(refusal.value)
    assert "nothing was written (2 problems)" in message
    assert f"users.csv:{first}: username: The username teacher belongs to another account." in message
    assert f"users.csv:{second}: username: The username student belongs to another account." in message
    assert snapshot() == before
    assert RosterImport.objects.get(district=district).status == RosterImport.Status.REFUSED


def test_the_command_acts_as_the_person_named(tmp_path: Path, district: Organization) -> None:
    with pytest.raises(CommandError, match="You may not import the district"):
        call_command(
            "import-oneroster",
            str(kit.write_roster(tmp_path / "set")),
            district=district.slug,
            as_username="teacher",
        )
    assert not RosterImport.objects.filter(district=district).exists()


def test_an_unknown_district_or_path_is_a_clear_error(tmp_path: Path, district: Organization) -> None:
    with pytest.raises(CommandError, match="No district with the slug 'nowhere'"):
        call_command("import-oneroster", str(kit.write_roster(tmp_path / "set")), district="nowhere")
    with pytest.raises(CommandError, match="There is no folder or file at"):
        call_command("import-oneroster", str(tmp_path / "missing"), district=district.slug)
