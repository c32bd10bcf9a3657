"""Reads of learner profiles and success plans: audited, and out of scope is hidden."""

from __future__ import annotations

import pytest

from tests.pathways.conftest import World
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.profiles import selectors, services

pytestmark = pytest.mark.django_db


def save_profile(world: World, **values: object) -> None:
    services.profile_save(
        context=world.context(world.student_user),
        student=world.student,
        fields=services.ProfileFields(**values),  # type: ignore[arg-type]
    )


def test_reads_are_audited_and_out_of_scope_is_hidden(world: World) -> None:
    save_profile(world, interests=["chess"])
    page = selectors.profile_page(context=world.context(world.guardian), student_id=world.student.pk)
    assert page.profile is not None
    assert not page.can_edit
    event = AuditEvent.objects.filter(object_type="learner-profile", actor=world.guardian).get()
    assert event.action == AuditAction.VIEW
    assert event.reason == "Guardian"
    for reader in (world.mentor, world.other_teacher):
        with pytest.raises(NotVisible):
            selectors.plan_page(context=world.context(reader), student_id=world.student.pk)
        assert AuditEvent.objects.filter(
            actor=reader, action=AuditAction.DENIED, student=world.student
        ).exists()
    with pytest.raises(NotPermitted):
        selectors.profile_for_edit(context=world.context(world.advisor), student_id=world.student.pk)
