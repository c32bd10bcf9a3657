"""The evidence inbox narrowed by section, subject and assessment: the choices with how much waits under
each, filters that combine, an empty state per filter, and a number of queries that does not grow with the
number of pieces waiting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.evidence.conftest import Scene
from waypoint.core.models import Section
from waypoint.evidence.models import Evidence
from waypoint.evidence.selectors import InboxFilter, evidence_inbox
from waypoint.evidence.services import evidence_submit
from waypoint.frameworks.models import Competency, FrameworkKind, VersionStatus


def leaf(subject: str) -> Competency:
    """A published leaf of the state's content framework of a subject (both demo districts use them)."""
    found = (
        Competency.objects.filter(
            version__framework__kind=FrameworkKind.CONTENT,
            version__framework__title__startswith=subject,
            version__status=VersionStatus.PUBLISHED,
            children__isnull=True,
        )
        .order_by("path")
        .first()
    )
    assert found is not None, subject
    return found


def work(scene: Scene, title: str, competency: Competency, **extra: Any) -> Evidence:
    return evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title=title,
        body="What I did.",
        competency_ids=[competency.pk],
        **extra,
    )


@pytest.fixture
def math_section(scene: Scene) -> Section:
    section = Section.objects.get(teachers=scene.users["teacher"], roster__student=scene.student)
    assert section.subject == "Mathematics"
    return section


def ids(found: Any) -> set[int]:
    return {item.pk for item in found.page.items}


def test_a_section_holds_its_subjects_work_and_leaves_other_subjects_out(
    scene: Scene, math_section: Section
) -> None:
    algebra = work(scene, "Slopes of stairs", leaf("Mathematics"))
    lab = work(scene, "Plant growth lab", leaf("Science"))
    context = scene.context("teacher")
    everything = evidence_inbox(context=context, page_size=1000)
    assert {algebra.pk, lab.pk} <= ids(everything)
    in_math = evidence_inbox(context=context, page_size=1000, chosen=InboxFilter(section_id=math_section.pk))
    assert algebra.pk in ids(in_math)
    assert lab.pk not in ids(in_math)
    option = next(o for o in in_math.sections if o.value == str(math_section.pk))
    assert option.chosen
    assert option.waiting == in_math.page.count
    science = evidence_inbox(context=context, page_size=1000, chosen=InboxFilter(subject="Science"))
    assert lab.pk in ids(science)
    assert algebra.pk not in ids(science)
    assert next(o for o in everything.subjects if o.value == "Science").waiting == science.page.count


def test_filters_combine_and_counts_follow_the_other_filters(scene: Scene, math_section: Section) -> None:
    answer = work(scene, "Town hall answer", scene.competency, assessment_id=scene.assessment.pk)
    work(scene, "Slopes of stairs", leaf("Mathematics"))
    context = scene.context("teacher")
    both = evidence_inbox(
        context=context,
        page_size=1000,
        chosen=InboxFilter(section_id=math_section.pk, assessment_id=scene.assessment.pk),
    )
    assert ids(both) == {answer.pk}
    # Under this assessment, the section option counts only this assessment's work.
    assert next(o for o in both.sections if o.value == str(math_section.pk)).waiting == 1
    assert next(o for o in both.assessments if o.value == str(scene.assessment.pk)).waiting == 1
    assert both.filtered


def test_a_value_the_reader_may_not_use_is_ignored(scene: Scene) -> None:
    foreign = Section.objects.exclude(district=scene.district).order_by("pk").first()
    assert foreign is not None
    inbox = evidence_inbox(
        context=scene.context("teacher"), chosen=InboxFilter(section_id=foreign.pk, subject="Nope")
    )
    assert inbox.section is None
    assert inbox.subject == ""
    assert all(o.value != str(foreign.pk) for o in inbox.sections)


def test_the_page_offers_the_filters_and_says_when_a_filter_finds_nothing(
    scene: Scene, math_section: Section
) -> None:
    work(scene, "Slopes of stairs", leaf("Mathematics"))
    work(scene, "Plant growth lab", leaf("Science"))
    client = Client()
    client.force_login(scene.users["teacher"])
    page = client.get(reverse("evidence-inbox"), {"section": math_section.pk})
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("section", "subject", "assessment"):
        assert f'name="{name}"' in html
    assert f'value="{math_section.pk}" selected' in html
    assert "waiting)" in html
    empty = client.get(reverse("evidence-inbox"), {"section": str(math_section.pk), "subject": "Science"})
    text = empty.content.decode()
    # Nothing in science is filed under a mathematics class, and the page says so and offers the rest.
    assert f"Nothing from {math_section.title} in Science is waiting to be scored." in text
    assert "See everything waiting" in text


def test_the_inbox_queries_do_not_grow_with_the_pieces_waiting(
    scene: Scene, math_section: Section, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(scene.users["teacher"])
    url = reverse("evidence-inbox")
    query = {"section": str(math_section.pk), "subject": "Mathematics"}
    work(scene, "First", leaf("Mathematics"))
    with django_assert_max_num_queries(30):
        assert client.get(url, query).status_code == 200
    for number in range(8):
        work(scene, f"More work {number}", leaf("Mathematics"))
    with django_assert_max_num_queries(30):
        assert client.get(url, query).status_code == 200
