"""Updating a generated service: plain functions ``plinth update`` and ``plinth fleet update`` call.

``dirty_files`` (Copier refuses a dirty tree; say which files), ``scan_conflicts`` (Copier exits 0
even when it leaves conflict markers or ``.rej`` files: find every one), ``plan`` (the service's
template version, the latest release and the CHANGELOG entries in between) and ``apply`` (Copier's
``run_update``, with trust only when the caller passes it).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import copier
from copier.errors import UnsafeTemplateError
from packaging.version import InvalidVersion, Version

from plinth.service import ANSWERS_FILE, answers_of
from plinth.template import (
    CHANGELOG_NAME,
    Release,
    TemplateSource,
    checked_out,
    load_releases,
)

# A conflict Copier leaves inline: the opening and the closing marker, each at a line start.
OPENING = re.compile(r"^<{7}( |$)", re.MULTILINE)
CLOSING = re.compile(r"^>{7}( |$)", re.MULTILINE)
# Directories that are not the service's own files (tools' caches, virtualenvs).
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", ".tox", ".nox"}  # fmt: skip
# `## [X.Y.Z] - YYYY-MM-DD`, `## [Unreleased]`, `## Unreleased`: each second-level heading.
HEADING = re.compile(
    r"^## \[?(?P<version>[^\]\s]+)\]?(?:\s*-\s*(?P<date>\S+))?[^\n]*$", re.MULTILINE
)

TRUST_MESSAGE = (
    "Copier refuses this update without trust: the template runs {features}. Copier counts the "
    "tasks of BOTH versions, because it re-renders the version the service was generated from "
    "to compute the diff: copier.yml had a `_tasks` entry (a `uv lock` after copy), so a service "
    "generated from such a version needs trust for one update, even with --skip-tasks (checked "
    "on Copier 9.19), and later updates need none. Read the template's copier.yml (`_tasks`, "
    "`_migrations`), then run `plinth update --trust` (plain Copier: `copier update --trust`)."
)


class UpdateError(Exception):
    """An update that cannot start or did not finish cleanly; the message says what to do."""


class TrustRequired(UpdateError):
    pass


# --------------------------------------------------------------------------- the service's state


def git_output(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise UpdateError(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()}")
    return proc.stdout


def dirty_files(project: Path) -> list[str]:
    """Uncommitted changes and untracked files (``git status --porcelain``); [] when clean.

    Copier refuses to update a dirty tree because it merges through git: uncommitted edits
    could not be told apart from the template's changes, nor restored after a bad merge."""
    if not (project / ".git").exists():
        raise UpdateError(
            f"{project} is not a git repository: Copier updates only git-tracked services "
            "(run `git init && git add -A && git commit -m 'generated'` first)"
        )
    out = git_output(project, "status", "--porcelain", "--untracked-files=all")
    return [line[3:] for line in out.splitlines() if line.strip()]


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.is_dir() and not path.is_symlink():
            if path.name in SKIP_DIRS or (path / "pyvenv.cfg").is_file():
                continue
            yield from _files(path)
        elif path.is_file():
            yield path


@dataclass
class Conflicts:
    markers: list[str] = field(default_factory=list)  # files with inline conflict markers
    rejects: list[str] = field(default_factory=list)  # .rej files Copier left

    def __bool__(self) -> bool:
        return bool(self.markers or self.rejects)

    def files(self) -> list[str]:
        return sorted({*self.markers, *self.rejects})


def scan_conflicts(project: Path) -> Conflicts:
    """Every file of the tree (tool caches and virtualenvs aside) holding a conflict Copier left:
    inline markers (an opening ``<<<<<<<`` and a closing ``>>>>>>>`` line) or a ``.rej`` file."""
    found = Conflicts()
    for path in _files(project):
        rel = str(path.relative_to(project))
        if path.suffix == ".rej":
            found.rejects.append(rel)
            continue
        try:
            text = path.read_text(errors="strict")
        except (UnicodeDecodeError, OSError):
            continue  # binary files carry no inline markers
        if OPENING.search(text) and CLOSING.search(text):
            found.markers.append(rel)
    return found


def read_answers(project: Path) -> dict[str, Any]:
    try:
        return answers_of(project)
    except FileNotFoundError as error:
        raise UpdateError(str(error)) from error


# --------------------------------------------------------------------------- versions, changelog


@dataclass(frozen=True)
class Entry:
    version: str
    date: str
    body: str


def parse_changelog(text: str) -> list[Entry]:
    """``## [X.Y.Z] - YYYY-MM-DD`` sections (and ``## [Unreleased]``), in file order."""
    matches = list(HEADING.finditer(text))
    entries = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        body = text[match.end() : end].strip()
        entries.append(Entry(match["version"], match["date"] or "", body))
    return entries


def _version(text: str | None) -> Version | None:
    if not text:
        return None
    text = text.removeprefix("v")
    if m := re.match(r"^(.+)-(\d+)-g[0-9a-f]+$", text):  # git describe: tag-count-ghash
        text = f"{m[1]}.post{m[2]}"
    try:
        return Version(text)
    except InvalidVersion:
        return None


def release_of(commit: str | None, releases: Sequence[Release]) -> Release | None:
    """The release a recorded ``_commit`` (a tag, a describe string or a hash) belongs to."""
    if not commit:
        return None
    for release in releases:
        if commit.removeprefix("v") == release.version.removeprefix("v"):
            return release
        tail = commit.rsplit("-g", 1)[-1]
        if len(tail) >= 7 and release.commit.startswith(tail):
            return release
    return None


def entries_between(
    entries: Sequence[Entry], old: str | None, new: str | None, *, to_head: bool
) -> list[Entry]:
    """The CHANGELOG entries newer than ``old`` up to ``new`` (all released ones when ``old`` is
    unknown); ``Unreleased`` too when the update goes to the template's HEAD."""
    old_v, new_v = _version(old), _version(new)
    picked = []
    for entry in entries:
        version = _version(entry.version)
        if version is None:
            if to_head and entry.version.lower() == "unreleased":
                picked.append(entry)
            continue
        if old_v is not None and version <= old_v:
            continue
        if new_v is not None and version > new_v:
            continue
        picked.append(entry)
    return picked


@dataclass
class Plan:
    """What an update would do: from which template version to which, and what changed."""

    project: str
    src_path: str
    current_commit: str | None
    current_version: str | None
    target_ref: str  # what Copier is asked to check out (a release commit, a ref, or HEAD)
    target_version: str | None  # the release it is, when releases.yml names it
    target_commit: str | None  # the commit it resolves to
    available: bool
    changelog: list[Entry]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rev(root: Path, ref: str) -> str | None:
    try:
        return git_output(root, "rev-parse", f"{ref}^{{commit}}").strip()
    except UpdateError:
        return None


def plan(project: Path, vcs_ref: str | None = None) -> Plan:
    """Read the service's answers and the template it came from: the latest release (the last
    entry of ``releases.yml``; the template's HEAD while there is none), or ``vcs_ref``."""
    answers = read_answers(project)
    src = answers.get("_src_path")
    if not src:
        raise UpdateError(f"{project / ANSWERS_FILE} records no _src_path: nothing to update from")
    commit = answers.get("_commit")
    head = TemplateSource(str(src), "HEAD", "the service's _src_path")
    try:
        with checked_out(head) as root:
            releases = load_releases(root)
            changelog_path = root / CHANGELOG_NAME
            changelog = changelog_path.read_text() if changelog_path.is_file() else ""
            current = release_of(commit, releases)
            if vcs_ref is None:
                target_ref = releases[-1].commit if releases else "HEAD"
            else:
                target_ref = vcs_ref
            target_commit = _rev(root, target_ref) if (root / ".git").exists() else None
            current_commit = _rev(root, commit.rsplit("-g", 1)[-1]) if commit else None
    except UpdateError:
        raise
    except Exception as error:  # Copier's clone errors vary by transport
        raise UpdateError(f"cannot read the template at {src}: {error}") from error
    target = next(
        (r for r in releases if target_commit and r.commit.startswith(target_commit[:7])), None
    ) or release_of(vcs_ref, releases)
    current_version = current.version if current else (str(_version(commit) or "") or None)
    target_version = target.version if target else None
    to_head = target is None
    available = bool(target_commit and current_commit != target_commit)
    if target_commit is None or current_commit is None:  # no local clone to compare: versions
        available = _version(target_version) != _version(current_version)
    return Plan(
        project=str(project),
        src_path=str(src),
        current_commit=commit,
        current_version=current_version,
        target_ref=target_ref,
        target_version=target_version,
        target_commit=target_commit,
        available=available,
        changelog=entries_between(
            parse_changelog(changelog),
            current.version if current else commit,
            target_version,
            to_head=to_head,
        )
        if available
        else [],
    )


# --------------------------------------------------------------------------- applying it


def apply(
    project: Path,
    vcs_ref: str,
    *,
    trust: bool = False,
    skip_tasks: bool = False,
    data: dict[str, Any] | None = None,
    quiet: bool = True,
) -> Conflicts:
    """``copier update`` to ``vcs_ref``, reusing every recorded answer; then the conflict scan.

    Refuses a dirty tree first (Copier's own refusal does not name the files). Trust is passed
    only when the caller says so; Copier's refusal becomes ``TrustRequired``."""
    dirty = dirty_files(project)
    if dirty:
        raise UpdateError(
            "the working tree has uncommitted changes, and an update merges through git, so "
            "they could not be told apart from the template's changes or restored after a bad "
            "merge. Commit or stash them first:\n  " + "\n  ".join(dirty)
        )
    try:
        copier.run_update(
            str(project),
            data=data or {},
            vcs_ref=vcs_ref,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            unsafe=trust,
            skip_tasks=skip_tasks,
            quiet=quiet,
            conflict="inline",
        )
    except UnsafeTemplateError as error:
        features = str(error).split(":", 1)[1].split(".\n", 1)[0].strip().rstrip(".")
        raise TrustRequired(TRUST_MESSAGE.format(features=features)) from error
    return scan_conflicts(project)


NEXT_STEPS = (
    "Resolve each conflict (keep your code, the template's, or both), delete the .rej files, "
    "then `git add -A && git commit`. To start over: `git reset --hard && git clean -fd`."
)
