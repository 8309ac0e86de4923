"""`plinth doctor`: every rule fires on its seeded mistake and stays quiet on the twin without
it (tests/doctor_corpus.py), for FastAPI, Flask, Django and Litestar; every answer set plinth
renders audits clean; the command-line contract (formats, exit codes, suppressions, baseline)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from doctor_corpus import CASES, Case
from helpers import REPO_ROOT, VENV_BIN, exec_form, parse_dockerfile
from matrix import ANSWER_SETS, AnswerSet, params
from typer.testing import CliRunner

from plinth.cli import app
from plinth.doctor import audit
from plinth.doctor import template as doctor_template
from plinth.doctor.model import RULES

SARIF_SCHEMA = Path(__file__).parent / "doctor" / "sarif-schema-2.1.0.json"
runner = CliRunner()


def write(case: Case, twin: str, tmp_path: Path) -> Path:
    return case.write(twin, tmp_path / twin)


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fires_on_the_mistake_and_not_on_its_twin(case: Case, tmp_path: Path) -> None:
    bad = audit(write(case, "bad", tmp_path)).findings
    good = audit(write(case, "good", tmp_path)).findings
    assert case.rule in {f.rule for f in bad}, [(f.rule, f.path, f.line, f.message) for f in bad]
    assert good == [], [(f.rule, f.path, f.line, f.message) for f in good]
    for f in bad:
        assert f.line >= 1 and f.message and f.fix
        assert (tmp_path / "bad" / f.path).is_file(), f.path


def test_corpus_covers_every_rule_and_framework() -> None:
    assert {c.rule for c in CASES} == set(RULES)
    for fw in ("fastapi", "flask", "django", "litestar"):
        assert any(c.framework == fw for c in CASES)


def test_rule_ids_resolve_to_the_rulebook() -> None:
    rulebook = (REPO_ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    for rule_id in RULES:
        assert re.search(rf"^- {rule_id}[. ]", rulebook, re.M), f"{rule_id} is not in docs/RULES.md"


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def test_blocking_sleep_comes_from_ruff(tmp_path: Path) -> None:
    """A direct time.sleep in `async def` is ruff's ASYNC251, reported once, under R12."""
    findings = audit(write(by_name("fastapi-async-time-sleep"), "bad", tmp_path)).findings
    assert [(f.rule, f.source, f.path) for f in findings] == [
        ("R12", "ruff ASYNC251", "src/svc/main.py")
    ]
    without_ruff = audit(tmp_path / "bad", use_ruff=False).findings
    assert [(f.rule, f.source, f.line) for f in without_ruff] == [
        ("R12", "plinth", findings[0].line)
    ]


def test_blocking_call_one_call_away_names_the_path(tmp_path: Path) -> None:
    (f,) = audit(write(by_name("fastapi-requests-one-call-away"), "bad", tmp_path)).findings
    assert f.path == "src/svc/main.py" and "fetch_rate" in f.message
    assert "requests.get" in f.message and "src/svc/rates.py:5" in f.message


def test_cmd_findings_carry_the_command_plinth_generates(tmp_path: Path) -> None:
    """The fix for a CMD finding is derived from copier.yml's server_spec row."""
    findings = audit(write(by_name("fastapi-python-main"), "bad", tmp_path)).findings
    (r4,) = [f for f in findings if f.rule == "R4"]
    cmd = doctor_template.server_command("fastapi", "gunicorn-uvicorn", "io", "svc")
    assert cmd is not None and cmd[0] == "gunicorn"
    assert json.dumps(list(cmd)) in r4.fix


def test_seed_gunicorn_uvicorn_workers(tmp_path: Path) -> None:
    rules = {
        f.rule
        for f in audit(write(by_name("fastapi-seed-uvicorn-workers"), "bad", tmp_path)).findings
    }
    assert {"R5", "R7"} <= rules


# --------------------------------------------------------------------------- suppressions, baseline


def test_inline_suppression_in_python_and_yaml(tmp_path: Path) -> None:
    case = by_name("fastapi-thread-limiter-at-import")
    root = write(case, "bad", tmp_path)
    main = root / "src/svc/main.py"
    text = main.read_text()
    main.write_text(
        text.replace(
            "total_tokens = 100",
            "total_tokens = 100  # plinth: ignore[R13] set before any loop runs, on purpose",
        )
    )
    assert audit(root).findings == []
    case = by_name("flask-compose-forwarded-star")
    root = write(case, "bad", tmp_path / "y")
    compose = root / "compose.yaml"
    compose.write_text(
        compose.read_text().replace(
            "      FORWARDED_ALLOW_IPS",
            "      # plinth: ignore[R11] the only peer is the platform's proxy\n"
            "      FORWARDED_ALLOW_IPS",
        )
    )
    assert audit(root).findings == []


def test_suppression_without_reason_is_a_finding_and_still_suppresses(tmp_path: Path) -> None:
    findings = audit(write(by_name("fastapi-suppression-without-reason"), "bad", tmp_path)).findings
    assert [(f.rule, f.path) for f in findings] == [("C21", "Dockerfile")]


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    root = write(by_name("fastapi-seed-uvicorn-workers"), "bad", tmp_path)
    baseline = tmp_path / "baseline.json"
    result = runner.invoke(app, ["doctor", str(root), "--write-baseline", str(baseline)])
    assert result.exit_code == 0, result.output
    assert json.loads(baseline.read_text())["findings"]
    assert runner.invoke(app, ["doctor", str(root), "--baseline", str(baseline)]).exit_code == 0
    # edits elsewhere keep the baseline; a new mistake is reported
    main = root / "src/svc/main.py"
    main.write_text(
        "import time\n\n"
        + main.read_text()
        + '\n\n@app.get("/x")\nasync def x() -> None:\n    time.sleep(1)\n'
    )
    out = runner.invoke(app, ["doctor", str(root), "--baseline", str(baseline), "--format", "json"])
    assert out.exit_code == 1
    assert [f["rule"] for f in json.loads(out.stdout)["findings"]] == ["R12"]


# --------------------------------------------------------------------------- the command line


def test_exit_codes_and_selection(tmp_path: Path) -> None:
    good = write(by_name("fastapi-python-main"), "good", tmp_path)
    bad = write(by_name("fastapi-python-main"), "bad", tmp_path)
    assert runner.invoke(app, ["doctor", str(good)]).exit_code == 0
    assert runner.invoke(app, ["doctor", str(bad)]).exit_code == 1
    assert runner.invoke(app, ["doctor", str(bad), "--ignore", "R4"]).exit_code == 0
    assert runner.invoke(app, ["doctor", str(bad), "--select", "R2-R3,R5"]).exit_code == 0
    assert runner.invoke(app, ["doctor", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["doctor", str(bad), "--select", "R99"]).exit_code == 2
    assert runner.invoke(app, ["doctor", str(bad), "--format", "xml"]).exit_code == 2
    warn_only = write(by_name("litestar-root-user"), "bad", tmp_path)
    assert runner.invoke(app, ["doctor", str(warn_only), "--fail-level", "error"]).exit_code == 0
    assert runner.invoke(app, ["doctor", str(warn_only), "--fail-level", "warning"]).exit_code == 1


def test_text_output_groups_by_severity(tmp_path: Path) -> None:
    bad = write(by_name("fastapi-seed-uvicorn-workers"), "bad", tmp_path)
    out = runner.invoke(app, ["doctor", str(bad)], env={"COLUMNS": "200"}).stdout
    assert "WARNINGS" in out and "R5 Dockerfile:" in out and "fix:" in out


def test_github_annotations(tmp_path: Path) -> None:
    bad = write(by_name("flask-shell-form-cmd"), "bad", tmp_path)
    out = runner.invoke(app, ["doctor", str(bad), "--format", "github"]).stdout.strip()
    assert re.fullmatch(r"::warning file=Dockerfile,line=8,title=R10 [^:]+::.+", out), out


def test_sarif_validates_against_the_2_1_0_schema(tmp_path: Path) -> None:
    bad = write(by_name("fastapi-seed-uvicorn-workers"), "bad", tmp_path)
    out = runner.invoke(app, ["doctor", str(bad), "--format", "sarif"])
    assert out.exit_code == 1
    report = tmp_path / "doctor.sarif"
    report.write_text(out.stdout)
    sarif = json.loads(out.stdout)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"R5", "R7"}
    proc = subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--schemafile", str(SARIF_SCHEMA), str(report)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_template_version_of_a_generated_service(tmp_path: Path) -> None:
    answers = {"_src_path": "gh:acme/plinth", "_commit": "v0.2.0-3-gabc1234", "framework": "flask"}
    assert (
        doctor_template.template_version(answers, tmp_path / "none.yml")
        == "template commit v0.2.0-3-gabc1234"
    )
    releases = tmp_path / "releases.yml"
    releases.write_text("v0.2.0: abc1234def5678\nv0.1.0: 0123456789ab\n")
    assert doctor_template.template_version({**answers, "_commit": "v0.2.0"}, releases) == (
        "plinth v0.2.0 (abc1234def56) (the latest release)"
    )
    assert doctor_template.template_version({**answers, "_commit": "v0.1.0"}, releases) == (
        "plinth v0.1.0 (0123456789ab); latest release v0.2.0"
    )
    assert doctor_template.template_version(answers, releases) == (
        "3 commits after plinth v0.2.0 (v0.2.0-3-gabc1234); latest release v0.2.0"
    )
    # releases.yml's own form: a list of rows, versions without the tag's "v"
    rows = tmp_path / "rows.yml"
    rows.write_text(
        '- version: "0.1.0"\n  commit: 0123456789ab\n- version: "0.2.0"\n  commit: abc1234def5678\n'
    )
    assert doctor_template.template_version({**answers, "_commit": "v0.1.0"}, rows) == (
        "plinth 0.1.0 (0123456789ab); latest release 0.2.0"
    )
    assert doctor_template.template_version({**answers, "_commit": "abc1234"}, releases).startswith(
        "plinth v0.2.0"
    )


# --------------------------------------------------------------------------- rendered services


@pytest.mark.parametrize("answer_set", params(ANSWER_SETS))
def test_rendered_service_audits_clean(
    answer_set: AnswerSet, rendered: Callable[[AnswerSet], Path]
) -> None:
    project = rendered(answer_set)
    result = audit(project)
    assert result.findings == [], "\n".join(
        f"{f.rule} {f.path}:{f.line} {f.message}" for f in result.findings
    )
    assert result.template is not None and result.template.startswith(
        ("template commit", "plinth ")
    )
    # the command the doctor proposes is the one the template renders
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    stages = parse_dockerfile((project / "Dockerfile").read_text())
    cmd = exec_form(stages[-1].last("CMD"))
    framework = answers["framework"]
    server = answers.get("server")
    package = answers.get("project_slug", "").replace("-", "_")
    expected = doctor_template.server_command(
        framework, server, answers.get("workload", "io"), package
    )
    assert cmd is not None and expected is not None and list(expected) == cmd


def test_a_mistake_in_a_rendered_service_is_found(
    rendered: Callable[[AnswerSet], Path], tmp_path: Path
) -> None:
    """The clean audits above are not vacuous: the same render with its CMD in shell form and
    reloading is caught."""
    import shutil

    project = shutil.copytree(rendered(ANSWER_SETS[0]), tmp_path / "project")
    dockerfile = project / "Dockerfile"
    lines = dockerfile.read_text().splitlines()
    cmd = exec_form(parse_dockerfile("\n".join(lines))[-1].last("CMD"))
    assert cmd is not None
    lines = [ln for ln in lines if not ln.startswith("CMD ")] + [
        " ".join(["CMD", *cmd, "--reload"])
    ]
    dockerfile.write_text("\n".join(lines) + "\n")
    rules = {f.rule for f in audit(project).findings}
    assert {"R4", "R10"} <= rules


def test_monorepo_services_resolve_their_own_modules(tmp_path: Path) -> None:
    """Two services with the same package name: each command is judged against its own app."""
    by_name("fastapi-gunicorn-sync-worker").write("bad", tmp_path / "services" / "orders")
    by_name("flask-uvicorn").write("good", tmp_path / "services" / "billing")
    findings = audit(tmp_path).findings
    assert [(f.rule, f.path) for f in findings] == [("R2", "services/orders/Dockerfile")]
