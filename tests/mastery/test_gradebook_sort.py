"""The gradebooks: the teacher's list and navigation link, the section gradebook sorted on the server by
student (name, overall level) and by competency (code, most students below mastery) with aria-sort, each
cell's popover of the evidence behind it, and a query count that does not grow with the class."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from tests.mastery.test_gradebook_queries import build_class
from waypoint.core.models import Section, Student, User
from waypoint.evidence.models import Score
from waypoint.mastery.models import MasteryLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _page(teacher: User, section: Section, query: str = "") -> str:
    client = Client()
    client.force_login(teacher)
    response = client.get(f"/sections/{section.pk}/gradebook/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _row_names(page: str) -> list[str]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return re.findall(r'<th scope="row"><a href="/students/\d+/mastery/">([^<]+)</a></th>', body)


def _column_codes(page: str) -> list[str]:
    head = page[page.index("<thead>") : page.index("</thead>")]
    return re.findall(r"<abbr title=\"[^\"]*\">([^<]+)</abbr>", head)


def _overall(section: Section) -> dict[str, float]:
    """Each student's mean level in the section's gradebook, by name."""
    levels: dict[str, list[float]] = {}
    for row in MasteryLevel.objects.filter(
        student__section_enrollments__section=section, rolled_up=False
    ).select_related("student"):
        if row.level is not None:
            levels.setdefault(row.student.full_name, []).append(row.level)
    return {name: sum(values) / len(values) for name, values in levels.items()}


def test_rows_sort_by_name_and_by_overall_level_both_ways_with_aria_sort() -> None:
    teacher, section = build_class(students=6, competencies=3)
    by_name = _row_names(_page(teacher, section))
    roster = Student.objects.filter(section_enrollments__section=section).order_by(
        "last_name", "first_name", "id"
    )
    assert by_name == [student.full_name for student in roster]
    name_desc = _page(teacher, section, "?sort=name&dir=desc")
    assert _row_names(name_desc) == list(reversed(by_name))
    assert 'aria-sort="descending"' in name_desc

    overall = _overall(section)
    level_asc = _page(teacher, section, "?sort=level&dir=asc")
    ascending = [overall[name] for name in _row_names(level_asc)]
    assert ascending == sorted(ascending)
    level_desc = _page(teacher, section, "?sort=level&dir=desc")
    descending = [overall[name] for name in _row_names(level_desc)]
    assert descending == sorted(descending, reverse=True)
    assert descending != ascending
    # The sorted column announces its order; the other one offers to sort (no aria-sort).
    head = level_desc[level_desc.index("<thead>") : level_desc.index("</thead>")]
    assert head.count("aria-sort=") == 1
    assert re.search(r'<th scope="col" class="gradebook-overall" aria-sort="descending">', head)
    # The next click on the sorted column turns the order around.
    assert "?sort=level&amp;dir=asc&amp;columns=code" in head


def test_columns_sort_by_code_or_by_most_students_below_mastery() -> None:
    teacher, section = build_class(students=5, competencies=4)
    by_code = _column_codes(_page(teacher, section))
    assert by_code == ["G.1", "G.2", "G.3", "G.4"]
    below = {
        code: MasteryLevel.objects.filter(
            student__section_enrollments__section=section,
            competency__human_code=code,
            meets_mastery=False,
            level__isnull=False,
        ).count()
        for code in by_code
    }
    page = _page(teacher, section, "?columns=below")
    ordered = _column_codes(page)
    assert [below[code] for code in ordered] == sorted(below.values(), reverse=True)
    assert set(ordered) == set(by_code)
    assert 'aria-current="true">Most students below mastery<' in page
    # The footer counts them per column, in the column order.
    foot = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert re.findall(r'<td class="num">(\d+)</td>', foot) == [str(below[code]) for code in ordered]


def test_unknown_sort_values_fall_back_to_the_default() -> None:
    teacher, section = build_class(students=3, competencies=2)
    assert _row_names(_page(teacher, section, "?sort=evil&dir=sideways&columns=%00")) == _row_names(
        _page(teacher, section)
    )


def test_each_cell_has_a_popover_with_the_evidence_behind_it() -> None:
    teacher, section = build_class(students=2, competencies=2)
    page = _page(teacher, section)
    level = MasteryLevel.objects.filter(student__section_enrollments__section=section).first()
    assert level is not None
    popover_id = f"cell-{level.student_id}-{level.competency_id}"
    assert f'popovertarget="{popover_id}"' in page
    start = page.index(f'<div popover id="{popover_id}"')
    popover = page[start : page.index("</div>", start)]
    score = Score.objects.select_related("evidence", "scored_by").get(pk=level.score_ids[-1])
    assert score.evidence.title in popover
    assert f'href="/evidence/{score.evidence_id}/"' in popover
    assert score.scored_by.get_full_name() in popover
    assert f"scored {score.value:g} on" in popover
    assert 'popovertargetaction="hide"' in popover
    # No inline script or style anywhere: the popover works from the HTML attribute alone.
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*(src=|application/json))", page)


def test_the_gradebook_query_count_does_not_grow_with_the_class(
    django_assert_max_num_queries: Any,
) -> None:
    teacher, section = build_class(students=8, competencies=5)
    client = Client()
    client.force_login(teacher)
    with django_assert_max_num_queries(30):
        response = client.get(f"/sections/{section.pk}/gradebook/?sort=level&dir=desc&columns=below")
    assert response.status_code == 200


def test_the_teacher_finds_their_gradebooks_in_the_navigation(
    demo: Demo, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(demo.users["teacher"])
    with django_assert_max_num_queries(30):
        response = client.get("/gradebooks/")
    page = response.content.decode()
    assert response.status_code == 200
    taught = Section.objects.filter(teachers=demo.users["teacher"])
    assert taught.exists()
    for section in taught:
        assert f'href="/sections/{section.pk}/gradebook/"' in page
    assert 'href="/gradebooks/"' in page  # the navigation link
    student = Client()
    student.force_login(demo.users["student"])
    assert 'href="/gradebooks/"' not in student.get("/").content.decode()
    assert student.get("/gradebooks/").status_code == 403
