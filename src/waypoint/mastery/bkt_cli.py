"""`waypoint bkt-fit CSV [--json] [--skip-blank-skills]`: fit BKT parameters per skill; writes nothing.

The console script runs this without Django (see `waypoint.cli`): fitting a file needs no settings, no
database and none of Django's system checks, which take about a second before the first byte is read. The
management command (`call_command("bkt-fit", ...)`) prints the same through `fitted_lines`. No Django here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from waypoint.mastery.bkt import KTDataError, fit, read_pybkt_csv

HELP = (
    "Fit Bayesian Knowledge Tracing parameters (prior, learn, guess, slip) for every skill in a practice "
    "log in pyBKT's CSV format (user_id, skill_name, correct, optionally order_id) and print them. "
    "Nothing is stored."
)
PARAMETERS = ("prior", "learn", "guess", "slip")


class FitRefused(Exception):
    """The file cannot be read or fitted; the message says why, for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", action="store_true", help="Print {skill: {prior, learn, guess, slip}}.")
    parser.add_argument(
        "--skip-blank-skills",
        action="store_true",
        help="Drop rows without a skill instead of refusing the file.",
    )


def fitted_lines(file: Path, *, as_json: bool, skip_blank_skills: bool) -> list[str]:
    """What `bkt-fit` prints, line by line (the JSON document is one item); raises `FitRefused`."""
    try:
        attempts = read_pybkt_csv(file, skip_blank_skills=skip_blank_skills)
    except OSError as error:
        raise FitRefused(f"Cannot read {file}: {error.strerror}.") from error
    except KTDataError as error:
        raise FitRefused(f"{file} cannot be fitted:\n" + "\n".join(error.problems)) from error
    fitted = fit(attempts)
    table = {
        skill: {name: round(getattr(params, name), 6) for name in PARAMETERS}
        for skill, params in sorted(fitted.items())
    }
    if as_json:
        return [json.dumps(table, indent=2, ensure_ascii=False)]
    names = {skill: _shortened(skill) for skill in table}
    width = max([len("skill"), *(len(name) for name in names.values())])
    lines = [f"{'skill':<{width}}  {'prior':>8}  {'learn':>8}  {'guess':>8}  {'slip':>8}"]
    for skill, values in table.items():
        lines.append(f"{names[skill]:<{width}}  " + "  ".join(f"{value:>8.4f}" for value in values.values()))
    return lines


def _shortened(skill: str, limit: int = 40) -> str:
    """The skill's name cut to `limit` characters, so that one long name (DataShop joins a step's knowledge
    components with ~~) does not push the numbers off the screen; --json has the full names."""
    return skill if len(skill) <= limit else skill[: limit - 1] + "…"


def main(arguments: Sequence[str], program: str = "waypoint") -> int:
    """`waypoint bkt-fit ARGUMENTS` as Django would run the command, without Django: the same arguments
    (Django's common options are accepted and have nothing to change), output and exit status."""
    parser = argparse.ArgumentParser(prog=f"{program} bkt-fit", description=HELP)
    add_arguments(parser)
    parser.add_argument("--version", action="version", version="waypoint")
    parser.add_argument("-v", "--verbosity", default=1, type=int, choices=[0, 1, 2, 3])
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    parser.add_argument("--traceback", action="store_true")
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("--force-color", action="store_true")
    parser.add_argument("--skip-checks", action="store_true")
    options = parser.parse_args(arguments)
    try:
        lines = fitted_lines(options.file, as_json=options.json, skip_blank_skills=options.skip_blank_skills)
    except FitRefused as error:
        if options.traceback:
            raise
        sys.stderr.write(f"CommandError: {error}\n")
        return 1
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0
