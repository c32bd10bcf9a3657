"""The inbox read on a phone (each row a labelled card, nothing repeated), who put a version in (a teacher who
recorded a student's work is named as its recorder, never as the student), and a new version offered outright
only when a teacher asked for one."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tests.evidence.conftest import Scene
from tests.evidence.test_pages import client_for, page_text, submit
from waypoint.evidence.models import Evidence


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# Older than anything else waiting, so the piece is on the inbox's first page.
LONG_AGO = timezone.now() - datetime.timedelta(days=3650)


def inbox_row(page: str, evidence: Evidence) -> str:
    rows = re.findall(r'<tr class="inbox-row">.*?</tr>', page)
    return next(row for row in rows if f'href="/evidence/{evidence.pk}/score/"' in row)


def test_each_inbox_row_is_a_labelled_card_with_the_student_and_the_score_button(scene: Scene) -> None:
    evidence = submit(scene, title=scene.assessment.title)
    Evidence.objects.filter(pk=evidence.pk).update(submitted_at=LONG_AGO)
    page = page_text(client_for(scene, "teacher").get("/evidence/inbox/"))
    row = inbox_row(page, evidence)
    # Every cell but the work (the card's heading) and the button is named for the card layout.
    assert 'data-label="Submitted"' in row
    assert f'data-label="Student"><a href="/students/{scene.student.pk}/evidence/">' in row
    assert 'data-label="Competencies"' in row
    assert 'class="inbox-action"><a class="button"' in row
    # The assessment's title is not repeated under a work of the same title.
    assert row.count(scene.assessment.title) == 2  # the link text and the Score button's hidden words
    assert "scrolls sideways" not in page
    css = (Path(django_settings.PACKAGE_DIR) / "static" / "waypoint" / "app.css").read_text()
    phone = css[css.index("/* == evidence inbox, scoring and path page polish == */") :]
    assert "@media (max-width: 640px)" in phone
    assert ".inbox-table td[data-label]::before" in phone
    assert ".inbox-table table, .inbox-table tbody { display: block; min-width: 0; }" in phone


def test_an_inbox_row_names_an_assessment_with_another_title(scene: Scene) -> None:
    evidence = submit(scene, title="My own title")
    Evidence.objects.filter(pk=evidence.pk).update(submitted_at=LONG_AGO)
    row = inbox_row(page_text(client_for(scene, "teacher").get("/evidence/inbox/")), evidence)
    assert f'<span class="muted inbox-assessment">{scene.assessment.title}</span>' in row


def test_work_a_teacher_recorded_says_who_recorded_it(scene: Scene) -> None:
    teacher = scene.users["teacher"]
    recorded = submit(scene, title="Recorded for the student")
    Evidence.objects.filter(pk=recorded.pk).update(recorded_by=teacher)
    own = submit(scene, title="Submitted by the student")
    client = client_for(scene, "teacher")
    for url in (f"/evidence/{recorded.pk}/score/", f"/evidence/{recorded.pk}/"):
        page = page_text(client.get(url))
        assert re.search(rf"Recorded <time datetime=\"[^\"]+\">[^<]+</time> by {teacher.display_name}", page)
        assert re.search(r"Submitted <time datetime=", page) is None
    for url in (f"/evidence/{own.pk}/score/", f"/evidence/{own.pk}/"):
        page = page_text(client.get(url))
        name = scene.student.full_name
        assert re.search(rf"Submitted <time datetime=\"[^\"]+\">[^<]+</time> by {name}", page)
        assert "Recorded <time" not in page


def test_a_new_version_is_asked_for_only_after_a_revision_request(scene: Scene) -> None:
    evidence = submit(scene)
    student = client_for(scene, "student")
    waiting = page_text(student.get(f"/evidence/{evidence.pk}/"))
    # Just sent: the form stays folded away (the service would still take a corrected version).
    assert '<h2 id="revise-heading">' not in waiting
    assert '<details class="panel form-page revise-later">' in waiting
    assert "Need to fix something before it is scored? Send a corrected version" in waiting

    client_for(scene, "teacher").post(
        f"/evidence/{evidence.pk}/feedback/",
        {"feedback-body": "Add a source.", "feedback-requests_revision": "on"},
    )
    asked = page_text(student.get(f"/evidence/{evidence.pk}/"))
    assert '<h2 id="revise-heading">Submit a new version</h2>' in asked
    assert "revise-later" not in asked

    student.post(f"/evidence/{evidence.pk}/revise/", {"revise-body": "With the source."})
    revision = Evidence.objects.get(revision_of=evidence)
    sent = page_text(student.get(f"/evidence/{revision.pk}/"))
    assert '<h2 id="revise-heading">' not in sent
    assert "revise-later" in sent
    # A failed try keeps the form open with its problems.
    refused = page_text(student.post(f"/evidence/{revision.pk}/revise/", {"revise-body": ""}))
    assert '<h2 id="revise-heading">Submit a new version</h2>' in refused
