"""What every bench section shares: rendering and installing a service, starting its container
command on loopback (pinned to a CPU where the machine has two), wrk runs in ABBA order, worker
memory, and the machine's load next to each figure."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

from helpers import child_env, container_command, free_port, render  # noqa: E402

PACKAGE = "bench_service"
APP_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
# Every run ends within these bounds, whatever the options say.
MAX_WRK_SECONDS = 60
START_TIMEOUT_S = 60


def verdict_text(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def load() -> float:
    return os.getloadavg()[0]


def cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0))


@dataclass
class Pinning:
    """Server on one CPU, load generator on another, when there are two (else both float)."""

    server: list[int] | None
    client: list[int] | None

    @classmethod
    def choose(cls, enabled: bool) -> Pinning:
        mine = cpus()
        if enabled and len(mine) >= 2:
            return cls([mine[0]], [mine[1]])
        return cls(None, None)

    @staticmethod
    def prefix(cpu_list: list[int] | None) -> list[str]:
        if not cpu_list or not shutil.which("taskset"):
            return []
        return ["taskset", "-c", ",".join(map(str, cpu_list))]

    def describe(self) -> str:
        if self.server is None:
            return "unpinned"
        return f"server on CPU {self.server[0]}, wrk on CPU {self.client[0]}"  # type: ignore[index]


@dataclass
class Project:
    """A rendered, installed service with bench-only modules dropped into its package."""

    path: Path
    answers: dict[str, Any]
    argv: list[str]

    @property
    def framework(self) -> str:
        return str(self.answers["framework"])

    @property
    def python(self) -> Path:
        return self.path / ".venv" / "bin" / "python"

    def target_index(self) -> int:
        (index,) = [i for i, a in enumerate(self.argv) if APP_TARGET.match(a)]
        return index

    @property
    def target(self) -> str:
        return self.argv[self.target_index()]

    def with_target(self, target: str) -> list[str]:
        i = self.target_index()
        return [*self.argv[:i], target, *self.argv[i + 1 :]]

    def add_module(self, name: str, text: str) -> str:
        (self.path / "src" / PACKAGE / f"{name}.py").write_text(text)
        return f"{PACKAGE}.{name}"

    def env(self, **extra: str) -> dict[str, str]:
        env = child_env(
            PATH=f"{self.path / '.venv' / 'bin'}:{os.environ['PATH']}",
            VIRTUAL_ENV=str(self.path / ".venv"),
            HOST="127.0.0.1",
            ENVIRONMENT="production",
            SECRET_KEY="bench-" + "x" * 40,
            PYTHONHASHSEED="0",
        )
        # As in the image: bytecode is written (the image compiles it), no host CA settings.
        for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        env.update(extra)
        return env


class Workspace:
    """Renders each answer set once per bench run, from a snapshot of the working tree."""

    def __init__(self, keep: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="plinth-bench-"))
        self.keep = keep
        self._template: Path | None = None
        self._projects: dict[str, Project] = {}

    @property
    def template(self) -> Path:
        if self._template is None:
            from helpers import snapshot_worktree

            self._template = snapshot_worktree(self.root / "template")
        return self._template

    def project(self, **answers: Any) -> Project:
        answers = {"project_name": "Bench Service", **answers}
        key = "-".join(f"{k}={answers[k]}" for k in sorted(answers) if k != "project_name")
        if key not in self._projects:
            dst = self.root / f"p{len(self._projects)}"
            render(self.template, dst, answers)
            subprocess.run(["uv", "sync", "--no-dev", "-q"], cwd=dst, env=child_env(), check=True)
            self._projects[key] = Project(dst, answers, container_command(dst))
        return self._projects[key]

    def close(self) -> None:
        if self.keep:
            print(f"kept {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------- processes


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").glob("*"):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def worker_pids(pid: int) -> list[int]:
    """Workers are the children of a supervisor (through taskset/unshare wrappers, which exec);
    a one-process server is its own worker."""
    workers = []
    for child in children(pid):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"resource_tracker" not in cmdline and b"multiprocessing" not in cmdline:
            workers.append(child)
    return workers or [pid]


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    url: str
    ready_s: float
    log: Path

    def rss(self) -> list[float]:
        return [rss_mb(pid) for pid in worker_pids(self.proc.pid)]


@contextlib.contextmanager
def serve(
    argv: Sequence[str],
    project: Project,
    env: Mapping[str, str],
    label: str,
    *,
    prefix: Sequence[str] = (),
    health: str = "/health",
    settle_s: float = 1.0,
) -> Iterator[Running]:
    """Start argv (the container's ENTRYPOINT + CMD) on a free loopback port, wait for the first
    200, let the other workers finish starting, yield; SIGTERM (then SIGKILL) the group after."""
    port = free_port()
    env = {**env, "PORT": str(port)}
    base = f"http://127.0.0.1:{port}"
    log = project.path / f"bench-{label}.log"
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            [*prefix, *argv],
            cwd=project.path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while True:
            if proc.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
                tail = log.read_text(errors="replace")[-3000:]
                raise SystemExit(f"{label}: server did not answer {health}; log {log}:\n{tail}")
            try:
                if httpx.get(base + health, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.005)
        ready = time.monotonic() - started
        # The first 200 can come from the first worker up: let the others finish starting idle.
        time.sleep(settle_s)
        yield Running(proc, base, ready, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        # Whatever the server left in its group (a process pool's children, say) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- wrk


@dataclass
class Load:
    rps: float
    p99_ms: float
    errors: int


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing the Debian package", file=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL
        )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing: apt-get install wrk (or brew install wrk)")
    return found


def parse_wrk(output: str) -> Load:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(m.group(1))
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(map(int, m.groups()))
    return Load(rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], errors)


POST_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{"name": "bench item", "description": "written by bench/run.py"}'
wrk.headers["Content-Type"] = "application/json"
"""


def wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    pin: Pinning,
    post: bool = False,
    warmup_s: float = 1.0,
) -> Load:
    cmd = [
        *Pinning.prefix(pin.client),
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        "--latency",
        "--timeout",
        "10s",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(POST_SCRIPT if post else "")
    cmd += ["-s", script.name]
    try:
        if warmup_s:
            subprocess.run(
                [*cmd, f"-d{max(1, round(warmup_s))}s", url],
                capture_output=True,
                check=True,
                timeout=warmup_s + 30,
            )
        seconds = min(duration, MAX_WRK_SECONDS)
        out = subprocess.run(
            [*cmd, f"-d{max(1, round(seconds))}s", url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(out)


@dataclass
class Sample:
    label: str
    ready_s: float
    load: Load
    rss_mb: list[float]


@dataclass
class Series:
    """Runs of several variants of one case, in ABBA order, with the machine's load around them."""

    samples: dict[str, list[Sample]] = field(default_factory=dict)
    load_before: float = 0.0
    load_after: float = 0.0

    def median(self, label: str, attr: str) -> float:
        values = [
            getattr(s.load, attr) if attr in ("rps", "p99_ms") else getattr(s, attr)
            for s in self.samples[label]
        ]
        return statistics.median(values)

    def worst_ready(self, label: str) -> float:
        return max(s.ready_s for s in self.samples[label])

    def worst_rss(self, label: str) -> float:
        return max(m for s in self.samples[label] for m in s.rss_mb)

    def errors(self, label: str) -> int:
        return sum(s.load.errors for s in self.samples[label])

    def spread(self, label: str) -> str:
        rps = [s.load.rps for s in self.samples[label]]
        return f"{min(rps):.0f}-{max(rps):.0f}"

    def load_text(self) -> str:
        return f"{self.load_before:.1f}->{self.load_after:.1f}"


def abba(
    variants: Sequence[tuple[str, Sequence[str], Project, Mapping[str, str]]],
    *,
    rounds: int,
    path: str,
    args: Any,
    pin: Pinning,
    post: bool = False,
    prefix: Sequence[str] | None = None,
    connections: int | None = None,
) -> Series:
    """Run every variant once per round, reversing the order every other round (ABBA), each in a
    fresh server process."""
    series = Series({label: [] for label, *_ in variants}, load_before=load())
    server_prefix = list(prefix) if prefix is not None else Pinning.prefix(pin.server)
    for number in range(rounds):
        ordered = variants if number % 2 == 0 else variants[::-1]
        for label, argv, project, env in ordered:
            time.sleep(0.5)
            with serve(argv, project, env, label, prefix=server_prefix) as running:
                result = wrk(
                    running.url + path,
                    duration=args.duration,
                    connections=connections or args.connections,
                    threads=args.threads,
                    pin=pin,
                    post=post,
                )
                series.samples[label].append(Sample(label, running.ready_s, result, running.rss()))
    series.load_after = load()
    return series
