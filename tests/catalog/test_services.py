"""Writes of the catalog: providers, opportunities and copies of templates, every bad input refused with a
clear error and nothing written; places never fewer than the paths that hold them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.pathways.conftest import (
    World,
    enrolled_student,
    nothing_written_by,
    opportunity,
    propose,
    publish_profile,
)
from waypoint.catalog import services
from waypoint.catalog.services import CatalogError
from waypoint.pathways import services as path_services
from waypoint.policy import today

pytestmark = pytest.mark.django_db


@contextmanager
def nothing_written(match: str | None = None) -> Iterator[pytest.ExceptionInfo[CatalogError]]:
    """The block raises CatalogError (whose message matches) and writes nothing (`nothing_written_by`)."""
    with nothing_written_by(CatalogError, match) as refused:
        yield refused


def test_bad_opportunities_are_refused(world: World) -> None:
    foreign = services.provider_save(
        district=world.other_district, fields=services.ProviderFields(name="Elsewhere", kind="employer")
    )
    cases: list[tuple[dict[str, object], str]] = [
        (
            {"starts_on": today(), "ends_on": today() - datetime.timedelta(days=1)},
            "ends on .* before it starts",
        ),
        ({"min_grade": 12, "max_grade": 9}, "lowest grade is above"),
        ({"capacity": 0}, "at least 1"),
        ({"career_cluster": "astronaut"}, "16 career clusters"),
        ({"provider": foreign}, "another district"),
        ({"title": " "}, "title is required"),
        ({"mentor": world.other_teacher}, "not an external mentor or teacher"),
    ]
    for values, problem in cases:
        provider = values.pop("provider", world.provider)
        with nothing_written(problem):
            opportunity(world.district, provider, **values)  # type: ignore[arg-type]


def test_capacity_cannot_drop_below_the_places_taken(world: World) -> None:
    for student in (world.student, enrolled_student(world, 11)):
        path_services.path_approve(context=world.context(world.advisor), path=propose(world, student))
    fields = services.OpportunityFields(
        title="Machining internship",
        kind="internship",
        provider=world.provider,
        location="community",
        capacity=1,
    )
    with nothing_written("2 students already hold places"):
        services.opportunity_save(
            district=world.district, fields=fields, actor=None, opportunity=world.internship
        )


def test_providers_have_unique_names_and_real_mentors(world: World) -> None:
    with nothing_written("already has a provider"):
        services.provider_save(
            district=world.district, fields=services.ProviderFields(name="acme machining", kind="employer")
        )
    with nothing_written("not an email"):
        services.provider_save(
            district=world.district,
            fields=services.ProviderFields(name="New", kind="college", contact_email="nobody"),
        )
    with nothing_written("not an external mentor"):
        services.provider_save(
            district=world.district,
            fields=services.ProviderFields(name="New", kind="college", mentor=world.guardian),
        )


def test_copying_a_template_keeps_the_competencies_the_district_can_use(world: World) -> None:
    template = opportunity(
        world.other_district,
        services.provider_save(
            district=world.other_district, fields=services.ProviderFields(name="Lake Works", kind="employer")
        ),
        title="Shared internship",
        shared_as_template=True,
        competencies=publish_profile(world.other_district, ["LK.1"]),
    )
    copy, dropped = services.opportunity_copy(
        template=template, district=world.district, provider=world.provider, actor=world.admin
    )
    assert copy.district == world.district
    assert copy.copied_from == template
    assert not copy.shared_as_template
    assert dropped == 1
    assert not copy.competencies.exists()
    private = opportunity(world.other_district, template.provider, title="Private")
    with nothing_written("shared as a best practice"):
        services.opportunity_copy(
            template=private, district=world.district, provider=world.provider, actor=world.admin
        )
    with nothing_written("add to its catalog"):
        services.opportunity_copy(
            template=template, district=world.district, provider=world.provider, actor=world.mentor
        )
