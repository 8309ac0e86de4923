"""What plinth itself would generate: the server command from copier.yml's computed
`server_spec` rows (rendered with the same Jinja, never copied by hand), and which template
version a generated service is on."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

TEMPLATE_ROOT = (
    Path(__file__).resolve().parents[3]
)  # the plinth repository (copier.yml, releases.yml)


@cache
def _questions() -> dict[str, Any] | None:
    path = TEMPLATE_ROOT / "copier.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _render(expression: str, context: dict[str, Any]) -> str:
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)
    return env.from_string(expression).render(**context).strip()


@cache
def server_command(
    framework: str, server: str, workload: str = "io", package_name: str = "app"
) -> tuple[str, ...] | None:
    """The exec-form CMD plinth generates for this framework and server, or None when
    copier.yml is not at hand or the pair is not offered."""
    questions = _questions()
    if questions is None:
        return None
    context: dict[str, Any] = {
        "framework": framework,
        "server": server,
        "workload": workload,
        "package_name": package_name,
    }
    try:
        for key in ("interface", "app_target", "server_spec"):
            context[key] = _render(str(questions[key]["default"]), context)
        spec = json.loads(context["server_spec"])
    except (KeyError, TypeError, jinja2.TemplateError, json.JSONDecodeError):
        return None
    validator = (questions.get("server") or {}).get("choices") or {}
    for choice in validator.values():
        if isinstance(choice, dict) and choice.get("value") == server and choice.get("validator"):
            try:
                if _render(str(choice["validator"]), context):
                    return None  # plinth refuses this pair
            except jinja2.TemplateError:
                return None
    return tuple(spec["cmd"])


def recommended(
    framework: str, interface: str, workload: str = "io", package_name: str = "app"
) -> tuple[str, tuple[str, ...]] | None:
    """plinth's default server for a framework, and its command."""
    server = "gunicorn" if framework == "flask" or interface == "wsgi" else "gunicorn-uvicorn"
    cmd = server_command(framework, server, workload, package_name)
    return (server, cmd) if cmd else None


def format_cmd(cmd: tuple[str, ...]) -> str:
    return "CMD " + json.dumps(list(cmd))


# --------------------------------------------------------------------------- versions


RELEASES = TEMPLATE_ROOT / "releases.yml"


def _releases(path: Path) -> list[tuple[str, str]]:
    """(version, commit) pairs from plinth's releases.yml, oldest first; [] without it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    if isinstance(data, dict) and isinstance(data.get("releases"), list | dict):
        data = data["releases"]
    out: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for version, value in data.items():
            commit = value.get("commit") if isinstance(value, dict) else value
            if commit:
                out.append((str(version), str(commit)))
    elif isinstance(data, list):
        for row in data:
            if isinstance(row, dict) and row.get("commit"):
                out.append((str(row.get("version") or row.get("tag") or ""), str(row["commit"])))
    return sorted(out, key=lambda pair: _version_key(pair[0]))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)) or (0,)


def template_version(answers: dict[str, Any], releases: Path = RELEASES) -> str:
    """A generated service's template version, as a sentence part."""
    commit = str(answers.get("_commit") or "")
    if not commit:
        return "an unknown template version (no _commit in .copier-answers.yml)"
    known = _releases(releases)
    latest = f"; latest release {known[-1][0]}" if known else ""
    for version, release_commit in known:
        if commit in {version, release_commit} or (
            len(commit) >= 7 and release_commit.startswith(commit)
        ):
            if known[-1][0] == version:
                latest = " (the latest release)"
            return f"plinth {version} ({release_commit[:12]}){latest}"
    return f"template commit {commit}{latest}"


def is_plinth_answers(answers: dict[str, Any]) -> bool:
    src = str(answers.get("_src_path") or "")
    return "plinth" in src.lower() or {"framework", "server", "deploy_target"} <= answers.keys()
