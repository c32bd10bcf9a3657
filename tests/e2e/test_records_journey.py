"""Records that travel, in a real browser (issue 14).

1. The certified `teacher` scores the demo senior's last missing competency; the diploma check turns green;
   `district-admin` awards the diploma and issues the signed record; the senior downloads the transcript PDF
   and the CLR credential; `waypoint verify` accepts the credential and refuses a tampered copy, and the
   public verification page, signed out, says the same.
2. A transfer between the two demo districts: Hillcrest's administrator asks for the record of a Riverside
   student now enrolled at Hillcrest High, `district-admin` releases it, and Hillcrest's administrator sees
   the evidence copied into Hillcrest's record.

The demo's `senior` and `hillcrest-admin` accounts have no password; each journey gives the ones it signs in
with the demo password (rolled back with the rest of the test)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import follow_nav, screenshot, sign_in
from waypoint.core.demo import DEMO_PASSWORD
from waypoint.core.models import Organization, Student, User
from waypoint.evidence.models import Evidence, Score
from waypoint.records.demo import HILLCREST_ADMIN, TRIGONOMETRY_TASK, enrol_in
from waypoint.records.models import Diploma, IssuedCredential, TransferRequest, TransferStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def with_password(username: str) -> User:
    user = User.objects.get(username=username)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def signed_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
    page.set_default_timeout(20_000)
    sign_in(page, base_url, username)
    return page


def tampered(token: str) -> str:
    """The credential with one character of its signed payload changed."""
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    return ".".join([header, payload[:middle] + swapped + payload[middle + 1 :], signature])


def test_the_senior_graduates_and_the_credential_verifies(
    browser: Browser, demo_site: str, tmp_path: Path
) -> None:
    senior = Student.objects.get(user=with_password("senior"))
    waiting = Evidence.objects.get(student=senior, assessment__title=TRIGONOMETRY_TASK)
    competency = waiting.competencies.get()

    # 1. The certified teacher scores the senior's ramp design: the last competency the diploma asks for.
    teacher = signed_in(browser, demo_site, "teacher")
    teacher.goto(f"{demo_site}/evidence/{waiting.pk}/score/")
    expect(teacher.locator(".score-banner")).to_contain_text("this score sets the mastery level")
    teacher.locator(f'input[name="c{competency.pk}-level"][value="3"]').check()
    teacher.get_by_role("button", name="Record the score").click()
    expect(teacher.locator(".messages")).to_contain_text("It counts toward the mastery level.")
    assert Score.objects.counted().filter(evidence=waiting, competency=competency).exists()

    # 2. The diploma check turns green; the district administrator awards the diploma and signs the record.
    admin = signed_in(browser, demo_site, "district-admin")
    follow_nav(admin, "Diplomas")
    admin.get_by_role("link", name=senior.full_name).first.click()
    expect(admin.locator("#check-heading")).to_have_text("Every requirement is met")
    admin.get_by_role("button", name="Award the diploma").click()
    expect(admin.locator(".alert-success")).to_contain_text("Diploma awarded on")
    assert Diploma.objects.get(student=senior).standing
    screenshot(admin, "records-diploma-awarded")
    admin.goto(f"{demo_site}/students/{senior.pk}/credentials/")
    admin.get_by_role("button", name="Issue a new signed record").click()
    clr = IssuedCredential.objects.get(student=senior, part_of__isnull=True)

    # 3. The senior downloads the transcript PDF and the signed record.
    student = signed_in(browser, demo_site, "senior")
    follow_nav(student, "My transcript")
    pdf_link = student.get_by_role("link", name="Download the PDF (unofficial)")
    pdf = student.context.request.get(f"{demo_site}{pdf_link.get_attribute('href')}")
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")
    student.goto(f"{demo_site}/students/{senior.pk}/credentials/")
    with student.expect_download() as download:
        student.get_by_role("link", name="Download (.jwt, signed)").first.click()
    saved = tmp_path / "record.jwt"
    download.value.save_as(saved)
    token = saved.read_text().strip()
    assert token == clr.token
    assert len(token.split(".")) == 3

    # 4. `waypoint verify` accepts the downloaded file and refuses a copy with one character changed.
    call_command("verify", str(saved))
    forged = tmp_path / "forged.jwt"
    forged.write_text(tampered(token))
    with pytest.raises(CommandError):
        call_command("verify", str(forged))

    # 5. The public verification page, signed out, says the same.
    public = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    public.goto(f"{demo_site}/verify/")
    public.get_by_label("Paste the credential").fill(token)
    public.get_by_role("button", name="Check", exact=True).click()
    expect(public.locator("#result-heading")).to_have_text("This credential is valid.")
    screenshot(public, "records-verified")
    public.get_by_label("Paste the credential").fill(tampered(token))
    public.get_by_role("button", name="Check", exact=True).click()
    expect(public.locator("#result-heading")).to_have_text("This credential could not be verified.")
    for page in (teacher, admin, student, public):
        page.context.close()


def test_a_record_moves_from_riverside_to_hillcrest(browser: Browser, demo_site: str) -> None:
    with_password(HILLCREST_ADMIN)
    scored = Score.objects.counted().filter(
        student__district__slug="riverside", student__user__isnull=True, student__transfers_out__isnull=True
    )
    source = Student.objects.filter(pk__in=scored.values("student_id")).order_by("pk").first()
    assert source is not None
    assert source.state_student_id
    hillcrest_high = Organization.objects.get(slug="hillcrest-high")
    advisor = User.objects.filter(role_assignments__organization=hillcrest_high).order_by("username").first()
    assert advisor is not None
    arrived = enrol_in(source, hillcrest_high, advisor, timezone.localdate() - datetime.timedelta(days=3))

    # 1. Hillcrest's administrator asks for the record by the state student id.
    hillcrest = signed_in(browser, demo_site, HILLCREST_ADMIN)
    hillcrest.goto(f"{demo_site}/students/{arrived.pk}/transfer/")
    hillcrest.get_by_label("State student id").fill(source.state_student_id)
    hillcrest.get_by_role("button", name="Request the record").click()
    transfer = TransferRequest.objects.get(student=arrived)
    assert transfer.status == TransferStatus.REQUESTED
    # Until the release, Hillcrest's record holds nothing of Riverside's.
    assert not Evidence.objects.filter(student=arrived).exists()

    # 2. Riverside's district administrator releases it with the scored evidence.
    riverside = signed_in(browser, demo_site, "district-admin")
    follow_nav(riverside, "Transfers")
    riverside.get_by_role("link", name=source.full_name).first.click()
    riverside.get_by_role("button", name="Release", exact=True).click()
    expect(riverside.locator(".messages")).to_contain_text("The record is released.")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RELEASED

    # 3. Hillcrest's administrator sees what was sent and the evidence copied into Hillcrest's record.
    copied = Evidence.objects.filter(student=arrived).order_by("pk").first()
    assert copied is not None
    hillcrest.goto(f"{demo_site}/transfers/{transfer.pk}/")
    expect(hillcrest.get_by_role("heading", name="What was sent")).to_be_visible()
    hillcrest.goto(f"{demo_site}/students/{arrived.pk}/evidence/")
    expect(hillcrest.locator("main")).to_contain_text(copied.title)
    screenshot(hillcrest, "records-transfer-received")
    for page in (hillcrest, riverside):
        page.context.close()
