"""`waypoint bkt-fit`: JSON or a table on stdout, every problem of a bad file on stderr with a failing exit
status; the console script prints the same without starting Django. No test here has database access, so a
command that touched the database would fail them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.core.management.base import OutputWrapper

from waypoint.mastery.bkt import BKTParams, fit, read_pybkt_csv, synthetic

FIXTURES = Path(__file__).parent / "fixtures"
PARAMETERS = ("prior", "learn", "guess", "slip")
TRUTH = {
    "Adding fractions": BKTParams(prior=0.3, learn=0.15, guess=0.2, slip=0.1),
    "Place value": BKTParams(prior=0.55, learn=0.1, guess=0.25, slip=0.08),
}


@pytest.fixture
def practice_log(tmp_path: Path) -> Path:
    """A pyBKT-style log of 300 simulated students, with an order_id."""
    attempts = synthetic(TRUTH, students=300, length=20, seed=5)
    path = tmp_path / "practice.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "user_id", "skill_name", "correct"])
        for order, (student, skill, correct) in enumerate(
            zip(attempts.students, attempts.skills, attempts.correct, strict=True)
        ):
            writer.writerow([order, attempts.student_names[student], attempts.skill_names[skill], correct])
    return path


def test_json_lists_the_four_parameters_of_every_skill(practice_log: Path) -> None:
    out = io.StringIO()
    call_command("bkt-fit", str(practice_log), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    fitted = fit(read_pybkt_csv(practice_log))
    assert printed.keys() == TRUTH.keys()
    for skill, truth in TRUTH.items():
        assert printed[skill] == {name: round(getattr(fitted[skill], name), 6) for name in PARAMETERS}
        # 300 students leave a sampling error of a few hundredths.
        assert all(abs(printed[skill][name] - getattr(truth, name)) < 0.1 for name in PARAMETERS)


def test_without_json_prints_a_table(practice_log: Path) -> None:
    out = io.StringIO()
    call_command("bkt-fit", str(practice_log), stdout=out)
    header, *lines = out.getvalue().splitlines()
    assert header.split() == ["skill", "prior", "learn", "guess", "slip"]
    assert sorted(line.rsplit(maxsplit=4)[0] for line in lines) == sorted(TRUTH)


def test_blank_skills_are_refused_unless_skipped() -> None:
    with pytest.raises(CommandError, match="line 4: KC\\(Default\\) is empty"):
        call_command("bkt-fit", str(FIXTURES / "datashop_style.tsv"), "--json", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bkt-fit", str(FIXTURES / "datashop_style.tsv"), "--json", "--skip-blank-skills", stdout=out)
    assert json.loads(out.getvalue()).keys() == {"Fractions", "Decimals"}


def test_a_malformed_file_exits_non_zero_with_every_problem_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = load_command_class("waypoint.mastery", "bkt-fit")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["waypoint", "bkt-fit", str(FIXTURES / "malformed.csv"), "--json"])
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    for line in (3, 4, 5, 6, 7, 8):
        assert f"line {line}:" in captured.err


def test_a_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("bkt-fit", str(tmp_path / "absent.csv"))


# The console script as `waypoint` runs it; afterwards, on stderr, whether Django was imported at all.
CONSOLE = """
import sys
from waypoint import cli
sys.argv = ["waypoint", "bkt-fit", *sys.argv[1:]]
try:
    cli.main()
finally:
    sys.stderr.write("django imported" if "django" in sys.modules else "django not imported")
"""


def console(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CONSOLE, *arguments], capture_output=True, text=True, check=False, timeout=120
    )


@pytest.mark.parametrize("options", [["--json"], []])
def test_the_console_script_prints_what_the_command_prints_without_starting_django(
    practice_log: Path, options: list[str]
) -> None:
    out = io.StringIO()
    call_command("bkt-fit", str(practice_log), *options, stdout=out)
    ran = console(str(practice_log), *options)
    assert ran.returncode == 0
    assert ran.stdout == out.getvalue()
    assert ran.stderr == "django not imported"


def test_the_console_script_refuses_a_malformed_file_as_the_command_does() -> None:
    command = load_command_class("waypoint.mastery", "bkt-fit")
    err = io.StringIO()
    command.stderr = OutputWrapper(err)
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["waypoint", "bkt-fit", str(FIXTURES / "malformed.csv"), "--json"])
    ran = console(str(FIXTURES / "malformed.csv"), "--json")
    assert ran.returncode == exited.value.code == 1
    assert ran.stdout == ""
    assert ran.stderr == err.getvalue() + "django not imported"
    assert "line 8: correct is '0.5', not 0 or 1" in ran.stderr
