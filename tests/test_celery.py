"""Celery proof (issue 4) against the real brokers on 127.0.0.1.

Boots the rendered web app through its Dockerfile ENTRYPOINT + CMD and the rendered worker, beat
and Flower commands (ENTRYPOINT + compose ``command``), exactly as the containers would run them.
Each test gets its own queue name and Redis db number, so parallel runs do not collide.

- round trip: POST /digests -> broker -> worker -> GET /tasks/{id}, Redis and RabbitMQ (FastAPI),
  Redis (Flask and Django; Django's RabbitMQ set keeps no results, so there is no status to
  poll), RabbitMQ (Litestar);
- no loss: SIGKILL the worker (and its pool) mid-way, start another: every task completes;
  the same scenario with ``task_acks_late`` off loses tasks (so the proof can fail). Redelivery
  is the broker's and the worker's business, the same for every framework: FastAPI sets only;
- broker down: readiness 503 and liveness 200; broker back: 200, same server process (all sets);
- beat publishes (every set with beat), Flower answers 401 without credentials and refuses to
  start without them (every set with Flower).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from helpers import (
    Server,
    child_env,
    compose_command,
    container_command,
    container_env,
    describe,
    exec_form,
    final_stage,
    free_port,
    require_service,
    run,
    start_server,
    wait_for_status,
    wait_healthy,
    wait_until,
)
from matrix import AnswerSet, params, tagged
from tcp_proxy import tcp_proxy

pytestmark = [pytest.mark.deep, pytest.mark.celery]

# The booted sets (tag "celery-proof"): each test picks those whose answers have what it proves.
PROOF_SETS = tagged("celery-proof")


def proof_sets(wanted: Callable[[AnswerSet], bool] = lambda s: True) -> list[object]:
    return params([s for s in PROOF_SETS if wanted(s)])


# Every Celery answer set of the matrix: its generated tests must pass. Those tagged "ci-steps"
# run them in tests/test_ci_steps.py (its CI workflow's `uv run pytest`); here the others.
OTHER_CELERY_SETS = [
    s for s in tagged("matrix") if s.data.get("task_queue") == "celery" and "ci-steps" not in s.tags
]
SALT = b"plinth-digests"  # the example task's salt (digests/tasks.py)
TASKS = 50
ROUNDS = 150_000  # PBKDF2 rounds per task: a moment of CPU each
# Redis db numbers of this xdist worker (its tests run one at a time): the broker's unacked
# index is per db, so parallel workers must not share one. 0 and 1 are the project's defaults.
_XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 7
BROKER_DB, RESULT_DB = 2 + _XDIST_INDEX, 9 + _XDIST_INDEX


def expected_digest(text: str, rounds: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", text.encode(), SALT, rounds).hex()


# --------------------------------------------------------------------------- project


@dataclass
class Project:
    path: Path
    answers: AnswerSet

    @property
    def broker(self) -> str:
        return str(self.answers.data["broker"])

    @property
    def framework(self) -> str:
        return str(self.answers.data.get("framework", "fastapi"))

    def compose_command(self, service: str) -> list[str]:
        """ENTRYPOINT + the compose service's command: what the container runs."""
        command = compose_command(self.path, service)
        assert command, f"compose.yaml has no {service} service"
        entrypoint = exec_form(final_stage(self.path).last("ENTRYPOINT")) or []
        return [*entrypoint, *command]

    def env(self, **extra: str) -> dict[str, str]:
        env = container_env(self.path, LOG_FORMAT="console")
        if self.framework == "django":
            # Plain HTTP on loopback: no redirect to HTTPS for the POSTs.
            env["SECURE_SSL_REDIRECT"] = "false"
        if self.answers.data.get("database") == "postgresql":
            env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/test"
        env.update(extra)
        return env


@pytest.fixture
def project(installed: Callable[[AnswerSet], Path], answer_set: AnswerSet) -> Project:
    """The installed project of the test's answer set (shared by its tests on this worker)."""
    return Project(installed(answer_set), answer_set)


@dataclass
class Isolation:
    """Broker settings of one test: its own queue and, on Redis, its own db numbers."""

    env: dict[str, str]
    queue: str


def isolation(broker: str, **settings: str) -> Isolation:
    queue = f"plinth-test-{secrets.token_hex(4)}"
    env = {"CELERY_DEFAULT_QUEUE": queue, "CELERY_WORKER_CONCURRENCY": "2"}
    env["CELERY_RESULT_BACKEND"] = f"redis://127.0.0.1:6379/{RESULT_DB}"
    if broker == "redis":
        env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:6379/{BROKER_DB}"
    else:
        env["CELERY_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:5672//"
    env.update(settings)
    return Isolation(env, queue)


def require_brokers(broker: str) -> None:
    require_service(broker)
    require_service("redis")  # the result backend of both proof sets


@contextlib.contextmanager
def web(project: Project, env: dict[str, str], log: Path) -> Iterator[str]:
    with start_server(container_command(project.path), project.path, env, log) as server:
        wait_healthy(server, "/health")
        yield server.base_url


@contextlib.contextmanager
def process(project: Project, service: str, env: dict[str, str], log: Path) -> Iterator[Server]:
    if service == "worker":
        # A unique node name (celery reads --hostname from CELERY_WORKER_HOSTNAME): on RabbitMQ
        # a node's control queue is exclusive, and a killed worker's lingers for a moment.
        env = {**env, "CELERY_WORKER_HOSTNAME": f"{secrets.token_hex(4)}@%h"}
    with start_server(project.compose_command(service), project.path, env, log) as proc:
        yield proc


def states(client: httpx.Client, task_ids: list[str]) -> dict[str, str]:
    return {tid: client.get(f"/tasks/{tid}").json()["state"] for tid in task_ids}


def kill_group(server: Server) -> None:
    """SIGKILL the worker's main process and its pool children (its own process group)."""
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("answer_set", params(OTHER_CELERY_SETS))
def test_generated_tests_pass(project: Project, tmp_path: Path) -> None:
    """The project's own tests: celery.contrib.pytest worker on the in-memory broker (R23)."""
    # Its own basetemp: pytest's shared /tmp/pytest-of-<user> is cleaned by every concurrent run.
    basetemp = str(tmp_path / "pytest")
    argv = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", basetemp]
    proc = run(argv, project.path, child_env())
    assert proc.returncode == 0, describe(proc)
    assert " passed" in proc.stdout, describe(proc)


def require_project_services(project: Project) -> None:
    require_brokers(project.broker)
    if project.answers.data.get("database") == "postgresql":
        require_service("postgresql")


# Django's gunicorn gthread workers run the view on a request thread: the round trip shows the
# task is published through the project's app there, not Celery's per-thread fallback.
# Every proof set that keeps results (Django's RabbitMQ set has no status to poll).
@pytest.mark.parametrize("answer_set", proof_sets(lambda s: s.data["result_backend"] != "none"))
def test_round_trip_and_warm_shutdown(project: Project, tmp_path: Path) -> None:
    require_project_services(project)
    iso = isolation(project.broker)
    with (
        web(project, project.env(**iso.env), tmp_path / "web.log") as base_url,
        process(project, "worker", project.env(**iso.env), tmp_path / "worker.log") as worker,
        httpx.Client(base_url=base_url, timeout=10) as client,
    ):
        wait_for_status(f"{base_url}/health/ready", timeout=20, output=worker.output)
        assert client.get("/health/ready").json()["checks"]["broker"] == "ok"

        text = f"round trip {iso.queue}"  # a task id no other test produces
        accepted = client.post("/digests", json={"text": text, "rounds": 1000})
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.json()["status_url"]
        wait_until(
            lambda: client.get(status_url).json()["state"] == "SUCCESS",
            timeout=60, what="the task to succeed", output=worker.output,
        )  # fmt: skip
        assert client.get(status_url).json()["result"] == expected_digest(text, 1000)

        # Warm shutdown (R10, R22): SIGTERM while a task runs; it finishes, then the worker exits 0.
        # The most rounds the API takes: 1.5 million ran in 0.27 s on a fast core, done before the
        # first poll saw STARTED; ten million keep the worker busy for seconds.
        slow = client.post("/digests", json={"text": f"slow {iso.queue}", "rounds": 10_000_000})
        assert slow.status_code == 202, slow.text
        slow_url = slow.json()["status_url"]
        wait_until(
            lambda: client.get(slow_url).json()["state"] == "STARTED",
            timeout=30, what="the slow task to start", output=worker.output, interval=0.05,
        )  # fmt: skip
        worker.proc.send_signal(signal.SIGTERM)
        try:
            code = worker.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker ignored SIGTERM for 30 s\n{worker.output()}")
        assert code == 0, f"worker exited {code} on SIGTERM\n{worker.output()}"
        assert client.get(slow_url).json()["state"] == "SUCCESS", worker.output()


def enqueue(client: httpx.Client, label: str) -> list[str]:
    ids = []
    for n in range(TASKS):
        accepted = client.post("/digests", json={"text": f"{label}-{n}", "rounds": ROUNDS})
        assert accepted.status_code == 202, accepted.text
        ids.append(accepted.json()["task_id"])
    return ids


def kill_worker_midway(
    project: Project, env: dict[str, str], client: httpx.Client, ids: list[str], log: Path
) -> None:
    """Run a worker until a few tasks are done, then SIGKILL it and its pool."""
    with process(project, "worker", env, log) as worker:
        wait_until(
            lambda: sum(s == "SUCCESS" for s in states(client, ids).values()) >= 6,
            timeout=90, what="a few tasks to complete", output=worker.output, alive=worker.running,
        )  # fmt: skip
        kill_group(worker)
    done = sum(s == "SUCCESS" for s in states(client, ids).values())
    assert done < TASKS, f"all {TASKS} tasks finished before the kill; make them longer"


# Redis: a short visibility timeout so the killed worker's messages come back within the test.
SHORT_REDIS_TIMEOUTS = {
    "CELERY_VISIBILITY_TIMEOUT_SECONDS": "6",
    "CELERY_TASK_SOFT_TIME_LIMIT_SECONDS": "3",
    "CELERY_TASK_TIME_LIMIT_SECONDS": "4",
    "CELERY_RETRY_BACKOFF_MAX_SECONDS": "4",
}


# Redelivery is the broker's and the worker's business, the same for every framework: FastAPI's
# proof sets, one per broker.
@pytest.mark.parametrize("acks_late", [True, False], ids=["acks-late", "acks-early"])
@pytest.mark.parametrize("answer_set", proof_sets(lambda s: s.data["framework"] == "fastapi"))
def test_killed_worker_loses_nothing(project: Project, acks_late: bool, tmp_path: Path) -> None:
    """R20/R21: with late acks every task completes after a SIGKILL; with early acks (the check
    that this test can fail) the tasks the dead worker held are gone."""
    broker = project.broker
    require_brokers(broker)
    iso = isolation(broker, CELERY_TASK_ACKS_LATE=str(acks_late).lower(), **SHORT_REDIS_TIMEOUTS)
    env = project.env(**iso.env)
    with (
        web(project, project.env(**iso.env), tmp_path / "web.log") as base_url,
        httpx.Client(base_url=base_url, timeout=10) as client,
    ):
        ids = enqueue(client, f"{broker}-{acks_late}-{secrets.token_hex(3)}")
        kill_worker_midway(project, env, client, ids, tmp_path / "worker-1.log")

        with process(project, "worker", project.env(**iso.env), tmp_path / "worker-2.log") as w2:
            if acks_late:
                wait_until(
                    lambda: all(s == "SUCCESS" for s in states(client, ids).values()),
                    timeout=60, what=f"all {TASKS} tasks to complete after the kill",
                    output=lambda: f"{states(client, ids)}\n{w2.output()[-3000:]}",
                )  # fmt: skip
            else:
                # Wait until the second worker has drained the queue and nothing moves for
                # longer than the visibility timeout plus kombu's 10 s restore sweep.
                quiet_for = 18 if broker == "redis" else 5
                last, since = -1, time.monotonic()
                deadline = time.monotonic() + 120
                while time.monotonic() - since < quiet_for and time.monotonic() < deadline:
                    done = sum(s == "SUCCESS" for s in states(client, ids).values())
                    if done != last:
                        last, since = done, time.monotonic()
                    time.sleep(0.5)
                final = states(client, ids)
                lost = [tid for tid, state in final.items() if state != "SUCCESS"]
                assert lost, "early acks lost nothing: the no-loss test could not fail"
                assert len(lost) < TASKS


@pytest.mark.parametrize("answer_set", proof_sets())
def test_readiness_follows_the_broker(project: Project, tmp_path: Path) -> None:
    """R18: broker down -> readiness 503, liveness 200; back -> 200, same server process. The
    shared broker cannot be stopped, so the app reaches it through a proxy the test controls."""
    require_project_services(project)
    host, port = require_service(project.broker)
    iso = isolation(project.broker)
    with tcp_proxy((host, port)) as proxy:
        url = iso.env["CELERY_BROKER_URL"].replace(f":{port}/", f":{proxy.port}/")
        env = project.env(**{**iso.env, "CELERY_BROKER_URL": url})
        argv = container_command(project.path)
        with start_server(argv, project.path, env, tmp_path / "web.log") as server:
            wait_healthy(server, "/health/ready")
            pid = server.proc.pid

            proxy.down()
            ready = httpx.get(server.base_url + "/health/ready", timeout=10)
            assert ready.status_code == 503, ready.text
            assert ready.json()["checks"]["broker"] == "down"
            assert httpx.get(server.base_url + "/health", timeout=5).status_code == 200

            proxy.up()
            back = wait_healthy(server, "/health/ready", timeout=20)
            assert back.json()["checks"]["broker"] == "ok"
            assert server.proc.poll() is None and server.proc.pid == pid, "the server restarted"


@pytest.mark.parametrize("answer_set", proof_sets(lambda s: s.data["celery_beat"]))
def test_beat_boots(project: Project, tmp_path: Path) -> None:
    """Beat publishes its schedule to a worker (R22)."""
    require_project_services(project)
    iso = isolation(project.broker)
    env = project.env(**iso.env)
    with (
        process(project, "worker", project.env(**iso.env), tmp_path / "worker.log") as worker,
        process(project, "beat", env, tmp_path / "beat.log") as beat,
    ):
        wait_until(
            lambda: "heartbeat" in worker.output(), timeout=60, what="the beat heartbeat task",
            output=lambda: f"--- beat\n{beat.output()}\n--- worker\n{worker.output()}",
            alive=beat.running,
        )  # fmt: skip
        assert beat.proc.poll() is None, beat.output()


@pytest.mark.parametrize("answer_set", proof_sets(lambda s: s.data["flower"]))
def test_flower_boots_behind_auth(project: Project, tmp_path: Path) -> None:
    """Flower refuses to start without credentials and answers 401 to a request without them
    (R22)."""
    require_project_services(project)
    iso = isolation(project.broker)
    open_env = project.env(**iso.env)
    open_env.pop("FLOWER_BASIC_AUTH", None)
    proc = run(project.compose_command("flower"), project.path, open_env, timeout=60)
    assert proc.returncode != 0 and "FLOWER_BASIC_AUTH" in proc.stderr, describe(proc)

    flower_port = free_port()
    password = secrets.token_urlsafe(12)
    flower_env = project.env(
        **iso.env, FLOWER_BASIC_AUTH=f"ops:{password}", FLOWER_PORT=str(flower_port),
        FLOWER_ADDRESS="127.0.0.1",
    )  # fmt: skip
    with process(project, "flower", flower_env, tmp_path / "flower.log") as flower:
        base = f"http://127.0.0.1:{flower_port}"

        wait_for_status(base + "/", 401, output=flower.output, alive=flower.running)
        assert httpx.get(base + "/", auth=("ops", password), timeout=10).status_code == 200
        assert httpx.get(base + "/", auth=("ops", "wrong"), timeout=10).status_code == 401
        # The Kubernetes probes' path: the one page outside the auth, and it says nothing.
        assert httpx.get(base + "/healthcheck", timeout=10).text == "OK"
