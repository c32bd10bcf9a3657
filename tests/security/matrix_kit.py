"""The authorization matrix's vocabulary, shared by the per-app row modules (`matrix_<app>.py`).

A row says which roles get `ok` for a target in their own district and in the other district; everyone else
signed in gets `refused`, anonymous gets `anonymous`. Placeholders `<int:NAME_id>` in a route, query or
payload are filled from the target objects: `objects` picks the key, by default NAME.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from waypoint.core.demo import FIXED_ACCOUNTS

ANONYMOUS = "anonymous"
# Every fixed demo account: a new one joins the matrix by itself.
SIGNED_IN = list(FIXED_ACCOUNTS)
ROLES = [ANONYMOUS, *SIGNED_IN]
OWN, OTHER = "own district", "other district"
# Everyone who can read `student` (Riverside); other-teacher is the one who can read the Hillcrest target.
READS_OWN_STUDENT = {
    "student",
    "guardian",
    "teacher",
    "teacher-uncertified",
    "advisor",
    "school-admin",
    "district-admin",
}
SEES_OWN_DISCLOSURES = {"student", "guardian", "school-admin", "district-admin"}
SECTION_ROLES = {"teacher", "teacher-uncertified", "school-admin", "district-admin", "other-teacher"}


@dataclass(frozen=True)
class Row:
    """Expected status per role and target district. `allowed[target]` get `ok`; other signed-in roles get
    `refused[target]` (or the per-role override); anonymous gets `anonymous`."""

    allowed: dict[str, set[str]]
    refused: dict[str, int] = field(default_factory=lambda: {OWN: 404, OTHER: 404})
    overrides: dict[tuple[str, str], int] = field(default_factory=dict)
    ok: int = 200
    anonymous: int = 302
    method: str = "get"
    leak_check: bool = False
    # Which target object fills a placeholder when it is not the default one (e.g. a draft version).
    objects: dict[str, str] = field(default_factory=dict)
    payload: dict[str, object] | None = None
    query: str = ""
    upload: Path | None = None
    # Send `payload` as a multipart form (with `upload`, if any, under `upload_field`) instead of JSON.
    multipart: bool = False
    upload_field: str = "file"

    def expected(self, role: str, target: str) -> int:
        if role == ANONYMOUS:
            return self.anonymous
        if (role, target) in self.overrides:
            return self.overrides[(role, target)]
        return self.ok if role in self.allowed[target] else self.refused[target]


def everyone(status: int = 200, anonymous: int = 302, **kwargs: object) -> Row:
    return Row(allowed={OWN: set(SIGNED_IN), OTHER: set(SIGNED_IN)}, ok=status, anonymous=anonymous, **kwargs)  # type: ignore[arg-type]


def same_for_both(roles: set[str], refused: int, **kwargs: object) -> Row:
    return Row(allowed={OWN: roles, OTHER: roles}, refused={OWN: refused, OTHER: refused}, **kwargs)  # type: ignore[arg-type]
