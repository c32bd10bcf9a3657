"""`waypoint setup`: a district's first run without the demo: its state, the district, its schools and its
first district administrator. Asks for whatever the flags leave out, unless `--no-input`."""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from waypoint.core.audit import RequestContext
from waypoint.core.errors import Refusal
from waypoint.interop.services.setup import SchoolSpec, SetupResult, district_setup

# "Name", "Name:9-12", "Name:K-5", "Name:9-12:SIS-ID" or "Name::SIS-ID".
GRADES = re.compile(r"^\s*(K|\d{1,2})\s*-\s*(K|\d{1,2})\s*$", re.IGNORECASE)


def _grade(text: str) -> int:
    return 0 if text.upper() == "K" else int(text)


def parse_school(text: str) -> SchoolSpec:
    """A `--school` value: `Name[:lowest-highest][:roster id]`, K for kindergarten."""
    name, _, rest = text.partition(":")
    grades, _, sourced_id = rest.partition(":")
    if not grades.strip():
        return SchoolSpec(name=name.strip(), sourced_id=sourced_id.strip())
    match = GRADES.match(grades)
    if match is None:
        raise CommandError(
            f"--school {text!r}: the grades should read lowest-highest, e.g. 9-12 or K-5 (K is kindergarten)."
        )
    return SchoolSpec(
        name=name.strip(),
        lowest_grade=_grade(match[1]),
        highest_grade=_grade(match[2]),
        sourced_id=sourced_id.strip(),
    )


def split_name(text: str) -> tuple[str, str]:
    """A person's name as "First Last" (the last word is the family name) or "Last, First"."""
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.strip().rpartition(" ")
    return first.strip(), last.strip()


class Command(BaseCommand):
    help = (
        "Set up a district without the demo: its state (created unless it exists), the district, its schools "
        "and its first district administrator. Refuses to run twice for the same district."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--state", help='The state as "Name:CODE", e.g. "Connecticut:CT".')
        parser.add_argument(
            "--district",
            help='The district as "Name[:short-name]", e.g. "Riverside Public Schools:riverside".',
        )
        parser.add_argument(
            "--school",
            action="append",
            default=[],
            help='A school as "Name[:lowest-highest][:roster id]", e.g. "Riverside High:9-12" (repeatable). '
            "The roster id is the school's sourcedId in your SIS's OneRoster export; without one, the "
            "roster import adds the school it names as a new school.",
        )
        parser.add_argument("--admin-username", help="The first district administrator's username.")
        parser.add_argument("--admin-email", help="Their e-mail address.")
        parser.add_argument("--admin-name", help='Their name, "First Last" or "Last, First".')
        parser.add_argument(
            "--admin-password-stdin",
            action="store_true",
            help="Read their password from the first line of standard input.",
        )
        parser.add_argument(
            "--no-input",
            action="store_true",
            help="Ask nothing: what the flags leave out is missing (without a password, the administrator "
            "sets one through a password reset link).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = not options["no_input"]
        ask = self._asker(interactive)
        state_name, _, state_code = (options["state"] or "").partition(":")
        state_name = state_name.strip() or ask("State (its name)", "")
        state_code = state_code.strip() or ask("State code (its postal abbreviation, e.g. CT)", "")
        district_name, _, district_slug = (options["district"] or "").partition(":")
        district_name = district_name.strip() or ask("District name", "")
        district_slug = district_slug.strip() or ask(
            "District short name (used in addresses)", slugify(district_name)
        )
        schools = [parse_school(text) for text in options["school"]]
        if not schools and interactive:
            schools = self._ask_schools(ask)
        username = options["admin_username"] or ask("Administrator's username", "")
        email = options["admin_email"] or ask("Administrator's e-mail address", "")
        first_name, last_name = split_name(
            options["admin_name"] or ask("Administrator's name (First Last)", "")
        )
        password = self._password(options["admin_password_stdin"], interactive)
        try:
            result = district_setup(
                state_name=state_name,
                state_code=state_code,
                district_name=district_name,
                district_slug=district_slug,
                schools=schools,
                admin_username=username,
                admin_email=email,
                admin_first_name=first_name,
                admin_last_name=last_name,
                admin_password=password,
                context=RequestContext(
                    user=AnonymousUser(), path=f"waypoint setup (run by {getpass.getuser()} on the server)"
                ),
            )
        except Refusal as refusal:
            raise CommandError(
                "Nothing was set up:\n" + "\n".join(f"- {problem}" for problem in refusal.problems)
            ) from refusal
        self._report(result)

    def _asker(self, interactive: bool) -> Callable[[str, str], str]:
        def ask(question: str, default: str) -> str:
            if not interactive:
                return default
            shown = f" [{default}]" if default else ""
            self.stdout.write(f"{question}{shown}: ", ending="")
            self.stdout.flush()
            answer = sys.stdin.readline()
            if not answer:
                raise CommandError("The input ended before every question was answered.")
            return answer.strip() or default

        return ask

    def _ask_schools(self, ask: Callable[[str, str], str]) -> list[SchoolSpec]:
        self.stdout.write(
            'Schools, one a line as "Name[:lowest-highest][:roster id]" (e.g. "Riverside High:9-12"); '
            "an empty line ends the list. You may leave the schools to the roster import."
        )
        schools = []
        while text := ask("School", ""):
            schools.append(parse_school(text))
        return schools

    def _password(self, from_stdin: bool, interactive: bool) -> str | None:
        if from_stdin:
            line = sys.stdin.readline().rstrip("\r\n")
            if not line:
                raise CommandError("--admin-password-stdin: standard input gave no password.")
            return line
        if not interactive:
            return None
        password = getpass.getpass("Administrator's password (empty: they set one through a reset link): ")
        if not password:
            return None
        if getpass.getpass("The password again: ") != password:
            raise CommandError("The two passwords differ; nothing was set up.")
        return password

    def _report(self, result: SetupResult) -> None:
        state = result.state
        self.stdout.write(
            f"{'Created' if result.state_created else 'Found'} the state {state.name} ({state.slug})."
        )
        self.stdout.write(f"Created the district {result.district.name} ({result.district.slug}).")
        for school in result.schools:
            grades = (
                f", grades {school.lowest_grade}-{school.highest_grade}"
                if school.lowest_grade is not None
                else ""
            )
            self.stdout.write(f"Created the school {school.name} (roster id {school.sourced_id}{grades}).")
        admin = result.admin
        self.stdout.write(
            f"Created the district administrator {admin.get_full_name()} ({admin.username}, {admin.email})."
        )
        sign_in = (
            f"Sign in as {admin.username}"
            if result.admin_has_password
            else f"Set {admin.username}'s password through “Forgot your password?” on the sign-in page (or "
            "configure the district's identity provider), then sign in"
        )
        self.stdout.write(
            "\nNext steps:\n"
            f"1. {sign_in}: the set-up page (/setup/) lists what is left to do.\n"
            "2. Import the roster your student information system exports as OneRoster CSV: on the page "
            f"/rosters/imports/new/, or `waypoint import-oneroster PATH --district {result.district.slug}`.\n"
            "3. Import or adopt a competency framework (/frameworks/, or `waypoint import-case FILE`).\n"
            "4. Optionally, sign staff in through the district's identity provider (/district/sign-in/)."
        )
