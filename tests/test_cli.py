"""The plinth CLI through Typer's CliRunner: new (--yes, --data, --data-file, --dry-run, --json,
no terminal, refusals, presets), options, explain."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import copier
import pytest
import yaml
from cli_helpers import copier_questions, plinth
from helpers import REPO_ROOT, git

from plinth import __version__

NO_LOCK = ["--data", "uv_lock=false"]
PRESET = REPO_ROOT / "presets" / "example.yml"


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def test_version() -> None:
    result = plinth("--version")
    assert result.exit_code == 0 and result.output.strip() == f"plinth {__version__}"


# --------------------------------------------------------------------------- options


def test_options_json_covers_every_question_and_every_choice_validator(
    template_repo: Path,
) -> None:
    result = plinth("options", "--json", template=template_repo)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["format"] == "plinth.options/1"
    asked = copier_questions()
    by_key = {q["key"]: q for q in doc["questions"]}
    assert set(by_key) == set(asked)
    for key, raw in asked.items():
        choices = raw.get("choices") or {}
        values = [v["value"] if isinstance(v, dict) else v for v in choices.values()]
        assert [c["value"] for c in by_key[key]["choices"]] == values, key
        assert by_key[key]["help"] == " ".join(str(raw.get("help", "")).split()), key
    # Every per-choice validator of copier.yml refuses something, and the matrix shows it.
    refused = {(r["question"], r["value"]) for r in doc["refusals"]}
    with_validator = {
        (key, v["value"])
        for key, raw in asked.items()
        for v in (raw.get("choices") or {}).values()
        if isinstance(v, dict) and v.get("validator")
    }
    assert with_validator == refused
    assert all(r["reason"] and r["when"] for r in doc["refusals"])
    sqlite = [r for r in doc["refusals"] if (r["question"], r["value"]) == ("database", "sqlite")]
    assert [r["when"] for r in sqlite] == [{"deploy_target": ["kubernetes"]},
                                           {"deploy_target": ["cloud-run"]}]  # fmt: skip


def test_options_text_lists_questions_and_refusals(template_repo: Path) -> None:
    result = plinth("options", template=template_repo)
    assert result.exit_code == 0, result.output
    for key in copier_questions():
        assert f"\n{key} (" in "\n" + result.output, key
    assert "server=daphne with framework=flask:" in result.output


# --------------------------------------------------------------------------- new


def test_new_yes_generates_and_prints_a_command_that_reproduces_it(
    template_repo: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "orders"
    result = plinth(
        "new", str(dest), "--yes", "--trust", "-d", "project_name=Orders", "-d", "framework=flask",
        *NO_LOCK, template=template_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    recorded = answers(dest)
    assert recorded["_src_path"] == str(template_repo)  # reachable later, not a temporary clone
    assert recorded["framework"] == "flask" and recorded["server"] == "gunicorn"
    line = result.stdout.strip().splitlines()[-1].strip()
    argv = shlex.split(line)
    assert argv[:2] == ["plinth", "new"]
    again = tmp_path / "again"
    argv[2] = str(again)
    rerun = plinth(*argv[1:], "--trust", *NO_LOCK)
    assert rerun.exit_code == 0, rerun.output
    assert answers(again) == recorded


def test_new_without_a_terminal_or_yes_exits_2_and_names_the_unanswered(
    template_repo: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    result = plinth("new", str(dest), "-d", "framework=django", template=template_repo)
    assert result.exit_code == 2, result.output
    assert "not answered" in result.output
    for key in ("project_name", "server", "database", "deploy_target"):
        assert key in result.output
    assert "framework" not in result.output.split("not answered:")[1].split(".")[0]
    assert not dest.exists()


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        (["-d", "framework=flask", "-d", "server=uvicorn"], "Flask is a WSGI app (R3)"),
        (["-d", "database=sqlite", "-d", "deploy_target=[kubernetes]"], "SQLite keeps its data"),
        (["-d", "workers=0"], "must be auto or a whole number"),
        (["--data-file", "FILE"], "Daphne is the Django Channels server"),
    ],
    ids=["data-choice", "data-multiselect", "data-validator", "data-file"],
)
def test_refused_answer_prints_copiers_reason_and_writes_nothing(
    template_repo: Path, tmp_path: Path, how: list[str], reason: str
) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text("framework: fastapi\nserver: daphne\n")
    how = [str(data_file) if a == "FILE" else a for a in how]
    dest = tmp_path / "svc"
    for mode in (["--yes"], ["--dry-run"], ["--yes", "--json"]):
        result = plinth("new", str(dest), *mode, "--trust", *how, *NO_LOCK, template=template_repo)
        assert result.exit_code == 1, result.output
        assert reason in " ".join(result.output.split()), result.output
        assert not dest.exists()
    assert json.loads(result.stdout)["ok"] is False


def test_dry_run_prints_the_plan_and_writes_nothing(template_repo: Path, tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    data = ["-d", "framework=django", "-d", "workload=cpu", "-d", "server=gunicorn"]
    result = plinth("new", str(dest), "--dry-run", *data, template=template_repo)
    assert result.exit_code == 0, result.output
    assert "framework: django" in result.output
    assert "gunicorn --config python:my_service.serving.gunicorn_conf" in result.output
    assert "2xC+1 sync workers" in result.output and "(R7, R8)" in result.output
    assert "  Dockerfile\n" in result.output and "  manage.py\n" in result.output
    assert not dest.exists()

    as_json = plinth("new", str(dest), "--dry-run", "--json", *data, template=template_repo)
    plan = json.loads(as_json.stdout)
    assert plan["answers"]["server"] == "gunicorn" and plan["command"][-1].endswith(":app")
    assert "manage.py" in plan["files"] and plan["workers"]["rules"] == ["R7", "R8"]
    assert not dest.exists()


def test_unknown_key_and_malformed_data_are_usage_errors(template_repo: Path) -> None:
    assert plinth("new", "x", "--yes", "-d", "colour=red", template=template_repo).exit_code == 2
    assert plinth("new", "x", "--yes", "-d", "framework", template=template_repo).exit_code == 2


# --------------------------------------------------------------------------- presets


def test_preset_answers_apply_and_travel_with_the_service(
    template_repo: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    result = plinth(
        "new", str(dest), "--yes", "--trust", "--preset", str(PRESET), *NO_LOCK,
        template=template_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    preset = yaml.safe_load(PRESET.read_text())
    recorded = answers(dest)
    for key, value in preset["answers"].items():
        assert recorded[key] == value, key
    assert (dest / ".plinth" / "preset.yml").read_text() == PRESET.read_text()
    assert f"--preset {PRESET}" in result.output


@pytest.mark.parametrize("via", ["data", "data-file"])
def test_locked_answer_cannot_be_overridden(template_repo: Path, tmp_path: Path, via: str) -> None:
    dest = tmp_path / "svc"
    data_file = tmp_path / "answers.yml"
    data_file.write_text("database: mysql\n")
    override = ["-d", "database=mysql"] if via == "data" else ["--data-file", str(data_file)]
    result = plinth(
        "new", str(dest), "--yes", "--trust", "--preset", str(PRESET), *override, *NO_LOCK,
        template=template_repo,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "the example-platform preset locks database to postgresql" in text
    assert "We run PostgreSQL only" in text
    assert not dest.exists()


def test_plain_copier_update_refuses_to_change_a_locked_answer(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers import GIT_IDENTITY

    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    dest = tmp_path / "svc"
    result = plinth(
        "new", str(dest), "--yes", "--trust", "--preset", str(PRESET), *NO_LOCK,
        template=template_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "generated")
    with pytest.raises(ValueError, match="preset locks database to postgresql"):
        copier.run_update(
            str(dest), data={"database": "mysql"}, vcs_ref="HEAD", defaults=True, overwrite=True,
            unsafe=True, quiet=True,
        )  # fmt: skip
    assert answers(dest)["database"] == "postgresql"
    assert not git(dest, "status", "--porcelain").strip()


def test_preset_naming_an_unknown_question_is_refused(template_repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\nanswers:\n  colour: red\nlocked:\n  colour: house style\n")
    result = plinth("new", str(tmp_path / "svc"), "--yes", "--preset", str(bad),
                    template=template_repo)  # fmt: skip
    assert result.exit_code == 1 and "colour" in result.output
    assert not (tmp_path / "svc").exists()


def test_every_asked_question_enforces_preset_locks() -> None:
    """A lock on any question is Copier's refusal: each asked question's validator calls it."""
    for key, raw in copier_questions().items():
        expected = f"{{{{ locked('{key}', {key}) }}}}"
        assert expected in raw.get("validator", ""), key


# --------------------------------------------------------------------------- explain


def test_explain_a_service_uses_its_own_concurrency_code(
    template_repo: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    made = plinth(
        "new", str(dest), "--yes", "--trust", "-d", "framework=flask", "-d",
        "deploy_target=[compose, kubernetes, cloud-run]", *NO_LOCK, template=template_repo,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    result = plinth("explain", str(dest), "--cpus", "3", "--memory", "1G", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # gthread (Flask, io): 2*3+1 = 7 workers, capped by 1 GiB / 256 MiB = 4; 4 threads (R8).
    c = doc["concurrency"]
    assert (c["kind"], c["workers"], c["threads"]) == ("gthread", 4, 4)
    assert doc["command"][:3] == ["python", "-m", "my_service.serving.entrypoint"]
    timings = {s["target"]: s for s in doc["shutdown"]}
    assert set(timings) == {"compose", "kubernetes", "cloud-run"}
    assert timings["cloud-run"]["graceful_timeout"] < timings["cloud-run"]["grace_period"]
    assert all(s["fits"] for s in doc["shutdown"])

    text = plinth("explain", str(dest), "--cpus", "1")
    assert "3 worker(s) x 4 thread(s)" in text.output  # 2*1+1, no memory limit
    assert "Shutdown on kubernetes" in text.output and "(R10, C4;" in text.output


def test_explain_an_answer_set_renders_it_first(template_repo: Path) -> None:
    result = plinth(
        "explain", "--data", "framework=fastapi", "--cpus", "3", "--json", template=template_repo
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["concurrency"]["kind"] == "async" and doc["concurrency"]["workers"] == 3
    refused = plinth("explain", "-d", "framework=flask", "-d", "server=daphne",
                     template=template_repo)  # fmt: skip
    assert refused.exit_code == 1 and "Daphne" in refused.output


def test_explain_a_rule(template_repo: Path) -> None:
    result = plinth("explain", "R7", template=template_repo)
    assert result.exit_code == 0 and result.output.startswith("- R7. Worker count follows")
    assert "Computed in exactly one place." in result.output
    assert plinth("explain", "c4", template=template_repo).output.startswith(
        "- C4 (R10). Cloud Run"
    )
    assert plinth("explain", "R99", template=template_repo).exit_code == 1


def test_explain_outside_a_service_is_refused(tmp_path: Path) -> None:
    result = plinth("explain", str(tmp_path))
    assert result.exit_code == 1 and ".copier-answers.yml" in result.output


@pytest.mark.deep
def test_readme_first_command_generates_a_service(tmp_path: Path) -> None:
    """The README's first line, run as written (its destination moved into tmp_path). Deep: the
    template may run tasks after the copy (a `uv lock` that needs the package index)."""
    from helpers import VENV_BIN, child_env, describe, run

    readme = (REPO_ROOT / "README.md").read_text()
    first = readme.split("```bash\n", 1)[1].splitlines()[0].split("#")[0].split()
    assert first == ["uv", "run", "plinth", "new", "../my-service", "--yes"]
    dest = tmp_path / "my-service"
    proc = run([str(VENV_BIN / "plinth"), "new", str(dest), "--yes"], cwd=REPO_ROOT,
               env=child_env())  # fmt: skip
    assert proc.returncode == 0, describe(proc)
    assert answers(dest)["_src_path"] == str(REPO_ROOT)
    assert (dest / "Dockerfile").is_file() and "plinth new" in proc.stdout
