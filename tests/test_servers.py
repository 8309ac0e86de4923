"""Proof for every offered server: the Dockerfile's ENTRYPOINT + CMD, booted on loopback,

- trusts X-Forwarded-* only from FORWARDED_ALLOW_IPS (R11);
- finishes a request already in flight when it gets SIGTERM, then exits 0, and stops waiting
  for requests after GRACEFUL_TIMEOUT (R10);
- for servers with a supervisor, survives `kill -9` of a worker and gets the worker back (R6);
- writes nothing but JSON lines, from start to exit, the supervisor's own lines included;
- on every ASGI server but daphne (Twisted's reactor), serves from uvloop in each worker (R5, C20);
- on every ASGI server, runs each request in a fresh context (C19).

Every (framework, server) pair offered (the sets tagged "servers" in tests/matrix.py): FastAPI,
Litestar and Django on each ASGI server (Django on daphne too), Flask under gunicorn gthread
(workload io), gunicorn sync (workload cpu) and granian's WSGI interface, and Django under
gunicorn gthread.

The generated app has no slow endpoint, and must not get one. The probes are test-only modules
outside the project, tests/probes/plinth_probe_asgi.py and plinth_probe_wsgi.py, put on
PYTHONPATH: each wraps the framework's app object (read from the render: the CMD's target or the
object ``serving.proxied`` wraps) with a middleware answering ``/__probe/...``, then exposes the
object the CMD serves, which wraps the app in turn. The test runs the exact ENTRYPOINT + CMD with
only the app target swapped for the probe's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import (
    PROBES,
    app_target,
    container_command,
    container_env,
    interface,
    served_target,
    start_server,
    wait_healthy,
    wait_until,
)
from matrix import BY_NAME, AnswerSet, params, tagged

pytestmark = pytest.mark.deep

Installed = Callable[[AnswerSet], Path]
SERVER_SETS = tagged("servers")
SLOW_SECONDS = 3.0


def probe_command(project: Path, answer_set: AnswerSet) -> tuple[list[str], dict[str, str]]:
    """ENTRYPOINT + CMD with the served app target swapped for the probe's, and the environment
    that tells the probe what to wrap and what to serve."""
    argv = container_command(project)
    index = served_target(argv)
    kind = interface(project)
    assert (kind == "asgi") == ("asgi" in answer_set.tags), (
        f"the render serves {kind.upper()}: fix the set's tags in tests/matrix.py"
    )
    module, attr = app_target(project)
    env = {
        "PYTHONPATH": str(PROBES),
        "PLINTH_PROBE_APP": f"{module}:{attr}",
        "PLINTH_PROBE_SERVED": argv[index],
        "PLINTH_PROBE_SLOW_SECONDS": str(SLOW_SECONDS),
    }
    argv[index] = f"plinth_probe_{kind}:app"
    return argv, env


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc), the workers of a supervising server."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        raw = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in raw.split()]
    return sorted(set(found))


def workers_of(pid: int) -> list[int]:
    """Worker processes: children that are not multiprocessing's helper processes."""
    workers = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"resource_tracker" not in cmdline and b"forkserver" not in cmdline:
            workers.append(child)
    return workers


@pytest.mark.parametrize("answer_set", params(SERVER_SETS))
def test_forwarded_headers_only_from_allowed_proxies(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """R11: X-Forwarded-For/-Proto change the client and scheme only when the peer is listed.

    One boot trusts a network (as the Kubernetes manifest sets the ingress controller's pod CIDR),
    127.0.0.0/31; a request from 127.0.0.1 is inside it, one from 127.0.0.2 is not."""
    project = installed(answer_set)
    argv, probe_env = probe_command(project, answer_set)
    forwarded = {"x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https"}
    env = container_env(
        project, **probe_env, FORWARDED_ALLOW_IPS="127.0.0.0/31", WEB_CONCURRENCY="1"
    )
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        for peer, expected in [
            ("127.0.0.1", {"client": "203.0.113.7", "scheme": "https"}),
            ("127.0.0.2", {"client": "127.0.0.2", "scheme": "http"}),
        ]:
            if answer_set.data["framework"] == "django":
                # Django itself (no SECURE_PROXY_SSL_HEADER) follows the server's verdict.
                scheme = expected["scheme"]
                origin = f"{scheme}://127.0.0.1:{env['PORT']}/"
                expected = {**expected, "secure": scheme == "https", "url": origin}
            transport = httpx.HTTPTransport(local_address=peer)
            with httpx.Client(transport=transport, timeout=5) as http:
                seen = http.get(srv.base_url + "/__probe/client", headers=forwarded).json()
            assert seen == expected, f"from {peer}: {seen}\n{srv.output()}"


@pytest.mark.parametrize("answer_set", params(SERVER_SETS))
def test_sigterm_lets_the_request_in_flight_finish(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """R10: SIGTERM stops the server gracefully: the slow request gets its answer, exit 0."""
    project = installed(answer_set)
    argv, probe_env = probe_command(project, answer_set)
    env = container_env(project, **probe_env, WEB_CONCURRENCY="2")
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        result: dict[str, Any] = {}

        def slow_request() -> None:
            try:
                response = httpx.get(srv.base_url + "/__probe/slow", timeout=30)
                result["answer"] = (response.status_code, response.json())
            except httpx.HTTPError as exc:
                result["answer"] = repr(exc)

        client = threading.Thread(target=slow_request)
        started = time.monotonic()
        client.start()
        time.sleep(SLOW_SECONDS / 3)  # the request is now inside the handler
        srv.proc.send_signal(signal.SIGTERM)
        try:
            code = srv.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{answer_set.name} ignored SIGTERM for 30 s (R10)\n{srv.output()}")
        client.join(timeout=30)
        assert result.get("answer") == (200, {"done": True}), (
            f"the request in flight was cut off by SIGTERM: {result.get('answer')}\n{srv.output()}"
        )
        assert code == 0, f"{answer_set.name} exited {code} on SIGTERM\n{srv.output()}"
        assert time.monotonic() - started >= SLOW_SECONDS, "the slow endpoint was not slow"


@pytest.mark.parametrize("answer_set", params(tagged("asgi")))
def test_each_request_runs_in_a_fresh_context(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """C19: the ASGI request middleware clears no context variables, because every ASGI server
    runs each request in a fresh context. A variable one request sets is unset for the next
    request on the same connection and for concurrent ones, and no request sees another's."""
    project = installed(answer_set)
    argv, probe_env = probe_command(project, answer_set)
    env = container_env(project, **probe_env, WEB_CONCURRENCY="1")
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        url = srv.base_url + "/__probe/context"
        with httpx.Client(timeout=5) as http:  # one keep-alive connection
            answers = [(f"n={i}", http.get(url, params={"n": i})) for i in range(5)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [(f"c={i}", pool.submit(httpx.get, url, params={"c": i}, timeout=5))
                       for i in range(16)]  # fmt: skip
            answers += [(query, future.result()) for query, future in futures]
    for query, answer in answers:
        assert answer.status_code == 200, f"{answer.status_code}\n{srv.output()}"
        assert answer.json() == {"previous": None, "mine": query}, (query, answer.json())
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("answer_set", params(tagged("uvloop")))
def test_workers_serve_from_uvloop(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """R5, C20: each worker's running event loop is uvloop's. On asyncio's, gunicorn's asgi worker
    could take a whole burst of new connections and leave its sibling idle."""
    project = installed(answer_set)
    expected = 2 if "supervised" in answer_set.tags else 1
    argv, probe_env = probe_command(project, answer_set)
    env = container_env(project, **probe_env, WEB_CONCURRENCY=str(expected))
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        loops: dict[int, str] = {}
        deadline = time.monotonic() + 20
        with httpx.Client(timeout=5) as http:
            # A new connection per request, so that every worker gets to answer.
            while len(loops) < expected and time.monotonic() < deadline:
                answer = http.get(srv.base_url + "/__probe/loop", headers={"connection": "close"})
                assert answer.status_code == 200, f"{answer.status_code}\n{srv.output()}"
                worker = answer.json()
                loops[worker["pid"]] = worker["loop"]
        assert len(loops) == expected, f"heard from {len(loops)} workers\n{srv.output()}"
        assert all(loop.startswith("uvloop.") for loop in loops.values()), loops
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("answer_set", params(tagged("supervised")))
def test_killed_worker_is_replaced(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """R6: kill -9 one of two workers; the service keeps answering and the count comes back."""
    project = installed(answer_set)
    argv = container_command(project)
    env = container_env(project, WEB_CONCURRENCY="2")
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        pid = srv.proc.pid
        before = wait_until(
            lambda: (w := workers_of(pid)) and len(w) == 2 and w,
            timeout=30, what="2 workers", output=srv.output, alive=srv.running,
        )  # fmt: skip
        # Both workers must be serving before one is killed (granian/uvicorn start them lazily).
        time.sleep(1.0)
        os.kill(before[0], signal.SIGKILL)

        answers = []
        deadline = time.monotonic() + 3.0
        with httpx.Client(timeout=5) as http:
            while time.monotonic() < deadline:
                # A new connection per request, as independent clients would open.
                answers.append(http.get(srv.base_url + "/health", headers={"connection": "close"}))
        codes = {r.status_code for r in answers}
        assert codes == {200}, f"answers while a worker was dead: {codes}\n{srv.output()}"

        after = wait_until(
            lambda: (w := workers_of(pid)) and len(w) == 2 and before[0] not in w and w,
            timeout=30, what="the killed worker to be replaced", output=srv.output,
            alive=srv.running,
        )  # fmt: skip
        assert before[1] in after, "the surviving worker should not have been restarted"
        assert srv.proc.poll() is None, (
            f"{answer_set.name} exited after a worker died\n{srv.output()}"
        )
        assert httpx.get(srv.base_url + "/health", timeout=5).status_code == 200
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("answer_set", params(SERVER_SETS))
def test_graceful_timeout_bounds_the_shutdown(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """R10: GRACEFUL_TIMEOUT (e.g. below Cloud Run's 10 s) caps how long SIGTERM waits."""
    project = installed(answer_set)
    argv, probe_env = probe_command(project, answer_set)
    env = container_env(project, **probe_env, WEB_CONCURRENCY="1", GRACEFUL_TIMEOUT="2")
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)

        def abandoned_request() -> None:
            with contextlib.suppress(httpx.HTTPError):  # cut off by design
                httpx.get(srv.base_url + "/__probe/slow?seconds=20", timeout=30)

        client = threading.Thread(target=abandoned_request, daemon=True)
        client.start()
        time.sleep(1.0)
        srv.proc.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        try:
            srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{answer_set.name} still running 15 s after SIGTERM, GRACEFUL_TIMEOUT=2\n"
                        f"{srv.output()}")  # fmt: skip
        took = time.monotonic() - stopping
        assert took < 10, f"{answer_set.name} took {took:.1f}s to stop with GRACEFUL_TIMEOUT=2"


# Test-only, put on PYTHONPATH by the tests below: gunicorn's workers get the conditions of a
# starved container, made certain. PLINTH_TEST_FORK_PAUSE holds each new worker between its fork
# and its own signal handlers; PLINTH_TEST_EXIT_WORK gives each worker objects in reference cycles
# whose finalizers take 1 ms each, which Python's exit-time collection would run (as it spends
# 0.2-0.3 s of CPU collecting a real app, seconds once several workers share a starved CPU).
GUNICORN_WORKER_SITE = """\
import os
import time


class Finalized:
    def __init__(self):
        self.cycle = self

    def __del__(self, sleep=time.sleep):  # bound now: module globals are gone by then
        sleep(0.001)


def in_new_worker():
    global EXIT_WORK
    EXIT_WORK = [Finalized() for _ in range(int(os.environ.get("PLINTH_TEST_EXIT_WORK", "0")))]
    time.sleep(float(os.environ.get("PLINTH_TEST_FORK_PAUSE", "0")))


os.register_at_fork(after_in_child=in_new_worker)
"""


GTHREAD = BY_NAME["servers-flask-gunicorn-gthread"]


def gunicorn_worker_env(project: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(GUNICORN_WORKER_SITE)
    return container_env(project, PYTHONPATH=str(site), **extra)


@pytest.mark.xdist_group(GTHREAD.name)
def test_gunicorn_stops_within_graceful_timeout_with_nothing_in_flight(
    installed: Installed, tmp_path: Path
) -> None:
    """R10, C33: with only an idle keep-alive connection open (a load balancer's, a HEALTHCHECK's),
    SIGTERM stops the server well within GRACEFUL_TIMEOUT, though each worker's exit-time garbage
    collection would take twice that: the workers skip it and are not killed at the deadline."""
    case = GTHREAD
    project = installed(case)
    env = gunicorn_worker_env(
        project, tmp_path, WEB_CONCURRENCY="2", GRACEFUL_TIMEOUT="6", PLINTH_TEST_EXIT_WORK="12000"
    )
    with start_server(container_command(project), project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        with socket.create_connection((env["HOST"], int(env["PORT"])), timeout=5) as idle:
            idle.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            assert idle.recv(4096).startswith(b"HTTP/1.1 200"), srv.output()
            srv.proc.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            try:
                code = srv.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{case} still running 30 s after SIGTERM\n{srv.output()}")
            took = time.monotonic() - stopping
    assert code == 0, f"{case} exited {code} on SIGTERM\n{srv.output()}"
    assert took < 5, f"{case} took {took:.1f} s to stop, GRACEFUL_TIMEOUT=6\n{srv.output()}"


@pytest.mark.xdist_group(GTHREAD.name)
def test_gunicorn_worker_forked_as_sigterm_arrives_stops(
    installed: Installed, tmp_path: Path
) -> None:
    """C33: a worker that gets its SIGTERM before it has installed its own signal handlers (it was
    forked just before the master was told to stop) still stops by itself, instead of serving on
    until the master kills it at GRACEFUL_TIMEOUT (gunicorn issue #1910)."""
    case = GTHREAD
    project = installed(case)
    env = gunicorn_worker_env(
        project, tmp_path, WEB_CONCURRENCY="1", GRACEFUL_TIMEOUT="15", PLINTH_TEST_FORK_PAUSE="2"
    )
    with start_server(container_command(project), project, env, tmp_path / "server.log") as srv:
        forked = lambda: workers_of(srv.proc.pid)  # noqa: E731
        wait_until(forked, timeout=30, what="the worker's fork", output=srv.output)
        srv.proc.send_signal(signal.SIGTERM)  # while the new worker is held after its fork
        stopping = time.monotonic()
        try:
            code = srv.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{case} still running 30 s after SIGTERM\n{srv.output()}")
        took = time.monotonic() - stopping
    assert code == 0, f"{case} exited {code} on SIGTERM\n{srv.output()}"
    assert "Worker exiting" in srv.output(), f"the worker was killed, not stopped\n{srv.output()}"
    assert took < 12, f"{case} took {took:.1f} s to stop, GRACEFUL_TIMEOUT=15\n{srv.output()}"


# What a server's supervisor, which never loads the app, logs first.
SUPERVISOR_FIRST_LINE = {
    "gunicorn": "Starting gunicorn",
    "uvicorn": "Uvicorn running on",
    "granian": "Starting granian",
}


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@pytest.mark.parametrize("answer_set", params(SERVER_SETS))
def test_everything_written_is_one_json_object_per_line(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    """Structured logs: with the default LOG_FORMAT, every line the container writes from start
    to exit (the server's supervisor, its workers, the app, the access line) parses as JSON, and a
    health probe's success writes none."""
    project = installed(answer_set)
    env = container_env(project, WEB_CONCURRENCY="2")
    with start_server(container_command(project), project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        missing = httpx.get(srv.base_url + "/missing", timeout=5).status_code  # Django: 301
        httpx.get(srv.base_url + "/missing", headers={"X-Request-ID": "probe-7"}, timeout=5)
        srv.proc.send_signal(signal.SIGTERM)
        try:
            srv.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{answer_set.name} ignored SIGTERM for 30 s\n{srv.output()}")
    lines = [line for line in srv.output().splitlines() if line.strip()]
    parsed = [(line, _json_object(line)) for line in lines]
    plain = [line for line, entry in parsed if entry is None]
    assert not plain, f"{len(plain)} of {len(lines)} lines are not JSON:\n" + "\n".join(plain)
    entries = [entry for _, entry in parsed if entry is not None]
    events = [str(entry.get("event")) for entry in entries]
    server = str(answer_set.data["server"]).split("-")[0]
    if first := SUPERVISOR_FIRST_LINE.get(server):
        assert any(e.startswith(first) for e in events), f"no {first!r}\n{srv.output()}"
    access = [entry for entry in entries if entry.get("status") == missing]
    assert access, f"no access line for the {missing}\n{srv.output()}"
    ids = sorted(str(entry.get("request_id")) for entry in access)
    assert len(ids) == 2 and len(ids[0]) == 32 and ids[1] == "probe-7", access
    # wait_healthy's probes succeeded: no framework writes a line for them (logs.QUIET_PATHS).
    probes = [e for e in entries if e.get("path") == "/health" and e.get("status") == 200]
    assert not probes, f"{len(probes)} access lines for /health probes\n{srv.output()}"
