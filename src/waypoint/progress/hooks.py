"""Running a student's inquiry after their levels change, without the mastery app knowing about progress.

Scoring creates `Score` rows one at a time (`mastery.services.scores_record`) and refreshes the levels in
the same transaction. A `post_save` receiver on `Score` notes the student; once that transaction commits,
the student's progress and student rules are recomputed (`services.student_changed`). Bulk writers (the
demo, a district recompute) insert without signals and are followed by the nightly run instead."""

from __future__ import annotations

import functools
import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from waypoint.evidence.models import Score

_pending = threading.local()


def _pending_ids() -> set[int]:
    ids: set[int] | None = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    return ids


def _run(student_id: int) -> None:
    """Recompute once per student per commit, however many of their scores the transaction saved."""
    ids = _pending_ids()
    if student_id not in ids:
        return
    ids.discard(student_id)
    from waypoint.progress.services import student_changed

    student_changed(student_id=student_id)


def _score_saved(sender: type[Score], instance: Score, created: bool, **kwargs: Any) -> None:
    if not created or not instance.counts_toward_mastery:
        return
    _pending_ids().add(instance.student_id)
    # Robust: the scores are committed; a failure here is logged, the nightly run catches up.
    transaction.on_commit(functools.partial(_run, instance.student_id), robust=True)


def connect() -> None:
    post_save.connect(_score_saved, sender=Score, dispatch_uid="progress-score-saved")
