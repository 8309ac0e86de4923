"""R18 end to end: the booted service reports the database outage on /health/ready (503) while
/health stays 200, and recovers to 200 when the database is back, with no process restarted.
A database that hangs (connections accepted, never answered) costs a probe its one deadline,
READINESS_TIMEOUT_SECONDS, not the database driver's own connect timeout."""

from __future__ import annotations

import contextlib
import shutil
import socket
import time
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
    require_service,
    run,
    start_server,
    wait_healthy,
)
from matrix import BY_NAME, AnswerSet, params
from tcp_proxy import tcp_proxy

pytestmark = pytest.mark.deep

# One set per framework: the async SQLAlchemy pool (FastAPI, Litestar), the sync one (Flask) and
# Django's psycopg pool recover alike.
ANSWER_SETS = [
    BY_NAME["fastapi-postgresql-gunicorn-py313"],
    BY_NAME["django-postgresql-gunicorn-py313"],
    BY_NAME["flask-postgresql-gunicorn-py313"],
    BY_NAME["litestar-postgresql-gunicorn-py313"],
]


# The probes' deadline in this test, well under every driver's connect timeout (5 s or more).
READINESS_TIMEOUT = 1.0


@contextlib.contextmanager
def _silent_server() -> Iterator[tuple[str, int]]:
    """A listening socket that never accepts: the kernel completes connections into its backlog,
    and nothing ever answers them (a database that hangs)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    try:
        yield "127.0.0.1", listener.getsockname()[1]
    finally:
        listener.close()


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def _wait_for_status(base_url: str, path: str, status: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = httpx.get(base_url + path, timeout=5).status_code
        except httpx.HTTPError as exc:
            seen = repr(exc)
        if seen == status:
            return
        time.sleep(0.3)
    pytest.fail(f"{path} did not turn {status} within {timeout:.0f}s (last: {seen})")


@pytest.mark.parametrize("answer_set", params(ANSWER_SETS))
def test_readiness_follows_the_database_without_restart(
    rendered: Callable[[AnswerSet], Path], answer_set: AnswerSet, tmp_path: Path
) -> None:
    upstream = require_service("postgresql")
    project = tmp_path / "project"
    shutil.copytree(rendered(answer_set), project)
    proc = run(["uv", "sync"], cwd=project, env=child_env())
    assert proc.returncode == 0, describe(proc)

    scheme = database_url_scheme(project)
    with fresh_database("postgresql", scheme) as url, tcp_proxy(upstream) as proxy:
        direct = "@{}:{}/".format(*upstream)
        assert direct in url, url
        env = container_env(
            project,
            DATABASE_URL=url.replace(direct, f"@127.0.0.1:{proxy.port}/"),
            WEB_CONCURRENCY="2",
            DB_POOL_TIMEOUT_SECONDS="1",
            READINESS_TIMEOUT_SECONDS=str(READINESS_TIMEOUT),
        )
        argv = container_command(project)
        with start_server(argv, project, env, tmp_path / "server.log") as server:
            wait_healthy(server)
            _wait_for_status(server.base_url, "/health/ready", 200)
            workers = _children(server.proc.pid)

            proxy.down()
            _wait_for_status(server.base_url, "/health/ready", 503)
            assert httpx.get(server.base_url + "/health", timeout=5).status_code == 200

            proxy.up()
            _wait_for_status(server.base_url, "/health/ready", 200)

            with _silent_server() as silent:
                proxy.upstream = silent
                proxy.down()  # drop the pooled connections: new ones reach the silent server
                proxy.up()
                for _ in range(3):
                    started = time.monotonic()
                    ready = httpx.get(server.base_url + "/health/ready", timeout=10)
                    elapsed = time.monotonic() - started
                    assert ready.status_code == 503, ready.text
                    assert ready.json()["checks"]["database"] == "down", ready.text
                    assert elapsed < READINESS_TIMEOUT + 1.5, f"took {elapsed:.1f} s"
                proxy.upstream = upstream
                proxy.down()
                proxy.up()
            _wait_for_status(server.base_url, "/health/ready", 200)

            assert server.proc.poll() is None, server.output()
            assert _children(server.proc.pid) == workers, (
                f"workers were restarted during the outage\n{server.output()}"
            )
