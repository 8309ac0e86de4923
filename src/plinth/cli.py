"""The ``plinth`` command: composes one module per sub-command over Copier's Python API."""

from __future__ import annotations

from typing import Annotated

import typer

from plinth import __version__, explain, new, options, update_command

app = typer.Typer(
    name="plinth",
    help="Generate production-ready Python backend services and keep them current.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plinth {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Generate production-ready Python backend services and keep them current."""


app.command("new")(new.new)
app.command("options")(options.options)
app.command("explain")(explain.explain)
app.command("update")(update_command.update_service)


def main() -> None:
    app()
