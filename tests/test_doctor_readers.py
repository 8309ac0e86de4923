"""The doctor's readers: what a start command runs, past wrappers and shells, and where it runs
(compose and Kubernetes replace an image's CMD/ENTRYPOINT by their own rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plinth.doctor.commands import Where, read_images, read_start_commands, split_programs
from plinth.doctor.files import Repo, load_yaml_docs, parse_dockerfile

WHERE = Where("dockerfile", "Dockerfile", 1)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["tini", "--", "gunicorn", "app:app"], [("gunicorn", ["app:app"])]),
        (["uv", "run", "--no-sync", "uvicorn", "app:app"], [("uvicorn", ["app:app"])]),
        (["python", "-m", "svc.entrypoint", "granian", "--interface", "asgi", "svc:app"],
         [("granian", ["--interface", "asgi", "svc:app"])]),
        (["python", "-m", "svc.daphne_server", "svc.proxied:app"],
         [("module", ["svc.daphne_server", "svc.proxied:app"])]),
        (["python", "-m", "gunicorn", "app:app"], [("gunicorn", ["app:app"])]),
        (["sh", "-c", "alembic upgrade head && exec gunicorn app:app"],
         [("alembic", ["upgrade", "head"]), ("gunicorn", ["app:app"])]),
        (["python", "manage.py", "runserver"], [("manage", ["runserver"])]),
        (["python", "main.py"], [("script", ["main.py"])]),
        (["PORT=80", "opentelemetry-instrument", "uvicorn", "a:b"], [("uvicorn", ["a:b"])]),
    ],
)  # fmt: skip
def test_programs_past_wrappers(argv: list[str], expected: list[tuple[str, list[str]]],
                                tmp_path: Path) -> None:  # fmt: skip
    programs = split_programs(Repo(tmp_path), argv, "Dockerfile", 1, WHERE)
    assert [(p.tool, p.args) for p in programs] == expected


def test_scripts_of_the_repository_are_read(tmp_path: Path) -> None:
    (tmp_path / "start.sh").write_text(
        '#!/bin/sh\nset -e\nalembic upgrade head\nexec gunicorn a:b "$@"\n'
    )
    programs = split_programs(Repo(tmp_path), ["./start.sh"], "Dockerfile", 1, WHERE)
    assert [(p.tool, p.path, p.line) for p in programs] == [
        ("alembic", "start.sh", 3), ("gunicorn", "start.sh", 4)
    ]  # fmt: skip


def test_dockerfile_stages_and_forms() -> None:
    stages = parse_dockerfile(
        "FROM python:3.13 AS base\n# comment\nENV A=1 \\\n    B=2\nFROM base\nCMD gunicorn a:b\n"
    )
    assert [s.name for s in stages] == ["base", None]
    cmd = stages[1].last("CMD")
    assert cmd is not None and cmd.line == 6 and cmd.exec_form() is None
    assert cmd.argv() == ["gunicorn", "a:b"]


def write(root: Path, files: dict[str, str]) -> Repo:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Repo(root)


def test_compose_and_kubernetes_replace_cmd_and_entrypoint(tmp_path: Path) -> None:
    repo = write(tmp_path, {
        "Dockerfile": 'FROM python\nENV X=1\nENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "a:b"]\n',
        "compose.yaml": "services:\n  web:\n    build: .\n    command: uvicorn a:b\n"
                        "  other:\n    build: .\n    entrypoint: [\"granian\"]\n",
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
                           "      terminationGracePeriodSeconds: 40\n      containers:\n"
                           "        - name: app\n          args: [\"hypercorn\", \"a:b\"]\n"
                           "          lifecycle: {preStop: {sleep: {seconds: 5}}}\n",
    })  # fmt: skip
    commands = read_start_commands(repo, read_images(repo))
    seen = {(c.where.kind, c.where.name): c for c in commands}
    assert seen[("compose", "web")].argv == ["tini", "--", "uvicorn", "a:b"]
    assert seen[("compose", "other")].argv == ["granian"]  # entrypoint resets CMD
    k8s = seen[("kubernetes", "app")]
    assert k8s.argv == ["tini", "--", "hypercorn", "a:b"] and k8s.where.grace == 35
    assert k8s.where.env["X"] == "1" and k8s.where.restarts
    assert (k8s.path, k8s.line) == ("k8s/deploy.yaml", 9)


def test_yaml_keeps_lines_and_survives_templated_files() -> None:
    (doc,) = load_yaml_docs("a:\n  b: 1\n  c:\n    - x\n")
    assert doc.lines["a"] == 1 and doc["a"].lines["c"] == 3 and doc["a"]["c"].lines == [4]
    assert load_yaml_docs("a: {{ .Values.x }}\n  - broken") == []
