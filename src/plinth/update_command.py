"""``plinth update``: ``copier update`` for a service, refusing a dirty tree and failing on any
conflict Copier leaves (Copier itself exits 0 then). The logic lives in ``plinth.update``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from copier.errors import CopierError

from plinth import console, update


def update_service(
    path: Annotated[Path, typer.Argument(help="The service to update.")] = Path("."),
    vcs_ref: Annotated[
        str | None, typer.Option("--vcs-ref", help="Template version (default: the latest).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if an update exists, 0 if current.")
    ] = False,
    trust: Annotated[
        bool, typer.Option("--trust", help="Let Copier run the template's tasks and migrations.")
    ] = False,
    skip_tasks: Annotated[bool, typer.Option("--skip-tasks", help="Run no template task.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Pull later template versions into a service."""
    project = path.resolve()
    try:
        plan = update.plan(project, vcs_ref)
    except update.UpdateError as error:
        console.fail(str(error), console.USAGE if check else console.FAILED, as_json=as_json)
    if check:
        if as_json:
            console.emit_json({"ok": True, **plan.as_dict()})
        else:
            _print_plan(plan)
        raise typer.Exit(console.FAILED if plan.available else console.OK)
    if not plan.available:
        if as_json:
            console.emit_json({"ok": True, "updated": False, **plan.as_dict()})
        else:
            console.out.print(
                f"{project} is up to date ({plan.current_version or plan.current_commit})."
            )
        return
    if not as_json:
        _print_plan(plan)
    try:
        conflicts = update.apply(project, plan.target_ref, trust=trust, skip_tasks=skip_tasks)
    except update.UpdateError as error:
        console.fail(str(error), as_json=as_json, **plan.as_dict())
    except (ValueError, CopierError) as error:
        console.fail(f"Copier stopped the update: {error}", as_json=as_json)
    if conflicts:
        listing = "\n  ".join(conflicts.files())
        console.fail(
            f"the update left conflicts in {len(conflicts.files())} file(s):\n  {listing}\n"
            + update.NEXT_STEPS,
            as_json=as_json, conflicts=conflicts.files(), **plan.as_dict(),
        )  # fmt: skip
    if as_json:
        console.emit_json({"ok": True, "updated": True, **plan.as_dict()})
    else:
        console.out.print(
            "Updated with no conflicts. Review with `git diff`, run the tests, then commit."
        )


def _print_plan(plan: update.Plan) -> None:
    out = console.out
    current = plan.current_version or plan.current_commit or "unknown"
    target = plan.target_version or plan.target_ref
    if not plan.available:
        out.print(f"Up to date: {current}.")
        return
    out.print(f"Update available: {current} -> {target} ({plan.src_path})")
    for entry in plan.changelog:
        out.print(f"\n## {entry.version} {entry.date}\n{entry.body}")
