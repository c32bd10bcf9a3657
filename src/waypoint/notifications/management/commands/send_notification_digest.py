"""`waypoint send_notification_digest`: e-mail each person one message of their unsent notifications chosen
"once a day" (and any "at once" e-mail that failed). Run it daily (cron, or a scheduled task); running it
twice sends nothing the second time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from waypoint.notifications.services import digest_send


class Command(BaseCommand):
    help = "E-mail each person the day's digest of their notifications (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digest_send()
        self.stdout.write(f"Sent {sent} digest e-mail{'' if sent == 1 else 's'}.")
