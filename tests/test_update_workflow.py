"""The generated `template-update` workflow (scheduled_update=true), run step by step the way
GitHub's runner runs it (bash -eo pipefail, GITHUB_OUTPUT, `if:` on the check's outputs, stop at
the first failing step) against a template repository with release tags and a bare `origin`.
`uvx` stands in for the template's own Copier and `gh` records the pull request it is asked to
open. Its schema is checked with the other workflows (test_render, the matrix has a set with it).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import copier
import pytest
import yaml
from helpers import VENV_BIN, git, render
from history import by_version, commit_all, template_with_history
from matrix import BY_NAME

pytestmark = [pytest.mark.update, pytest.mark.xdist_group("update-workflow")]

WORKFLOW = ".github/workflows/template-update.yml"
ANSWERS = BY_NAME["fleet-fastapi"].data
TEMPLATE_LINE = "Template change released in 0.5.0."
TEAM_LINE = "Owned by the orders team."
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONDITION = re.compile(r"steps\.(\w+)\.outputs\.(\w+) == '([^']*)'")


def release(template: Path, version: str, entry: str) -> None:
    """The release procedure in the test's template copy: a CHANGELOG section, commit, tag."""
    changelog = template / "CHANGELOG.md"
    text = changelog.read_text().replace(
        "## [Unreleased]\n",
        f"## [Unreleased]\n\n## [{version}] - 2026-12-02\n\n### Added\n- {entry}\n",
        1,
    )
    changelog.write_text(text)
    commit_all(template, f"Release {version}")
    git(template, "tag", f"v{version}")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """0.3.0 as recorded, 0.4.0 = the working tree, 0.5.0 = a README change on top."""
    repo = template_with_history(tmp_path_factory.mktemp("workflow") / "plinth")
    git(repo, "tag", "v0.3.0", by_version("0.3.0").commit)
    release(repo, "0.4.0", "Entry of 0.4.0.")
    readme = repo / "template" / "README.md.jinja"
    first, _, rest = readme.read_text().partition("\n")
    readme.write_text(f"{first}\n\n{TEMPLATE_LINE}\n{rest}")
    release(repo, "0.5.0", "Entry of 0.5.0.")
    return repo


def service(template: Path, tmp_path: Path, ref: str) -> Path:
    """A service generated at ``ref`` with the workflow, pushed to a bare origin."""
    project = render(
        template, tmp_path / "service", {**ANSWERS, "scheduled_update": True}, vcs_ref=ref
    )
    assert (project / WORKFLOW).is_file(), "scheduled_update=true rendered no workflow"
    git(project, "init", "-q", "-b", "main")
    commit_all(project, f"generated from {ref}")
    git(tmp_path, "init", "-q", "--bare", "origin.git")
    git(project, "remote", "add", "origin", str(tmp_path / "origin.git"))
    git(project, "push", "-q", "origin", "main")
    return project


@dataclass
class Run:
    steps: dict[str, int | None]  # name -> exit code, None when skipped
    logs: dict[str, str]
    outputs: dict[str, dict[str, str]]
    gh_calls: list[str]


def shims(bin_dir: Path, gh_log: Path) -> None:
    bin_dir.mkdir()
    (bin_dir / "uvx").write_text(
        "#!/bin/sh\n# stands in for `uvx --from SPEC copier ...`: the template's own Copier\n"
        '[ "$1" = "--from" ] && shift 2\n[ "$1" = "copier" ] && shift\n'
        f'exec "{VENV_BIN / "copier"}" "$@"\n'
    )
    (bin_dir / "gh").write_text(
        f'#!/bin/sh\n{{ printf "%s\\n" "$*"; while [ $# -gt 0 ]; do\n'
        f'  [ "$1" = "--body-file" ] && cat "$2"; shift; done; }} >> "{gh_log}"\n'
    )
    for shim in bin_dir.iterdir():
        shim.chmod(0o755)


def run_workflow(project: Path, tmp_path: Path) -> Run:
    job = yaml.safe_load((project / WORKFLOW).read_text())["jobs"]["update"]
    runner_temp, gh_log = tmp_path / "runner", tmp_path / "gh.log"
    runner_temp.mkdir()
    shims(tmp_path / "bin", gh_log)
    base_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTEST_"))},
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(runner_temp),
        **{str(k): str(v) for k, v in job.get("env", {}).items()},
    }
    result = Run({}, {}, {}, [])

    def expand(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            if found := re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+)", expr):
                return result.outputs.get(found[1], {}).get(found[2], "")
            assert expr == "secrets.PLINTH_UPDATE_TOKEN || github.token", expr
            return "test-token"

        return EXPRESSION.sub(one, value)

    for number, step in enumerate(job["steps"]):
        if "run" not in step:
            continue
        name = step["name"]
        if condition := step.get("if"):
            found = CONDITION.fullmatch(condition)
            assert found, f"the test runner does not know the condition {condition!r}"
            if result.outputs.get(found[1], {}).get(found[2]) != found[3]:
                result.steps[name] = None
                continue
        output = tmp_path / f"output-{number}"
        output.write_text("")
        env = {**base_env, "GITHUB_OUTPUT": str(output)}
        env.update({k: expand(str(v)) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=project, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        result.steps[name] = proc.returncode
        result.logs[name] = proc.stdout + proc.stderr
        if "id" in step:
            lines = output.read_text().splitlines()
            result.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        if proc.returncode != 0:
            break
    if gh_log.exists():
        result.gh_calls = [gh_log.read_text()]
    return result


def test_opens_a_pull_request_with_the_changelog_entries_in_between(
    template: Path, tmp_path: Path
) -> None:
    project = service(template, tmp_path, "v0.4.0")
    run = run_workflow(project, tmp_path)

    assert all(code == 0 for code in run.steps.values()), run.logs
    assert run.outputs["check"] == {
        "available": "true",
        "tag": "v0.5.0",
        "from": "0.4.0",
        "to": "0.5.0",
    }
    assert len(run.gh_calls) == 1, run.gh_calls
    call = run.gh_calls[0]
    head = "--head plinth-update/v0.5.0 --title Update plinth from 0.4.0 to 0.5.0"
    assert call.startswith(f"pr create --base main {head}"), call
    assert "## [0.5.0] - 2026-12-02" in call and "Entry of 0.5.0." in call, call
    assert "Entry of 0.4.0." not in call and "## [0.3.0]" not in call, "entries outside the range"

    pushed = git(project, "ls-remote", "--heads", "origin", "plinth-update/v0.5.0")
    assert pushed, "the update branch was not pushed"
    readme = git(project, "show", "origin/plinth-update/v0.5.0:README.md")
    assert TEMPLATE_LINE in readme
    answers = git(project, "show", "origin/plinth-update/v0.5.0:.copier-answers.yml")
    assert "_commit: v0.5.0" in answers, answers
    assert not git(project, "status", "--porcelain"), "the workflow left the tree dirty"


def test_conflicts_fail_the_job_and_open_nothing(template: Path, tmp_path: Path) -> None:
    project = service(template, tmp_path, "v0.4.0")
    readme = project / "README.md"
    first, _, rest = readme.read_text().partition("\n")
    readme.write_text(f"{first}\n\n{TEAM_LINE}\n{rest}")  # where 0.5.0 adds its line
    commit_all(project, "the team's README")

    run = run_workflow(project, tmp_path)
    assert run.steps["Update from the template"] == 0, run.logs
    assert run.steps["Fail on conflicts"] == 1, run.logs
    assert "::error file=README.md::" in run.logs["Fail on conflicts"], run.logs
    assert "Open the pull request" not in run.steps, "a step ran after the failure"
    assert not run.gh_calls, "a pull request was opened for a conflicted update"
    assert not git(project, "ls-remote", "--heads", "origin", "plinth-update/v0.5.0")


def test_up_to_date_service_does_nothing(template: Path, tmp_path: Path) -> None:
    project = service(template, tmp_path, "v0.5.0")
    run = run_workflow(project, tmp_path)
    assert run.outputs["check"] == {"available": "false"}, run.logs
    assert run.steps["Update from the template"] is None
    assert run.steps["Open the pull request"] is None
    assert not run.gh_calls


def test_off_by_default_and_an_existing_service_opts_in(template: Path, tmp_path: Path) -> None:
    """The README's `copier update --data scheduled_update=true` adds it to a service."""
    project = render(template, tmp_path / "service", ANSWERS, vcs_ref="v0.4.0")
    assert not (project / WORKFLOW).exists()
    assert "scheduled_update: false" in (project / ".copier-answers.yml").read_text()
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated from v0.4.0")
    copier.run_update(
        str(project), data={"scheduled_update": True}, vcs_ref="v0.5.0", defaults=True,
        skip_answered=True, overwrite=True, quiet=True,
    )  # fmt: skip
    assert (project / WORKFLOW).is_file()
    assert "scheduled_update: true" in (project / ".copier-answers.yml").read_text()
