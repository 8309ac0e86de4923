"""Where the service is started, and what each start command runs.

Start commands come from Dockerfiles (ENTRYPOINT + CMD), compose services, Procfiles,
Kubernetes and Cloud Run containers, and the shell scripts those call. Each is split into the
programs it runs (`sh -c "alembic upgrade head && gunicorn ..."` runs two), past wrappers such
as tini or an entrypoint module that execs its arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .files import (
    Instruction,
    Repo,
    Stage,
    YList,
    YMap,
    dockerfile_env,
    is_dev_file,
    line_of,
    load_yaml_docs,
    parse_dockerfile,
    split_shell,
)

SERVERS = frozenset({"gunicorn", "uvicorn", "granian", "hypercorn", "daphne"})
TOOLS = SERVERS | {
    "celery",
    "flask",
    "fastapi",
    "litestar",
    "alembic",
    "django-admin",
    "waitress-serve",
    "uwsgi",
}
WRAPPERS = frozenset(
    {"tini", "dumb-init", "env", "exec", "opentelemetry-instrument", "ddtrace-run", "nice", "--"}
)
PYTHONS = re.compile(r"^python(\d(\.\d+)?)?$")
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob"}


@dataclass
class Where:
    """The place a start command runs: its orchestrator, environment and limits."""

    kind: str  # dockerfile | compose | kubernetes | cloud-run | procfile
    path: str
    line: int
    name: str = ""
    env: dict[str, str] = field(default_factory=dict)
    env_at: dict[str, tuple[str, int]] = field(default_factory=dict)
    grace: float | None = None  # seconds the orchestrator waits after SIGTERM
    grace_at: tuple[str, int] | None = None
    restarts: bool = False
    cpu_limit: float | None = None
    replicas: int = 1
    dev: bool = False
    cloud_run: bool = False
    image: str | None = None  # the Dockerfile whose CMD/ENTRYPOINT this runs


@dataclass
class Program:
    """One program a start command runs: ``tool`` (gunicorn, celery, script, module, ...) and
    its arguments."""

    tool: str
    args: list[str]
    path: str
    line: int
    where: Where
    text: str  # the command as written, for messages
    chained: bool = False  # one of several programs in a shell chain

    def opt(self, *names: str) -> str | None:
        """The value of an option (`--workers 4`, `--workers=4`, `-w4`), or None."""
        args = self.args
        for i, arg in enumerate(args):
            for name in names:
                if arg == name and i + 1 < len(args):
                    return args[i + 1]
                if name.startswith("--") and arg.startswith(name + "="):
                    return arg[len(name) + 1 :]
                if not name.startswith("--") and arg.startswith(name) and len(arg) > len(name):
                    return arg[len(name) :]
        return None

    def flag(self, *names: str) -> bool:
        return any(a in names or a.split("=", 1)[0] in names for a in self.args)

    def positionals(self, takes_value: frozenset[str]) -> list[str]:
        out, skip = [], False
        for arg in self.args:
            if skip:
                skip = False
                continue
            if arg.startswith("-"):
                skip = "=" not in arg and arg in takes_value
                continue
            out.append(arg)
        return out


@dataclass
class StartCommand:
    argv: list[str]
    path: str
    line: int
    where: Where
    shell_form: bool = False  # Dockerfile shell form: /bin/sh is PID 1
    programs: list[Program] = field(default_factory=list)
    keyword: str = "CMD"


# --------------------------------------------------------------------------- splitting


def split_programs(
    repo: Repo, argv: list[str], path: str, line: int, where: Where, depth: int = 0
) -> list[Program]:
    """The programs a command runs, past wrappers, shells and scripts of the repository."""
    argv = list(argv)
    text = " ".join(argv)
    while argv:
        head = argv[0].rsplit("/", 1)[-1]
        if (
            head in {"sh", "bash", "ash", "dash"}
            and len(argv) >= 3
            and argv[1] in {"-c", "-ec", "-lc", "-ex"}
        ):
            return _chain(repo, argv[2], path, line, where, depth)
        if head in WRAPPERS:
            argv = argv[1:]
            continue
        if re.match(r"^[A-Z_][A-Z0-9_]*=", argv[0]):  # VAR=value prefix
            argv = argv[1:]
            continue
        if head in {"gosu", "su-exec"} and len(argv) > 2:
            argv = argv[2:]
            continue
        if (
            head in {"uv", "poetry", "pipenv", "pdm", "hatch"}
            and len(argv) > 2
            and argv[1] == "run"
        ):
            argv = [a for a in argv[2:] if a not in {"--no-sync", "--frozen", "--locked"}]
            continue
        if head == "newrelic-admin" and len(argv) > 2:
            argv = argv[2:]
            continue
        if PYTHONS.match(head):
            rest = [a for a in argv[1:] if a not in {"-u", "-O", "-OO", "-B", "-E", "-s", "-I"}]
            if len(rest) >= 2 and rest[0] == "-m":
                module, after = rest[1], rest[2:]
                if module in TOOLS:
                    return [Program(module, after, path, line, where, text)]
                if after and (_looks_like_command(after[0])):
                    argv = after  # an entrypoint module that execs its arguments
                    continue
                return [Program("module", [module, *after], path, line, where, text)]
            if rest and rest[0].endswith(".py"):
                if rest[0].rsplit("/", 1)[-1] == "manage.py" and len(rest) > 1:
                    return [Program("manage", rest[1:], path, line, where, text)]
                return [Program("script", rest, path, line, where, text)]
            return [Program("python", rest, path, line, where, text)]
        if head.endswith(".sh") or (head == "manage.py"):
            if head == "manage.py":
                return [Program("manage", argv[1:], path, line, where, text)]
            return _script(repo, argv, path, line, where, depth)
        if head in {"sh", "bash"} and len(argv) >= 2 and argv[1].endswith(".sh"):
            return _script(repo, argv[1:], path, line, where, depth)
        return [Program(head, argv[1:], path, line, where, text)]
    return []


def _looks_like_command(token: str) -> bool:
    head = token.rsplit("/", 1)[-1]
    return head in TOOLS or bool(PYTHONS.match(head)) or head in WRAPPERS or head.endswith(".sh")


def _chain(
    repo: Repo, script: str, path: str, line: int, where: Where, depth: int
) -> list[Program]:
    programs = []
    parts = [p for p in re.split(r"&&|\|\||;|\n|\|", script) if p.strip()]
    for part in parts:
        for program in split_programs(repo, split_shell(part), path, line, where, depth + 1):
            program.chained = program.chained or len(parts) > 1
            program.text = part.strip()
            programs.append(program)
    return programs


def _script(
    repo: Repo, argv: list[str], path: str, line: int, where: Where, depth: int
) -> list[Program]:
    """A shell script of the repository: each command line in it, at its own line."""
    name = argv[0].rsplit("/", 1)[-1]
    found = [f for f in repo.files if f.rsplit("/", 1)[-1] == name]
    if not found or depth > 2:
        return [Program("script", argv, path, line, where, " ".join(argv))]
    rel = found[0]
    programs: list[Program] = []
    lines = repo.lines(rel)
    commands = [
        (n, text.strip())
        for n, text in enumerate(lines, start=1)
        if text.strip()
        and not text.strip().startswith("#")
        and not re.match(
            r"^(set|if|fi|then|else|elif|do|done|for|while|case|esac|export|echo|cd|trap|wait)\b",
            text.strip(),
        )
    ]
    for number, text in commands:
        words = split_shell(text.replace('"$@"', "").replace("$@", ""))
        for program in split_programs(repo, words, rel, number, where, depth + 1):
            program.chained = len(commands) > 1
            programs.append(program)
    return programs


# --------------------------------------------------------------------------- Dockerfiles


@dataclass
class Image:
    path: str
    stages: list[Stage]
    final: Stage
    env: dict[str, str]
    env_at: dict[str, tuple[str, int]]
    user: Instruction | None
    entrypoint: Instruction | None
    cmd: Instruction | None
    healthcheck: Instruction | None


def _global_args(text: str) -> dict[str, str]:
    """ARG defaults declared before the first FROM (they may name base images)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line.upper().startswith("FROM "):
            break
        m = re.match(r"(?i)ARG\s+(\w+)=(\S+)", line)
        if m:
            out[m.group(1)] = m.group(2).strip("'\"")
    return out


def _substitute(value: str, args: dict[str, str]) -> str:
    for _ in range(3):  # defaults may refer to earlier ones
        value = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), value)
    return value


def read_images(repo: Repo) -> list[Image]:
    images = []
    for rel in repo.dockerfiles:
        text = repo.text(rel) or ""
        stages = parse_dockerfile(text)
        if not stages:
            continue
        args = _global_args(text)
        for stage in stages:
            stage.base = _substitute(stage.base, args)
        chain = _stage_chain(stages, stages[-1])
        env: dict[str, str] = {}
        env_at: dict[str, tuple[str, int]] = {}
        user = entrypoint = cmd = health = None
        for stage in chain:
            for ins in stage.instructions:
                if ins.keyword == "ENV":
                    for k, v in dockerfile_env(ins).items():
                        env[k], env_at[k] = v, (rel, ins.line)
                elif ins.keyword == "USER":
                    user = ins
                elif ins.keyword == "ENTRYPOINT":
                    entrypoint, cmd = ins, None  # ENTRYPOINT resets an inherited CMD
                elif ins.keyword == "CMD":
                    cmd = ins
                elif ins.keyword == "HEALTHCHECK":
                    health = ins
        images.append(Image(rel, stages, stages[-1], env, env_at, user, entrypoint, cmd, health))
    return images


def _stage_chain(stages: list[Stage], stage: Stage) -> list[Stage]:
    """A stage and the earlier stages it is built FROM, oldest first."""
    names = {s.name: s for s in stages if s.name}
    chain = [stage]
    while chain[0].base in names and names[chain[0].base] not in chain:
        chain.insert(0, names[chain[0].base])
    return chain


def image_argv(
    image: Image, command: list[str] | None = None, entrypoint: list[str] | None = None
) -> tuple[list[str], int, bool, str]:
    """The argv the image runs (an orchestrator may replace CMD or ENTRYPOINT), the line to
    point at, whether that instruction is shell form, and its keyword."""
    ep = (
        entrypoint
        if entrypoint is not None
        else (image.entrypoint.argv() if image.entrypoint else [])
    )
    if entrypoint is not None:
        cmd = command or []
    elif command is not None:
        cmd = command
    else:
        cmd = image.cmd.argv() if image.cmd else []
    at = image.cmd or image.entrypoint
    shell = bool(at and at.exec_form() is None) and entrypoint is None and command is None
    if image.entrypoint and image.entrypoint.exec_form() is None and entrypoint is None:
        at, shell = image.entrypoint, True  # a shell-form ENTRYPOINT ignores CMD entirely
        cmd = []
    return [*ep, *cmd], (at.line if at else image.final.line), shell, (at.keyword if at else "CMD")


# --------------------------------------------------------------------------- compose


def _duration(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    total, matched = 0.0, False
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", value):
        matched = True
        total += float(amount) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}[unit]
    return total if matched else None


def _cpus(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        if value.endswith("m") and value[:-1].isdigit():
            return int(value[:-1]) / 1000
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _argv(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return split_shell(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return None


def _compose_env(service: YMap, rel: str) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    env: dict[str, str] = {}
    at: dict[str, tuple[str, int]] = {}
    raw = service.get("environment")
    if isinstance(raw, YMap):
        for k, v in raw.items():
            env[k] = "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
            at[k] = (rel, line_of(raw, k))
    elif isinstance(raw, YList):
        for i, item in enumerate(raw):
            k, _, v = str(item).partition("=")
            env[k], at[k] = v, (rel, line_of(raw, i))
    return env, at


def read_start_commands(repo: Repo, images: list[Image]) -> list[StartCommand]:
    """Every start command of the repository, each with where it runs."""
    out: list[StartCommand] = []
    by_dir = {img.path.rpartition("/")[0]: img for img in images}
    used_images: set[str] = set()

    def add(
        argv: list[str],
        path: str,
        line: int,
        where: Where,
        shell: bool = False,
        keyword: str = "CMD",
    ) -> None:
        cmd = StartCommand(argv, path, line, where, shell, keyword=keyword)
        cmd.programs = split_programs(repo, argv, path, line, where)
        out.append(cmd)

    def from_image(
        img: Image,
        where: Where,
        command: list[str] | None,
        entrypoint: list[str] | None,
        at: tuple[str, int] | None,
    ) -> None:
        used_images.add(img.path)
        where.image = img.path
        argv, line, shell, keyword = image_argv(img, command, entrypoint)
        where.env = {**img.env, **where.env}
        where.env_at = {**img.env_at, **where.env_at}
        path, line = at if at else (img.path, line)
        add(argv, path, line, where, shell and at is None, keyword)

    # compose
    for rel in repo.compose_files:
        docs = load_yaml_docs(repo.text(rel) or "")
        services = docs[0].get("services") if docs and isinstance(docs[0], YMap) else None
        if not isinstance(services, YMap):
            continue
        base = rel.rpartition("/")[0]
        for name, svc in services.items():
            if not isinstance(svc, YMap):
                continue
            env, env_at = _compose_env(svc, rel)
            restart = svc.get("restart")
            deploy = svc.get("deploy") if isinstance(svc.get("deploy"), YMap) else YMap()
            policy = deploy.get("restart_policy")
            limits = (deploy.get("resources") or {}).get("limits") or {}
            where = Where(
                "compose",
                rel,
                line_of(services, name),
                name,
                env,
                env_at,
                grace=_duration(svc.get("stop_grace_period")) or 10.0,
                grace_at=(rel, line_of(svc, "stop_grace_period")),
                restarts=(restart not in (None, "no", False))
                or (isinstance(policy, dict) and policy.get("condition") != "none"),
                cpu_limit=_cpus(limits.get("cpus") if isinstance(limits, dict) else None)
                or _cpus(svc.get("cpus")),
                replicas=int(deploy.get("replicas") or 1)
                if str(deploy.get("replicas") or 1).isdigit()
                else 1,
                dev=is_dev_file(rel),
            )
            command, entrypoint = _argv(svc.get("command")), _argv(svc.get("entrypoint"))
            build = svc.get("build")
            img = None
            if build is not None:
                context = build if isinstance(build, str) else (build.get("context") or ".")
                ctx_dir = _join(base, str(context))
                img = by_dir.get(ctx_dir)
            at_key = (
                "command"
                if command is not None
                else "entrypoint"
                if entrypoint is not None
                else None
            )
            at = (rel, line_of(svc, at_key)) if at_key else None
            if img is not None:
                from_image(img, where, command, entrypoint, at)
            elif at is not None:
                add([*(entrypoint or []), *(command or [])], rel, at[1], where)
    # Kubernetes and Cloud Run
    for rel in repo.yaml_files:
        if rel in repo.compose_files:
            continue
        text = repo.text(rel) or ""
        if "kind:" not in text or "containers" not in text:
            continue
        for doc in load_yaml_docs(text):
            for where, container in _k8s_containers(doc, rel):
                command, args = _argv(container.get("command")), _argv(container.get("args"))
                at_key = "command" if command is not None else "args" if args is not None else None
                at = (rel, line_of(container, at_key)) if at_key else None
                img = _image_for(repo, images, rel)
                if command is None and img is not None:
                    from_image(img, where, args, None, at)
                elif command is not None:
                    add([*command, *(args or [])], rel, at[1] if at else where.line, where)
    # Procfile
    for rel in repo.named(r"^Procfile$"):
        for number, raw in enumerate(repo.lines(rel), start=1):
            name, sep, command = raw.partition(":")
            if sep and command.strip() and not raw.lstrip().startswith("#"):
                where = Where(
                    "procfile",
                    rel,
                    number,
                    name.strip(),
                    restarts=True,
                    grace=30.0,
                    grace_at=(rel, number),
                )
                add(split_shell(command.strip()), rel, number, where)
    # An image no orchestrator file starts still runs its CMD somewhere.
    for img in images:
        if img.path not in used_images:
            where = Where("dockerfile", img.path, img.final.line, dev=is_dev_file(img.path))
            from_image(img, where, None, None, None)
    return out


def _image_for(repo: Repo, images: list[Image], manifest: str) -> Image | None:
    """The image a manifest's container runs, when the manifest only names a registry tag:
    the Dockerfile of the manifest's own project, else the repository's main one."""
    served = [i for i in images if not is_dev_file(i.path)] or images
    root = repo.project_root(manifest)
    for img in served:
        if img.path.rpartition("/")[0] == root:
            return img
    return served[0] if served else None


def _join(base: str, rel: str) -> str:
    parts = [p for p in f"{base}/{rel}".split("/") if p and p != "."]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/".join(out)


def _k8s_containers(doc: Any, rel: str) -> list[tuple[Where, YMap]]:
    if not isinstance(doc, YMap) or not isinstance(doc.get("kind"), str):
        return []
    kind, api = doc["kind"], str(doc.get("apiVersion", ""))
    spec = doc.get("spec") if isinstance(doc.get("spec"), YMap) else None
    if spec is None:
        return []
    cloud_run = kind == "Service" and api.startswith("serving.knative.dev")
    if kind not in WORKLOADS and not cloud_run:
        return []
    pod, replicas = spec, 1
    if kind == "CronJob":
        pod = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
    elif kind != "Pod":
        pod = (spec.get("template") or {}).get("spec")
        replicas = spec.get("replicas", 1) if isinstance(spec.get("replicas", 1), int) else 1
    if not isinstance(pod, YMap):
        return []
    restarts = (
        kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
        or cloud_run
        or (kind == "Pod" and pod.get("restartPolicy", "Always") == "Always")
    )
    grace = 10.0 if cloud_run else float(pod.get("terminationGracePeriodSeconds", 30))
    grace_at = (
        rel,
        line_of(pod, "terminationGracePeriodSeconds")
        if "terminationGracePeriodSeconds" in pod
        else pod.line,
    )
    out = []
    containers = pod.get("containers")
    for container in containers if isinstance(containers, YList) else []:
        if not isinstance(container, YMap):
            continue
        env: dict[str, str] = {}
        env_at: dict[str, tuple[str, int]] = {}
        for i, item in enumerate(container.get("env") or []):
            if isinstance(item, YMap) and "name" in item:
                value = item.get("value")
                env[str(item["name"])] = (
                    "<ref>" if "valueFrom" in item else ("" if value is None else str(value))
                )
                env_at[str(item["name"])] = (rel, line_of(container["env"], i))
        limits = (container.get("resources") or {}).get("limits") or {}
        pre_stop = (container.get("lifecycle") or {}).get("preStop") or {}
        pre_stop_s = 0.0
        if isinstance(pre_stop, dict):
            sleep = pre_stop.get("sleep")
            if isinstance(sleep, dict) and isinstance(sleep.get("seconds"), int):
                pre_stop_s = float(sleep["seconds"])
            exec_cmd = (
                (pre_stop.get("exec") or {}).get("command")
                if isinstance(pre_stop.get("exec"), dict)
                else None
            )
            if isinstance(exec_cmd, list):
                m = re.search(r"sleep\s+(\d+)", " ".join(map(str, exec_cmd)))
                pre_stop_s = float(m.group(1)) if m else pre_stop_s
        where = Where(
            "cloud-run" if cloud_run else "kubernetes",
            rel,
            container.line,
            str(container.get("name", "")),
            env,
            env_at,
            grace=grace - pre_stop_s,
            grace_at=grace_at,
            restarts=restarts,
            cpu_limit=_cpus(limits.get("cpu")) if isinstance(limits, dict) else None,
            replicas=replicas,
            cloud_run=cloud_run,
        )
        out.append((where, container))
    return out
