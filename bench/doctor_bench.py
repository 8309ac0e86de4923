"""How fast `plinth doctor` audits a large repository.

Generates a repository of N Python modules (default 3,000) in packages of 50, shaped like a
service: FastAPI routers whose `async def` handlers call helpers in sibling modules (a few of
them blocking, one and two calls away), settings, a Celery app, a Dockerfile, compose and
Kubernetes manifests. Then runs the audit --rounds times (reading, parsing, every rule, ruff's
ASYNC rules as a subprocess) and prints files per second and the seconds for 1,000 files.

Target: a 1,000-file repository audited in under 5 s on 2 cores. Wall time on a shared
machine is noisy; the CPU time it also prints (this process plus ruff) is not.

Usage: uv run python bench/doctor_bench.py [--files 3000] [--rounds 3] [--no-ruff]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from plinth.doctor import audit

ROUTER = '''\
"""Routes of package {pkg}, module {mod}."""

import asyncio
import json

from fastapi import APIRouter

from .helpers_{mod} import load_{mod}, summarise_{mod}

router = APIRouter()


@router.get("/{pkg}/{mod}")
async def read_{mod}(limit: int = 10) -> dict[str, object]:
    await asyncio.sleep(0)
    rows = load_{mod}(limit)
    return {{"rows": rows, "summary": summarise_{mod}(rows)}}


@router.post("/{pkg}/{mod}")
async def write_{mod}(payload: dict[str, object]) -> dict[str, object]:
    data = await asyncio.to_thread(json.dumps, payload)
    return {{"size": len(data)}}


def sync_view_{mod}() -> dict[str, int]:
    return {{"n": sum(range(100))}}
'''

HELPERS = '''\
"""Helpers of package {pkg}, module {mod}."""

import time
from dataclasses import dataclass


@dataclass
class Row:
    key: str
    value: int


def _fetch(limit: int) -> list[Row]:
    {blocking}return [Row(str(i), i * i) for i in range(limit)]


def load_{mod}(limit: int) -> list[dict[str, object]]:
    return [{{"key": r.key, "value": r.value}} for r in _fetch(limit)]


def summarise_{mod}(rows: list[dict[str, object]]) -> dict[str, int]:
    total = 0
    for row in rows:
        value = row["value"]
        if isinstance(value, int):
            total += value
    return {{"count": len(rows), "total": total}}


class Cache:
    def __init__(self) -> None:
        self.items: dict[str, object] = {{}}

    def get(self, key: str) -> object | None:
        return self.items.get(key)

    def put(self, key: str, value: object) -> None:
        self.items[key] = value
'''

APP = """\
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


app = FastAPI(lifespan=lifespan)
"""

DOCKERFILE = """\
FROM python:3.13-slim
WORKDIR /app
COPY . /app
USER 999:999
HEALTHCHECK CMD ["python", "-c", "print(1)"]
CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "--workers", "4", "svc.main:app"]
"""


def generate(root: Path, files: int) -> int:
    """Write the repository; returns the number of Python files."""
    (root / "src" / "svc").mkdir(parents=True)
    (root / "src" / "svc" / "__init__.py").write_text("")
    (root / "src" / "svc" / "main.py").write_text(APP)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "compose.yaml").write_text(
        "services:\n  app:\n    build: .\n    restart: unless-stopped\n    stop_grace_period: 40s\n"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\n'
        'dependencies = ["fastapi", "gunicorn", "uvicorn[standard]", "uvicorn-worker"]\n'
    )
    written = 2
    pkg_index = 0
    while written < files:
        pkg = f"pkg{pkg_index:03d}"
        pkg_dir = root / "src" / "svc" / pkg
        pkg_dir.mkdir()
        (pkg_dir / "__init__.py").write_text("")
        written += 1
        for m in range(25):
            if written + 2 > files:
                break
            mod = f"m{m:02d}"
            blocking = "time.sleep(0.01)\n    " if m % 10 == 3 else ""
            (pkg_dir / f"routes_{mod}.py").write_text(ROUTER.format(pkg=pkg, mod=mod))
            (pkg_dir / f"helpers_{mod}.py").write_text(
                HELPERS.format(pkg=pkg, mod=mod, blocking=blocking)
            )
            written += 2
        pkg_index += 1
    return written


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-ruff", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="doctor-bench-") as tmp:
        root = Path(tmp)
        count = generate(root, args.files)
        times, cpu, findings = [], [], 0
        for _ in range(args.rounds):
            before = _cpu_seconds()
            start = time.perf_counter()
            result = audit(root, use_ruff=not args.no_ruff)
            times.append(time.perf_counter() - start)
            cpu.append(_cpu_seconds() - before)
            findings = len(result.findings)
        best, median = min(times), statistics.median(times)
        rate = count / median
        print(f"python files: {count}; findings: {findings}; ruff: {not args.no_ruff}")
        print(f"audit: best {best:.2f} s, median {median:.2f} s over {args.rounds} rounds")
        print(f"files/s: {rate:,.0f}; seconds per 1,000 files: {1000 / rate:.2f} (target < 5 s)")
        # CPU time (this process and ruff) does not grow when other work shares the cores.
        cpu_median = statistics.median(cpu)
        per_1000 = 1000 * cpu_median / count
        print(f"CPU: median {cpu_median:.2f} s per round, {per_1000:.2f} s per 1,000 files")


if __name__ == "__main__":
    main()
