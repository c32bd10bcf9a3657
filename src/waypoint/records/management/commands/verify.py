"""`waypoint verify FILE`: check a credential (a VC-JWT, or a JSON credential) as the public page does, print
every check in words, and exit 0 when it is valid, 1 when it is not."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from waypoint.records.forms.credentials import MAX_CREDENTIAL_BYTES
from waypoint.records.selectors.credentials import check_sentences, credential_check


class Command(BaseCommand):
    help = "Check a credential (VC-JWT or JSON): signature, issuer key, dates, revocation, schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The credential file (.jwt or .json); '-' reads standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read(MAX_CREDENTIAL_BYTES + 1)
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(gettext("No file %(name)s.") % {"name": name}, returncode=1)
            data = path.read_bytes()[: MAX_CREDENTIAL_BYTES + 1]
        if len(data) > MAX_CREDENTIAL_BYTES:
            raise CommandError(
                gettext("The file is larger than 1 MB: no credential is that big."), returncode=1
            )
        checked = credential_check(data)
        marks = {True: "ok  ", False: "FAIL", None: "--  "}
        for said in check_sentences(checked):
            self.stdout.write(f"{marks[said.passed]} {said.sentence}")
        if not checked.valid:
            raise CommandError(gettext("The credential is not valid."), returncode=1)
        self.stdout.write(self.style.SUCCESS(gettext("The credential is valid.")))
