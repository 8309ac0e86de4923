"""Update smoke: a project rendered from one template tag updates cleanly to the next one,
keeping the user's edits and receiving the template's change."""

from __future__ import annotations

import re
from pathlib import Path

import copier
import pytest
from helpers import GIT_IDENTITY, git, project_files, render, snapshot_worktree
from matrix import BY_NAME

pytestmark = pytest.mark.update

CONFLICT = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


def template_readme(repo: Path) -> Path:
    for name in ("README.md.jinja", "README.md"):
        if (repo / "template" / name).is_file():
            return repo / "template" / name
    pytest.fail("template/README.md(.jinja) is missing: the update smoke edits it")


def test_update_keeps_user_edits_and_brings_template_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in GIT_IDENTITY.items():  # copier commits in the project during update
        monkeypatch.setenv(key, value)
    answers = BY_NAME["defaults"].data

    template = snapshot_worktree(tmp_path / "template")
    git(template, "tag", "v0.0.1")

    project = render(template, tmp_path / "project", answers, vcs_ref="v0.0.1")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "generated from v0.0.1")

    user_line = "Edited by the service's owners after generation."
    with (project / "README.md").open("a") as fh:  # user edits the end...
        fh.write(f"\n{user_line}\n")
    git(project, "commit", "-qam", "user edit")

    template_line = "Template change released in v0.0.2."
    readme = template_readme(template)
    first, _, rest = readme.read_text().partition("\n")  # ...the template edits the top
    readme.write_text(f"{first}\n\n{template_line}\n{rest}")
    git(template, "commit", "-qam", "template change")
    git(template, "tag", "v0.0.2")

    copier.run_update(
        str(project),
        data={"uv_lock": False},
        vcs_ref="v0.0.2",
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
    )

    rejects = [str(p.relative_to(project)) for p in project.rglob("*.rej")]
    assert not rejects, f"update left rejects: {rejects}"
    conflicted = [
        str(p.relative_to(project))
        for p in project_files(project)
        if p.suffix not in {".lock"} and CONFLICT.search(p.read_text(errors="replace"))
    ]
    assert not conflicted, f"update left conflict markers in {conflicted}"
    text = (project / "README.md").read_text()
    assert template_line in text, "the template change did not arrive"
    assert user_line in text, "the user's edit was lost"
    recorded = (project / ".copier-answers.yml").read_text()
    assert "_commit: v0.0.2" in recorded, recorded

    # Apart from the user's edit, the result is what a fresh render of v0.0.2 gives.
    fresh = render(template, tmp_path / "fresh", answers, vcs_ref="v0.0.2")
    ignore = {"README.md", ".copier-answers.yml"}

    def tree(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in project_files(root)
            if str(p.relative_to(root)) not in ignore
        }

    updated, expected = tree(project), tree(fresh)
    assert sorted(updated) == sorted(expected)
    differing = [name for name in expected if updated[name] != expected[name]]
    assert not differing, f"updated project differs from a fresh render in {differing}"
