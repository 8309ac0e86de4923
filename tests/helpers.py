"""Helpers shared by the template's tests: working-tree snapshots, rendering, Dockerfile
parsing, services on loopback, and booting a rendered service."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import copier
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = REPO_ROOT / ".venv" / "bin"
PROBES = REPO_ROOT / "tests" / "probes"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "plinth tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "plinth tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


# --------------------------------------------------------------------------- git / template


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no signing; return stdout, raise with stderr."""
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def snapshot_worktree(dst: Path, src: Path = REPO_ROOT) -> Path:
    """Copy the working tree (tracked + untracked-not-ignored files) of ``src`` into a fresh
    git repo at ``dst`` and commit it, so ``vcs_ref="HEAD"`` renders uncommitted changes too."""
    listed = git(src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    dst.mkdir(parents=True, exist_ok=True)
    for rel in sorted(set(filter(None, listed.split("\0")))):
        source = src / rel
        if not source.exists() and not source.is_symlink():  # deleted but still in the index
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    git(dst, "init", "-q", "-b", "main")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "--allow-empty", "-m", "snapshot of the working tree")
    return dst


def render(
    template: Path,
    dst: Path,
    answers: Mapping[str, Any],
    *,
    vcs_ref: str = "HEAD",
    uv_lock: bool = False,
) -> Path:
    """Render ``template`` into ``dst``. ``uv_lock`` stays off unless a test wants the task."""
    copier.run_copy(
        str(template),
        str(dst),
        data={"uv_lock": uv_lock, **answers},
        defaults=True,
        unsafe=True,
        vcs_ref=vcs_ref,
        quiet=True,
    )
    return dst


def project_files(root: Path) -> Iterator[Path]:
    """Every file of a rendered project, skipping tool caches and virtualenvs."""
    skip = {".git", ".venv", ".ruff_cache", ".pytest_cache", "__pycache__", ".mypy_cache"}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not skip.intersection(path.relative_to(root).parts):
            yield path


def run(
    cmd: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, env=dict(env) if env is not None else None, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    args = proc.args if isinstance(proc.args, str) else " ".join(map(str, proc.args))
    return f"$ {args}\nexit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a rendered project's tools: ours, minus what would leak our own
    pytest/venv into theirs. UV_CACHE_DIR is kept (shared cache)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "PYTHON"))
        and k not in {"VIRTUAL_ENV", "DATABASE_URL", "UV_PROJECT_ENVIRONMENT", "COV_CORE_SOURCE"}
    }
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.update(extra)
    return env


# --------------------------------------------------------------------------- Dockerfile


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword.upper()]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


def parse_dockerfile(text: str) -> list[Stage]:
    """A small Dockerfile parser: comments, line continuations, stages. No heredocs (R24)."""
    escape = "\\"
    if m := re.match(r"\s*#\s*escape\s*=\s*(\S)", text):
        escape = m.group(1)
    instructions: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):  # comment inside a continuation
            continue
        if not buffer:
            start = number
        if stripped.endswith(escape):
            buffer += stripped[:-1].rstrip() + " "
            continue
        buffer += stripped
        keyword, _, args = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        buffer = ""
    if buffer:
        keyword, _, args = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))

    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(base=words[0], name=name))
        elif stages:
            stages[-1].instructions.append(ins)
    return stages


def exec_form(ins: Instruction | None) -> list[str] | None:
    """The JSON array of an exec-form CMD/ENTRYPOINT, or None when absent or in shell form."""
    if ins is None:
        return None
    try:
        value = json.loads(ins.args)
    except json.JSONDecodeError:
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def final_stage(project: Path) -> Stage:
    stages = parse_dockerfile((project / "Dockerfile").read_text())
    assert stages, "Dockerfile has no FROM"
    return stages[-1]


def container_command(project: Path) -> list[str]:
    """ENTRYPOINT + CMD of the final stage, as argv to run on the host.

    Paths under the image's WORKDIR are mapped to the project dir; a bare init (tini,
    dumb-init) that the host lacks is dropped, so SIGTERM goes straight to the server, as it
    would through the init."""
    stage = final_stage(project)
    cmd = exec_form(stage.last("CMD"))
    assert cmd, "final stage needs an exec-form CMD"
    entrypoint = exec_form(stage.last("ENTRYPOINT")) or []
    workdir = stage.last("WORKDIR")
    argv = [*entrypoint, *cmd]
    if workdir:
        prefix = workdir.args.rstrip("/") + "/"
        argv = [str(project / a[len(prefix) :]) if a.startswith(prefix) else a for a in argv]
    while argv and Path(argv[0]).name in {"tini", "dumb-init"} and not shutil.which(argv[0]):
        argv = argv[1:]
        if argv and argv[0] == "--":
            argv = argv[1:]
    return argv


APP_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
PROXIED_IMPORT = re.compile(r"^from ([\w.]+) import (\w+) as application$", re.MULTILINE)


def served_target(argv: list[str]) -> int:
    """The index of the one ``module:attr`` argument (what the server imports) in ``argv``."""
    targets = [i for i, arg in enumerate(argv) if APP_TARGET.match(arg)]
    assert len(targets) == 1, f"cannot tell the app target in {argv}"
    return targets[0]


def app_target(project: Path) -> tuple[str, str]:
    """The framework's own app object, read from the render: the CMD's target, or, when the CMD
    serves ``serving.proxied:app`` (R11), the object that module wraps."""
    argv = container_command(project)
    module, attr = argv[served_target(argv)].split(":")
    if module.endswith(".serving.proxied"):
        source = project / "src" / Path(*module.split(".")).with_suffix(".py")
        match = PROXIED_IMPORT.search(source.read_text())
        assert match, f"{source.relative_to(project)} imports no `... as application`"
        return match.group(1), match.group(2)
    return module, attr


def interface(project: Path) -> Literal["asgi", "wsgi"]:
    """The protocol between server and app, read from the render: the module of the app object
    the server imports is ``<package>.asgi``/``.wsgi`` (``config.asgi``/``.wsgi`` for Django)."""
    name = app_target(project)[0].rsplit(".", 1)[-1]
    assert name in {"asgi", "wsgi"}, f"cannot tell the interface from the app module {name!r}"
    return "asgi" if name == "asgi" else "wsgi"


def compose_command(project: Path, service: str) -> list[str] | None:
    """The compose service's ``command`` (what its container runs after the ENTRYPOINT)."""
    compose = project / "compose.yaml"
    if not compose.is_file():
        return None
    command = yaml.safe_load(compose.read_text())["services"].get(service, {}).get("command")
    return list(command) if command else None


def migrate_command(project: Path) -> list[str] | None:
    """The one-shot migration command (R19) as the image runs it for compose's ``migrate`` service
    or the Kubernetes Job (on the host: ``uv run`` + it); None when the project has no database."""
    command = compose_command(project, "migrate")
    job = project / "deploy" / "kubernetes" / "migrate" / "job.yaml"
    if command is None and job.is_file():
        spec = yaml.safe_load(job.read_text())["spec"]["template"]["spec"]
        command = list(spec["containers"][0]["command"])
    return command or None


# --------------------------------------------------------------------------- services


SERVICES = {
    "postgresql": ("127.0.0.1", 5432),
    "mysql": ("127.0.0.1", 3306),
    "redis": ("127.0.0.1", 6379),
    "rabbitmq": ("127.0.0.1", 5672),
}


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str) -> tuple[str, int]:
    """Skip loudly when a service is down; under CI=true, fail instead (no silent gaps)."""
    host, port = SERVICES[name]
    if not port_open(host, port):
        reason = (
            f"SERVICE UNAVAILABLE: {name} is not listening on {host}:{port} "
            "(run scripts/services.sh); this combination was NOT tested"
        )
        if IN_CI:
            pytest.fail(reason + " [CI=true: failing instead of skipping]")
        pytest.skip(reason)
    return host, port


def database_url_scheme(project: Path) -> str | None:
    """The SQLAlchemy URL scheme (dialect+driver) a rendered project declares in .env.example,
    e.g. ``postgresql+asyncpg`` (async frameworks) or ``postgresql+psycopg`` (Flask)."""
    env_example = project / ".env.example"
    text = env_example.read_text() if env_example.is_file() else ""
    match = re.search(r"^DATABASE_URL=([A-Za-z0-9+]+)://", text, re.MULTILINE)
    return match.group(1) if match else None


@contextlib.contextmanager
def migrated_database(database: str, project: Path, workdir: Path) -> Iterator[str]:
    """The URL of a migrated database for ``project``: a SQLite file in ``workdir``, or a
    ``fresh_database`` of the server kind, with the project's migrations applied."""
    scheme = database_url_scheme(project)
    with (
        contextlib.nullcontext(f"{scheme}:///{workdir / 'app.db'}")
        if database == "sqlite"
        else fresh_database(database, scheme)
    ) as url:
        migrate = migrate_command(project)
        assert migrate, "the project has a database but no migration command"
        proc = run(["uv", "run", *migrate], project, child_env(DATABASE_URL=url))
        assert proc.returncode == 0, describe(proc)
        yield url


def with_scheme(url: str, scheme: str | None) -> str:
    """``url`` with its ``dialect+driver`` replaced by ``scheme`` (unchanged when None)."""
    return url if scheme is None else scheme + url[url.index("://") :]


@contextlib.contextmanager
def fresh_database(kind: str, scheme: str | None = None) -> Iterator[str]:
    """Create an empty ``plinth_<random>`` database and yield its SQLAlchemy URL (async driver
    unless ``scheme`` names another, see ``database_url_scheme``); drop it afterwards."""
    host, port = require_service(kind)
    name = f"plinth_{secrets.token_hex(6)}"
    if kind == "postgresql":
        import psycopg

        def admin(sql: str) -> None:
            with psycopg.connect(
                host=host, port=port, user="postgres", dbname="postgres", autocommit=True
            ) as conn:
                conn.execute(sql)  # type: ignore[arg-type]

        admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@{host}:{port}/{name}"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    elif kind == "mysql":
        import pymysql

        def admin(sql: str) -> None:
            conn = pymysql.connect(host=host, port=port, user="root", password="", autocommit=True)
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
            finally:
                conn.close()

        admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        url = f"mysql+asyncmy://root@{host}:{port}/{name}"
        drop = f"DROP DATABASE IF EXISTS `{name}`"
    else:
        raise ValueError(f"no server database for {kind!r}")
    try:
        yield with_scheme(url, scheme)
    finally:
        admin(drop)


# --------------------------------------------------------------------------- booting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def container_env(project: Path, **extra: str) -> dict[str, str]:
    """The environment the image gives its CMD, for a rendered project on loopback: the project's
    venv first on PATH, a free port, production settings with a random secret; ``extra`` wins."""
    env = child_env()
    env.update(
        PATH=f"{project / '.venv' / 'bin'}:{env.get('PATH', '')}",
        VIRTUAL_ENV=str(project / ".venv"),
        HOST="127.0.0.1",
        PORT=str(free_port()),
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    log: Path
    base_url: str

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def running(self) -> bool:
        return self.proc.poll() is None


@contextlib.contextmanager
def start_server(argv: list[str], cwd: Path, env: Mapping[str, str], log: Path) -> Iterator[Server]:
    """Start argv in its own process group; always kill the whole group at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(proc, log, f"http://{env['HOST']}:{env['PORT']}")
    try:
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


def wait_until[T](
    condition: Callable[[], T],
    *,
    timeout: float,
    what: str,
    output: Callable[[], str] = lambda: "",
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.3,
) -> T:
    """THE wait of the suite: poll ``condition`` until it returns something truthy (returned) or
    ``timeout`` seconds pass (fail, naming ``what`` and showing ``output()``). ``alive`` returning
    False fails at once: the process that should answer has exited."""
    deadline = time.monotonic() + timeout
    while True:
        if value := condition():
            return value
        if not alive():
            pytest.fail(f"exited while waiting for {what}\n--- output\n{output()}")
        if time.monotonic() >= deadline:
            pytest.fail(
                f"timed out after {timeout:.0f}s waiting for {what}\n--- output\n{output()}"
            )
        time.sleep(interval)


def wait_for_status(
    url: str,
    status: int = 200,
    *,
    timeout: float = 60.0,
    output: Callable[[], str] = lambda: "",
    alive: Callable[[], bool] = lambda: True,
) -> Any:
    """GET ``url`` until it answers ``status``; the response. The last answer (or connection
    error) is part of the failure message."""
    import httpx

    last = ["no answer yet"]

    def answered() -> httpx.Response | None:
        try:
            response = httpx.get(url, timeout=3)
        except httpx.HTTPError as exc:
            last[0] = repr(exc)
            return None
        last[0] = f"{response.status_code} {response.text[:300]}"
        return response if response.status_code == status else None

    return wait_until(
        answered,
        timeout=timeout,
        what=f"{url} to answer {status}",
        output=lambda: f"last answer: {last[0]}\n{output()}",
        alive=alive,
    )


def wait_for_port(host: str, port: int, *, timeout: float = 10.0, **kwargs: Any) -> None:
    wait_until(
        lambda: port_open(host, port, timeout=0.2), timeout=timeout, what=f"{host}:{port}",
        interval=0.05, **kwargs,
    )  # fmt: skip


def wait_healthy(server: Server, path: str = "/health", timeout: float = 60.0) -> Any:
    """Until the booted server answers 200 on ``path``; fails at once if it exits."""
    return wait_for_status(
        server.base_url + path, timeout=timeout, output=server.output, alive=server.running
    )
