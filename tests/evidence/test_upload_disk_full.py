"""An upload to a full disk gets a clear error and leaves nothing half-written: no evidence or artifact row
without its file, no file (whole or cut short) without its row, and what was stored before untouched.

The first test fills a real 64 KiB tmpfs, so the operating system's own ENOSPC is what Waypoint meets; it
needs to mount one (root) and is skipped with the reason otherwise. The others raise ENOSPC from the
storage's `_save` after half the file is written (what a full disk does to a write), so they run anywhere."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.evidence.conftest import Scene, written
from waypoint.core.models import User
from waypoint.evidence.services import UploadStorageFull, evidence_submit

FULL_MESSAGE = "storage for files is full, so this work was not saved"


def text_file(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"My reflection on the town hall.\n" * (size // 32), content_type="text/plain"
    )


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, unmounted at the end."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a tiny tmpfs needs root and mount(8); the emulated ENOSPC tests still run")
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine refuses a tmpfs mount: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run([shutil.which("umount") or "umount", str(folder)], check=True)


def test_a_full_disk_refuses_the_upload_in_words_and_keeps_nothing_of_it(
    scene: Scene, settings: Any, tiny_disk: Path
) -> None:
    settings.MEDIA_ROOT = tiny_disk
    # What was on the disk before: it must come through whole.
    earlier = tiny_disk / "evidence" / "earlier.txt"
    earlier.parent.mkdir()
    earlier.write_bytes(b"x" * 16384)
    free = os.statvfs(tiny_disk)
    filler = tiny_disk / "filler"
    filler.write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 16384))
    before = written()

    # The first file fits in the 16 KiB left, the second does not: the first must go too.
    response = signed_in(scene.users["student"]).post(
        "/evidence/new/",
        {
            "title": "My town hall talk",
            "assessment": scene.assessment.pk,
            "body": "My talk and my notes.",
            "attachments": [text_file("notes.txt", 4096), text_file("talk.txt", 40960)],
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert FULL_MESSAGE in page
    assert "The evidence was not saved" in page
    assert written() == before
    assert files_under(tiny_disk) == {earlier, filler}
    assert earlier.read_bytes() == b"x" * 16384


@pytest.fixture
def disk_full_halfway(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stored file is cut short by ENOSPC after half of it is written, as a full disk does."""
    save = getattr(FileSystemStorage, "_save")  # noqa: B009 (a private method the stubs do not declare)

    def save_half(storage: FileSystemStorage, name: str, content: File[bytes]) -> str:
        content.seek(0)
        half = content.read()
        stored: str = save(storage, name, ContentFile(half[: len(half) // 2], name=name))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), storage.path(stored))

    monkeypatch.setattr(FileSystemStorage, "_save", save_half)


def test_the_service_removes_a_file_cut_short_and_writes_no_row(
    scene: Scene, settings: Any, tmp_path: Path, disk_full_halfway: None
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    before = written()
    with pytest.raises(UploadStorageFull) as refused:
        evidence_submit(
            context=scene.context("student"),
            student_id=scene.student.pk,
            title="My town hall talk",
            assessment_id=scene.assessment.pk,
            files=[text_file("talk.txt", 8192)],
        )
    assert refused.value.status == 507
    assert FULL_MESSAGE in refused.value.reason
    assert written() == before
    assert files_under(tmp_path / "media") == set()


def test_the_api_answers_507_problem_json(
    scene: Scene, settings: Any, tmp_path: Path, disk_full_halfway: None
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    before = written()
    response = signed_in(scene.users["student"]).post(
        "/api/v1/evidence",
        {
            "student_id": scene.student.pk,
            "title": "My town hall talk",
            "assessment_id": scene.assessment.pk,
            "files": [text_file("talk.txt", 8192)],
        },
    )
    assert response.status_code == 507, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert FULL_MESSAGE in response.content.decode()
    assert written() == before
    assert files_under(tmp_path / "media") == set()
