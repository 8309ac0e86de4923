"""``plinth update`` through CliRunner: --check, the CHANGELOG between versions, a dirty tree,
the trust refusal, and a seeded conflict that Copier leaves with exit 0 and plinth reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import plinth
from helpers import GIT_IDENTITY, git, snapshot_worktree

from plinth import update

CHANGES = "### Changed\n- README: a new first paragraph."


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    template = snapshot_worktree(tmp_path / "template")
    project = tmp_path / "svc"
    made = plinth("new", str(project), "--yes", "--trust", "-d", "uv_lock=false",
                  template=template)  # fmt: skip
    assert made.exit_code == 0, made.output
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return template, project


def release(template: Path, version: str) -> None:
    """A template change on README.md's title line, released as ``version``."""
    readme = template / "template" / "README.md.jinja"
    first, _, rest = readme.read_text().partition("\n")
    readme.write_text(f"{first} (service)\n{rest}")
    changelog = template / "CHANGELOG.md"
    head, _, tail = changelog.read_text().partition("\n## ")
    changelog.write_text(f"{head}\n## [{version}] - 2026-12-01\n\n{CHANGES}\n\n## {tail}")
    git(template, "commit", "-qam", f"release {version}")
    commit = git(template, "rev-parse", "HEAD").strip()
    (template / "releases.yml").write_text(
        f"- version: {version}\n  commit: {commit}\n  date: 2026-12-01\n"
    )
    git(template, "add", "releases.yml")
    git(template, "commit", "-qm", "releases.yml")


def test_check_then_update_with_changelog_dirty_tree_trust_and_conflict(
    service: tuple[Path, Path],
) -> None:
    template, project = service
    current = plinth("update", str(project), "--check")
    assert current.exit_code == 0, current.output
    assert "Up to date" in current.output

    release(template, "0.2.0")
    check = plinth("update", str(project), "--check", "--json")
    assert check.exit_code == 1, check.output
    plan = json.loads(check.stdout)
    assert plan["available"] and plan["target_version"] == "0.2.0"
    assert [e["version"] for e in plan["changelog"]] == ["0.2.0"]
    assert plan["changelog"][0]["body"] == CHANGES

    # The owners edit the line the template changes, and leave a file uncommitted.
    readme = project / "README.md"
    first, _, rest = readme.read_text().partition("\n")
    readme.write_text(f"{first} (edited by its owners)\n{rest}")
    dirty = plinth("update", str(project))
    assert dirty.exit_code == 1 and "uncommitted changes" in dirty.output
    assert "README.md" in dirty.output
    git(project, "commit", "-qam", "owners' title")

    if "_tasks" in (template / "copier.yml").read_text():
        refused = plinth("update", str(project))
        assert refused.exit_code == 1
        message = " ".join(refused.output.split())
        assert "without trust" in message and "plinth update --trust" in message
        assert "re-renders the version the service was generated from" in message
        assert not git(project, "status", "--porcelain").strip()

    result = plinth("update", str(project), "--trust")
    assert result.exit_code == 1, result.output
    assert "0.2.0" in result.output and "a new first paragraph" in result.output
    assert "conflicts in 1 file(s):\n  README.md\n" in result.output
    assert "git reset --hard" in result.output
    assert update.scan_conflicts(project).markers == ["README.md"]


def test_conflict_scan_covers_the_whole_tree(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "app.py").write_text(
        "<<<<<<< before\nx\n=======\ny\n>>>>>>> after\n"
    )
    (tmp_path / "settings.py.rej").write_text("@@ hunk\n")
    (tmp_path / "docs.md").write_text("Title\n=======\n")  # a heading underline is no conflict
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.py").write_text("<<<<<<< a\n>>>>>>> b\n")
    found = update.scan_conflicts(tmp_path)
    assert found.markers == ["deep/er/app.py"] and found.rejects == ["settings.py.rej"]


def test_changelog_entries_between_versions() -> None:
    text = "# Changelog\n\n## [Unreleased]\n- next\n\n## [0.3.0] - 2026-12-03\n- c\n\n" \
        "## [0.2.0] - 2026-12-02\n- b\n\n## [0.1.0] - 2026-12-01\n- a\n"  # fmt: skip
    entries = update.parse_changelog(text)
    assert [e.version for e in update.entries_between(entries, "0.1.0", "0.3.0", to_head=False)] \
        == ["0.3.0", "0.2.0"]  # fmt: skip
    assert [e.version for e in update.entries_between(entries, "v0.2.0", None, to_head=True)] == [
        "Unreleased", "0.3.0"]  # fmt: skip
    assert update.entries_between(entries, "0.3.0", "0.3.0", to_head=False) == []


def test_update_outside_a_service_is_refused(tmp_path: Path) -> None:
    result = plinth("update", str(tmp_path))
    assert result.exit_code == 1 and ".copier-answers.yml" in result.output
    assert plinth("update", str(tmp_path), "--check").exit_code == 2
