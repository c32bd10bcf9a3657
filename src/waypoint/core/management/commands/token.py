"""`waypoint token USERNAME`: print a new personal access token for the API."""

from __future__ import annotations

import datetime
import getpass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.models import User
from waypoint.core.services import access_token_create


class Command(BaseCommand):
    help = "Create a personal access token for USERNAME and print it (it is stored only as a digest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=90, help="Days until the token expires (default 90).")

    def handle(self, *args: Any, username: str, name: str, days: int, **options: Any) -> None:
        if not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        # The operator at the shell, not the token's owner, is who acted.
        _, raw_token = access_token_create(
            context=RequestContext(user=AnonymousUser()),
            user=user,
            name=name,
            expires_at=timezone.now() + datetime.timedelta(days=days),
            reason=f"waypoint token run by {getpass.getuser()} on the server",
        )
        self.stdout.write(raw_token)
