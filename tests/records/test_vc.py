"""The pure credentials module: documents, VC-JWT signing and verification, the schemas and the importer of
the 1EdTech examples. No database."""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from waypoint.records import vc

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
ISSUER = vc.Issuer(id="https://waypoint.test/districts/riverside", name="Riverside Public Schools")
LEARNER = vc.Learner(id="urn:uuid:7d1c0f8e-52f4-5d8a-9d55-8a1e6a0c2f11", name="Jordan Alvarez")
STATUS = "https://waypoint.test/districts/riverside/credentials/status.json"
KEY = vc.new_key()


def known(key: vc.KeyPair = KEY, issuer: vc.Issuer = ISSUER) -> Any:
    def resolve(kid: str) -> vc.KnownKey | None:
        return vc.KnownKey(key.public_jwk, issuer.name, issuer.id) if kid == key.kid else None

    return resolve


def standing(credential_id: str) -> bool:
    return False


def badge(**overrides: Any) -> dict[str, Any]:
    facts = vc.AchievementFacts(
        id=f"{ISSUER.id}/achievements/competencies/a1",
        name="GP.1 Effective communicator",
        description="Communicates effectively for a range of purposes.",
        criteria="Demonstrated at mastery.",
        human_code="GP.1",
        alignment=vc.CaseAlignment(
            url="https://waypoint.test/ims/case/v1p0/CFItems/a1", code="GP.1", name="Effective communicator"
        ),
    )
    arguments: dict[str, Any] = {
        "credential_id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "issuer": ISSUER,
        "learner": LEARNER,
        "achievement": facts,
        "status_url": STATUS,
        "valid_from": NOW - datetime.timedelta(days=1),
        **overrides,
    }
    return vc.achievement_credential(**arguments)


def clr(*parts: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "credential_id": "urn:uuid:00000000-0000-4000-8000-0000000000c1",
        "issuer": ISSUER,
        "learner": LEARNER,
        "name": "Comprehensive Learner Record of Jordan Alvarez",
        "credentials": list(parts) or [badge()],
        "status_url": STATUS,
        "valid_from": NOW - datetime.timedelta(days=1),
        **overrides,
    }
    return vc.clr_credential(**arguments)


def check(token: str, **kwargs: Any) -> vc.Verification:
    arguments: dict[str, Any] = {"resolve_key": known(), "is_revoked": standing, "now": NOW, **kwargs}
    return vc.verify(token, **arguments)


def failed(result: vc.Verification) -> list[vc.CheckName]:
    return [c.name for c in result.failures]


def test_a_signed_credential_verifies_and_says_what_was_checked() -> None:
    result = check(vc.sign(badge(), KEY.private_jwk))
    assert result.valid
    assert [c.name for c in result.checks] == [
        vc.CheckName.FORMAT,
        vc.CheckName.KEY,
        vc.CheckName.SIGNATURE,
        vc.CheckName.EXPIRY,
        vc.CheckName.REVOCATION,
        vc.CheckName.SCHEMA,
    ]
    assert "Riverside Public Schools" in result.checks[1].sentence
    assert result.checks[-1].passed is None  # no schemas given: said, not failed


def test_the_token_follows_ob3_vc_jwt() -> None:
    credential = badge(valid_until=NOW + datetime.timedelta(days=30))
    token = vc.parse_token(vc.sign(credential, KEY.private_jwk))
    assert token.header == {"alg": "EdDSA", "typ": "JWT", "kid": KEY.kid}
    claims = token.claims
    assert claims["iss"] == ISSUER.id
    assert claims["sub"] == LEARNER.id
    assert claims["jti"] == credential["id"]
    assert claims["nbf"] == int((NOW - datetime.timedelta(days=1)).timestamp())
    assert claims["exp"] == int((NOW + datetime.timedelta(days=30)).timestamp())
    assert claims["vc"] == credential


def test_a_pem_key_signs_the_same_as_its_jwk() -> None:
    result = check(vc.sign(badge(), KEY.private_pem, kid=KEY.kid))
    assert result.valid


def test_every_changed_character_fails_and_names_the_reason() -> None:
    token = vc.sign(badge(), KEY.private_jwk)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for position, original in enumerate(token):
        changed = alphabet[(alphabet.index(original) + 1) % len(alphabet)]
        result = check(token[:position] + changed + token[position + 1 :])
        assert not result.valid, position
        assert result.failures, position
        assert result.failures[0].name in {vc.CheckName.FORMAT, vc.CheckName.KEY, vc.CheckName.SIGNATURE}


def test_a_changed_credential_fails_the_signature() -> None:
    header, _, signature = vc.sign(badge(), KEY.private_jwk).split(".")
    forged = vc.claims_for(badge())
    forged["vc"]["name"] = "Forged"
    payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    result = check(f"{header}.{payload}.{signature}")
    assert failed(result) == [vc.CheckName.SIGNATURE]
    assert "changed after it was signed" in result.failures[0].sentence


def test_another_key_with_the_same_kid_fails_the_signature() -> None:
    other = vc.new_key()
    result = check(vc.sign(badge(), other.private_jwk, kid=KEY.kid))
    assert failed(result) == [vc.CheckName.SIGNATURE]


def test_an_unknown_key_is_said() -> None:
    result = check(vc.sign(badge(), vc.new_key().private_jwk))
    assert failed(result) == [vc.CheckName.KEY]
    assert result.failures[0].sentence == "Signature not checked: the issuer’s key is unknown."


def test_a_key_signing_for_another_issuer_fails() -> None:
    hillcrest = vc.Issuer(id="https://waypoint.test/districts/hillcrest", name="Hillcrest")
    result = check(vc.sign(badge(issuer=hillcrest), KEY.private_jwk))
    assert failed(result) == [vc.CheckName.KEY]
    assert "hillcrest" in result.failures[0].sentence


def test_expired_and_not_yet_valid_fail_on_dates() -> None:
    expired = check(vc.sign(badge(valid_until=NOW - datetime.timedelta(hours=1)), KEY.private_jwk))
    assert failed(expired) == [vc.CheckName.EXPIRY]
    assert "expired" in expired.failures[0].sentence
    early = check(vc.sign(badge(valid_from=NOW + datetime.timedelta(days=2)), KEY.private_jwk))
    assert failed(early) == [vc.CheckName.EXPIRY]
    assert "not valid until" in early.failures[0].sentence


def test_revoked_fails_and_so_does_a_clr_bundling_a_revoked_badge() -> None:
    token = vc.sign(clr(badge()), KEY.private_jwk)
    revoked = check(token, is_revoked=lambda credential_id: credential_id.endswith("c1"))
    assert failed(revoked) == [vc.CheckName.REVOCATION]
    assert revoked.failures[0].sentence == "The issuer has revoked this credential."
    inner = check(token, is_revoked=lambda credential_id: credential_id.endswith("001"))
    assert failed(inner) == [vc.CheckName.REVOCATION]
    assert "urn:uuid:00000000-0000-4000-8000-000000000001" in inner.failures[0].sentence


def test_unsigned_or_foreign_algorithms_are_refused() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(vc.claims_for(badge())).encode()).rstrip(b"=").decode()
    result = check(f"{header}.{payload}.c2ln")
    assert failed(result) == [vc.CheckName.FORMAT]
    assert "only EdDSA" in result.failures[0].sentence
    assert failed(check("not a token")) == [vc.CheckName.FORMAT]


def test_claims_that_disagree_with_the_credential_are_refused() -> None:
    claims = vc.claims_for(badge())
    claims["jti"] = "urn:uuid:someone-else"
    result = check(vc.sign(claims, KEY.private_jwk))
    assert failed(result) == [vc.CheckName.FORMAT]
    assert "“jti”" in result.failures[0].sentence


def test_a_clr_needs_a_credential_and_dates_need_a_zone() -> None:
    with pytest.raises(ValueError, match="at least one"):
        vc.clr_credential(
            credential_id="urn:uuid:x",
            issuer=ISSUER,
            learner=LEARNER,
            name="n",
            credentials=[],
            status_url=STATUS,
            valid_from=NOW,
        )
    with pytest.raises(ValueError, match="timezone"):
        vc.timestamp(datetime.datetime(2026, 1, 1))  # noqa: DTZ001 (the naive date is the point)


def test_the_jwks_publishes_only_public_members() -> None:
    published = vc.jwks([KEY.private_jwk])
    assert published == {
        "keys": [{"kty": "OKP", "crv": "Ed25519", "x": KEY.public_jwk["x"], "kid": KEY.kid, "alg": "EdDSA"}]
    }


# With the 1EdTech schemas (../shared/data) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def schemas(shared_data: Path) -> vc.Schemas:
    loaded = vc.Schemas.load(shared_data / "credentials" / "schema")
    assert loaded is not None
    return loaded


def test_issued_documents_match_both_schemas(schemas: vc.Schemas) -> None:
    expiring = {"valid_until": NOW + datetime.timedelta(days=365)}
    diploma = badge(
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000002",
        achievement=vc.AchievementFacts(
            id=f"{ISSUER.id}/achievements/diplomas/2024/v1",
            name="Mastery-based diploma",
            description="A diploma on demonstrated mastery.",
            criteria="Every requirement met.",
            achievement_type="Diploma",
        ),
        awarded_on=NOW,
        **expiring,
    )
    record = clr(badge(**expiring), diploma, **expiring)
    assert schemas.problems(badge()) == ("AchievementCredential", [])
    assert schemas.problems(diploma) == ("AchievementCredential", [])
    assert schemas.problems(record) == ("ClrCredential", [])
    for bundled in record["credentialSubject"]["verifiableCredential"]:
        assert schemas.problems(bundled) == ("AchievementCredential", [])
    result = check(vc.sign(record, KEY.private_jwk), schemas=schemas)
    assert result.valid
    assert result.checks[-1].sentence == "It matches the 1EdTech ClrCredential schema."


def test_a_document_off_its_schema_fails_and_says_where(schemas: vc.Schemas) -> None:
    broken = badge()
    del broken["credentialSubject"]["achievement"]["criteria"]
    result = check(vc.sign(broken, KEY.private_jwk), schemas=schemas)
    assert failed(result) == [vc.CheckName.SCHEMA]
    assert "credentialSubject/achievement: 'criteria' is a required property" in result.failures[0].sentence


# Each example of the 1EdTech specifications and validator, and what its schema says of it (SOURCES.md).
EXAMPLES: dict[str, tuple[str | None, str | None]] = {
    "clr2/complex.json": ("ClrCredential", None),
    "clr2/simple-noproof.json": ("ClrCredential", None),
    "clr2/simple.json": ("ClrCredential", "'issuanceDate' is a required property"),
    "clr2/simple_v1.json": ("ClrCredential", None),
    "ob3/examples_spec/achievementAlignmentCase.json": ("AchievementCredential", None),
    "ob3/examples_spec/achievementAlignmentCe.json": ("AchievementCredential", None),
    "ob3/examples_spec/basicOpenBadgeCredential.json": ("AchievementCredential", None),
    "ob3/examples_spec/fullOpenBadge.json": ("AchievementCredential", None),
    "ob3/examples_spec/skillAssertionCase.json": ("AchievementCredential", None),
    "ob3/examples_spec/skillAssertionCtdl.json": ("AchievementCredential", None),
    "ob3/validator_tests/complete.json": ("AchievementCredential", None),
    "ob3/validator_tests/complete_v1.json": ("AchievementCredential", "'validFrom' is a required property"),
    "ob3/validator_tests/credential-status-revoked.json": (
        "AchievementCredential",
        "'validFrom' is a required property",
    ),
    "ob3/validator_tests/endorsement-valid.json": ("EndorsementCredential", None),
    "ob3/validator_tests/simple-err-credential-subject-result-type.json": (
        "AchievementCredential",
        "'Alignment' is not of type 'array'",
    ),
    "ob3/validator_tests/simple-err-expired.json": ("AchievementCredential", None),
    "ob3/validator_tests/simple-err-type.json": (None, "It is not an Open Badges or a CLR credential."),
    "ob3/validator_tests/simple-noproof.json": (
        "AchievementCredential",
        "'validFrom' is a required property",
    ),
    "ob3/validator_tests/simple.json": ("AchievementCredential", None),
    "ob3/validator_tests/simple_v1.json": ("AchievementCredential", "'validFrom' is a required property"),
}


def test_the_importer_reads_every_example(shared_data: Path, schemas: vc.Schemas) -> None:
    folder = shared_data / "credentials"
    found = sorted(str(p.relative_to(folder)) for p in folder.glob("*/**/*.json") if p.parts[-2] != "schema")
    assert found == sorted(EXAMPLES)
    for name, (kind, problem) in EXAMPLES.items():
        read = vc.read((folder / name).read_bytes(), schemas=schemas)
        assert read.form is vc.Form.JSON, name
        assert read.kind == kind, name
        if problem is None:
            assert read.problems == [], (name, read.problems)
            assert read.schema_valid, name
        else:
            assert any(problem in p.what for p in read.problems), (name, read.problems)
        carries_proof = "proof" in json.loads((folder / name).read_text())
        assert read.signature == (
            "Signature not checked: the issuer’s key is unknown."
            if carries_proof
            else "Not signed: the credential carries no proof."
        ), name


def test_the_importer_reads_a_vc_jwt_and_refuses_what_is_neither(schemas: vc.Schemas) -> None:
    read = vc.read(vc.sign(clr(), KEY.private_jwk).encode(), schemas=schemas)
    assert (read.form, read.kind, read.problems) == (vc.Form.JWT, "ClrCredential", [])
    assert read.token is not None
    assert read.token.header["kid"] == KEY.kid
    assert read.signature == "Signature not checked: the issuer’s key is unknown."
    for junk in (b"\xff\xfe\x00", "{not json", "a.b"):
        nothing = vc.read(junk, schemas=schemas)
        assert nothing.credential is None, junk
        assert nothing.problems, junk
