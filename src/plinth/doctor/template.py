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

# The plinth repository: copier.yml, releases.yml.
TEMPLATE_ROOT = Path(__file__).resolve().parents[3]


@cache
def _questions() -> dict[str, Any] | None:
    path = TEMPLATE_ROOT / "copier.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


@cache
def _environment() -> jinja2.Environment:
    """Jinja as Copier sets it up: its filters (regex_replace, to_nice_yaml...) included."""
    extensions = []
    try:
        import jinja2_ansible_filters  # noqa: F401  (installed with copier)

        extensions.append("jinja2_ansible_filters.AnsibleCoreFiltersExtension")
    except ImportError:
        pass
    return jinja2.Environment(
        autoescape=False, undefined=jinja2.StrictUndefined, extensions=extensions
    )


def _render(expression: str, context: dict[str, Any]) -> str:
    return _environment().from_string(expression).render(**context).strip()


def _answers(given: dict[str, Any]) -> dict[str, Any] | None:
    """Every question's answer as Copier computes it: the given ones, the rest from their
    defaults in copier.yml's order (computed values such as `server_spec` included)."""
    questions = _questions()
    if questions is None:
        return None
    context = dict(given)
    for key, question in questions.items():
        if key.startswith("_") or key in context or not isinstance(question, dict):
            continue
        default = question.get("default")
        if isinstance(default, str) and ("{{" in default or "{%" in default):
            try:
                default = _render(default, context)
            except jinja2.TemplateError:
                continue
            if question.get("type") == "json":
                try:
                    default = json.loads(default)
                except json.JSONDecodeError:
                    continue
        context[key] = default
    return context


def _refused(server: str, context: dict[str, Any]) -> bool:
    """copier.yml's per-choice validator of this server says no."""
    choices = ((_questions() or {}).get("server") or {}).get("choices") or {}
    for choice in choices.values():
        if isinstance(choice, dict) and choice.get("value") == server and choice.get("validator"):
            try:
                return bool(_render(str(choice["validator"]), context))
            except jinja2.TemplateError:
                return True
    return False


@cache
def server_command(
    framework: str, server: str, workload: str = "io", package_name: str = "app"
) -> tuple[str, ...] | None:
    """The exec-form CMD plinth generates for this framework and server, or None when
    copier.yml is not at hand or plinth refuses the pair."""
    given = {"framework": framework, "server": server, "workload": workload,
             "package_name": package_name}  # fmt: skip
    context = _answers(given)
    if context is None or _refused(server, context):
        return None
    spec = context.get("server_spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("cmd"), list):
        return None
    return tuple(str(part) for part in spec["cmd"])


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
    described = re.fullmatch(r"v?(\d+(?:\.\d+)*)(?:-(\d+)-g[0-9a-f]+)?", commit)
    for version, release_commit in known:
        tagged = described is not None and described.group(1) == version.lstrip("v")
        if tagged or (len(commit) >= 7 and release_commit.startswith(commit)):
            after = described.group(2) if tagged and described else None
            if after:
                return f"{after} commits after plinth {version} ({commit}){latest}"
            if known[-1][0] == version:
                latest = " (the latest release)"
            return f"plinth {version} ({release_commit[:12]}){latest}"
    return f"template commit {commit}{latest}"


def is_plinth_answers(answers: dict[str, Any]) -> bool:
    src = str(answers.get("_src_path") or "")
    return "plinth" in src.lower() or {"framework", "server", "deploy_target"} <= answers.keys()
