"""Log lines a collector can read, each carrying the id of the request that wrote it.

`RequestIdMiddleware` (waypoint.core.middleware) binds the request's id for the request's duration
(`bound_request_id`); `JsonFormatter` writes it into every line logged meanwhile, and the audit rows of the
request carry the same id (`AuditEvent.request_id`), so an operator goes from an error in the logs to what
that request disclosed or changed, and back. `WAYPOINT_LOG_FORMAT=json` chooses the formatter (settings).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_request_id: ContextVar[str] = ContextVar("waypoint_request_id", default="")


def current_request_id() -> str:
    """The id of the request being served, or "" outside a request (a command, a worker, a test)."""
    return _request_id.get()


@contextmanager
def bound_request_id(request_id: str) -> Iterator[None]:
    """Make `request_id` the current one inside the block, and the previous one again after it."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, the request id when there is
    one, and the exception's traceback when one is attached. A traceback stays inside its line (JSON escapes
    the newlines), so a collector never reads one error as many events."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id() or _request_id_of_record(record)
        if request_id:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def _request_id_of_record(record: logging.LogRecord) -> str:
    # Django logs a 4xx or 5xx response ("Not Found: /x") after the middleware chain has returned, when the
    # request's id is no longer bound; that line carries the request itself (`extra={"request": ...}`).
    request_id = getattr(getattr(record, "request", None), "request_id", "")
    return request_id if isinstance(request_id, str) else ""
