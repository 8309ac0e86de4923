"""The guided ``plinth new`` driven through a real pseudo-terminal (questionary needs one):
workload answers typed, the recommendation shown with its rule ids, the service generated, and
the generated service's own tests pass."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import child_env, describe, run

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.deep

UP = "\x1b[A"
DOWN = "\x1b[B"
CLEAR_LINE = "\x15"  # Ctrl-U: questionary's text prompt starts with its default in the buffer


def spawn(template: Path, cwd: Path) -> tuple[Any, Path]:
    env = child_env(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="120", LINES="40")
    argv = ["-m", "plinth", "new", "--template", str(template), "--trust",
            "--data", "uv_lock=false"]  # fmt: skip
    child = pexpect.spawn(
        sys.executable, argv, cwd=str(cwd), env=env, encoding="utf-8", timeout=60,
        dimensions=(40, 120),
    )  # fmt: skip
    log = cwd / "pty.log"
    child.logfile_read = log.open("w")
    return child, log


def test_guided_new_through_a_pty(template_repo: Path, tmp_path: Path) -> None:
    child, log = spawn(template_repo, tmp_path)
    try:
        child.expect("What do the request handlers mostly do")
        child.send("\r")  # I/O-bound
        child.expect("Django's batteries")
        child.send("n")
        child.expect("long-lived connections")
        child.send("n")
        child.expect("Background jobs")
        child.send("\r")  # none
        child.expect("Where does it run")
        child.send("\r")  # compose, pre-checked
        child.expect("Which database")
        child.send(UP + "\r")  # from the default (postgresql) up to sqlite
        child.expect("Recommended answers")
        child.expect(r"server = gunicorn-uvicorn  async workers, C per container.*\(R2, R6, R8\)")
        child.expect("Generate the service with these answers")
        child.send("\r")
        child.expect("Service name")
        child.send(CLEAR_LINE + "Pty Demo\r")
        child.expect("Reproduce it with:", timeout=120)
        child.expect(pexpect.EOF, timeout=60)
    except (pexpect.TIMEOUT, pexpect.EOF) as error:
        child.logfile_read.close()
        pytest.fail(f"{type(error).__name__}; the terminal showed:\n{log.read_text()[-3000:]}")
    child.close()
    assert child.exitstatus == 0, log.read_text()[-3000:]

    project = tmp_path / "pty-demo"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Pty Demo"
    assert (answers["framework"], answers["server"], answers["database"]) == (
        "fastapi", "gunicorn-uvicorn", "sqlite"
    )  # fmt: skip
    sync = run(["uv", "sync"], cwd=project, env=child_env())
    assert sync.returncode == 0, describe(sync)
    tests = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                env=child_env())  # fmt: skip
    assert tests.returncode == 0, describe(tests)


def test_guided_edit_goes_through_copiers_prompts_prefilled(
    template_repo: Path, tmp_path: Path
) -> None:
    """Declining the recommendation hands it to Copier's own prompts as defaults: pressing Enter
    through them keeps it. On Kubernetes, SQLite is offered disabled with copier.yml's reason."""
    child, log = spawn(template_repo, tmp_path)
    try:
        child.expect("What do the request handlers mostly do")
        child.send(DOWN + "\r")  # CPU-bound
        child.expect("Django's batteries")
        child.send("n")
        child.expect("long-lived connections")
        child.send("n")
        child.expect("Background jobs")
        child.send(DOWN + DOWN + "\r")  # background and scheduled
        child.expect("Where does it run")
        child.send(DOWN + " \r")  # compose and kubernetes
        child.expect("Which database")
        child.expect("SQLite keeps its data on one host")
        child.send("\r")  # postgresql
        child.expect(r"server = gunicorn  CPU-bound requests: sync gunicorn workers, 2xC\+1")
        child.expect("Generate the service with these answers")
        child.send("n")
        child.expect("Service name")
        child.send(CLEAR_LINE + "Edit Demo\r")
        while child.expect(["Reproduce it with:", pexpect.TIMEOUT], timeout=2) == 1:
            child.send("\r")  # accept each of Copier's pre-filled answers
        child.expect(pexpect.EOF, timeout=60)
    except (pexpect.TIMEOUT, pexpect.EOF) as error:
        child.logfile_read.close()
        pytest.fail(f"{type(error).__name__}; the terminal showed:\n{log.read_text()[-3000:]}")
    child.close()
    assert child.exitstatus == 0, log.read_text()[-3000:]
    shown = log.read_text()
    assert "Human-readable name of the service" in shown  # copier.yml's help: Copier prompted
    assert "Application server the container runs" in shown
    answers = yaml.safe_load((tmp_path / "edit-demo" / ".copier-answers.yml").read_text())
    expected = {
        "project_name": "Edit Demo", "framework": "flask", "server": "gunicorn",
        "workload": "cpu", "deploy_target": ["compose", "kubernetes"], "database": "postgresql",
        "task_queue": "celery", "broker": "redis", "celery_beat": True,
    }  # fmt: skip
    assert {k: answers[k] for k in expected} == expected
