"""Variable time: advancement when ready, readiness for large-scale tests, each student's pace and projected
graduation, the inquiry rules and the alerts they raise, supports, conferences and the state-wide repository
of exemplar trajectories and flexible-pacing practices.

Every row about a student carries the student's `district`, the tenant key. `StudentProgress` is computed
(from the dated history of mastery levels, by the pure `trajectory` module) and never edited by hand.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from waypoint.core.demographics import RaceEthnicity
from waypoint.core.models import Gender, Organization, Section, Student, TeacherCertification
from waypoint.frameworks.models import Competency
from waypoint.profiles.models import GoalMilestone
from waypoint.progress import trajectory


class Status(models.TextChoices):
    AHEAD = trajectory.AHEAD, _("Ahead")
    ON_TRACK = trajectory.ON_TRACK, _("On track")
    AT_RISK = trajectory.AT_RISK, _("At risk")
    OFF_TRACK = trajectory.OFF_TRACK, _("Off track")
    UNKNOWN = trajectory.UNKNOWN, _("Not started")


class InquirySettings(models.Model):
    """A district's thresholds for pace, status and the inquiry rules. A district without a row uses the
    defaults (`for_district`)."""

    district = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="inquiry_settings")
    pace_window_weeks = models.PositiveSmallIntegerField(
        default=12, help_text=_("How far back pace is measured.")
    )
    no_evidence_weeks = models.PositiveSmallIntegerField(default=4)
    stuck_attempts = models.PositiveSmallIntegerField(default=3)
    ahead_months = models.PositiveSmallIntegerField(default=3)
    at_risk_months = models.PositiveSmallIntegerField(default=6)
    subgroup_min_pace = models.FloatField(default=1.0, help_text=_("Competencies mastered per month."))
    subgroup_margin = models.FloatField(default=0.25, help_text=_("A fraction of the school's median pace."))
    min_cell_size = models.PositiveSmallIntegerField(default=10)
    exemplar_min_students = models.PositiveSmallIntegerField(default=10)
    # Which kinds of framework count toward graduation until the records issue's rule set exists: the
    # graduate profile by default (its leaf competencies, at the mastery level).
    requirement_kinds = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "inquiry settings"
        constraints = [
            models.CheckConstraint(name="inquiry_window_positive", condition=Q(pace_window_weeks__gte=1)),
            models.CheckConstraint(name="inquiry_margin_fraction", condition=Q(subgroup_margin__gte=0)),
        ]

    def __str__(self) -> str:
        return f"Inquiry settings of district {self.district_id}"

    @classmethod
    def for_district(cls, district_id: int) -> InquirySettings:
        """The district's settings, or the defaults (unsaved) when it has chosen none."""
        found = cls.objects.filter(district_id=district_id).first()
        return found or cls(district_id=district_id, requirement_kinds=["graduate_profile"])

    @property
    def kinds(self) -> list[str]:
        return list(self.requirement_kinds or ["graduate_profile"])


class StudentTimeline(models.Model):
    """When a student's high school began, when it differs from `Student.cohort_year`, and how many required
    competencies they had mastered before Waypoint holds their levels (a transfer, an earlier system)."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="timeline")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    high_school_start = models.DateField(null=True, blank=True)
    prior_mastered = models.PositiveSmallIntegerField(default=0)
    prior_as_of = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Timeline of student {self.student_id}"


class AdvancementRule(models.Model):
    """What a course (by its course code) requires before a student moves on to the next one."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    course_code = models.CharField(max_length=64)
    next_course_code = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course_code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "course_code"], name="advancement_rule_per_course"),
        ]

    def __str__(self) -> str:
        return f"{self.course_code} → {self.next_course_code}"


class AdvancementRequirement(models.Model):
    """One competency a rule requires, at a level (None: at the mastery level)."""

    rule = models.ForeignKey(AdvancementRule, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    min_level = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "competency"], name="advancement_requirement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.competency_id} at {self.min_level if self.min_level is not None else 'mastery'}"


class Advancement(models.Model):
    """A student moved on to the next section on a date, recorded by a certified teacher. Never deleted."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="advancements")
    rule = models.ForeignKey(
        AdvancementRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    to_section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    advanced_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certification = models.ForeignKey(TeacherCertification, on_delete=models.PROTECT, related_name="+")
    requirements_met = models.BooleanField()
    override_reason = models.TextField(blank=True)
    facts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-advanced_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="advancement_met_or_overridden",
                condition=Q(requirements_met=True) | ~Q(override_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Advancement of {self.student_id} on {self.advanced_on}"

    @property
    def overridden(self) -> bool:
        return not self.requirements_met


class LargeScaleTest(models.Model):
    """A state or national test, and the competencies it covers."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    competencies = models.ManyToManyField(Competency, related_name="+", blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="large_scale_test_code")]

    def __str__(self) -> str:
        return self.title


class TestingWindow(models.Model):
    test = models.ForeignKey(LargeScaleTest, on_delete=models.CASCADE, related_name="windows")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                name="testing_window_ordered", condition=Q(ends_on__gte=models.F("starts_on"))
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReadinessStatus(models.TextChoices):
    READY = "ready", _("Ready")
    SAT = "sat", _("Sat the test")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TestReadiness(models.Model):
    """A teacher marked a student ready for a test, by the competencies it covers."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="test_readiness")
    test = models.ForeignKey(LargeScaleTest, on_delete=models.PROTECT, related_name="readiness")
    window = models.ForeignKey(
        TestingWindow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_on = models.DateField()
    facts = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=ReadinessStatus.choices, default=ReadinessStatus.READY)

    class Meta:
        ordering = ["-marked_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "test"], condition=Q(status="ready"), name="test_readiness_open_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} ready for {self.test_id}"


class SittingOutcome(models.TextChoices):
    MET = "met", _("Met the standard")
    NOT_MET = "not_met", _("Did not meet the standard")
    ABSENT = "absent", _("Absent")


class TestSitting(models.Model):
    readiness = models.OneToOneField(TestReadiness, on_delete=models.PROTECT, related_name="sitting")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sat_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=SittingOutcome.choices)
    score = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Sitting of {self.readiness_id} on {self.sat_on}"


class StudentProgress(models.Model):
    """A student's pace, projection and status as last computed (by `services.progress_refresh`)."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="progress")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    mastered = models.PositiveIntegerField(default=0)
    required = models.PositiveIntegerField(default=0)
    pace = models.FloatField(default=0.0, help_text=_("Competencies mastered per month."))
    projected_on = models.DateField(null=True, blank=True)
    target_on = models.DateField(null=True, blank=True)
    target_years = models.PositiveSmallIntegerField(default=4)
    started_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=32, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["district", "status"], name="progress_status_idx")]

    def __str__(self) -> str:
        return f"Progress of {self.student_id}: {self.status}"

    @property
    def sentence(self) -> str:
        """Why the status is what it is, in the reader's language."""
        return status_sentence(self.reason, self.reason_params)


REASON_NO_REQUIREMENTS = "no_requirements"


def status_sentence(reason: str, params: dict[str, object]) -> str:
    """The sentence behind a status, from the stored reason code and its numbers, in the active language
    (the projected month is written out in that language too)."""
    values = dict(params)
    if isinstance(values.get("projected"), str) and values["projected"]:
        projected = datetime.date.fromisoformat(str(values["projected"]))
        values["projected"] = date_format(projected, "YEAR_MONTH_FORMAT")
    if reason == REASON_NO_REQUIREMENTS:
        return gettext("The district has no graduation requirements to project against yet.")
    if reason == trajectory.REASON_NOT_STARTED:
        return gettext("High school has not started yet, so there is nothing to project.")
    if reason == trajectory.REASON_DONE:
        return gettext("Every required competency is at mastery: the graduation requirements are met.")
    if reason == trajectory.REASON_NO_PACE:
        return (
            gettext(
                "No required competency reached mastery in the last %(weeks)s weeks, so at this pace "
                "graduation cannot be projected; %(remaining)s competencies remain."
            )
            % values
        )
    months = int(str(values.get("months", 0) or 0))
    if reason == trajectory.REASON_AHEAD:
        return (
            ngettext(
                "At %(pace)s competencies a month, the requirements are met by %(projected)s, "
                "%(months)s month before the %(years)s-year target.",
                "At %(pace)s competencies a month, the requirements are met by %(projected)s, "
                "%(months)s months before the %(years)s-year target.",
                months,
            )
            % values
        )
    if reason == trajectory.REASON_ON_TRACK:
        return (
            gettext(
                "At %(pace)s competencies a month, the requirements are met by %(projected)s, within the "
                "%(years)s-year target."
            )
            % values
        )
    if reason in (trajectory.REASON_AT_RISK, trajectory.REASON_OFF_TRACK):
        return (
            ngettext(
                "At %(pace)s competencies a month, the requirements are met by %(projected)s, "
                "%(months)s month after the %(years)s-year target.",
                "At %(pace)s competencies a month, the requirements are met by %(projected)s, "
                "%(months)s months after the %(years)s-year target.",
                months,
            )
            % values
        )
    return ""


class AlertKind(models.TextChoices):
    OFF_TRACK = "off_track", _("Off track")
    NO_EVIDENCE = "no_evidence", _("No new evidence")
    STUCK = "stuck", _("Stuck below mastery")
    MILESTONE_OVERDUE = "milestone_overdue", _("Overdue milestone")
    SUBGROUP_PACE = "subgroup_pace", _("Subgroup pace")


class Alert(models.Model):
    """One firing of an inquiry rule, with the facts behind it. Open while `closed_at` is empty; at most one
    open alert per cause, and it closes itself when the rule no longer fires."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.CASCADE, related_name="progress_alerts"
    )
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    cause = models.CharField(max_length=200)
    facts = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "cause"], condition=Q(closed_at__isnull=True), name="alert_open_once"
            ),
        ]
        indexes = [models.Index(fields=["student", "closed_at"], name="alert_student_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.cause}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def sentence(self) -> str:
        return alert_sentence(self.kind, self.facts)


GROUP_LABELS = {
    "english_learner": _("English learners"),
    "students_with_disabilities": _("Students with disabilities"),
    "economically_disadvantaged": _("Economically disadvantaged students"),
}
RACE_LABELS = {
    RaceEthnicity.HISPANIC: _("Hispanic or Latino students"),
    RaceEthnicity.AMERICAN_INDIAN: _("American Indian or Alaska Native students"),
    RaceEthnicity.ASIAN: _("Asian students"),
    RaceEthnicity.BLACK: _("Black or African American students"),
    RaceEthnicity.PACIFIC_ISLANDER: _("Native Hawaiian or Other Pacific Islander students"),
    RaceEthnicity.WHITE: _("White students"),
    RaceEthnicity.TWO_OR_MORE: _("Students of two or more races"),
    RaceEthnicity.NOT_REPORTED: _("Students whose race is not reported"),
}
GENDER_LABELS = {
    Gender.FEMALE: _("Female students"),
    Gender.MALE: _("Male students"),
    Gender.NONBINARY: _("Nonbinary students"),
    Gender.NOT_REPORTED: _("Students whose gender is not reported"),
}


def group_label(code: str) -> str:
    """A reporting group's name ("race:black", "gender:female", "english_learner") in the reader's words."""
    kind, _sep, value = code.partition(":")
    if kind == "race" and value in RaceEthnicity.values:
        return str(RACE_LABELS[RaceEthnicity(value)])
    if kind == "gender" and value in Gender.values:
        return str(GENDER_LABELS[Gender(value)])
    return str(GROUP_LABELS.get(code, code))


def alert_sentence(kind: str, facts: dict[str, object]) -> str:
    """The alert in words, in the reader's language, from the facts it stored."""
    values = dict(facts)
    if "group" in values:
        values["group"] = group_label(str(values["group"]))
    if kind == AlertKind.OFF_TRACK:
        return gettext("Off track: %(sentence)s") % {
            "sentence": status_sentence(str(values.get("reason", "")), dict(values.get("reason_params", {})))  # type: ignore[call-overload]
        }
    if kind == AlertKind.NO_EVIDENCE:
        if values.get("last_evidence"):
            return gettext("No new evidence in %(weeks)s weeks; the last was on %(last_evidence)s.") % values
        return gettext("No evidence at all in the last %(weeks)s weeks.") % values
    if kind == AlertKind.STUCK:
        return gettext("“%(competency)s” is still below mastery after %(attempts)s scored attempts.") % values
    if kind == AlertKind.MILESTONE_OVERDUE:
        return (
            gettext("The success-plan milestone “%(milestone)s” was due on %(due)s and is not done.") % values
        )
    if kind == AlertKind.SUBGROUP_PACE:
        if values.get("rule") == "margin":
            return (
                gettext(
                    "%(group)s at %(school)s: median pace %(pace)s competencies a month, more than "
                    "%(margin)s%% below the school's median of %(school_pace)s (%(students)s students)."
                )
                % values
            )
        return (
            gettext(
                "%(group)s at %(school)s: median pace %(pace)s competencies a month, below the threshold of "
                "%(threshold)s (%(students)s students)."
            )
            % values
        )
    return ""


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class SchoolSupportTask(models.Model):
    """A subgroup alert handed to the school's administrators as a school support plan task."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="school_task")
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_on = models.DateField()
    notes = models.TextField(blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"School support task for alert {self.alert_id}"


class SupportKind(models.TextChoices):
    TUTORING = "tutoring", _("Tutoring")
    EXTENDED_TIME = "extended_time", _("Extended time")
    SCHEDULE_CHANGE = "schedule_change", _("Schedule change")
    MENTOR = "mentor", _("Mentor")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class SupportStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUp(models.TextChoices):
    NONE = "", _("Not checked yet")
    CLEARED = "cleared", _("The condition has cleared")
    NOT_CLEARED = "not_cleared", _("The condition has not cleared")


class Support(models.Model):
    """Help given to a student, often opened from an alert, with an owner and a follow-up check."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="supports")
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="supports"
    )
    kind = models.CharField(max_length=24, choices=SupportKind.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    follow_up_on = models.DateField()
    status = models.CharField(max_length=16, choices=SupportStatus.choices, default=SupportStatus.PLANNED)
    follow_up_result = models.CharField(max_length=16, choices=FollowUp.choices, default="", blank=True)
    follow_up_note = models.TextField(blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["follow_up_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="support_dates_ordered",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="support_owner_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.student_id}"


class ConferenceKind(models.TextChoices):
    STUDENT_LED = "student_led", _("Student-led conference")
    TEACHER_STUDENT = "teacher_student", _("Teacher–student conference")
    ADVISOR_FAMILY = "advisor_family", _("Advisor–family conference")


class Conference(models.Model):
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="conferences")
    kind = models.CharField(max_length=24, choices=ConferenceKind.choices)
    scheduled_for = models.DateTimeField()
    held_on = models.DateField(null=True, blank=True)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agenda = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        indexes = [models.Index(fields=["student", "scheduled_for"], name="conference_student_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.student_id}"

    @property
    def is_held(self) -> bool:
        return self.held_on is not None

    @property
    def agenda_items(self) -> list[dict[str, str]]:
        """The agenda in the reader's language: the trajectory and alert items keep their reason codes and
        facts and are put in words when read (a guardian reading in Spanish reads them in Spanish); goals and
        evidence titles stay as their authors wrote them."""
        items = []
        for item in self.agenda:
            text = str(item.get("text", ""))
            if item.get("kind") == "trajectory" and "reason" in item:
                status = Status(item["status"]).label if item.get("status") in Status.values else ""
                sentence = status_sentence(str(item["reason"]), dict(item.get("reason_params") or {}))
                text = f"{status}: {sentence}" if status else sentence
            elif item.get("kind") == "alert" and "alert_kind" in item:
                text = alert_sentence(str(item["alert_kind"]), dict(item.get("facts") or {}))
            items.append({"kind": str(item.get("kind", "")), "text": text})
        return items


class AttendeeRole(models.TextChoices):
    STUDENT = "student", _("Student")
    GUARDIAN = "guardian", _("Parent or guardian")
    TEACHER = "teacher", _("Teacher")
    ADVISOR = "advisor", _("Advisor")
    OTHER = "other", _("Other")


class ConferenceAttendee(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=16, choices=AttendeeRole.choices)
    attended = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} at {self.conference_id}"


class ConferenceShare(models.Model):
    """The conference notes shared with one linked guardian."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="shares")
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "guardian"], name="conference_share_once"),
        ]

    def __str__(self) -> str:
        return f"Notes of {self.conference_id} shared with {self.guardian_id}"


class NextStep(models.Model):
    """A next step agreed at a conference, which became a success-plan milestone or a support."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="next_steps")
    text = models.CharField(max_length=500)
    milestone = models.ForeignKey(
        GoalMilestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    support = models.ForeignKey(Support, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.text


class ExemplarTrajectory(models.Model):
    """An anonymised trajectory: no names, ids or dates, time counted as month k of high school. `points` is
    a list of [month, median share of the requirements mastered]; `students` how many shared it."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    target_years = models.PositiveSmallIntegerField()
    points = models.JSONField(default=list)
    students = models.PositiveIntegerField()
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_years", "title"]

    def __str__(self) -> str:
        return self.title


class PacingPractice(models.Model):
    """A flexible-pacing practice written up by a district, with exemplar trajectories attached."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    write_up = models.TextField()
    for_struggling = models.TextField(help_text=_("What it did for students who struggle."))
    exemplars = models.ManyToManyField(ExemplarTrajectory, blank=True, related_name="practices")
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title
