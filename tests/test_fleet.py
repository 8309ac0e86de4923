"""`plinth fleet status` and `plinth fleet update` over real services in temp git repositories:
a template with its release history plus a 0.4.0 released on top of the working tree, and
services at 0.4.0 (one untouched, one modified, one drifted from its preset, one dirty), one on
0.2.0, and one on 0.3.0 whose platform team added a preset that locks an answer it breaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from helpers import git
from history import by_version, commit_all, template_with_history
from matrix import BY_NAME
from typer.testing import CliRunner

from plinth.cli import app

pytestmark = [pytest.mark.update, pytest.mark.xdist_group("fleet")]

ANSWERS = BY_NAME["fleet-fastapi"].data
PRESET = {
    "name": "acme-platform",
    "answers": {"framework": "fastapi", "server": "gunicorn-uvicorn", "database": "none"},
    "locked": {"database": "Services here keep no database of their own; ask #platform."},
}


def release_on_top(template: Path, version: str, day: str) -> str:
    """The release procedure: CHANGELOG heading, the release commit, then its releases.yml row."""
    changelog = template / "CHANGELOG.md"
    heading = f"## [Unreleased]\n\n## [{version}] - {day}\n"
    changelog.write_text(changelog.read_text().replace("## [Unreleased]\n", heading, 1))
    commit_all(template, f"Release {version}")
    commit = git(template, "rev-parse", "HEAD").strip()
    with (template / "releases.yml").open("a") as fh:
        fh.write(f'- version: "{version}"\n  commit: {commit}\n  date: {day}\n')
    commit_all(template, f"releases.yml: {version}")
    return commit


def generate(template: Path, dst: Path, ref: str, answers: dict[str, Any], *, trust: bool) -> Path:
    copier.run_copy(
        str(template), str(dst), data={"uv_lock": False, **answers}, defaults=True,
        unsafe=trust, vcs_ref=ref, quiet=True,
    )  # fmt: skip
    git(dst, "init", "-q", "-b", "main")
    commit_all(dst, f"generated from {ref}")
    return dst


def with_preset(dst: Path, preset: dict[str, Any]) -> None:
    (dst / ".plinth").mkdir(parents=True, exist_ok=True)
    (dst / ".plinth" / "preset.yml").write_text(yaml.safe_dump(preset, sort_keys=False))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fleet")
    template = template_with_history(root / "plinth")
    r040 = release_on_top(template, "0.4.0", "2026-12-02")
    services: dict[str, Path] = {"template": template}

    services["fresh"] = generate(template, root / "fresh", r040, ANSWERS, trust=False)

    modified = generate(template, root / "modified", r040, ANSWERS, trust=False)
    with (modified / "README.md").open("a") as fh:
        fh.write("\nOn call: #orders-oncall.\n")
    dockerfile = modified / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("EXPOSE", "LABEL team=orders\nEXPOSE", 1))
    (modified / ".pre-commit-config.yaml").unlink()
    (modified / "NOTES.md").write_text("The team's own file.\n")
    commit_all(modified, "the team's edits")
    services["modified"] = modified

    old = generate(template, root / "old", by_version("0.2.0").commit, ANSWERS, trust=True)
    git(root, "init", "-q", "--bare", "old-origin.git")
    git(old, "remote", "add", "origin", str(root / "old-origin.git"))
    git(old, "push", "-q", "origin", "main")
    services["old"] = old

    drifted = root / "drifted"
    with_preset(drifted, PRESET)  # as `plinth new --preset` stores it, before the copy
    generate(template, drifted, r040, {**ANSWERS, "database": "none"}, trust=False)
    services["drifted"] = drifted

    locked = generate(
        template, root / "locked", by_version("0.3.0").commit,
        {**ANSWERS, "database": "sqlite"}, trust=False,
    )  # fmt: skip
    with_preset(locked, PRESET)  # the platform team rolls its preset out afterwards
    commit_all(locked, "adopt the platform preset")
    services["locked"] = locked

    dirty = generate(template, root / "dirty", r040, ANSWERS, trust=False)
    (dirty / "README.md").write_text("work in progress\n")
    services["dirty"] = dirty
    return services


def plinth(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def by_path(report: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {Path(row["path"]).name: row for row in report[key]}


def recorded(project: Path) -> dict[str, Any]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return {k: v for k, v in answers.items() if not k.startswith("_")}


def test_status_json_field_by_field(fleet: dict[str, Path], tmp_path: Path) -> None:
    listing = tmp_path / "services.txt"
    listing.write_text(f"# the orders domain\n{fleet['old']}\n\n{fleet['drifted']}  # preset\n")
    result = plinth("fleet", "status", str(fleet["fresh"]), str(fleet["modified"]),
                    "--from", str(listing), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == "plinth.fleet/1"
    assert report["latest"] == "0.4.0"
    rows = by_path(report, "services")
    assert list(rows) == ["fresh", "modified", "old", "drifted"]
    template = str(fleet["template"])

    fresh = rows["fresh"]
    assert fresh["name"] == "acme-orders"
    assert fresh["src_path"] == template
    assert fresh["version"] == "0.4.0" and fresh["latest"] == "0.4.0"
    assert fresh["behind"] == 0 and fresh["update_available"] is False
    assert fresh["answers"] == recorded(fleet["fresh"])
    assert fresh["answers"]["server"] == "uvicorn" and fresh["answers"]["scheduled_update"] is False
    assert fresh["preset"] is None
    assert fresh["modified"] == [] and fresh["deleted"] == [] and fresh["error"] is None

    modified = rows["modified"]
    assert modified["version"] == "0.4.0" and modified["behind"] == 0
    assert modified["modified"] == ["Dockerfile", "README.md"], "NOTES.md is the team's own"
    assert modified["deleted"] == [".pre-commit-config.yaml"]

    old = rows["old"]
    assert old["version"] == "0.2.0" and old["behind"] == 2
    assert old["update_available"] is True
    assert (
        old["commit"]
        == yaml.safe_load((fleet["old"] / ".copier-answers.yml").read_text())["_commit"]
    )
    assert "scheduled_update" not in old["answers"], "0.2.0 did not ask it"
    assert old["modified"] == [] and old["deleted"] == []

    drifted = rows["drifted"]
    assert drifted["version"] == "0.4.0"
    assert drifted["preset"] == {
        "name": "acme-platform",
        "differs": {
            "server": {"preset": "gunicorn-uvicorn", "service": "uvicorn", "locked": False}
        },
    }
    assert drifted["modified"] == [], "the preset file is the service's, not the template's"


def test_status_table_and_markdown(fleet: dict[str, Path]) -> None:
    paths = [str(fleet[name]) for name in ("fresh", "old", "drifted")]
    table = plinth("fleet", "status", *paths)
    assert table.exit_code == 0, table.output
    assert "latest release: 0.4.0" in table.output and "0.2.0" in table.output

    page = plinth("fleet", "status", *paths, "--markdown")
    assert page.exit_code == 0, page.output
    lines = page.output.splitlines()
    header = "| service | version | behind | update | preset drift | modified template files |"
    assert header in lines
    assert "| acme-orders | 0.2.0 | 2 | yes | - | - |" in lines
    assert "| acme-orders | 0.4.0 | 0 | no | acme-platform: server | - |" in lines
    assert "- `server`: `uvicorn`, preset `gunicorn-uvicorn`" in lines


def test_status_of_a_directory_that_is_no_service_fails(tmp_path: Path) -> None:
    result = plinth("fleet", "status", str(tmp_path), "--json")
    assert result.exit_code == 1
    [row] = json.loads(result.output)["services"]
    assert ".copier-answers.yml" in row["error"]


def test_update_reports_each_service_and_pushes_nothing(
    fleet: dict[str, Path], tmp_path: Path
) -> None:
    names = ["fresh", "old", "locked", "dirty"]
    work = {name: shutil.copytree(fleet[name], tmp_path / name, symlinks=True) for name in names}
    origin_before = git(fleet["old"].parent / "old-origin.git", "rev-parse", "main")

    result = plinth("fleet", "update", *map(str, work.values()), "--json")
    assert result.exit_code == 1, result.output
    rows = by_path(json.loads(result.output), "results")
    assert rows["fresh"]["outcome"] == "up-to-date"
    assert rows["old"]["outcome"] == "refused" and rows["old"]["reason"] == "trust"
    assert "--trust" in rows["old"]["message"]
    assert rows["locked"]["outcome"] == "refused" and rows["locked"]["reason"] == "locked"
    assert "database" in rows["locked"]["message"] and "#platform" in rows["locked"]["message"]
    assert rows["dirty"]["outcome"] == "refused" and rows["dirty"]["reason"] == "dirty"
    assert "README.md" in rows["dirty"]["message"]
    for name in names:
        assert yaml.safe_load((work[name] / ".copier-answers.yml").read_text()) == yaml.safe_load(
            (fleet[name] / ".copier-answers.yml").read_text()
        ), f"{name} changed although it was not updated"

    trusted = plinth("fleet", "update", str(work["old"]), "--trust", "--json")
    assert trusted.exit_code == 0, trusted.output
    [row] = json.loads(trusted.output)["results"]
    assert row["outcome"] == "updated" and row["conflicts"] == []
    assert row["from_version"] == "0.2.0" and row["to_version"] == "0.4.0"
    assert git(work["old"], "status", "--porcelain"), "the update is left for review, uncommitted"
    assert git(work["old"], "rev-parse", "HEAD") == git(fleet["old"], "rev-parse", "HEAD")
    assert git(fleet["old"].parent / "old-origin.git", "rev-parse", "main") == origin_before
