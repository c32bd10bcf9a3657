"""What every API router shares: error bodies, id bounds and the free-text type."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Path, Schema
from pydantic import AfterValidator


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, object]]


# Ids are 64-bit database integers: anything larger is refused by validation, never sent to the database.
MAX_ID = 2**63 - 1


def _printable(text: str) -> str:
    # PostgreSQL cannot store NUL characters, and no text needs one: refuse them as invalid input (422).
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


# Free text every API accepts: any string but one with a NUL character.
Text = Annotated[str, AfterValidator(_printable)]
UNAUTHORIZED = {401: ErrorOut}
NOT_FOUND = {401: ErrorOut, 404: ErrorOut}
# Path and body ids, and the error responses of reads and writes, as most routers declare them.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
READ_ERRORS = {**NOT_FOUND, 403: ErrorOut, 422: ValidationErrorOut}
