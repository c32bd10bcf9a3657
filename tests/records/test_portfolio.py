"""The portfolio on top of the demo: the student curates collections of their own evidence with reflections,
chooses who sees each, and makes public links that expire and can be revoked; the pages, the public page,
the API, and every bad input refused with nothing written."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import AuditEvent
from waypoint.evidence.models import Evidence
from waypoint.records.models import PortfolioCollection, PortfolioItem, PortfolioLink
from waypoint.records.services import portfolio as services
from waypoint.records.services.portfolio import PortfolioError, Sharing

pytestmark = pytest.mark.django_db


def _context(demo: Demo, username: str = "student") -> RequestContext:
    return RequestContext(user=demo.users[username])


def _own_evidence(demo: Demo, count: int = 3) -> list[Evidence]:
    found = list(Evidence.objects.filter(student=demo.student).order_by("pk")[:count])
    assert len(found) == count, "the demo gives Jordan evidence"
    return found


def _collection(
    demo: Demo, *, teachers: bool = True, guardians: bool = True, panel: bool = False, items: int = 2
) -> PortfolioCollection:
    collection = services.collection_create(
        context=_context(demo),
        student=demo.student,
        title="Best of grade 10",
        reflection="How my writing grew.",
        sharing=Sharing(teachers=teachers, guardians=guardians, panel=panel, transcript=False),
    )
    if items:
        services.items_add(
            context=_context(demo),
            collection=collection,
            evidence_ids=[e.pk for e in _own_evidence(demo, items)],
            reflection="Chosen for the revision.",
        )
    return collection


def _client(demo: Demo, username: str) -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


# Curating -------------------------------------------------------------------------------------------------


def test_the_student_makes_a_collection_and_adds_their_evidence_on_the_pages(demo: Demo) -> None:
    client = _client(demo, "student")
    response = client.post(
        reverse("records-collection-new", args=[demo.student.pk]),
        {"title": "Science work", "reflection": "Labs I am proud of.", "shared_with_guardians": "on"},
    )
    collection = demo.added(PortfolioCollection).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("records-collection", args=[collection.pk])
    assert (collection.shared_with_teachers, collection.shared_with_guardians) == (False, True)
    evidence = _own_evidence(demo, 2)
    page = client.get(reverse("records-collection", args=[collection.pk]))
    assert page.status_code == 200
    assert f'value="{evidence[0].pk}"' in page.content.decode()
    added = client.post(
        reverse("records-collection", args=[collection.pk]),
        {"op": "add", "evidence": [e.pk for e in evidence], "reflection": "Both labs."},
    )
    assert added.status_code == 302
    assert list(collection.items.values_list("evidence_id", "position")) == [
        (evidence[0].pk, 0),
        (evidence[1].pk, 1),
    ]


def test_someone_elses_evidence_is_refused_and_nothing_is_written(demo: Demo) -> None:
    collection = _collection(demo, items=0)
    stranger = Evidence.objects.exclude(student=demo.student).filter(district=demo.riverside).first()
    assert stranger is not None
    with pytest.raises(PortfolioError, match=f"Evidence {stranger.pk} is not yours"):
        services.items_add(
            context=_context(demo),
            collection=collection,
            evidence_ids=[_own_evidence(demo, 1)[0].pk, stranger.pk],
        )
    assert not collection.items.exists()
    # The page's picker offers only the student's own evidence: an id typed in by hand is refused too.
    response = _client(demo, "student").post(
        reverse("records-collection", args=[collection.pk]), {"op": "add", "evidence": [stranger.pk]}
    )
    assert response.status_code == 400
    assert not collection.items.exists()


def test_reflections_reordering_and_removal(demo: Demo) -> None:
    collection = _collection(demo, items=3)
    first, second, third = collection.items.order_by("position")
    services.item_reflect(
        context=_context(demo), collection=collection, item_id=second.pk, reflection="My best draft."
    )
    services.items_reorder(
        context=_context(demo), collection=collection, item_ids=[third.pk, first.pk, second.pk]
    )
    assert list(collection.items.order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]
    client = _client(demo, "student")
    assert (
        client.post(
            reverse("records-collection", args=[collection.pk]), {"op": "up", "item": second.pk}
        ).status_code
        == 302
    )
    assert list(collection.items.order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        second.pk,
        first.pk,
    ]
    with pytest.raises(PortfolioError, match="every piece"):
        services.items_reorder(context=_context(demo), collection=collection, item_ids=[third.pk])
    client.post(reverse("records-collection", args=[collection.pk]), {"op": "remove", "item": third.pk})
    assert not collection.items.filter(pk=third.pk).exists()
    assert Evidence.objects.filter(pk=third.evidence_id).exists()
    assert PortfolioItem.objects.get(pk=second.pk).reflection == "My best draft."


def test_only_the_student_curates(demo: Demo) -> None:
    collection = _collection(demo)
    for username in ("guardian", "teacher", "advisor", "district-admin"):
        with pytest.raises(NotPermitted):
            services.collection_update(
                context=_context(demo, username),
                collection=collection,
                title="Taken over",
                reflection="",
                sharing=Sharing(teachers=True, guardians=True, panel=True, transcript=True),
            )
        response = _client(demo, username).post(
            reverse("records-collection", args=[collection.pk]), {"op": "update", "title": "Taken over"}
        )
        assert response.status_code == 403, username
        assert (
            _client(demo, username).get(reverse("records-collection-new", args=[demo.student.pk])).status_code
            == 403
        )
    collection.refresh_from_db()
    assert collection.title == "Best of grade 10"


# Who sees a collection ------------------------------------------------------------------------------------


def test_each_reader_sees_what_the_student_shared_with_them(demo: Demo) -> None:
    for_teachers = _collection(demo, teachers=True, guardians=False)
    for_family = _collection(demo, teachers=False, guardians=True)
    url = reverse("records-portfolio", args=[demo.student.pk])
    teacher_page = _client(demo, "teacher").get(url).content.decode()
    assert reverse("records-collection", args=[for_teachers.pk]) in teacher_page
    assert reverse("records-collection", args=[for_family.pk]) not in teacher_page
    guardian_page = _client(demo, "guardian").get(url).content.decode()
    assert reverse("records-collection", args=[for_family.pk]) in guardian_page
    assert reverse("records-collection", args=[for_teachers.pk]) not in guardian_page
    assert (
        _client(demo, "teacher").get(reverse("records-collection", args=[for_family.pk])).status_code == 404
    )
    assert (
        _client(demo, "guardian").get(reverse("records-collection", args=[for_teachers.pk])).status_code
        == 404
    )
    for username in ("mentor", "state-analyst", "other-teacher"):
        assert _client(demo, username).get(url).status_code == 404, username
        assert (
            _client(demo, username).get(reverse("records-collection", args=[for_teachers.pk])).status_code
            == 404
        ), username


def test_a_collection_shared_with_the_panel_is_read_by_the_panel_of_an_exhibition_showing_it(
    demo: Demo,
) -> None:
    from tests.records.test_exhibitions import schedule

    collection = _collection(demo, teachers=False, guardians=False, panel=True)
    exhibition = schedule(demo, collection_id=collection.pk, staff=["school-admin"])
    client = _client(demo, "school-admin")
    url = reverse("records-collection", args=[collection.pk])
    assert client.get(url).status_code == 200
    collection.shared_with_panel = False
    collection.save()
    assert client.get(url).status_code == 404
    assert exhibition.panel.filter(user=demo.users["school-admin"]).exists()


# Public links ---------------------------------------------------------------------------------------------


def test_a_public_link_shows_the_collection_without_sign_in_and_is_audited(demo: Demo) -> None:
    collection = _collection(demo)
    response = _client(demo, "student").post(
        reverse("records-collection-link", args=[collection.pk]),
        {"op": "create", "expires_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 200
    link = demo.added(PortfolioLink).get()
    body = response.content.decode()
    start = body.index("/p/") + 3
    token = body[start : body.index("/", start)]
    assert link.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(link.prefix)
    assert token not in str(link.__dict__)
    public = Client().get(reverse("records-public-collection", args=[token]))
    assert public.status_code == 200
    assert public["Referrer-Policy"] == "no-referrer"
    assert public["X-Robots-Tag"] == "noindex"
    text = public.content.decode()
    student = demo.student
    assert "Best of grade 10" in text
    assert "How my writing grew." in text
    assert f"{student.preferred_name or student.first_name} {student.last_name[0]}." in text
    assert student.last_name not in text
    assert f"/students/{student.pk}/" not in text
    item = collection.items.select_related("evidence").first()
    assert item is not None
    assert item.evidence.title in text
    event = demo.added(AuditEvent).filter(object_type="portfolio-public").get()
    assert event.actor_id is None
    assert event.student_id == student.pk
    assert event.reason == "public portfolio link"
    assert token not in event.path


def test_expired_revoked_and_unknown_links_answer_404(demo: Demo) -> None:
    collection = _collection(demo)
    made = services.link_create(
        context=_context(demo), collection=collection, expires_on=timezone.localdate()
    )
    url = reverse("records-public-collection", args=[made.token])
    assert Client().get(url).status_code == 200
    PortfolioLink.objects.filter(pk=made.link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert Client().get(url).status_code == 404
    other = services.link_create(
        context=_context(demo),
        collection=collection,
        expires_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    response = _client(demo, "student").post(
        reverse("records-collection-link", args=[collection.pk]), {"op": "revoke", "link": other.link.pk}
    )
    assert response.status_code == 302
    assert Client().get(reverse("records-public-collection", args=[other.token])).status_code == 404
    assert Client().get(reverse("records-public-collection", args=["not-a-token"])).status_code == 404


def test_a_link_needs_an_expiry_to_come_within_a_year(demo: Demo) -> None:
    collection = _collection(demo)
    today = timezone.localdate()
    for expires_on, problem in (
        (None, "Choose the day"),
        (today - datetime.timedelta(days=1), "still to come"),
        (today + datetime.timedelta(days=services.MAX_LINK_DAYS + 1), "at most 365 days"),
    ):
        with pytest.raises(PortfolioError, match=problem):
            services.link_create(context=_context(demo), collection=collection, expires_on=expires_on)
    response = _client(demo, "student").post(
        reverse("records-collection-link", args=[collection.pk]),
        {"op": "create", "expires_on": (today - datetime.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400
    assert "still to come" in response.content.decode()
    assert not demo.added(PortfolioLink).exists()
    with pytest.raises(NotPermitted):
        services.link_create(context=_context(demo, "guardian"), collection=collection, expires_on=today)


# The API --------------------------------------------------------------------------------------------------


def test_the_api_lists_the_collections_visible_to_the_caller_and_only_the_student_creates(demo: Demo) -> None:
    shared = _collection(demo, teachers=True)
    private = _collection(demo, teachers=False, guardians=False)
    url = f"/api/v1/records/students/{demo.student.pk}/portfolio"
    teacher = _client(demo, "teacher").get(url)
    assert teacher.status_code == 200
    ids = [c["id"] for c in teacher.json()["items"]]
    assert shared.pk in ids
    assert private.pk not in ids
    assert teacher.json()["items"][ids.index(shared.pk)]["items"][0]["title"]
    own = _client(demo, "student").get(url).json()["items"]
    assert {shared.pk, private.pk} <= {c["id"] for c in own}
    assert _client(demo, "mentor").get(url).status_code == 404
    created = _client(demo, "student").post(
        f"{url}/collections", {"title": "From the API"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert PortfolioCollection.objects.get(pk=created.json()["id"]).student_id == demo.student.pk
    refused = _client(demo, "guardian").post(
        f"{url}/collections", {"title": "Not mine"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not PortfolioCollection.objects.filter(title="Not mine").exists()


# Query counts ----------------------------------------------------------------------------------------------


def test_the_portfolio_and_collection_pages_read_in_a_bounded_number_of_queries(
    demo: Demo, django_assert_max_num_queries: object
) -> None:
    for _ in range(3):
        collection = _collection(demo, items=3)
    client = _client(demo, "student")
    client.get(reverse("records-portfolio", args=[demo.student.pk]))  # warm the session and caches
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert client.get(reverse("records-portfolio", args=[demo.student.pk])).status_code == 200
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        assert client.get(reverse("records-collection", args=[collection.pk])).status_code == 200
    link = services.link_create(
        context=_context(demo), collection=collection, expires_on=timezone.localdate()
    )
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert Client().get(reverse("records-public-collection", args=[link.token])).status_code == 200
    teacher = _client(demo, "teacher")
    api = f"/api/v1/records/students/{demo.student.pk}/portfolio"
    teacher.get(api)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert len(teacher.get(api).json()["items"]) >= 3
