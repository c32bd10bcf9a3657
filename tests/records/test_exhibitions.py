"""Exhibitions on top of the demo: scheduling with a panel of staff, family and community experts (its
evidence row made at once), the panel's scores (a certified teacher's set levels through the mastery
service; everyone else's are feedback), the outcome, the pages, the API, and every bad input refused with
nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import User
from waypoint.evidence.models import Evidence, EvidenceKind, Feedback, Score
from waypoint.frameworks.models import Competency
from waypoint.frameworks.selectors import district_competencies
from waypoint.records.models import (
    Exhibition,
    ExhibitionKind,
    ExhibitionOutcome,
    ExhibitionStatus,
    PanelMember,
    PanelRole,
)
from waypoint.records.services import exhibitions as services
from waypoint.records.services.exhibitions import ExhibitionError, ExhibitionPlan, Expert, PanelScore

pytestmark = pytest.mark.django_db


def competencies(demo: Demo, count: int = 2) -> list[Competency]:
    first = district_competencies(demo.riverside).order_by("version_id", "path").first()
    assert first is not None
    return list(district_competencies(demo.riverside).filter(version=first.version).order_by("path")[:count])


def schedule(
    demo: Demo,
    *,
    staff: list[str] | None = None,
    guardians: bool = True,
    experts: tuple[Expert, ...] = (Expert("Ana Ruiz", "civil engineer"),),
    collection_id: int | None = None,
    kind: str = ExhibitionKind.SENIOR_PROJECT,
    by: str = "advisor",
) -> Exhibition:
    return services.exhibition_schedule(
        context=RequestContext(user=demo.users[by]),
        student=demo.student,
        plan=ExhibitionPlan(
            kind=kind,
            title="Bridges of the river valley",
            summary="A model bridge and its load tests.",
            scheduled_at=timezone.now() + datetime.timedelta(days=7),
            location="Library",
            competency_ids=[c.pk for c in competencies(demo)],
            collection_id=collection_id,
            staff_ids=[
                demo.users[name].pk
                for name in (staff if staff is not None else ["teacher", "teacher-uncertified"])
            ],
            guardian_ids=[demo.users["guardian"].pk] if guardians else [],
            experts=experts,
        ),
    )


def _client(demo: Demo, username: str) -> Client:
    return _client_of(demo.users[username])


def _client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _level(competency: Competency) -> float:
    return competency.version.framework.scale.levels.order_by("-value").first().value  # type: ignore[union-attr]


# Scheduling -----------------------------------------------------------------------------------------------


def test_the_advisor_schedules_an_exhibition_with_its_panel_and_evidence_row_on_the_page(demo: Demo) -> None:
    chosen = competencies(demo)
    response = _client(demo, "advisor").post(
        reverse("records-exhibition-new", args=[demo.student.pk]),
        {
            "kind": "gateway",
            "title": "Grade 10 gateway",
            "summary": "Portfolio defence.",
            "scheduled_at": (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Room 12",
            "competencies": [c.pk for c in chosen],
            "staff": [demo.users["teacher"].pk],
            "guardians": [demo.users["guardian"].pk],
            "experts": "Ana Ruiz, civil engineer\nLee Park",
        },
    )
    exhibition = demo.added(Exhibition).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("records-exhibition", args=[exhibition.pk])
    assert exhibition.kind == ExhibitionKind.GATEWAY
    assert exhibition.evidence is not None
    assert exhibition.evidence.kind == EvidenceKind.OBSERVATION
    assert exhibition.evidence.title == "Grade 10 gateway"
    assert set(exhibition.evidence.competencies.values_list("pk", flat=True)) == {c.pk for c in chosen}
    panel = {(m.name, m.role, m.affiliation, m.user_id) for m in exhibition.panel.all()}
    assert ("Ana Ruiz", PanelRole.EXPERT, "civil engineer", None) in panel
    assert ("Lee Park", PanelRole.EXPERT, "", None) in panel
    assert {m.user_id for m in exhibition.panel.filter(role=PanelRole.STAFF)} == {demo.users["teacher"].pk}
    assert {m.user_id for m in exhibition.panel.filter(role=PanelRole.GUARDIAN)} == {
        demo.users["guardian"].pk
    }


def test_only_the_staff_who_guide_the_student_schedule(demo: Demo) -> None:
    url = reverse("records-exhibition-new", args=[demo.student.pk])
    for username in ("student", "guardian"):
        assert _client(demo, username).get(url).status_code == 403, username
        with pytest.raises(NotPermitted):
            schedule(demo, by=username)
    for username in ("mentor", "state-analyst", "other-teacher"):
        assert _client(demo, username).get(url).status_code == 404, username
    assert _client(demo, "teacher").get(url).status_code == 200
    assert not demo.added(Exhibition).exists()


def test_a_bad_panel_or_competency_is_refused_and_nothing_is_written(demo: Demo) -> None:
    other_competency = (
        district_competencies(demo.hillcrest)
        .exclude(pk__in=district_competencies(demo.riverside).values("pk"))
        .first()
    )
    assert other_competency is not None
    stranger_guardian = demo.users["other-teacher"]
    evidence_before = Evidence.objects.count()
    with pytest.raises(ExhibitionError) as refused:
        services.exhibition_schedule(
            context=RequestContext(user=demo.users["advisor"]),
            student=demo.student,
            plan=ExhibitionPlan(
                kind="recital",
                title="",
                scheduled_at=timezone.now(),
                competency_ids=[other_competency.pk],
                staff_ids=[demo.users["other-teacher"].pk],
                guardian_ids=[stranger_guardian.pk],
                experts=[Expert("")],
            ),
        )
    problems = " ".join(refused.value.problems)
    for expected in (
        "Choose an exhibition",
        "Give the exhibition a title",
        f"Competency {other_competency.pk} is not one of the district’s",
        "staff of the student’s district",
        "own guardians",
        "Give every community expert a name",
    ):
        assert expected in problems
    assert Evidence.objects.count() == evidence_before
    assert not demo.added(Exhibition).exists()
    assert not demo.added(PanelMember).exists()


# Scoring --------------------------------------------------------------------------------------------------


def test_a_certified_teacher_on_the_panel_sets_levels_through_the_mastery_service(demo: Demo) -> None:
    exhibition = schedule(demo)
    competency = competencies(demo)[0]
    response = _client(demo, "teacher").post(
        reverse("records-exhibition", args=[exhibition.pk]),
        {"op": "score", f"level_{competency.pk}": f"{_level(competency):g}", "comment": "Clear load tests."},
    )
    assert response.status_code == 302
    score = Score.objects.get(evidence=exhibition.evidence)
    assert score.counts_toward_mastery
    assert score.competency_id == competency.pk
    assert score.scored_by == demo.users["teacher"]
    assert not Feedback.objects.filter(evidence=exhibition.evidence).exists()


def test_everyone_elses_judgement_is_feedback_never_a_level(demo: Demo) -> None:
    exhibition = schedule(demo)
    competency = competencies(demo)[0]
    level = _level(competency)
    for username in ("teacher-uncertified", "guardian"):
        done = services.exhibition_score(
            context=RequestContext(user=demo.users[username]),
            exhibition=exhibition,
            scores=[PanelScore(competency.pk, level)],
            comment="Strong.",
        )
        assert not done.sets_levels
        assert done.feedback is not None
    expert = exhibition.panel.get(role=PanelRole.EXPERT)
    response = _client(demo, "advisor").post(
        reverse("records-exhibition", args=[exhibition.pk]),
        {"op": "score", "member": expert.pk, f"level_{competency.pk}": f"{level:g}"},
    )
    assert response.status_code == 302
    assert not Score.objects.filter(evidence=exhibition.evidence).exists()
    notes = list(Feedback.objects.filter(evidence=exhibition.evidence).order_by("pk"))
    assert len(notes) == 3
    assert "Ana Ruiz, civil engineer" in notes[2].body
    assert notes[2].author == demo.users["advisor"]


def test_a_certified_teacher_who_does_not_judge_the_student_gives_feedback(demo: Demo) -> None:
    """Levels are set only through the mastery service, which scores the evidence of students one judges: a
    certified teacher of the district on the panel who does not teach the student gives feedback."""
    on = policy.today()
    outsider = next(
        user
        for user in services.staff_choices(demo.student).exclude(pk=demo.users["teacher"].pk)
        if policy.current_certification(user) is not None
        and not policy.guided_students(user, on).filter(pk=demo.student.pk).exists()
    )
    exhibition = services.exhibition_schedule(
        context=RequestContext(user=demo.users["advisor"]),
        student=demo.student,
        plan=ExhibitionPlan(
            kind=ExhibitionKind.EXHIBITION,
            title="Outside judge",
            scheduled_at=timezone.now() + datetime.timedelta(days=2),
            competency_ids=[c.pk for c in competencies(demo)],
            staff_ids=[outsider.pk],
        ),
    )
    competency = competencies(demo)[0]
    page = _client_of(outsider).get(reverse("records-exhibition", args=[exhibition.pk]))
    assert page.status_code == 200
    assert "only a certified teacher’s scores set levels" in page.content.decode()
    done = services.exhibition_score(
        context=RequestContext(user=outsider),
        exhibition=exhibition,
        scores=[PanelScore(competency.pk, _level(competency))],
    )
    assert done.feedback is not None
    assert not Score.objects.filter(evidence=exhibition.evidence).exists()


def test_a_score_by_someone_not_on_the_panel_is_refused(demo: Demo) -> None:
    exhibition = schedule(demo, staff=["teacher"], experts=())
    competency = competencies(demo)[0]
    for username in ("school-admin", "student"):
        with pytest.raises(NotPermitted):
            services.exhibition_score(
                context=RequestContext(user=demo.users[username]),
                exhibition=exhibition,
                scores=[PanelScore(competency.pk, _level(competency))],
            )
    api = _client(demo, "school-admin").post(
        f"/api/v1/records/exhibitions/{exhibition.pk}/scores",
        {"scores": [{"competency_id": competency.pk, "value": _level(competency)}]},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert (
        _client(demo, "mentor")
        .post(
            f"/api/v1/records/exhibitions/{exhibition.pk}/scores",
            {"scores": [{"competency_id": competency.pk, "value": _level(competency)}]},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert not Score.objects.filter(evidence=exhibition.evidence).exists()
    assert not Feedback.objects.filter(evidence=exhibition.evidence).exists()


def test_a_score_off_the_scale_or_the_exhibition_is_refused(demo: Demo) -> None:
    exhibition = schedule(demo)
    competency = competencies(demo)[0]
    stray = district_competencies(demo.riverside).exclude(pk__in=[c.pk for c in competencies(demo)]).first()
    assert stray is not None
    with pytest.raises(ExhibitionError) as refused:
        services.exhibition_score(
            context=RequestContext(user=demo.users["teacher"]),
            exhibition=exhibition,
            scores=[PanelScore(competency.pk, 99.0), PanelScore(stray.pk, 1.0)],
        )
    assert "99 is not a level" in refused.value.reason
    assert f"does not show competency {stray.pk}" in refused.value.reason
    assert not Score.objects.filter(evidence=exhibition.evidence).exists()


def test_the_api_scores_and_reads_an_exhibition(demo: Demo) -> None:
    exhibition = schedule(demo)
    competency = competencies(demo)[0]
    response = _client(demo, "teacher").post(
        f"/api/v1/records/exhibitions/{exhibition.pk}/scores",
        {"scores": [{"competency_id": competency.pk, "value": _level(competency)}], "comment": "Good."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["sets_levels"] is True
    assert len(response.json()["score_ids"]) == 1
    read = _client(demo, "guardian").get(f"/api/v1/records/exhibitions/{exhibition.pk}")
    assert read.status_code == 200
    assert read.json()["kind"] == "senior_project"
    assert {m["name"] for m in read.json()["panel"]} >= {"Ana Ruiz"}
    assert (
        _client(demo, "state-analyst").get(f"/api/v1/records/exhibitions/{exhibition.pk}").status_code == 404
    )


# The outcome ----------------------------------------------------------------------------------------------


def test_the_outcome_is_recorded_and_a_held_date_in_the_future_is_refused(demo: Demo) -> None:
    exhibition = schedule(demo)
    url = reverse("records-exhibition", args=[exhibition.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = _client(demo, "advisor").post(
        url, {"op": "outcome", "held_on": tomorrow.isoformat(), "outcome": ExhibitionOutcome.PASSED}
    )
    assert refused.status_code == 400
    assert "cannot be in the future" in refused.content.decode()
    exhibition.refresh_from_db()
    assert exhibition.status == ExhibitionStatus.SCHEDULED
    assert (
        _client(demo, "student")
        .post(
            url,
            {
                "op": "outcome",
                "held_on": timezone.localdate().isoformat(),
                "outcome": ExhibitionOutcome.PASSED,
            },
        )
        .status_code
        == 403
    )
    done = _client(demo, "advisor").post(
        url,
        {"op": "outcome", "held_on": timezone.localdate().isoformat(), "outcome": ExhibitionOutcome.PASSED},
    )
    assert done.status_code == 302
    exhibition.refresh_from_db()
    assert (exhibition.status, exhibition.outcome, exhibition.held_on) == (
        ExhibitionStatus.HELD,
        ExhibitionOutcome.PASSED,
        timezone.localdate(),
    )


# Pages and query counts ------------------------------------------------------------------------------------


def test_who_reads_an_exhibition(demo: Demo) -> None:
    exhibition = schedule(demo, staff=["school-admin"])
    url = reverse("records-exhibition", args=[exhibition.pk])
    for username in ("student", "guardian", "advisor", "teacher", "school-admin"):
        assert _client(demo, username).get(url).status_code == 200, username
    for username in ("mentor", "state-analyst", "other-teacher"):
        assert _client(demo, username).get(url).status_code == 404, username
    listing = _client(demo, "student").get(reverse("records-exhibitions")).content.decode()
    assert url in listing
    assert url not in _client(demo, "other-teacher").get(reverse("records-exhibitions")).content.decode()


def test_the_exhibition_pages_read_in_a_bounded_number_of_queries(
    demo: Demo, django_assert_max_num_queries: object
) -> None:
    for _ in range(4):
        exhibition = schedule(demo)
    client = _client(demo, "advisor")
    client.get(reverse("records-exhibitions"))
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert client.get(reverse("records-exhibitions")).status_code == 200
    teacher = _client(demo, "teacher")
    teacher.get(reverse("records-exhibition", args=[exhibition.pk]))
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert teacher.get(reverse("records-exhibition", args=[exhibition.pk])).status_code == 200
