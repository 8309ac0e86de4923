"""``plinth fleet``: many services at once, for platform teams.

``fleet status PATH...`` reports, per service, the template version it records and how many
releases it is behind, its answers and where they differ from its preset, and which
template-owned files the team has modified: the recorded version is rendered again with the
recorded answers and compared byte for byte (nf-core's ``files_unchanged``). ``fleet update
PATH...`` runs ``plinth update``'s logic in each and reports updated / conflicts / refused. It
never commits or pushes. Versions, the changelog and the update itself are ``plinth.update``'s.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from copier.errors import CopierError

from plinth import console, presets, update
from plinth.service import ANSWERS_FILE, rendered
from plinth.template import Release, TemplateSource, checked_out, load_releases

FORMAT = "plinth.fleet/1"
# Files a service owns even though the template wrote them first: not "modified" when they differ.
NOT_TEMPLATE_OWNED = {ANSWERS_FILE, str(presets.PRESET_PATH)}

app = typer.Typer(
    help="Status and updates of many generated services at once.", no_args_is_help=True
)


# --------------------------------------------------------------------------- status


@dataclass
class PresetDrift:
    name: str
    differs: dict[str, dict[str, Any]]  # key -> {preset, service, locked}


@dataclass
class ServiceStatus:
    path: str
    name: str | None = None
    src_path: str | None = None
    commit: str | None = None  # the recorded _commit
    version: str | None = None  # the release it is, when releases.yml names it
    latest: str | None = None
    behind: int | None = None  # releases newer than the recorded one
    update_available: bool = False
    answers: dict[str, Any] = field(default_factory=dict)
    preset: PresetDrift | None = None
    modified: list[str] = field(default_factory=list)  # template-owned files the team changed
    deleted: list[str] = field(default_factory=list)  # template-owned files the team removed
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def releases_behind(
    releases: Sequence[Release], version: str | None, commit: str | None, root: Path
) -> int | None:
    """Releases newer than the service's: after its release in releases.yml, else (a service
    generated from an unreleased commit) those the template's git history says it lacks."""
    versions = [r.version for r in releases]
    if version in versions:
        return len(versions) - versions.index(version) - 1
    if not commit or not (root / ".git").exists():
        return None
    resolved = _git(root, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    if resolved.returncode != 0:
        return None
    sha = resolved.stdout.strip()
    return sum(
        _git(root, "merge-base", "--is-ancestor", r.commit, sha).returncode != 0 for r in releases
    )


def preset_drift(project: Path, answers: dict[str, Any]) -> PresetDrift | None:
    preset = presets.read_from(project)
    if preset is None:
        return None
    differs = {
        key: {"preset": value, "service": answers.get(key), "locked": key in preset.locked}
        for key, value in preset.answers.items()
        if answers.get(key) != value
    }
    return PresetDrift(preset.name, differs)


def modified_files(
    project: Path, src: str, commit: str, answers: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Template-owned files that differ from, or are missing against, a render of the recorded
    version with the recorded answers (and the service's preset)."""
    source = TemplateSource(src, commit, "the service's answers file")
    preset = presets.read_from(project)
    modified, deleted = [], []
    with rendered(source, answers, preset) as pristine:
        for path in sorted(p for p in pristine.rglob("*") if p.is_file()):
            rel = str(path.relative_to(pristine))
            if rel in NOT_TEMPLATE_OWNED:
                continue
            mine = project / rel
            if not mine.is_file():
                deleted.append(rel)
            elif mine.read_bytes() != path.read_bytes():
                modified.append(rel)
    return modified, deleted


def status_of(project: Path) -> ServiceStatus:
    status = ServiceStatus(path=str(project))
    try:
        recorded = update.read_answers(project)
        status.src_path = str(recorded.get("_src_path") or "") or None
        status.commit = str(recorded.get("_commit") or "") or None
        status.answers = {k: v for k, v in recorded.items() if not k.startswith("_")}
        status.name = status.answers.get("project_slug")
        plan = update.plan(project)
        status.version = plan.current_version
        with checked_out(TemplateSource(plan.src_path, "HEAD", "the service's _src_path")) as root:
            releases = load_releases(root)
            status.latest = releases[-1].version if releases else None
            status.behind = releases_behind(releases, plan.current_version, status.commit, root)
        # A service generated after the latest release has nothing newer to update to.
        status.update_available = plan.available and status.behind != 0
        status.preset = preset_drift(project, status.answers)
        if status.src_path and status.commit:
            status.modified, status.deleted = modified_files(
                project, status.src_path, status.commit, status.answers
            )
    except (update.UpdateError, presets.PresetError, CopierError, ValueError, OSError) as error:
        status.error = str(error)
    return status


# --------------------------------------------------------------------------- update


@dataclass
class UpdateResult:
    path: str
    outcome: str  # updated | up-to-date | conflicts | refused
    from_version: str | None = None
    to_version: str | None = None
    conflicts: list[str] = field(default_factory=list)
    reason: str | None = None  # why it was refused: dirty, locked, trust, answer, error
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def update_one(project: Path, *, trust: bool = False) -> UpdateResult:
    """``plinth update`` in one service; every way it can end becomes a result, not an exit."""
    result = UpdateResult(path=str(project), outcome="refused")
    try:
        dirty = update.dirty_files(project)
        if dirty:
            result.reason, result.message = "dirty", "uncommitted changes: " + ", ".join(dirty)
            return result
        plan = update.plan(project)
        result.from_version = plan.current_version or plan.current_commit
        result.to_version = plan.target_version or plan.target_ref
        if not plan.available:
            result.outcome = "up-to-date"
            return result
        # A locked answer the service breaks: Copier's validator would refuse it too, after
        # cloning both versions; refused here first, naming the value, the lock and its reason.
        answers = {k: v for k, v in update.read_answers(project).items() if not k.startswith("_")}
        drift = preset_drift(project, answers)
        broken = {k: d for k, d in (drift.differs if drift else {}).items() if d["locked"]}
        if broken:
            preset = presets.read_from(project)
            reasons = preset.locked if preset else {}
            result.reason = "locked"
            result.message = "; ".join(
                f"{key} is {d['service']!r}, the preset locks {d['preset']!r}: {reasons.get(key)}"
                for key, d in broken.items()
            )
            return result
        found = update.apply(project, plan.target_ref, trust=trust)
    except update.TrustRequired as error:
        result.reason, result.message = "trust", str(error)
    except update.UpdateError as error:
        result.reason, result.message = "error", str(error)
    except (ValueError, CopierError) as error:  # a validator refused an answer (a locked one)
        result.reason, result.message = "answer", str(error).strip()
    else:
        result.conflicts = found.files()
        result.outcome = "conflicts" if found else "updated"
    return result


# --------------------------------------------------------------------------- CLI


def service_paths(paths: Sequence[Path], from_file: Path | None) -> list[Path]:
    """The PATH arguments, then the lines of ``--from FILE`` (blank lines and ``#`` comments
    skipped; relative paths are relative to the file)."""
    found = [p.resolve() for p in paths]
    if from_file is not None:
        for line in from_file.read_text().splitlines():
            entry = line.split("#", 1)[0].strip()
            if entry:
                found.append((from_file.parent / entry).resolve())
    if not found:
        console.fail("name at least one service: PATH... or --from FILE", console.USAGE)
    return list(dict.fromkeys(found))


PathsArg = Annotated[list[Path] | None, typer.Argument(help="Service directories.")]
FromOpt = Annotated[
    Path | None, typer.Option("--from", help="A file listing service directories, one a line.")
]


def _short(items: Iterable[str], limit: int = 3) -> str:
    items = list(items)
    more = f" (+{len(items) - limit})" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "-"


def _rows(statuses: Sequence[ServiceStatus]) -> list[list[str]]:
    rows = []
    for s in statuses:
        if s.error:
            rows.append([s.name or s.path, "?", "?", "?", "-", f"error: {s.error}"])
            continue
        drift = "-"
        if s.preset is not None:
            drift = f"{s.preset.name}: " + (_short(s.preset.differs) if s.preset.differs else "ok")
        rows.append([
            s.name or s.path,
            s.version or s.commit or "?",
            "?" if s.behind is None else str(s.behind),
            "yes" if s.update_available else "no",
            drift,
            _short(s.modified + [f"{d} (deleted)" for d in s.deleted]),
        ])  # fmt: skip
    return rows


HEADERS = ["service", "version", "behind", "update", "preset drift", "modified template files"]


def markdown(statuses: Sequence[ServiceStatus], latest: str | None) -> str:
    lines = [
        "# Service fleet",
        "",
        f"Latest plinth release: {latest or 'none recorded'}.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| " + " | ".join("---" for _ in HEADERS) + " |",
    ]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
        for row in _rows(statuses)
    ]
    for s in statuses:
        if s.preset and s.preset.differs:
            lines += ["", f"## {s.name or s.path}: differs from preset {s.preset.name}", ""]
            for key, diff in s.preset.differs.items():
                lock = " (locked)" if diff["locked"] else ""
                lines.append(f"- `{key}`: `{diff['service']}`, preset `{diff['preset']}`{lock}")
    return "\n".join(lines) + "\n"


@app.command("status")
def status(
    paths: PathsArg = None,
    from_file: FromOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
    as_markdown: Annotated[
        bool, typer.Option("--markdown", help="A Markdown report (for a status page).")
    ] = False,
) -> None:
    """Template version, drift from the preset and modified template files of each service."""
    statuses = [status_of(p) for p in service_paths(paths or [], from_file)]
    latest = next((s.latest for s in statuses if s.latest), None)
    if as_json:
        console.emit_json(
            {"format": FORMAT, "latest": latest, "services": [s.as_dict() for s in statuses]}
        )
    elif as_markdown:
        console.out.print(markdown(statuses, latest), end="")
    else:
        from rich.table import Table  # only `fleet status` draws one

        table = Table(title=f"plinth fleet (latest release: {latest or 'none recorded'})")
        for header in HEADERS:
            table.add_column(header)
        for row in _rows(statuses):
            table.add_row(*row)
        console.out.print(table)
    if any(s.error for s in statuses):
        raise typer.Exit(console.FAILED)


@app.command("update")
def update_fleet(
    paths: PathsArg = None,
    from_file: FromOpt = None,
    trust: Annotated[
        bool, typer.Option("--trust", help="Pass --trust to Copier (services before 0.3.0, once).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
) -> None:
    """`plinth update` in each service; never commits or pushes. Exit 1 if any did not update."""
    results = [update_one(p, trust=trust) for p in service_paths(paths or [], from_file)]
    if as_json:
        console.emit_json({"format": FORMAT, "results": [r.as_dict() for r in results]})
    else:
        for r in results:
            line = f"{r.path}: {r.outcome}"
            if r.outcome in {"updated", "conflicts"}:
                line += f" ({r.from_version} -> {r.to_version})"
            if r.conflicts:
                line += "\n  " + "\n  ".join(r.conflicts)
            if r.message:
                line += f" [{r.reason}] {r.message}"
            console.out.print(line)
        if any(r.outcome == "updated" for r in results):
            console.out.print("Review each updated service with `git diff`, run its tests, commit.")
    if any(r.outcome in {"conflicts", "refused"} for r in results):
        raise typer.Exit(console.FAILED)
