"""`plinth doctor [PATH]`: audit a repository's serving setup without running it."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from .model import Severity


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class Level(enum.StrEnum):
    error = "error"
    warning = "warning"
    note = "note"


def main(
    path: Annotated[Path, typer.Argument(help="Repository to audit.")] = Path("."),
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these rules (R7,R8 or R2-R5).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rules.")] = None,
    fail_level: Annotated[
        Level, typer.Option("--fail-level", help="Exit 1 on findings at or above this severity.")
    ] = Level.warning,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Report only findings not in this baseline file."),
    ] = None,
    write: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline", help="Write the current findings to this baseline file and exit 0."
        ),
    ] = None,
    no_ruff: Annotated[
        bool, typer.Option("--no-ruff", help="Do not run ruff's ASYNC rules.")
    ] = False,
) -> None:
    """Audit how a repository serves its app: server command, workers, signals, proxies,
    blocking calls, pools, migrations, Celery, container. Reads files; never imports or runs them.

    Exit codes: 0 clean, 1 findings at or above --fail-level, 2 usage error.
    """
    if not path.is_dir():
        raise typer.BadParameter(f"{path} is not a directory", param_hint="PATH")
    # Imported here, not at the top: `plinth new` loads this module to build the command line
    # and should not pay for the engine.
    from rich.console import Console

    from . import report
    from .engine import audit, expand
    from .suppress import load_baseline, write_baseline

    try:
        selected = expand(select or [])
        ignored = expand(ignore or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--select/--ignore") from exc
    known = None
    if baseline is not None:
        try:
            known = load_baseline(baseline)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise typer.BadParameter(
                f"cannot read {baseline}: {exc}", param_hint="--baseline"
            ) from exc
    result = audit(
        path, select=selected or None, ignore=ignored or None, baseline=known, use_ruff=not no_ruff
    )
    if write is not None:
        from .files import Repo

        write_baseline(Repo(path), result.findings, write)
        typer.echo(f"wrote {len(result.findings)} findings to {write}", err=True)
        raise typer.Exit(0)
    if output_format is Format.text:
        report.text(result, Console(highlight=False))
    else:
        out = {
            Format.json: report.json_report,
            Format.sarif: report.sarif,
            Format.github: report.github,
        }
        sys.stdout.write(out[output_format](result) + "\n")
    threshold = Severity.parse(fail_level.value)
    raise typer.Exit(1 if any(f.severity >= threshold for f in result.findings) else 0)
