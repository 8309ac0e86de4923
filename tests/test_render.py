"""Fast tier: render every curated answer set and check the output statically."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from helpers import VENV_BIN, describe, exec_form, final_stage, project_files, run
from matrix import AnswerSet, params

pytestmark = pytest.mark.parametrize("answer_set", params())

Render = Callable[[AnswerSet], Path]

# Files the harness and the contract rely on (contract.md, "Rendered project").
EXPECTED_FILES = [
    "pyproject.toml",
    "Dockerfile",
    ".dockerignore",
    ".env.example",
    ".github/workflows/ci.yml",
    ".pre-commit-config.yaml",
    "README.md",
    ".copier-answers.yml",
]
# `{{`/`{%` that Jinja left behind; `${{ ... }}` is GitHub Actions syntax, not Jinja.
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|%\}")


def deploy_targets(project: Path) -> list[str]:
    return list(yaml.safe_load((project / ".copier-answers.yml").read_text())["deploy_target"])


def test_renders_expected_layout(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    compose = ["compose.yaml"] if "compose" in deploy_targets(project) else []
    expected = [*EXPECTED_FILES, *compose]
    missing = [f for f in expected if not (project / f).is_file()]
    assert not missing, f"missing rendered files: {missing}"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    wrong = {
        key: answers[key]
        for key, value in answer_set.data.items()
        if key in answers and str(answers[key]) != str(value)
    }
    assert not wrong, f"answers file disagrees with the answer set: {wrong}"
    package = str(answers["project_slug"]).replace("-", "_")
    assert (project / "src" / package / "__init__.py").is_file(), f"no package src/{package}"
    assert sorted(p.name for p in (project / "src").iterdir()) == [package]
    assert (project / "tests").is_dir(), "rendered project has no tests/"


def test_no_leftover_jinja(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    problems = []
    for path in project_files(project):
        rel = path.relative_to(project)
        if path.name.endswith(".jinja") or "{{" in str(rel) or "{%" in str(rel):
            problems.append(f"{rel}: unrendered file name")
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if LEFTOVER_JINJA.search(line):
                problems.append(f"{rel}:{number}: {line.strip()}")
    assert not problems, "leftover Jinja:\n" + "\n".join(problems)


def test_ruff_check(rendered: Render, answer_set: AnswerSet) -> None:
    proc = run([str(VENV_BIN / "ruff"), "check", "--no-cache", "."], cwd=rendered(answer_set))
    assert proc.returncode == 0, describe(proc)


def test_ruff_format(rendered: Render, answer_set: AnswerSet) -> None:
    proc = run(
        [str(VENV_BIN / "ruff"), "format", "--check", "--diff", "--no-cache", "."],
        cwd=rendered(answer_set),
    )
    assert proc.returncode == 0, describe(proc)


def test_toml_parses(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    files = [p for p in project_files(project) if p.suffix == ".toml"]
    assert files, "no .toml rendered"
    for path in files:
        try:
            tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            pytest.fail(f"{path.relative_to(project)}: {exc}")


def test_yaml_parses(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    files = [p for p in project_files(project) if p.suffix in {".yml", ".yaml"}]
    assert files, "no YAML rendered"
    for path in files:
        try:
            list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError as exc:
            pytest.fail(f"{path.relative_to(project)}: {exc}")


def test_hadolint(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    assert (project / "Dockerfile").is_file(), "no Dockerfile"
    proc = run([str(VENV_BIN / "hadolint"), "--no-color", "Dockerfile"], cwd=project)
    assert proc.returncode == 0 and not proc.stdout.strip(), describe(proc)


def test_dockerfile_final_stage(rendered: Render, answer_set: AnswerSet) -> None:
    """R10/R24: exec-form CMD (and ENTRYPOINT), HEALTHCHECK, numeric non-root USER."""
    stage = final_stage(rendered(answer_set))
    problems = []
    cmd = stage.last("CMD")
    if exec_form(cmd) is None:
        problems.append(f"CMD must be an exec-form JSON array, got {cmd.args if cmd else None!r}")
    entrypoint = stage.last("ENTRYPOINT")
    if entrypoint is not None and exec_form(entrypoint) is None:
        problems.append(f"ENTRYPOINT must be an exec-form JSON array, got {entrypoint.args!r}")
    healthcheck = stage.last("HEALTHCHECK")
    if healthcheck is None or healthcheck.args.strip().upper() == "NONE":
        problems.append("final stage has no HEALTHCHECK")
    elif "curl" in healthcheck.args or "wget" in healthcheck.args:
        problems.append(f"HEALTHCHECK must not need curl/wget: {healthcheck.args!r}")
    user = stage.last("USER")
    if user is None or not re.fullmatch(r"\d+(:\d+)?", user.args.strip()):
        got = user.args if user else None
        problems.append(f"final USER must be numeric uid[:gid], got {got!r}")
    elif user.args.split(":")[0] == "0":
        problems.append("final USER must not be root (0)")
    assert not problems, "\n".join(problems)


def test_compose_schema(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    if "compose" not in deploy_targets(project):
        pytest.skip("compose is not a deploy target of this set (tests/test_deploy.py)")
    assert (project / "compose.yaml").is_file(), "no compose.yaml"
    proc = run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
         "compose.yaml"],
        cwd=project,
    )  # fmt: skip
    assert proc.returncode == 0, describe(proc)


def test_github_workflows_schema(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    workflows = sorted((project / ".github" / "workflows").glob("*.y*ml"))
    assert workflows, "no GitHub workflow rendered"
    proc = run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *map(str, workflows)],
        cwd=project,
    )  # fmt: skip
    assert proc.returncode == 0, describe(proc)


def test_dockerfile_builds_offline_and_on_older_buildah(
    rendered: Render, answer_set: AnswerSet
) -> None:
    """docs/RULES.md C24: no `# syntax=` directive (BuildKit would fetch that frontend from Docker
    Hub first, failing offline and on mirror-only builders) and absolute `RUN --mount` targets
    (buildah < 1.29 refuses relative ones)."""
    text = (rendered(answer_set) / "Dockerfile").read_text()
    problems = []
    if re.match(r"\s*#\s*syntax\s*=", text, flags=re.IGNORECASE):
        problems.append(f"parser directive {text.splitlines()[0]!r}")
    for target in re.findall(r"--mount=\S*?target=([^,\s]+)", text):
        if not target.startswith("/"):
            problems.append(f"relative --mount target {target!r}")
    assert "--mount=" in text, "the Dockerfile no longer uses build mounts: revisit this test"
    assert not problems, "\n".join(problems)
