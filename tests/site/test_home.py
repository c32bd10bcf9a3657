"""Role homes: every demo role gets the panels that answer "what needs me today", with counts that match the
database, an empty state when there is nothing, nothing from another district, and a number of queries that
does not grow with the number of sections, students or pieces of work."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.factories import (
    CaseloadFactory,
    EnrollmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    RosterFactory,
    SectionFactory,
    SectionTeacherFactory,
    UserFactory,
)
from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.home import HomePanel
from waypoint.core.models import (
    AdvisorAssignment,
    AuditEvent,
    Organization,
    Role,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentEnrollment,
    User,
)
from waypoint.evidence.models import Assessment, Evidence, EvidenceStatus, Feedback, Score
from waypoint.evidence.selectors import InboxFilter, evidence_inbox
from waypoint.frameworks.models import Competency, FrameworkVersion, VersionStatus
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.pathways.models import OPEN_STATUSES, PathProposal, PathStatus
from waypoint.profiles.models import PlanAcknowledgement, SuccessPlan
from waypoint.site.navigation import navigation

pytestmark = pytest.mark.django_db

# The panels each demo role must see (other apps may add more, e.g. notifications).
EXPECTED: dict[str, set[str]] = {
    "student": {
        "revision-requests",
        "feedback",
        "progress",
        "milestones",
        "my-paths",
        "suggestions",
        "own-record",
    },
    "guardian": {"children-progress", "children-feedback", "plan-acknowledgements", "children"},
    "teacher": {"to-score", "resubmitted", "approvals", "gradebooks", "certification"},
    "teacher-uncertified": {"to-score", "resubmitted", "gradebooks", "certification"},
    "advisor": {"approvals", "plans-due", "quiet-caseload", "caseload"},
    "mentor": {"mentored-paths"},
    "school-admin": {"approvals", "data-quality", "students-in-scope"},
    "district-admin": {"approvals", "data-quality", "students-in-scope", "drafts", "imports"},
    "state-analyst": {"state-overview"},
}
# Panels a role must not see: staff work for families, student rows for the state, frameworks for schools.
NOT_EXPECTED: dict[str, set[str]] = {
    "student": {"to-score", "approvals", "children-progress", "state-overview"},
    "guardian": {"to-score", "progress", "approvals", "plans-due"},
    "teacher": {"drafts", "imports", "state-overview", "children-progress", "plans-due"},
    "mentor": {"to-score", "approvals", "progress", "children", "students-in-scope"},
    "school-admin": {"drafts", "imports", "state-overview", "to-score", "resubmitted"},
    # Administrators who do not score get the data, quality and approval panels, not a scorer's inbox.
    "district-admin": {"to-score", "resubmitted"},
    "state-analyst": {"to-score", "students-in-scope", "children", "approvals", "data-quality"},
}
# Upper bounds, per role, on the queries of one home page (session, request context, every app's panels, the
# navigation once, and the request's one audit insert). They hold whatever the size of the district: see the
# growth tests below.
QUERY_LIMITS = {
    "student": 30,
    "guardian": 21,
    "teacher": 32,
    "teacher-uncertified": 27,
    "advisor": 22,
    "mentor": 14,
    "school-admin": 26,
    "district-admin": 44,
    "state-analyst": 12,
}


def visit(client: Client, user: User) -> tuple[str, dict[str, HomePanel]]:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    panels = {shown.panel.key: shown.panel for shown in response.context["panels"]}
    return response.content.decode(), panels


def count_queries(client: Client, user: User) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


def awaiting(students: Q | None = None) -> int:
    return Evidence.objects.filter(students or Q(), status=EvidenceStatus.AWAITING_SCORE).count()


def taught_today(teacher: User) -> list[Section]:
    today = policy.today()
    teaching = SectionTeacher.objects.filter(policy.active_on(today), teacher=teacher).values("section_id")
    return list(Section.objects.filter(id__in=teaching, starts_on__lte=today, ends_on__gte=today))


def roster_students(sections: list[Section]) -> set[int]:
    return set(
        SectionEnrollment.objects.filter(policy.active_on(policy.today()), section__in=sections).values_list(
            "student_id", flat=True
        )
    )


def a_leaf(district: Organization) -> Competency:
    found = (
        Competency.objects.filter(version__status=VersionStatus.PUBLISHED, children__isnull=True)
        .filter(Q(version__framework__owner=district) | Q(version__framework__adoptions__district=district))
        .order_by("path")
        .first()
    )
    assert found is not None
    return found


def waiting_work(section: Section, student: Student, author: User, **extra: object) -> Evidence:
    """A piece of work answering an assessment of the section, waiting for a score."""
    competency = a_leaf(section.district)
    assessment = Assessment.objects.create(
        district=section.district,
        title=f"Task of {section.title}",
        framework_version=competency.version,
        section=section,
        created_by=author,
    )
    evidence = Evidence.objects.create(
        district=section.district,
        student=student,
        assessment=assessment,
        framework_version=competency.version,
        title=f"Work for {section.title}",
        recorded_by=author,
        **extra,
    )
    evidence.competencies.add(competency)
    return evidence


# Every role -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_its_panels_and_not_others(client: Client, demo: Demo, username: str) -> None:
    html, panels = visit(client, demo.users[username])
    assert EXPECTED[username] <= set(panels), sorted(set(panels))
    assert not NOT_EXPECTED.get(username, set()) & set(panels)
    for key in EXPECTED[username]:
        assert f'id="panel-{key}"' in html
        panel = panels[key]
        # Each panel answers its question: a title and either items, its own body or a sentence for "nothing".
        assert panel.title
        assert panel.items or panel.template or panel.empty or panel.intro, key
        for item in panel.items:
            assert item.url.startswith("/"), (key, item)


@pytest.mark.parametrize("username", sorted(QUERY_LIMITS))
def test_each_home_stays_under_its_query_limit(
    client: Client, demo: Demo, username: str, django_assert_max_num_queries: object
) -> None:
    client.force_login(demo.users[username])
    with django_assert_max_num_queries(QUERY_LIMITS[username]):  # type: ignore[operator]
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("username", ["student", "teacher"])
def test_a_home_stores_its_audit_events_in_one_insert(client: Client, demo: Demo, username: str) -> None:
    client.force_login(demo.users[username])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum(sql.startswith('INSERT INTO "core_auditevent"') for sql in statements) == 1


def test_the_navigation_is_built_once_per_request(demo: Demo, django_assert_num_queries: object) -> None:
    """Every template rendered with the request runs the context processor (the home page renders its
    panels' templates too); the links and their queries (the unread count, visible students) come once."""
    request = RequestFactory().get("/")
    request.user = demo.users["teacher"]
    first = navigation(request)
    with django_assert_num_queries(0):  # type: ignore[operator]
        again = navigation(request)
    assert again == first
    assert first["nav_items"]


@pytest.mark.parametrize("username", sorted(set(EXPECTED) - {"state-analyst"}))
def test_no_home_names_a_student_of_another_district(client: Client, demo: Demo, username: str) -> None:
    html, _ = visit(client, demo.users[username])
    # A student who moved between districts has a record in each, under the same name.
    outsiders = Student.objects.filter(
        district=demo.hillcrest, transfers_in__isnull=True, transfers_out__isnull=True
    )
    assert outsiders.exists()
    for student in outsiders:
        assert student.full_name not in html


def test_a_person_without_a_role_is_told_so(client: Client) -> None:
    html, panels = visit(client, UserFactory())
    assert panels == {}
    assert "Your account has no active role today" in html


# Students ---------------------------------------------------------------------------------------------------


def test_student_home_counts_revisions_and_progress_as_the_database_does(client: Client, demo: Demo) -> None:
    jordan = demo.student
    _, panels = visit(client, demo.users["student"])
    asked = Evidence.objects.filter(student=jordan, status=EvidenceStatus.REVISION_REQUESTED)
    assert panels["revision-requests"].waiting == asked.count()
    assert {item.url for item in panels["revision-requests"].items} <= {
        reverse("evidence-detail", args=[pk]) for pk in asked.values_list("pk", flat=True)
    }
    levels = MasteryLevel.objects.filter(student=jordan, rolled_up=False, level__isnull=False)
    assessed, proficient = levels.count(), levels.filter(meets_mastery=True).count()
    progress = panels["progress"].items[0]
    assert progress.url == reverse("student-mastery", args=[jordan.pk])
    assert f"proficient in {proficient} of {assessed} competencies assessed" in progress.detail
    since = timezone.now() - datetime.timedelta(days=30)
    moved = 0
    for level in levels:
        before = (
            MasteryLevelChange.objects.filter(
                student=jordan, competency=level.competency, changed_at__lt=since
            )
            .order_by("-changed_at", "-id")
            .first()
        )
        if (
            before is not None
            and before.level is not None
            and level.level is not None
            and before.level < level.level
        ):
            moved += 1
    assert (f"{moved} moved up this month" in progress.detail) == bool(moved)


def test_student_sees_a_new_revision_request_and_its_note(client: Client, demo: Demo) -> None:
    jordan, teacher = demo.student, demo.users["teacher"]
    section = Section.objects.filter(teachers=teacher, roster__student=jordan).first()
    assert section is not None
    work = waiting_work(section, jordan, demo.users["student"], status=EvidenceStatus.REVISION_REQUESTED)
    Feedback.objects.create(
        district=jordan.district,
        evidence=work,
        author=teacher,
        body="Show your steps.",
        requests_revision=True,
    )
    before = Evidence.objects.filter(student=jordan, status=EvidenceStatus.REVISION_REQUESTED).count()
    _, panels = visit(client, demo.users["student"])
    panel = panels["revision-requests"]
    assert panel.waiting == before
    assert panel.tone == "action"
    if before <= 5:
        (item,) = [item for item in panel.items if item.url == reverse("evidence-detail", args=[work.pk])]
        assert item.detail == "Show your steps."


def test_student_plan_paths_and_explainer(client: Client, demo: Demo) -> None:
    jordan = demo.student
    _, panels = visit(client, demo.users["student"])
    open_paths = PathProposal.objects.filter(student=jordan, status__in=OPEN_STATUSES)
    shown = {item.url for item in panels["my-paths"].items}
    assert shown <= {reverse("path-detail", args=[pk]) for pk in open_paths.values_list("pk", flat=True)}
    assert len(shown) == min(5, open_paths.count())
    for item in panels["milestones"].items:
        assert item.url == reverse("success-plan", args=[jordan.pk])
    assert all(item.url.startswith("/opportunities/") for item in panels["suggestions"].items)
    try:
        explainer = reverse("how-learning-is-measured")
    except NoReverseMatch:  # the explainer page is built elsewhere; until it exists no link points at it
        assert panels["progress"].action is None
    else:
        assert panels["progress"].action is not None
        assert panels["progress"].action.url == explainer


# Guardians --------------------------------------------------------------------------------------------------


def test_guardian_reads_each_childs_progress_in_plain_words_and_is_audited(
    client: Client, demo: Demo
) -> None:
    guardian, jordan = demo.users["guardian"], demo.student
    _, panels = visit(client, guardian)
    (child,) = panels["children-progress"].items
    assert child.label == jordan.full_name
    assert child.url == reverse("student-mastery", args=[jordan.pk])
    levels = MasteryLevel.objects.filter(student=jordan, rolled_up=False, level__isnull=False)
    name = jordan.preferred_name or jordan.first_name
    expected = f"{name} is proficient in {levels.filter(meets_mastery=True).count()} of {levels.count()}"
    assert child.detail.startswith(expected)
    assert AuditEvent.objects.filter(actor=guardian, object_type="home", student=jordan).exists()


def test_guardian_is_asked_to_acknowledge_a_changed_plan(client: Client, demo: Demo) -> None:
    guardian, jordan = demo.users["guardian"], demo.student
    plan = SuccessPlan.objects.get(student=jordan)
    acknowledged = PlanAcknowledgement.objects.filter(
        plan=plan, guardian=guardian, revision__gte=plan.revision
    )
    _, panels = visit(client, guardian)
    assert panels["plan-acknowledgements"].waiting == (0 if acknowledged.exists() else 1)
    SuccessPlan.objects.filter(pk=plan.pk).update(revision=plan.revision + 1)
    html, panels = visit(client, guardian)
    panel = panels["plan-acknowledgements"]
    assert panel.waiting == 1
    assert panel.items[0].url == reverse("success-plan", args=[jordan.pk])
    assert "Needs you today" in html
    PlanAcknowledgement.objects.create(
        plan=plan, district=plan.district, guardian=guardian, revision=plan.revision + 1
    )
    html, panels = visit(client, guardian)
    assert panels["plan-acknowledgements"].waiting == 0
    assert "You have acknowledged every plan." in html


def test_what_needs_the_reader_comes_before_what_is_new(client: Client, demo: Demo) -> None:
    """On a phone the panels stack in the page's order: the plan to acknowledge ("Needs you today") must not
    sit below the notifications."""
    guardian, jordan = demo.users["guardian"], demo.student
    plan = SuccessPlan.objects.get(student=jordan)
    SuccessPlan.objects.filter(pk=plan.pk).update(revision=plan.revision + 1)
    html, panels = visit(client, guardian)
    assert panels["plan-acknowledgements"].waiting == 1
    assert "notifications" in panels
    keys = list(panels)
    assert keys.index("plan-acknowledgements") < keys.index("notifications") < keys.index("children-progress")
    assert html.index('id="panel-plan-acknowledgements"') < html.index('id="panel-notifications"')


def test_an_action_panel_with_nothing_waiting_sinks_below_the_others(client: Client, demo: Demo) -> None:
    """It keeps its empty state, but does not take the top of the page from panels that have something."""
    html, panels = visit(client, demo.users["guardian"])
    idle = panels["plan-acknowledgements"]
    assert not idle.items, "the demo guardian has acknowledged every plan"
    assert idle.empty in html
    assert html.index('id="panel-children-progress"') < html.index('id="panel-plan-acknowledgements"')


def test_guardian_sees_recent_feedback_on_their_childs_work(client: Client, demo: Demo) -> None:
    guardian, jordan, teacher = demo.users["guardian"], demo.student, demo.users["teacher"]
    section = Section.objects.filter(teachers=teacher, roster__student=jordan).first()
    assert section is not None
    work = waiting_work(section, jordan, demo.users["student"])
    Feedback.objects.create(district=jordan.district, evidence=work, author=teacher, body="A clear model.")
    _, panels = visit(client, guardian)
    first = panels["children-feedback"].items[0]
    assert first.url == reverse("evidence-detail", args=[work.pk])
    assert first.label.startswith(jordan.full_name)
    assert "A clear model." in first.detail


# Teachers ---------------------------------------------------------------------------------------------------


def test_teacher_counts_match_the_database_and_the_filtered_inbox(client: Client, demo: Demo) -> None:
    teacher = demo.users["teacher"]
    _, panels = visit(client, teacher)
    sections = taught_today(teacher)
    panel = panels["to-score"]
    in_scope = Q(student_id__in=roster_students(sections))
    assert panel.waiting == awaiting(in_scope)
    context = RequestContext(user=teacher)
    for item in panel.items:
        match = re.search(r"\?section=(\d+)$", item.url)
        if match is None:
            continue
        inbox = evidence_inbox(context=context, chosen=InboxFilter(section_id=int(match.group(1))))
        assert inbox.page.count == item.count, item
    gradebooks = {item.url for item in panels["gradebooks"].items}
    assert gradebooks == {reverse("section-gradebook", args=[section.pk]) for section in sections}
    assert "Certified teacher" in panels["certification"].intro


def test_uncertified_teacher_is_warned_before_scoring(client: Client, demo: Demo) -> None:
    html, panels = visit(client, demo.users["teacher-uncertified"])
    assert panels["certification"].tone == "warning"
    assert "Not certified" in html
    assert panels["certification"].order < panels["to-score"].order


def test_teacher_with_nothing_to_score_sees_empty_states(client: Client, demo: Demo) -> None:
    school = Organization.objects.filter(parent=demo.riverside, kind=Organization.Kind.SCHOOL).first()
    teacher = RoleFactory(organization=school).user
    SectionTeacherFactory(teacher=teacher, section__school=school)
    html, panels = visit(client, teacher)
    assert panels["to-score"].items == ()
    assert panels["to-score"].waiting == 0
    assert "Nothing is waiting for your score." in html
    assert "No revision you asked for is waiting for your score." in html
    assert len(panels["gradebooks"].items) == 1
    assert "Needs you today" not in html


def test_teacher_sees_revisions_they_asked_for(client: Client, demo: Demo) -> None:
    teacher, jordan = demo.users["teacher"], demo.student
    section = Section.objects.filter(teachers=teacher, roster__student=jordan).first()
    assert section is not None
    first = waiting_work(section, jordan, demo.users["student"], status=EvidenceStatus.REVISED)
    Feedback.objects.create(
        district=jordan.district,
        evidence=first,
        author=teacher,
        body="Again, please.",
        requests_revision=True,
    )
    second = Evidence.objects.create(
        district=jordan.district,
        student=jordan,
        assessment=first.assessment,
        framework_version=first.framework_version,
        title=first.title,
        revision_of=first,
        version=2,
        recorded_by=demo.users["student"],
    )
    asked = Evidence.objects.filter(
        status=EvidenceStatus.AWAITING_SCORE,
        revision_of__feedback__author=teacher,
        revision_of__feedback__requests_revision=True,
        student_id__in=roster_students(taught_today(teacher)),
    ).distinct()
    _, panels = visit(client, teacher)
    assert panels["resubmitted"].waiting == asked.count()
    assert second in asked
    assert AuditEvent.objects.filter(actor=teacher, object_type="home").exists()


# Advisors ---------------------------------------------------------------------------------------------------


def caseload_of(advisor: User) -> list[int]:
    return list(
        AdvisorAssignment.objects.filter(policy.active_on(policy.today()), advisor=advisor).values_list(
            "student_id", flat=True
        )
    )


def test_advisor_sees_approvals_plans_due_and_quiet_students(client: Client, demo: Demo) -> None:
    advisor = demo.users["advisor"]
    _, panels = visit(client, advisor)
    guided = policy.guided_students(advisor)
    assert (
        panels["approvals"].waiting
        == PathProposal.objects.filter(student__in=guided, status=PathStatus.PROPOSED).count()
    )
    caseload = caseload_of(advisor)
    horizon = policy.today() + datetime.timedelta(days=30)
    due = 0
    for student_id in caseload:
        plan = SuccessPlan.objects.filter(student_id=student_id).first()
        if plan is None:
            due += 1
            continue
        last = plan.reviews.order_by("-reviewed_on").first()
        if plan.review_due(last.reviewed_on if last else None) <= horizon:
            due += 1
    assert panels["plans-due"].waiting == due
    recent = timezone.now() - datetime.timedelta(days=21)
    quiet = [
        pk for pk in caseload if not Evidence.objects.filter(student_id=pk, submitted_at__gte=recent).exists()
    ]
    assert panels["quiet-caseload"].waiting == len(quiet)


def test_a_caseload_student_without_recent_work_is_named(client: Client, demo: Demo) -> None:
    advisor = demo.users["advisor"]
    school = StudentEnrollment.objects.filter(student_id__in=caseload_of(advisor)).first().school  # type: ignore[union-attr]
    newcomer = EnrollmentFactory(student__district=demo.riverside, school=school).student
    CaseloadFactory(advisor=advisor, student=newcomer)
    html, panels = visit(client, advisor)
    panel = panels["quiet-caseload"]
    assert panel.waiting >= 1
    assert newcomer.full_name in html or panel.waiting > 5
    assert AuditEvent.objects.filter(actor=advisor, object_type="home").exists()


# Mentors ----------------------------------------------------------------------------------------------------


def test_mentor_sees_each_path_and_its_new_work(client: Client, demo: Demo) -> None:
    mentor = demo.users["mentor"]
    active = policy.mentor_active_paths(mentor)
    _, panels = visit(client, mentor)
    panel = panels["mentored-paths"]
    assert {item.url for item in panel.items} == {
        reverse("path-detail", args=[pk]) for pk in active.values_list("pk", flat=True)
    }
    path = active.select_related("student").first()
    assert path is not None
    # The panel counts the paths it lists; each path's new work is in its line.
    assert panel.waiting == len(panel.items) == active.count()
    assert all(item.count is None for item in panel.items)
    since = timezone.now() - datetime.timedelta(days=14)
    before = Evidence.objects.filter(path=path, submitted_at__gte=since).count()
    competency = a_leaf(demo.riverside)
    work = Evidence.objects.create(
        district=path.district,
        student=path.student,
        framework_version=competency.version,
        title="Shop log, week 3",
        path=path,
        recorded_by=mentor,
    )
    assert work.pk
    _, panels = visit(client, mentor)
    detail = next(
        item.detail
        for item in panels["mentored-paths"].items
        if item.url == reverse("path-detail", args=[path.pk])
    )
    new = before + 1
    assert detail.startswith(f"{new} new piece{'s' if new > 1 else ''} this fortnight")
    assert panels["mentored-paths"].waiting == active.count()


def test_mentor_without_paths_is_told_what_will_appear(client: Client, demo: Demo) -> None:
    mentor = RoleFactory(role=Role.MENTOR, organization=demo.riverside).user
    html, panels = visit(client, mentor)
    assert panels["mentored-paths"].items == ()
    assert "No active learning paths are assigned to you yet" in html


# Administrators ---------------------------------------------------------------------------------------------


def test_admin_data_quality_counts_what_needs_fixing(client: Client, demo: Demo) -> None:
    admin = demo.users["school-admin"]
    school = Organization.objects.get(pk=next(g.organization_id for g in policy.grants(admin)))
    _, panels = visit(client, admin)
    before = {item.label: item.count for item in panels["data-quality"].items}
    SectionFactory(school=school)  # a section running today with no teacher
    EnrollmentFactory(student__district=demo.riverside, school=school)  # a student with no advisor
    html, panels = visit(client, admin)
    after = {item.label: item.count for item in panels["data-quality"].items}
    assert after["Sections without a teacher"] == (before.get("Sections without a teacher") or 0) + 1
    assert after["Students without an advisor"] == (before.get("Students without an advisor") or 0) + 1
    assert panels["data-quality"].tone == "warning"
    in_scope = policy.visible_students(admin).count()
    assert f"{in_scope} students you can see" in html


def test_district_admin_sees_drafts_and_imports_of_their_district(client: Client, demo: Demo) -> None:
    admin = demo.users["district-admin"]
    _, panels = visit(client, admin)
    drafts = FrameworkVersion.objects.filter(status=VersionStatus.DRAFT, framework__owner=demo.riverside)
    assert panels["drafts"].waiting == drafts.count()
    assert {item.url for item in panels["drafts"].items} <= {
        reverse("framework-version", args=[pk]) for pk in drafts.values_list("pk", flat=True)
    }
    for item in panels["imports"].items:
        version_id = int(item.url.rstrip("/").rsplit("/", 1)[1])
        assert FrameworkVersion.objects.get(pk=version_id).framework.owner == demo.riverside
    # Administrators may open the inbox, but scoring is not their work: no "Evidence to score 203".
    assert "to-score" not in panels
    assert "resubmitted" not in panels


def test_an_administrator_who_scored_this_term_keeps_the_scoring_panels(client: Client, demo: Demo) -> None:
    admin = demo.users["school-admin"]
    assert "to-score" not in visit(client, admin)[1]
    score = Score.objects.filter(district=demo.riverside, superseded_by__isnull=True).first()
    assert score is not None
    # The principal corrects a score today (scores are append-only: a correction is a new row).
    superseded = score.pk
    score.pk = None
    score.supersedes_id, score.scored_by, score.scored_at = superseded, admin, timezone.now()
    score.correction_reason = "Entered against the wrong competency."
    score.save()
    panels = visit(client, admin)[1]
    assert {"to-score", "resubmitted"} <= set(panels)


def test_the_demo_has_data_to_fix(client: Client, demo: Demo) -> None:
    """A section that started this term with no teacher yet and two new students with no advisor."""
    _, panels = visit(client, demo.users["district-admin"])
    counts = {item.label: item.count for item in panels["data-quality"].items}
    assert counts == {"Students without an advisor": 2, "Sections without a teacher": 1}
    assert panels["data-quality"].tone == "warning"


# The state --------------------------------------------------------------------------------------------------


def test_state_analyst_sees_aggregates_only(client: Client, demo: Demo) -> None:
    html, panels = visit(client, demo.users["state-analyst"])
    other_roles_panels = set().union(*EXPECTED.values()) - {"state-overview"}
    assert not set(panels) & other_roles_panels
    overview = panels["state-overview"].context["overview"]
    districts = Organization.objects.filter(kind=Organization.Kind.DISTRICT, parent=demo.riverside.parent)
    assert [row.name for row in overview.districts] == sorted(district.name for district in districts)
    assert overview.schools == Organization.objects.filter(parent__in=districts).count()
    today = policy.today()
    enrolled = (
        StudentEnrollment.objects.filter(
            policy.active_on(today, start="entry_date", end="exit_date"), district__in=districts
        )
        .values("student_id")
        .distinct()
        .count()
    )
    assert overview.students == enrolled
    assert "Alvarez" not in html
    for student in Student.objects.all()[:50]:
        assert student.full_name not in html


# Queries do not grow ----------------------------------------------------------------------------------------


def assert_flat(client: Client, user: User, grow: Callable[[], None]) -> None:
    """The home's queries are the same after the scope grew once and after it grew twice more (the first
    growth turns empty panels into full ones, which may cost a count or an audit row once)."""
    grow()
    first = count_queries(client, user)
    grow()
    grow()
    assert count_queries(client, user) == first


def test_teacher_home_queries_do_not_grow_with_sections_students_or_work(client: Client, demo: Demo) -> None:
    teacher = demo.users["teacher"]
    school = taught_today(teacher)[0].school

    def grow() -> None:
        for _ in range(2):
            section = SectionTeacherFactory(teacher=teacher, section__school=school).section
            for _ in range(3):
                waiting_work(section, RosterFactory(section=section).student, teacher)

    sections_before = len(visit(client, teacher)[1]["gradebooks"].items)
    assert_flat(client, teacher, grow)
    assert len(visit(client, teacher)[1]["gradebooks"].items) == sections_before + 6


def test_guardian_home_queries_do_not_grow_with_children(client: Client, demo: Demo) -> None:
    guardian = demo.users["guardian"]

    def grow() -> None:
        for _ in range(2):
            GuardianLinkFactory(guardian=guardian, student__district=demo.riverside)

    assert_flat(client, guardian, grow)
    assert len(visit(client, guardian)[1]["children-progress"].items) == 7


def test_advisor_home_queries_do_not_grow_with_the_caseload(client: Client, demo: Demo) -> None:
    advisor = demo.users["advisor"]

    def grow() -> None:
        for _ in range(6):
            CaseloadFactory(advisor=advisor, student__district=demo.riverside)

    assert_flat(client, advisor, grow)
    assert visit(client, advisor)[1]["quiet-caseload"].waiting >= 18


def test_district_admin_home_queries_do_not_grow_with_the_district(client: Client, demo: Demo) -> None:
    admin = demo.users["district-admin"]
    school = Organization.objects.filter(parent=demo.riverside, kind=Organization.Kind.SCHOOL).first()

    def grow() -> None:
        for _ in range(3):
            section = SectionFactory(school=school)
            waiting_work(section, RosterFactory(section=section).student, admin)

    assert_flat(client, admin, grow)
