"""Open Badges 3.0 and CLR 2.0 documents, and their VC-JWT signature and verification (no Django).

The proof format is the VC-JWT of Open Badges 3.0 §8.2 ("JSON Web Token Proof Format"), not a Data Integrity
proof (eddsa-rdfc-2022), because:
- a Data Integrity proof signs the RDF canonical form of the JSON-LD document, which needs every `@context`
  the credential names, fetched or pinned, and a JSON-LD processor; a VC-JWT signs the bytes as they are,
  offline, with nothing to fetch;
- it takes one maintained JOSE library (joserfc) and Ed25519 from `cryptography`, both already audited
  pieces, instead of a canonicalisation stack;
- any verifier holding the district's public JWK (published as a JWKS) checks it with any JOSE library.

The token: JOSE header `{"alg": "EdDSA", "typ": "JWT", "kid": <the key's RFC 7638 thumbprint>}`; claims `iss`
(the issuer's id), `sub` (the learner's id), `jti` (the credential's id), `nbf` (its `validFrom`), `exp` (its
`validUntil`, when it expires) and `vc`, the credential itself.

Dates. The Open Badges 3.0 schema is VC 2.0 (`validFrom`, `validUntil`); the only CLR 2.0 schema published
(draft-04, converted by HR Open Standards) is VC 1.1 (`issuanceDate`, `expirationDate`) and requires them of
the credentials a CLR bundles too. Every document here carries both pairs, with the same instants, so it
matches both schemas. `credentialStatus` is `{"id": <the district's revocation list>, "type":
"1EdTechRevocationList"}` and nothing more: the CLR schema allows no other member; the list names revoked
credentials by id. The learner's name travels in each achievement's subject (an IdentityObject of type
"name", which that CLR schema's older vocabulary lacks, so the CLR's own subject carries only the id).

Words for people (the checks a verification made, the problems of an import) are English here and marked
with `gettext_noop`, so the Django side translates the same sentences (`gettext(check.message) % params`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from jsonschema import FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

# Open Badges 3.0 names "EdDSA"; RFC 9864 prefers the fully specified "Ed25519", which OB 3.0 verifiers do not
# know yet. The signature is the same Ed25519 signature either way.
warnings.filterwarnings("ignore", message="EdDSA is deprecated via RFC 9864")

ALGORITHM = "EdDSA"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
REVOCATION_LIST = "1EdTechRevocationList"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CLR_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
# The schema files of ../shared/data/credentials/schema, by the credential type they check.
SCHEMA_FILES = {
    "ClrCredential": "clr_v2p0_clrcredential_schema_draft4.json",
    "AchievementCredential": "ob_v3p0_achievementcredential.schema.json",
    "EndorsementCredential": "ob_v3p0_endorsementcredential.schema.json",
}
# How many schema problems a report names: the first ones say what is wrong; hundreds say nothing more.
MAX_PROBLEMS = 8


def gettext_noop(message: str) -> str:
    """Marks a sentence for translation without translating it here (this module imports no Django)."""
    return message


# Building documents -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """The district that issues: its id (a URL) and name."""

    id: str
    name: str
    url: str = ""

    def profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile


@dataclass(frozen=True)
class Learner:
    """The student: an opaque id (a urn:uuid) and the name shown to whoever checks the credential."""

    id: str
    name: str

    def identifiers(self) -> list[dict[str, Any]]:
        # An IdentityObject with `hashed: false` carries the name itself, so a college reading the credential
        # sees whose it is without asking the school.
        return [
            {"type": "IdentityObject", "hashed": False, "identityHash": self.name, "identityType": "name"}
        ]


@dataclass(frozen=True)
class CaseAlignment:
    """The CASE item (CFItem) an achievement came from."""

    url: str
    code: str
    name: str
    framework: str = ""

    def alignment(self) -> dict[str, Any]:
        alignment: dict[str, Any] = {
            "type": ["Alignment"],
            "targetType": "CFItem",
            "targetUrl": self.url,
            "targetName": self.name,
        }
        if self.code:
            alignment["targetCode"] = self.code
        if self.framework:
            alignment["targetFramework"] = self.framework
        return alignment


@dataclass(frozen=True)
class AchievementFacts:
    """What was achieved: a competency at mastery (aligned to its CASE item) or the diploma."""

    id: str
    name: str
    description: str
    criteria: str
    achievement_type: str = "Competency"
    human_code: str = ""
    alignment: CaseAlignment | None = None

    def achievement(self, issuer: Issuer) -> dict[str, Any]:
        achievement: dict[str, Any] = {
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": self.achievement_type,
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria},
            "creator": issuer.profile(),
        }
        if self.human_code:
            achievement["humanCode"] = self.human_code
        if self.alignment is not None:
            achievement["alignment"] = [self.alignment.alignment()]
        return achievement


def new_credential_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def timestamp(moment: datetime.datetime) -> str:
    """An XML Schema dateTime in UTC with its `Z`, to the second, as both schemas' `date-time` expect."""
    if moment.tzinfo is None:
        raise ValueError("A credential's dates must be timezone-aware.")
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _validity(valid_from: datetime.datetime, valid_until: datetime.datetime | None) -> dict[str, str]:
    dates = {"validFrom": timestamp(valid_from), "issuanceDate": timestamp(valid_from)}
    if valid_until is not None:
        dates["validUntil"] = timestamp(valid_until)
        dates["expirationDate"] = timestamp(valid_until)
    return dates


def achievement_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    learner: Learner,
    achievement: AchievementFacts,
    status_url: str,
    valid_from: datetime.datetime,
    valid_until: datetime.datetime | None = None,
    awarded_on: datetime.datetime | None = None,
) -> dict[str, Any]:
    """An Open Badges 3.0 OpenBadgeCredential (AchievementCredential) for one achievement of one learner."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": issuer.profile(),
        **_validity(valid_from, valid_until),
        "credentialSubject": {
            "id": learner.id,
            "type": ["AchievementSubject"],
            "identifier": learner.identifiers(),
            "achievement": achievement.achievement(issuer),
        },
        "credentialStatus": {"id": status_url, "type": REVOCATION_LIST},
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    if awarded_on is not None:
        credential["awardedDate"] = timestamp(awarded_on)
    return credential


def clr_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    learner: Learner,
    name: str,
    credentials: Sequence[Mapping[str, Any]],
    status_url: str,
    valid_from: datetime.datetime,
    valid_until: datetime.datetime | None = None,
) -> dict[str, Any]:
    """A CLR 2.0 ClrCredential bundling the learner's achievement credentials (`credentialSubject.
    verifiableCredential`), with their achievements listed once more as the CLR's own (`achievement`)."""
    if not credentials:
        raise ValueError("A CLR bundles at least one credential.")
    return {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "issuer": issuer.profile(),
        **_validity(valid_from, valid_until),
        "partial": False,
        "credentialSubject": {
            "id": learner.id,
            "type": ["ClrSubject"],
            "verifiableCredential": [dict(item) for item in credentials],
            "achievement": [item["credentialSubject"]["achievement"] for item in credentials],
        },
        "credentialStatus": {"id": status_url, "type": REVOCATION_LIST},
        "credentialSchema": [{"id": CLR_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }


# Keys and signing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """A new Ed25519 key: its id (the RFC 7638 thumbprint), the private half as PEM and as a JWK, and the
    public JWK to publish."""

    kid: str
    private_pem: str
    private_jwk: dict[str, Any]
    public_jwk: dict[str, Any]


def new_key() -> KeyPair:
    key = OKPKey.generate_key("Ed25519")
    kid = key.thumbprint()
    public = {**key.as_dict(private=False), "kid": kid, "alg": ALGORITHM, "use": "sig"}
    private = {**key.as_dict(private=True), "kid": kid, "alg": ALGORITHM}
    pem = key.as_pem(private=True)
    return KeyPair(kid=kid, private_pem=pem.decode(), private_jwk=private, public_jwk=public)


def jwks(public_jwks: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A JWK Set (RFC 7517 §5) of public keys: no private member ever goes out."""
    public_members = {"kty", "crv", "x", "kid", "alg", "use"}
    return {"keys": [{k: v for k, v in jwk.items() if k in public_members} for jwk in public_jwks]}


def _private_key(private_key: Mapping[str, Any] | str) -> OKPKey:
    if isinstance(private_key, str):
        return OKPKey.import_key(private_key)
    return OKPKey.import_key(dict(private_key))


def _numeric_date(value: str) -> int:
    return int(datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def claims_for(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT claims of a credential (OB 3.0 §8.2): the registered claims mirror the credential."""
    issuer = credential["issuer"]
    claims: dict[str, Any] = {
        "iss": issuer["id"] if isinstance(issuer, Mapping) else issuer,
        "jti": credential["id"],
        "nbf": _numeric_date(credential.get("validFrom") or credential["issuanceDate"]),
    }
    subject = credential.get("credentialSubject", {})
    if isinstance(subject, Mapping) and subject.get("id"):
        claims["sub"] = subject["id"]
    until = credential.get("validUntil") or credential.get("expirationDate")
    if until:
        claims["exp"] = _numeric_date(until)
    claims["vc"] = dict(credential)
    return claims


def sign(payload: Mapping[str, Any], private_jwk: Mapping[str, Any] | str, *, kid: str | None = None) -> str:
    """A compact VC-JWT of `payload` signed with the Ed25519 key (a private JWK, or PEM). `payload` is the JWT
    claims; a bare credential (it has an `@context`) is wrapped by `claims_for` first. The header's `kid` is
    the key's own (its `kid` member or thumbprint) unless given."""
    key = _private_key(private_jwk)
    if "@context" in payload:
        payload = claims_for(payload)
    if kid is None:
        kid = private_jwk.get("kid") if isinstance(private_jwk, Mapping) else None
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": kid or key.thumbprint()}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, body, key, algorithms=[ALGORITHM])


# Schemas ----------------------------------------------------------------------------------------------------


def credential_kind(credential: Mapping[str, Any]) -> str | None:
    """Which schema checks the credential: "ClrCredential", "AchievementCredential" or
    "EndorsementCredential" (by its `type`), or None for anything else."""
    raw = credential.get("type", [])
    types = {raw} if isinstance(raw, str) else set(raw) if isinstance(raw, list) else set()
    if "ClrCredential" in types:
        return "ClrCredential"
    if types & {"OpenBadgeCredential", "AchievementCredential"}:
        return "AchievementCredential"
    if "EndorsementCredential" in types:
        return "EndorsementCredential"
    return None


@dataclass(frozen=True)
class Problem:
    """One way a document fails its schema: where (a JSON path) and what."""

    where: str
    what: str


class Schemas:
    """The 1EdTech JSON schemas, each compiled once, with `date-time` formats checked."""

    def __init__(self, validators: Mapping[str, Validator]) -> None:
        self._validators = dict(validators)

    @classmethod
    def load(cls, directory: Path) -> Schemas | None:
        """The schemas in `directory`, or None when any of them is missing there."""
        validators: dict[str, Validator] = {}
        for kind, name in SCHEMA_FILES.items():
            path = directory / name
            if not path.is_file():
                return None
            schema = json.loads(path.read_text(encoding="utf-8"))
            validators[kind] = validator_for(schema)(schema, format_checker=FormatChecker())
        return cls(validators)

    def problems(self, credential: Mapping[str, Any]) -> tuple[str | None, list[Problem]]:
        """The schema that checks the credential (its kind) and every problem it finds, the first
        `MAX_PROBLEMS` of them, in document order."""
        kind = credential_kind(credential)
        if kind is None:
            return None, [Problem("type", gettext_noop("It is not an Open Badges or a CLR credential."))]
        errors = sorted(self._validators[kind].iter_errors(credential), key=lambda e: list(map(str, e.path)))
        return kind, [
            Problem("/".join(str(part) for part in error.absolute_path) or "(credential)", error.message)
            for error in errors[:MAX_PROBLEMS]
        ]


# Reading: JSON or VC-JWT ------------------------------------------------------------------------------------


class Form(StrEnum):
    JSON = "json"
    JWT = "jwt"


def _b64decode(segment: str) -> bytes:
    """A base64url segment decoded strictly: one that does not re-encode to itself (stray padding bits, a
    character outside the alphabet) is refused, so no changed character passes unseen."""
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(str(error)) from None
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != segment:
        raise ValueError("a part is not canonical base64url")
    return raw


@dataclass(frozen=True)
class Token:
    """A compact JWS taken apart (not yet verified)."""

    text: str
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def credential(self) -> dict[str, Any]:
        """The `vc` claim; a token whose payload is the credential itself (VC-JOSE-COSE) is read as well."""
        vc = self.claims.get("vc")
        return vc if isinstance(vc, dict) else self.claims


def parse_token(text: str) -> Token:
    """The header and claims of a compact JWS; ValueError names what is malformed."""
    parts = text.split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError("a VC-JWT has three dot-separated parts")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
        _b64decode(parts[2])
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(str(error)) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("the header and the claims must be JSON objects")
    return Token(text=text, header=header, claims=claims)


@dataclass
class ReadCredential:
    """What an import found: the credential (if any could be read), in which form, which schema checked it and
    its problems, and the token when it came signed. `signature` says in words what is known of the proof."""

    credential: dict[str, Any] | None
    form: Form | None
    kind: str | None = None
    problems: list[Problem] = field(default_factory=list)
    token: Token | None = None
    signature: str = ""
    schema_checked: bool = False

    @property
    def schema_valid(self) -> bool:
        return self.schema_checked and not self.problems


def read(data: bytes | str, *, schemas: Schemas | None) -> ReadCredential:
    """A credential given as JSON or as a VC-JWT, checked against its schema. The signature is not checked
    here: `signature` says so, and `verify` (with the issuer's key) checks it."""
    try:
        text = (data.decode("utf-8") if isinstance(data, bytes) else data).strip().lstrip("\ufeff")
    except UnicodeDecodeError:
        return ReadCredential(
            None, None, problems=[Problem("(file)", gettext_noop("It is not text (UTF-8)."))]
        )
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            problem = Problem("(file)", gettext_noop("It is not valid JSON: %(error)s") % {"error": error})
            return ReadCredential(None, Form.JSON, problems=[problem])
        if not isinstance(document, dict):
            return ReadCredential(None, Form.JSON, problems=[Problem("(file)", "not a JSON object")])
        found = ReadCredential(document, Form.JSON)
        found.signature = (
            gettext_noop("Signature not checked: the issuer’s key is unknown.")
            if "proof" in document
            else gettext_noop("Not signed: the credential carries no proof.")
        )
    else:
        try:
            token = parse_token(text)
        except ValueError as error:
            problem = Problem(
                "(file)",
                gettext_noop("It is neither a JSON credential nor a VC-JWT: %(error)s") % {"error": error},
            )
            return ReadCredential(None, None, problems=[problem])
        found = ReadCredential(token.credential, Form.JWT, token=token)
        found.signature = gettext_noop("Signature not checked: the issuer’s key is unknown.")
    if schemas is not None and found.credential is not None:
        found.kind, found.problems = schemas.problems(found.credential)
        found.schema_checked = found.kind is not None
    elif found.credential is not None:
        found.kind = credential_kind(found.credential)
    return found


# Verification -----------------------------------------------------------------------------------------------


class CheckName(StrEnum):
    FORMAT = "format"
    KEY = "issuer_key"
    SIGNATURE = "signature"
    EXPIRY = "expiry"
    REVOCATION = "revocation"
    SCHEMA = "schema"


@dataclass(frozen=True)
class Check:
    """One check of a verification: passed (True), failed (False) or not made (None), said in words:
    `message` (an English sentence marked for translation) with its `params`."""

    name: CheckName
    passed: bool | None
    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        """The English sentence (the Django side translates `message` first)."""
        return self.message % dict(self.params) if self.params else self.message


@dataclass(frozen=True)
class KnownKey:
    """A public key the verifier trusts: its JWK, whose it is (a district's name) and the issuer id its
    credentials must name."""

    public_jwk: Mapping[str, Any]
    owner: str
    issuer_id: str


@dataclass
class Verification:
    """Every check made, in order; valid when none failed and the signature was checked and holds."""

    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    key: KnownKey | None = None

    @property
    def valid(self) -> bool:
        signed = any(c.name is CheckName.SIGNATURE and c.passed for c in self.checks)
        return signed and all(c.passed is not False for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.passed is False]

    def add(self, name: CheckName, passed: bool | None, message: str, **params: str) -> None:
        self.checks.append(Check(name, passed, message, params))


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        return str(issuer.get("id", ""))
    return str(issuer or "")


def _claims_problem(token: Token) -> str | None:
    """Where the registered claims disagree with the credential they carry (OB 3.0 §8.2 requires them to
    mirror it), or None."""
    credential = token.credential
    if credential is token.claims:
        return None
    if token.claims.get("jti") not in (None, credential.get("id")):
        return "jti"
    if token.claims.get("iss") not in (None, _issuer_id(credential)):
        return "iss"
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and token.claims.get("sub") not in (None, subject.get("id")):
        return "sub"
    return None


def _check_format(result: Verification, text: str) -> Token | None:
    try:
        token = parse_token(text)
    except ValueError as error:
        result.add(
            CheckName.FORMAT,
            False,
            gettext_noop("This is not a signed credential (a VC-JWT): %(error)s."),
            error=str(error),
        )
        return None
    if token.header.get("alg") != ALGORITHM:
        result.add(
            CheckName.FORMAT,
            False,
            gettext_noop("The credential is signed with “%(alg)s”; only EdDSA (Ed25519) is accepted."),
            alg=str(token.header.get("alg")),
        )
        return None
    mismatch = _claims_problem(token)
    if mismatch is not None:
        result.add(
            CheckName.FORMAT,
            False,
            gettext_noop("The token’s “%(claim)s” claim does not match the credential it carries."),
            claim=mismatch,
        )
        return None
    result.credential = token.credential
    result.add(CheckName.FORMAT, True, gettext_noop("It is a VC-JWT signed with EdDSA (Ed25519)."))
    return token


def _check_key(result: Verification, token: Token, resolve_key: Callable[[str], KnownKey | None]) -> bool:
    kid = token.header.get("kid")
    key = resolve_key(kid) if isinstance(kid, str) and kid else None
    if key is None:
        result.add(CheckName.KEY, False, gettext_noop("Signature not checked: the issuer’s key is unknown."))
        return False
    named = _issuer_id(token.credential)
    if named != key.issuer_id:
        result.add(
            CheckName.KEY,
            False,
            gettext_noop("The credential names %(named)s as its issuer, but the key of %(owner)s signed it."),
            named=named,
            owner=key.owner,
        )
        return False
    result.key = key
    result.add(
        CheckName.KEY, True, gettext_noop("The issuer’s key is known: it is %(owner)s’s."), owner=key.owner
    )
    return True


def _check_signature(result: Verification, token: Token, key: KnownKey) -> bool:
    try:
        jws.deserialize_compact(token.text, OKPKey.import_key(dict(key.public_jwk)), algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        result.add(
            CheckName.SIGNATURE,
            False,
            gettext_noop(
                "The signature does not match: the credential was changed after it was signed, or another "
                "key signed it."
            ),
        )
        return False
    result.add(
        CheckName.SIGNATURE, True, gettext_noop("The signature holds: the credential is exactly as issued.")
    )
    return True


def _moment(value: object) -> datetime.datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _check_dates(result: Verification, token: Token, now: datetime.datetime) -> None:
    credential = token.credential
    starts = _moment(token.claims.get("nbf")) or _moment(
        credential.get("validFrom") or credential.get("issuanceDate")
    )
    ends = _moment(token.claims.get("exp")) or _moment(
        credential.get("validUntil") or credential.get("expirationDate")
    )
    if starts is not None and starts > now:
        result.add(
            CheckName.EXPIRY,
            False,
            gettext_noop("The credential is not valid until %(start)s."),
            start=timestamp(starts),
        )
    elif ends is not None and ends <= now:
        result.add(
            CheckName.EXPIRY, False, gettext_noop("The credential expired on %(end)s."), end=timestamp(ends)
        )
    elif ends is not None:
        result.add(
            CheckName.EXPIRY,
            True,
            gettext_noop("The credential has not expired: it is valid until %(end)s."),
            end=timestamp(ends),
        )
    else:
        result.add(CheckName.EXPIRY, True, gettext_noop("The credential does not expire."))


def bundled_ids(credential: Mapping[str, Any]) -> list[str]:
    """The credential's id and the ids of the credentials a CLR bundles."""
    ids = [str(credential.get("id", ""))]
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping):
        for item in subject.get("verifiableCredential") or []:
            if isinstance(item, Mapping) and item.get("id"):
                ids.append(str(item["id"]))
    return ids


def _check_revocation(result: Verification, token: Token, is_revoked: Callable[[str], bool | None]) -> None:
    states = {credential_id: is_revoked(credential_id) for credential_id in bundled_ids(token.credential)}
    revoked = [credential_id for credential_id, state in states.items() if state]
    if revoked:
        top = str(token.credential.get("id", ""))
        if top in revoked:
            result.add(CheckName.REVOCATION, False, gettext_noop("The issuer has revoked this credential."))
        else:
            result.add(
                CheckName.REVOCATION,
                False,
                gettext_noop("The issuer has revoked a credential this record bundles: %(ids)s."),
                ids=", ".join(revoked),
            )
    elif any(state is None for state in states.values()):
        result.add(
            CheckName.REVOCATION,
            None,
            gettext_noop("Revocation not checked: the issuer’s revocation list is unknown."),
        )
    else:
        result.add(CheckName.REVOCATION, True, gettext_noop("The issuer has not revoked it."))


def check_schema(result: Verification, credential: Mapping[str, Any], schemas: Schemas | None) -> None:
    if schemas is None:
        result.add(
            CheckName.SCHEMA, None, gettext_noop("Schema not checked: the 1EdTech schemas are not installed.")
        )
        return
    kind, problems = schemas.problems(credential)
    if problems:
        result.add(
            CheckName.SCHEMA,
            False,
            gettext_noop("It does not match the 1EdTech schema: %(problems)s"),
            problems="; ".join(f"{p.where}: {p.what}" for p in problems),
        )
    else:
        result.add(
            CheckName.SCHEMA,
            True,
            gettext_noop("It matches the 1EdTech %(schema)s schema."),
            schema=str(kind),
        )


def verify(
    token: str,
    *,
    resolve_key: Callable[[str], KnownKey | None],
    is_revoked: Callable[[str], bool | None],
    now: datetime.datetime,
    schemas: Schemas | None = None,
) -> Verification:
    """Check a VC-JWT: its form, the issuer's key (by the header's `kid`, through `resolve_key`), the
    signature, the dates against `now`, revocation of it and of what it bundles (`is_revoked`: True revoked,
    False standing, None unknown), and the schema. Every check is listed; the first that makes the rest
    meaningless (a malformed token, an unknown key, a bad signature) ends the list."""
    result = Verification()
    parsed = _check_format(result, token.strip())
    if parsed is None:
        return result
    if not _check_key(result, parsed, resolve_key) or result.key is None:
        return result
    if not _check_signature(result, parsed, result.key):
        return result
    _check_dates(result, parsed, now)
    _check_revocation(result, parsed, is_revoked)
    check_schema(result, parsed.credential, schemas)
    return result
