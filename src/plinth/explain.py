"""``plinth explain``: how a service is served, and why, computed by the service's own code.

``plinth explain PATH`` reads a generated service; ``plinth explain --data KEY=VALUE ...`` renders
that answer set into a temporary directory first; ``plinth explain R7`` prints a rule of
docs/RULES.md.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from copier.errors import CopierError

from plinth import console, service
from plinth.new import parse_data
from plinth.template import TemplateNotFound, checked_out, find_template

RULE_ID = re.compile(r"^[RC]\d+$", re.IGNORECASE)
RULES_PATH = Path("docs") / "RULES.md"


def rule_text(rules_md: str, rule: str) -> str | None:
    """The bullet ``- R7. ...`` (or ``- C4 (...)``) of docs/RULES.md, continuation lines
    included."""
    rule = rule.upper()
    lines = rules_md.splitlines()
    for i, line in enumerate(lines):
        if re.match(rf"^- {rule}\b[.( ]", line):
            block = [line]
            for following in lines[i + 1 :]:
                if following.startswith("  ") and following.strip():
                    block.append(following)
                else:
                    break
            return "\n".join(block)
    return None


@contextlib.contextmanager
def _project(
    path: Path | None, data: list[str] | None, template: str | None
) -> Iterator[tuple[Path, str]]:
    if path is not None:
        yield path, str(path)
        return
    source = find_template(template)
    try:
        with service.rendered(source, parse_data(data or [])) as project:
            yield project, "the answer set given"
    except (ValueError, CopierError) as error:
        console.fail(str(error))


def explain(
    target: Annotated[
        str | None, typer.Argument(help="A service directory, or a rule id such as R7.")
    ] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="An answer, KEY=VALUE (repeatable).")
    ] = None,
    cpus: Annotated[int, typer.Option("--cpus", min=1, help="CPU quota (whole CPUs).")] = 2,
    memory: Annotated[
        str | None, typer.Option("--memory", help="Memory limit, e.g. 512M or 2Gi.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    template: Annotated[
        str | None, typer.Option("--template", help="Template SRC (default: plinth's own).")
    ] = None,
) -> None:
    """Explain a service's process model, CMD, worker counts and shutdown timings."""
    try:
        if target and RULE_ID.match(target) and not Path(target).exists():
            _explain_rule(target, template, as_json)
            return
        memory_bytes = service.parse_size(memory) if memory else None
    except TemplateNotFound as error:
        console.fail(str(error), as_json=as_json)
    except ValueError as error:
        console.fail(str(error), console.USAGE, as_json=as_json)
    path = Path(target) if target else None
    if path is None and not data:
        path = Path.cwd()
    if path is not None and not (path / service.ANSWERS_FILE).is_file():
        console.fail(
            f"{path} has no {service.ANSWERS_FILE}: not a generated service", as_json=as_json
        )
    with _project(path, data, template) as (project, label):
        doc = _facts(project, cpus, memory_bytes)
    doc["service"] = label
    if as_json:
        console.emit_json(doc)
        return
    out = console.out
    a = doc["answers"]
    out.print(f"{label}: {a.get('framework')} on {a.get('server')}")
    out.print(f"CMD  {shlex.join(doc['command'])}")
    c = doc["concurrency"]
    limit = f", {memory} memory" if memory else ", no memory limit"
    out.print(
        f"Processes  {c['kind']} workers: {c['formula']} ({', '.join(c['rules'])})\n"
        f"  with {cpus} CPU{'s' if cpus != 1 else ''}{limit}: {c['workers']} worker(s) x "
        f"{c['threads']} thread(s); WEB_CONCURRENCY / WEB_THREADS override (R9)"
    )
    for s in doc["shutdown"]:
        verdict = "fits" if s["fits"] else "DOES NOT FIT"
        out.print(
            f"Shutdown on {s['target']}  preStop {s['pre_stop']} s + GRACEFUL_TIMEOUT "
            f"{s['graceful_timeout']} s vs SIGKILL after {s['grace_period']} s: {verdict} "
            f"(R10, C4; {s['source']})"
        )


def _facts(project: Path, cpus: int, memory_bytes: int | None) -> dict[str, Any]:
    answers = {k: v for k, v in service.answers_of(project).items() if not k.startswith("_")}
    counts = service.counts(project, cpus, memory_bytes)
    return {
        "answers": answers,
        "command": service.container_command(project),
        "concurrency": {
            "kind": counts.kind,
            "cpus": cpus,
            "memory_bytes": memory_bytes,
            "workers": counts.workers,
            "threads": counts.threads,
            "formula": counts.formula,
            "rules": list(counts.rules),
        },
        "shutdown": [
            {
                "target": s.target,
                "graceful_timeout": s.graceful_timeout,
                "grace_period": s.grace_period,
                "pre_stop": s.pre_stop,
                "fits": s.fits,
                "source": s.source,
            }
            for s in service.shutdown(project)
        ],
    }


def _explain_rule(rule: str, template: str | None, as_json: bool) -> None:
    with checked_out(find_template(template)) as root:
        text = (root / RULES_PATH).read_text()
    found = rule_text(text, rule)
    if found is None:
        console.fail(f"{rule.upper()} is not in docs/RULES.md", as_json=as_json)
    if as_json:
        console.emit_json({"rule": rule.upper(), "text": found})
    else:
        console.out.print(found)
