"""Deep tier: install a rendered project, migrate with its own migration command (compose's
``migrate`` service), then boot its Dockerfile CMD on loopback and stop it the way an
orchestrator does. Its own tests, lint and type check run as its CI workflow runs them, in
tests/test_ci_steps.py."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from helpers import (
    child_env,
    container_command,
    container_env,
    database_url_scheme,
    describe,
    exec_form,
    final_stage,
    fresh_database,
    migrate_command,
    run,
    start_server,
    wait_healthy,
    with_scheme,
)
from matrix import DEEP_SETS, AnswerSet, params

pytestmark = pytest.mark.deep


@contextlib.contextmanager
def database_url(
    database: str, workdir: Path, label: str, scheme: str | None
) -> Iterator[str | None]:
    """A fresh, empty database for ``database`` (None when the project has no database), in the
    URL scheme the project declares (async or sync driver)."""
    if database == "none":
        yield None
    elif database == "sqlite":
        yield with_scheme(f"sqlite+aiosqlite:///{workdir / f'{label}.db'}", scheme)
    else:
        with fresh_database(database, scheme) as url:
            yield url


@pytest.mark.parametrize("answer_set", params(DEEP_SETS))
def test_install_migrate_boot(
    installed: Callable[[AnswerSet], Path], answer_set: AnswerSet, tmp_path: Path
) -> None:
    """The project's own tests run as its CI workflow runs them (tests/test_ci_steps.py)."""
    database = str(answer_set.data.get("database", "postgresql"))
    project = installed(answer_set)

    # 1. CI's install on top of the owner's first `uv sync`: the lock it wrote is current
    proc = run(["uv", "sync", "--locked"], cwd=project, env=child_env())
    assert proc.returncode == 0, describe(proc)
    assert (project / ".venv" / "bin" / "python").exists()

    # 2. migrations on an empty database, then 3. boot the container command against it
    scheme = database_url_scheme(project)
    with database_url(database, tmp_path, "app", scheme) as url:
        db_env = {"DATABASE_URL": url} if url else {}
        migrate = migrate_command(project)
        assert (migrate is None) == (database == "none"), f"migration command: {migrate}"
        if migrate:  # R19: once per deploy, before the server starts
            proc = run(["uv", "run", *migrate], project, child_env(**db_env))
            assert proc.returncode == 0, describe(proc)
        boot(project, db_env, tmp_path / "server.log")


@pytest.mark.parametrize("answer_set", params(DEEP_SETS))
def test_an_invalid_setting_stops_the_server_with_one_line(
    installed: Callable[[AnswerSet], Path], answer_set: AnswerSet, tmp_path: Path
) -> None:
    """R25: production with the placeholder secret exits non-zero at once, and its output names
    the setting in one line (no traceback, not gunicorn's "Unable to configure handler"). Through
    the image's ENTRYPOINT, and for gunicorn also its bare CMD, as run outside the image."""
    project = installed(answer_set)
    argv = container_command(project)
    cmd = exec_form(final_stage(project).last("CMD")) or []
    commands = [argv, cmd] if cmd and cmd[0] == "gunicorn" else [argv]
    env = container_env(project, SECRET_KEY="change-me")
    for number, command in enumerate(commands):
        with start_server(command, project, env, tmp_path / f"refused-{number}.log") as server:
            try:
                code = server.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{command} kept running with an invalid SECRET_KEY\n{server.output()}")
            output = server.output()
        assert code != 0, f"{command} exited 0 with an invalid SECRET_KEY\n{output}"
        lines = [line for line in output.splitlines() if line.strip()]
        named = [line for line in lines if "SECRET_KEY" in line]
        assert named and named[-1].startswith("configuration error: "), (
            f"{command}: no line names the setting\n{output}"
        )
        assert "Traceback" not in output and "Unable to configure" not in output, output


def boot(project: Path, db_env: dict[str, str], log: Path) -> None:
    argv = container_command(project)
    env = container_env(project, **db_env)
    with start_server(argv, project, env, log) as server:
        health = wait_healthy(server, "/health")
        assert health.json() == {"status": "ok"}, health.text
        ready = httpx.get(server.base_url + "/health/ready", timeout=10)
        assert ready.status_code == 200, f"{ready.status_code} {ready.text}\n{server.output()}"

        server.proc.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{argv} ignored SIGTERM for 30 s (R10)\n--- output\n{server.output()}")
        assert code == 0, f"{argv} exited {code} on SIGTERM (R10)\n--- output\n{server.output()}"
