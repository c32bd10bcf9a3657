"""The catalog rules of the access policy (`policy/catalog.py`)."""

from __future__ import annotations

import pytest

from tests.conftest import Demo
from tests.factories import RoleFactory, UserFactory
from tests.pathways.conftest import World
from waypoint.catalog import services
from waypoint.catalog.models import Opportunity
from waypoint.core.models import Role
from waypoint.policy import Action, can
from waypoint.policy.catalog import catalog_districts, visible_opportunities, visible_providers

pytestmark = pytest.mark.django_db


def test_the_catalog_is_read_in_its_district_and_templates_by_every_curator(world: World, demo: Demo) -> None:
    assert catalog_districts(world.student_user) == {world.district.pk}
    assert catalog_districts(world.guardian) == {world.district.pk}
    assert catalog_districts(world.mentor) == {world.district.pk}
    assert catalog_districts(world.analyst) == set()
    # The demo's templates are every curator's too; this world's catalog is what the test is about.
    own_catalog = demo.added(Opportunity)
    assert list(visible_opportunities(world.other_teacher).filter(pk__in=own_catalog)) == []
    world.internship.shared_as_template = True
    world.internship.save()
    assert list(visible_opportunities(world.other_teacher).filter(pk__in=own_catalog)) == [world.internship]
    assert can(world.other_teacher, Action.COPY_OPPORTUNITY, world.internship)
    assert not can(world.student_user, Action.COPY_OPPORTUNITY, world.internship)
    assert not visible_opportunities(world.analyst).exists()


def test_opportunities_are_edited_by_their_author_or_the_district_administrators(world: World) -> None:
    authored = services.opportunity_save(
        district=world.district,
        fields=services.OpportunityFields(
            title="Teacher's project", kind="project", provider=world.provider, location="on_campus"
        ),
        actor=world.teacher,
    )
    colleague = UserFactory(district=world.district)
    RoleFactory(user=colleague, role=Role.TEACHER, organization=world.school)
    assert can(world.teacher, Action.EDIT_OPPORTUNITY, authored)
    assert can(world.admin, Action.EDIT_OPPORTUNITY, authored)
    assert not can(colleague, Action.EDIT_OPPORTUNITY, authored)
    assert not can(world.teacher, Action.EDIT_OPPORTUNITY, world.internship)
    assert can(colleague, Action.CURATE_CATALOG)
    assert not can(world.advisor, Action.CURATE_CATALOG)
    assert not can(world.mentor, Action.CURATE_CATALOG)
    assert list(visible_providers(world.teacher)) == [world.provider]
    assert not visible_providers(world.other_teacher).exists()
    assert not visible_providers(world.advisor).exists()
