"""The production profile: refuses to start half-configured, and passes `check --deploy` with no warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PRODUCTION_ENV = {
    "WAYPOINT_ENV": "production",
    "SECRET_KEY": "x9$Lq2v!Rz7#pT4m@Wc8^Nb1&Hk6*Yd3(Fs5)Gj0-UeAa7/Qo2%Zr",
    "WAYPOINT_ALLOWED_HOSTS": "waypoint.example.org",
    "DATABASE_URL": "postgres://waypoint@db.example.org:5432/waypoint",
}


def run_waypoint(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WAYPOINT_", "DATABASE_URL", "SECRET_KEY", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "waypoint.cli", *args],
        env={**clean, "WAYPOINT_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_the_production_profile(tmp_path: Path) -> None:
    result = run_waypoint(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_profile_is_flagged_by_check_deploy(tmp_path: Path) -> None:
    # The same gate fails on the development profile, so the test above measures the production settings.
    result = run_waypoint("check", "--deploy", "--fail-level", "WARNING", env={}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_production_refuses_to_start_without_its_variables(tmp_path: Path) -> None:
    for missing in ("SECRET_KEY", "WAYPOINT_ALLOWED_HOSTS", "DATABASE_URL"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = run_waypoint("check", env=env, tmp_path=tmp_path)
        assert result.returncode != 0
        assert f"{missing} must be set when WAYPOINT_ENV=production" in result.stderr


def test_demo_is_never_loaded_in_production(tmp_path: Path) -> None:
    result = run_waypoint("demo", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "never loaded into a production database" in result.stderr


def test_development_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    for _ in range(2):
        assert run_waypoint("check", env={}, tmp_path=tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


def test_production_refuses_sqlite(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = run_waypoint("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "needs a PostgreSQL DATABASE_URL" in result.stderr
