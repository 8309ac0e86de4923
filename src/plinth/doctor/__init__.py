"""`plinth doctor`: a static audit of how a repository serves its Python app, against the
rulebook (docs/RULES.md). It parses files and never imports or runs the audited code.

The engine is imported on first use, so the other commands (`plinth new`) do not load it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cli import main

if TYPE_CHECKING:
    from .engine import Result, audit

__all__ = ["Result", "audit", "main"]


def __getattr__(name: str) -> Any:
    if name in ("Result", "audit"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
