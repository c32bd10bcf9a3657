"""The demo shows subject mastery: every class works through its subject's units, scored by certified
teachers over the autumn, so gradebooks, Jordan's progress, the inboxes and knowledge tracing have something
real to show, in both districts. The session's demo is at the tests' scale (tests/conftest.py); knowledge
tracing needs 50 students in a district to fit, so its estimates are checked on the full demo that
tests/core/test_demo.py loads anyway. Nothing here depends on the date: the demo is built from today."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.demo import SUBJECTS
from waypoint.core.models import Section, SectionTeacher
from waypoint.evidence.models import Evidence, EvidenceKind, EvidenceStatus, Feedback, Score, ScoreSource
from waypoint.frameworks.models import FrameworkKind
from waypoint.mastery import selectors
from waypoint.mastery.models import MasteryLevel
from waypoint.pathways.models import PathEvent, PathStatus

pytestmark = pytest.mark.django_db


def _jordans_math_class(demo: Demo) -> Section:
    return Section.objects.get(
        subject="Mathematics", roster__student=demo.student, teachers=demo.users["teacher"]
    )


def test_a_math_classs_gradebook_shows_mathematics_levels_for_most_students(demo: Demo) -> None:
    section = _jordans_math_class(demo)
    book = selectors.gradebook(context=RequestContext(user=demo.users["teacher"]), section_id=section.pk)
    mathematics = [
        index
        for index, competency in enumerate(book.competencies)
        if competency.version.framework.kind == FrameworkKind.CONTENT
        and "Mathematics" in competency.version.framework.subjects
    ]
    assert len(mathematics) >= 4
    # The class's subject, not the levels its students hold from their English or science classes.
    other_subjects = [
        competency.human_code
        for competency in book.competencies
        if competency.version.framework.kind == FrameworkKind.CONTENT
        and "Mathematics" not in competency.version.framework.subjects
    ]
    assert other_subjects == []
    with_levels = [
        student
        for student, row in book.rows
        if any((cell := row[index]) is not None and cell.level is not None for index in mathematics)
    ]
    assert len(with_levels) >= 0.8 * len(book.rows) > 0
    client = Client()
    client.force_login(demo.users["teacher"])
    page = client.get(f"/sections/{section.pk}/gradebook/").content.decode()
    assert "MATH." in page


def test_jordans_progress_spans_four_subjects_with_a_history(demo: Demo) -> None:
    mastery = selectors.student_mastery(
        context=RequestContext(user=demo.users["student"]), student_id=demo.student.pk
    )
    subjects = {
        subject
        for row in mastery.levels
        if row.level.level is not None
        for subject in row.competency.version.framework.subjects
    }
    assert set(SUBJECTS) <= subjects
    # The chart has a time series: levels that changed on several days.
    assert any(len({point.date for point in row.history}) >= 3 for row in mastery.levels)
    assert sum(len({point.date for point in row.history}) >= 2 for row in mastery.levels) >= 8
    # Judgements that did not count are shown apart, as feedback.
    assert mastery.feedback_only
    work = Evidence.objects.filter(student=demo.student)
    assert Feedback.objects.filter(evidence__in=work, requests_revision=False).exists()
    assert work.filter(status=EvidenceStatus.REVISION_REQUESTED).count() == 1
    assert work.filter(
        status=EvidenceStatus.AWAITING_SCORE, assessment__section__subject="Mathematics"
    ).exists()
    client = Client()
    client.force_login(demo.users["student"])
    assert client.get(f"/students/{demo.student.pk}/mastery/").status_code == 200


def test_every_piece_of_demo_evidence_names_a_competency() -> None:
    assert Evidence.objects.exists()
    assert not Evidence.objects.filter(competencies__isnull=True).exists()


def test_every_teacher_has_work_waiting_in_each_class_and_some_resubmitted(demo: Demo) -> None:
    waiting = Evidence.objects.filter(status=EvidenceStatus.AWAITING_SCORE)
    for assignment in SectionTeacher.objects.select_related("section", "teacher"):
        assert waiting.filter(assessment__section=assignment.section).exists(), assignment
    resubmitted = waiting.filter(revision_of__status=EvidenceStatus.REVISED)
    assert resubmitted.filter(assessment__section__teachers=demo.users["teacher"]).exists()
    assert resubmitted.filter(assessment__section__teachers=demo.users["other-teacher"]).exists()


def test_levels_come_only_from_certified_scores_over_the_autumn(demo: Demo) -> None:
    counted = Score.objects.filter(counts_toward_mastery=True)
    assert not counted.exclude(source=ScoreSource.CERTIFIED_TEACHER).exists()
    assert not counted.filter(certification__isnull=True).exists()
    days = {moment.date() for moment in counted.values_list("scored_at", flat=True)}
    assert len(days) >= 6


def test_hillcrest_has_the_same_kinds_of_evidence_scores_and_levels(demo: Demo) -> None:
    hillcrest = demo.hillcrest
    evidence = Evidence.objects.filter(district=hillcrest)
    assert evidence.filter(status=EvidenceStatus.SCORED).exists()
    assert evidence.filter(status=EvidenceStatus.AWAITING_SCORE).exists()
    assert evidence.filter(revision_of__isnull=False).exists()
    assert Score.objects.filter(district=hillcrest, counts_toward_mastery=True).exists()
    subjects = {
        subject
        for listed in MasteryLevel.objects.filter(district=hillcrest, level__isnull=False).values_list(
            "competency__version__framework__subjects", flat=True
        )
        for subject in listed
    }
    assert subjects >= set(SUBJECTS)
    section = Section.objects.filter(subject="Mathematics", teachers=demo.users["other-teacher"]).first()
    assert section is not None
    book = selectors.gradebook(
        context=RequestContext(user=demo.users["other-teacher"]), section_id=section.pk
    )
    assert any(cell is not None and cell.level is not None for _, row in book.rows for cell in row)


def test_students_with_an_account_record_their_own_work_and_proposals(demo: Demo) -> None:
    """Jordan hands in his own work and proposes his own paths: the record says so, not his teacher."""
    jordan = demo.student
    handed_in = Evidence.objects.filter(student=jordan, kind=EvidenceKind.SUBMISSION, path__isnull=True)
    assert handed_in.exists()
    assert not handed_in.exclude(recorded_by=jordan.user).exists()
    proposed = PathEvent.objects.filter(path__student=jordan, to_status=PathStatus.PROPOSED)
    assert proposed.exists()
    assert not proposed.exclude(actor=jordan.user).exists()
