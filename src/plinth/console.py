"""Output and exit codes, in one place for every command.

Exit codes: 0 done; 1 refused or failed (a refused answer, an update that left conflicts, a
template that cannot be read); 2 usage (a question left unanswered without a terminal, a bad
option). ``plinth update --check`` exits 0 when the service is current and 1 when an update
exists.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

OK = 0
FAILED = 1
USAGE = 2

out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def fail(message: str, code: int = FAILED, *, as_json: bool = False, **extra: Any) -> NoReturn:
    """Print ``message`` (stderr, or a JSON object on stdout with --json) and exit ``code``."""
    if as_json:
        emit_json({"ok": False, "error": message, **extra})
    else:
        err.print(f"plinth: {message}")
    raise typer.Exit(code)


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")


def is_interactive() -> bool:
    """A person at a terminal: questionary needs both ends to be a TTY."""
    return sys.stdin.isatty() and sys.stdout.isatty()
