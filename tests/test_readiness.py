"""R18 end to end: the booted service reports the database outage on /health/ready (503) while
/health stays 200, and recovers to 200 when the database is back, with no process restarted."""

from __future__ import annotations

from collections.abc import Callable
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

            assert server.proc.poll() is None, server.output()
            assert _children(server.proc.pid) == workers, (
                f"workers were restarted during the outage\n{server.output()}"
            )
