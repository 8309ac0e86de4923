"""plinth's benchmark suite: one command, one table.

    uv run python bench/run.py                  # everything, about 30 min on 2 cores
    uv run python bench/run.py --only http,overhead --frameworks fastapi,flask
    uv run python bench/run.py --smoke          # one tiny round of each section's machinery

Sections (README "Benchmarks" explains how to read the table):
  http      every framework on its default server and one other: the generated service against
            a bare app of the same framework under the same ENTRYPOINT + CMD, on /health:
            req/s >= 0.9x bare, p99 <= 1.2x, ready < 1 s, <= 60 MB RSS per worker.
  db        GET /items?limit=20 and POST /items on the real PostgreSQL, against a bare app doing
            the same queries with the same driver and pool size: req/s >= 0.9x, p99 <= 1.2x.
  overhead  instructions per request (valgrind callgrind, N in-process requests through the app
            the server imports, no server, no sockets): deterministic to well under 1 %. /health
            without a database, and GET /items?limit=20 on PostgreSQL where a bare /items exists.
  render    `copier copy` and `plinth new --yes` of the default service, bytecode compiled,
            after one warm run: wall and CPU seconds, instructions (callgrind, git children
            included; not with --smoke); where the time goes in Copier's run_copy and plinth's.
  rules     the rulebook's claims measured on generated services: R12/R13 (I/O at 500
            connections), R8/R14 (CPU-bound work), R7 (workers under a 1-CPU quota).

The server runs on one CPU and wrk on the other where the machine has two (--no-pin to let
them float), one worker each, rounds in ABBA order. Every run is bounded (wrk -d, start-up
timeouts) and talks to loopback only. Requires wrk (installed with apt-get when missing and
root), valgrind for `overhead`, PostgreSQL on 127.0.0.1:5432 for `db`.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import sections

SECTIONS = ("http", "db", "overhead", "render", "rules")


@dataclass
class Row:
    section: str
    case: str
    metric: str
    generated: str
    bare: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""
    load: str = ""


def print_table(rows: list[Row], header: str) -> None:
    columns = (
        "section",
        "case",
        "metric",
        "generated",
        "bare",
        "ratio",
        "target",
        "verdict",
        "load",
    )
    cells = [columns, *[tuple(getattr(r, c) for c in columns) for r in rows]]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(columns))]
    numeric = {"generated", "bare", "ratio"}
    print(header)
    for n, row in enumerate(cells):
        line = "  ".join(
            str(v).rjust(w) if columns[i] in numeric else str(v).ljust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )
        print(line.rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--frameworks", default=",".join(sections.HTTP_SERVERS))
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (max 60)")
    parser.add_argument("--rounds", type=int, default=4, help="runs of each variant (ABBA)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=1, help="workers per server")
    parser.add_argument("--requests", type=int, default=2000, help="in-process requests (overhead)")
    parser.add_argument("--no-pin", action="store_true", help="let server and wrk share CPUs")
    parser.add_argument("--smoke", action="store_true", help="one tiny round of everything")
    parser.add_argument("--keep", action="store_true", help="keep the rendered projects")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.rounds, args.requests, args.connections = 1, 1, 20, 8
    args.duration = min(args.duration, harness.MAX_WRK_SECONDS)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; pick from {', '.join(SECTIONS)}")
    args.framework_list = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    pin = harness.Pinning.choose(not args.no_pin)

    started, load_before = time.monotonic(), harness.load()
    workspace = harness.Workspace(keep=args.keep)
    rows: list[Row] = []
    try:
        for name in chosen:
            for row in sections.guarded(
                name, lambda n=name: getattr(sections, n)(workspace, args, pin)
            ):
                rows.append(Row(name, *row))
                print("  ".join(rows[-1].__dict__.values()), file=sys.stderr, flush=True)
    finally:
        workspace.close()
    header = (
        f"plinth bench: {platform.node()} {len(harness.cpus())} CPUs, Python "
        f"{platform.python_version()}, {pin.describe()}, {args.workers} worker(s), wrk "
        f"-t{args.threads} -c{args.connections} -d{args.duration:g}s x {args.rounds} rounds "
        f"(ABBA); load 1 min {load_before:.1f} -> {harness.load():.1f}; "
        f"{time.monotonic() - started:.0f} s\n"
    )
    print()
    print_table(rows, header)
    if args.smoke:
        print("\n(smoke run: the figures above only show that each section works)")


if __name__ == "__main__":
    main()
