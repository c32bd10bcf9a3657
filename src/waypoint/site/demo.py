"""The demo orchestrator: the people part of the demo (`waypoint.core.demo`), then each app's part, in the
order of the layers. Apps declare their loader as `demo_loader` on their AppConfig
(`waypoint.site.contributions`); nothing here names an app."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.db import transaction

from waypoint.core.demo import DemoSummary, is_loaded, load_demo_people
from waypoint.site.contributions import contributions


@transaction.atomic
def load_demo(
    *, scale: float = 1.0, today: datetime.date | None = None, ccss_path: Path | None = None
) -> DemoSummary:
    """Load the demo state unless it is already there, in one transaction. `scale` shrinks the student
    count (tests use 0.1); `ccss_path`, a CASE file of Common Core Math, is imported and aligned to when
    given."""
    if is_loaded():
        return DemoSummary(loaded=False)
    world = load_demo_people(scale=scale, today=today, ccss_path=ccss_path)
    counts = dict(world.counts)
    for loader in contributions("demo_loader"):
        counts.update(loader(world))
    return DemoSummary(loaded=True, counts=counts)
