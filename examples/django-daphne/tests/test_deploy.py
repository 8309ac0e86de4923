"""The production settings, checked the way a deploy loads them: `manage.py` in a subprocess."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# Offline runs have no database server, and MySQL's model checks connect to one: SQLite stands
# in unless DATABASE_URL names the real database (CI).
OFFLINE = {"DATABASE_URL": "sqlite:///:memory:"}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ = OFFLINE | inherited
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=environ | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy() -> None:
    proc = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert proc.returncode == 0, proc.stderr
    assert "no issues" in proc.stdout


def test_production_refuses_the_placeholder_secret() -> None:
    proc = _manage("check", ENVIRONMENT="production", SECRET_KEY="change-me")
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr


def test_production_settings_need_the_production_environment() -> None:
    proc = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ENVIRONMENT="development",
    )
    assert proc.returncode != 0
    assert "needs ENVIRONMENT=production" in proc.stderr
