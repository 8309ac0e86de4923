"""The rules: each a function over the audited repository that yields findings citing a rule
id of docs/RULES.md, with the place, the reason and the fix."""

from __future__ import annotations

import ast
import json
import math
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from . import template
from .commands import Image, Program, StartCommand, read_images, read_start_commands
from .files import (
    TEMPLATE_SUFFIXES,
    Repo,
    YMap,
    dockerfile_env,
    is_dev_file,
    is_test_path,
    line_of,
    load_yaml_docs,
)
from .model import Finding, Severity, finding
from .pysource import APP_CONSTRUCTORS, Call, Function, Module, Sources
from .servers import ASGI_WORKERS, CPU_COUNT, Server, analyse

ASGI_FRAMEWORKS = {"fastapi", "litestar", "starlette", "quart"}


class Audit:
    """Everything the rules read, built once per run."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.sources = Sources(repo)
        self.images: list[Image] = read_images(repo)
        self.commands: list[StartCommand] = read_start_commands(repo, self.images)
        self.servers: list[Server] = []
        for command in self.commands:
            for program in command.programs:
                server = analyse(program, repo, self.sources)
                if server is not None:
                    self.servers.append(server)

    @cached_property
    def framework(self) -> str | None:
        found = {a.framework for a in self.sources.apps} or self.sources.frameworks
        for name in ("django", "fastapi", "litestar", "flask", "starlette", "quart"):
            if name in found:
                return name
        for name in ("django", "fastapi", "litestar", "flask"):
            if self.repo.requirement(name):
                return name
        return None

    @cached_property
    def async_framework(self) -> bool:
        return self.framework in ASGI_FRAMEWORKS

    @cached_property
    def package_name(self) -> str:
        for rel in self.repo.python_files:
            parts = rel.split("/")
            if len(parts) == 3 and parts[0] == "src" and parts[2] == "__init__.py":
                return parts[1]
        return "app"

    @cached_property
    def mentions(self) -> set[str]:
        """Every short string constant of the code, to ask whether anything reads a variable."""
        return set().union(*(m.strings for m in self.sources.all()))

    def reads_env(self, name: str) -> bool:
        return name in self.mentions

    def env_default(self, name: str) -> str | None:
        """The default the code gives a variable in a settings table (`{"NAME": "25"}`) or
        `os.environ.get("NAME", "25")`, when there is exactly one."""
        found: set[str] = set()
        for module in self.sources.all():
            if name not in module.strings:
                continue
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Dict):
                    for k, v in zip(node.keys, node.values, strict=False):
                        if (
                            isinstance(k, ast.Constant)
                            and k.value == name
                            and isinstance(v, ast.Constant)
                        ):
                            found.add(str(v.value))
                elif (
                    isinstance(node, ast.Call)
                    and len(node.args) == 2
                    and all(isinstance(a, ast.Constant) for a in node.args)
                    and node.args[0].value == name
                ):  # type: ignore[attr-defined]
                    found.add(str(node.args[1].value))  # type: ignore[attr-defined]
        return found.pop() if len(found) == 1 else None

    @cached_property
    def orchestrated(self) -> bool:
        """An orchestrator restarts the image's containers (any Kubernetes/Cloud Run workload
        or compose service with a restart policy, or a Procfile platform)."""
        return any(c.where.restarts for c in self.commands)

    def interface_of(self, server: Server) -> tuple[str | None, str | None]:
        """(framework, interface) of the app a server imports, as far as the code tells."""
        target = (server.target or "").strip("'\"")
        if ":" in target:
            module_name, _, attr = target.partition(":")
            attr = attr.split("(")[0]
            found = self._resolve_app(module_name, attr, 0, server.program.path)
            if found:
                return found
        if self.framework == "django":
            if "asgi" in target:
                return "django", "asgi"
            if "wsgi" in target:
                return "django", "wsgi"
            return "django", None
        if self.framework in ASGI_FRAMEWORKS:
            return self.framework, "asgi"
        if self.framework == "flask":
            return "flask", "wsgi"
        return None, None

    def _resolve_app(
        self, module_name: str, attr: str, depth: int, near: str
    ) -> tuple[str, str] | None:
        module = self.sources.find_module(module_name, near)
        if module is None or depth > 4:
            return None
        for app in self.sources.apps:
            if app.module is module and app.attr == attr:
                return app.framework, app.interface
        if attr in module.imports:
            mod, _, name = module.imports[attr].rpartition(".")
            return self._resolve_app(mod, name, depth + 1, module.rel)
        for node in module.tree.body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
                continue
            if not any(isinstance(t, ast.Name) and t.id == attr for t in node.targets):
                continue
            callee = module.qualify(node.value.func) or ""
            fn = self.sources.resolve(module, Call(callee, node.lineno, False, node.value), None)
            if fn is not None:
                for call in fn.calls:
                    kind = APP_CONSTRUCTORS.get(call.name)
                    if kind:
                        return kind
            for arg in node.value.args:
                if isinstance(arg, ast.Name):
                    inner = self._resolve_app(module_name, arg.id, depth + 1, module.rel)
                    if inner:
                        return inner
        return None

    def generated_fix(self, server: str, framework: str | None, interface: str | None) -> str:
        """plinth's command for this framework and server, or its recommended one."""
        framework = framework or ("flask" if interface == "wsgi" else "fastapi")
        cmd = template.server_command(framework, server, "io", self.package_name)
        if cmd is None:
            rec = template.recommended(framework, interface or "asgi", "io", self.package_name)
            if rec is None:
                return ""
            server, cmd = rec
        return f"plinth generates, for {framework} on {server}: {template.format_cmd(cmd)}"


Rule = Callable[[Audit], Iterator[Finding]]
ALL: list[Rule] = []


def rule(fn: Rule) -> Rule:
    ALL.append(fn)
    return fn


def _cmd_text(program: Program) -> str:
    return program.text if len(program.text) <= 120 else program.text[:117] + "..."


# --------------------------------------------------------------------------- R2 / R3


@rule
def interfaces(audit: Audit) -> Iterator[Finding]:
    for server in audit.servers:
        framework, interface = audit.interface_of(server)
        if interface is None:
            continue
        p = server.program
        name = server.name
        if name == "gunicorn":
            worker = str(server.value("worker_class", "sync"))
            setting = server.get("worker_class")
            at = (setting.path, setting.line) if setting else (p.path, p.line)
            if interface == "asgi" and worker not in ASGI_WORKERS:
                yield finding(
                    "R2",
                    *at,
                    f"`{_cmd_text(p)}` serves the {framework} ASGI app with gunicorn's `{worker}` "
                    "worker, which speaks only WSGI: every request fails.",
                    "Run an ASGI worker: `-k uvicorn_worker.UvicornWorker` (package "
                    "uvicorn-worker) "
                    "or gunicorn's native `-k asgi`. "
                    + audit.generated_fix("gunicorn-uvicorn", framework, interface),
                )
            elif interface == "wsgi" and worker in ASGI_WORKERS:
                yield finding(
                    "R3",
                    *at,
                    f"`{_cmd_text(p)}` serves the {framework} WSGI app with the ASGI worker "
                    f"`{worker}`.",
                    "Use gunicorn's `gthread` (I/O-bound) or `sync` (CPU-bound) worker. "
                    + audit.generated_fix("gunicorn", framework, interface),
                )
        elif name == "granian":
            iface = str(server.value("interface", "rsgi"))
            setting = server.get("interface")
            at = (setting.path, setting.line) if setting else (p.path, p.line)
            if iface != interface and iface in {"rsgi", "asgi", "wsgi", "asginl"}:
                if iface == "asginl" and interface == "asgi":
                    continue
                yield finding(
                    "R2" if interface == "asgi" else "R3",
                    *at,
                    f"granian runs `--interface {iface}`"
                    + (" (its default)" if setting is None else "")
                    + f" but the {framework} app is {interface.upper()}.",
                    f"Pass `--interface {interface}`. "
                    + audit.generated_fix("granian", framework, interface),
                )
        elif (
            name in {"uvicorn", "hypercorn", "daphne", "fastapi", "litestar"}
            and interface == "wsgi"
        ):
            yield finding(
                "R3",
                p.path,
                p.line,
                f"`{_cmd_text(p)}`: {name} is an ASGI server and the {framework} app is WSGI "
                "(an adapter runs every request in a thread of one event loop).",
                "Serve it with a WSGI server: gunicorn (gthread/sync) or granian --interface wsgi. "
                + audit.generated_fix("gunicorn", framework, interface),
            )


# --------------------------------------------------------------------------- R4


DEV_SERVER_CALLS = {
    "uvicorn.run",
    "hypercorn.run",
    "werkzeug.serving.run_simple",
    "granian.Granian",
}


def _runs_dev_server(module: Module) -> int | None:
    """The line where a script starts a server of its own (uvicorn.run, app.run)."""
    calls = list(module.top_calls)
    for fn in module.functions.values():
        if fn.name in {"main", "run", "serve"}:
            calls += fn.calls
    for call in calls:
        if call.name in DEV_SERVER_CALLS:
            return call.line
        if call.name.endswith(".run") and call.name.split(".")[0] in {"app", "application"}:
            return call.line
    return None


@rule
def dev_servers(audit: Audit) -> Iterator[Finding]:
    for command in audit.commands:
        if command.where.dev:
            continue
        for p in command.programs:
            why = ""
            line = (p.path, p.line)
            if p.tool == "flask" and "run" in p.args:
                why = "`flask run` is Werkzeug's development server"
            elif p.tool == "fastapi" and p.args[:1] == ["dev"]:
                why = "`fastapi dev` is the reloading development server"
            elif p.tool == "manage" and p.args[:1] == ["runserver"]:
                why = "`manage.py runserver` is Django's development server"
            elif p.tool in {
                "uvicorn",
                "gunicorn",
                "hypercorn",
                "granian",
                "litestar",
                "fastapi",
            } and p.flag("--reload", "--debug"):
                why = f"`{p.tool} --reload` watches files and restarts: a development mode"
            elif p.tool in {"script", "module"}:
                module = None
                if p.tool == "module":
                    module = audit.sources.find_module(p.args[0], p.path)
                else:
                    name = p.args[0].lstrip("./")
                    rel = next(
                        (r for r in audit.repo.python_files if r == name or r.endswith("/" + name)),
                        None,
                    )
                    module = audit.sources.module_at(rel) if rel else None
                    module = module or next(
                        (m for r, m in audit.sources.by_path.items() if r.endswith("/" + name)),
                        None,
                    )
                if module is not None:
                    at = _runs_dev_server(module)
                    if at is not None:
                        why = (
                            f"`{_cmd_text(p)}` starts the server from Python "
                            f"(`{module.rel}:{at}`): "
                            "one process, no supervisor, no worker settings"
                        )
            if why:
                framework, interface = (
                    audit.framework,
                    "wsgi" if audit.framework == "flask" else "asgi",
                )
                yield finding(
                    "R4",
                    *line,
                    why + ", not a production server.",
                    "Run a production server as the container's CMD. "
                    + audit.generated_fix(
                        "gunicorn" if interface == "wsgi" else "gunicorn-uvicorn",
                        framework,
                        interface,
                    ),
                )
    for server in audit.servers:
        s = server.get("reload")
        if (
            s
            and s.literal
            and s.value is True
            and s.path != server.program.path
            and not server.program.where.dev
        ):
            yield finding(
                "R4",
                s.path,
                s.line,
                f"{server.name} runs with reload on: a development mode.",
                "Remove the reload setting from the production configuration.",
            )


# --------------------------------------------------------------------------- R5


@rule
def uvicorn_packaging(audit: Audit) -> Iterator[Finding]:
    uses_uvicorn = False
    for server in audit.servers:
        worker = server.get("worker_class")
        if (
            server.name == "gunicorn"
            and worker
            and str(worker.value).startswith("uvicorn.workers.")
        ):
            yield finding(
                "R5",
                worker.path,
                worker.line,
                f"`{worker.value}` is deprecated (uvicorn's own gunicorn worker).",
                "Install `uvicorn-worker` and use "
                f"`{str(worker.value).replace('uvicorn.workers', 'uvicorn_worker')}`. "
                + audit.generated_fix("gunicorn-uvicorn", *audit.interface_of(server)),
            )
        if server.name in {"uvicorn", "fastapi", "litestar"} or (
            server.name == "gunicorn" and worker and "uvicorn" in str(worker.value).lower()
        ):
            uses_uvicorn = True
    if not uses_uvicorn:
        return
    req = audit.repo.requirement("uvicorn")
    standard = any(
        r.extras & {"standard"} for r in audit.repo.requirements if r.name in {"uvicorn", "fastapi"}
    ) or (audit.repo.requirement("uvloop") and audit.repo.requirement("httptools"))
    if req is not None and not standard:
        yield finding(
            "R5",
            req.path,
            req.line,
            "uvicorn is installed without `[standard]`: no uvloop, no httptools (about a tenth "
            "of the throughput measured with them).",
            "Depend on `uvicorn[standard]` (or list uvloop and httptools).",
        )


# --------------------------------------------------------------------------- R6


@rule
def supervisors(audit: Audit) -> Iterator[Finding]:
    for server in audit.servers:
        p = server.program
        if p.where.restarts or p.where.dev:
            continue
        if p.where.kind == "dockerfile" and audit.orchestrated:
            continue
        workers = server.value("workers")
        unsupervised = ""
        if server.name == "hypercorn":
            unsupervised = "hypercorn never respawns a dead worker (and exits 0 when one dies)"
        elif server.name == "daphne":
            unsupervised = "daphne runs one process with no supervisor"
        elif server.name in {"uvicorn", "fastapi", "litestar"} and server.get("workers") is None:
            unsupervised = f"{server.name} without --workers runs one unsupervised process"
        elif server.name in {"uvicorn", "fastapi"} and isinstance(workers, int) and workers < 2:
            unsupervised = f"{server.name} with one worker runs one unsupervised process"
        elif server.name == "granian" and not server.value("respawn"):
            unsupervised = "granian without --respawn-failed-workers leaves a dead worker dead"
        if unsupervised:
            where = (
                "this compose service has no `restart:` policy"
                if p.where.kind == "compose"
                else (
                    "nothing in the repository restarts the container (no compose restart policy, "
                    "no Kubernetes workload)"
                )
            )
            fix = (
                "Add `restart: unless-stopped` to the compose service, or run a supervisor: "
                if p.where.kind == "compose"
                else "Run a supervising server: "
            )
            yield finding(
                "R6",
                p.path,
                p.line,
                f"{unsupervised}, and {where}.",
                fix
                + audit.generated_fix(
                    "gunicorn-uvicorn" if server.name != "granian" else "granian",
                    *audit.interface_of(server),
                ),
            )


# --------------------------------------------------------------------------- R7 / R8 / R9


def _formula(server: Server, cpus: float, audit: Audit) -> int:
    c = max(1, math.ceil(cpus))
    _, interface = audit.interface_of(server)
    worker = str(server.value("worker_class", "sync"))
    sync = (server.name == "gunicorn" and worker not in ASGI_WORKERS) or (
        server.name == "granian" and interface == "wsgi"
    )
    return 2 * c + 1 if sync else c


@rule
def worker_counts(audit: Audit) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()
    for server in audit.servers:
        s = server.get("workers")
        if s is None or (s.path, s.line) in seen:
            continue
        seen.add((s.path, s.line))
        where = server.program.where
        if s.cpu_count:
            yield finding(
                "R7",
                s.path,
                s.line,
                "The worker count comes from the host's CPU count: a container limited to 1 CPU "
                "on a 64-core node starts 64+ workers.",
                "Compute it from the cgroup quota (cpu.max) capped by os.sched_getaffinity, and "
                "let WEB_CONCURRENCY override it (plinth's serving/concurrency.py does).",
            )
            continue
        if not s.literal or not isinstance(s.value, int):
            continue
        if server.name == "hypercorn" and s.value <= 1:
            continue  # one process per container (0: the main process, C6); R6 covers restarts
        in_manifest = (
            s.path == where.path
            and where.kind in {"kubernetes", "cloud-run", "compose"}
            and bool(s.env_names)
        )
        expected = _formula(server, where.cpu_limit, audit) if where.cpu_limit else None
        if in_manifest and expected is not None and s.value <= expected:
            continue  # set next to the CPU limit it follows
        if expected is not None and s.value > expected:
            yield finding(
                "R8",
                s.path,
                s.line,
                f"{s.value} {server.name} workers on a container limited to "
                f"{where.cpu_limit:g} CPU: "
                f"the formula gives {expected}.",
                f"Use {expected}, or compute it at start from the CPU allotment.",
            )
            continue
        yield finding(
            "R7",
            s.path,
            s.line,
            f"The worker count ({s.value}) is hard-coded: it follows neither the container's "
            "CPU allotment nor an override.",
            "Drop the number and compute workers at start from the cgroup CPU quota, with "
            "WEB_CONCURRENCY as the override (plinth's serving/concurrency.py).",
        )
    for module in audit.sources.all():
        for call in [*module.top_calls, *(c for fn in module.functions.values() for c in fn.calls)]:
            if call.name in CPU_COUNT and (module.rel, call.line) not in seen:
                seen.add((module.rel, call.line))
                yield finding(
                    "R7",
                    module.rel,
                    call.line,
                    f"`{call.name}()` counts the host's CPUs, not the container's allotment.",
                    "Read the cgroup quota (cpu.max, v1 cpu.cfs_quota_us) capped by "
                    "os.sched_getaffinity, in one place.",
                )


@rule
def ignored_overrides(audit: Audit) -> Iterator[Finding]:
    ignores = {"granian": "GRANIAN_WORKERS", "hypercorn": "", "daphne": ""}
    for server in audit.servers:
        where = server.program.where
        if server.name not in ignores or "WEB_CONCURRENCY" not in where.env:
            continue
        if audit.reads_env("WEB_CONCURRENCY"):
            continue  # the repository's own entrypoint reads it
        path, line = where.env_at.get("WEB_CONCURRENCY", (server.program.path, server.program.line))
        native = ignores[server.name]
        yield finding(
            "R9",
            path,
            line,
            f"WEB_CONCURRENCY is set but {server.name} never reads it"
            + (f" (granian reads {native})." if native else ": it runs one process."),
            f"Set {native} instead." if native else "Scale with replicas, not WEB_CONCURRENCY.",
        )


# --------------------------------------------------------------------------- R10


@rule
def signals(audit: Audit) -> Iterator[Finding]:
    for image in audit.images:
        for ins in (image.entrypoint, image.cmd):
            if ins is None or ins.exec_form() is not None:
                continue
            if (
                ins is image.cmd
                and image.entrypoint is not None
                and image.entrypoint.exec_form() is None
            ):
                continue
            yield finding(
                "R10",
                image.path,
                ins.line,
                f"Shell-form {ins.keyword}: /bin/sh is PID 1 and does not pass SIGTERM on, so the "
                "server is killed at the end of the grace period instead of draining.",
                f"Use exec form: {ins.keyword} {_exec_form(ins.args)}",
            )
    for command in audit.commands:
        for p in command.programs:
            if (
                p.chained
                and p.tool in {"gunicorn", "uvicorn", "granian", "hypercorn", "daphne"}
                and "exec " not in f" {p.text}"
                and command.where.kind != "procfile"
            ):
                yield finding(
                    "R10",
                    p.path,
                    p.line,
                    f"`{_cmd_text(p)}` runs as a child of a shell, which does not forward SIGTERM.",
                    "Prefix the last command with `exec` (or split the other steps out).",
                )
    defaults = {"gunicorn": 30.0, "uvicorn": math.inf, "granian": math.inf}
    for server in audit.servers:
        where = server.program.where
        if server.name not in defaults:
            continue
        s = server.get("graceful_timeout")
        timeout: float | None
        if s is None:
            if audit.reads_env("GRACEFUL_TIMEOUT"):  # an entrypoint hands it to the server
                timeout = _seconds(
                    where.env.get("GRACEFUL_TIMEOUT") or audit.env_default("GRACEFUL_TIMEOUT")
                )
            else:
                timeout = defaults[server.name]
        elif s.literal and isinstance(s.value, int | float):
            timeout = float(s.value)
        else:
            value = next((where.env[n] for n in s.env_names if n in where.env), None)
            if value is None and isinstance(s.value, str):
                value = s.value
            for name in s.env_names if value is None else ():
                value = value or audit.env_default(name)
            timeout = _seconds(value)
        if timeout is None:
            continue
        grace = where.grace if where.grace is not None else (30.0 if timeout == math.inf else None)
        if grace is None or timeout < grace:
            continue
        at = (s.path, s.line) if s is not None else (server.program.path, server.program.line)
        shown = "forever" if timeout == math.inf else f"{timeout:g} s"
        orchestrator = {
            "compose": "compose's stop_grace_period",
            "kubernetes": "the pod's grace period",
            "cloud-run": "Cloud Run's grace period",
            "procfile": "the platform's grace period",
        }.get(where.kind, "the usual grace period")
        flag = {
            "gunicorn": "--graceful-timeout",
            "uvicorn": "--timeout-graceful-shutdown",
            "granian": "--workers-kill-timeout",
        }[server.name]
        yield finding(
            "R10",
            *at,
            f"{server.name} waits {shown} for requests in flight, not below {orchestrator} "
            f"({grace:g} s{_at(where.grace_at)}): requests are cut by SIGKILL.",
            (
                f"Set GRACEFUL_TIMEOUT below {grace:g} s, or lengthen the grace period"
                if s is None and audit.reads_env("GRACEFUL_TIMEOUT")
                else f"Set {flag} below {grace:g} s"
            )
            + " (plinth: GRACEFUL_TIMEOUT=25 for a 30 s grace period).",
        )


def _at(place: tuple[str, int] | None) -> str:
    return f", {place[0]}:{place[1]}" if place else ""


def _seconds(value: str | None) -> float | None:
    return float(value) if value and value.replace(".", "", 1).isdigit() else None


def _exec_form(args: str) -> str:
    try:
        return json.dumps(shlex.split(args))
    except ValueError:
        return json.dumps(args.split())


# --------------------------------------------------------------------------- R11


@rule
def trusted_proxies(audit: Audit) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()

    def star(value: object) -> bool:
        return (
            isinstance(value, str)
            and re.search(r"(^|[,:\-\s'\"])\*($|[,}\s'\"])", value) is not None
        )

    for server in audit.servers:
        s = server.get("forwarded_allow_ips")
        if (
            s
            and star(s.value)
            and not server.program.where.cloud_run
            and (s.path, s.line) not in seen
        ):
            seen.add((s.path, s.line))
            yield _r11(s.path, s.line)
    for command in audit.commands:
        where = command.where
        value = where.env.get("FORWARDED_ALLOW_IPS")
        at = where.env_at.get("FORWARDED_ALLOW_IPS")
        if at and star(value) and not where.cloud_run and at not in seen:
            seen.add(at)
            yield _r11(*at)
    for module in audit.sources.all():
        for call in [*module.top_calls, *(c for fn in module.functions.values() for c in fn.calls)]:
            for kw in call.node.keywords:
                if (
                    kw.arg in {"forwarded_allow_ips", "trusted_hosts"}
                    and isinstance(kw.value, ast.Constant)
                    and star(kw.value.value)
                ):
                    at = (module.rel, call.line)
                    if at not in seen:
                        seen.add(at)
                        yield _r11(*at)


def _r11(path: str, line: int) -> Finding:
    return finding(
        "R11",
        path,
        line,
        "Forwarded headers are trusted from any address (`*`): any client can set its own "
        "address and scheme with X-Forwarded-For / X-Forwarded-Proto.",
        "List the proxy's addresses or networks (e.g. FORWARDED_ALLOW_IPS=10.0.0.0/8); `*` only "
        "on a platform that requires it (Cloud Run).",
    )


# --------------------------------------------------------------------------- R12


@dataclass(frozen=True)
class Blocking:
    what: str
    fix: str


FILE_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes"})
HTTP_FIX = "use the shared httpx.AsyncClient from the lifespan and await it (R15)"
DB_FIX = (
    "use the async driver (asyncpg, aiosqlite, asyncmy) through an async engine, "
    "or make the handler `def`"
)
FILE_FIX = "use `await anyio.Path(...).read_text()` or `await asyncio.to_thread(...)`"


def blocking(call: Call) -> Blocking | None:
    name = call.name
    if call.awaited:
        return None
    if "()." in name and name.rsplit(".", 1)[-1] not in FILE_METHODS:
        return None  # `requests.get(...).json()`: the inner call is the one that blocks
    if name == "time.sleep":
        return Blocking("time.sleep() blocks the event loop", "await asyncio.sleep()")
    if (
        name.startswith("requests.")
        or name.startswith("urllib.request.")
        or name.startswith("urllib3.")
    ):
        return Blocking(f"{name}() is synchronous HTTP", HTTP_FIX)
    if name in {
        f"httpx.{m}"
        for m in (
            "get",
            "post",
            "put",
            "patch",
            "delete",
            "head",
            "options",
            "request",
            "stream",
            "Client",
        )
    }:
        return Blocking(f"{name}() is synchronous HTTP", HTTP_FIX)
    if name.startswith("subprocess.") or name in {"os.system", "os.popen", "os.waitpid"}:
        return Blocking(f"{name}() waits for a process", "use asyncio.create_subprocess_exec")
    if name in {"open", "io.open"} or name.rsplit(".", 1)[-1] in FILE_METHODS:
        return Blocking(f"{name}() is file I/O", FILE_FIX)
    head = name.split(".")[0]
    if name in {
        "psycopg2.connect",
        "psycopg.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "mysql.connector.connect",
        "sqlite3.connect",
        "pymongo.MongoClient",
        "redis.Redis",
        "redis.StrictRedis",
        "redis.from_url",
        "redis.Redis.from_url",
        "sqlalchemy.create_engine",
        "sqlalchemy.orm.Session",
    } or (head in {"psycopg2", "pymysql", "MySQLdb", "sqlite3"} and name.endswith(".connect")):
        return Blocking(f"{name}() is a synchronous database driver", DB_FIX)
    return None


@rule
def event_loop(audit: Audit) -> Iterator[Finding]:
    sources = audit.sources
    for fn in sources.functions():
        if not fn.is_async:
            continue
        for call in fn.calls:
            hit = blocking(call)
            if hit:
                yield finding(
                    "R12",
                    fn.module.rel,
                    call.line,
                    f"In `async def {fn.name}`: {hit.what}.",
                    f"Instead: {hit.fix}.",
                )
                continue
            if call.awaited:
                continue
            chain = _blocking_path(sources, fn.module, call, fn, 0, set())
            if chain:
                path_text = " -> ".join(chain[:-1])
                hit, where = chain[-1]  # type: ignore[misc]
                yield finding(
                    "R12",
                    fn.module.rel,
                    call.line,
                    f"In `async def {fn.name}`: `{path_text}` leads to a blocking call at "
                    f"{where}: {hit.what}.",
                    f"Await an async version, or run it off the loop: "
                    f"`await asyncio.to_thread({chain[0]}, ...)`; {hit.fix}.",
                )
        if fn.is_route and not fn.awaits and audit.async_framework:
            local = [
                c
                for c in fn.calls
                if (t := sources.resolve(fn.module, c, fn)) is not None and not t.is_async
            ]
            if local:
                yield finding(
                    "R12",
                    fn.module.rel,
                    fn.line,
                    f"`async def {fn.name}` never awaits but calls `{local[0].name}()`: that "
                    "work runs "
                    "on the event loop and holds every other request.",
                    "Make the handler `def` (it then runs in the thread pool), or await the work.",
                )


def _blocking_path(
    sources: Sources, module: Module, call: Call, caller: Function, depth: int, seen: set[str]
) -> list:  # type: ignore[type-arg]
    """[callee, callee, ..., (Blocking, 'file:line')] when a sync repository function
    reached from ``call`` blocks, within four calls."""
    if depth > 3:
        return []
    target = sources.resolve(module, call, caller)
    if target is None or target.is_async:
        return []
    key = f"{target.module.rel}:{target.qualname}"
    if key in seen:
        return []
    seen.add(key)
    for inner in target.calls:
        hit = blocking(inner)
        if hit:
            return [target.name, (hit, f"{target.module.rel}:{inner.line}")]
        rest = _blocking_path(sources, target.module, inner, target, depth + 1, seen)
        if rest:
            return [target.name, *rest]
    return []


# --------------------------------------------------------------------------- R13 / R15 / R16


HTTP_CLIENTS = {"httpx.AsyncClient", "httpx.Client", "aiohttp.ClientSession", "requests.Session"}
POOLS = {
    "sqlalchemy.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "asyncpg.create_pool",
    "redis.Redis",
    "redis.asyncio.Redis",
    "redis.from_url",
    "redis.asyncio.from_url",
    "motor.motor_asyncio.AsyncIOMotorClient",
    "aiomysql.create_pool",
    "psycopg_pool.ConnectionPool",
    "psycopg_pool.AsyncConnectionPool",
}


def _lifespans(sources: Sources) -> set[str]:
    names: set[str] = set()
    for module in sources.all():
        for call in [*module.top_calls, *(c for fn in module.functions.values() for c in fn.calls)]:
            for kw in call.node.keywords:
                if kw.arg in {"lifespan", "on_startup", "on_shutdown"}:
                    values = (
                        kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple) else [kw.value]
                    )
                    for v in values:
                        q = module.qualify(v)
                        if q:
                            names.add(q.rsplit(".", 1)[-1])
        for fn in module.functions.values():
            if "lifespan" in fn.name or fn.name in {
                "ready",
                "post_fork",
                "post_worker_init",
                "when_ready",
                "on_starting",
            }:
                names.add(fn.name)
    return names


@rule
def resources(audit: Audit) -> Iterator[Finding]:
    sources = audit.sources
    lifespans = _lifespans(sources)
    handlers = [fn for fn in sources.functions() if fn.is_route]
    for module in sources.all():
        for fn in module.functions.values():
            for deco in fn.decorators:
                if deco.endswith(".on_event"):
                    yield finding(
                        "R16",
                        module.rel,
                        fn.line,
                        f"`@{deco}` is deprecated: startup/shutdown hooks split what one lifespan "
                        "should own (create, then dispose, every pool).",
                        "Move it into a lifespan: `@asynccontextmanager async def lifespan(app): "
                        "create; yield; dispose` and `FastAPI(lifespan=lifespan)`.",
                    )
        if "settings" in module.name.split(".")[-1] or module.rel.endswith(
            ("env.py", "conftest.py")
        ):
            continue
        for call in module.top_calls:
            if call.name in HTTP_CLIENTS:
                yield finding(
                    "R15",
                    module.rel,
                    call.line,
                    f"`{call.name}()` is created at import: it outlives no lifespan, is never "
                    "closed, "
                    "and is shared across a fork.",
                    "Create it in the lifespan (one per worker), close it there, and read it "
                    "from app.state.",
                )
            elif call.name in POOLS:
                yield finding(
                    "R16",
                    module.rel,
                    call.line,
                    f"`{call.name}()` creates a pool at import: nothing disposes it at shutdown, "
                    "and with --preload (or a query at import) its connections cross the fork "
                    "into every worker.",
                    "Create the engine in the lifespan (ASGI) or on first use in the worker (WSGI) "
                    "and dispose it on shutdown.",
                )
            elif call.name.endswith("current_default_thread_limiter"):
                yield finding(
                    "R13",
                    module.rel,
                    call.line,
                    "The thread-pool size is set at import, outside any event loop.",
                    "Set `anyio.to_thread.current_default_thread_limiter().total_tokens` in "
                    "the lifespan.",
                )
    reported: set[tuple[str, int]] = set()
    for handler in handlers:
        stack = [(handler, 0)]
        visited = set()
        while stack:
            fn, depth = stack.pop()
            if fn.qualname in lifespans or (fn.module.rel, fn.qualname) in visited:
                continue
            visited.add((fn.module.rel, fn.qualname))
            for call in fn.calls:
                rule_id = (
                    "R15" if call.name in HTTP_CLIENTS else "R16" if call.name in POOLS else None
                )
                if rule_id and (fn.module.rel, call.line) not in reported:
                    reported.add((fn.module.rel, call.line))
                    via = "" if fn is handler else f" (reached from the handler `{handler.name}`)"
                    yield finding(
                        rule_id,
                        fn.module.rel,
                        call.line,
                        f"`{call.name}()` is created on every request{via}: a new connection pool, "
                        "TLS handshake and DNS lookup each time, never reused.",
                        "Create one in the lifespan and share it (app.state / a dependency "
                        "that reads it).",
                    )
                elif depth < 3:
                    target = sources.resolve(fn.module, call, fn)
                    if target is not None:
                        stack.append((target, depth + 1))


# --------------------------------------------------------------------------- R17


SYNC_DRIVERS = {
    "psycopg2": "asyncpg",
    "psycopg2-binary": "asyncpg",
    "pymysql": "asyncmy",
    "mysqlclient": "asyncmy",
    "mysql-connector-python": "asyncmy",
}
SYNC_URL = re.compile(
    r"^(postgres(ql)?(\+psycopg2)?|mysql(\+pymysql|\+mysqldb)?|sqlite(\+pysqlite)?)://"
)


@rule
def sync_drivers(audit: Audit) -> Iterator[Finding]:
    if not audit.async_framework:
        return
    fw = audit.framework
    for req in audit.repo.requirements:
        if req.name in SYNC_DRIVERS and not req.dev:
            yield finding(
                "R17",
                req.path,
                req.line,
                f"{req.name} is a synchronous driver and {fw} is async: every query blocks the "
                "event loop "
                "(or occupies a thread-pool token).",
                f"Use {SYNC_DRIVERS[req.name]} with SQLAlchemy's async engine "
                "(`sqlalchemy[asyncio]`).",
            )
    for module in audit.sources.all():
        if module.rel.endswith(("migrations/env.py", "alembic/env.py")):
            continue
        for call in [*module.top_calls, *(c for f in module.functions.values() for c in f.calls)]:
            if call.name == "sqlalchemy.create_engine":
                yield finding(
                    "R17",
                    module.rel,
                    call.line,
                    f"A synchronous SQLAlchemy engine under {fw}: its queries block the event "
                    "loop.",
                    "Use `create_async_engine` with an async driver (postgresql+asyncpg, "
                    "mysql+asyncmy, sqlite+aiosqlite) and `AsyncSession`.",
                )
    for command in audit.commands:
        value = command.where.env.get("DATABASE_URL", "")
        at = command.where.env_at.get("DATABASE_URL")
        if at and SYNC_URL.match(value):
            yield finding(
                "R17",
                *at,
                f"DATABASE_URL `{value.split('://')[0]}://` names a synchronous driver for an "
                f"async {fw} app.",
                "Use postgresql+asyncpg://, mysql+asyncmy:// or sqlite+aiosqlite://.",
            )
            break


# --------------------------------------------------------------------------- R19


MIGRATIONS = {
    ("alembic", "upgrade"),
    ("manage", "migrate"),
    ("django-admin", "migrate"),
    ("flask", "db"),
    ("yoyo", "apply"),
}


@rule
def migrations(audit: Audit) -> Iterator[Finding]:
    for command in audit.commands:
        programs = command.programs
        serves = any(
            p.tool
            in {"gunicorn", "uvicorn", "granian", "hypercorn", "daphne", "fastapi", "litestar"}
            or (p.tool == "manage" and p.args[:1] == ["runserver"])
            for p in programs
        )
        if not serves:
            continue
        for p in programs:
            if (p.tool, (p.args or [""])[0]) in MIGRATIONS:
                yield finding(
                    "R19",
                    p.path,
                    p.line,
                    f"`{_cmd_text(p)}` runs in the app's start command: every replica migrates at "
                    "every start, concurrently, and a failed migration crash-loops the service.",
                    "Run migrations once per deploy: a compose one-shot service "
                    "(`depends_on: condition: service_completed_successfully`) or a Kubernetes "
                    "Job.",
                )
    lifespans = _lifespans(audit.sources)
    for fn in audit.sources.functions():
        if fn.name not in lifespans and not any(d.endswith(".on_event") for d in fn.decorators):
            continue
        for call in fn.calls:
            if call.name in {"alembic.command.upgrade", "django.core.management.call_command"} and (
                call.name != "django.core.management.call_command"
                or any(isinstance(a, ast.Constant) and a.value == "migrate" for a in call.node.args)
            ):
                yield finding(
                    "R19",
                    fn.module.rel,
                    call.line,
                    f"Migrations run in `{fn.name}`, which every worker of every replica runs "
                    "at start.",
                    "Run them once per deploy: a compose one-shot service or a Kubernetes Job.",
                )


# --------------------------------------------------------------------------- R20 / R21 / R22


CELERY_KEYS = {
    "task_acks_late",
    "task_reject_on_worker_lost",
    "worker_prefetch_multiplier",
    "broker_transport_options",
    "broker_url",
    "visibility_timeout",
}


def _celery_settings(audit: Audit) -> dict[str, tuple[object, str, int]]:
    """Celery settings found anywhere in the code: (value or `...` when not literal, path, line)."""
    found: dict[str, tuple[object, str, int]] = {}

    def note(key: str, node: ast.AST, module: Module, line: int) -> None:
        key = key.lower().removeprefix("celery_")
        key = {"broker": "broker_url", "acks_late": "task_acks_late"}.get(key, key)
        if key not in CELERY_KEYS:
            return
        try:
            value: object = ast.literal_eval(node)  # type: ignore[arg-type]
        except (ValueError, SyntaxError, TypeError):
            value = ...
        found.setdefault(key, (value, module.rel, line))
        if key == "broker_transport_options" and isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=False):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    note(k.value, v, module, line)

    for module in audit.sources.all():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.keyword) and node.arg:
                note(node.arg, node.value, module, node.value.lineno)
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=False):
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        note(k.value, v, module, v.lineno)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    name = (
                        t.id
                        if isinstance(t, ast.Name)
                        else t.attr
                        if isinstance(t, ast.Attribute)
                        else None
                    )
                    if name:
                        note(name, node.value, module, node.lineno)
    return found


@rule
def celery(audit: Audit) -> Iterator[Finding]:
    apps = [
        (m, c)
        for m in audit.sources.all()
        for c in [*m.top_calls, *(c for f in m.functions.values() for c in f.calls)]
        if c.name == "celery.Celery"
    ]
    workers = [p for c in audit.commands for p in c.programs if p.tool == "celery"]
    if not apps:
        return
    module, call = apps[0]
    conf = _celery_settings(audit)
    wanted = [
        (
            "task_acks_late",
            True,
            "a task is acknowledged before it runs: a worker killed mid-task loses it",
        ),
        (
            "task_reject_on_worker_lost",
            True,
            "a task whose worker died is acknowledged, not redelivered",
        ),
        (
            "worker_prefetch_multiplier",
            1,
            "each worker process reserves 4 tasks and holds them while busy",
        ),
    ]
    for key, good, why in wanted:
        value = conf.get(key)
        if value is None or (value[0] is not ... and value[0] != good):
            path, line = (value[1], value[2]) if value else (module.rel, call.line)
            yield finding(
                "R20",
                path,
                line,
                f"Celery `{key}` is {'unset' if value is None else repr(value[0])}: {why}.",
                f"Set `{key}={good!r}` in the Celery configuration (tasks must be idempotent).",
            )
    broker = conf.get("broker_url")
    redis_broker = (broker and isinstance(broker[0], str) and broker[0].startswith("redis")) or any(
        c.where.env.get(k, "").startswith("redis")
        for c in audit.commands
        for k in ("CELERY_BROKER_URL", "BROKER_URL")
    )
    if redis_broker and "visibility_timeout" not in conf:
        yield finding(
            "R21",
            module.rel,
            call.line,
            "Redis broker without `visibility_timeout`: a killed worker's task comes back only "
            "after the "
            "1 h default, and a task longer than it runs twice.",
            "Set `broker_transport_options={'visibility_timeout': N}` with N longer than the "
            "longest "
            "task and any countdown.",
        )
    beats = []
    for p in workers:
        embedded = "worker" in p.args and p.flag("-B", "--beat")
        if "beat" in p.args or embedded:
            beats.extend([p] * max(1, p.where.replicas))
    by_file: dict[str, list[Program]] = {}
    for p in beats:
        by_file.setdefault(
            p.where.kind + ":" + (p.path if p.where.kind != "dockerfile" else "image"), []
        ).append(p)
    for group in by_file.values():
        if len(group) > 1:
            p = group[-1]
            yield finding(
                "R22",
                p.path,
                p.line,
                f"{len(group)} Celery beat processes (replicas, or `-B` workers next to a beat): "
                "every periodic task is sent once per beat.",
                "Run exactly one beat: its own single-replica service, and no `-B` on workers.",
            )


# --------------------------------------------------------------------------- R24 / R25


PYTHON_TOOLS = {"gunicorn", "uvicorn", "granian", "hypercorn", "daphne", "celery", "fastapi",
                "litestar", "flask", "python", "manage", "script", "module", "alembic"}  # fmt: skip


def _python_image(audit: Audit, image: Image) -> bool:
    """The image runs the Python app (not the database, proxy or docs images beside it)."""
    if any("python" in stage.base.lower() for stage in image.stages):
        return True
    return any(
        p.tool in PYTHON_TOOLS
        for c in audit.commands
        if c.where.image == image.path
        for p in c.programs
    )


@rule
def container(audit: Audit) -> Iterator[Finding]:
    has_probes = any(c.where.kind in {"kubernetes", "cloud-run"} for c in audit.commands)
    for image in audit.images:
        if is_dev_file(image.path) or not _python_image(audit, image):
            continue
        user = image.user
        base = image.final.base.lower()
        nonroot_base = "nonroot" in base or base.startswith("cgr.dev/chainguard/")
        if (user is None and not nonroot_base) or (
            user is not None and user.args.split(":")[0].strip() in {"root", "0"}
        ):
            yield finding(
                "R24",
                image.path,
                user.line if user else image.final.line,
                "The container runs as root: a compromise of the app owns the container.",
                "Add a system user and switch to it by number: "
                "`RUN useradd --system --uid 999 app` then `USER 999:999`.",
            )
        serves = any(srv.program.where.image == image.path for srv in audit.servers)
        if image.healthcheck is None and serves and not has_probes:
            yield finding(
                "R24",
                image.path,
                image.final.line,
                "No HEALTHCHECK: Docker and compose cannot tell a hung server from a healthy one.",
                'Add `HEALTHCHECK CMD ["python", "-c", "import urllib.request; '
                "urllib.request.urlopen('http://127.0.0.1:8000/health')\"]` (no curl needed).",
                severity=Severity.NOTE,
            )


SECRET_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)"
    r"(?!.*_(FILE|PATH|DIR|NAME|LENGTH|TTL|MIN|MAX|URL|ENV|SECONDS)$)",
    re.I,
)
PLACEHOLDER = re.compile(
    r"change.?me|example|placeholder|dummy|insecure|changeme|xxx|^test|^dev|<|\{\{|^\$|^\*+$|^$",
    re.I,
)
KEY_PATTERNS = [
    (
        re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"),
        "a private key",
    ),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"), "a Slack token"),
]


def _secret_value(value: str) -> bool:
    return len(value) >= 6 and not PLACEHOLDER.search(value) and "${" not in value


@rule
def secrets(audit: Audit) -> Iterator[Finding]:
    repo = audit.repo
    for image in audit.images:
        for stage in image.stages:
            for ins in stage.instructions:
                if ins.keyword not in {"ENV", "ARG"}:
                    continue
                for name, value in dockerfile_env(ins).items():
                    if SECRET_NAME.search(name) and _secret_value(value):
                        yield _r25(
                            image.path,
                            ins.line,
                            f"{ins.keyword} {name} bakes a secret into the image (any `docker "
                            "history` shows it)",
                        )
    for rel in repo.compose_files:
        docs = load_yaml_docs(repo.text(rel) or "")
        services = docs[0].get("services") if docs and isinstance(docs[0], YMap) else None
        for name, svc in (services or {}).items():
            env = svc.get("environment") if isinstance(svc, dict) else None
            items = (
                env.items()
                if isinstance(env, dict)
                else (str(e).partition("=")[::2] for e in env or [])
            )
            for i, (k, v) in enumerate(items):
                if SECRET_NAME.search(str(k)) and isinstance(v, str) and _secret_value(v):
                    yield _r25(
                        rel,
                        line_of(env, k if isinstance(env, dict) else i),
                        f"compose service `{name}` sets {k} in the repository",
                    )
    for command in audit.commands:
        if command.where.kind not in {"kubernetes", "cloud-run"}:
            continue
        for k, v in command.where.env.items():
            if SECRET_NAME.search(k) and v != "<ref>" and _secret_value(v):
                yield _r25(
                    *command.where.env_at[k],
                    f"{k} is written into the manifest instead of a Secret reference",
                )
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if name.endswith(TEMPLATE_SUFFIXES) or re.search(
            r"\.(example|sample|template|dist)\b", name
        ):
            continue
        if name == ".env" or (
            name.startswith(".env.")
            and not name.endswith((".example", ".sample", ".template", ".dist"))
        ):
            ignored = any(
                line.strip() in {".env", ".env*", ".env.*", "*.env", f"/{name}", name}
                for line in repo.lines(".gitignore")
            )
            if not ignored:
                yield _r25(rel, 1, f"`{rel}` holds settings and is not in .gitignore")
    for module in audit.sources.all():
        for node in module.tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for t in node.targets:
                    if (
                        isinstance(t, ast.Name)
                        and SECRET_NAME.search(t.id)
                        and t.id.isupper()
                        and _secret_value(node.value.value)
                    ):
                        yield _r25(module.rel, node.lineno, f"`{t.id}` is a literal in the source")
    for rel, text in repo.walk_text(
        (
            ".py",
            ".yaml",
            ".yml",
            ".toml",
            ".json",
            ".env",
            ".cfg",
            ".ini",
            ".pem",
            ".key",
            ".txt",
            "Dockerfile",
        )
    ):
        if is_test_path(rel):
            continue
        for rx, what in KEY_PATTERNS:
            m = rx.search(text)
            if m:
                yield _r25(rel, text.count("\n", 0, m.start()) + 1, f"the file contains {what}")


def _r25(path: str, line: int, what: str) -> Finding:
    return finding(
        "R25",
        path,
        line,
        f"Secret in the repository: {what}.",
        "Read it from the environment at start (a Secret / secret manager in production), "
        "rotate the exposed value, and keep `.env` out of git and the image.",
    )


def run_rules(audit: Audit) -> list[Finding]:
    out: list[Finding] = []
    for fn in ALL:
        out.extend(fn(audit))
    return out
