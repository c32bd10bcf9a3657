"""`waypoint token USERNAME`: print a new personal access token for the API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.core.audit import RequestContext
from waypoint.core.models import User
from waypoint.core.services import access_token_create


class Command(BaseCommand):
    help = "Create a personal access token for USERNAME and print it (it is stored only as a digest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _, raw_token = access_token_create(context=RequestContext(user=user), user=user, name=name)
        self.stdout.write(raw_token)
