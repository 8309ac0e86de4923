"""R18 end to end: the booted service reports the database outage on /health/ready (503) while
/health stays 200, and recovers to 200 when the database is back, with no process restarted.
A database that hangs (connections accepted, never answered) costs a probe its one deadline,
READINESS_TIMEOUT_SECONDS, not the database driver's own connect timeout."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from helpers import (
    container_command,
    container_env,
    database_url_scheme,
    fresh_database,
    require_service,
    start_server,
    wait_for_status,
    wait_healthy,
)
from matrix import AnswerSet, params, tagged
from tcp_proxy import tcp_proxy

pytestmark = pytest.mark.deep


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


# One set per framework (tag "readiness"): the async SQLAlchemy pool (FastAPI, Litestar), the sync
# one (Flask) and Django's psycopg pool recover alike.
@pytest.mark.parametrize("answer_set", params(tagged("readiness")))
def test_readiness_follows_the_database_without_restart(
    installed: Callable[[AnswerSet], Path], answer_set: AnswerSet, tmp_path: Path
) -> None:
    upstream = require_service("postgresql")
    project = installed(answer_set)

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
            ready = server.base_url + "/health/ready"
            wait_for_status(ready, timeout=20, output=server.output, alive=server.running)
            workers = _children(server.proc.pid)

            proxy.down()
            wait_for_status(ready, 503, timeout=20, output=server.output, alive=server.running)
            assert httpx.get(server.base_url + "/health", timeout=5).status_code == 200

            proxy.up()
            wait_for_status(ready, timeout=20, output=server.output, alive=server.running)

            with _silent_server() as silent:
                proxy.upstream = silent
                proxy.down()  # drop the pooled connections: new ones reach the silent server
                proxy.up()
                for _ in range(3):
                    started = time.monotonic()
                    probe = httpx.get(ready, timeout=10)
                    elapsed = time.monotonic() - started
                    assert probe.status_code == 503, probe.text
                    assert probe.json()["checks"]["database"] == "down", probe.text
                    assert elapsed < READINESS_TIMEOUT + 1.5, f"took {elapsed:.1f} s"
                proxy.upstream = upstream
                proxy.down()
                proxy.up()
            wait_for_status(ready, timeout=20, output=server.output, alive=server.running)

            assert server.proc.poll() is None, server.output()
            assert _children(server.proc.pid) == workers, (
                f"workers were restarted during the outage\n{server.output()}"
            )
