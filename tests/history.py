"""The template's release history for the update tests: releases.yml, a template repository that
holds every release's commit with the working tree on top, services rendered at a release, and
what an update left behind (conflicts, rejects, the tree)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import copier
import yaml
from helpers import REPO_ROOT, git, project_files, snapshot_worktree

ANSWERS_FILE = ".copier-answers.yml"
# Copier's inline conflict markers ("<<<<<<< before updating", ">>>>>>> after updating").
CONFLICT = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)


@dataclass(frozen=True)
class Release:
    version: str
    commit: str
    date: date

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


@cache
def releases() -> tuple[Release, ...]:
    rows = yaml.safe_load((REPO_ROOT / "releases.yml").read_text())
    return tuple(Release(str(r["version"]), str(r["commit"]), r["date"]) for r in rows)


def by_version(version: str) -> Release:
    return next(r for r in releases() if r.version == version)


def copier_config(commit: str) -> dict[str, Any]:
    """copier.yml as it was at ``commit`` of this repository."""
    return yaml.safe_load(git(REPO_ROOT, "show", f"{commit}:copier.yml"))


def needs_trust(commit: str) -> bool:
    """Whether Copier calls the template at ``commit`` unsafe (it has tasks or migrations)."""
    config = copier_config(commit)
    return bool(config.get("_tasks") or config.get("_migrations"))


def template_with_history(dst: Path) -> Path:
    """A clone of this repository (every release commit, no tags) whose HEAD is a commit of the
    working tree on top of the checked-out commit, so updates go from a real old release to what
    is on disk. Fails with the fix when the clone is shallow and lacks a release."""
    for release in releases():
        try:
            git(REPO_ROOT, "cat-file", "-e", f"{release.commit}^{{commit}}")
        except RuntimeError:
            raise RuntimeError(
                f"releases.yml names {release.version} = {release.commit}, which this clone lacks: "
                "the update tests need the full history (git fetch --unshallow)"
            ) from None
    snapshot = snapshot_worktree(dst.with_name(dst.name + "-snapshot"))
    git(dst.parent, "clone", "-q", "--no-tags", "--no-checkout", str(REPO_ROOT), str(dst))
    git(dst, "fetch", "-q", str(snapshot), "main")
    tree = git(dst, "rev-parse", "FETCH_HEAD^{tree}").strip()
    parent = git(REPO_ROOT, "rev-parse", "HEAD").strip()
    head = git(dst, "commit-tree", tree, "-p", parent, "-m", "working tree").strip()
    git(dst, "checkout", "-q", "-B", "main", head)
    shutil.rmtree(snapshot)
    return dst


def render_at(template: Path, dst: Path, ref: str, answers: dict[str, Any]) -> Path:
    """Render ``template`` at ``ref`` and commit it as a service's first commit. Releases up to
    0.2.0 carry the `uv lock` copy task: trusted, with the task switched off."""
    copier.run_copy(
        str(template), str(dst), data={"uv_lock": False, **answers}, defaults=True,
        unsafe=needs_trust(git(template, "rev-parse", ref).strip()), vcs_ref=ref, quiet=True,
    )  # fmt: skip
    git(dst, "init", "-q", "-b", "main")
    commit_all(dst, f"generated from {ref}")
    return dst


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", message)


def update(project: Path, ref: str, *, trust: bool = False) -> None:
    """`copier update --defaults --skip-answered --vcs-ref REF`: Renovate's flags."""
    copier.run_update(
        str(project), vcs_ref=ref, defaults=True, skip_answered=True, overwrite=True,
        unsafe=trust, quiet=True,
    )  # fmt: skip


def conflicts(project: Path) -> list[str]:
    """Files an update left a `.rej` for or conflict markers in."""
    found = []
    for path in project_files(project):
        rel = str(path.relative_to(project))
        if path.suffix == ".rej" or CONFLICT.search(path.read_text(errors="replace")):
            found.append(rel.removesuffix(".rej"))
    return sorted(set(found))


def tree(root: Path, *, ignore: frozenset[str] = frozenset({ANSWERS_FILE})) -> dict[str, bytes]:
    return {
        rel: path.read_bytes()
        for path in project_files(root)
        if (rel := str(path.relative_to(root))) not in ignore
    }


def recorded_answers(project: Path) -> dict[str, Any]:
    """The answers a service records, without Copier's own `_` keys."""
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    return {k: v for k, v in answers.items() if not k.startswith("_")}


def snapshot_without_releases(dst: Path) -> Path:
    """A snapshot of the working tree as a template that has made no release yet (no
    releases.yml, a CHANGELOG with only `## [Unreleased]`): updates go to its HEAD, and a test
    can record releases of its own. The snapshot lacks the history releases.yml names."""
    template = snapshot_worktree(dst)
    (template / "releases.yml").unlink(missing_ok=True)
    (template / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "a template with no release yet")
    return template
