"""The records part of the demo, as the session's demo holds it: rule sets in force for every high-school
cohort, a senior one competency short of the diploma whose last competency `teacher` can score, a graduate
with a diploma, an issued transcript, a CLR credential and a public portfolio link, Senior Demonstration
Projects held and scheduled, and one transfer each way between the two districts."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import Demo
from waypoint import policy
from waypoint.core.models import Role, RoleAssignment, Student, User
from waypoint.evidence.models import EvidenceStatus, Feedback, Score
from waypoint.notifications.models import Notification
from waypoint.policy import Action
from waypoint.records.demo import HILLCREST_ADMIN, TRIGONOMETRY, TRIGONOMETRY_TASK
from waypoint.records.models import (
    Diploma,
    Exhibition,
    ExhibitionKind,
    ExhibitionOutcome,
    ExhibitionStatus,
    GraduationRuleSet,
    IssuedCredential,
    IssuedTranscript,
    PanelRole,
    PortfolioLink,
    RequirementKind,
    RuleSetStatus,
    TransferRequest,
    TransferStatus,
)
from waypoint.records.selectors.graduation import diploma_check

pytestmark = pytest.mark.django_db


def _student(username: str) -> Student:
    return Student.objects.select_related("user").get(user__username=username)


def test_the_seniors_diploma_is_in_force_and_later_classes_have_drafts(demo: Demo) -> None:
    senior_cohort = _student("senior").cohort_year
    for district in (demo.riverside, demo.hillcrest):
        rule_sets = GraduationRuleSet.objects.filter(district=district)
        # Past classes (the insights demo's graduation cohorts) have rule sets of their own in force; of the
        # classes in school today, only the seniors' is.
        in_force = rule_sets.get(status=RuleSetStatus.PUBLISHED, cohort_year__gte=senior_cohort)
        assert in_force.cohort_year == senior_cohort
        assert rule_sets.filter(status=RuleSetStatus.DRAFT).count() == 3
        kinds = set(in_force.requirements.values_list("kind", flat=True))
        assert kinds == set(RequirementKind.values)
        assert not in_force.requirements.filter(credits__isnull=True).exists()


def test_the_senior_is_one_competency_short_and_teacher_can_score_it(demo: Demo) -> None:
    senior = _student("senior")
    check = diploma_check(student=senior)
    unmet = [r for r in check.requirements if not r.met]
    assert check.total == 4
    assert [r.kind for r in unmet] == [RequirementKind.COMPETENCY]
    assert TRIGONOMETRY in unmet[0].remaining
    waiting = senior.evidence.get(assessment__title=TRIGONOMETRY_TASK)
    assert waiting.status == EvidenceStatus.AWAITING_SCORE
    teacher = demo.users["teacher"]
    assert policy.current_certification(teacher) is not None
    assert policy.can(teacher, Action.JUDGE_EVIDENCE, waiting)
    assert not senior.user.has_usable_password()  # type: ignore[union-attr]


def test_the_graduate_holds_a_diploma_transcript_credential_and_public_link(demo: Demo) -> None:
    graduate = _student("graduate")
    assert diploma_check(student=graduate).eligible
    diploma = Diploma.objects.get(student=graduate)
    assert diploma.standing
    assert diploma.awarded_by == demo.users["district-admin"]
    transcript = IssuedTranscript.objects.get(student=graduate)
    pdf = bytes(transcript.pdf)
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == transcript.sha256
    clr = IssuedCredential.objects.get(student=graduate, part_of__isnull=True)
    assert clr.kind == "clr"
    assert clr.token.count(".") == 2
    assert clr.parts.filter(kind="diploma").exists()
    link = PortfolioLink.objects.get(collection__student=graduate)
    assert link.revoked_at is None
    assert link.collection.shown_on_transcript


def test_senior_projects_held_with_a_panel_and_one_scheduled(demo: Demo) -> None:
    projects = Exhibition.objects.filter(kind=ExhibitionKind.SENIOR_PROJECT, district=demo.riverside)
    held = projects.filter(status=ExhibitionStatus.HELD, outcome=ExhibitionOutcome.PASSED)
    assert held.count() == 2
    assert projects.filter(status=ExhibitionStatus.SCHEDULED).count() == 1
    project = held.get(student__user__username="graduate")
    roles = set(project.panel.values_list("role", flat=True))
    assert roles == {PanelRole.STAFF, PanelRole.GUARDIAN, PanelRole.EXPERT}
    # The certified teacher's judgement set levels; the community expert's is feedback only.
    assert Score.objects.counted().filter(evidence=project.evidence, scored_by=demo.users["teacher"]).exists()
    assert Feedback.objects.filter(evidence=project.evidence).exists()


def test_one_transfer_each_way(demo: Demo) -> None:
    released = TransferRequest.objects.get(from_district=demo.riverside, to_district=demo.hillcrest)
    assert released.status == TransferStatus.RELEASED
    assert released.package
    assert released.student.evidence.exists()
    waiting = TransferRequest.objects.get(from_district=demo.hillcrest, to_district=demo.riverside)
    assert waiting.status == TransferStatus.REQUESTED
    assert waiting.requested_by == demo.users["district-admin"]
    admin = User.objects.get(username=HILLCREST_ADMIN)
    assert not admin.has_usable_password()
    assert RoleAssignment.objects.filter(
        user=admin, role=Role.DISTRICT_ADMIN, district=demo.hillcrest
    ).exists()
    assert policy.can(admin, Action.RELEASE_TRANSFER, waiting)


def test_the_demo_sends_no_mail(demo: Demo) -> None:
    demo_rows = Notification.objects.filter(
        pk__lte=demo.newest_ids[Notification], kind__startswith="records."
    )
    assert demo_rows.exists()
    assert not demo_rows.filter(emailed_at__isnull=True).exists()
