"""Knowledge tracing: fit BKT per competency from a district's auto-scored practice and store each
student's P(mastered), a labelled estimate beside the teacher-determined level, never replacing it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from waypoint.core.models import Organization
from waypoint.mastery import bkt
from waypoint.mastery.models import KnowledgeEstimate, KnowledgeModel, PracticeAttempt
from waypoint.mastery.services import DIGITS


@dataclass(frozen=True)
class KnowledgeSummary:
    competencies: int
    students: int
    attempts: int


def knowledge_refresh(*, district: Organization) -> KnowledgeSummary:
    """Fit BKT per competency from the district's practice attempts and store every student's P(mastered),
    replacing the district's previous fit, in one transaction."""
    rows = list(
        PracticeAttempt.objects.filter(district=district)
        .order_by("student_id", "attempted_at", "id")
        .values_list("student_id", "competency_id", "correct")
    )
    attempts = bkt.Attempts.from_rows((str(s), str(c), int(correct)) for s, c, correct in rows)
    fitted = bkt.fit(attempts) if rows else {}
    posteriors = bkt.posterior(attempts, fitted) if rows else {}
    per_skill_students: dict[str, set[str]] = defaultdict(set)
    per_pair: dict[tuple[str, str], int] = defaultdict(int)
    for student_id, competency_id, _ in rows:
        per_skill_students[str(competency_id)].add(str(student_id))
        per_pair[(str(student_id), str(competency_id))] += 1
    now = timezone.now()
    with transaction.atomic():
        KnowledgeEstimate.objects.filter(district=district).delete()
        KnowledgeModel.objects.filter(district=district).delete()
        models = []
        for skill, params in fitted.items():
            counts = [n for (_, c), n in per_pair.items() if c == skill]
            models.append(
                KnowledgeModel(
                    district=district,
                    competency_id=int(skill),
                    prior=params.prior,
                    learn=params.learn,
                    guess=params.guess,
                    slip=params.slip,
                    students=len(per_skill_students[skill]),
                    attempts=sum(counts),
                    evidence_sufficient=bkt.evidence_sufficient(
                        len(per_skill_students[skill]), float(np.median(counts))
                    ),
                    fitted_at=now,
                )
            )
        KnowledgeModel.objects.bulk_create(models, batch_size=1000)
        sufficient_skills = {str(model.competency_id) for model in models if model.evidence_sufficient}
        KnowledgeEstimate.objects.bulk_create(
            [
                KnowledgeEstimate(
                    district=district,
                    student_id=int(student),
                    competency_id=int(skill),
                    probability_mastered=round(probability, DIGITS),
                    attempts=per_pair[(student, skill)],
                    evidence_sufficient=skill in sufficient_skills
                    and bkt.student_evidence_sufficient(per_pair[(student, skill)]),
                    computed_at=now,
                )
                for (student, skill), probability in posteriors.items()
            ],
            batch_size=1000,
        )
    return KnowledgeSummary(
        competencies=len(fitted), students=len({s for s, _ in per_pair}), attempts=len(rows)
    )
