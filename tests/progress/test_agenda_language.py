"""A conference's agenda is read in the reader's language: the trajectory and alert items are stored as
reason codes and facts, not as the organizer's sentence."""

from __future__ import annotations

import pytest
from django.utils import translation

from waypoint.progress.models import Conference, ConferenceKind

pytestmark = pytest.mark.django_db


def test_a_guardian_reads_the_agenda_of_the_demo_conference_in_spanish() -> None:
    conference = Conference.objects.filter(
        student__user__username="student", kind=ConferenceKind.ADVISOR_FAMILY, held_on__isnull=False
    ).first()
    assert conference is not None
    stored = {
        item["kind"]: item["text"] for item in conference.agenda if item["kind"] in ("trajectory", "alert")
    }
    assert "trajectory" in stored
    with translation.override("en"):
        english = {item["kind"]: item["text"] for item in conference.agenda_items}
    with translation.override("es"):
        spanish = {item["kind"]: item["text"] for item in conference.agenda_items}
    assert english["trajectory"] == stored["trajectory"]
    assert spanish["trajectory"] != stored["trajectory"]
    if "alert" in stored:
        assert spanish["alert"] != english["alert"]
    # Goals and evidence stay as their authors wrote them.
    assert [i["text"] for i in conference.agenda if i["kind"] == "goal"] == [
        i["text"] for i in conference.agenda_items if i["kind"] == "goal"
    ]
