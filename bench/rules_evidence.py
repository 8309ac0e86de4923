"""The rulebook's claims, measured on generated services (docs/RULES.md quotes these rows).

- R12/R13: an I/O-bound endpoint (awaits a 50 ms upstream on loopback, bench/upstream.py) at 500
  connections, one worker: `async def` + the app's shared httpx.AsyncClient, `def` in the anyio
  thread pool (40 tokens), and a blocking call inside `async def`.
- R8/R14: a CPU-bound endpoint (pure-Python loop, ~10 ms) at 2 CPUs: async workers (C = 2),
  gunicorn sync workers (2C + 1 = 5, a Flask service with workload=cpu), and async workers that
  hand the work to a process pool (one process per worker).
- R7: a FastAPI service under a 1-CPU quota: fixed `WEB_CONCURRENCY=4` against `auto`, which the
  entrypoint computes from the cgroup. The bench creates the cgroup and removes it afterwards;
  the server sees it at /sys/fs/cgroup as in a container (a private mount namespace). Without
  root or a writable cgroup it falls back to `taskset` to one CPU (auto then reads the affinity).

Bench-only endpoints are added to the generated app by a module dropped into its package; the
server command is the generated one with only its app target changed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness
from harness import Pinning, Project, Workspace
from helpers import port_open

UPSTREAM_DELAY_MS = 50
CPU_LOOP = 150_000  # iterations of the CPU-bound endpoint's loop (~10 ms on this machine)

WORK = '''\
"""CPU-bound work for bench/rules_evidence.py (importable by a process pool's children)."""


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total
'''

FASTAPI_RULES = '''\
"""Bench-only endpoints on the generated app, for bench/rules_evidence.py."""

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import httpx
from fastapi import Request

from {package}._bench_work import work
from {original_module} import app as _served
from {package}.asgi import app as _app

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "")
CPU_LOOP = int(os.environ.get("BENCH_CPU_LOOP", "{cpu_loop}"))
blocking_client = httpx.Client(timeout=30)
_pool: ProcessPoolExecutor | None = None


@_app.get("/io/async")
async def io_async(request: Request) -> dict[str, int]:
    response = await request.app.state.http_client.get(UPSTREAM)
    return {{"status": response.status_code}}


@_app.get("/io/thread")
def io_thread() -> dict[str, int]:
    return {{"status": blocking_client.get(UPSTREAM).status_code}}


@_app.get("/io/blocking")
async def io_blocking() -> dict[str, int]:
    return {{"status": blocking_client.get(UPSTREAM).status_code}}  # the R12 defect


@_app.get("/cpu/inline")
async def cpu_inline() -> dict[str, int]:
    return {{"result": work(CPU_LOOP)}}


@_app.get("/cpu/pool")
async def cpu_pool() -> dict[str, int]:
    global _pool
    if _pool is None:
        # spawn: a forked child would inherit the server's signal handlers and outlive it.
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return {{"result": await asyncio.get_running_loop().run_in_executor(_pool, work, CPU_LOOP)}}


app = _served
'''

FLASK_RULES = '''\
"""Bench-only endpoints on the generated app, for bench/rules_evidence.py."""

import os

from {package}._bench_work import work
from {package}.wsgi import app as _app

CPU_LOOP = int(os.environ.get("BENCH_CPU_LOOP", "{cpu_loop}"))


@_app.get("/cpu/inline")
def cpu_inline() -> dict[str, int]:
    return {{"result": work(CPU_LOOP)}}


from {original_module} import app  # noqa: E402 - the wrapper the server imports
'''


def add_rules(project: Project) -> list[str]:
    module, _, _ = project.target.partition(":")
    project.add_module("_bench_work", WORK)
    text = FASTAPI_RULES if project.framework == "fastapi" else FLASK_RULES
    target = project.add_module(
        "_bench_rules",
        text.format(package=harness.PACKAGE, original_module=module, cpu_loop=CPU_LOOP),
    )
    return project.with_target(f"{target}:app")


@contextlib.contextmanager
def upstream() -> Iterator[str]:
    port = harness.free_port()
    cmd = [sys.executable, str(harness.BENCH / "upstream.py"), str(port), str(UPSTREAM_DELAY_MS)]
    proc = subprocess.Popen(cmd, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("rules: the upstream server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure(
    variants: list[tuple[str, list[str], Project, dict[str, str], str]],
    args: Any,
    pin: Pinning,
    *,
    connections: int,
    prefix: list[str],
    rounds: int,
    warmup_s: float = 1.0,
) -> tuple[dict[str, list[harness.Sample]], str, dict[str, int]]:
    """ABBA over (label, argv, project, env, path); one fresh server per run."""
    samples: dict[str, list[harness.Sample]] = {v[0]: [] for v in variants}
    workers: dict[str, int] = {}
    before = harness.load()
    for number in range(rounds):
        for label, argv, project, env, path in variants if number % 2 == 0 else variants[::-1]:
            time.sleep(0.5)
            with harness.serve(argv, project, env, label, prefix=prefix) as running:
                result = harness.wrk(running.url + path, duration=args.duration,
                                     connections=connections, threads=args.threads,
                                     pin=pin, warmup_s=warmup_s)  # fmt: skip
                rss = running.rss()
                workers[label] = len(rss)
                samples[label].append(harness.Sample(label, running.ready_s, result, rss))
    return samples, f"{before:.1f}->{harness.load():.1f}", workers


def variant_rows(case: str, samples: dict[str, list[harness.Sample]], load: str,
                 workers: dict[str, int] | None = None) -> Iterator[tuple[str, ...]]:  # fmt: skip
    import statistics

    for label, runs in samples.items():
        rps = statistics.median(s.load.rps for s in runs)
        p99 = statistics.median(s.load.p99_ms for s in runs)
        errors = sum(s.load.errors for s in runs)
        detail = f"p99 {p99:.1f} ms"
        if errors:
            detail += f", {errors} errors/timeouts"
        if workers:
            rss = max(sum(s.rss_mb) for s in runs)
            detail += f", {workers[label]} workers, {rss:.0f} MB"
        yield (case, label, f"{rps:.0f} req/s", detail, "", "", "", load)


def rows(ws: Workspace, args: Any, pin: Pinning) -> Iterator[tuple[str, ...]]:
    rounds = max(1, args.rounds // 2)
    fastapi = ws.project(framework="fastapi", database="none", server="gunicorn-uvicorn")
    fastapi_rules = add_rules(fastapi)

    # R12/R13: one worker on one CPU; wrk and the upstream on the other.
    with upstream() as url:
        env = fastapi.env(WEB_CONCURRENCY="1", BENCH_UPSTREAM=url)
        io = [
            ("async def + awaited AsyncClient", fastapi_rules, fastapi, env, "/io/async"),
            ("def in the thread pool (40 tokens)", fastapi_rules, fastapi, env, "/io/thread"),
            ("blocking call in async def", fastapi_rules, fastapi, env, "/io/blocking"),
        ]
        # No warm-up run: 500 requests it left waiting on the upstream would land in the
        # measured window.
        samples, load, _ = measure(io, args, pin, connections=500, rounds=rounds,
                                   prefix=Pinning.prefix(pin.server), warmup_s=0)  # fmt: skip
    yield from variant_rows(
        f"R12/R13 I/O ({UPSTREAM_DELAY_MS} ms upstream), 500 conns, 1 worker", samples, load
    )

    # R8/R14: both CPUs for the server, auto workers (the formula for each kind).
    flask = ws.project(framework="flask", database="none", server="gunicorn", workload="cpu")
    flask_rules = add_rules(flask)
    both = fastapi.env()
    cpu = [
        ("async workers (C=2), work inline", fastapi_rules, fastapi, both, "/cpu/inline"),
        ("gunicorn sync workers (2C+1=5)", flask_rules, flask, flask.env(), "/cpu/inline"),
        ("async workers (C=2) + process pool", fastapi_rules, fastapi, both, "/cpu/pool"),
    ]
    samples, load, workers = measure(cpu, args, pin, connections=32, rounds=rounds, prefix=[])
    yield from variant_rows("R8/R14 CPU-bound (~10 ms), 2 CPUs, 32 conns", samples, load, workers)

    # R7: a 1-CPU quota.
    with cpu_quota(1.0) as (prefix, how):
        fixed = fastapi.env(WEB_CONCURRENCY="4")
        auto = fastapi.env()
        quota = [
            ("WEB_CONCURRENCY=4", fastapi.argv, fastapi, fixed, "/health"),
            ("auto (from the cgroup)", fastapi.argv, fastapi, auto, "/health"),
        ]
        samples, load, workers = measure(quota, args, pin, connections=args.connections,
                                         rounds=rounds, prefix=prefix)  # fmt: skip
    yield from variant_rows(f"R7 workers on a 1-CPU quota ({how})", samples, load, workers)


@contextlib.contextmanager
def cpu_quota(cpus: float) -> Iterator[tuple[list[str], str]]:
    """A command prefix that runs the server under a CPU quota, and how it is applied."""
    period = 100_000
    quota = int(cpus * period)
    v1 = Path("/sys/fs/cgroup/cpu")
    v2 = Path("/sys/fs/cgroup")
    name = f"plinth-bench-{os.getpid()}"
    if os.geteuid() == 0 and (v1 / "cpu.cfs_quota_us").exists():
        group = v1 / name
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text(str(period))
        (group / "cpu.cfs_quota_us").write_text(str(quota))
        mount = v1
        how = "cgroup v1 cpu.cfs_quota_us"
    elif os.geteuid() == 0 and "cpu" in (v2 / "cgroup.subtree_control").read_text(errors="ignore"):
        group = v2 / name
        group.mkdir()
        (group / "cpu.max").write_text(f"{quota} {period}")
        mount = v2
        how = "cgroup v2 cpu.max"
    else:
        yield ["taskset", "-c", str(harness.cpus()[0])], "taskset to 1 CPU, no quota possible"
        return
    # Join the group, then show it at the cgroup mount point, as a container sees its own.
    script = f'echo $$ > {group}/cgroup.procs && mount --bind {group} {mount} && exec "$@"'
    try:
        yield ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"], how
    finally:
        for _ in range(50):
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.2)
