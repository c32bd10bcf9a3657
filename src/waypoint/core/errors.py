"""Every refusal Waypoint gives, from one base class that carries its HTTP status and its reason in words.

Services and selectors raise these; the API root (`waypoint.site.api`) and the page middleware
(`waypoint.core.middleware.RefusalMiddleware`) each turn them into a response in one place. No refusal may
go out without a reason: the base class refuses to be built without one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class Refusal(Exception):
    """A request Waypoint will not carry out; `problems` lists every reason, in words one can act on."""

    status: ClassVar[int] = 400

    def __init__(self, problems: Sequence[str] | str) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        if not self.problems or not all(p.strip() for p in self.problems):
            raise ValueError("A refusal needs a reason in words.")
        super().__init__(" ".join(self.problems))

    @property
    def reason(self) -> str:
        return " ".join(self.problems)


class NotVisible(Refusal):
    """The object does not exist or the actor may not see it; answered 404, revealing neither."""

    status = 404


class NotPermitted(Refusal):
    """The actor may see the object but not take this action on it; answered 403 with the reason."""

    status = 403


class Invalid(Refusal, ValueError):
    """Input that cannot be accepted; answered 400 listing every problem. A ValueError too, as bad input
    is everywhere else in Python."""

    status = 400


class Conflict(Refusal):
    """The write collides with the state it would change (frozen, already decided, changed meanwhile);
    answered 409 with the reason."""

    status = 409
