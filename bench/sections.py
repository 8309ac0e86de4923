"""The bench sections: each returns table rows
(case, metric, generated, bare, ratio, target, verdict, load)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import harness
from harness import Pinning, Project, Series, Workspace

BENCH = harness.BENCH
TARGETS = {"rps_ratio": 0.9, "p99_ratio": 1.2, "ready_s": 1.0, "rss_mb": 60.0, "render_s": 1.0}
# Each framework's default server first, then the other one measured.
HTTP_SERVERS: dict[str, tuple[str, str]] = {
    "fastapi": ("gunicorn-uvicorn", "granian"),
    "flask": ("gunicorn", "granian"),
    "litestar": ("gunicorn-uvicorn", "granian"),
    "django": ("gunicorn-uvicorn", "gunicorn"),
}
DB_FRAMEWORKS = ("fastapi", "flask", "litestar")

Row = tuple[str, ...]


verdict = harness.verdict_text


def guarded(case: str, rows: Callable[[], Iterator[Row]]) -> Iterator[Row]:
    """The case's rows, or one FAILED row (the error in full on stderr): one broken case does not
    cost the rest of the table."""
    try:
        yield from rows()
    except (Exception, SystemExit) as exc:
        print(f"\n{case} FAILED:\n{exc}", file=sys.stderr)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        yield (case, "FAILED (see stderr)", first[:60], "", "", "", "FAILED", "")


def interface(framework: str, server: str) -> str:
    return "wsgi" if framework == "flask" or server == "gunicorn" else "asgi"


def add_bare(project: Project, server: str) -> str:
    """Copy the framework's bare app into the project; return its import target."""
    text = (BENCH / "bare" / f"{project.framework}_app.py").read_text()
    module = project.add_module("_bench_bare", text)
    wsgi_django = project.framework == "django" and interface("django", server) == "wsgi"
    return f"{module}:{'application' if wsgi_django else 'app'}"


def worker_env(project: Project, workers: int, **extra: str) -> dict[str, str]:
    return project.env(WEB_CONCURRENCY=str(workers), GRANIAN_WORKERS=str(workers), **extra)


def compare_rows(case: str, series: Series, *, memory: bool = True) -> list[Row]:
    g_rps, b_rps = series.median("generated", "rps"), series.median("bare", "rps")
    g_p99, b_p99 = series.median("generated", "p99_ms"), series.median("bare", "p99_ms")
    load = series.load_text()
    errors = series.errors("generated") + series.errors("bare")
    rows: list[Row] = [
        (
            case,
            "req/s (median)",
            f"{g_rps:.0f}",
            f"{b_rps:.0f}",
            f"{g_rps / b_rps:.2f}",
            f">= {TARGETS['rps_ratio']}",
            verdict(g_rps / b_rps >= TARGETS["rps_ratio"]),
            load,
        ),
        (
            case,
            "p99 ms (median)",
            f"{g_p99:.2f}",
            f"{b_p99:.2f}",
            f"{g_p99 / b_p99:.2f}",
            f"<= {TARGETS['p99_ratio']}",
            verdict(g_p99 / b_p99 <= TARGETS["p99_ratio"]),
            load,
        ),
    ]
    if memory:
        g_ready, b_ready = series.worst_ready("generated"), series.worst_ready("bare")
        g_rss, b_rss = series.worst_rss("generated"), series.worst_rss("bare")
        rows += [
            (
                case,
                "ready s (worst)",
                f"{g_ready:.2f}",
                f"{b_ready:.2f}",
                "",
                f"< {TARGETS['ready_s']:g}",
                verdict(g_ready < TARGETS["ready_s"]),
                load,
            ),
            (
                case,
                "RSS MB/worker (worst)",
                f"{g_rss:.1f}",
                f"{b_rss:.1f}",
                "",
                f"<= {TARGETS['rss_mb']:g}",
                verdict(g_rss <= TARGETS["rss_mb"]),
                load,
            ),
        ]
    if errors:
        rows.append(
            (
                case,
                "errors (non-2xx, socket)",
                str(series.errors("generated")),
                str(series.errors("bare")),
                "",
                "0",
                verdict(False),
                load,
            )
        )
    rows.append(
        (
            case,
            "req/s spread (min-max)",
            series.spread("generated"),
            series.spread("bare"),
            "",
            "",
            "",
            load,
        )
    )
    return rows


# --------------------------------------------------------------------------- http


def http(ws: Workspace, args: Any, pin: Pinning) -> Iterator[Row]:
    for framework in args.framework_list:
        for server in HTTP_SERVERS[framework]:
            case = f"{framework} {server} /health"
            yield from guarded(
                case, lambda f=framework, s=server, c=case: http_case(ws, args, pin, f, s, c)
            )


def http_case(
    ws: Workspace, args: Any, pin: Pinning, framework: str, server: str, case: str
) -> Iterator[Row]:
    project = ws.project(framework=framework, database="none", server=server)
    bare = project.with_target(add_bare(project, server))
    env = worker_env(project, args.workers)
    warm(project, env, (project.argv, bare))
    series = harness.abba(
        [("generated", project.argv, project, env), ("bare", bare, project, env)],
        rounds=args.rounds,
        path="/health",
        args=args,
        pin=pin,
    )
    yield from compare_rows(case, series)


def warm(project: Project, env: dict[str, str], commands: tuple[list[str], ...]) -> None:
    """One unmeasured start of each command writes the bytecode caches, as a built image has."""
    for n, argv in enumerate(commands):
        with harness.serve(argv, project, env, f"warm{n}", settle_s=0):
            pass


# --------------------------------------------------------------------------- db


@contextlib.contextmanager
def database(project: Project) -> Iterator[str]:
    from helpers import database_url_scheme, fresh_database, port_open

    if not port_open("127.0.0.1", 5432):
        raise SystemExit("db: PostgreSQL is not listening on 127.0.0.1:5432 (scripts/services.sh)")
    with fresh_database("postgresql", database_url_scheme(project.path)) as url:
        yield url


def seed(url: str, rows: int = 100) -> None:
    import psycopg

    plain = re.sub(r"^postgresql\+\w+://", "postgresql://", url)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO items (name, description) SELECT 'item ' || n, 'seeded by bench' "
            "FROM generate_series(1, %s) AS n",
            (rows,),
        )


def db(ws: Workspace, args: Any, pin: Pinning) -> Iterator[Row]:
    for framework in [f for f in args.framework_list if f in DB_FRAMEWORKS]:
        case = f"{framework} {HTTP_SERVERS[framework][0]} /items"
        yield from guarded(case, lambda f=framework: db_case(ws, args, pin, f))


def db_case(ws: Workspace, args: Any, pin: Pinning, framework: str) -> Iterator[Row]:
    server = HTTP_SERVERS[framework][0]
    project = ws.project(framework=framework, database="postgresql", server=server)
    bare = project.with_target(add_bare(project, server))
    with database(project) as url:
        migrate = ["alembic", "upgrade", "head"]
        subprocess.run(
            migrate,
            cwd=project.path,
            env=project.env(DATABASE_URL=url),
            check=True,
            capture_output=True,
        )
        seed(url)
        env = worker_env(project, args.workers, DATABASE_URL=url, BENCH_DATABASE_URL=url)
        variants = [("generated", project.argv, project, env), ("bare", bare, project, env)]
        warm(project, env, (project.argv, bare))
        # Every GET first: the POST runs grow the table that GET counts.
        get = harness.abba(variants, rounds=args.rounds, path="/items?limit=20", args=args, pin=pin)
        yield from compare_rows(f"{framework} {server} GET /items?limit=20", get, memory=False)
        post = harness.abba(
            variants, rounds=args.rounds, path="/items", args=args, pin=pin, post=True
        )
        yield from compare_rows(f"{framework} {server} POST /items", post, memory=False)


# --------------------------------------------------------------------------- overhead


def instructions(
    project: Project,
    target: str,
    iface: str,
    args: Any,
    env: dict[str, str],
    path: str = "/health",
    query: str = "",
) -> tuple[float, float]:
    """(instructions per request under callgrind, microseconds per request without valgrind)."""
    inproc = [
        str(project.python),
        str(BENCH / "inproc.py"),
        "--app",
        target,
        "--interface",
        iface,
        "--path",
        path,
        "--query",
        query,
    ]
    timed = subprocess.run(
        [*inproc, "-n", str(max(args.requests, 2000))],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if timed.returncode != 0:
        raise SystemExit(f"in-process run of {target} failed:\n{timed.stderr[-3000:]}")
    (line,) = [x for x in timed.stdout.splitlines() if x.startswith("inproc-result: ")]
    result = json.loads(line.removeprefix("inproc-result: "))
    micros = result["seconds"] / result["n"] * 1e6
    if not shutil.which("valgrind"):
        return float("nan"), micros
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--toggle-collect=sys_call_tracing",
                f"--callgrind-out-file={tmp}/cg.out",
                *inproc,
                "-n",
                str(args.requests),
                "--warmup",
                "50",
            ],
            cwd=project.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    match = re.search(r"Collected\s*:\s*(\d+)", out.stderr) or re.search(
        r"I\s+refs:\s+([\d,]+)", out.stderr
    )
    if out.returncode != 0 or not match:
        raise SystemExit(f"callgrind run of {target} failed:\n{out.stderr[-3000:]}")
    return int(match.group(1).replace(",", "")) / args.requests, micros


def overhead(ws: Workspace, args: Any, pin: Pinning) -> Iterator[Row]:
    for framework in args.framework_list:
        case = f"{framework} in-process /health"
        yield from guarded(case, lambda f=framework: overhead_case(ws, args, f))
    for framework in [f for f in args.framework_list if f in DB_FRAMEWORKS]:
        case = f"{framework} in-process /items"
        yield from guarded(case, lambda f=framework: overhead_db_case(ws, args, f))


# FastAPI's `include_router` keeps each router as a level that every request matches
# (RULES C15): the generated app includes its routers; this variant copies their routes onto the
# app's own table instead, which would forbid nested routers and router lifespans. The bench
# reports what the generated app pays for keeping them.
FLAT_ROUTES = """from fastapi import FastAPI, APIRouter

from .main import create_app


def flat_include(self: FastAPI, router: APIRouter, **_: object) -> None:
    self.router.routes.extend(router.routes)


FastAPI.include_router = flat_include  # type: ignore[method-assign]
app = create_app()
"""


def overhead_case(ws: Workspace, args: Any, framework: str) -> Iterator[Row]:
    server = HTTP_SERVERS[framework][0]
    project = ws.project(framework=framework, database="none", server=server)
    bare = add_bare(project, server)
    env = project.env()
    iface = interface(framework, server)
    before = harness.load()
    g_ir, g_us = instructions(project, project.target, iface, args, env)
    b_ir, b_us = instructions(project, bare, iface, args, env)
    load = f"{before:.1f}->{harness.load():.1f}"
    case = f"{framework} {project.target} /health"
    yield (
        case,
        "instructions/request",
        f"{g_ir:,.0f}",
        f"{b_ir:,.0f}",
        f"{g_ir / b_ir:.2f}",
        "",
        "",
        load,
    )
    yield (
        case,
        "us/request in-process",
        f"{g_us:.1f}",
        f"{b_us:.1f}",
        f"{g_us / b_us:.2f}",
        "",
        "",
        load,
    )
    if framework == "fastapi":
        flat = f"{project.add_module('_bench_flat', FLAT_ROUTES)}:app"
        f_ir, f_us = instructions(project, flat, iface, args, env)
        case = "fastapi include_router (generated) vs flat routes (bare column) /health"
        yield (case, "instructions/request", f"{g_ir:,.0f}", f"{f_ir:,.0f}", f"{g_ir / f_ir:.2f}",
               "", "", load)  # fmt: skip
        yield (case, "us/request in-process", f"{g_us:.1f}", f"{f_us:.1f}", f"{g_us / f_us:.2f}",
               "", "", load)  # fmt: skip


def overhead_db_case(ws: Workspace, args: Any, framework: str) -> Iterator[Row]:
    """GET /items?limit=20 on PostgreSQL: the database's own work runs in its server process,
    so the count is the app's, the ORM's and the driver's."""
    server = HTTP_SERVERS[framework][0]
    project = ws.project(framework=framework, database="postgresql", server=server)
    bare = add_bare(project, server)
    iface = interface(framework, server)
    with database(project) as url:
        env = project.env(DATABASE_URL=url, BENCH_DATABASE_URL=url)
        subprocess.run(
            ["alembic", "upgrade", "head"],
            cwd=project.path,
            env=env,
            check=True,
            capture_output=True,
        )
        seed(url)
        before = harness.load()
        query = "limit=20"
        g_ir, _ = instructions(project, project.target, iface, args, env, "/items", query)
        b_ir, _ = instructions(project, bare, iface, args, env, "/items", query)
    case = f"{framework} {project.target} GET /items?limit=20 (PostgreSQL)"
    load = f"{before:.1f}->{harness.load():.1f}"
    ratio = f"{g_ir / b_ir:.2f}"
    yield (case, "instructions/request", f"{g_ir:,.0f}", f"{b_ir:,.0f}", ratio, "", "", load)


# --------------------------------------------------------------------------- render


def render(ws: Workspace, args: Any, pin: Pinning) -> Iterator[Row]:
    import render_profile

    yield from render_profile.rows(ws, args)


# --------------------------------------------------------------------------- rules


def rules(ws: Workspace, args: Any, pin: Pinning) -> Iterator[Row]:
    import rules_evidence

    yield from rules_evidence.rows(ws, args, pin)
