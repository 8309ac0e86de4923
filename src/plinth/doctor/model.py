"""What a finding is, and the rules a finding can cite (ids of docs/RULES.md)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered: a `--fail-level` fails on findings at or above it."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value.upper()]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity


def _rules(*rows: tuple[str, str, Severity]) -> dict[str, Rule]:
    return {rid: Rule(rid, title, sev) for rid, title, sev in rows}


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE
# Every id here is a heading of docs/RULES.md (tests/test_doctor.py checks it).
RULES: dict[str, Rule] = _rules(
    ("R2", "ASGI app behind a server that cannot serve ASGI", E),
    ("R3", "WSGI app behind an ASGI-only server", E),
    ("R4", "Development server or auto-reload in a production command", E),
    ("R5", "Deprecated uvicorn worker or uvicorn without [standard]", W),
    ("R6", "No supervisor and no orchestrator restart", W),
    ("R7", "Worker count hard-coded or from the host's CPU count", W),
    ("R8", "Worker count above the formula for the container's CPU limit", W),
    ("R9", "Worker override set in a variable the server ignores", W),
    ("R10", "Signals and graceful shutdown", W),
    ("R11", "Forwarded headers trusted from any address", E),
    ("R12", "Blocking call on the event loop", E),
    ("R13", "Thread-pool size set outside the lifespan", W),
    ("R15", "HTTP client created per request or at import", W),
    ("R16", "Startup hook or pool outside one lifespan", W),
    ("R17", "Sync database driver under an async framework", E),
    ("R19", "Migrations in the app's start command", W),
    ("R20", "Celery may lose or hoard tasks", W),
    ("R21", "Redis broker without an explicit visibility timeout", W),
    ("R22", "More than one Celery beat", E),
    ("R24", "Container runs as root or has no health check", W),
    ("R25", "Secret in the image or the repository", E),
    ("C21", "Suppression without a reason", W),
)


@dataclass(frozen=True)
class Finding:
    """One rule broken at one place. ``path`` is relative to the audited root (POSIX)."""

    rule: str
    path: str
    line: int
    message: str
    fix: str
    severity: Severity = field(default=Severity.WARNING)
    source: str = "plinth"  # or "ruff" for findings mapped from ruff's ASYNC rules

    @property
    def title(self) -> str:
        return RULES[self.rule].title

    def sort_key(self) -> tuple[int, str, int, str]:
        return (-self.severity, self.path, self.line, self.rule)


def finding(
    rule: str,
    path: str,
    line: int,
    message: str,
    fix: str,
    *,
    source: str = "plinth",
    severity: Severity | None = None,
) -> Finding:
    """A finding at the rule's default severity unless told otherwise."""
    return Finding(rule, path, line, message, fix, severity or RULES[rule].severity, source)
