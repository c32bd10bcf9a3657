"""API of variable time, under /api/v1/progress/: a student's trajectory, alerts, supports, conferences, the
students ready to advance, advancements, the repository's practices and the district's inquiry settings.
The same reads (`selectors_ui`) and services as the pages: every student read is scoped by the access
policy and audited; a refused write answers 400 listing every problem."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from waypoint.core.api import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Day,
    Id,
    Moment,
    PageOut,
    PageQuery,
    RefId,
    Text,
    page_fields,
)
from waypoint.core.errors import NotVisible
from waypoint.core.models import Section, User
from waypoint.core.paging import page_of_sequence
from waypoint.frameworks.models import FrameworkKind
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.progress import selectors_ui as reads
from waypoint.progress import services
from waypoint.progress.models import (
    Alert,
    AlertKind,
    Conference,
    ConferenceKind,
    InquirySettings,
    Support,
    SupportKind,
)

router = Router(tags=["progress"])
# A conference is scheduled within this many years of today (a date beyond is a typing slip).
MAX_YEARS_AWAY = 5


# Schemas --------------------------------------------------------------------------------------------------


class PointOut(Schema):
    month: float = Field(description="Month of high school (0 is its first month).")
    count: float = Field(description="Competencies at mastery.")


class SeriesOut(Schema):
    label: str
    role: str = Field(description="student, projection or model")
    target: bool
    points: list[PointOut]


class TrajectoryOut(Schema):
    student_id: int
    status: str = Field(description="ahead, on_track, at_risk, off_track or unknown")
    sentence: str
    mastered: int
    required: int
    pace: float | None = Field(
        description="Competencies reaching mastery per month over the district's window."
    )
    projected_on: datetime.date | None
    target_on: datetime.date | None
    target_years: int
    started_on: datetime.date | None
    series: list[SeriesOut]


class AlertOut(Schema):
    id: int
    kind: str
    student_id: int | None
    school_id: int | None
    sentence: str
    facts: dict[str, object]
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None


class SupportIn(Schema):
    kind: SupportKind
    description: Text = Field("", max_length=4000)
    owner_id: RefId | None = Field(None, description="Someone who guides the student; you when left out.")
    starts_on: Day
    ends_on: Day | None = None
    follow_up_on: Day
    alert_id: RefId | None = None


class SupportOut(Schema):
    id: int
    student_id: int
    kind: str
    description: str
    owner: str
    status: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    follow_up_on: datetime.date
    follow_up_result: str
    alert_id: int | None


class ConferenceIn(Schema):
    kind: ConferenceKind
    scheduled_for: Moment
    attendee_ids: list[RefId] = Field(default=[], max_length=20)


class AgendaItemOut(Schema):
    kind: str
    text: str


class ConferenceOut(Schema):
    id: int
    student_id: int
    kind: str
    scheduled_for: datetime.datetime
    held_on: datetime.date | None
    agenda: list[AgendaItemOut]
    notes: str


class ReadyOut(Schema):
    student_id: int
    section_id: int
    course_code: str
    next_course_code: str
    ready: bool
    met: int
    required: int
    next_section_ids: list[int]


class AdvancementIn(Schema):
    to_section_id: RefId
    advanced_on: Day
    override_reason: Text = Field("", max_length=2000)


class AdvancementOut(Schema):
    id: int
    student_id: int
    from_section_id: int
    to_section_id: int
    advanced_on: datetime.date
    requirements_met: bool
    override_reason: str


class PracticeOut(Schema):
    id: int
    district: str
    title: str
    write_up: str
    for_struggling: str
    exemplar_ids: list[int]


class RangeOut(Schema):
    low: float
    high: float


class InquirySettingsIn(Schema):
    """Every threshold, replaced at once. Each must lie within its range (see `limits` in the answer of
    GET); one that cannot hold is refused with the problem in words (400) and nothing is saved."""

    pace_window_weeks: int
    no_evidence_weeks: int
    stuck_attempts: int
    ahead_months: int
    at_risk_months: int
    subgroup_min_pace: float
    subgroup_margin: float
    min_cell_size: int
    exemplar_min_students: int
    requirement_kinds: list[FrameworkKind] = Field(max_length=len(FrameworkKind.values))


class InquirySettingsOut(InquirySettingsIn):
    district_id: int
    updated_at: datetime.datetime | None = Field(description="Empty while the district uses the defaults.")
    limits: dict[str, RangeOut] = Field(description="The range each threshold must lie within.")


class AlertPageOut(PageOut):
    items: list[AlertOut]


class AlertQuery(PageQuery):
    kind: AlertKind | None = Field(None, description="Only alerts of this kind.")
    closed: bool = Field(False, description="Closed alerts instead of open ones.")


class SupportPageOut(PageOut):
    items: list[SupportOut]


class SupportQuery(PageQuery):
    mine: bool = Field(False, description="Only the supports you own.")
    closed: bool = Field(False, description="Closed supports instead of open ones.")


class ConferencePageOut(PageOut):
    items: list[ConferenceOut]


class ReadyPageOut(PageOut):
    items: list[ReadyOut]


class ReadyQuery(PageQuery):
    all_students: bool = Field(False, description="Everyone with a rule, not only those who are ready.")


class PracticePageOut(PageOut):
    items: list[PracticeOut]


# Converters -----------------------------------------------------------------------------------------------


def _settings_out(settings: InquirySettings) -> InquirySettingsOut:
    return InquirySettingsOut(
        district_id=settings.district_id,
        updated_at=settings.updated_at if settings.pk else None,
        limits={name: RangeOut(low=low, high=high) for name, (low, high) in services.LIMITS.items()},
        requirement_kinds=[FrameworkKind(kind) for kind in settings.kinds],
        **{name: getattr(settings, name) for name in services.LIMITS},
    )


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        kind=alert.kind,
        student_id=alert.student_id,
        school_id=alert.school_id,
        sentence=alert.sentence,
        facts=alert.facts,
        opened_at=alert.opened_at,
        closed_at=alert.closed_at,
    )


def _support_out(support: Support) -> SupportOut:
    return SupportOut(
        id=support.pk,
        student_id=support.student_id,
        kind=support.kind,
        description=support.description,
        owner=support.owner.display_name,
        status=support.status,
        starts_on=support.starts_on,
        ends_on=support.ends_on,
        follow_up_on=support.follow_up_on,
        follow_up_result=support.follow_up_result,
        alert_id=support.alert_id,
    )


def _conference_out(conference: Conference) -> ConferenceOut:
    return ConferenceOut(
        id=conference.pk,
        student_id=conference.student_id,
        kind=conference.kind,
        scheduled_for=conference.scheduled_for,
        held_on=conference.held_on,
        agenda=[AgendaItemOut(kind=item["kind"], text=item["text"]) for item in conference.agenda_items],
        notes=conference.notes if conference.held_on else "",
    )


# Trajectory -----------------------------------------------------------------------------------------------


@router.get(
    "/progress/students/{int:student_id}/trajectory",
    response={200: TrajectoryOut, **READ_ERRORS},
    summary="The student's status and why, the projection, and the chart's series",
)
def trajectory(request: HttpRequest, student_id: Id) -> TrajectoryOut:
    """The student's status and why, projection, and the chart's series (the student's, the projection and
    the 3, 4, 5 and 6-year models). Whoever reads the student; no mentor, no state analyst."""
    page = reads.trajectory_page(context=request_context(request), student_id=student_id)
    progress = page.progress
    return TrajectoryOut(
        student_id=page.student.pk,
        status=page.status,
        sentence=progress.sentence if progress else "",
        mastered=page.mastered,
        required=page.required,
        pace=progress.pace if progress else None,
        projected_on=progress.projected_on if progress else None,
        target_on=progress.target_on if progress else None,
        target_years=page.target_years,
        started_on=page.started_on,
        series=[
            SeriesOut(
                label=s.label,
                role=s.role,
                target=s.target,
                points=[PointOut(month=month, count=count) for month, count in s.points],
            )
            for s in page.series
        ],
    )


# Alerts and supports --------------------------------------------------------------------------------------


@router.get(
    "/progress/alerts",
    response={200: AlertPageOut, **LIST_ERRORS},
    summary="Open (or closed) alerts about the students you guide and your schools' subgroups, newest first",
)
def alerts(request: HttpRequest, query: Query[AlertQuery]) -> AlertPageOut:
    """Open (or closed) alerts about the students you guide and your schools' subgroups, newest first."""
    found = reads.alert_list(
        context=request_context(request), kind=query.kind or "", state="closed" if query.closed else "open"
    )
    page = page_of_sequence(found.alerts, number=query.page, size=query.page_size)
    return AlertPageOut(items=[_alert_out(alert) for alert in page.items], **page_fields(page))


@router.get(
    "/progress/alerts/{int:alert_id}",
    response={200: AlertOut, **READ_ERRORS},
    summary="One alert, with the facts behind it and its sentence",
)
def alert(request: HttpRequest, alert_id: Id) -> AlertOut:
    """One alert, with the facts behind it and its sentence."""
    return _alert_out(reads.alert_get(context=request_context(request), alert_id=alert_id).alert)


@router.get(
    "/progress/supports",
    response={200: SupportPageOut, **LIST_ERRORS},
    summary="Supports of the students you guide (or only yours), next follow-up first",
)
def supports(request: HttpRequest, query: Query[SupportQuery]) -> SupportPageOut:
    """Supports of the students you guide (or only yours), next follow-up first."""
    found = reads.support_list(
        context=request_context(request), mine=query.mine, state="closed" if query.closed else "open"
    )
    page = page_of_sequence(found, number=query.page, size=query.page_size)
    return SupportPageOut(items=[_support_out(support) for support in page.items], **page_fields(page))


@router.post(
    "/progress/students/{int:student_id}/supports",
    response={201: SupportOut, **WRITE_ERRORS},
    summary="Open a support for the student, from an alert or not (staff who guide the student)",
)
def support_open(request: HttpRequest, student_id: Id, payload: SupportIn) -> Status[SupportOut]:
    """Open a support for the student, from an alert or not (staff who guide the student)."""
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.MANAGE_SUPPORT, audit_as="support"
    )
    owner = context.actor
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
    if owner is None:
        raise services.ProgressError(gettext("Choose who owns the support."))
    alert = None
    if payload.alert_id is not None:
        alert = reads.alert_get(context=context, alert_id=payload.alert_id).alert
    support = services.support_open(
        context=context,
        student=student,
        kind=payload.kind,
        owner=owner,
        starts_on=payload.starts_on,
        follow_up_on=payload.follow_up_on,
        description=payload.description,
        alert=alert,
        ends_on=payload.ends_on,
    )
    return Status(201, _support_out(support))


# Conferences ----------------------------------------------------------------------------------------------


@router.get(
    "/progress/conferences",
    response={200: ConferencePageOut, **LIST_ERRORS},
    summary="The conferences you may open: still to come (soonest first), then held (latest first)",
)
def conferences(request: HttpRequest, query: Query[PageQuery]) -> ConferencePageOut:
    """The conferences you may open: still to come (soonest first), then held (latest first)."""
    found = reads.conference_list(context=request_context(request))
    page = page_of_sequence([*found.upcoming, *found.held], number=query.page, size=query.page_size)
    return ConferencePageOut(items=[_conference_out(c) for c in page.items], **page_fields(page))


@router.get(
    "/progress/conferences/{int:conference_id}",
    response={200: ConferenceOut, **READ_ERRORS},
    summary="A conference: its agenda and, once held, its notes",
)
def conference(request: HttpRequest, conference_id: Id) -> ConferenceOut:
    """A conference: its agenda and, once held, its notes. A guardian reads it once the notes are shared."""
    return _conference_out(
        reads.conference_get(context=request_context(request), conference_id=conference_id).conference
    )


@router.post(
    "/progress/students/{int:student_id}/conferences",
    response={201: ConferenceOut, **WRITE_ERRORS},
    summary="Schedule a conference",
)
def conference_schedule(request: HttpRequest, student_id: Id, payload: ConferenceIn) -> Status[ConferenceOut]:
    """Schedule a conference; its agenda is built from the student's recent evidence, goals, alerts and
    trajectory, and everyone invited is told."""
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.HOLD_CONFERENCE, audit_as="conference"
    )
    scheduled_for = payload.scheduled_for
    if timezone.is_naive(scheduled_for):
        scheduled_for = timezone.make_aware(scheduled_for)
    if abs(scheduled_for.year - timezone.now().year) > MAX_YEARS_AWAY:
        raise services.ProgressError(gettext("Schedule the conference within the next few years."))
    people = list(reads.attendee_choices(context, student).filter(pk__in=payload.attendee_ids))
    if len(people) != len(set(payload.attendee_ids)):
        raise services.ProgressError(
            gettext("Invite only the student, their guardians and the staff who guide them.")
        )
    created = services.conference_schedule(
        context=context,
        student=student,
        kind=payload.kind,
        scheduled_for=scheduled_for,
        attendees=people,
    )
    return Status(201, _conference_out(created))


# Advancement ----------------------------------------------------------------------------------------------


@router.get(
    "/progress/ready",
    response={200: ReadyPageOut, **LIST_ERRORS},
    summary="The students on your rosters whose course has an advancement rule",
)
def ready(request: HttpRequest, query: Query[ReadyQuery]) -> ReadyPageOut:
    """The students on your rosters whose course has an advancement rule: those who meet every requirement,
    or all of them."""
    rows = reads.ready_rows(context=request_context(request), ready_only=not query.all_students)
    page = page_of_sequence(rows, number=query.page, size=query.page_size)
    items = [
        ReadyOut(
            student_id=row.student.pk,
            section_id=row.section.pk,
            course_code=row.rule.course_code,
            next_course_code=row.rule.next_course_code,
            ready=row.ready,
            met=row.met,
            required=len(row.checks),
            next_section_ids=[s.pk for s in row.next_sections],
        )
        for row in page.items
    ]
    return ReadyPageOut(items=items, **page_fields(page))


@router.post(
    "/progress/students/{int:student_id}/advancements",
    response={201: AdvancementOut, **WRITE_ERRORS},
    summary="Record an advancement (a teacher with a current certification who teaches the student)",
)
def advance(request: HttpRequest, student_id: Id, payload: AdvancementIn) -> Status[AdvancementOut]:
    """Record an advancement (a teacher with a current certification who teaches the student). Refused
    without the course's requirements unless `override_reason` says why."""
    context = request_context(request)
    student = reads.advancement_student(context=context, student_id=student_id)
    section = Section.objects.filter(pk=payload.to_section_id, district_id=student.district_id).first()
    if section is None:
        raise NotVisible(gettext("No such section in the student’s district."))
    advancement = services.advancement_record(
        context=context,
        student=student,
        to_section=section,
        advanced_on=payload.advanced_on,
        override_reason=payload.override_reason,
    )
    return Status(
        201,
        AdvancementOut(
            id=advancement.pk,
            student_id=student.pk,
            from_section_id=advancement.from_section_id,
            to_section_id=advancement.to_section_id,
            advanced_on=advancement.advanced_on,
            requirements_met=advancement.requirements_met,
            override_reason=advancement.override_reason,
        ),
    )


# The repository -------------------------------------------------------------------------------------------


@router.get(
    "/progress/practices",
    response={200: PracticePageOut, **LIST_ERRORS},
    summary="The flexible-pacing practices published across the state (staff)",
)
def practices(request: HttpRequest, query: Query[PageQuery]) -> PracticePageOut:
    """The flexible-pacing practices published across the state (every staff role; no student data)."""
    repository = reads.repository_page(context=request_context(request))
    page = page_of_sequence(repository.practices, number=query.page, size=query.page_size)
    items = [
        PracticeOut(
            id=p.pk,
            district=p.district.name,
            title=p.title,
            write_up=p.write_up,
            for_struggling=p.for_struggling,
            exemplar_ids=[e.pk for e in p.exemplars.all()],
        )
        for p in page.items
    ]
    return PracticePageOut(items=items, **page_fields(page))


# District administration ----------------------------------------------------------------------------------


@router.get(
    "/progress/inquiry-settings",
    response={200: InquirySettingsOut, **READ_ERRORS},
    summary="Your district's thresholds for pace, status and the inquiry's alerts (district administrators)",
)
def inquiry_settings(request: HttpRequest) -> InquirySettingsOut:
    """Your district's thresholds for pace, status and the inquiry's alerts (district administrators)."""
    return _settings_out(reads.inquiry_settings_get(context=request_context(request)).settings)


@router.put(
    "/progress/inquiry-settings",
    response={200: InquirySettingsOut, **WRITE_ERRORS},
    summary="Replace your district's thresholds",
)
def inquiry_settings_update(request: HttpRequest, payload: InquirySettingsIn) -> InquirySettingsOut:
    """Replace your district's thresholds. A threshold outside its range is refused (400) with every problem
    in words, and nothing is saved."""
    context = request_context(request)
    found = reads.inquiry_settings_get(context=context)
    values: dict[str, object] = payload.model_dump()
    values["requirement_kinds"] = [str(kind) for kind in payload.requirement_kinds]
    return _settings_out(
        services.inquiry_settings_update(context=context, district=found.district, values=values)
    )
