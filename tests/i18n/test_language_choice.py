"""Choosing a language: the account page that saves it (with its audit row and a safe way back), the account
menu link to it, and the sign-in page's switch for people not signed in yet."""

from __future__ import annotations

from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.conftest import Demo
from waypoint.core.models import AuditAction, AuditEvent, User
from waypoint.people.navigation import nav_links

LANGUAGE_PAGE = "/account/language/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_offers_each_language_named_in_itself_and_marks_the_saved_one(demo: Demo) -> None:
    User.objects.filter(username="guardian").update(language="es")
    page = signed_in(demo.users["guardian"]).get(reverse("account-language")).content.decode()
    assert 'value="es" checked' in page
    assert '<label for="language-es" lang="es">Español</label>' in page
    assert '<label for="language-en" lang="en">English</label>' in page


def test_saving_a_language_keeps_it_audits_it_and_goes_home_in_that_language(demo: Demo) -> None:
    guardian = demo.users["guardian"]
    client = signed_in(guardian)
    response = client.post(reverse("account-language"), {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert User.objects.get(pk=guardian.pk).language == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    event = demo.added(AuditEvent).get(action=AuditAction.UPDATE, object_type="account")
    assert (event.object_id, event.reason, event.actor_id) == ("guardian", "language: es", guardian.pk)
    with translation.override("es"):
        saved = translation.gettext("Your language is saved.")
    assert saved != "Your language is saved."
    home = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert home["Content-Language"] == "es"
    assert saved in home.content.decode()


def test_saving_the_same_language_again_writes_no_audit_row(demo: Demo) -> None:
    User.objects.filter(username="student").update(language="es")
    signed_in(demo.users["student"]).post(reverse("account-language"), {"language": "es"})
    assert not demo.added(AuditEvent).filter(action=AuditAction.UPDATE, object_type="account").exists()


def test_following_the_browser_again_clears_the_choice_and_the_cookie(demo: Demo) -> None:
    User.objects.filter(username="student").update(language="es")
    client = signed_in(demo.users["student"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(reverse("account-language"), {"language": ""})
    assert response.status_code == 302
    assert User.objects.get(username="student").language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted: expired and empty
    assert client.get(reverse("account-language"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_a_language_with_no_catalog_is_refused(demo: Demo) -> None:
    response = signed_in(demo.users["student"]).post(reverse("account-language"), {"language": "fr"})
    assert response.status_code == 400
    assert User.objects.get(username="student").language == ""
    assert not demo.added(AuditEvent).filter(action=AuditAction.UPDATE, object_type="account").exists()


def test_it_goes_back_to_a_page_of_this_site_only(demo: Demo) -> None:
    client = signed_in(demo.users["student"])
    back = reverse("student-detail", args=[demo.student.pk])
    kept = client.post(reverse("account-language"), {"language": "es", "next": back})
    assert kept["Location"] == back
    for outside in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        refused = client.post(reverse("account-language"), {"language": "es", "next": outside})
        assert refused["Location"] == reverse("home"), outside


def test_the_form_carries_a_safe_next_and_drops_another(demo: Demo) -> None:
    client = signed_in(demo.users["student"])
    assert 'name="next" value="/paths/"' in client.get(LANGUAGE_PAGE + "?next=/paths/").content.decode()
    assert "evil" not in client.get(LANGUAGE_PAGE + "?next=https://evil.example/").content.decode()


def test_the_account_menu_links_to_it_for_everyone(demo: Demo) -> None:
    for username in ("student", "guardian", "teacher", "state-analyst"):
        user = demo.users[username]
        request = RequestFactory().get("/")
        request.user = user
        request.session = {}  # type: ignore[assignment]
        links = [link for link in nav_links(request, user) if link.url == reverse("account-language")]
        assert [link.group for link in links] == ["account"], username


def test_the_sign_in_page_switch_keeps_the_choice_in_the_cookie(db: None) -> None:
    client = Client()
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'value="es" lang="es"' in page
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    again = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert again["Content-Language"] == "es"
    assert 'aria-pressed="true"' in again.content.decode()
