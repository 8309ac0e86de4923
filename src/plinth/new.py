"""``plinth new``: generate a service with Copier's ``run_copy`` (``plinth.template.run_copy``).

Three ways in, one questionnaire (copier.yml's, run by Copier): ``--yes`` takes the defaults plus
``--data``/``--data-file``/``--preset``; the guided mode (a terminal, no ``--yes``) asks about the
workload, recommends a complete answer set with the rule behind each answer, and either takes it
or hands it to Copier's own prompts as pre-filled defaults; ``--dry-run`` renders into a
temporary directory, prints the plan and writes nothing.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import questionary
import typer
import yaml
from copier.errors import CopierError

from plinth import console, options, presets, service
from plinth.recommend import Recommendation, Workload, format_value, recommend
from plinth.template import (
    Refused,
    TemplateNotFound,
    TemplateSource,
    checked_out,
    find_template,
    load_questions,
    resolve_answers,
    run_copy,
)

OWN_ORIGINS = ("the checkout plinth runs from", "installed from git", "installed from a checkout")


def parse_data(pairs: Sequence[str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            console.fail(f"--data takes KEY=VALUE, got {pair!r}", console.USAGE)
        data[key.strip()] = value
    return data


def read_data_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        console.fail(f"cannot read --data-file {path}: {error}", console.USAGE)
    if not isinstance(loaded, dict):
        console.fail(f"--data-file {path} must be a mapping of question keys to answers")
    return {k: v for k, v in loaded.items() if not str(k).startswith("_")}


def reproduce_command(
    dest: Path, answers: Mapping[str, Any], source: TemplateSource, preset_file: Path | None
) -> str:
    """The one line that generates this exact service again: same template, same commit, every
    answer spelled out."""
    argv = ["plinth", "new", str(dest), "--yes", "--template", source.src]
    if commit := answers.get("_commit"):
        argv += ["--vcs-ref", str(commit)]
    if preset_file is not None:
        argv += ["--preset", str(preset_file)]
    for key, value in answers.items():
        if not key.startswith("_"):
            argv += ["--data", f"{key}={_cli_value(value)}"]
    return shlex.join(argv)


def _cli_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


@contextlib.contextmanager
def _destination(dest: Path, preset: presets.Preset | None) -> Iterator[None]:
    """Hold the preset at its place in ``dest`` while Copier asks (its validators read it), and
    leave nothing behind when Copier refuses or fails."""
    existed = dest.exists()
    if existed and any(dest.iterdir()):
        console.fail(f"{dest} exists and is not empty: pick a new directory")
    written = presets.store(preset, dest) if preset is not None else None
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(dest, ignore_errors=True)
        elif written is not None:
            shutil.rmtree(written.parent, ignore_errors=True)
        raise


# --------------------------------------------------------------------------- guided mode


def _as_list(value: Any) -> list[str]:
    """A multiselect answer from a preset (a list) or --data (``[a, b]`` or ``a``)."""
    if isinstance(value, str):
        value = yaml.safe_load(value) if value.strip().startswith("[") else [value]
    return [str(v) for v in value]


def ask_workload(doc: Mapping[str, Any], fixed: Mapping[str, Any]) -> Workload | None:
    """The guided questions (about the workload, not servers); None when interrupted.

    Where they map onto copier.yml's questions (deploy targets, database), the choices come from
    ``plinth options``' document, and a choice its refusal matrix rules out for the answers so
    far is shown disabled with copier.yml's reason."""
    questions = {q["key"]: q for q in doc["questions"]}
    answers: dict[str, Any] = {}
    handlers = questionary.select(
        "What do the request handlers mostly do?",
        choices=[
            questionary.Choice("Wait on a database or HTTP calls (I/O-bound)", "io"),
            questionary.Choice("Compute (CPU-bound work in the request)", "cpu"),
        ],
    ).ask()
    if handlers is None:
        return None
    answers["handlers"] = handlers
    if "framework" not in fixed:
        batteries = questionary.confirm(
            "Does it need Django's batteries (admin, ORM)?", default=False
        ).ask()
        if batteries is None:
            return None
        answers["batteries"] = batteries
    long_lived = questionary.confirm(
        "Does it hold long-lived connections (WebSockets, streaming)?", default=False
    ).ask()
    jobs = questionary.select(
        "Background jobs?",
        choices=[
            questionary.Choice("None", "none"),
            questionary.Choice("Background tasks", "background"),
            questionary.Choice("Background and scheduled tasks", "scheduled"),
        ],
    ).ask()
    if long_lived is None or jobs is None:
        return None
    answers.update(long_lived=long_lived, jobs=jobs)
    if "deploy_target" in fixed:
        deploy = _as_list(fixed["deploy_target"])
    else:
        deploy = questionary.checkbox(
            "Where does it run? (space to pick, enter to accept)",
            choices=[
                questionary.Choice(c["label"], c["value"], checked=c["value"] == "compose")
                for c in questions["deploy_target"]["choices"]
            ],
            validate=lambda picked: bool(picked) or "pick at least one",
        ).ask()
        if deploy is None:
            return None
    database = fixed.get("database")
    if database is None:
        so_far = {"deploy_target": deploy}
        choices = [
            questionary.Choice(
                c["label"],
                c["value"],
                disabled=options.refusal_for(doc, "database", c["value"], so_far),
            )
            for c in questions["database"]["choices"]
        ]
        enabled = [c.value for c in choices if not c.disabled]
        database = questionary.select(
            "Which database?",
            choices=choices,
            default="postgresql" if "postgresql" in enabled else enabled[0],
        ).ask()
        if database is None:
            return None
    framework = fixed.get("framework")
    return Workload(
        deploy=tuple(deploy),
        database=str(database),
        framework=framework and str(framework),
        **answers,
    )


def show_recommendation(rec: Recommendation, fixed: Mapping[str, Any]) -> None:
    out = console.out
    out.print()
    console.heading("Recommended answers", " (docs/RULES.md ids in brackets)")
    for decision in rec.decisions:
        if decision.key in fixed:
            continue
        out.print(
            f"  {decision.key} = {format_value(decision.value)}"
            f"  {decision.reason} ({', '.join(decision.rules)})"
        )
    for key, value in fixed.items():
        out.print(f"  {key} = {format_value(value)}  (given or locked)")
    out.print()


# --------------------------------------------------------------------------- the command


def new(
    dest: Annotated[
        Path | None, typer.Argument(help="Directory to create (default: ./SLUG).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="No prompts: defaults plus --data/--preset.")
    ] = False,
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="An answer, KEY=VALUE (repeatable).")
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option("--data-file", help="A YAML file of answers.")
    ] = None,
    preset: Annotated[
        Path | None, typer.Option("--preset", help="An organisation preset (presets/*.yml).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print answers, CMD, workers and files; write nothing."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable plan/result.")] = False,
    template: Annotated[
        str | None, typer.Option("--template", help="Template SRC (default: plinth's own).")
    ] = None,
    vcs_ref: Annotated[
        str | None, typer.Option("--vcs-ref", help="Template git ref to render.")
    ] = None,
    trust: Annotated[
        bool, typer.Option("--trust", help="Run another template's tasks (plinth's own: always).")
    ] = False,
) -> None:
    """Generate a service: guided at a terminal, or --yes with --data for scripts."""
    try:
        source = find_template(template).with_ref(vcs_ref)
    except TemplateNotFound as error:
        console.fail(str(error), as_json=as_json)
    with checked_out(source) as root:
        questions = load_questions(root)
    by_key = {q.key: q for q in questions}
    try:
        chosen = presets.load(preset, questions) if preset else None
    except presets.PresetError as error:
        console.fail(str(error), as_json=as_json)
    given = {**(read_data_file(data_file) if data_file else {}), **parse_data(data or [])}
    if unknown := sorted(k for k in given if k not in by_key):
        console.fail(
            f"copier.yml asks no {', '.join(unknown)} (see `plinth options`)",
            console.USAGE, as_json=as_json,
        )  # fmt: skip
    base = {**(chosen.answers if chosen else {}), **given}
    fixed = {**({k: chosen.answers[k] for k in chosen.locked} if chosen else {}), **given}
    interactive = console.is_interactive() and not (yes or dry_run or as_json)

    if not (interactive or yes or dry_run):
        _refuse_unanswered(source, base, chosen, as_json)

    user_defaults: dict[str, Any] | None = None
    if interactive:
        workload = ask_workload(options.document(source), fixed)
        if workload is None:
            console.fail("interrupted; nothing written", console.USAGE)
        rec = recommend(workload)
        show_recommendation(rec, fixed)
        take = questionary.confirm("Generate the service with these answers?", default=True).ask()
        if take is None:
            console.fail("interrupted; nothing written", console.USAGE)
        answers = {**base, **rec.answers, **fixed}
        if take:
            base = answers
        else:  # Copier's own prompts, pre-filled with the recommendation
            user_defaults, base = answers, dict(fixed)
        if dest is None:
            name = questionary.text("Service name:", default="My Service").ask()
            if name is None:
                console.fail("interrupted; nothing written", console.USAGE)
            base.setdefault("project_name", name)
            if user_defaults is not None:
                user_defaults["project_name"] = name

    if dry_run:
        _dry_run(source, base, chosen, as_json)
        return

    if dest is None:
        try:
            resolved = resolve_answers(source, base)
        except Refused as error:
            console.fail(str(error), as_json=as_json)
        dest = Path(resolved.answers["project_slug"])
    dest = dest.resolve()
    unsafe = trust or source.origin in OWN_ORIGINS
    try:
        with _destination(dest, chosen), presets.absent_preset_is_fine():
            run_copy(
                source, dest, data=base, defaults=user_defaults is None,
                user_defaults=user_defaults or {}, unsafe=unsafe, quiet=as_json,
            )  # fmt: skip
    except (ValueError, CopierError) as error:
        console.fail(f"{error}\nNothing was written.", as_json=as_json)
    except KeyboardInterrupt:
        console.fail("interrupted; nothing written", console.USAGE)
    stored = service.answers_of(dest)
    _warn_if_unreproducible(source, stored)
    line = reproduce_command(dest, stored, source, preset.resolve() if preset else None)
    if as_json:
        console.emit_json({"ok": True, "dest": str(dest), "answers": _public(stored),
                           "template": {"src": source.src, "commit": stored.get("_commit")},
                           "reproduce": line})  # fmt: skip
        return
    console.out.print(f"Generated {dest}\nReproduce it with:\n  {line}")


def _warn_if_unreproducible(source: TemplateSource, stored: Mapping[str, Any]) -> None:
    """A checkout with uncommitted changes renders them, but the service then records a commit
    that exists only in Copier's temporary clone: say so, once the service exists."""
    local = source.local_path
    if local is None or not source.is_git or source.vcs_ref not in (None, "HEAD"):
        return
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=local, capture_output=True, text=True, check=False
    )
    if status.stdout.strip():
        console.err.print(
            f"plinth: warning: {local} has uncommitted changes; the service was generated from "
            f"them but records _commit {stored.get('_commit')}, which exists only in Copier's "
            "temporary clone. Commit the template first to get a service that `plinth update` "
            "and the command below can follow."
        )


def _public(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if not k.startswith("_")}


def _refuse_unanswered(
    source: TemplateSource,
    base: Mapping[str, Any],
    chosen: presets.Preset | None,
    as_json: bool,
) -> None:
    """No terminal and no --yes: never wait on a prompt; name what was not answered."""
    try:
        with _preset_dir(chosen) as dst:
            resolved = resolve_answers(source, base, dst=dst)
    except Refused as error:
        console.fail(str(error), as_json=as_json)
    if resolved.unanswered:
        console.fail(
            "no terminal to ask on, and these questions are not answered: "
            f"{', '.join(resolved.unanswered)}. Pass --yes to take their defaults, or answer "
            "them with --data KEY=VALUE / --data-file (see `plinth options`).",
            console.USAGE, as_json=as_json, unanswered=resolved.unanswered,
        )  # fmt: skip


@contextlib.contextmanager
def _preset_dir(chosen: presets.Preset | None) -> Iterator[Path | None]:
    if chosen is None:
        yield None
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plinth-preset-") as tmp:
        presets.store(chosen, Path(tmp))
        yield Path(tmp)


def _dry_run(
    source: TemplateSource,
    base: Mapping[str, Any],
    chosen: presets.Preset | None,
    as_json: bool,
) -> None:
    try:
        with service.rendered(source, base, chosen) as project:
            stored = service.answers_of(project)
            command = service.container_command(project)
            formula = service.FORMULAS[service.concurrency_module(project).WORKER_KIND]
            files = service.file_tree(project)
    except (ValueError, CopierError) as error:
        console.fail(f"{error}\nNothing was written.", as_json=as_json)
    plan = {
        "ok": True,
        "dry_run": True,
        "template": {"src": source.src, "commit": stored.get("_commit")},
        "answers": _public(stored),
        "command": command,
        "workers": {"formula": formula[0], "rules": list(formula[1])},
        "files": files,
    }
    if as_json:
        console.emit_json(plan)
        return
    out = console.out
    console.heading("Answers")
    for key, value in plan["answers"].items():
        out.print(f"  {key}: {format_value(value)}")
    console.heading("CMD", f"  {shlex.join(command)}")
    console.heading("Workers", f"  {formula[0]} ({', '.join(formula[1])})")
    console.heading("Files", f" ({len(files)})")
    for name in files:
        out.print(f"  {name}")
    out.print("Dry run: nothing was written.")
