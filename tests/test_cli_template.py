"""Where plinth finds its template (plinth.template.find_template): --template, PLINTH_TEMPLATE,
the checkout it runs from, and the repository it was installed from (PEP 610)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import plinth
from helpers import REPO_ROOT

from plinth import template


class FakeDistribution:
    def __init__(self, direct_url: dict | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return json.dumps(self.direct_url) if self.direct_url is not None else None


def installed(monkeypatch: pytest.MonkeyPatch, direct_url: dict | None) -> None:
    monkeypatch.setattr(template.metadata, "distribution", lambda _: FakeDistribution(direct_url))


def test_the_checkout_plinth_runs_from_is_the_default() -> None:
    found = template.find_template(env={})
    assert (found.src, found.vcs_ref) == (str(REPO_ROOT), "HEAD")


def test_option_beats_environment_beats_checkout(tmp_path: Path) -> None:
    env = {template.ENV_VAR: "https://example.com/acme/plinth.git@v1.2.0"}
    assert template.find_template(env=env).src == "https://example.com/acme/plinth.git"
    assert template.find_template(env=env).vcs_ref == "v1.2.0"
    assert template.find_template(str(tmp_path), env=env).src == str(tmp_path)
    ssh = template.find_template("git@example.com:acme/plinth.git", env={})
    assert (ssh.src, ssh.vcs_ref) == ("git@example.com:acme/plinth.git", None)


def test_relative_paths_are_recorded_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path.parent)
    assert template.find_template(tmp_path.name, env={}).src == str(tmp_path)


def test_a_git_install_renders_the_commit_it_was_built_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed(monkeypatch, {
        "url": "https://github.com/acme/plinth.git",
        "vcs_info": {"vcs": "git", "commit_id": "0123abcd" * 5, "requested_revision": "main"},
    })  # fmt: skip
    monkeypatch.setattr(template, "CHECKOUT", Path("/nonexistent"))
    found = template.find_template(env={})
    assert found.src == "git+https://github.com/acme/plinth.git"
    assert found.vcs_ref == "0123abcd" * 5 and found.origin == "installed from git"


def test_a_directory_install_renders_that_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, {"url": REPO_ROOT.as_uri(), "dir_info": {}})
    monkeypatch.setattr(template, "CHECKOUT", Path("/nonexistent"))
    assert template.find_template(env={}).src == str(REPO_ROOT)


def test_an_index_install_without_a_template_says_what_to_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed(monkeypatch, None)
    monkeypatch.setattr(template, "CHECKOUT", Path("/nonexistent"))
    with pytest.raises(template.TemplateNotFound, match="--template SRC or set PLINTH_TEMPLATE"):
        template.find_template(env={})


def test_plinth_template_environment_variable_reaches_the_commands(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(template.ENV_VAR, str(template_repo))
    result = plinth("options", "--json")
    assert json.loads(result.stdout)["template"]["src"] == str(template_repo)


def test_new_refuses_a_non_empty_destination(template_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine\n")
    result = plinth("new", str(tmp_path), "--yes", "--trust", template=template_repo)
    assert result.exit_code == 1 and "not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
