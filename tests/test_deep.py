"""Deep tier: install a rendered project, run its own tests against a real database, migrate,
then boot its Dockerfile CMD on loopback and stop it the way an orchestrator does."""

from __future__ import annotations

import contextlib
import shutil
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
    fresh_database,
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


# How each framework applies its migrations once per deploy (R19); Alembic unless listed.
MIGRATE: dict[str, list[str]] = {
    "django": ["uv", "run", "python", "manage.py", "migrate", "--noinput"],
}
ALEMBIC_UPGRADE = ["uv", "run", "alembic", "upgrade", "head"]


@pytest.mark.parametrize("answer_set", params(DEEP_SETS))
def test_install_test_migrate_boot(
    rendered: Callable[[AnswerSet], Path], answer_set: AnswerSet, tmp_path: Path
) -> None:
    database = str(answer_set.data.get("database", "postgresql"))
    project = tmp_path / "project"
    shutil.copytree(rendered(answer_set), project)

    # 1. install (shared uv cache; `uv sync` writes the lock since renders skip the lock task)
    proc = run(["uv", "sync"], cwd=project, env=child_env())
    assert proc.returncode == 0, describe(proc)
    assert (project / ".venv" / "bin" / "python").exists()

    # 2. the project's own tests: on a real server database, else offline (SQLite in-process)
    scheme = database_url_scheme(project)
    offline = database in {"none", "sqlite"}
    with contextlib.nullcontext(None) if offline else fresh_database(database, scheme) as url:
        extra = {"DATABASE_URL": url} if url else {}
        pytest_cmd = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"]
        proc = run(pytest_cmd, project, child_env(**extra))
    assert proc.returncode == 0, describe(proc)
    assert " passed" in proc.stdout, f"the project's tests ran nothing\n{describe(proc)}"

    # 3. migrations on an empty database, then 4. boot the container command against it
    with database_url(database, tmp_path, "app", scheme) as url:
        db_env = {"DATABASE_URL": url} if url else {}
        if database != "none":
            framework = str(answer_set.data.get("framework", "fastapi"))
            proc = run(MIGRATE.get(framework, ALEMBIC_UPGRADE), project, child_env(**db_env))
            assert proc.returncode == 0, describe(proc)
        boot(project, db_env, tmp_path / "server.log")


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
