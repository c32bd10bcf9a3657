"""Fixtures shared by every test folder: real sample data, the browser, factories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CHROMIUM = Path("/usr/bin/chromium")


def _missing(requirement_variable: str, reason: str) -> None:
    """Skip with a reason on a developer's machine; fail in CI, which sets the requirement variable."""
    if os.environ.get(requirement_variable) == "1":
        pytest.fail(f"{reason} ({requirement_variable}=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout: real CASE, OneRoster and knowledge-tracing samples."""
    if not SHARED_DATA.is_dir():
        _missing("WAYPOINT_REQUIRE_SHARED_DATA", f"the real sample data is not at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _missing("WAYPOINT_REQUIRE_BROWSER", f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM
