"""The progress app's writes on top of the demo: advancement, test readiness, the inquiry rules (each firing
and not firing, never twice, closing when cleared), supports, conferences, the repository, and every bad
input refused with a clear error and nothing written."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db.models import Model
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import (
    AuditEvent,
    Organization,
    Section,
    SectionEnrollment,
    Student,
    StudentDemographics,
    StudentEnrollment,
    User,
)
from waypoint.evidence.models import Evidence, Score
from waypoint.mastery.models import MasteryLevel
from waypoint.profiles.models import GoalMilestone, MilestoneStatus, PlanGoal
from waypoint.progress import models, services
from waypoint.progress.models import (
    Advancement,
    AdvancementRule,
    Alert,
    AlertKind,
    Conference,
    ConferenceKind,
    ConferenceShare,
    InquirySettings,
    LargeScaleTest,
    NextStep,
    PacingPractice,
    SchoolSupportTask,
    Status,
    StudentProgress,
    Support,
    SupportKind,
)
from waypoint.progress.services import NextStepIn, ProgressError

pytestmark = pytest.mark.django_db

WRITTEN: list[type[Model]] = [
    Advancement,
    SectionEnrollment,
    Support,
    Conference,
    ConferenceShare,
    NextStep,
    InquirySettings,
    PacingPractice,
    models.TestReadiness,
    AuditEvent,
]


@contextmanager
def nothing_written(match: str) -> Iterator[None]:
    """The block raises ProgressError whose message matches, and no table it could write changed."""
    before = {model: model._default_manager.count() for model in WRITTEN}
    with pytest.raises(ProgressError, match=match):
        yield
    assert {model: model._default_manager.count() for model in WRITTEN} == before


def ctx(user: User) -> RequestContext:
    return RequestContext(user=user)


def today() -> datetime.date:
    return timezone.localdate()


# Advancement ----------------------------------------------------------------------------------------------


def _math(student: Student, code: str) -> Section:
    return Section.objects.get(course_code=code, roster__student=student, roster__ends_on__isnull=True)


def _next_section(section: Section) -> Section:
    return Section.objects.filter(course_code="MATH-11", school=section.school).order_by("title")[0]


def test_the_demo_rule_leaves_jordan_ready_and_a_certified_teacher_advances_him(demo: Demo) -> None:
    old = _math(demo.student, "MATH-10")
    new = _next_section(old)
    day = today() - datetime.timedelta(days=3)
    advancement = services.advancement_record(
        context=ctx(demo.users["teacher"]), student=demo.student, to_section=new, advanced_on=day
    )
    assert advancement.requirements_met
    assert not advancement.overridden
    place = SectionEnrollment.objects.get(section=old, student=demo.student)
    assert place.ends_on == day - datetime.timedelta(days=1)  # kept, ended the day before
    assert SectionEnrollment.objects.get(section=new, student=demo.student).starts_on == day
    assert all(fact["met"] for fact in advancement.facts)
    assert AuditEvent.objects.filter(object_type="advancement", object_id=str(advancement.pk)).exists()


def _unmet_rule(demo: Demo) -> tuple[Section, Section]:
    """Make Mathematics 10 require a competency Jordan has not mastered."""
    rule = AdvancementRule.objects.get(district=demo.riverside, course_code="MATH-10")
    unmet = (
        MasteryLevel.objects.filter(student=demo.student, meets_mastery=False).values_list(
            "competency_id", flat=True
        )
    )[0]
    rule.requirements.create(competency_id=unmet)
    old = _math(demo.student, "MATH-10")
    return old, _next_section(old)


def test_an_advancement_without_the_mastery_and_without_a_reason_is_refused(demo: Demo) -> None:
    _old, new = _unmet_rule(demo)
    with nothing_written("Not ready to advance"):
        services.advancement_record(
            context=ctx(demo.users["teacher"]), student=demo.student, to_section=new, advanced_on=today()
        )


def test_an_override_with_a_reason_is_recorded_and_shown(demo: Demo) -> None:
    _old, new = _unmet_rule(demo)
    advancement = services.advancement_record(
        context=ctx(demo.users["teacher"]),
        student=demo.student,
        to_section=new,
        advanced_on=today(),
        override_reason="Placement task shows the competency",
    )
    assert advancement.overridden
    assert advancement.override_reason == "Placement task shows the competency"
    assert AuditEvent.objects.filter(
        object_type="advancement", reason__contains="Placement task shows the competency"
    ).exists()


def test_an_advancement_dated_in_the_future_is_refused(demo: Demo) -> None:
    new = _next_section(_math(demo.student, "MATH-10"))
    with nothing_written("future"):
        services.advancement_record(
            context=ctx(demo.users["teacher"]),
            student=demo.student,
            to_section=new,
            advanced_on=today() + datetime.timedelta(days=1),
        )


def test_only_a_certified_teacher_of_the_student_advances(demo: Demo) -> None:
    new = _next_section(_math(demo.student, "MATH-10"))
    for username in ("teacher-uncertified", "advisor", "other-teacher", "school-admin"):
        with pytest.raises(NotPermitted):
            services.advancement_record(
                context=ctx(demo.users[username]), student=demo.student, to_section=new, advanced_on=today()
            )


def test_the_demo_advanced_a_classmate_in_the_middle_of_the_year(demo: Demo) -> None:
    advancement = Advancement.objects.get(from_section__course_code="MATH-10")
    assert advancement.advanced_on < today()
    assert advancement.requirements_met or advancement.override_reason
    assert advancement.to_section.course_code == "MATH-11"


# Tests ----------------------------------------------------------------------------------------------------


def test_a_teacher_marks_ready_and_the_coordinator_records_the_sitting(demo: Demo) -> None:
    test = LargeScaleTest.objects.get(code="ct-sat")
    readiness = services.readiness_mark(context=ctx(demo.users["teacher"]), student=demo.student, test=test)
    assert readiness.facts
    assert all("met" in fact for fact in readiness.facts)
    with nothing_written("already marked ready"):
        services.readiness_mark(context=ctx(demo.users["teacher"]), student=demo.student, test=test)
    with nothing_written("future"):
        services.sitting_record(
            context=ctx(demo.users["school-admin"]),
            readiness=readiness,
            sat_on=today() + datetime.timedelta(days=2),
            outcome="met",
        )
    with pytest.raises(NotPermitted):
        services.sitting_record(
            context=ctx(demo.users["teacher"]), readiness=readiness, sat_on=today(), outcome="met"
        )
    sitting = services.sitting_record(
        context=ctx(demo.users["school-admin"]), readiness=readiness, sat_on=today(), outcome="not_met"
    )
    readiness.refresh_from_db()
    assert readiness.status == "sat"
    assert sitting.outcome == "not_met"


# The inquiry rules ----------------------------------------------------------------------------------------


def _refresh_and_run(district: Organization) -> services.InquiryResult:
    services.progress_refresh(district_id=district.pk)
    return services.inquiry_run(district_id=district.pk)


def _open(kind: str, **filters: object) -> list[Alert]:
    return list(Alert.objects.filter(kind=kind, closed_at__isnull=True, **filters))


def test_running_the_inquiry_twice_opens_nothing_new(demo: Demo) -> None:
    _refresh_and_run(demo.riverside)
    before = Alert.objects.count()
    again = _refresh_and_run(demo.riverside)
    assert again.opened == 0
    assert again.closed == 0
    assert Alert.objects.count() == before


def test_off_track_fires_and_closes_when_the_student_catches_up(demo: Demo) -> None:
    off = StudentProgress.objects.filter(district=demo.riverside, status=Status.OFF_TRACK).first()
    assert off is not None
    assert _open(AlertKind.OFF_TRACK, student_id=off.student_id)
    # Catching up: earlier levels counted as mastered close the alert on the next run.
    from waypoint.progress.models import StudentTimeline

    StudentTimeline.objects.update_or_create(
        student_id=off.student_id, defaults={"district": demo.riverside, "prior_mastered": off.required}
    )
    result = _refresh_and_run(demo.riverside)
    assert result.closed >= 1
    assert not _open(AlertKind.OFF_TRACK, student_id=off.student_id)
    closed = Alert.objects.get(kind=AlertKind.OFF_TRACK, student_id=off.student_id)
    assert closed.closed_reason == "The condition cleared"
    # A student on track has none.
    on_track = StudentProgress.objects.filter(district=demo.riverside, status=Status.ON_TRACK).first()
    assert on_track is not None
    assert not _open(AlertKind.OFF_TRACK, student_id=on_track.student_id)


def test_no_evidence_fires_after_the_weeks_and_not_before(demo: Demo) -> None:
    student = demo.student
    Evidence.objects.filter(student=student).update(submitted_at=timezone.now() - datetime.timedelta(weeks=5))
    _refresh_and_run(demo.riverside)
    alert = _open(AlertKind.NO_EVIDENCE, student=student)
    assert (alert and "5" not in alert[0].sentence) or alert[0].facts["weeks"] == 4
    InquirySettings.objects.filter(district=demo.riverside).update(no_evidence_weeks=6)
    _refresh_and_run(demo.riverside)
    assert not _open(AlertKind.NO_EVIDENCE, student=student)
    # Nothing in the window, but the student arrived in the district within it: too soon to ask.
    Evidence.objects.filter(student=student).update(submitted_at=timezone.now() - datetime.timedelta(weeks=8))
    _refresh_and_run(demo.riverside)
    assert _open(AlertKind.NO_EVIDENCE, student=student)
    enrollments = StudentEnrollment.objects.filter(student=student, district=demo.riverside)
    enrollments.exclude(exit_date=None).delete()
    enrollments.update(entry_date=timezone.localdate() - datetime.timedelta(days=10))
    _refresh_and_run(demo.riverside)
    assert not _open(AlertKind.NO_EVIDENCE, student=student)


def test_stuck_fires_at_k_scored_attempts_below_mastery(demo: Demo) -> None:
    pair = (
        Score.objects.filter(
            district=demo.riverside,
            counts_toward_mastery=True,
            superseded=False,
            student__mastery_levels__meets_mastery=False,
        )
        .values_list("student_id", "competency_id")
        .first()
    )
    assert pair is not None
    student_id, competency_id = pair
    level = MasteryLevel.objects.get(student_id=student_id, competency_id=competency_id)
    level.meets_mastery = False
    level.save()
    attempts = Score.objects.filter(
        student_id=student_id, competency_id=competency_id, counts_toward_mastery=True, superseded=False
    ).count()
    InquirySettings.objects.filter(district=demo.riverside).update(stuck_attempts=attempts + 1)
    _refresh_and_run(demo.riverside)
    cause = f"stuck:{student_id}:{competency_id}"
    assert not Alert.objects.filter(cause=cause, closed_at__isnull=True).exists()
    InquirySettings.objects.filter(district=demo.riverside).update(stuck_attempts=attempts)
    _refresh_and_run(demo.riverside)
    alert = Alert.objects.get(cause=cause, closed_at__isnull=True)
    assert f"after {attempts} scored attempts" in alert.sentence
    level.meets_mastery = True
    level.save()
    _refresh_and_run(demo.riverside)
    assert not Alert.objects.filter(cause=cause, closed_at__isnull=True).exists()


def test_an_overdue_milestone_fires_until_it_is_done(demo: Demo) -> None:
    milestone = GoalMilestone.objects.filter(
        district=demo.riverside, target_date__lt=today(), status=MilestoneStatus.PLANNED
    ).first()
    assert milestone is not None  # the demo's overdue milestone
    cause = f"milestone:{milestone.pk}"
    assert Alert.objects.filter(cause=cause, closed_at__isnull=True).exists()
    milestone.status = MilestoneStatus.DONE
    milestone.save()
    _refresh_and_run(demo.riverside)
    assert not Alert.objects.filter(cause=cause, closed_at__isnull=True).exists()
    # A milestone not yet due never fires.
    milestone.status = MilestoneStatus.PLANNED
    milestone.target_date = today() + datetime.timedelta(days=3)
    milestone.save()
    _refresh_and_run(demo.riverside)
    assert not Alert.objects.filter(cause=cause, closed_at__isnull=True).exists()


def test_the_subgroup_rule_fires_for_the_school_admins_and_respects_the_cell_size(demo: Demo) -> None:
    alert = Alert.objects.get(
        kind=AlertKind.SUBGROUP_PACE, closed_at__isnull=True, school__slug="riverside-high"
    )
    assert alert.student is None
    assert alert.facts["students"] >= 10
    assert "Riverside High School" in alert.sentence
    task = SchoolSupportTask.objects.get(alert=alert)
    assert task.school.slug == "riverside-high"
    assert task.status == "open"
    # A threshold below every median: nothing fires, and the open alert closes.
    InquirySettings.objects.filter(district=demo.riverside).update(subgroup_min_pace=0, subgroup_margin=0.95)
    _refresh_and_run(demo.riverside)
    alert.refresh_from_db()
    assert alert.closed_at is not None
    # A threshold above every median, but a cell size larger than any school: still nothing.
    InquirySettings.objects.filter(district=demo.riverside).update(subgroup_min_pace=50, min_cell_size=1000)
    _refresh_and_run(demo.riverside)
    assert not _open(AlertKind.SUBGROUP_PACE, district=demo.riverside)


def test_the_margin_rule_compares_a_group_with_its_school(demo: Demo) -> None:
    InquirySettings.objects.filter(district=demo.riverside).update(subgroup_min_pace=0, subgroup_margin=0)
    _refresh_and_run(demo.riverside)
    groups = services.subgroup_paces(district_id=demo.riverside.pk, on=today(), min_cell_size=10)
    below = {f"subgroup:{g.school_id}:{g.group}" for g in groups if g.median < g.school_median}
    fired = set(
        Alert.objects.filter(kind=AlertKind.SUBGROUP_PACE, closed_at__isnull=True).values_list(
            "cause", flat=True
        )
    )
    assert fired == below


def test_the_hook_reruns_the_student_after_a_score_commits(
    demo: Demo, django_capture_on_commit_callbacks: object
) -> None:
    StudentProgress.objects.filter(student=demo.student).delete()
    score = Score.objects.filter(student=demo.student, counts_toward_mastery=True).first()
    assert score is not None
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        score.pk = None
        score.supersedes = None
        score.save()
    assert StudentProgress.objects.filter(student=demo.student).exists()


# Settings -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"subgroup_margin": 1.5}, "subgroup_margin must be between"),
        ({"pace_window_weeks": 0}, "pace_window_weeks must be between"),
        ({"min_cell_size": 3}, "min_cell_size must be between"),
        ({"stuck_attempts": -2}, "stuck_attempts must be between"),
        ({"requirement_kinds": []}, "at least one kind"),
        ({"no_such": 1}, "not an inquiry setting"),
    ],
)
def test_an_impossible_threshold_is_refused(demo: Demo, values: dict[str, object], match: str) -> None:
    with nothing_written(match):
        services.inquiry_settings_update(
            context=ctx(demo.users["district-admin"]), district=demo.riverside, values=values
        )


def test_a_district_admin_changes_the_thresholds(demo: Demo) -> None:
    settings = services.inquiry_settings_update(
        context=ctx(demo.users["district-admin"]), district=demo.riverside, values={"no_evidence_weeks": 6}
    )
    assert settings.no_evidence_weeks == 6
    with pytest.raises(NotPermitted):
        services.inquiry_settings_update(
            context=ctx(demo.users["school-admin"]), district=demo.riverside, values={"no_evidence_weeks": 2}
        )


# Supports -------------------------------------------------------------------------------------------------


def test_a_support_owned_by_someone_without_the_student_is_refused(demo: Demo) -> None:
    with nothing_written("does not have .* in their scope"):
        services.support_open(
            context=ctx(demo.users["advisor"]),
            student=demo.student,
            kind=SupportKind.TUTORING,
            owner=demo.users["other-teacher"],
            starts_on=today(),
            follow_up_on=today() + datetime.timedelta(days=14),
        )


def test_support_dates_and_states(demo: Demo) -> None:
    context = ctx(demo.users["advisor"])
    with nothing_written("follow-up check cannot come before"):
        services.support_open(
            context=context,
            student=demo.student,
            kind=SupportKind.TUTORING,
            owner=demo.users["advisor"],
            starts_on=today(),
            follow_up_on=today() - datetime.timedelta(days=1),
        )
    support = services.support_open(
        context=context,
        student=demo.student,
        kind=SupportKind.MENTOR,
        owner=demo.users["advisor"],
        starts_on=today(),
        follow_up_on=today(),
    )
    assert support.status == "active"
    with pytest.raises(ProgressError, match="cannot become"):
        services.support_update(context=context, support=support, status="planned")
    services.support_update(context=context, support=support, status="completed")
    checked = services.support_follow_up(context=context, support=support, note="Fine")
    expected = "cleared" if demo.student.progress.status not in ("at_risk", "off_track") else "not_cleared"
    assert checked.follow_up_result == expected


def test_the_demo_has_supports_in_every_state() -> None:
    states = set(Support.objects.values_list("status", flat=True))
    assert states == {"planned", "active", "completed", "cancelled"}
    assert {"cleared", "not_cleared"} <= set(Support.objects.values_list("follow_up_result", flat=True))


# Conferences ----------------------------------------------------------------------------------------------


def test_a_conference_with_agenda_notes_a_milestone_and_shared_notes(demo: Demo) -> None:
    context = ctx(demo.users["advisor"])
    guardian = demo.users["guardian"]
    conference = services.conference_schedule(
        context=context,
        student=demo.student,
        kind=ConferenceKind.TEACHER_STUDENT,
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
        attendees=[guardian],
    )
    assert {item["kind"] for item in conference.agenda} >= {"trajectory", "goal"}
    goals = PlanGoal.objects.filter(plan__student=demo.student).count()
    services.conference_record(
        context=context,
        conference=conference,
        held_on=today(),
        notes="Good term.",
        attended=[guardian],
        next_steps=[NextStepIn(text="Finish the essay revision", due=today() + datetime.timedelta(days=14))],
    )
    step = NextStep.objects.get(conference=conference)
    assert step.milestone is not None
    assert step.milestone.description == "Finish the essay revision"
    assert PlanGoal.objects.filter(plan__student=demo.student).count() == goals + 1
    assert conference.attendees.get(user=guardian).attended
    shares = services.conference_notes_share(context=context, conference=conference, guardians=[guardian])
    assert len(shares) == 1


def test_notes_shared_with_a_guardian_not_linked_are_refused(demo: Demo) -> None:
    conference = Conference.objects.filter(student=demo.student, held_on__isnull=False).first()
    assert conference is not None
    stranger = (
        User.objects.filter(guardian_links__isnull=False)
        .exclude(guardian_links__student=demo.student)
        .first()
    )
    assert stranger is not None
    with nothing_written("not a linked guardian"):
        services.conference_notes_share(
            context=ctx(demo.users["advisor"]), conference=conference, guardians=[stranger]
        )


def test_a_conference_held_in_the_future_is_refused(demo: Demo) -> None:
    conference = Conference.objects.filter(student=demo.student, held_on__isnull=True).first()
    assert conference is not None
    with nothing_written("still to come"):
        services.conference_record(
            context=ctx(demo.users["advisor"]),
            conference=conference,
            held_on=today() + datetime.timedelta(days=1),
            notes="Not yet",
        )


def test_the_demo_has_every_kind_of_conference() -> None:
    assert set(Conference.objects.values_list("kind", flat=True)) == set(ConferenceKind.values)


# The repository -------------------------------------------------------------------------------------------


def test_an_exemplar_needs_k_students(demo: Demo) -> None:
    InquirySettings.objects.filter(district=demo.riverside).update(exemplar_min_students=1000)
    with nothing_written("Fewer than 1000 students"):
        services.exemplar_publish(
            context=ctx(demo.users["district-admin"]), district=demo.riverside, target_years=4, title="Four"
        )


def test_a_copied_practice_is_an_unpublished_template(demo: Demo) -> None:
    practice = PacingPractice.objects.get(district=demo.hillcrest, copied_from__isnull=True)
    copy = PacingPractice.objects.get(copied_from=practice)
    assert copy.district == demo.riverside
    assert not copy.published
    assert (copy.title, copy.write_up) == (practice.title, practice.write_up)
    with pytest.raises(NotPermitted):
        services.practice_copy(
            context=ctx(demo.users["school-admin"]), practice=practice, district=demo.riverside
        )


# The demo -------------------------------------------------------------------------------------------------


def test_the_demo_shows_every_status_and_every_alert_kind(demo: Demo) -> None:
    assert set(StudentProgress.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Alert.objects.values_list("kind", flat=True)) == set(AlertKind.values)
    assert StudentDemographics.objects.exists()
    advisor_students = Student.objects.filter(advisor_assignments__advisor=demo.users["advisor"])
    assert StudentProgress.objects.filter(student__in=advisor_students, status=Status.OFF_TRACK).exists()


# Notifications ----------------------------------------------------------------------------------------------


def test_an_assigned_alert_tells_the_assignee_in_their_language(demo: Demo) -> None:
    from waypoint.notifications.models import Notification
    from waypoint.notifications.registry import render

    advisor = demo.users["advisor"]
    alert = Alert.objects.filter(
        kind=AlertKind.OFF_TRACK, closed_at__isnull=True, student__advisor_assignments__advisor=advisor
    ).first()
    assert alert is not None
    with nothing_written("does not have .* in their scope"):
        services.alert_assign(
            context=ctx(demo.users["school-admin"]), alert=alert, assignee=demo.users["other-teacher"]
        )
    services.alert_assign(context=ctx(demo.users["school-admin"]), alert=alert, assignee=advisor)
    alert.refresh_from_db()
    assert alert.assigned_to == advisor
    notification = Notification.objects.get(recipient=advisor, kind="progress.alert_assigned")
    assert render(notification, language="en").body.startswith("Off track:")
    # The body is written when read, from the alert's facts: the same sentence the alert page shows.
    assert render(notification, language="en").body == alert.sentence


def test_shared_notes_and_scheduled_conferences_notify_the_family(demo: Demo) -> None:
    from waypoint.notifications.models import Notification

    guardian = demo.users["guardian"]
    kinds = set(Notification.objects.filter(recipient=guardian).values_list("kind", flat=True))
    assert {"progress.conference_scheduled", "progress.notes_shared"} <= kinds
