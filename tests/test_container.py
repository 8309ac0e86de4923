"""Container tier (`-m container`): build the generated Dockerfile UNCHANGED and run the image as
an orchestrator would.

The engine is the host's docker or podman when it reaches a registry (as users build); otherwise
`tests/container/setup.sh` gives a podman 5 from Debian 13 and LOCAL STAND-INS for the base
images under the exact names the Dockerfile uses (Debian 12 plus pyenv's CPython for
python:X.Y-slim-bookworm, PyPI's uv wheel for ghcr.io/astral-sh/uv): the build and the runtime
checks are real, the base images are not the official ones, and the report says so.

For one answer set per framework, one with Celery and one per server kind, the image is built
from a render plus `uv lock` (what the README tells the owner), then run on the host network
(no firewall changes) against this machine's real database and broker, as uid 999, on a strictly
read-only root filesystem: once with no writable mount at all (only the /dev/shm tmpfs that
Docker and Kubernetes always give) and once with /tmp as a tmpfs (the Kubernetes manifests'
emptyDir). Image sizes and build times go to the end of the pytest report.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from container.base_images import qualified
from helpers import (
    IN_CI,
    REPO_ROOT,
    compose_command,
    database_url_scheme,
    describe,
    exec_form,
    final_stage,
    free_port,
    fresh_database,
    migrate_command,
    parse_dockerfile,
    require_service,
    wait_for_status,
)
from matrix import AnswerSet, params, tagged

pytestmark = pytest.mark.container

SETUP = REPO_ROOT / "tests" / "container" / "setup.sh"
CACHE = Path(os.environ.get("PLINTH_CONTAINER_CACHE", "/var/cache/plinth-container"))
REPORT_NAME = "container-report.txt"

# One per framework, one with Celery, one per server kind (tag "container"): gunicorn's arbiter
# (uvicorn workers, gthread), uvicorn's and granian's supervisors, one process (daphne, hypercorn).
CONTAINER_SETS = tagged("container")


# --------------------------------------------------------------------------- the engine


@dataclass(frozen=True)
class Engine:
    argv: tuple[str, ...]
    stand_in: bool  # podman from tests/container/setup.sh with stand-in base images

    @property
    def kind(self) -> str:
        return "podman" if self.stand_in or Path(self.argv[0]).name == "podman" else "docker"

    def __call__(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.argv, *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    def build_flags(self) -> list[str]:
        if not self.stand_in:
            return ["--network=host"]
        # --pull=never: resolve FROM and COPY --from locally; --format docker: the OCI format
        # drops HEALTHCHECK; --ulimit: buildah asks for more open files than the host allows.
        limits = []
        for name, flag in (("nofile", "-Hn"), ("nproc", "-Hu")):
            value = subprocess.run(
                ["bash", "-c", f"ulimit {flag}"], capture_output=True, text=True, check=True
            ).stdout.strip()
            value = "-1" if value == "unlimited" else value
            limits += ["--ulimit", f"{name}={value}:{value}"]
        return ["--pull=never", "--network=host", "--format", "docker", *limits]

    def read_only_flags(self, tmp: bool) -> list[str]:
        """A strictly read-only root; /dev/shm is the tmpfs every Docker and Kubernetes container
        gets (podman's --read-only would add tmpfs on /tmp, /var/tmp and /run: not here)."""
        flags = ["--read-only"]
        if self.kind == "podman":
            flags += ["--read-only-tmpfs=false", "--tmpfs", "/dev/shm:rw,nosuid,nodev,size=64m"]
        if tmp:
            flags += ["--tmpfs", "/tmp:rw,nosuid,nodev,size=64m"]
        return flags


def base_images(dockerfile: str, build_args: dict[str, str]) -> list[str]:
    """The registry images a Dockerfile names (FROM and COPY --from), fully qualified."""
    images = []
    stage_names = set()
    for stage in parse_dockerfile(dockerfile):
        images.append(stage.base)
        if stage.name:
            stage_names.add(stage.name)
        for ins in stage.all("COPY"):
            images += [
                w.removeprefix("--from=") for w in ins.args.split() if w.startswith("--from=")
            ]
    resolved = []
    for image in images:
        for name, value in build_args.items():
            image = image.replace("${" + name + "}", value).replace("$" + name, value)
        if image in stage_names:
            continue
        resolved.append(qualified(image))
    return list(dict.fromkeys(resolved))


def dockerfile_args(dockerfile: str) -> dict[str, str]:
    args = {}
    for line in dockerfile.splitlines():
        if line.startswith("ARG ") and "=" in line:
            name, _, value = line[4:].partition("=")
            args[name.strip()] = value.strip()
    return args


@pytest.fixture(scope="session")
def engine_for(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[str]], Engine]:
    """``engine_for(images)``: an engine that has these base images (set up once per worker)."""
    ready: dict[str, Engine] = {}

    def _engine(images: list[str]) -> Engine:
        key = " ".join(sorted(images))
        if key not in ready:
            proc = subprocess.run(
                ["bash", str(SETUP), *images], capture_output=True, text=True, timeout=1800,
                check=False,
            )  # fmt: skip
            if proc.returncode != 0:
                reason = (
                    "CONTAINER TIER NOT RUN: tests/container/setup.sh could not set up an engine: "
                    + (proc.stderr.strip().splitlines() or ["no output"])[-1]
                )
                if IN_CI:
                    pytest.fail(reason + f" [CI=true: failing instead of skipping]\n{proc.stderr}")
                pytest.skip(reason)
            argv = proc.stdout.strip().splitlines()[-1]
            ready[key] = Engine((argv,), stand_in=argv not in {"docker", "podman"})
        return ready[key]

    return _engine


def report(tmp_path_factory: pytest.TempPathFactory, line: str) -> None:
    base = tmp_path_factory.getbasetemp()
    path = (base.parent if base.name.startswith("popen-gw") else base) / REPORT_NAME
    with path.open("a") as out:
        out.write(line + "\n")


# --------------------------------------------------------------------------- the image


@dataclass
class Image:
    tag: str
    project: Path
    engine: Engine
    config: dict[str, object]
    healthcheck: list[str]  # the HEALTHCHECK test, e.g. ["CMD", "python", "-m", ...]
    size_mb: float
    build_seconds: float


def build_context(project: Path, engine: Engine, name: str) -> Path:
    """A copy of the project the engine can read (the stand-in podman sees only its cache)."""
    root = CACHE / "tmp" / "contexts" if engine.stand_in else project.parent / "contexts"
    context = root / f"{name}-{secrets.token_hex(4)}"
    shutil.copytree(
        project, context,
        ignore=shutil.ignore_patterns(".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                                      "__pycache__", "*.db"),
    )  # fmt: skip
    return context


@pytest.fixture(scope="session")
def images(
    installed: Callable[[AnswerSet], Path],
    engine_for: Callable[[list[str]], Engine],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[AnswerSet], Image]]:
    built: dict[str, Image] = {}
    contexts: list[Path] = []

    def _image(answer_set: AnswerSet) -> Image:
        if answer_set.name in built:
            return built[answer_set.name]
        project = installed(answer_set)
        dockerfile = (project / "Dockerfile").read_text()
        engine = engine_for(base_images(dockerfile, dockerfile_args(dockerfile)))
        context = build_context(project, engine, answer_set.name)
        contexts.append(context)
        tag = f"localhost/plinth-test-{answer_set.name}:latest"
        started = time.monotonic()
        proc = engine("build", *engine.build_flags(), "-t", tag, str(context), timeout=1200)
        seconds = time.monotonic() - started
        assert proc.returncode == 0, f"the generated Dockerfile does not build\n{describe(proc)}"
        inspect = engine("image", "inspect", tag)
        assert inspect.returncode == 0, describe(inspect)
        data = json.loads(inspect.stdout)[0]
        size_mb = int(data["Size"]) / 1e6
        # podman reports the HEALTHCHECK beside Config, Docker inside it
        check = data.get("Healthcheck") or data["Config"].get("Healthcheck") or {}
        built[answer_set.name] = Image(
            tag, project, engine, data["Config"], list(check.get("Test") or []), size_mb, seconds
        )
        stand_in = " (STAND-IN base images)" if engine.stand_in else ""
        report(
            tmp_path_factory,
            f"{answer_set.name}: image {size_mb:.0f} MB, built in {seconds:.1f} s "
            f"with {engine.kind}{stand_in}",
        )
        return built[answer_set.name]

    yield _image
    for image in built.values():
        image.engine("rmi", "-f", image.tag)
    for context in contexts:
        shutil.rmtree(context, ignore_errors=True)


# --------------------------------------------------------------------------- running it


@dataclass
class Running:
    name: str
    engine: Engine
    base_url: str

    def logs(self) -> str:
        proc = self.engine("logs", self.name)
        return proc.stdout + proc.stderr

    def state(self) -> dict[str, object]:
        proc = self.engine("inspect", self.name)
        return json.loads(proc.stdout)[0]["State"] if proc.returncode == 0 else {}

    def exec(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return self.engine("exec", self.name, *argv, timeout=60)


@contextlib.contextmanager
def running(
    image: Image, env: dict[str, str], *, tmp: bool, command: list[str] | None = None
) -> Iterator[Running]:
    name = f"plinth-{secrets.token_hex(5)}"
    env_flags = [flag for key, value in env.items() for flag in ("-e", f"{key}={value}")]
    proc = image.engine(
        "run", "-d", "--name", name, "--network=host", *image.engine.read_only_flags(tmp),
        *env_flags, image.tag, *(command or []),
    )  # fmt: skip
    assert proc.returncode == 0, describe(proc)
    try:
        yield Running(name, image.engine, f"http://127.0.0.1:{env['PORT']}")
    finally:
        image.engine("rm", "-f", "-t", "0", name)


def wait_for(container: Running, path: str, timeout: float = 120) -> httpx.Response:
    """Until `path` answers 200. Generous: on a shared 2-core machine at a load of 16, five gthread
    workers took over 60 s to import the app."""
    return wait_for_status(
        container.base_url + path, timeout=timeout, output=container.logs,
        alive=lambda: container.state().get("Running") is not False,
    )  # fmt: skip


def healthcheck(container: Running, image: Image) -> subprocess.CompletedProcess[str]:
    """The image's exact HEALTHCHECK command, run in the container as the engine would."""
    test = image.healthcheck
    assert test and test[0] in {"CMD", "CMD-SHELL"}, f"no HEALTHCHECK in the image: {test}"
    argv = test[1:] if test[0] == "CMD" else ["sh", "-c", test[1]]
    return container.exec(*argv)


def finished_at(state: dict[str, object]) -> datetime:
    """The container's exit time; engines write RFC 3339 with up to nanoseconds."""
    stamp = str(state["FinishedAt"])
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", stamp)
    assert match, f"unreadable FinishedAt {stamp!r}"
    whole, fraction, zone = match.groups()
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    return datetime.fromisoformat(f"{whole}.{micro}{'+00:00' if zone == 'Z' else zone}")


def service_env(project: Path, answer_set: AnswerSet, database_url: str | None) -> dict[str, str]:
    env = {
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "GRACEFUL_TIMEOUT": "10",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if answer_set.data.get("framework") == "django":
        env["SECURE_SSL_REDIRECT"] = "false"  # plain HTTP on loopback
    if answer_set.data.get("task_queue") == "celery":
        broker = str(answer_set.data.get("broker", "redis"))
        require_service(broker)
        env["CELERY_BROKER_URL"] = (
            "redis://127.0.0.1:6379/0"
            if broker == "redis"
            else "amqp://guest:guest@127.0.0.1:5672//"
        )
        if answer_set.data.get("result_backend") == "redis":
            require_service("redis")
            env["CELERY_RESULT_BACKEND"] = "redis://127.0.0.1:6379/1"
    return env


@contextlib.contextmanager
def service_database(project: Path, answer_set: AnswerSet) -> Iterator[str | None]:
    database = str(answer_set.data.get("database", "postgresql"))
    if database in {"none", "sqlite"}:
        yield None
        return
    with fresh_database(database, database_url_scheme(project)) as url:
        yield url


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("answer_set", params(CONTAINER_SETS))
def test_image_runs_read_only_as_999_and_stops_on_sigterm(
    images: Callable[[AnswerSet], Image],
    answer_set: AnswerSet,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    image = images(answer_set)
    assert image.config.get("User") == "999:999", image.config.get("User")
    cmd = exec_form(final_stage(image.project).last("CMD")) or []

    with service_database(image.project, answer_set) as database_url:
        env = service_env(image.project, answer_set, database_url)

        # the migration command, as compose's one-shot service and the Kubernetes Job run it
        # (no writable mount: the Job's root filesystem is read-only)
        if migrate := migrate_command(image.project):
            name = f"plinth-migrate-{secrets.token_hex(4)}"
            proc = image.engine(
                "run", "--name", name, "--network=host", *image.engine.read_only_flags(tmp=False),
                *[f for k, v in env.items() for f in ("-e", f"{k}={v}")], image.tag, *migrate,
                timeout=300,
            )  # fmt: skip
            image.engine("rm", "-f", name)
            assert proc.returncode == 0, f"migration {migrate} fails in the image\n{describe(proc)}"

        for tmp in (False, True):
            label = "with a /tmp tmpfs" if tmp else "with no writable mount"
            with running(image, env, tmp=tmp) as container:
                health = wait_for(container, "/health")
                assert health.json() == {"status": "ok"}, health.text
                ready = httpx.get(container.base_url + "/health/ready", timeout=10)
                assert ready.status_code == 200, f"{label}: {ready.text}\n{container.logs()}"

                probe = healthcheck(container, image)
                assert probe.returncode == 0, f"{label}: HEALTHCHECK fails\n{describe(probe)}"
                ids = container.exec("sh", "-c", "id -u; id -g; tr '\\0' ' ' < /proc/1/cmdline")
                uid, gid, pid1 = ids.stdout.splitlines()[:3]
                assert (uid, gid) == ("999", "999"), ids.stdout
                words = pid1.split()
                assert words[-len(cmd) + 1 :] == cmd[1:] and cmd[0] in map(
                    lambda w: Path(w).name, words[:2]
                ), f"PID 1 is not the server (the entrypoint must exec it): {pid1!r}, CMD {cmd}"
                writable = container.exec("sh", "-c", "touch /app/x || touch /x")
                assert writable.returncode != 0, "the root filesystem is writable"

                sent = datetime.now(UTC)
                stop = image.engine("stop", "-t", "30", container.name, timeout=60)
                assert stop.returncode == 0, describe(stop)
                state = container.state()
                assert state.get("ExitCode") == 0, (
                    f"{label}: exit {state.get('ExitCode')} on SIGTERM\n{container.logs()}"
                )
                # From the stop request to the engine's record of the exit (not the engine's own
                # clean-up afterwards): with nothing in flight every server is gone, with exit 0,
                # within GRACEFUL_TIMEOUT (R10; measured 0.2-0.6 s for every server kind here);
                # gunicorn's gthread workers once used all of it and were killed (C33).
                seconds = (finished_at(state) - sent).total_seconds()
                report(
                    tmp_path_factory,
                    f"{answer_set.name}: SIGTERM to exit {seconds:.1f} s {label} "
                    f"(GRACEFUL_TIMEOUT {env['GRACEFUL_TIMEOUT']} s)",
                )
                assert seconds < int(env["GRACEFUL_TIMEOUT"]), (
                    f"{label}: SIGTERM took {seconds:.1f} s, past GRACEFUL_TIMEOUT\n"
                    f"{container.logs()}"
                )

        # the HEALTHCHECK fails when nothing serves
        idle = ["python", "-c", "import time; time.sleep(60)"]
        with running(image, env, tmp=False, command=idle) as container:
            time.sleep(1)
            probe = healthcheck(container, image)
            assert probe.returncode != 0, "HEALTHCHECK passes with the server down"


@pytest.mark.parametrize(
    "answer_set", params([s for s in CONTAINER_SETS if s.data.get("task_queue") == "celery"])
)
def test_celery_worker_starts_in_the_image_and_reports_ready(
    images: Callable[[AnswerSet], Image], answer_set: AnswerSet
) -> None:
    """The Kubernetes worker's /tmp emptyDir, read-only root, the real broker."""
    image = images(answer_set)
    worker = compose_command(image.project, "worker")
    assert worker, "compose.yaml has no worker service"
    env = service_env(image.project, answer_set, None)
    with running(image, env, tmp=True, command=worker) as container:
        deadline = time.monotonic() + 60
        while " ready." not in container.logs():
            if container.state().get("Running") is False or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not report ready\n{container.logs()}")
            time.sleep(0.5)
        ping = container.exec("celery", "--app", worker[2], "inspect", "ping", "--timeout", "5")
        assert ping.returncode == 0 and "pong" in ping.stdout, describe(ping)
        stop = image.engine("stop", "-t", "30", container.name, timeout=60)
        assert stop.returncode == 0, describe(stop)
        assert container.state().get("ExitCode") == 0, container.logs()


def test_base_images_are_read_from_the_dockerfile() -> None:
    dockerfile = (
        "ARG PYTHON_VERSION=3.13\nFROM python:${PYTHON_VERSION}-slim-bookworm AS builder\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /bin/\nFROM python:${PYTHON_VERSION}-slim\n"
        "COPY --from=builder /app /app\n"
    )
    assert base_images(dockerfile, dockerfile_args(dockerfile)) == [
        "docker.io/library/python:3.13-slim-bookworm",
        "ghcr.io/astral-sh/uv:0.13",
        "docker.io/library/python:3.13-slim",
    ]


def test_finished_at_reads_engine_timestamps() -> None:
    ns = finished_at({"FinishedAt": "2026-12-01T21:47:02.123456789Z"})
    assert ns == datetime(2026, 12, 1, 21, 47, 2, 123456, tzinfo=UTC)
    podman = finished_at({"FinishedAt": "2026-12-01T21:47:02.5+01:00"})
    assert podman.utcoffset() is not None
