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
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from helpers import (
    Server,
    child_env,
    container_command,
    container_env,
    describe,
    exec_form,
    final_stage,
    free_port,
    require_service,
    run,
    start_server,
    wait_healthy,
)
from matrix import BY_NAME, AnswerSet
from tcp_proxy import tcp_proxy

pytestmark = [pytest.mark.deep, pytest.mark.celery]

# The booted sets, by key; one xdist group per key: its tests share one installed project.
SETS = {
    "redis": BY_NAME["celery-redis-beat-flower"],
    "rabbitmq": BY_NAME["celery-rabbitmq-redis"],
    "django-redis": BY_NAME["django-celery-redis-beat"],
    "django-rabbitmq": BY_NAME["django-celery-rabbitmq-flower"],
    "flask-redis": BY_NAME["flask-celery-redis-beat"],
    "litestar-rabbitmq": BY_NAME["litestar-celery-rabbitmq-flower"],
}


def proof_sets(*keys: str) -> list[object]:
    return [pytest.param(k, marks=pytest.mark.xdist_group(f"celery-{k}"), id=k) for k in keys]


BROKERS = proof_sets("redis", "rabbitmq")  # FastAPI, both brokers
# Every Celery answer set: its generated tests must pass.
ALL_CELERY_SETS = [s for s in BY_NAME.values() if s.data.get("task_queue") == "celery"]
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
        compose = yaml.safe_load((self.path / "compose.yaml").read_text())
        command = compose["services"][service]["command"]
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


def install(rendered: Path, dst: Path) -> Path:
    shutil.copytree(rendered, dst)
    proc = run(["uv", "sync"], cwd=dst, env=child_env())
    assert proc.returncode == 0, describe(proc)
    return dst


@pytest.fixture(scope="module")
def projects(
    rendered: Callable[[AnswerSet], Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Project]:
    cache: dict[str, Project] = {}

    def _project(key: str) -> Project:
        if key not in cache:
            answers = SETS[key]
            path = install(rendered(answers), tmp_path_factory.mktemp(answers.name) / "project")
            cache[key] = Project(path, answers)
        return cache[key]

    return _project


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


def wait_for(
    predicate: Callable[[], bool], timeout: float, what: str, log: Callable[[], str]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{log()}")


def states(client: httpx.Client, task_ids: list[str]) -> dict[str, str]:
    return {tid: client.get(f"/tasks/{tid}").json()["state"] for tid in task_ids}


def kill_group(server: Server) -> None:
    """SIGKILL the worker's main process and its pool children (its own process group)."""
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)


# --------------------------------------------------------------------------- tests


def _generated_tests_params() -> list[object]:
    proof = {s.name: broker for broker, s in SETS.items()}
    return [
        pytest.param(
            s, marks=pytest.mark.xdist_group(f"celery-{proof.get(s.name, s.name)}"), id=s.name
        )
        for s in ALL_CELERY_SETS
    ]


@pytest.mark.parametrize("answer_set", _generated_tests_params())
def test_generated_tests_pass(
    rendered: Callable[[AnswerSet], Path],
    projects: Callable[[str], Project],
    answer_set: AnswerSet,
    tmp_path: Path,
) -> None:
    """The project's own tests: celery.contrib.pytest worker on the in-memory broker (R23)."""
    proof = {s.name: broker for broker, s in SETS.items()}
    if answer_set.name in proof:  # installed once for the broker tests below
        project = projects(proof[answer_set.name]).path
    else:
        project = install(rendered(answer_set), tmp_path / "project")
    # Its own basetemp: pytest's shared /tmp/pytest-of-<user> is cleaned by every concurrent run.
    basetemp = str(tmp_path / "pytest")
    argv = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", basetemp]
    proc = run(argv, project, child_env())
    assert proc.returncode == 0, describe(proc)
    assert " passed" in proc.stdout, describe(proc)


def require_project_services(project: Project) -> None:
    require_brokers(project.broker)
    if project.answers.data.get("database") == "postgresql":
        require_service("postgresql")


# Django's gunicorn gthread workers run the view on a request thread: the round trip shows the
# task is published through the project's app there, not Celery's per-thread fallback.
@pytest.mark.parametrize(
    "key", proof_sets("redis", "rabbitmq", "django-redis", "flask-redis", "litestar-rabbitmq")
)
def test_round_trip_and_warm_shutdown(
    projects: Callable[[str], Project], key: str, tmp_path: Path
) -> None:
    project = projects(key)
    require_project_services(project)
    iso = isolation(project.broker)
    with (
        web(project, project.env(**iso.env), tmp_path / "web.log") as base_url,
        process(project, "worker", project.env(**iso.env), tmp_path / "worker.log") as worker,
        httpx.Client(base_url=base_url, timeout=10) as client,
    ):
        wait_for(
            lambda: client.get("/health/ready").status_code == 200,
            20, "readiness", lambda: client.get("/health/ready").text,
        )  # fmt: skip
        assert client.get("/health/ready").json()["checks"]["broker"] == "ok"

        text = f"round trip {iso.queue}"  # a task id no other test produces
        accepted = client.post("/digests", json={"text": text, "rounds": 1000})
        assert accepted.status_code == 202, accepted.text
        status_url = accepted.json()["status_url"]
        wait_for(
            lambda: client.get(status_url).json()["state"] == "SUCCESS",
            60, "the task to succeed", worker.output,
        )  # fmt: skip
        assert client.get(status_url).json()["result"] == expected_digest(text, 1000)

        # Warm shutdown (R10, R22): SIGTERM while a task runs; it finishes, then the worker exits 0.
        slow = client.post("/digests", json={"text": f"slow {iso.queue}", "rounds": 1_500_000})
        slow_url = slow.json()["status_url"]
        wait_for(
            lambda: client.get(slow_url).json()["state"] == "STARTED",
            30, "the slow task to start", worker.output,
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
        wait_for(
            lambda: sum(s == "SUCCESS" for s in states(client, ids).values()) >= 6,
            90, "a few tasks to complete", worker.output,
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


@pytest.mark.parametrize("acks_late", [True, False], ids=["acks-late", "acks-early"])
@pytest.mark.parametrize("broker", BROKERS)
def test_killed_worker_loses_nothing(
    projects: Callable[[str], Project], broker: str, acks_late: bool, tmp_path: Path
) -> None:
    """R20/R21: with late acks every task completes after a SIGKILL; with early acks (the check
    that this test can fail) the tasks the dead worker held are gone."""
    require_brokers(broker)
    project = projects(broker)
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
                wait_for(
                    lambda: all(s == "SUCCESS" for s in states(client, ids).values()),
                    60, f"all {TASKS} tasks to complete after the kill",
                    lambda: f"{states(client, ids)}\n{w2.output()[-3000:]}",
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


@pytest.mark.parametrize("key", proof_sets(*SETS))
def test_readiness_follows_the_broker(
    projects: Callable[[str], Project], key: str, tmp_path: Path
) -> None:
    """R18: broker down -> readiness 503, liveness 200; back -> 200, same server process. The
    shared broker cannot be stopped, so the app reaches it through a proxy the test controls."""
    project = projects(key)
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


@pytest.mark.parametrize("key", proof_sets("redis", "django-redis", "flask-redis"))
def test_beat_boots(projects: Callable[[str], Project], key: str, tmp_path: Path) -> None:
    """Beat publishes its schedule to a worker (R22)."""
    project = projects(key)
    require_project_services(project)
    iso = isolation(project.broker)
    env = project.env(**iso.env)
    with (
        process(project, "worker", project.env(**iso.env), tmp_path / "worker.log") as worker,
        process(project, "beat", env, tmp_path / "beat.log") as beat,
    ):
        wait_for(lambda: "heartbeat" in worker.output(), 60, "the beat heartbeat task",
                 lambda: f"--- beat\n{beat.output()}\n--- worker\n{worker.output()}")  # fmt: skip
        assert beat.proc.poll() is None, beat.output()


@pytest.mark.parametrize("key", proof_sets("redis", "django-rabbitmq", "litestar-rabbitmq"))
def test_flower_boots_behind_auth(
    projects: Callable[[str], Project], key: str, tmp_path: Path
) -> None:
    """Flower refuses to start without credentials and answers 401 to a request without them
    (R22)."""
    project = projects(key)
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

        def answers() -> bool:
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(base + "/", timeout=2).status_code == 401
            return False

        wait_for(answers, 60, "Flower to answer", flower.output)
        assert httpx.get(base + "/", auth=("ops", password), timeout=10).status_code == 200
        assert httpx.get(base + "/", auth=("ops", "wrong"), timeout=10).status_code == 401
        # The Kubernetes probes' path: the one page outside the auth, and it says nothing.
        assert httpx.get(base + "/healthcheck", timeout=10).text == "OK"
