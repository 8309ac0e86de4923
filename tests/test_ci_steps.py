"""Run what a generated repository runs: its CI workflow's steps and its README's commands.

A step added to `.github/workflows/ci.yml` or a command added to the README is run here without
anyone remembering to: every `run:` step runs as GitHub runs it (`bash -eo pipefail`), with the
job's environment and its database service replaced by the real one on this machine. A `uses:`
step is either done here by its equivalent (hadolint) or named in `ACTIONS_NOT_RUN` with the
reason; a README command that is not run is named in `README_NOT_RUN`. Anything else fails.

Tiers: the fast tier checks every answer set's workflow and README against those lists and
type-checks one set per framework; the deep tier runs everything for `CI_SETS` (every deep set
plus the sets that complete each framework's servers, databases and task queues), so mypy strict
sees every framework x server pair.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import (
    IN_CI,
    VENV_BIN,
    child_env,
    database_url_scheme,
    describe,
    fresh_database,
    run,
    with_scheme,
)
from matrix import CI_SETS, AnswerSet, params, tagged

Project = Callable[[AnswerSet], Path]

# Actions that cannot run here, each with the reason and what covers it instead.
ACTIONS_NOT_RUN: dict[str, str] = {
    "actions/checkout": "the rendered project is the checkout",
    "astral-sh/setup-uv": "uv and the job's Python are on PATH here (.ci/run sets them up); "
    "its python-version is checked against .python-version",
    "docker/setup-buildx-action": "GitHub's builder set-up; the container tier "
    "(tests/test_container.py, -m container) builds the image",
    "docker/build-push-action": "the container tier builds this Dockerfile unchanged "
    "(tests/test_container.py, -m container); the step must not push",
}
# Actions done here by their equivalent: (action inputs) -> argv, run in the project.
ACTIONS_RUN_AS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "hadolint/hadolint-action": lambda inputs: [
        str(VENV_BIN / "hadolint"),
        "--no-color",
        str(inputs.get("dockerfile", "Dockerfile")),
    ],
}

# README commands that are not run here: (pattern, reason).
README_NOT_RUN: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"uvicorn .* --reload$|manage\.py runserver$|flask .* run --debug$"),
        "a development server runs until stopped; the deep tier boots the image's CMD instead",
    ),
    (
        re.compile(r"^docker compose up"),
        "needs a Docker engine; `docker compose config` and the container tier cover it",
    ),
    (
        re.compile(r"^(kubectl|gcloud) "),
        "needs a cluster or a Google Cloud project; tests/test_deploy.py validates the manifests",
    ),
    (
        re.compile(r"alembic revision --autogenerate|manage\.py makemigrations$"),
        "writes a new migration after a model change; a fresh render has none to write",
    ),
]


# --------------------------------------------------------------------------- the workflow


@dataclass
class Step:
    job: str
    name: str
    run: str | None = None
    uses: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)


def workflow_steps(project: Path) -> list[Step]:
    """Every step of the project's CI workflow, job by job in file order, with its job's env."""
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    steps = []
    for job_name, job in workflow["jobs"].items():
        job_env = {k: str(v) for k, v in (job.get("env") or {}).items()}
        for number, step in enumerate(job["steps"], start=1):
            label = step.get("name") or step.get("run") or step["uses"]
            steps.append(
                Step(
                    job=job_name,
                    name=f"{job_name}[{number}] {label}",
                    run=step.get("run"),
                    uses=step.get("uses"),
                    inputs=step.get("with") or {},
                    env={**job_env, **{k: str(v) for k, v in (step.get("env") or {}).items()}},
                    services=job.get("services") or {},
                )
            )
    return steps


def action_name(uses: str) -> str:
    return uses.split("@", 1)[0]


def unaccounted_steps(project: Path) -> list[str]:
    """Steps that are neither run nor named in ACTIONS_NOT_RUN / ACTIONS_RUN_AS."""
    known = ACTIONS_NOT_RUN.keys() | ACTIONS_RUN_AS.keys()
    return [
        step.name
        for step in workflow_steps(project)
        if step.run is None and action_name(step.uses or "") not in known
    ]


SERVICE_IMAGES = {"postgres": "postgresql", "mariadb": "mysql", "mysql": "mysql"}


@contextlib.contextmanager
def job_database(step: Step, project: Path) -> Iterator[dict[str, str]]:
    """The job's env, its database service replaced by a fresh database on this machine (same
    DATABASE_URL scheme, so the driver the workflow names is the one tested)."""
    env = dict(step.env)
    kinds = {
        SERVICE_IMAGES[image.split(":")[0].split("/")[-1]]
        for service in step.services.values()
        if (image := str(service.get("image", ""))).split(":")[0].split("/")[-1] in SERVICE_IMAGES
    }
    if not kinds:
        yield env
        return
    assert len(kinds) == 1, f"{step.job}: one database service expected, got {kinds}"
    assert "DATABASE_URL" in env, f"{step.job} starts a database but sets no DATABASE_URL"
    scheme = env["DATABASE_URL"].split("://", 1)[0]
    assert scheme == database_url_scheme(project), (
        f"{step.job}'s DATABASE_URL uses {scheme!r}, the project's .env.example "
        f"{database_url_scheme(project)!r}"
    )
    with fresh_database(kinds.pop(), scheme) as url:
        env["DATABASE_URL"] = with_scheme(url, scheme)
        yield env


def run_step(step: Step, project: Path, mypy_cache: Path) -> None:
    with job_database(step, project) as job_env:
        env = child_env(**job_env, MYPY_CACHE_DIR=str(mypy_cache))
        if step.run is not None:
            # GitHub's default shell for `run:` on Linux.
            argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.run]
        else:
            argv = ACTIONS_RUN_AS[action_name(step.uses or "")](step.inputs)
        proc = run(argv, project, env, timeout=900)
    assert proc.returncode == 0, f"CI step {step.name} fails\n{describe(proc)}"
    if step.run and re.search(r"\bpytest\b", step.run):
        assert re.search(r"\d+ passed", proc.stdout), f"{step.name} ran no test\n{describe(proc)}"


def check_not_run(step: Step, project: Path) -> None:
    """What can be checked of a step that does not run here."""
    name = action_name(step.uses or "")
    if name == "astral-sh/setup-uv" and "python-version" in step.inputs:
        expected = (project / ".python-version").read_text().strip()
        assert str(step.inputs["python-version"]) == expected, (
            f"{step.name} sets up Python {step.inputs['python-version']}, "
            f".python-version says {expected}"
        )
    if name == "docker/build-push-action":
        assert step.inputs.get("push") is False, f"{step.name} must not push"


# --------------------------------------------------------------------------- the README


def readme_commands(project: Path) -> list[str]:
    """The commands the README tells its owner to run: each line of a ```bash block and each
    inline `code` that starts with a command, split at `&&`, comments dropped."""
    text = (project / "README.md").read_text()
    lines: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        joined = block.replace("\\\n", " ")
        lines += [line for line in joined.splitlines() if line.strip()]
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    lines += re.findall(r"`((?:uv|DATABASE_URL=\S+ uv|docker|kubectl|gcloud) [^`]+)`", prose)
    commands = []
    for line in lines:
        line = re.sub(r"\s+#.*$", "", line).strip()
        commands += [part.strip() for part in line.split("&&") if part.strip()]
    return list(dict.fromkeys(commands))


def not_run_reason(command: str) -> str | None:
    return next((why for pattern, why in README_NOT_RUN if pattern.search(command)), None)


def database_placeholder(command: str) -> tuple[str, str] | None:
    """(kind, scheme) when the command sets DATABASE_URL to the README's example database."""
    match = re.match(r"DATABASE_URL=([a-z0-9+]+)://\S+ ", command)
    if not match:
        return None
    scheme = match.group(1)
    return ("postgresql" if scheme.startswith("postgresql") else "mysql"), scheme


# Commands that work on the owner's database (the one .env names, with its own user): run against
# a fresh database on this machine's server instead (the environment wins over .env).
NEEDS_DATABASE = re.compile(r"alembic upgrade|manage\.py migrate")


def run_readme_command(command: str, project: Path, database: str, mypy_cache: Path) -> None:
    env = child_env(MYPY_CACHE_DIR=str(mypy_cache))
    with contextlib.ExitStack() as stack:
        if placeholder := database_placeholder(command):
            kind, scheme = placeholder
            env["DATABASE_URL"] = stack.enter_context(fresh_database(kind, scheme))
            command = re.sub(r"^DATABASE_URL=\S+ ", "", command)
        elif NEEDS_DATABASE.search(command) and database in {"postgresql", "mysql"}:
            scheme = database_url_scheme(project)
            env["DATABASE_URL"] = stack.enter_context(fresh_database(database, scheme))
        proc = run(["bash", "-eo", "pipefail", "-c", command], project, env, timeout=900)
    assert proc.returncode == 0, f"README command `{command}` fails\n{describe(proc)}"


# --------------------------------------------------------------------------- fast tier


@pytest.mark.parametrize("answer_set", params())
def test_every_workflow_step_is_run_or_named(rendered: Project, answer_set: AnswerSet) -> None:
    unknown = unaccounted_steps(rendered(answer_set))
    assert not unknown, (
        f"workflow steps no test runs: {unknown}; run them in tests/test_ci_steps.py or name them "
        "in ACTIONS_NOT_RUN with the reason"
    )


@pytest.mark.parametrize("answer_set", params())
def test_every_readme_command_is_run_or_named(rendered: Project, answer_set: AnswerSet) -> None:
    commands = readme_commands(rendered(answer_set))
    assert any(c.startswith("uv run pytest") for c in commands), commands
    unknown = [c for c in commands if not_run_reason(c) is None and not runnable(c)]
    assert not unknown, (
        f"README commands no test runs: {unknown}; teach tests/test_ci_steps.py to run them or "
        "name them in README_NOT_RUN with the reason"
    )


RUNNABLE = re.compile(
    r"^(DATABASE_URL=\S+ )?uv (sync|lock|run (pytest|ruff|mypy|alembic upgrade head"
    r"|python manage\.py (migrate|makemigrations --check)))\b|^cp \.env\.example \.env$"
    r"|^docker compose config"
)


def runnable(command: str) -> bool:
    return bool(RUNNABLE.search(command))


# One set per framework, each serving through a different kind of server: mypy strict in the
# fast tier (the deep tier type-checks every set in CI_SETS).
@pytest.mark.parametrize("answer_set", params(tagged("typecheck")))
def test_mypy_strict(installed: Project, answer_set: AnswerSet, mypy_cache_dir: Path) -> None:
    project = installed(answer_set)
    env = child_env(MYPY_CACHE_DIR=str(mypy_cache_dir))
    for argv in (["uv", "sync", "--locked"], ["uv", "run", "mypy"]):
        proc = run(argv, project, env)
        assert proc.returncode == 0, describe(proc)


# --------------------------------------------------------------------------- deep tier


@pytest.mark.deep
@pytest.mark.parametrize("answer_set", params(CI_SETS))
def test_ci_workflow_and_readme_commands_pass(
    installed: Project, answer_set: AnswerSet, mypy_cache_dir: Path
) -> None:
    """The generated CI workflow, as GitHub runs it on the first push; then the README's
    commands in its order, as the owner runs them (each one once: a README command that a CI
    step already ran, with or without the database alike, is not run again)."""
    project = installed(answer_set)
    ran: set[tuple[str, bool]] = set()  # (command, with the real database)
    for step in workflow_steps(project):
        if step.run is None and action_name(step.uses or "") in ACTIONS_NOT_RUN:
            check_not_run(step, project)
            continue
        run_step(step, project, mypy_cache_dir)
        if step.run:
            ran |= {(line.strip(), bool(step.services)) for line in step.run.splitlines()}
    for expected in ("uv run mypy", "uv run pytest", "uv run ruff check ."):
        assert any(command == expected for command, _ in ran), f"CI no longer runs `{expected}`"

    database = str(answer_set.data.get("database", "postgresql"))
    try:
        for command in readme_commands(project):
            bare = re.sub(r"^DATABASE_URL=\S+ ", "", command)
            if not_run_reason(command) or (bare, bare != command) in ran:
                continue
            run_readme_command(command, project, database, mypy_cache_dir)
            ran.add((bare, bare != command))
        if (project / "compose.yaml").is_file():
            check_compose_file(project)
    finally:
        (project / ".env").unlink(missing_ok=True)  # `cp .env.example .env`: others share it


def compose_cli() -> list[str] | None:
    """`docker compose` from the host, else the one tests/container/setup.sh installs."""
    if shutil.which("docker") and run(["docker", "compose", "version"], Path.cwd()).returncode == 0:
        return ["docker", "compose"]
    cache = Path(os.environ.get("PLINTH_CONTAINER_CACHE", "/var/cache/plinth-container"))
    standalone = cache / "bin" / "docker-compose"
    return [str(standalone)] if standalone.exists() else None


def check_compose_file(project: Path) -> None:
    """`docker compose config` accepts compose.yaml once .env exists (the README's `cp`), and
    refuses it, naming .env, without one (the README: it refuses to start until .env sets the
    secrets)."""
    cli = compose_cli()
    if cli is None:
        reason = (
            "NOT CHECKED: no `docker compose` (tests/container/setup.sh installs one), so "
            "`docker compose config` did not run on compose.yaml"
        )
        if IN_CI:
            pytest.fail(reason + " [CI=true: failing instead of skipping]")
        pytest.skip(reason)
    assert (project / ".env").is_file(), "the README no longer says `cp .env.example .env`"
    proc = run([*cli, "config", "--quiet"], project, child_env())
    assert proc.returncode == 0, describe(proc)
    (project / ".env").unlink()
    proc = run([*cli, "config", "--quiet"], project, child_env())
    assert proc.returncode != 0 and ".env" in proc.stderr, describe(proc)


def test_readme_parser_reads_commands_and_inline_code(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "```bash\nuv sync   # install\nuv run ruff check . && uv run mypy\n```\n"
        "Then `DATABASE_URL=postgresql://x@h/db uv run pytest` and `uv run ruff format .`.\n"
    )
    assert readme_commands(tmp_path) == [
        "uv sync",
        "uv run ruff check .",
        "uv run mypy",
        "DATABASE_URL=postgresql://x@h/db uv run pytest",
        "uv run ruff format .",
    ]
