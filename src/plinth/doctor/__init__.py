"""`plinth doctor`: a static audit of how a repository serves its Python app, against the
rulebook (docs/RULES.md). It parses files and never imports or runs the audited code."""

from .cli import main
from .engine import Result, audit

__all__ = ["Result", "audit", "main"]
