"""From what a service's handlers do to a complete answer set, with the rule behind each answer.

The guided ``plinth new`` asks about the workload, not about servers; ``recommend`` turns those
answers into copier.yml answers. Rule ids are docs/RULES.md's. Copier still validates the result:
this module only picks, copier.yml refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Handlers = Literal["io", "cpu"]
Jobs = Literal["none", "background", "scheduled"]


@dataclass(frozen=True)
class Workload:
    """The guided questions' answers."""

    handlers: Handlers = "io"  # mostly waiting on a database or HTTP calls, or computing
    batteries: bool = False  # needs Django's admin and ORM
    long_lived: bool = False  # WebSockets, streaming responses, server-sent events
    jobs: Jobs = "none"  # background tasks; scheduled ones too
    deploy: tuple[str, ...] = ("compose",)
    database: str = "postgresql"


@dataclass(frozen=True)
class Decision:
    key: str
    value: Any
    reason: str
    rules: tuple[str, ...]

    def line(self) -> str:
        return f"{self.key} = {format_value(self.value)}: {self.reason} ({', '.join(self.rules)})"


@dataclass
class Recommendation:
    answers: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)

    def decide(self, key: str, value: Any, reason: str, *rules: str) -> None:
        self.answers[key] = value
        self.decisions.append(Decision(key, value, reason, rules))


def format_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _framework(w: Workload, rec: Recommendation) -> str:
    if w.batteries:
        rec.decide(
            "framework", "django",
            "the admin and the ORM come with Django; it serves WSGI or ASGI, the server decides",
            "R1",
        )  # fmt: skip
    elif w.handlers == "cpu" and not w.long_lived:
        rec.decide(
            "framework", "flask",
            "CPU-bound handlers are plain sync code: a WSGI app, with no event loop to block",
            "R1", "R12",
        )  # fmt: skip
    else:
        why = (
            "WebSockets and streaming need an ASGI app"
            if w.long_lived
            else "I/O-bound handlers await the database and HTTP calls on one event loop"
        )
        rec.decide("framework", "fastapi", why, "R1", "R12", "R15")
    return rec.answers["framework"]


def _server(w: Workload, framework: str, rec: Recommendation) -> None:
    wsgi_capable = framework in {"flask", "django"}
    if w.long_lived or not wsgi_capable:
        reason = (
            "long-lived connections need async workers: gunicorn supervising uvicorn workers, "
            "C per container"
            if w.long_lived
            else "async workers, C per container, supervised by gunicorn's arbiter"
        )
        rules = ["R2", "R6", "R8"]
        if w.handlers == "cpu":
            reason += "; CPU-bound work must leave the event loop: run it in Celery"
            rules.append("R14")
        rec.decide("server", "gunicorn-uvicorn", reason, *rules)
    elif w.handlers == "cpu":
        rec.decide(
            "server", "gunicorn",
            "CPU-bound requests: sync gunicorn workers, 2xC+1; heavy work belongs in Celery",
            "R8", "R14",
        )  # fmt: skip
    else:
        rec.decide(
            "server", "gunicorn",
            f"{framework}'s handlers are sync and mostly wait: gthread workers, 2xC+1 with "
            "4 threads each",
            "R3", "R8", "R12",
        )  # fmt: skip
    rec.decide(
        "workload", w.handlers,
        "picks the WSGI worker class (gthread for I/O, sync for CPU) and the README's advice",
        "R8", "R12",
    )  # fmt: skip
    rec.decide(
        "workers", "auto",
        "computed at start from the container's CPU quota and memory limit; WEB_CONCURRENCY "
        "overrides",
        "R7", "R8", "R9",
    )  # fmt: skip


def _deploy(w: Workload, rec: Recommendation) -> None:
    rec.decide(
        "deploy_target", list(w.deploy) or ["compose"],
        "where it runs; graceful shutdown fits each target's grace period",
        "R10",
    )  # fmt: skip
    single_host = set(rec.answers["deploy_target"]) <= {"compose"}
    if w.database == "sqlite" and not single_host:
        rec.decide(
            "database", "postgresql",
            "SQLite keeps data on one host's disk; every pod or instance would get its own",
            "R16", "R17",
        )  # fmt: skip
    else:
        rec.decide("database", w.database, "the database you named", "R16", "R17")


def _jobs(w: Workload, rec: Recommendation) -> None:
    if w.jobs == "none":
        rec.decide("task_queue", "none", "no background work: a web-only service", "R14")
        return
    if "cloud-run" in rec.answers["deploy_target"]:
        rec.decide(
            "task_queue", "none",
            "Cloud Run serves HTTP only and has no place for a Celery worker: deploy to "
            "compose or kubernetes (without cloud-run) to run jobs in Celery",
            "R14",
        )  # fmt: skip
        return
    rec.decide(
        "task_queue", "celery",
        "background work leaves the web process, with late acks and retries",
        "R14", "R20",
    )  # fmt: skip
    rec.decide(
        "broker", "redis",
        "one Redis for tasks and results, with an explicit visibility timeout",
        "R21",
    )  # fmt: skip
    rec.decide("result_backend", "redis", "task states for GET /tasks/{id}", "R21")
    rec.decide(
        "celery_beat", w.jobs == "scheduled",
        "scheduled jobs need exactly one beat process" if w.jobs == "scheduled"
        else "no scheduled jobs, no beat",
        "R22",
    )  # fmt: skip
    rec.decide("flower", False, "optional monitoring UI; add it when someone will watch it", "R22")


def recommend(workload: Workload) -> Recommendation:
    """The answer set for ``workload``, one decision per answer, each with its rule ids."""
    rec = Recommendation()
    framework = _framework(workload, rec)
    _server(workload, framework, rec)
    _deploy(workload, rec)
    _jobs(workload, rec)
    return rec


def rules_cited(decisions: Sequence[Decision]) -> set[str]:
    return {rule for d in decisions for rule in d.rules}
