"""Tests of the harness itself: if these helpers are wrong, every other test is meaningless."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import (
    REPO_ROOT,
    VENV_BIN,
    app_target,
    container_command,
    describe,
    exec_form,
    git,
    interface,
    migrate_command,
    parse_dockerfile,
    run,
    snapshot_worktree,
    wait_until,
)

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.13-slim AS builder
RUN echo one \\
    && echo two
CMD ["wrong", "stage"]

FROM python:3.13-slim AS runtime
WORKDIR /app
USER 999:999
HEALTHCHECK --interval=30s \\
  # a comment inside a continuation
  CMD ["python", "-c", "print(1)"]
ENTRYPOINT ["tini", "--", "/app/.venv/bin/python", "-m", "pkg.entrypoint"]
CMD ["gunicorn", "pkg.asgi:app"]
"""


def test_parse_dockerfile_stages_continuations_and_exec_form() -> None:
    stages = parse_dockerfile(DOCKERFILE)
    assert [(s.base, s.name) for s in stages] == [
        ("python:3.13-slim", "builder"),
        ("python:3.13-slim", "runtime"),
    ]
    assert stages[0].all("RUN")[0].args == "echo one && echo two"
    final = stages[-1]
    assert exec_form(final.last("CMD")) == ["gunicorn", "pkg.asgi:app"]
    healthcheck = final.last("HEALTHCHECK")
    assert healthcheck is not None and healthcheck.args.endswith('CMD ["python", "-c", "print(1)"]')
    assert final.last("USER").args == "999:999"  # type: ignore[union-attr]


def test_exec_form_rejects_shell_form() -> None:
    (stage,) = parse_dockerfile("FROM x\nCMD gunicorn app\nENTRYPOINT []\n")
    assert exec_form(stage.last("CMD")) is None
    assert exec_form(stage.last("ENTRYPOINT")) is None
    assert exec_form(None) is None


def test_container_command_maps_workdir_and_drops_missing_init(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    argv = container_command(tmp_path)
    # tini is dropped only when the host lacks it; either way the server argv follows
    assert argv[-5:] == [
        str(tmp_path / ".venv/bin/python"),
        "-m",
        "pkg.entrypoint",
        "gunicorn",
        "pkg.asgi:app",
    ]


def test_snapshot_takes_untracked_files_but_not_ignored_ones(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    git(src, "init", "-q")
    (src / ".gitignore").write_text("ignored.txt\n")
    (src / "tracked.txt").write_text("committed\n")
    git(src, "add", "-A")
    git(src, "commit", "-qm", "init")
    (src / "tracked.txt").write_text("edited, not committed\n")
    (src / "untracked.txt").write_text("new\n")
    (src / "ignored.txt").write_text("secret\n")

    snap = snapshot_worktree(tmp_path / "snap", src=src)

    assert (snap / "tracked.txt").read_text() == "edited, not committed\n"
    assert (snap / "untracked.txt").exists()
    assert not (snap / "ignored.txt").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=snap, capture_output=True, text=True, check=True
    )
    assert status.stdout == "", "the snapshot must be committed so vcs_ref=HEAD sees everything"


def test_values_are_read_from_the_render(tmp_path: Path) -> None:
    """The app object, interface and migration command come from the render's Dockerfile,
    serving/proxied.py, compose.yaml and Kubernetes Job, as the tests use them."""
    served = tmp_path / "src" / "pkg" / "serving"
    served.mkdir(parents=True)
    (served / "proxied.py").write_text("from config.wsgi import application as application\n")
    (tmp_path / "Dockerfile").write_text(
        'FROM x\nENTRYPOINT ["python", "-m", "pkg.serving.entrypoint"]\n'
        'CMD ["granian", "--interface", "wsgi", "pkg.serving.proxied:app"]\n'
    )
    assert app_target(tmp_path) == ("config.wsgi", "application")
    assert interface(tmp_path) == "wsgi"
    assert migrate_command(tmp_path) is None
    job = tmp_path / "deploy" / "kubernetes" / "migrate" / "job.yaml"
    job.parent.mkdir(parents=True)
    job.write_text(
        "spec:\n  template:\n    spec:\n      containers:\n"
        '        - command: ["python", "manage.py", "migrate", "--noinput"]\n'
    )
    assert migrate_command(tmp_path) == ["python", "manage.py", "migrate", "--noinput"]
    (tmp_path / "compose.yaml").write_text(
        'services:\n  migrate:\n    command: ["alembic", "upgrade", "head"]\n'
    )
    assert migrate_command(tmp_path) == ["alembic", "upgrade", "head"]

    (tmp_path / "Dockerfile").write_text(
        'FROM x\nCMD ["uvicorn", "pkg.asgi:app", "--workers", "2"]\n'
    )
    assert app_target(tmp_path) == ("pkg.asgi", "app")
    assert interface(tmp_path) == "asgi"


def test_wait_until_returns_the_value_or_fails_naming_what() -> None:
    values = iter([None, 0, "ready"])
    assert wait_until(lambda: next(values), timeout=5, what="x", interval=0) == "ready"
    with pytest.raises(pytest.fail.Exception, match=r"timed out .* waiting for the moon"):
        wait_until(lambda: False, timeout=0.05, what="the moon", interval=0.01)
    with pytest.raises(pytest.fail.Exception, match=r"(?s)exited while waiting for the sun.*dead"):
        wait_until(
            lambda: False, timeout=5, what="the sun", output=lambda: "dead", alive=lambda: False
        )


def test_the_suite_and_its_probes_pass_ruff() -> None:
    """tests/ (helpers, probes, answer sets) is linted and formatted like the rest of the repo."""
    tests = REPO_ROOT / "tests"
    for argv in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        proc = run([str(VENV_BIN / "ruff"), *argv, str(tests)], cwd=REPO_ROOT)
        assert proc.returncode == 0, describe(proc)
