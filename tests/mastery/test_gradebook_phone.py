"""On a phone the gradebook's title wraps above its scrolling region instead of being cut off inside it, and
the sort controls sit in the table's header row, inside the region the reader scrolls."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Demo
from waypoint.core.models import Section

pytestmark = pytest.mark.django_db


def test_the_gradebook_title_sits_above_the_scrolling_region(demo: Demo) -> None:
    section = Section.objects.filter(teachers__username="teacher", roster__student=demo.student).first()
    assert section is not None
    client = Client()
    client.force_login(demo.users["teacher"])
    html = client.get(f"/sections/{section.pk}/gradebook/").content.decode()
    title = html.index('id="gradebook-caption"')
    region = html.index('class="table-wrap contained gradebook-wrap"')
    assert title < region
    assert html[title : html.index("</p>", title)].count(f"Mastery levels in {section.title}") == 1
    assert 'aria-labelledby="gradebook-caption"' in html[region : region + 200]
    table = html[region : html.index("</table>", region)]
    # The table keeps its caption for screen readers; the visible title is the one that wraps.
    assert '<caption class="visually-hidden">' in table
    assert table.count('class="sort-link"') >= 2
