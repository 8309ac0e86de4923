"""Workers and threads from the container's CPU and memory allotment (R7, R8, R9).

This module is the only place that decides them. It reads the cgroup (v2 `cpu.max`, v1
`cpu.cfs_quota_us`), caps by CPU affinity and by the memory limit, and lets `WEB_CONCURRENCY` and
`WEB_THREADS` override everything. `os.cpu_count()` is not used: it reports the host, not the
container.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# async: one event loop per worker; sync/gthread: gunicorn's WSGI workers; single: a server
# that runs one process per container and leaves restarts to the orchestrator (R6).
WorkerKind = Literal["async", "sync", "gthread", "single"]

# The kind of worker this service runs, fixed by the server chosen at generation time.
WORKER_KIND: WorkerKind = "async"
# The `workers` and `threads` answers: None computes them from the allotment; a number is the
# default that WEB_CONCURRENCY / WEB_THREADS still override (R9).
CONFIGURED_WORKERS: int | None = None
CONFIGURED_THREADS: int | None = None
# Assumed resident memory of one worker; the memory limit divided by it caps the worker count.
DEFAULT_WORKER_MEMORY_MB = 256
DEFAULT_GTHREAD_THREADS = 4

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")
# cgroup v1 reports "no limit" as a huge number rounded to the page size.
_V1_UNLIMITED = 1 << 60


@dataclass(frozen=True)
class Allotment:
    """What the container may use: CPUs (rounded up, at least 1) and memory in bytes."""

    cpus: int
    memory_bytes: int | None


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _own_cgroup_dirs(root: Path, proc_cgroup: Path) -> list[Path]:
    """Directories of this process's cgroup v2 from the leaf up to the root (limits nest)."""
    relative = ""
    for line in (_read(proc_cgroup) or "").splitlines():
        if line.startswith("0::"):
            relative = line[3:].strip("/")
    dirs = [root]
    parts = [part for part in relative.split("/") if part]
    for depth in range(1, len(parts) + 1):
        dirs.append(root.joinpath(*parts[:depth]))
    return [d for d in reversed(dirs) if d.is_dir()]


def cpu_quota(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_SELF_CGROUP) -> float | None:
    """CPUs granted by the CFS quota, or None when there is no quota."""
    quotas: list[float] = []
    for directory in _own_cgroup_dirs(root, proc_cgroup):
        raw = _read(directory / "cpu.max")
        if raw is None:
            continue
        quota, _, period = raw.partition(" ")
        if quota != "max" and period:
            quotas.append(int(quota) / int(period))
    if quotas:
        return min(quotas)
    for v1 in (root / "cpu,cpuacct", root / "cpu"):
        quota_raw, period_raw = _read(v1 / "cpu.cfs_quota_us"), _read(v1 / "cpu.cfs_period_us")
        if quota_raw is not None and period_raw is not None:
            quota_us, period_us = int(quota_raw), int(period_raw)
            return quota_us / period_us if quota_us > 0 and period_us > 0 else None
    return None


def memory_limit(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_SELF_CGROUP) -> int | None:
    """The memory limit in bytes, or None when there is none."""
    limits: list[int] = []
    for directory in _own_cgroup_dirs(root, proc_cgroup):
        raw = _read(directory / "memory.max")
        if raw is not None and raw != "max":
            limits.append(int(raw))
    if limits:
        return min(limits)
    raw = _read(root / "memory" / "memory.limit_in_bytes")
    if raw is not None and int(raw) < _V1_UNLIMITED:
        return int(raw)
    return None


def affinity_cpus() -> int:
    return len(os.sched_getaffinity(0))


def allotment(
    root: Path = CGROUP_ROOT,
    proc_cgroup: Path = PROC_SELF_CGROUP,
    affinity: int | None = None,
) -> Allotment:
    cpus = affinity if affinity is not None else affinity_cpus()
    quota = cpu_quota(root, proc_cgroup)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    return Allotment(cpus=max(1, cpus), memory_bytes=memory_limit(root, proc_cgroup))


def workers_for(
    allot: Allotment,
    kind: WorkerKind = WORKER_KIND,
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB,
) -> int:
    """R8: async workers = C; sync and gthread workers = 2C + 1; capped by memory; at least 1.

    A one-process server (`single`) always gets 1: scale it with replicas, not workers (R6).
    """
    if kind == "single":
        return 1
    workers = allot.cpus if kind == "async" else 2 * allot.cpus + 1
    if allot.memory_bytes is not None:
        workers = min(workers, allot.memory_bytes // (worker_memory_mb * 1024 * 1024))
    return max(1, workers)


def threads_for(kind: WorkerKind = WORKER_KIND) -> int:
    """R8: gthread workers (gunicorn's, granian's WSGI pool for I/O-bound work) run 4 threads by
    default; every other kind runs one."""
    return DEFAULT_GTHREAD_THREADS if kind == "gthread" else 1


def _positive_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    value = int(raw)
    if value < 1:
        msg = f"{name} must be a positive integer, got {raw!r}"
        raise ValueError(msg)
    return value


def web_concurrency(
    env: Mapping[str, str] = os.environ,
    allot: Allotment | None = None,
    configured: int | None = CONFIGURED_WORKERS,
    kind: WorkerKind = WORKER_KIND,
) -> int:
    """Worker processes: `WEB_CONCURRENCY` if set (R9), else the generated default, else
    computed from the allotment."""
    override = _positive_int(env, "WEB_CONCURRENCY")
    if override is not None:
        return override
    if configured is not None:
        return configured
    memory_mb = _positive_int(env, "WORKER_MEMORY_MB") or DEFAULT_WORKER_MEMORY_MB
    return workers_for(allot or allotment(), kind, worker_memory_mb=memory_mb)


def web_threads(
    env: Mapping[str, str] = os.environ, configured: int | None = CONFIGURED_THREADS
) -> int:
    """Threads per worker: `WEB_THREADS` if set (R9), else the generated default, else the
    default for the worker kind."""
    return _positive_int(env, "WEB_THREADS") or configured or threads_for()
