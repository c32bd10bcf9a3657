"""The notifications work the background runs: the daily digest e-mail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext

from waypoint.notifications.services import digest_send
from waypoint.operations.schedule import daily
from waypoint.operations.work import Outcome, Progress, background


@background(kind="notification-digest", title=gettext_lazy("Daily digest of notifications"), retry_safe=True)
def send_digest(progress: Progress) -> Outcome:
    """Safe to run again: each notification is marked e-mailed in the transaction that reads it."""
    sent = digest_send()
    return Outcome(
        message=ngettext("Sent %(count)d digest e-mail.", "Sent %(count)d digest e-mails.", sent)
        % {"count": sent}
    )


# Early morning, so the digest is waiting when the day starts.
SCHEDULE = [daily(send_digest, "06:00")]
