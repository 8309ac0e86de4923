"""Helpers for the CLI tests: run ``plinth`` in-process with Typer's CliRunner against a
snapshot of the working tree."""

from __future__ import annotations

from pathlib import Path

import yaml
from helpers import REPO_ROOT
from typer.testing import CliRunner, Result

from plinth.cli import app

runner = CliRunner()


def plinth(*args: str, template: Path | None = None, stdin: str | None = None) -> Result:
    """``plinth ARGS``; ``template`` is passed as ``--template`` to commands that take one."""
    argv = list(args)
    if template is not None:
        argv += ["--template", str(template)]
    return runner.invoke(app, argv, input=stdin, catch_exceptions=False)


def copier_questions() -> dict[str, dict]:
    """The asked questions of copier.yml as YAML sees them (no plinth code involved)."""
    raw = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    return {
        key: value
        for key, value in raw.items()
        if not key.startswith("_") and isinstance(value, dict) and value.get("when") is not False
    }
