"""What a generated service runs, read from its own files: the Dockerfile's ENTRYPOINT and CMD,
its ``serving/concurrency.py`` (the code that computes workers and threads in the container),
and the graceful-shutdown settings of each deploy target."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from plinth import presets
from plinth.template import TemplateSource, run_copy

ANSWERS_FILE = ".copier-answers.yml"


@contextlib.contextmanager
def rendered(
    source: TemplateSource, data: Mapping[str, Any], preset: presets.Preset | None = None
) -> Iterator[Path]:
    """The service ``data`` generates, rendered into a temporary directory removed on exit
    (no tasks run). Raises Copier's errors: a refused answer is a ``ValueError``."""
    with tempfile.TemporaryDirectory(prefix="plinth-preview-") as tmp:
        dst = Path(tmp) / "service"
        if preset is not None:
            presets.store(preset, dst)
        with presets.absent_preset_is_fine():
            run_copy(
                source, dst, data=dict(data), defaults=True, quiet=True, unsafe=True,
                skip_tasks=True,
            )  # fmt: skip
        yield dst


def answers_of(project: Path) -> dict[str, Any]:
    path = project / ANSWERS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: {project} is not a generated service")
    return yaml.safe_load(path.read_text()) or {}


def package_of(project: Path) -> str:
    pyproject = (project / "pyproject.toml").read_text()
    match = re.search(r'^name = "([^"]+)"', pyproject, re.MULTILINE)
    candidates = [p.parent.parent.name for p in (project / "src").glob("*/serving/concurrency.py")]
    if match and match[1].replace("-", "_") in candidates:
        return match[1].replace("-", "_")
    if len(candidates) == 1:
        return candidates[0]
    raise FileNotFoundError(f"{project}/src/<package>/serving/concurrency.py not found")


def container_command(project: Path) -> list[str]:
    """ENTRYPOINT + CMD of the Dockerfile's final stage (exec form)."""
    text = (project / "Dockerfile").read_text()
    final = text[text.rfind("\nFROM ") :]
    found: dict[str, list[str]] = {}
    for keyword in ("ENTRYPOINT", "CMD"):
        for match in re.finditer(rf"^{keyword} (\[.*\])\s*$", final, re.MULTILINE):
            found[keyword] = json.loads(match[1])
    return [*found.get("ENTRYPOINT", []), *found.get("CMD", [])]


def concurrency_module(project: Path) -> ModuleType:
    """The service's own ``serving/concurrency.py``, loaded from its file (stdlib only)."""
    path = project / "src" / package_of(project) / "serving" / "concurrency.py"
    spec = importlib.util.spec_from_file_location(f"plinth_service_concurrency_{id(path)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Counts:
    kind: str
    workers: int
    threads: int
    formula: str
    rules: tuple[str, ...]


FORMULAS = {
    "async": ("C async workers (one event loop each), capped by memory / WORKER_MEMORY_MB",
              ("R7", "R8")),
    "sync": ("2xC+1 sync workers, 1 thread each, capped by memory / WORKER_MEMORY_MB",
             ("R7", "R8")),
    "gthread": ("2xC+1 gthread workers with 4 threads each, capped by memory / WORKER_MEMORY_MB",
                ("R7", "R8")),
    "single": ("1 process per container: scale with replicas, the orchestrator restarts it",
               ("R6",)),
}  # fmt: skip


def counts(project: Path, cpus: int, memory_bytes: int | None) -> Counts:
    """Workers and threads for a CPU quota and memory limit, computed by the service's code with
    an environment that overrides nothing (WEB_CONCURRENCY and WEB_THREADS unset)."""
    module = concurrency_module(project)
    allot = module.Allotment(cpus=max(1, cpus), memory_bytes=memory_bytes)
    kind = module.WORKER_KIND
    formula, rules = FORMULAS[kind]
    if module.CONFIGURED_WORKERS is not None:
        formula = f"{module.CONFIGURED_WORKERS} workers, fixed by the `workers` answer"
        rules = ("R9",)
    return Counts(
        kind=kind,
        workers=module.web_concurrency(env={}, allot=allot),
        threads=module.web_threads(env={}),
        formula=formula,
        rules=rules,
    )


@dataclass(frozen=True)
class Shutdown:
    target: str
    graceful_timeout: int  # seconds the server gives requests in flight
    grace_period: int  # seconds the platform waits after SIGTERM before SIGKILL
    pre_stop: int  # seconds of preStop sleep, counted against the grace period
    source: str  # where the figures come from

    @property
    def fits(self) -> bool:
        return self.pre_stop + self.graceful_timeout < self.grace_period


def _env_value(env: list[dict[str, Any]] | None, name: str) -> str | None:
    for item in env or []:
        if item.get("name") == name and "value" in item:
            return str(item["value"])
    return None


def _seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)(s?)", str(text).strip())
    if not match:
        raise ValueError(f"unrecognised duration {text!r}")
    return int(match[1])


def shutdown(project: Path) -> list[Shutdown]:
    """GRACEFUL_TIMEOUT against each deploy target's grace period, from the rendered files (R10,
    C4). Defaults: the entrypoint's GRACEFUL_TIMEOUT (25 s); compose and Kubernetes send
    SIGKILL 10 s and 30 s after SIGTERM unless told otherwise; Cloud Run after 10 s."""
    entry = (project / "src" / package_of(project) / "serving" / "entrypoint.py").read_text()
    default_timeout = int(re.search(r'"GRACEFUL_TIMEOUT": "(\d+)"', entry)[1])  # type: ignore[index]
    found: list[Shutdown] = []
    compose = project / "compose.yaml"
    if compose.is_file():
        services = (yaml.safe_load(compose.read_text()) or {}).get("services", {})
        web = next((s for s in services.values() if "healthcheck" in s or "ports" in s), {})
        grace = _seconds(web.get("stop_grace_period", "10s"))
        env = web.get("environment") or {}
        timeout = (
            int(env.get("GRACEFUL_TIMEOUT", default_timeout))
            if isinstance(env, dict)
            else (default_timeout)
        )
        found.append(Shutdown("compose", timeout, grace, 0, "compose.yaml stop_grace_period"))
    deployment = project / "deploy" / "kubernetes" / "deployment.yaml"
    if deployment.is_file():
        doc = next(d for d in yaml.safe_load_all(deployment.read_text()) if d)
        spec = doc["spec"]["template"]["spec"]
        container = spec["containers"][0]
        pre_stop = (
            container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        )
        timeout = int(_env_value(container.get("env"), "GRACEFUL_TIMEOUT") or default_timeout)
        grace = int(spec.get("terminationGracePeriodSeconds", 30))
        found.append(
            Shutdown("kubernetes", timeout, grace, int(pre_stop),
                     "deployment.yaml terminationGracePeriodSeconds, preStop")
        )  # fmt: skip
    cloud_run = project / "deploy" / "cloud-run" / "service.yaml"
    if cloud_run.is_file():
        doc = yaml.safe_load(cloud_run.read_text())
        container = doc["spec"]["template"]["spec"]["containers"][0]
        timeout = int(_env_value(container.get("env"), "GRACEFUL_TIMEOUT") or default_timeout)
        found.append(
            Shutdown("cloud-run", timeout, 10, 0, "Cloud Run sends SIGKILL 10 s after SIGTERM")
        )
    return found


@dataclass(frozen=True)
class TargetWorkers:
    """Worker processes one container of a deploy target runs, from its manifest's limits."""

    target: str
    cpus: int
    memory_bytes: int | None
    workers: int
    how: str
    rules: tuple[str, ...]


def _cpus(text: Any) -> int:
    """A Kubernetes/Cloud Run CPU quantity (``500m``, ``2``) rounded up, as R7 does."""
    raw = str(text).strip()
    value = int(raw[:-1]) / 1000 if raw.endswith("m") else float(raw)
    return max(1, math.ceil(value))


def _container_workers(
    target: str, project: Path, container: Mapping[str, Any], module: ModuleType
) -> TargetWorkers:
    limits = (container.get("resources") or {}).get("limits") or {}
    cpus = _cpus(limits.get("cpu", 1))
    memory = parse_size(str(limits["memory"])) if "memory" in limits else None
    env = {e["name"]: e for e in container.get("env") or []}
    override = env.get("WEB_CONCURRENCY")
    if override is not None and "value" in override:
        return TargetWorkers(target, cpus, memory, int(override["value"]),
                             "WEB_CONCURRENCY set in the manifest", ("R9",))  # fmt: skip
    if override is not None:  # the downward API: limits.cpu, rounded up
        return TargetWorkers(target, cpus, memory, cpus,
                             "WEB_CONCURRENCY = limits.cpu rounded up (downward API)",
                             ("R9", "C8"))  # fmt: skip
    allot = module.Allotment(cpus=cpus, memory_bytes=memory)
    workers = module.web_concurrency(env={}, allot=allot)
    how = "serving/concurrency.py on the container's limits"
    return TargetWorkers(target, cpus, memory, workers, how, ("R7", "R8"))


def target_workers(project: Path) -> list[TargetWorkers]:
    """Per Kubernetes / Cloud Run manifest: the workers one container runs under its limits."""
    module = concurrency_module(project)
    found = []
    deployment = project / "deploy" / "kubernetes" / "deployment.yaml"
    if deployment.is_file():
        doc = next(d for d in yaml.safe_load_all(deployment.read_text()) if d)
        container = doc["spec"]["template"]["spec"]["containers"][0]
        found.append(_container_workers("kubernetes", project, container, module))
    cloud_run = project / "deploy" / "cloud-run" / "service.yaml"
    if cloud_run.is_file():
        container = yaml.safe_load(cloud_run.read_text())["spec"]["template"]["spec"]["containers"][
            0
        ]
        found.append(_container_workers("cloud-run", project, container, module))
    return found


def file_tree(project: Path) -> list[str]:
    skip = {".git", ".venv", "__pycache__"}
    return sorted(
        str(p.relative_to(project))
        for p in project.rglob("*")
        if p.is_file() and not skip.intersection(p.relative_to(project).parts)
    )


SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``512M``, ``1Gi``, ``2G``, ``1073741824`` -> bytes (K/M/G/T as powers of 1024, the way
    container limits are usually meant; ``Mi`` and ``M`` alike)."""
    match = SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size such as 512M or 2Gi")
    power = " kmgt".index(match[2].lower() or " ")
    return int(float(match[1]) * 1024**power)
