"""The notification pages, the API, the account links and the home panel: each person's own notifications
only, unread first, in bounded queries."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from waypoint.core.models import AuditEvent, User
from waypoint.notifications.home import home_panels
from waypoint.notifications.models import Delivery, Notification, NotificationPreference
from waypoint.notifications.navigation import nav_links
from waypoint.notifications.services import notify


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tell(demo: Demo, username: str, count: int, title: str = "Lab report") -> list[Notification]:
    return [
        row
        for index in range(count)
        for row in notify(
            kind="evidence.feedback",
            recipients=[demo.users[username]],
            student=demo.student,
            params={"title": f"{title} {index}", "author": "Ms. Rivera"},
            url=f"/students/{demo.student.pk}/evidence/",
        )
    ]


def test_the_list_shows_unread_first_and_only_ones_own(demo: Demo) -> None:
    tell(demo, "student", 1, title="For the student")
    fresh = tell(demo, "guardian", 2, title="Fresh")
    response = signed_in(demo.users["guardian"]).get(reverse("notifications"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "For the student" not in text
    # The demo's read notification comes after the unread ones, the newest unread first.
    assert (
        text.index("Fresh 1")
        < text.index("Fresh 0")
        < text.index("Internship at the Riverside Nature Center")
    )
    assert f'id="notification-{fresh[0].pk}"' in text


def test_the_list_page_has_a_bounded_number_of_queries(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    tell(demo, "guardian", 30)
    client = signed_in(demo.users["guardian"])
    with django_assert_max_num_queries(30):
        response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert "Next page" in response.content.decode()


def test_someone_with_none_sees_the_empty_state(demo: Demo) -> None:
    response = signed_in(demo.users["state-analyst"]).get(reverse("notifications"))
    assert response.status_code == 200
    assert "No notifications yet" in response.content.decode()


def test_marking_one_read_and_opening_it(demo: Demo) -> None:
    (row,) = tell(demo, "guardian", 1)
    client = signed_in(demo.users["guardian"])
    response = client.post(reverse("notification-read", args=[row.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == row.url
    row.refresh_from_db()
    assert row.read_at is not None
    assert AuditEvent.objects.filter(object_type="notification", object_id=str(row.pk)).count() == 1


def test_another_persons_notification_is_not_found(demo: Demo) -> None:
    (row,) = tell(demo, "student", 1)
    client = signed_in(demo.users["guardian"])
    assert client.post(reverse("notification-read", args=[row.pk])).status_code == 404
    assert client.post(f"/api/v1/notifications/{row.pk}/read").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_marking_all_read(demo: Demo) -> None:
    tell(demo, "guardian", 3)
    client = signed_in(demo.users["guardian"])
    assert client.post(reverse("notifications-read-all")).status_code == 302
    assert not Notification.objects.filter(recipient=demo.users["guardian"], read_at__isnull=True).exists()
    assert (
        not Notification.objects.filter(recipient=demo.users["student"], read_at__isnull=False)
        .filter(pk__gt=demo.newest_ids[Notification])
        .exists()
    )


def test_reading_needs_a_post_with_the_csrf_token(demo: Demo) -> None:
    (row,) = tell(demo, "guardian", 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.users["guardian"])
    assert client.get(reverse("notification-read", args=[row.pk])).status_code == 405
    assert client.post(reverse("notification-read", args=[row.pk])).status_code == 403


def test_preferences_page_saves_each_kind(demo: Demo) -> None:
    client = signed_in(demo.users["student"])
    page = client.get(reverse("notification-preferences"))
    assert page.status_code == 200
    form = page.context["form"]
    choices = {name: field.initial for name, field in form.fields.items()}
    assert choices["evidence.feedback"] == Delivery.DIGEST
    choices["evidence.feedback"] = Delivery.IMMEDIATE
    response = client.post(reverse("notification-preferences"), choices)
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=demo.users["student"], kind="evidence.feedback")
    assert saved.delivery == Delivery.IMMEDIATE
    assert client.get(reverse("notification-preferences")).context["form"].fields[
        "evidence.feedback"
    ].initial == (Delivery.IMMEDIATE)


def test_a_guardian_is_not_offered_in_app_only_for_paths(demo: Demo) -> None:
    form = signed_in(demo.users["guardian"]).get(reverse("notification-preferences")).context["form"]
    offered = [value for value, _ in form.fields["pathways.path_decision"].choices]
    assert Delivery.IN_APP not in offered
    assert Delivery.IN_APP in [value for value, _ in form.fields["evidence.feedback"].choices]


def test_the_api_lists_own_notifications_and_marks_one_read(demo: Demo) -> None:
    (row,) = tell(demo, "guardian", 1, title="Via the API")
    client = signed_in(demo.users["guardian"])
    body = client.get("/api/v1/notifications?page_size=2").json()
    assert body["items"][0]["id"] == row.pk
    assert "Via the API 0" in body["items"][0]["subject"]
    assert body["unread"] == body["count"] - 1  # the demo's one read notification
    read = client.post(f"/api/v1/notifications/{row.pk}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None


def _request(user: User) -> object:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return request


def test_home_panel_and_account_links_in_bounded_queries(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    tell(demo, "guardian", 8)
    guardian = demo.users["guardian"]
    with django_assert_max_num_queries(8):
        (panel,) = home_panels(_request(guardian), guardian)  # type: ignore[arg-type]
    unread = Notification.objects.filter(recipient=guardian, read_at__isnull=True).count()
    assert panel.waiting == unread
    assert len(panel.context["notifications"]) == 5
    with django_assert_max_num_queries(6):
        links = nav_links(_request(guardian), guardian)  # type: ignore[arg-type]
    assert links[0].group == "account"
    assert f"({unread} new)" in links[0].label


def test_staff_with_nothing_unread_get_no_panel(demo: Demo) -> None:
    teacher = demo.users["teacher"]
    assert home_panels(_request(teacher), teacher) == []  # type: ignore[arg-type]


def test_the_demo_family_has_notifications(demo: Demo) -> None:
    for username in ("student", "guardian"):
        rows = Notification.objects.filter(
            recipient=demo.users[username], pk__lte=demo.newest_ids[Notification]
        )
        # Three unread from the notifications demo; the progress demo adds its conferences to the family's.
        unread = rows.filter(read_at__isnull=True)
        assert unread.exclude(kind__startswith="progress.").count() == 3
        assert unread.filter(kind="progress.conference_scheduled").exists()
        assert not rows.filter(emailed_at__isnull=True).exists()


def test_a_students_own_cards_do_not_name_them_to_themselves(demo: Demo) -> None:
    """Jordan reads "Dana Whitfield left feedback… · date", not his own name; his guardian sees whose."""
    tell(demo, "student", 1, title="Own work")
    tell(demo, "guardian", 1, title="Child's work")
    name = demo.student.full_name
    for url in (reverse("home"), reverse("notifications")):
        own = signed_in(demo.users["student"]).get(url).content.decode()
        assert f"{name} · <time" not in own
        assert "Own work 0" in own
        family = signed_in(demo.users["guardian"]).get(url).content.decode()
        assert f"{name} · <time" in family
