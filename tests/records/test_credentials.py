"""Verifiable credentials in Waypoint: issuing a student's CLR (who may, what it bundles, the revocation
list), revoking, verifying with the districts' keys, `waypoint verify`, the public verification page, the
JWKS, the download and the API."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditEvent, Student, User
from waypoint.mastery.models import MasteryLevel
from waypoint.policy import Action
from waypoint.records import vc
from waypoint.records.models import CredentialKind, IssuedCredential, SigningKey
from waypoint.records.selectors import credentials as reads
from waypoint.records.services.credentials import (
    CredentialError,
    credential_revoke,
    credentials_issue,
    signing_key_for,
)

pytestmark = pytest.mark.django_db


def as_user(user: User) -> RequestContext:
    return RequestContext(user=user)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def issued(demo: Demo) -> IssuedCredential:
    return credentials_issue(context=as_user(demo.users["district-admin"]), student=demo.student)


def tampered(token: str) -> str:
    """One character of the signature changed (a changed payload fails the same way, or sooner, as
    malformed: tests/records/test_vc.py changes every character)."""
    header, payload, signature = token.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    return f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}"


# Issuing ----------------------------------------------------------------------------------------------------


def test_a_clr_bundles_a_badge_per_competency_at_mastery_each_signed(
    demo: Demo, issued: IssuedCredential
) -> None:
    mastered = MasteryLevel.objects.filter(student=demo.student, meets_mastery=True).select_related(
        "competency"
    )
    assert mastered.exists(), "the demo student has competencies at mastery"
    parts = list(issued.parts.order_by("status_index"))
    assert issued.kind == CredentialKind.CLR
    assert {p.competency_id for p in parts if p.kind == CredentialKind.ACHIEVEMENT} == {
        level.competency_id for level in mastered
    }
    document = vc.parse_token(issued.token).credential
    bundled = document["credentialSubject"]["verifiableCredential"]
    assert [b["id"] for b in bundled] == [p.credential_id for p in parts]
    level = mastered.first()
    assert level is not None
    badge = next(p for p in parts if p.competency_id == level.competency_id)
    alignment = vc.parse_token(badge.token).credential["credentialSubject"]["achievement"]["alignment"][0]
    assert alignment["targetType"] == "CFItem"
    assert alignment["targetCode"] == level.competency.human_code
    assert alignment["targetUrl"].endswith(level.competency.uri or level.competency.case_identifier)
    # Each credential has its own place on the district's list, and the list is the district's.
    indexes = [issued.status_index, *(p.status_index for p in parts)]
    assert len(set(indexes)) == len(indexes)
    status = document["credentialStatus"]
    assert status == {
        "id": settings.WAYPOINT_BASE_URL + reverse("records-status-list", args=["riverside"]),
        "type": "1EdTechRevocationList",
    }
    assert document["issuer"]["id"].endswith("/districts/riverside")
    assert AuditEvent.objects.filter(
        object_type="credential", object_id=str(issued.pk), action="create"
    ).exists()


def test_every_issued_credential_verifies_and_matches_its_schema(
    issued: IssuedCredential, shared_data: Path
) -> None:
    assert reads.schemas() is not None
    for row in [issued, *issued.parts.all()]:
        result = reads.credential_verify(row.token)
        assert result.valid, [c.sentence for c in result.checks]
        assert result.checks[-1].passed is True
        assert result.key is not None
        assert result.key.owner == row.district.name


def test_the_district_key_is_made_once_and_published(demo: Demo, issued: IssuedCredential) -> None:
    key = signing_key_for(district=demo.riverside)
    assert key == issued.signing_key
    assert SigningKey.objects.filter(district=demo.riverside).count() == 1
    response = Client().get(reverse("records-jwks", args=["riverside"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    keys = response.json()["keys"]
    assert keys == [
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": key.public_jwk["x"],
            "kid": key.kid,
            "alg": "EdDSA",
            "use": "sig",
        }
    ]
    assert Client().get(reverse("records-jwks", args=["nowhere"])).status_code == 404


def test_a_second_issue_keeps_the_first_and_numbers_on(demo: Demo, issued: IssuedCredential) -> None:
    again = credentials_issue(context=as_user(demo.users["advisor"]), student=demo.student)
    assert again.pk != issued.pk
    assert again.status_index > max(issued.parts.values_list("status_index", flat=True))
    assert IssuedCredential.objects.filter(kind=CredentialKind.CLR, student=demo.student).count() >= 2


def test_who_issues(demo: Demo) -> None:
    for role in ("teacher", "student", "guardian"):
        with pytest.raises(NotPermitted):
            credentials_issue(context=as_user(demo.users[role]), student=demo.student)
    assert not demo.added(IssuedCredential).exists()


def test_nothing_at_mastery_is_refused_in_words(demo: Demo) -> None:
    newcomer = Student.objects.create(
        district=demo.riverside, sourced_id="credential-newcomer", first_name="Ana", last_name="Nueva"
    )
    with pytest.raises(CredentialError, match="Nothing to issue yet: Ana Nueva"):
        credentials_issue(context=as_user(demo.users["district-admin"]), student=newcomer)
    with pytest.raises(CredentialError, match="future"):
        credentials_issue(
            context=as_user(demo.users["district-admin"]),
            student=demo.student,
            valid_until=timezone.now() - datetime.timedelta(days=1),
        )
    assert not demo.added(IssuedCredential).exists()


def test_an_expiring_record_fails_once_past(demo: Demo) -> None:
    until = timezone.now() + datetime.timedelta(days=30)
    record = credentials_issue(
        context=as_user(demo.users["district-admin"]), student=demo.student, valid_until=until
    )
    assert reads.credential_verify(record.token).valid
    later = reads.credential_verify(record.token, now=until + datetime.timedelta(seconds=1))
    assert [c.name for c in later.failures] == [vc.CheckName.EXPIRY]


# Revoking ---------------------------------------------------------------------------------------------------


def test_revoking_puts_the_record_and_its_parts_on_the_list(demo: Demo, issued: IssuedCredential) -> None:
    with pytest.raises(NotPermitted):
        credential_revoke(context=as_user(demo.users["school-admin"]), credential=issued, reason="Error")
    with pytest.raises(CredentialError, match="Say why"):
        credential_revoke(context=as_user(demo.users["district-admin"]), credential=issued, reason="  ")
    credential_revoke(
        context=as_user(demo.users["district-admin"]), credential=issued, reason="Issued in error"
    )
    result = reads.credential_verify(issued.token)
    assert [c.name for c in result.failures] == [vc.CheckName.REVOCATION]
    part = issued.parts.first()
    assert part is not None
    assert [c.name for c in reads.credential_verify(part.token).failures] == [vc.CheckName.REVOCATION]
    listed = Client().get(reverse("records-status-list", args=["riverside"])).json()
    assert listed["type"] == "1EdTechRevocationList"
    assert issued.credential_id in {row["id"] for row in listed["revokedCredentials"]}
    assert issued.status_index in listed["revokedIndexes"]
    assert "Issued in error" not in json.dumps(listed)
    with pytest.raises(CredentialError, match="already revoked"):
        credential_revoke(context=as_user(demo.users["district-admin"]), credential=issued, reason="Twice")


def test_the_revoke_page_asks_for_a_reason(demo: Demo, issued: IssuedCredential) -> None:
    client = client_for(demo.users["district-admin"])
    url = reverse("records-credential-revoke", args=[issued.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert f'id="revoke-{issued.pk}-reason"' in refused.content.decode()
    assert "error-summary" in refused.content.decode()
    response = client.post(url, {"reason": "Issued in error"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked_at is not None
    assert issued.revoke_reason == "Issued in error"


# Verifying: Waypoint's keys, the command and the public page ------------------------------------------------


def test_a_foreign_or_tampered_credential_fails_with_its_reason(issued: IssuedCredential) -> None:
    assert [c.name for c in reads.credential_verify(tampered(issued.token)).failures] == [
        vc.CheckName.SIGNATURE
    ]
    stranger = vc.new_key()
    foreign = vc.sign(vc.parse_token(issued.token).credential, stranger.private_jwk)
    result = reads.credential_verify(foreign)
    assert [c.name for c in result.failures] == [vc.CheckName.KEY]


def test_the_verify_command_exits_0_when_valid_and_1_otherwise(
    issued: IssuedCredential, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "clr.jwt"
    good.write_text(issued.token)
    call_command("verify", str(good))
    out = capsys.readouterr().out
    assert "The signature holds" in out
    assert "The credential is valid." in out
    bad = tmp_path / "tampered.jwt"
    bad.write_text(tampered(issued.token))
    with pytest.raises(CommandError) as refused:
        call_command("verify", str(bad))
    assert refused.value.returncode == 1
    assert "FAIL The signature does not match" in capsys.readouterr().out
    unsigned = tmp_path / "clr.json"
    unsigned.write_text(json.dumps(vc.parse_token(issued.token).credential))
    with pytest.raises(CommandError) as refused:
        call_command("verify", str(unsigned))
    assert refused.value.returncode == 1
    assert "Not signed: the credential carries no proof." in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("verify", str(tmp_path / "missing.jwt"))


def test_the_public_page_checks_a_pasted_or_uploaded_credential(
    issued: IssuedCredential, tmp_path: Path
) -> None:
    client = Client()
    url = reverse("records-verify")
    assert client.get(url).status_code == 200
    response = client.post(url, {"token": issued.token})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This credential is valid." in page
    assert "The signature holds" in page
    upload = tmp_path / "anything.txt"  # the name says nothing: the content is read
    upload.write_text(tampered(issued.token))
    with upload.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert response.status_code == 400
    assert "The signature does not match" in response.content.decode()
    assert client.post(url, {"token": ""}).status_code == 400
    big = tmp_path / "big.jwt"
    big.write_bytes(b"a" * 1_000_001)
    with big.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()


def test_the_public_page_speaks_spanish(issued: IssuedCredential) -> None:
    response = Client(headers={"accept-language": "es"}).post(reverse("records-verify"), {"token": "junk"})
    assert response.status_code == 400
    assert 'lang="es"' in response.content.decode()


# The student's page, the download and the API ---------------------------------------------------------------


def test_the_student_lists_and_downloads_the_record(
    demo: Demo, issued: IssuedCredential, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    credentials_issue(context=as_user(demo.users["district-admin"]), student=demo.student)
    client = client_for(demo.users["student"])
    # Ten today with two records: the count does not grow with the records.
    with django_assert_max_num_queries(12):
        page = client.get(reverse("records-credentials", args=[demo.student.pk]))
    assert page.status_code == 200
    assert reverse("records-credential-download", args=[issued.pk]) in page.content.decode()
    assert reverse("records-credentials-issue", args=[demo.student.pk]) not in page.content.decode()
    download = client.get(reverse("records-credential-download", args=[issued.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vc+jwt"
    assert download.content.decode() == issued.token
    as_json = client.get(reverse("records-credential-download", args=[issued.pk]) + "?format=json")
    assert json.loads(as_json.content)["id"] == issued.credential_id
    assert AuditEvent.objects.filter(
        object_type="credential", object_id=str(issued.pk), action="export"
    ).exists()


def test_who_reaches_the_download(demo: Demo, issued: IssuedCredential) -> None:
    url = reverse("records-credential-download", args=[issued.pk])
    assert client_for(demo.users["guardian"]).get(url).status_code == 200
    assert client_for(demo.users["teacher"]).get(url).status_code == 403
    for role in ("mentor", "state-analyst", "other-teacher"):
        assert client_for(demo.users[role]).get(url).status_code == 404, role
    with pytest.raises(NotVisible):
        reads.credential_get(
            context=as_user(demo.users["mentor"]), credential_id=issued.pk, action=Action.DOWNLOAD_CREDENTIAL
        )


def test_the_issue_button_signs_a_record(demo: Demo) -> None:
    client = client_for(demo.users["advisor"])
    response = client.post(reverse("records-credentials-issue", args=[demo.student.pk]))
    assert response.status_code == 302
    assert (
        demo.added(IssuedCredential).filter(kind=CredentialKind.CLR, issued_by=demo.users["advisor"]).count()
        == 1
    )


def test_the_api_lists_issues_and_verifies(demo: Demo) -> None:
    staff = client_for(demo.users["school-admin"])
    base = f"/api/v1/records/students/{demo.student.pk}/credentials"
    created = staff.post(base, data={}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "clr"
    listed = client_for(demo.users["student"]).get(base).json()["items"]
    assert body["id"] in {row["id"] for row in listed}
    assert len(listed) > 1
    verified = staff.post(
        "/api/v1/records/credentials/verify", data={"token": body["token"]}, content_type="application/json"
    )
    assert verified.status_code == 200
    assert verified.json()["valid"] is True
    assert [c["check"] for c in verified.json()["checks"]][:3] == ["format", "issuer_key", "signature"]
    refused = staff.post(
        "/api/v1/records/credentials/verify",
        data={"token": tampered(body["token"])},
        content_type="application/json",
    )
    assert refused.json()["valid"] is False
    assert (
        Client()
        .post("/api/v1/records/credentials/verify", data={"token": "x"}, content_type="application/json")
        .status_code
        == 401
    )


def test_the_public_page_slows_down_a_flood(monkeypatch: pytest.MonkeyPatch) -> None:
    from waypoint.records.views import credentials as views

    monkeypatch.setattr(views, "CHECKS_PER_MINUTE", 2)
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(reverse("records-verify"), {"token": "junk"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert (
        Client(REMOTE_ADDR="203.0.113.10").post(reverse("records-verify"), {"token": "junk"}).status_code
        == 400
    )


def test_the_importer_knows_waypoint_keys(issued: IssuedCredential, shared_data: Path) -> None:
    ours = reads.credential_read(issued.token)
    assert ours.kind == "ClrCredential"
    assert ours.schema_valid
    assert ours.signature == "The signature holds."
    broken = reads.credential_read(tampered(issued.token))
    assert broken.signature.startswith("The signature does not match")
    example = shared_data / "credentials" / "ob3" / "examples_spec" / "achievementAlignmentCase.json"
    theirs = reads.credential_read(example.read_bytes())
    assert theirs.schema_valid
    assert theirs.signature == "Not signed: the credential carries no proof."


def test_the_api_checks_a_json_credential_against_its_schema_only(
    demo: Demo, issued: IssuedCredential
) -> None:
    document = json.dumps(vc.parse_token(issued.token).credential)
    response = client_for(demo.users["teacher"]).post(
        "/api/v1/records/credentials/verify", data={"token": document}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert body["checks"] == [
        {"check": "schema", "passed": True, "message": "It matches the 1EdTech ClrCredential schema."},
        {"check": "signature", "passed": None, "message": "Not signed: the credential carries no proof."},
    ]
