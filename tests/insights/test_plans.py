"""The schools' action plans (CSDE's Cycle of Action): a goal on a dashboard measure, its actions with owners
and dates, the measure read at each refresh against the goal; opened from scratch or from a subgroup alert;
who may see and change them; conflicts; the audit; the pages' query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict, Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditEvent, Organization, User
from waypoint.insights.models import ActionPlan, ActionStep, GroupFigures, PlanReading, PlanStatus
from waypoint.insights.selectors.plans import group_of_alert
from waypoint.insights.services import plans as services
from waypoint.progress.models import Alert, AlertKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=180)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def school(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def figures(school: Organization, dimension: str, subgroup: str, **counts: Any) -> GroupFigures:
    """The refreshed figures of one group at a school, replacing whatever a refresh left for it."""
    GroupFigures.objects.filter(school=school, dimension=dimension, subgroup=subgroup).delete()
    return GroupFigures.objects.create(
        district_id=school.parent_id,
        school=school,
        grade=10,
        cohort=TODAY.year - 1,
        dimension=dimension,
        subgroup=subgroup,
        **counts,
    )


def context_of(user: User) -> RequestContext:
    return RequestContext(user=user)


def new_plan(user: User, school_id: int, **changes: Any) -> ActionPlan:
    arguments: dict[str, Any] = {
        "school_id": school_id,
        "title": "More Hispanic students on track",
        "measure": "on_track_share",
        "dimension": "race",
        "subgroup": "hispanic",
        "grade": None,
        "cohort": None,
        "goal": 80.0,
        "goal_on": LATER,
        "rationale": "The dashboard shows a gap.",
    }
    return services.plan_create(context=context_of(user), **(arguments | changes))


def audit_rows(object_type: str, action: str, object_id: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=object_type, action=action, object_id=str(object_id)))


# Creating ---------------------------------------------------------------------------------------------------


def test_a_district_admin_opens_a_plan_with_its_baseline_actions_and_audit(demo: Demo) -> None:
    high = school("riverside-high")
    figures(high, "race", "hispanic", students=40, paced=40, ahead=10, on_track=20, at_risk=6, off_track=4)
    admin = demo.users["district-admin"]
    teacher = demo.users["teacher"]
    plan = new_plan(
        admin,
        high.pk,
        steps=[services.StepIn("Weekly data team on pace", teacher.pk, TODAY + datetime.timedelta(days=14))],
    )
    plan.refresh_from_db()
    assert plan.district_id == demo.riverside.pk
    assert plan.baseline == 75.0  # (10 + 20) / 40 paced
    assert plan.status == PlanStatus.OPEN
    assert plan.created_by == admin
    (step,) = plan.steps.all()
    assert step.owner == teacher
    assert step.district_id == demo.riverside.pk
    (created,) = audit_rows("action-plan", "create", plan.pk)
    assert created.district_id == demo.riverside.pk
    assert created.actor == admin
    assert len(audit_rows("action-step", "create", step.pk)) == 1


def test_a_hidden_baseline_is_none_not_a_figure(demo: Demo) -> None:
    high = school("riverside-high")
    figures(high, "race", "hispanic", students=8, paced=8, ahead=4, on_track=3)
    plan = new_plan(demo.users["district-admin"], high.pk)
    assert plan.baseline is None


def test_a_plan_opened_from_the_demo_subgroup_alert_takes_its_school_and_group(demo: Demo) -> None:
    alert = (
        Alert.objects.filter(kind="subgroup_pace", district=demo.riverside, school__isnull=False)
        .order_by("id")
        .first()
    )
    assert alert is not None, "the progress demo fires a subgroup alert at Riverside High"
    expected = group_of_alert(alert.facts["group"])
    assert expected is not None
    admin = client_for(demo.users["district-admin"])
    form_page = admin.get(reverse("insights-plan-new"), {"alert": alert.pk})
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert form.initial["school"] == alert.school_id
    assert form.initial["group"] == f"{expected[0]}:{expected[1]}"
    assert form.initial["measure"] == "mean_pace"
    response = admin.post(
        f"{reverse('insights-plan-new')}?alert={alert.pk}",
        {
            # A crafted school and group are ignored: the alert decides them (the fields are disabled).
            "school": school("riverside-middle").pk,
            "group": "gender:male",
            "title": "Pace of the group",
            "measure": "mean_pace",
            "goal": "1.5",
            "goal_on": LATER.isoformat(),
        },
    )
    assert response.status_code == 302
    plan = demo.added(ActionPlan).get(alert=alert)
    assert (plan.school_id, plan.dimension, plan.subgroup) == (alert.school_id, *expected)
    assert plan.measure == "mean_pace"
    assert response["Location"] == reverse("insights-plan", args=[plan.pk])


def test_the_service_refuses_another_school_or_group_than_the_alerts(demo: Demo) -> None:
    alert = Alert.objects.filter(kind="subgroup_pace", district=demo.riverside).first()
    assert alert is not None
    before = ActionPlan.objects.count()
    with pytest.raises(Invalid) as refused:
        new_plan(
            demo.users["district-admin"],
            school("riverside-middle").pk,
            measure="mean_pace",
            goal=1.0,
            dimension="gender",
            subgroup="nonbinary",
            alert_id=alert.pk,
        )
    assert len(refused.value.problems) == 2
    assert ActionPlan.objects.count() == before


def test_the_alert_group_of_each_kind_of_fact() -> None:
    assert group_of_alert("race:hispanic") == ("race", "hispanic")
    assert group_of_alert("gender:female") == ("gender", "female")
    assert group_of_alert("english_learner") == ("english_learner", "yes")
    assert group_of_alert("economically_disadvantaged") == ("economically_disadvantaged", "yes")
    assert group_of_alert("race:martian") is None
    assert group_of_alert("all") is None
    assert group_of_alert("") is None


def test_an_alert_of_another_district_or_a_students_alert_answers_404(demo: Demo) -> None:
    hillcrest_high = school("hillcrest-high")
    other = Alert.objects.create(
        district=demo.hillcrest,
        school=hillcrest_high,
        kind=AlertKind.SUBGROUP_PACE,
        cause=f"subgroup:{hillcrest_high.pk}:english_learner:test",
        facts={"group": "english_learner", "school": hillcrest_high.name},
    )
    student_alert = Alert.objects.create(
        district=demo.riverside, student=demo.student, kind=AlertKind.STUCK, cause="plans-test-stuck"
    )
    admin = client_for(demo.users["district-admin"])
    url = reverse("insights-plan-new")
    assert admin.get(url, {"alert": other.pk}).status_code == 404
    assert admin.get(url, {"alert": student_alert.pk}).status_code == 404
    with pytest.raises(NotVisible):
        new_plan(demo.users["district-admin"], None, measure="mean_pace", goal=1.0, alert_id=other.pk)


def test_bad_input_is_refused_with_every_reason_and_writes_nothing(demo: Demo) -> None:
    high = school("riverside-high")
    hillcrest_teacher = User.objects.filter(
        role_assignments__district=demo.hillcrest, role_assignments__role="teacher"
    ).first()
    assert hillcrest_teacher is not None
    plans_before, steps_before, audit_before = (
        ActionPlan.objects.count(),
        ActionStep.objects.count(),
        AuditEvent.objects.filter(object_type__in=["action-plan", "action-step"], action="create").count(),
    )
    with pytest.raises(Invalid) as refused:
        new_plan(
            demo.users["district-admin"],
            high.pk,
            title="  ",
            goal=150.0,
            goal_on=TODAY,
            subgroup="martian",
            steps=[services.StepIn("Tutoring", hillcrest_teacher.pk, TODAY - datetime.timedelta(days=1))],
        )
    reasons = " ".join(refused.value.problems)
    for words in ("title", "between 0 and 100", "future", "martian", "staff", "past"):
        assert words in reasons
    with pytest.raises(Invalid, match="no measure"):
        new_plan(demo.users["district-admin"], high.pk, measure="pace'; DROP TABLE x;--")
    with pytest.raises(Invalid, match="between 0 and 50"):
        new_plan(demo.users["district-admin"], high.pk, measure="mean_pace", goal=51.0)
    assert ActionPlan.objects.count() == plans_before
    assert ActionStep.objects.count() == steps_before
    assert (
        AuditEvent.objects.filter(object_type__in=["action-plan", "action-step"], action="create").count()
        == audit_before
    )


def test_the_form_shows_the_problems_with_status_400(demo: Demo) -> None:
    before = ActionPlan.objects.count()
    response = client_for(demo.users["district-admin"]).post(
        reverse("insights-plan-new"),
        {
            "school": school("riverside-high").pk,
            "title": "Too much",
            "measure": "on_track_share",
            "group": "all:all",
            "goal": "101",
            "goal_on": LATER.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "between 0 and 100" in response.content.decode()
    assert ActionPlan.objects.count() == before


# Who may ----------------------------------------------------------------------------------------------------


def test_a_teacher_is_refused_plans(demo: Demo) -> None:
    high = school("riverside-high")
    plan = new_plan(demo.users["district-admin"], high.pk)
    teacher = client_for(demo.users["teacher"])
    assert teacher.get(reverse("insights-plans")).status_code == 403
    assert teacher.get(reverse("insights-plan-new")).status_code == 403
    assert teacher.get(reverse("insights-plan", args=[plan.pk])).status_code == 403
    assert teacher.post(reverse("insights-plan-step-done", args=[plan.pk, 1])).status_code == 403
    with pytest.raises(NotPermitted):
        new_plan(demo.users["teacher"], high.pk)
    assert AuditEvent.objects.filter(
        object_type="action-plan", action="denied", actor=demo.users["teacher"]
    ).exists()


def test_a_school_admin_of_another_school_gets_404(demo: Demo) -> None:
    middle = school("riverside-middle")
    plan = new_plan(demo.users["district-admin"], middle.pk)
    principal = client_for(demo.users["school-admin"])  # Riverside High's
    assert principal.get(reverse("insights-plan", args=[plan.pk])).status_code == 404
    assert (
        principal.post(
            reverse("insights-plan", args=[plan.pk]),
            {"status": "closed", "goal": "80", "goal_on": LATER.isoformat(), "updated_at": "2020-01-01"},
        ).status_code
        == 404
    )
    assert principal.post(reverse("insights-plan-steps", args=[plan.pk]), {}).status_code == 404
    assert plan.pk not in [p.pk for p in principal.get(reverse("insights-plans")).context["page"].items]
    with pytest.raises(NotVisible):
        new_plan(demo.users["school-admin"], middle.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN


def test_the_school_admin_reads_and_changes_their_schools_plan(demo: Demo) -> None:
    plan = new_plan(demo.users["district-admin"], school("riverside-high").pk)
    principal = client_for(demo.users["school-admin"])
    page = principal.get(reverse("insights-plan", args=[plan.pk]))
    assert page.status_code == 200
    assert plan.title in page.content.decode()
    assert AuditEvent.objects.filter(
        object_type="action-plan", action="view", object_id=str(plan.pk), district=demo.riverside
    ).exists()


# Actions and status -----------------------------------------------------------------------------------------


def test_actions_are_added_marked_done_and_overdue_ones_shown(demo: Demo) -> None:
    plan = new_plan(demo.users["district-admin"], school("riverside-high").pk)
    principal = client_for(demo.users["school-admin"])
    owner = demo.users["advisor"]
    added = principal.post(
        reverse("insights-plan-steps", args=[plan.pk]),
        {"description": "Pace check-ins", "owner": owner.pk, "due_on": (TODAY + datetime.timedelta(days=7))},
    )
    assert added.status_code == 302
    step = ActionStep.objects.get(plan=plan, description="Pace check-ins")
    assert step.owner == owner
    assert len(audit_rows("action-step", "create", step.pk)) == 1
    # An action whose date has passed (written directly: the service refuses a past due date).
    ActionStep.objects.create(
        plan=plan,
        district=demo.riverside,
        description="Family nights",
        owner=owner,
        due_on=TODAY - datetime.timedelta(days=3),
    )
    body = principal.get(reverse("insights-plan", args=[plan.pk])).content.decode()
    assert "Family nights" in body
    assert "Overdue" in body
    done = principal.post(reverse("insights-plan-step-done", args=[plan.pk, step.pk]))
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.done_on == TODAY
    assert len(audit_rows("action-step", "update", step.pk)) == 1
    # A second person marking it at the same moment: a conflict with its reason, nothing changes.
    again = principal.post(reverse("insights-plan-step-done", args=[plan.pk, step.pk]))
    assert again.status_code == 409
    assert "already marked done" in again.content.decode()
    assert len(audit_rows("action-step", "update", step.pk)) == 1


def test_an_owner_outside_the_district_is_refused(demo: Demo) -> None:
    plan = new_plan(demo.users["district-admin"], school("riverside-high").pk)
    outsider = User.objects.filter(role_assignments__district=demo.hillcrest).first()
    assert outsider is not None
    with pytest.raises(Invalid, match="staff"):
        services.step_add(
            context=context_of(demo.users["district-admin"]),
            plan_id=plan.pk,
            description="Tutoring",
            owner_id=outsider.pk,
            due_on=LATER,
        )
    assert not plan.steps.exists()


def test_a_step_of_another_plan_answers_404(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    first = new_plan(admin, school("riverside-high").pk)
    second = new_plan(admin, school("riverside-high").pk, title="Second")
    step = services.step_add(
        context=context_of(admin), plan_id=first.pk, description="A", owner_id=admin.pk, due_on=LATER
    )
    with pytest.raises(NotVisible):
        services.step_done(context=context_of(admin), plan_id=second.pk, step_id=step.pk)


def test_the_status_changes_and_a_stale_update_is_a_conflict(demo: Demo) -> None:
    plan = new_plan(demo.users["district-admin"], school("riverside-high").pk)
    seen = plan.updated_at
    principal = client_for(demo.users["school-admin"])
    url = reverse("insights-plan", args=[plan.pk])
    form = {"goal": "85", "goal_on": LATER.isoformat(), "updated_at": seen.isoformat()}
    first = principal.post(url, {**form, "status": PlanStatus.CLOSED})
    assert first.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.goal) == (PlanStatus.CLOSED, 85.0)
    (update,) = audit_rows("action-plan", "update", plan.pk)
    assert update.district_id == demo.riverside.pk
    # Someone who opened the page before that change saves theirs: refused, not overwritten.
    stale = client_for(demo.users["district-admin"]).post(url, {**form, "status": PlanStatus.MET})
    assert stale.status_code == 409
    assert "Someone else changed this plan" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert len(audit_rows("action-plan", "update", plan.pk)) == 1
    # A closed plan takes no new action.
    with pytest.raises(Conflict):
        services.step_add(
            context=context_of(demo.users["district-admin"]),
            plan_id=plan.pk,
            description="Late",
            owner_id=demo.users["district-admin"].pk,
            due_on=LATER,
        )


def test_a_bad_status_or_goal_is_400_and_changes_nothing(demo: Demo) -> None:
    plan = new_plan(demo.users["district-admin"], school("riverside-high").pk)
    response = client_for(demo.users["school-admin"]).post(
        reverse("insights-plan", args=[plan.pk]),
        {
            "status": "open",
            "goal": "-5",
            "goal_on": LATER.isoformat(),
            "updated_at": plan.updated_at.isoformat(),
        },
    )
    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.goal == 80.0
    with pytest.raises(Invalid, match="status"):
        services.plan_update(context=context_of(demo.users["district-admin"]), plan_id=plan.pk, status="won")


# Readings ---------------------------------------------------------------------------------------------------


def test_readings_over_two_days_one_hidden_and_the_page_tracks_them(demo: Demo) -> None:
    high = school("riverside-high")
    figures(high, "english_learner", "yes", students=30, paced=30, ahead=5, on_track=10, off_track=15)
    plan = new_plan(
        demo.users["district-admin"], high.pk, dimension="english_learner", subgroup="yes", goal=70.0
    )
    day_one, day_two = TODAY, TODAY + datetime.timedelta(days=1)
    assert services.record_readings(district_id=demo.riverside.pk, on=day_one) >= 1
    # The group shrinks below the minimum size: the next reading is hidden.
    figures(high, "english_learner", "yes", students=12, paced=12, ahead=2, on_track=8, off_track=2)
    services.record_readings(district_id=demo.riverside.pk, on=day_two)
    # A second refresh the same day replaces that day's reading.
    services.record_readings(district_id=demo.riverside.pk, on=day_two)
    readings = list(PlanReading.objects.filter(plan=plan).order_by("measured_on"))
    assert [(r.measured_on, r.value) for r in readings] == [(day_one, 50.0), (day_two, None)]
    assert all(r.district_id == demo.riverside.pk for r in readings)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    page = client_for(demo.users["school-admin"]).get(reverse("insights-plan", args=[plan.pk]))
    table = page.context["table"]
    assert [row.cells[0].text for row in table.rows] == ["50 %", "50 %", "*"]
    assert all(row.cells[1].value == 70.0 for row in table.rows)
    chart = page.context["chart"]
    assert chart["type"] == "line"
    reading_series, goal_series = chart["series"]
    assert reading_series["values"] == [50.0, 50.0, None]
    assert goal_series["values"] == [70.0, 70.0, 70.0]
    body = page.content.decode()
    assert 'id="chart-data-readings"' in body
    assert "<caption" in body


def test_a_reading_that_reaches_the_goal_marks_the_plan_met(demo: Demo) -> None:
    high = school("riverside-high")
    figures(high, "gender", "female", students=30, paced=30, off_track=20, at_risk=4)
    plan = new_plan(
        demo.users["district-admin"],
        high.pk,
        measure="off_track_share",
        dimension="gender",
        subgroup="female",
        goal=40.0,
    )
    assert plan.baseline == 80.0
    services.record_readings(district_id=demo.riverside.pk, on=TODAY)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN  # lower is better: 80 % is not yet 40 %
    figures(high, "gender", "female", students=30, paced=30, off_track=6, at_risk=4)
    services.record_readings(district_id=demo.riverside.pk, on=TODAY + datetime.timedelta(days=1))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.MET
    # A plan no longer open is not read again.
    services.record_readings(district_id=demo.riverside.pk, on=TODAY + datetime.timedelta(days=2))
    assert plan.readings.count() == 2


# Query counts -----------------------------------------------------------------------------------------------


def test_the_list_page_has_a_bounded_query_count(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    admin = demo.users["district-admin"]
    for number in range(12):
        plan = new_plan(admin, school("riverside-high").pk, title=f"Plan {number}")
        services.step_add(
            context=context_of(admin), plan_id=plan.pk, description="A", owner_id=admin.pk, due_on=LATER
        )
        services.record_readings(district_id=demo.riverside.pk, on=TODAY)
    client = client_for(admin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("insights-plans"))
    assert response.status_code == 200
    assert "Plan 11" in response.content.decode()


def test_the_plan_page_has_a_bounded_query_count(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    admin = demo.users["district-admin"]
    plan = new_plan(admin, school("riverside-high").pk)
    for number in range(10):
        services.step_add(
            context=context_of(admin),
            plan_id=plan.pk,
            description=f"Action {number}",
            owner_id=demo.users["advisor"].pk,
            due_on=LATER,
        )
        services.record_readings(district_id=demo.riverside.pk, on=TODAY + datetime.timedelta(days=number))
    client = client_for(admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("insights-plan", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Mark done") == 10


# The link from the alert ------------------------------------------------------------------------------------


def test_the_subgroup_alert_page_links_to_a_new_plan(demo: Demo) -> None:
    alert = Alert.objects.filter(kind="subgroup_pace", district=demo.riverside).first()
    assert alert is not None
    page = client_for(demo.users["school-admin"]).get(reverse("progress-alert", args=[alert.pk]))
    assert page.status_code == 200
    assert f"{reverse('insights-plan-new')}?alert={alert.pk}" in page.content.decode()
