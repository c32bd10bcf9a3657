"""HTML pages of variable time: a student's trajectory, advancement, readiness for tests, alerts, supports,
conferences, the school support plan and the repository. Each view parses input, reads through
`selectors_ui` (which asks the access policy and audits), calls a service, and renders. A refused write
shows its form again with every problem (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseFormSet, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint import policy
from waypoint.core.errors import Invalid
from waypoint.core.http import user_of
from waypoint.core.models import Organization
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.profiles.models import PlanGoal
from waypoint.progress import selectors_ui as reads
from waypoint.progress import services
from waypoint.progress.forms import (
    AdvanceForm,
    AdvancementRuleForm,
    AssignForm,
    BaseRequirementFormSet,
    ConferenceForm,
    ExemplarForm,
    FollowUpForm,
    InquirySettingsForm,
    NextStepForm,
    NextStepFormSet,
    PracticeForm,
    ReadyForm,
    RecordForm,
    RequirementFormSet,
    ShareForm,
    SittingForm,
    SupportForm,
    TaskDoneForm,
    competency_choices,
)
from waypoint.progress.models import AdvancementRule, Alert, AlertKind, SupportStatus, TestingWindow


def _problems(form: Form, error: Invalid) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


def _status(request: HttpRequest) -> int:
    """A form shown again after a POST answers 400: nothing was written."""
    return 400 if request.method == "POST" else 200


# The trajectory -------------------------------------------------------------------------------------------


@login_required
@require_GET
def trajectory(request: HttpRequest, student_id: int) -> HttpResponse:
    page = reads.trajectory_page(context=request_context(request), student_id=student_id)
    return render(
        request,
        "progress/trajectory.html",
        {
            "page": page,
            "student": page.student,
            "chart": page.chart(),
            "own": page.student.user_id == request.user.pk,
        },
    )


# Advancement ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def ready(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    show_all = request.GET.get("show") == "all"
    rows = reads.ready_rows(context=context, ready_only=not show_all)
    return render(
        request,
        "progress/ready.html",
        {
            "rows": rows,
            "show_all": show_all,
            "certified": policy.current_certification(user_of(request)) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def advance(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = reads.advancement_student(context=context, student_id=student_id)
    rows = reads.ready_rows(context=context, student=student)
    sections = [section for row in rows for section in row.next_sections]
    form = AdvanceForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            advancement = services.advancement_record(
                context=context,
                student=student,
                to_section=form.cleaned_data["to_section"],
                advanced_on=form.cleaned_data["advanced_on"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(
                request,
                gettext("%(student)s moves to %(section)s from %(date)s.")
                % {
                    "student": student.full_name,
                    "section": advancement.to_section.title,
                    "date": date_format(advancement.advanced_on, "DATE_FORMAT"),
                },
            )
            return redirect("progress-trajectory", student.pk)
    return render(
        request,
        "progress/advance.html",
        {"student": student, "rows": rows, "form": form},
        status=_status(request),
    )


# Readiness for large-scale tests ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def test_ready(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.MARK_TEST_READY, audit_as="test-readiness"
    )
    tests = reads.tests_for(student)
    windows = TestingWindow.objects.filter(test__in=tests, district_id=student.district_id).order_by(
        "starts_on"
    )
    form = ReadyForm(request.POST or None, tests=tests, windows=windows)
    if request.method == "POST" and form.is_valid():
        try:
            services.readiness_mark(
                context=context,
                student=student,
                test=form.cleaned_data["test"],
                window=form.cleaned_data["window"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(
                request,
                gettext("%(student)s is marked ready for %(test)s.")
                % {"student": student.full_name, "test": form.cleaned_data["test"].title},
            )
            return redirect("progress-trajectory", student.pk)
    return render(
        request,
        "progress/test_ready.html",
        {"student": student, "form": form, "tests": tests},
        status=_status(request),
    )


@login_required
@require_GET
def testing(request: HttpRequest) -> HttpResponse:
    groups = reads.testing_lists(context=request_context(request))
    return render(request, "progress/testing.html", {"groups": groups, "sitting_form": SittingForm()})


@login_required
@require_POST
def test_sitting(request: HttpRequest, readiness_id: int) -> HttpResponse:
    context = request_context(request)
    readiness = reads.readiness_get(context=context, readiness_id=readiness_id)
    form = SittingForm(request.POST)
    if form.is_valid():
        try:
            services.sitting_record(
                context=context,
                readiness=readiness,
                sat_on=form.cleaned_data["sat_on"],
                outcome=form.cleaned_data["outcome"],
                score=form.cleaned_data["score"],
            )
        except Invalid as error:
            messages.error(request, error.reason)
        else:
            messages.success(
                request,
                gettext("The sitting of %(student)s is recorded.") % {"student": readiness.student.full_name},
            )
    else:
        messages.error(request, gettext("Give the date of the sitting and its outcome."))
    return redirect("progress-testing")


# Alerts ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    state = "closed" if request.GET.get("state") == "closed" else "open"
    found = reads.alert_list(context=request_context(request), kind=kind, state=state)
    return render(request, "progress/alerts.html", {"alerts": found, "kinds": AlertKind.choices})


@login_required
@require_GET
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    page = reads.alert_get(context=request_context(request), alert_id=alert_id)
    return _alert_page(request, page)


def _assign_form(request: HttpRequest, alert: Alert) -> AssignForm | None:
    """Who the alert may go to: offered only while a student's alert is open, to the staff who guide them."""
    student = alert.student
    if student is None or (request.method != "POST" and not alert.is_open):
        return None
    return AssignForm(
        request.POST if request.method == "POST" else None,
        staff=reads.district_staff(student),
        candidates=reads.owner_choices(student),
        initial={"assignee": alert.assigned_to_id or request.user.pk},
    )


def _alert_page(
    request: HttpRequest, page: reads.AlertPage, assign: AssignForm | None = None
) -> HttpResponse:
    if assign is None and page.can_support:
        assign = _assign_form(request, page.alert)
    return render(
        request,
        "progress/alert_detail.html",
        {
            "page": page,
            "alert": page.alert,
            "assign": assign,
            # A subgroup alert leads its school's administrators to an action plan (the insights app).
            "can_open_plan": page.alert.kind == AlertKind.SUBGROUP_PACE
            and page.alert.school is not None
            and policy.can(request.user, Action.MANAGE_ACTION_PLAN, page.alert.school),
        },
        status=_status(request),
    )


@login_required
@require_POST
def alert_assign(request: HttpRequest, alert_id: int) -> HttpResponse:
    context = request_context(request)
    page = reads.alert_get(context=context, alert_id=alert_id)
    form = _assign_form(request, page.alert)
    if form is None:
        # A subgroup alert goes to its school's administrators as a support plan task, not to a person.
        raise reads.refusal(context, "progress-alert", Action.MANAGE_SUPPORT)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.alert_assign(context=context, alert=page.alert, assignee=assignee)
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(
                request,
                gettext("The alert is assigned to %(name)s, who is told.") % {"name": assignee.display_name},
            )
            return redirect("progress-alert", page.alert.pk)
    return _alert_page(request, page, form)


# Supports -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def support_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.MANAGE_SUPPORT, audit_as="support"
    )
    alert = None
    raw_alert = request.GET.get("alert", "")
    if raw_alert.isdigit() and len(raw_alert) < 19:
        alert = reads.alert_get(context=context, alert_id=int(raw_alert)).alert
        if alert.student_id != student.pk:
            alert = None
    owners = reads.owner_choices(student)
    form = SupportForm(request.POST or None, owners=owners, initial={"owner": context.actor})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support = services.support_open(
                context=context,
                student=student,
                kind=data["kind"],
                owner=data["owner"],
                starts_on=data["starts_on"],
                follow_up_on=data["follow_up_on"],
                description=data["description"],
                alert=alert,
                ends_on=data["ends_on"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(
                request,
                gettext("The support for %(student)s is open; %(owner)s owns it.")
                % {"student": student.full_name, "owner": support.owner.display_name},
            )
            return redirect("progress-support", support.pk)
    return render(
        request,
        "progress/support_form.html",
        {"student": student, "alert": alert, "form": form},
        status=_status(request),
    )


@login_required
@require_GET
def supports(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    state = "closed" if request.GET.get("state") == "closed" else "open"
    found = reads.support_list(context=request_context(request), mine=mine, state=state)
    return render(request, "progress/supports.html", {"supports": found, "mine": mine, "state": state})


@login_required
@require_http_methods(["GET", "POST"])
def support_detail(request: HttpRequest, support_id: int) -> HttpResponse:
    context = request_context(request)
    support = reads.support_get(context=context, support_id=support_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "follow-up" and form.is_valid():
                support = services.support_follow_up(
                    context=context, support=support, note=form.cleaned_data["note"]
                )
                messages.success(request, gettext("The follow-up is recorded."))
            elif request.POST.get("do") in SupportStatus.values:
                support = services.support_update(context=context, support=support, status=request.POST["do"])
                messages.success(
                    request,
                    gettext("The support is now %(status)s.") % {"status": support.get_status_display()},
                )
        except Invalid as error:
            messages.error(request, error.reason)
        return redirect("progress-support", support.pk)
    moves = services.SUPPORT_MOVES.get(SupportStatus(support.status), set())
    return render(
        request,
        "progress/support_detail.html",
        {
            "support": support,
            "form": form,
            "moves": [(value, label) for value, label in SupportStatus.choices if value in moves],
        },
    )


# Conferences ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def conferences(request: HttpRequest) -> HttpResponse:
    found = reads.conference_list(context=request_context(request))
    return render(request, "progress/conferences.html", {"found": found})


@login_required
@require_http_methods(["GET", "POST"])
def conference_new(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.HOLD_CONFERENCE, audit_as="conference"
    )
    form = ConferenceForm(request.POST or None, people=reads.attendee_choices(context, student))
    if request.method == "POST" and form.is_valid():
        try:
            conference = services.conference_schedule(
                context=context,
                student=student,
                kind=form.cleaned_data["kind"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                attendees=list(form.cleaned_data["attendees"]),
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The conference is scheduled and everyone invited is told."))
            return redirect("progress-conference", conference.pk)
    return render(
        request, "progress/conference_form.html", {"student": student, "form": form}, status=_status(request)
    )


def _record_forms(
    request: HttpRequest, page: reads.ConferencePage
) -> tuple[RecordForm, BaseFormSet[NextStepForm]]:
    context = request_context(request)
    student = page.conference.student
    data = request.POST if request.method == "POST" else None
    record = RecordForm(
        data,
        people=reads.attendee_choices(context, student),
        initial={"attended": [a.user_id for a in page.attendees if a.user_id]},
    )
    steps = NextStepFormSet(
        data,
        prefix="steps",
        form_kwargs={
            "goals": PlanGoal.objects.filter(plan__student=student).order_by("domain", "position"),
            "owners": reads.owner_choices(student),
        },
    )
    return record, steps


@login_required
@require_GET
def conference_detail(request: HttpRequest, conference_id: int) -> HttpResponse:
    page = reads.conference_get(context=request_context(request), conference_id=conference_id)
    return _conference_page(request, page)


def _conference_page(
    request: HttpRequest,
    page: reads.ConferencePage,
    record: RecordForm | None = None,
    steps: BaseFormSet[NextStepForm] | None = None,
) -> HttpResponse:
    share = None
    if page.can_record and page.conference.is_held and page.guardians:
        share = ShareForm(guardians=page.guardians, initial={"guardians": [g.pk for g in page.shared_with]})
    if page.can_record and not page.conference.is_held and record is None:
        record, steps = _record_forms(request, page)
    return render(
        request,
        "progress/conference_detail.html",
        {
            "page": page,
            "conference": page.conference,
            "student": page.conference.student,
            "record": record,
            "steps": steps,
            "share": share,
        },
        status=_status(request),
    )


@login_required
@require_POST
def conference_record(request: HttpRequest, conference_id: int) -> HttpResponse:
    context = request_context(request)
    page = reads.conference_get(context=context, conference_id=conference_id)
    if not page.can_record:
        raise reads.refusal(context, "conference", Action.HOLD_CONFERENCE)
    record, steps = _record_forms(request, page)
    if record.is_valid() and steps.is_valid():
        next_steps = [step for form in steps for step in [form.step()] if step is not None]
        try:
            services.conference_record(
                context=context,
                conference=page.conference,
                held_on=record.cleaned_data["held_on"],
                notes=record.cleaned_data["notes"],
                attended=list(record.cleaned_data["attended"]),
                next_steps=next_steps,
            )
        except Invalid as error:
            _problems(record, error)
        else:
            messages.success(request, gettext("The conference is recorded with its next steps."))
            return redirect("progress-conference", page.conference.pk)
    return _conference_page(request, page, record, steps)


@login_required
@require_POST
def conference_share(request: HttpRequest, conference_id: int) -> HttpResponse:
    context = request_context(request)
    page = reads.conference_get(context=context, conference_id=conference_id)
    if not page.can_record:
        raise reads.refusal(context, "conference", Action.HOLD_CONFERENCE)
    form = ShareForm(request.POST, guardians=page.guardians)
    if not form.is_valid():
        messages.error(request, gettext("Choose a guardian to share the notes with."))
    else:
        try:
            services.conference_notes_share(
                context=context, conference=page.conference, guardians=list(form.cleaned_data["guardians"])
            )
        except Invalid as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, gettext("The notes are shared; each guardian is told."))
    return redirect("progress-conference", page.conference.pk)


# The school support plan ----------------------------------------------------------------------------------


@login_required
@require_GET
def school_tasks(request: HttpRequest) -> HttpResponse:
    tasks = reads.school_task_list(context=request_context(request))
    return render(request, "progress/school_tasks.html", {"tasks": tasks, "form": TaskDoneForm()})


@login_required
@require_POST
def school_task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    context = request_context(request)
    task = reads.school_task_get(context=context, task_id=task_id)
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.school_task_done(context=context, task=task, notes=form.cleaned_data["notes"])
        except Invalid as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, gettext("The task is done."))
    return redirect("progress-school-tasks")


# The repository -------------------------------------------------------------------------------------------


@login_required
@require_GET
def repository(request: HttpRequest) -> HttpResponse:
    page = reads.repository_page(context=request_context(request))
    return render(request, "progress/repository.html", {"page": page})


@login_required
@require_GET
def practice_detail(request: HttpRequest, practice_id: int) -> HttpResponse:
    context = request_context(request)
    practice = reads.practice_get(context=context, practice_id=practice_id)
    return render(
        request,
        "progress/practice_detail.html",
        {"practice": practice, "can_copy": policy.can(context.user, Action.PUBLISH_REPOSITORY)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_new(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    reads.require(context, Action.PUBLISH_REPOSITORY, "progress-repository")
    district = reads.acting_district(context)
    form = PracticeForm(request.POST or None, exemplars=reads.exemplar_choices(district))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            practice = services.practice_save(
                context=context,
                district=district,
                title=data["title"],
                write_up=data["write_up"],
                for_struggling=data["for_struggling"],
                exemplars=list(data["exemplars"]),
                published=data["published"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The practice is saved."))
            return redirect("progress-practice", practice.pk)
    return render(request, "progress/practice_form.html", {"form": form}, status=_status(request))


@login_required
@require_POST
def practice_copy(request: HttpRequest, practice_id: int) -> HttpResponse:
    context = request_context(request)
    practice = reads.practice_get(context=context, practice_id=practice_id)
    reads.require(context, Action.PUBLISH_REPOSITORY, "progress-repository")
    copy = services.practice_copy(context=context, practice=practice, district=reads.acting_district(context))
    messages.success(request, gettext("The practice is copied to your district as a draft to adapt."))
    return redirect("progress-practice", copy.pk)


# District administration: inquiry settings, advancement rules, exemplar trajectories ----------------------


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_settings(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    found = reads.inquiry_settings_get(context=context)
    form = InquirySettingsForm(request.POST or None, settings=found.settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.inquiry_settings_update(context=context, district=found.district, values=form.values())
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(
                request, gettext("The inquiry settings are saved; pace and alerts use them from now on.")
            )
            return redirect("progress-inquiry-settings")
    return render(
        request,
        "progress/inquiry_settings.html",
        {"form": form, "district": found.district, "settings": found.settings},
        status=_status(request),
    )


def _rule_forms(
    request: HttpRequest, district: Organization, rule: AdvancementRule | None
) -> tuple[AdvancementRuleForm, BaseRequirementFormSet]:
    data = request.POST if request.method == "POST" else None
    form = AdvancementRuleForm(data, rule=rule)
    competencies = reads.rule_competencies(district)
    requirements = RequirementFormSet(
        data,
        prefix="requirements",
        initial=[{"competency": r.competency_id, "min_level": r.min_level} for r in rule.requirements.all()]
        if rule
        else None,
        form_kwargs={"competencies": competencies, "choices": competency_choices(competencies)},
    )
    return form, requirements  # type: ignore[return-value]


def _rules(request: HttpRequest, rule: AdvancementRule | None = None) -> HttpResponse:
    """The district's rules and a form for one: a new rule, or `rule` with its course code fixed."""
    context = request_context(request)
    page = reads.advancement_rules_page(context=context)
    district = rule.district if rule else page.district
    form, requirements = _rule_forms(request, district, rule)
    if request.method == "POST" and form.is_valid() and requirements.is_valid():
        data = form.cleaned_data
        try:
            saved = services.advancement_rule_save(
                context=context,
                district=district,
                course_code=data["course_code"],
                next_course_code=data["next_course_code"],
                title=data["title"],
                requirements=requirements.requirements(),
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(
                request,
                gettext("What %(course)s requires to move on to %(next)s is saved.")
                % {"course": saved.course_code, "next": saved.next_course_code},
            )
            return redirect("progress-advancement-rules")
    return render(
        request,
        "progress/advancement_rules.html",
        {"page": page, "rule": rule, "form": form, "requirements": requirements},
        status=_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def advancement_rules(request: HttpRequest) -> HttpResponse:
    return _rules(request)


@login_required
@require_http_methods(["GET", "POST"])
def advancement_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = reads.advancement_rule_get(context=request_context(request), rule_id=rule_id)
    return _rules(request, rule)


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_new(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    district = reads.administered_district(context, Action.PUBLISH_REPOSITORY, "progress-repository")
    form = ExemplarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exemplar_publish(
                context=context,
                district=district,
                target_years=form.cleaned_data["target_years"],
                title=form.cleaned_data["title"],
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The exemplar trajectory is published for every district."))
            return redirect("progress-repository")
    return render(
        request,
        "progress/exemplar_form.html",
        {"form": form, "district": district, "exemplars": reads.district_exemplars(district)},
        status=_status(request),
    )
