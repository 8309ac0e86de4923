"""What a server invocation amounts to: its app, interface, workers, reload, trusted proxies and
graceful timeout, from its flags, its environment and its config file."""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass, field

from .commands import Program
from .files import Repo, split_shell
from .pysource import Module, Sources

ASGI_WORKERS = {
    "uvicorn.workers.UvicornWorker",
    "uvicorn.workers.UvicornH11Worker",
    "uvicorn_worker.UvicornWorker",
    "uvicorn_worker.UvicornH11Worker",
    "asgi",
}
CPU_COUNT = {
    "os.cpu_count",
    "multiprocessing.cpu_count",
    "os.process_cpu_count",
    "psutil.cpu_count",
}
# Options that take a value, per server (to tell the app target from option values).
VALUED = {
    "gunicorn": {
        "-w",
        "--workers",
        "-k",
        "--worker-class",
        "-c",
        "--config",
        "-b",
        "--bind",
        "--graceful-timeout",
        "--forwarded-allow-ips",
        "-t",
        "--timeout",
        "--threads",
        "--log-level",
        "--access-logfile",
        "--error-logfile",
        "--max-requests",
        "--max-requests-jitter",
        "--keep-alive",
        "--chdir",
        "--name",
        "-n",
        "-e",
        "--env",
        "--log-config",
        "--logconfig-json",
        "--worker-connections",
        "-u",
        "-g",
    },
    "uvicorn": {
        "--host",
        "--port",
        "--workers",
        "--forwarded-allow-ips",
        "--log-level",
        "--timeout-graceful-shutdown",
        "--timeout-keep-alive",
        "--loop",
        "--http",
        "--ws",
        "--interface",
        "--root-path",
        "--log-config",
        "--env-file",
        "--app-dir",
        "--uds",
        "--fd",
        "--limit-concurrency",
        "--backlog",
        "--limit-max-requests",
        "--lifespan",
        "--ssl-keyfile",
        "--ssl-certfile",
        "--h11-max-incomplete-event-size",
    },
    "granian": {
        "--interface",
        "--host",
        "--port",
        "--workers",
        "--blocking-threads",
        "--runtime-threads",
        "--workers-kill-timeout",
        "--log-level",
        "--log-config",
        "--loop",
        "--http",
        "--backlog",
        "--workers-lifetime",
        "--respawn-interval",
        "--working-dir",
        "--env-files",
        "--runtime-mode",
        "--task-impl",
    },
    "hypercorn": {
        "-c",
        "--config",
        "-w",
        "--workers",
        "-b",
        "--bind",
        "--graceful-timeout",
        "--log-level",
        "-k",
        "--worker-class",
        "--access-logfile",
        "--error-logfile",
        "--root-path",
        "--keep-alive",
    },
    "daphne": {
        "-b",
        "--bind",
        "-p",
        "--port",
        "-u",
        "--unix-socket",
        "--access-log",
        "-v",
        "--verbosity",
        "--application-close-timeout",
        "--root-path",
        "--proxy-headers-host",
        "--proxy-headers-port",
        "-t",
        "--http-timeout",
    },
}


@dataclass
class Setting:
    """A server setting: its value (None when not literal), where it is set, and what it
    reads (environment variable names, CPU counts)."""

    value: object
    path: str
    line: int
    literal: bool = True
    env_names: tuple[str, ...] = ()
    cpu_count: bool = False


@dataclass
class Server:
    program: Program
    name: str  # gunicorn | uvicorn | granian | hypercorn | daphne | fastapi | litestar
    target: str | None
    settings: dict[str, Setting] = field(default_factory=dict)
    config_module: Module | None = None
    config_path: str | None = None

    def get(self, key: str) -> Setting | None:
        return self.settings.get(key)

    def value(self, key: str, default: object = None) -> object:
        s = self.settings.get(key)
        return s.value if s is not None and s.literal else default


def _py_setting(module: Module, node: ast.expr, line: int) -> Setting:
    try:
        return Setting(ast.literal_eval(node), module.rel, line)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    names: list[str] = []
    cpu = False
    default: object = None
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            qual = module.qualify(sub.func) or ""
            if qual in CPU_COUNT:
                cpu = True
            strings = [
                a.value
                for a in sub.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if strings and strings[0].isupper():
                names.append(strings[0])
                if len(strings) > 1:
                    default = strings[1]
        elif (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
            and sub.slice.value.isupper()
        ):
            names.append(sub.slice.value)
    return Setting(default, module.rel, line, literal=False, env_names=tuple(names), cpu_count=cpu)


def _config_module(
    sources: Sources, repo: Repo, ref: str, near: str
) -> tuple[Module | None, str | None]:
    if ref.startswith("python:"):
        module = sources.find_module(ref[7:], near)
        return module, module.rel if module else None
    if ref.startswith("file:"):
        ref = ref[5:]
    rel = ref.lstrip("./")
    candidates = [rel] + [f for f in repo.files if f.endswith("/" + rel)]
    for cand in candidates:
        module = sources.module_at(cand)
        if module is not None:
            return module, cand
        if repo.exists(cand):
            return None, cand
    return None, None


def _read_py_config(server: Server, module: Module, keys: dict[str, str]) -> None:
    for node in module.tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in keys:
                    server.settings[keys[target.id]] = _py_setting(module, node.value, node.lineno)


def analyse(program: Program, repo: Repo, sources: Sources) -> Server | None:
    tool = program.tool
    if tool in {"fastapi", "litestar"} and program.args[:1] == ["run"]:
        server = Server(program, tool, None)
        args = Program(
            tool, program.args[1:], program.path, program.line, program.where, program.text
        )
        for pos in args.positionals(frozenset({"--host", "--port", "--workers", "--wc", "--app"})):
            server.target = pos
        _flags(server, args, {"--workers": "workers", "--wc": "workers", "-W": "workers"})
        if args.flag("--reload", "-r"):
            server.settings["reload"] = Setting(True, program.path, program.line)
        return server
    if tool not in VALUED:
        return None
    server = Server(program, tool, None)
    positionals = program.positionals(frozenset(VALUED[tool]))
    server.target = positionals[-1] if positionals else None
    env = program.where.env
    env_at = program.where.env_at
    at = (program.path, program.line)
    if tool == "gunicorn":
        extra = env.get("GUNICORN_CMD_ARGS")
        config_ref = program.opt("-c", "--config")
        if config_ref is None:
            for default in ("gunicorn.conf.py",):
                if repo.exists(default):
                    config_ref = default
        if config_ref:
            module, rel = _config_module(sources, repo, config_ref, program.path)
            server.config_module, server.config_path = module, rel
            if module is not None:
                _read_py_config(
                    server,
                    module,
                    {
                        "workers": "workers",
                        "worker_class": "worker_class",
                        "graceful_timeout": "graceful_timeout",
                        "reload": "reload",
                        "forwarded_allow_ips": "forwarded_allow_ips",
                        "wsgi_app": "target",
                        "threads": "threads",
                    },
                )
                target = server.value("target")
                if isinstance(target, str) and server.target is None:
                    server.target = target
        programs = [program]
        if extra:
            p = env_at.get("GUNICORN_CMD_ARGS", at)
            programs.append(Program(tool, split_shell(extra), p[0], p[1], program.where, extra))
        for prog in programs:
            _flags(
                server,
                prog,
                {
                    "-w": "workers",
                    "--workers": "workers",
                    "-k": "worker_class",
                    "--worker-class": "worker_class",
                    "--graceful-timeout": "graceful_timeout",
                    "--forwarded-allow-ips": "forwarded_allow_ips",
                    "--threads": "threads",
                },
            )
            if prog.flag("--reload"):
                server.settings["reload"] = Setting(True, prog.path, prog.line)
        _env(server, {"WEB_CONCURRENCY": "workers", "FORWARDED_ALLOW_IPS": "forwarded_allow_ips"})
    elif tool == "uvicorn":
        _flags(
            server,
            program,
            {
                "--workers": "workers",
                "--forwarded-allow-ips": "forwarded_allow_ips",
                "--timeout-graceful-shutdown": "graceful_timeout",
                "--interface": "interface",
            },
        )
        _env(
            server,
            {
                "WEB_CONCURRENCY": "workers",
                "UVICORN_WORKERS": "workers",
                "FORWARDED_ALLOW_IPS": "forwarded_allow_ips",
                "UVICORN_FORWARDED_ALLOW_IPS": "forwarded_allow_ips",
                "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "graceful_timeout",
                "UVICORN_INTERFACE": "interface",
                "UVICORN_RELOAD": "reload",
            },
        )
        if program.flag("--reload"):
            server.settings["reload"] = Setting(True, *at)
    elif tool == "granian":
        _flags(
            server,
            program,
            {
                "--workers": "workers",
                "--interface": "interface",
                "--workers-kill-timeout": "graceful_timeout",
            },
        )
        _env(
            server,
            {
                "GRANIAN_WORKERS": "workers",
                "GRANIAN_INTERFACE": "interface",
                "GRANIAN_WORKERS_KILL_TIMEOUT": "graceful_timeout",
                "GRANIAN_RELOAD": "reload",
                "GRANIAN_RESPAWN_FAILED_WORKERS": "respawn",
            },
        )
        if program.flag("--reload"):
            server.settings["reload"] = Setting(True, *at)
        if program.flag("--respawn-failed-workers"):
            server.settings["respawn"] = Setting(True, *at)
    elif tool == "hypercorn":
        config_ref = program.opt("-c", "--config")
        if config_ref:
            module, rel = _config_module(sources, repo, config_ref, program.path)
            server.config_module, server.config_path = module, rel
            if module is not None:
                _read_py_config(
                    server,
                    module,
                    {
                        "workers": "workers",
                        "graceful_timeout": "graceful_timeout",
                        "use_reloader": "reload",
                        "forwarded_allow_ips": "forwarded_allow_ips",
                        "worker_class": "worker_class",
                    },
                )
            elif rel and rel.endswith(".toml"):
                _toml_config(server, repo, rel)
        _flags(
            server,
            program,
            {
                "-w": "workers",
                "--workers": "workers",
                "--graceful-timeout": "graceful_timeout",
                "-k": "worker_class",
            },
        )
        if program.flag("--reload"):
            server.settings["reload"] = Setting(True, *at)
    return server


def _toml_config(server: Server, repo: Repo, rel: str) -> None:
    try:
        data = tomllib.loads(repo.text(rel) or "")
    except tomllib.TOMLDecodeError:
        return
    lines = repo.lines(rel)
    for key, name in {
        "workers": "workers",
        "graceful_timeout": "graceful_timeout",
        "use_reloader": "reload",
    }.items():
        if key in data:
            line = next((n for n, t in enumerate(lines, 1) if t.strip().startswith(key)), 1)
            server.settings[name] = Setting(data[key], rel, line)


def _flags(server: Server, program: Program, names: dict[str, str]) -> None:
    for flag, key in names.items():
        value = program.opt(flag)
        if value is not None:
            server.settings[key] = Setting(_number(value), program.path, program.line)


def _env(server: Server, names: dict[str, str]) -> None:
    where = server.program.where
    for var, key in names.items():
        if var in where.env and key not in server.settings:  # flags and config files win
            raw = where.env[var]
            path, line = where.env_at.get(var, (server.program.path, server.program.line))
            literal = raw != "<ref>" and "$" not in raw
            server.settings[key] = Setting(
                _number(raw) if literal else None, path, line, literal=literal, env_names=(var,)
            )


def _number(value: str) -> object:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value
