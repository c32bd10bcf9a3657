"""The roster upload form: a OneRoster CSV set as one `.zip`, bulk or delta, and the progress token the page
polls while the import runs."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.interop.services.roster_import import ROSTER_FILES

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# The district (id) whose set-up the person's session still owes a roster: the home page notes it when it
# finds the district without students, and a successful import clears it. The menu reads it to offer "Set
# up" without a query of its own (the shell builds the menu on every page).
SET_UP_PENDING = "waypoint.interop.set_up_pending"


def roster_max_bytes() -> int:
    """The largest roster zip accepted, in bytes (`WAYPOINT_ROSTER_MAX_BYTES`)."""
    return int(getattr(settings, "WAYPOINT_ROSTER_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_too_large(upload: UploadedFile) -> str | None:
    """Why the upload is too large to be read, or None."""
    limit = roster_max_bytes()
    if upload.size is None or upload.size > limit:
        return gettext("The file is larger than the limit of %(megabytes)s MB.") % {
            "megabytes": limit // (1024 * 1024)
        }
    return None


def upload_not_a_zip(upload: UploadedFile) -> str | None:
    """Why the upload is not a zip archive, judged by its content (a renamed spreadsheet is refused whatever
    its name says), or None."""
    if not upload.size:
        return gettext("The file is empty.")
    upload.seek(0)
    is_zip = zipfile.is_zipfile(upload)
    upload.seek(0)
    if is_zip:
        return None
    return gettext(
        "The file is not a zip archive. Put the OneRoster CSV files (manifest.csv, orgs.csv, users.csv…) "
        "in one .zip file and upload that."
    )


def counts_in_file_order(counts: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int]]]:
    """A run's counts per file in the order of the OneRoster files (organizations first, demographics last),
    as the page and the API show them: the stored JSON keeps no order on PostgreSQL."""
    order = {file: index for index, file in enumerate(ROSTER_FILES)}
    return sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def upload_source(upload: UploadedFile) -> Path | bytes:
    """What the importer reads: a large upload is already a temporary file on disk, read there rather than
    held whole in memory; a small one is read as bytes."""
    if isinstance(upload, TemporaryUploadedFile):
        return Path(upload.temporary_file_path())
    upload.seek(0)
    return bytes(upload.read())


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("OneRoster zip file"),
        help_text=_(
            "The OneRoster 1.1 or 1.2 CSV files your student information system exports, in one .zip."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    delta = forms.BooleanField(
        required=False,
        label=_("Delta: the file holds only what changed since the last import"),
        help_text=_(
            "Unticked, the manifest decides: a file it marks delta makes a delta; otherwise the set is the "
            "whole roster (bulk), and what the district’s roster held before but the set no longer lists is "
            "ended."
        ),
    )
    # Generated with each page so the page can poll this run's progress while the upload is imported.
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        problem = upload_too_large(upload) or upload_not_a_zip(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean_token(self) -> uuid.UUID:
        # A page that lost its token (no JavaScript needs none) still imports; nothing polls for it.
        token: uuid.UUID | None = self.cleaned_data.get("token")
        return token or uuid.uuid4()
