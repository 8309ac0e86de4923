"""Measure a generated service against a bare app of the same framework, under the same command.

For one server, render the template (FastAPI, no database) from the working tree, install it,
and start it twice per round through the Dockerfile's ENTRYPOINT + CMD on loopback: once as
generated, once with the app target swapped for a bare app with the same `/health` route. For
each run: launch -> first 200 on /health, req/s and p99 latency from `wrk` (Debian package
`wrk`), resident memory per worker. Prints both and the ratios against the targets:

    >= 0.9x bare req/s, p99 <= 1.2x bare, ready < 1 s, <= 60 MB RSS per worker.

Usage: uv run python bench/bench.py --server gunicorn-uvicorn [--duration 10] [--rounds 2]
Only loopback traffic; every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

from helpers import (  # noqa: E402 - tests/ is not a package
    child_env,
    container_command,
    free_port,
    render,
    snapshot_worktree,
)

TARGETS = {"rps_ratio": 0.9, "p99_ratio": 1.2, "ready_s": 1.0, "rss_mb": 60.0}
APP_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

BARE_APP = '''\
"""A bare FastAPI app with the generated app's /health, for bench/bench.py only."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
'''


@dataclass
class Run:
    label: str
    ready_s: float
    rps: float
    p99_ms: float
    rss_mb: list[float]


def parse_wrk(output: str) -> tuple[float, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_tree(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def worker_pids(pid: int) -> list[int]:
    """Workers are the children of a supervisor; a one-process server is its own worker."""
    workers = []
    for child in process_tree(pid):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"resource_tracker" not in cmdline:
            workers.append(child)
    return workers or [pid]


def measure(label: str, argv: list[str], project: Path, env: dict[str, str], args) -> Run:
    port = free_port()
    env = {**env, "PORT": str(port)}
    url = f"http://127.0.0.1:{port}/health"
    log = open(project / f"bench-{label}.log", "wb")  # noqa: SIM115 - closed below
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    try:
        while True:
            if proc.poll() is not None or time.monotonic() - started > 60:
                raise SystemExit(f"{label}: server did not answer; see {log.name}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.005)
        ready = time.monotonic() - started
        # The first 200 can come from the first worker up while the others still start: let them
        # finish idle, or their start-up competes with the load inside the measured window.
        time.sleep(2.0)
        wrk = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency"]
        subprocess.run([*wrk, "-d2s", url], capture_output=True, check=True)  # warm-up
        out = subprocess.run([*wrk, f"-d{args.duration}s", url], capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
        rps, p99 = parse_wrk(out)
        rss = [rss_mb(pid) for pid in worker_pids(proc.pid)]
        return Run(label, ready, rps, p99, rss)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="gunicorn-uvicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (max 60)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of one run of each app")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--keep", action="store_true", help="keep the rendered project")
    args = parser.parse_args()
    args.duration = min(args.duration, 60)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="plinth-bench-"))
    try:
        template = snapshot_worktree(workdir / "template")
        answers = {"project_name": "Bench", "framework": "fastapi", "database": "none",
                   "server": args.server}  # fmt: skip
        project = render(template, workdir / "project", answers)
        subprocess.run(["uv", "sync", "--no-dev", "-q"], cwd=project, env=child_env(), check=True)
        package = "bench"
        (project / "src" / package / "_bench_bare.py").write_text(BARE_APP)

        argv = container_command(project)
        (target,) = [i for i, a in enumerate(argv) if APP_TARGET.match(a)]
        bare_argv = [*argv[:target], f"{package}._bench_bare:app", *argv[target + 1 :]]
        env = child_env(
            PATH=f"{project / '.venv' / 'bin'}:{os.environ['PATH']}",
            VIRTUAL_ENV=str(project / ".venv"),
            HOST="127.0.0.1",
            ENVIRONMENT="production",
            SECRET_KEY="bench-" + "x" * 40,
            WEB_CONCURRENCY=str(args.workers),
            GRANIAN_WORKERS=str(args.workers),
        )
        # As in the image: no host CA settings (they change how the HTTP client loads its CAs).
        for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            env.pop(name, None)
        # One unmeasured start of each writes the bytecode caches, as a built image has them.
        for label, command in (("warm-generated", argv), ("warm-bare", bare_argv)):
            warm = argparse.Namespace(**{**vars(args), "duration": 1})
            measure(label, command, project, env, warm)

        runs: dict[str, list[Run]] = {"generated": [], "bare": []}
        pair = [("generated", argv), ("bare", bare_argv)]
        for round_number in range(args.rounds):
            # ABBA order, so that neither app always runs right after the other's shutdown, and a
            # pause to let that shutdown settle.
            for label, command in pair if round_number % 2 == 0 else pair[::-1]:
                time.sleep(1.0)
                runs[label].append(measure(label, command, project, env, args))

        print(f"\nserver={args.server} workers={args.workers} wrk -t{args.threads} "
              f"-c{args.connections} -d{args.duration}s, {args.rounds} rounds; CMD: "
              f"{' '.join(argv)}")  # fmt: skip
        print(f"{'run':<10} {'ready s':>8} {'req/s':>10} {'p99 ms':>8}  RSS MB per worker")
        for label, series in runs.items():
            for r in series:
                rss = ", ".join(f"{m:.1f}" for m in r.rss_mb)
                print(f"{label:<10} {r.ready_s:>8.2f} {r.rps:>10.0f} {r.p99_ms:>8.2f}  {rss}")

        gen, bare = runs["generated"], runs["bare"]
        rps_ratio = statistics.median(r.rps for r in gen) / statistics.median(r.rps for r in bare)
        p99_ratio = statistics.median(r.p99_ms for r in gen) / statistics.median(
            r.p99_ms for r in bare
        )
        ready = max(r.ready_s for r in gen)
        rss = max(m for r in gen for m in r.rss_mb)
        checks = [
            ("req/s vs bare (median)", rps_ratio, f">= {TARGETS['rps_ratio']}",
             rps_ratio >= TARGETS["rps_ratio"]),
            ("p99 vs bare (median)", p99_ratio, f"<= {TARGETS['p99_ratio']}",
             p99_ratio <= TARGETS["p99_ratio"]),
            ("ready s (worst)", ready, f"< {TARGETS['ready_s']}", ready < TARGETS["ready_s"]),
            ("RSS MB/worker (worst)", rss, f"<= {TARGETS['rss_mb']}", rss <= TARGETS["rss_mb"]),
        ]  # fmt: skip
        print()
        for name, value, target, ok in checks:
            print(f"{name:<24} {value:>8.2f}  target {target:<8} {'OK' if ok else 'MISSED'}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")


if __name__ == "__main__":
    main()
