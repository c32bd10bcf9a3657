"""Knowledge tracing from practice attempts: fitted per competency, stored per student, flagged when thin,
and never written into a mastery level."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from tests.conftest import Demo
from tests.factories import StudentFactory
from tests.mastery.conftest import Tree
from waypoint.mastery import bkt
from waypoint.mastery.knowledge import knowledge_refresh
from waypoint.mastery.models import KnowledgeEstimate, KnowledgeModel, MasteryLevel, PracticeAttempt


def practise(tree: Tree, students: int, attempts: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    learners = [StudentFactory(district=tree.district) for _ in range(students)]
    start = timezone.now() - datetime.timedelta(days=30)
    rows = []
    for learner in learners:
        known = False
        for step in range(attempts):
            known = known or rng.random() < 0.2
            rows.append(
                PracticeAttempt(
                    district=tree.district,
                    student=learner,
                    competency=tree.indicators[0],
                    correct=rng.random() < (0.9 if known else 0.2),
                    attempted_at=start + datetime.timedelta(hours=step),
                )
            )
    PracticeAttempt.objects.bulk_create(rows)


def test_a_fit_with_enough_evidence_is_stored_and_trusted(tree: Tree) -> None:
    practise(tree, students=60, attempts=16)
    summary = knowledge_refresh(district=tree.district)
    assert (summary.competencies, summary.students, summary.attempts) == (1, 60, 960)
    model = KnowledgeModel.objects.get(district=tree.district, competency=tree.indicators[0])
    assert model.evidence_sufficient
    assert (model.students, model.attempts) == (60, 960)
    for value in (model.prior, model.learn, model.guess, model.slip):
        assert 0 <= value <= 1
    estimates = KnowledgeEstimate.objects.filter(district=tree.district)
    assert estimates.count() == 60
    assert all(e.evidence_sufficient and 0 <= e.probability_mastered <= 1 for e in estimates)
    # Never a mastery level: knowledge tracing writes only its own tables.
    assert not MasteryLevel.objects.filter(district=tree.district).exists()


def test_thin_data_is_flagged_and_a_refit_replaces_the_last(tree: Tree) -> None:
    practise(tree, students=8, attempts=bkt.MIN_STUDENT_ATTEMPTS + 1)
    knowledge_refresh(district=tree.district)
    model = KnowledgeModel.objects.get(district=tree.district)
    assert model.students == 8
    assert not model.evidence_sufficient
    assert not KnowledgeEstimate.objects.filter(district=tree.district, evidence_sufficient=True).exists()
    knowledge_refresh(district=tree.district)
    assert KnowledgeModel.objects.filter(district=tree.district).count() == 1
    assert KnowledgeEstimate.objects.filter(district=tree.district).count() == 8


def test_no_practice_means_no_estimates(tree: Tree, demo: Demo) -> None:
    summary = knowledge_refresh(district=tree.district)
    assert summary.attempts == 0
    assert not demo.added(KnowledgeModel).exists()
