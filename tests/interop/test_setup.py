"""`waypoint setup` and `district_setup`: a district's first run without the demo, refused twice, every
problem listed, nothing half-written; `waypoint import-case` works after it."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model

from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import AuditAction, AuditEvent, Organization, Role, RoleAssignment, User
from waypoint.frameworks.models import Framework
from waypoint.interop.management.commands.setup import parse_school, split_name
from waypoint.interop.services.setup import SchoolSpec, district_setup

CASE_FILE = Path(__file__).parents[1] / "frameworks" / "fixtures" / "case_rubrics.json"
PASSWORD = "correct horse battery staple 42"
FLAGS = [
    "--state=Connecticut:CT",
    "--district=Maple Valley Public Schools:maple-valley",
    "--school=Maple Valley High:9-12",
    "--school=Maple Valley Elementary:K-5:SIS-ELEM-1",
    "--admin-username=mv-admin",
    "--admin-email=it@maple-valley.example.org",
    "--admin-name=Nora Quinn",
]


@pytest.fixture
def empty_db(load_demo_into_empty_db: Callable[..., Any]) -> None:
    """A database with no Waypoint row at all, as on a fresh install (emptied inside the test's
    transaction; the session's demo comes back with the rollback)."""


def counts() -> dict[str, int]:
    models: tuple[type[Model], ...] = (Organization, User, RoleAssignment, AuditEvent)
    return {model.__name__: model._default_manager.count() for model in models}


def setup_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "state_name": "Connecticut",
        "state_code": "CT",
        "district_name": "Maple Valley Public Schools",
        "district_slug": "maple-valley",
        "schools": [
            SchoolSpec("Maple Valley High", 9, 12),
            SchoolSpec("Maple Valley Elementary", 0, 5, "SIS-1"),
        ],
        "admin_username": "mv-admin",
        "admin_email": "it@maple-valley.example.org",
        "admin_first_name": "Nora",
        "admin_last_name": "Quinn",
        "admin_password": PASSWORD,
    }
    return {**values, **overrides}


@pytest.mark.usefixtures("empty_db")
def test_setup_creates_the_state_district_schools_and_administrator() -> None:
    result = district_setup(**setup_values())
    assert result.state_created
    state, district = result.state, result.district
    assert (state.kind, state.name, state.slug, state.parent_id) == ("state", "Connecticut", "ct", None)
    assert (district.kind, district.parent_id, district.slug) == ("district", state.pk, "maple-valley")
    high, elementary = result.schools
    assert (high.kind, high.parent_id, high.lowest_grade, high.highest_grade) == (
        "school",
        district.pk,
        9,
        12,
    )
    assert elementary.sourced_id == "SIS-1", "the roster identifier given, so the roster import finds it"
    assert high.sourced_id == f"waypoint-{high.slug}"
    admin = User.objects.get(username="mv-admin")
    assert admin.check_password(PASSWORD)
    assert (admin.district_id, admin.email, admin.get_full_name()) == (
        district.pk,
        "it@maple-valley.example.org",
        "Nora Quinn",
    )
    role = RoleAssignment.objects.get(user=admin)
    assert (role.role, role.organization_id, role.district_id, role.ends_on) == (
        Role.DISTRICT_ADMIN,
        district.pk,
        district.pk,
        None,
    )
    event = AuditEvent.objects.get(object_type="district-setup")
    assert (event.action, event.object_id, event.district_id) == (
        AuditAction.CREATE,
        str(district.pk),
        district.pk,
    )
    assert "Maple Valley Public Schools" in event.reason


@pytest.mark.usefixtures("empty_db")
def test_setup_without_a_password_leaves_an_unusable_one() -> None:
    result = district_setup(**setup_values(admin_password=None, schools=[]))
    assert not result.admin.has_usable_password()
    assert not result.admin_has_password
    assert result.schools == []


@pytest.mark.django_db
def test_setup_reuses_the_state_it_finds(demo: Any) -> None:
    state = demo.riverside.parent
    result = district_setup(**setup_values(state_code=state.slug, state_name="ignored"))
    assert not result.state_created
    assert result.district.parent_id == state.pk
    assert result.state.name == state.name


@pytest.mark.usefixtures("empty_db")
def test_setup_twice_is_a_conflict_and_writes_nothing() -> None:
    district_setup(**setup_values())
    before = counts()
    with pytest.raises(Conflict, match="already set up"):
        district_setup(**setup_values(admin_username="someone-else", schools=[]))
    # The same name in the same state under another short name is the same district too.
    with pytest.raises(Conflict):
        district_setup(**setup_values(district_slug="maple-valley-2", admin_username="x", schools=[]))
    assert counts() == before


@pytest.mark.usefixtures("empty_db")
def test_setup_lists_every_problem_and_writes_nothing() -> None:
    User.objects.create_user(username="taken")
    before = counts()
    with pytest.raises(Invalid) as refused:
        district_setup(
            **setup_values(
                state_name="",
                state_code="C",
                district_name="",
                district_slug="Not A Slug",
                schools=[
                    SchoolSpec("High", 9, 14),
                    SchoolSpec("high", 12, 9),
                    SchoolSpec("Lower", 3, None),
                    SchoolSpec(""),
                ],
                admin_username="taken",
                admin_email="not-an-address",
                admin_first_name="",
                admin_password="short",
            )
        )
    problems = refused.value.problems
    expected = [
        "The state’s name is missing.",
        "The state code “C”",
        "The district’s name is missing.",
        "The district’s short name “Not A Slug”",
        "grade 14 is not one of 0 (kindergarten) to 13",
        "The school “high” is listed twice.",
        "give both its lowest and highest grade",
        "School 4 has no name.",
        "The username “taken” is taken.",
        "“not-an-address” is not an e-mail address.",
        "The administrator’s first name is missing.",
        "The password:",
    ]
    for fragment in expected:
        assert any(fragment in problem for problem in problems), (fragment, problems)
    assert counts() == before


@pytest.mark.usefixtures("empty_db")
def test_the_command_with_flags_sets_up_and_says_what_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command("setup", *FLAGS, "--admin-password-stdin", "--no-input", stdout=out)
    text = out.getvalue()
    assert "Created the state Connecticut (ct)." in text
    assert "Created the district Maple Valley Public Schools (maple-valley)." in text
    assert "Maple Valley Elementary (roster id SIS-ELEM-1, grades 0-5)" in text
    assert "Next steps:" in text
    assert "waypoint import-oneroster PATH --district maple-valley" in text
    assert User.objects.get(username="mv-admin").check_password(PASSWORD)
    school = Organization.objects.get(sourced_id="SIS-ELEM-1")
    assert (school.lowest_grade, school.highest_grade) == (0, 5)


@pytest.mark.usefixtures("empty_db")
def test_the_command_run_twice_refuses_and_writes_nothing() -> None:
    call_command("setup", *FLAGS, "--no-input", stdout=io.StringIO())
    before = counts()
    with pytest.raises(CommandError, match="already set up") as refused:
        call_command("setup", *FLAGS, "--no-input", stdout=io.StringIO())
    assert refused.value.returncode == 1
    assert counts() == before


@pytest.mark.usefixtures("empty_db")
def test_the_command_asks_for_what_the_flags_leave_out(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = "\n".join(
        [
            "Connecticut",  # state
            "CT",  # code
            "Birch Falls Schools",  # district
            "",  # short name: the default, from the name
            "Birch Falls High:9-12",  # a school
            "",  # no more schools
            "bf-admin",
            "it@birch-falls.example.org",
            "Quinn, Nora",
        ]
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(answers + "\n"))
    passwords = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(passwords))
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert "District short name (used in addresses) [birch-falls-schools]:" in out.getvalue()
    admin = User.objects.get(username="bf-admin")
    assert admin.district is not None
    assert (admin.first_name, admin.last_name, admin.district.slug) == (
        "Nora",
        "Quinn",
        "birch-falls-schools",
    )
    assert admin.check_password(PASSWORD)
    assert Organization.objects.filter(parent=admin.district, kind="school").count() == 1


@pytest.mark.usefixtures("empty_db")
def test_the_command_refuses_bad_flags_before_writing() -> None:
    with pytest.raises(CommandError, match="lowest-highest"):
        call_command("setup", *FLAGS, "--school=Odd:nine-twelve", "--no-input", stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_command("setup", *FLAGS, "--admin-email=nope", "--no-input", stdout=io.StringIO())
    assert Organization.objects.count() == 0


@pytest.mark.usefixtures("empty_db")
def test_import_case_works_after_setup() -> None:
    """Before: "There is no state organization yet" (the message still holds on an empty database);
    after `waypoint setup`, the state owns the imported framework."""
    with pytest.raises(CommandError, match="There is no state organization yet"):
        call_command("import-case", str(CASE_FILE), "--no-progress", stdout=io.StringIO())
    call_command("setup", *FLAGS, "--no-input", stdout=io.StringIO())
    call_command("import-case", str(CASE_FILE), "--no-progress", stdout=io.StringIO())
    assert Framework.objects.get().owner_id == Organization.objects.get(slug="ct", kind="state").pk


@pytest.mark.parametrize(
    ("text", "school"),
    [
        ("North", SchoolSpec("North")),
        ("North:9-12", SchoolSpec("North", 9, 12)),
        ("North:k-5", SchoolSpec("North", 0, 5)),
        ("North::SIS-9", SchoolSpec("North", sourced_id="SIS-9")),
        ("North : 6 - 8 : X", SchoolSpec("North", 6, 8, "X")),
    ],
)
def test_parse_school(text: str, school: SchoolSpec) -> None:
    assert parse_school(text) == school


def test_split_name() -> None:
    assert split_name("Mary Ann Smith") == ("Mary Ann", "Smith")
    assert split_name("de la Cruz, Ana") == ("Ana", "de la Cruz")
    assert split_name("Cher") == ("", "Cher")
