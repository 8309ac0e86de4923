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
# A copy task, as copier.yml had one (a `uv lock`) before 0.3.0: Copier then wants trust.
TASK = '\n_tasks:\n  - command: "true"\n'


def released_template(tmp_path: Path, *, task: bool = False) -> tuple[Path, str]:
    """A snapshot of the working tree whose releases.yml names its own commit as the release
    CHANGELOG.md's newest section is (the repository's release commits are not in a snapshot's
    one-commit history). Returns the template and that release commit. ``task``: that release
    has a copy task."""
    template = snapshot_worktree(tmp_path / "template")
    if task:
        with (template / "copier.yml").open("a") as config:
            config.write(TASK)
        git(template, "commit", "-qam", "a copy task")
    newest = update.parse_changelog((template / "CHANGELOG.md").read_text())
    version = next(e.version for e in newest if e.version[0].isdigit())
    commit = git(template, "rev-parse", "HEAD").strip()
    (template / "releases.yml").write_text(
        f"- version: {version}\n  commit: {commit}\n  date: 2026-12-01\n"
    )
    git(template, "add", "-A")
    git(template, "commit", "-qm", f"releases.yml: {version}")
    return template, commit


def generate(template: Path, commit: str, project: Path, *args: str) -> None:
    made = plinth("new", str(project), "--yes", "--trust", "--vcs-ref", commit,
                  "-d", "uv_lock=false", *args, template=template)  # fmt: skip
    assert made.exit_code == 0, made.output
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    template, commit = released_template(tmp_path, task=True)
    generate(template, commit, tmp_path / "svc")
    return template, tmp_path / "svc"


def release(template: Path, version: str) -> None:
    """A template change on README.md's title line, released as ``version``; the copy task
    goes, as it went in 0.3.0."""
    config = template / "copier.yml"
    config.write_text(config.read_text().replace(TASK, ""))
    readme = template / "template" / "README.md.jinja"
    first, _, rest = readme.read_text().partition("\n")
    readme.write_text(f"{first} (service)\n{rest}")
    changelog = template / "CHANGELOG.md"
    head, _, tail = changelog.read_text().partition("\n## ")
    changelog.write_text(f"{head}\n## [{version}] - 2026-12-01\n\n{CHANGES}\n\n## {tail}")
    git(template, "commit", "-qam", f"release {version}")
    commit = git(template, "rev-parse", "HEAD").strip()
    with (template / "releases.yml").open("a") as releases:
        releases.write(f"- version: {version}\n  commit: {commit}\n  date: 2026-12-01\n")
    git(template, "commit", "-qam", "releases.yml")


def test_check_then_update_with_changelog_dirty_tree_trust_and_conflict(
    service: tuple[Path, Path],
) -> None:
    template, project = service
    current = plinth("update", str(project), "--check")
    assert current.exit_code == 0, current.output
    assert "Up to date" in current.output, current.output

    release(template, "9.0.0")
    check = plinth("update", str(project), "--check", "--json")
    assert check.exit_code == 1, check.output
    plan = json.loads(check.stdout)
    assert plan["available"] and plan["target_version"] == "9.0.0", plan
    assert [e["version"] for e in plan["changelog"]] == ["9.0.0"]
    assert plan["changelog"][0]["body"] == CHANGES

    # The owners edit the line the template changes, and leave a file uncommitted.
    readme = project / "README.md"
    first, _, rest = readme.read_text().partition("\n")
    readme.write_text(f"{first} (edited by its owners)\n{rest}")
    dirty = plinth("update", str(project))
    assert dirty.exit_code == 1 and "uncommitted changes" in dirty.output, dirty.output
    assert "README.md" in dirty.output, dirty.output
    git(project, "commit", "-qam", "owners' title")

    # The new version has no task, but Copier re-renders the old one, which had: trust, once.
    refused = plinth("update", str(project))
    message = " ".join(refused.output.split())
    assert refused.exit_code == 1, message
    assert "without trust" in message and "plinth update --trust" in message, message
    assert "re-renders the version the service was generated from" in message, message
    assert not git(project, "status", "--porcelain").strip()

    result = plinth("update", str(project), "--trust")
    assert result.exit_code == 1, result.output
    assert "9.0.0" in result.output and "a new first paragraph" in result.output, result.output
    assert "conflicts in 1 file(s):\n  README.md\n" in result.output, result.output
    assert "git reset --hard" in result.output, result.output
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


def test_a_release_outside_the_templates_history_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    template = snapshot_worktree(tmp_path / "template")
    (template / "releases.yml").write_text("- version: 9.9.9\n  commit: " + "f" * 40 + "\n")
    git(template, "add", "-A")
    git(template, "commit", "-qm", "a release from another history")
    project = tmp_path / "svc"
    assert plinth("new", str(project), "--yes", "--trust", template=template).exit_code == 0
    result = plinth("update", str(project), "--check")
    assert result.exit_code == 2, result.output
    assert "releases.yml names 9.9.9 at ffffffffffff" in " ".join(result.output.split())


def test_update_outside_a_service_is_refused(tmp_path: Path) -> None:
    result = plinth("update", str(tmp_path))
    assert result.exit_code == 1 and ".copier-answers.yml" in result.output
    assert plinth("update", str(tmp_path), "--check").exit_code == 2


def test_update_data_changes_an_answer_and_copier_yml_enforces_the_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plinth update --data` changes an answer through Copier; a locked one only to the value
    the service's .plinth/preset.yml locks (the platform team changes the lock first)."""
    from helpers import REPO_ROOT

    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    template, commit = released_template(tmp_path)
    project = tmp_path / "svc"
    generate(template, commit, project, "--preset", str(REPO_ROOT / "presets" / "example.yml"))

    refused = plinth("update", str(project), "--trust", "-d", "database=mysql")
    assert refused.exit_code == 1
    assert "preset locks database to postgresql" in " ".join(refused.output.split())
    assert not git(project, "status", "--porcelain").strip()

    lock = project / ".plinth" / "preset.yml"
    lock.write_text(lock.read_text().replace("database: postgresql", "database: mysql"))
    git(project, "commit", "-qam", "platform: this service moves to MySQL")
    moved = plinth("update", str(project), "--trust", "-d", "database=mysql")
    assert moved.exit_code == 0, moved.output
    assert "mysql" in (project / ".env.example").read_text()
    assert "database: mysql" in (project / ".copier-answers.yml").read_text()


def test_a_service_ahead_of_the_latest_release_is_not_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated from a commit after the latest release (the template's HEAD): the latest release
    is behind it, so no update is offered; only an explicit --vcs-ref moves it."""
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    template, _ = released_template(tmp_path)
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nUnreleased line.\n")
    git(template, "commit", "-qam", "a change after the release")
    head = git(template, "rev-parse", "HEAD").strip()
    project = tmp_path / "svc"
    generate(template, head, project)

    checked = plinth("update", str(project), "--check", "--json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["available"] is False, checked.output
    assert "Unreleased line." in (project / "README.md").read_text()
