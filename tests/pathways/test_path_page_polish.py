"""The path page says who decided what from the path's history (the approval's note, person and day, not a
later step's), names the student for a proposal recorded without an actor, asks the approver for their
decision once, and lists the competencies of the work form as tappable rows: code in bold, statement in
normal weight."""

from __future__ import annotations

import re

from django.template.defaultfilters import date
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.pathways.conftest import World, propose
from waypoint.core.models import User
from waypoint.pathways.models import PathEvent, PathProposal, PathStatus


def page_of(user: User, path: PathProposal) -> str:
    client = Client()
    client.force_login(user)
    return re.sub(r"\s+", " ", client.get(reverse("path-detail", args=[path.pk])).content.decode())


def internship(demo: Demo) -> PathProposal:
    return PathProposal.objects.get(student=demo.student, status=PathStatus.ACTIVE)


def test_the_approval_shows_its_own_note_person_and_day(demo: Demo) -> None:
    path = internship(demo)
    approval = path.events.filter(to_status=PathStatus.APPROVED).select_related("actor").get()
    # The path's own decision fields were overwritten by a later step: the history has the approval's.
    PathProposal.objects.filter(pk=path.pk).update(decision_notes="Started.", decided_at=timezone.now())
    assert approval.note
    assert approval.actor is not None
    page = page_of(demo.users["student"], path)
    day = date(timezone.localtime(approval.occurred_at), "DATE_FORMAT")
    assert f"<dt>Approved by</dt><dd>{approval.actor.display_name}, <time datetime=" in page
    assert f">{day}</time></dd>" in page
    notes = page[page.index("<h3>Approval notes</h3>") :]
    assert notes.startswith(f"<h3>Approval notes</h3> <p>{approval.note}</p>")
    assert "Decided by" not in page


def test_a_proposal_without_an_actor_is_the_students_and_the_decision_is_asked_once(world: World) -> None:
    path = propose(world)
    PathEvent.objects.filter(path=path, to_status=PathStatus.PROPOSED).update(actor=None)
    page = page_of(world.advisor, path)
    assert f"Proposed by {world.student.full_name}" in page
    assert "Waypoint</li>" not in page
    assert page.count("Your decision") == 1
    assert '<h2 id="decide-heading">Decide on the proposal</h2>' in page
    assert "<h3>Approval notes</h3>" not in page


def test_the_work_form_lists_competencies_as_rows_with_the_code_in_bold(demo: Demo) -> None:
    path = internship(demo)
    competency = path.competencies.order_by("path").first()
    assert competency is not None
    page = page_of(demo.users["student"], path)
    assert '<section class="panel path-work"' in page  # as wide as the panels around it
    assert '<fieldset class="field choice-group" id="id_work-competencies_group">' in page
    statement = competency.student_statement or competency.short_statement
    assert re.search(
        rf'<label for="id_work-competencies_\d+"><input type="checkbox" name="work-competencies" '
        rf'value="{competency.pk}"[^>]*> <span><code>{re.escape(competency.human_code)}</code> '
        rf"{re.escape(statement)}</span></label>",
        page,
    )
