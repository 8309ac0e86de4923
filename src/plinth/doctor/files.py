"""Reading a repository without running it: the file walk, YAML with line numbers, Dockerfiles,
Procfiles, dependency lists."""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".env",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
        "site-packages",
        ".eggs",
        ".idea",
        ".vscode",
    }
)
# Templates of files (Copier's, Helm's, cookiecutter's are Jinja) are not the files themselves.
TEMPLATE_SUFFIXES = (".jinja", ".j2", ".tmpl", ".tpl")
# Test code is not served: the serving rules skip it (R25 placeholders in tests are expected too).
TEST_PARTS = frozenset({"tests", "test", "testing"})


def is_test_path(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    return (
        bool(TEST_PARTS.intersection(parts[:-1]))
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def is_dev_file(rel: str) -> bool:
    """Files meant for a developer's machine (compose overrides, Dockerfile.dev), where a
    reloading server is the point."""
    words = r"(dev|devel|development|local|override|test|tests|testing)"
    *dirs, name = rel.lower().split("/")
    return bool(re.search(rf"(^|[._-]){words}([._-]|$)", name)) or any(
        re.fullmatch(words, d) for d in dirs
    )


# --------------------------------------------------------------------------- YAML with lines


class YMap(dict[str, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int
    lines: dict[str, int]


class YList(list[Any]):
    line: int
    lines: list[int]


def _convert(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.line, out.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = _convert(key_node)
            if key == "<<" and isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                merged = _convert(value_node)
                for m in merged if isinstance(merged, list) else [merged]:
                    if isinstance(m, YMap):
                        for k, v in m.items():
                            out.setdefault(k, v)
                            out.lines.setdefault(k, m.lines.get(k, out.line))
                continue
            out[str(key)] = _convert(value_node)
            out.lines[str(key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = YList(_convert(n) for n in node.value)
        seq.line, seq.lines = node.start_mark.line + 1, [n.start_mark.line + 1 for n in node.value]
        return seq
    return _scalar(node)


_SCALARS = yaml.SafeLoader("")


def _scalar(node: yaml.Node) -> Any:
    """A scalar's Python value by its resolved tag (int, bool, null, str...)."""
    try:
        return _SCALARS.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    finally:
        _SCALARS.constructed_objects.clear()


def load_yaml_docs(text: str) -> list[Any]:
    """Every document of a YAML stream, or [] when it does not parse (templated YAML)."""
    try:
        return [_convert(n) for n in yaml.compose_all(text, Loader=yaml.SafeLoader) if n]
    except yaml.YAMLError:
        return []


def line_of(container: Any, key: str | int, default: int = 1) -> int:
    if isinstance(container, YMap):
        return container.lines.get(str(key), container.line)
    if isinstance(container, YList) and isinstance(key, int) and key < len(container.lines):
        return container.lines[key]
    return getattr(container, "line", default)


# --------------------------------------------------------------------------- Dockerfile


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form instruction, or None for shell form."""
        try:
            value = json.loads(self.args)
        except json.JSONDecodeError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None

    def argv(self) -> list[str]:
        form = self.exec_form()
        if form is not None:
            return form
        return split_shell(self.args)


@dataclass
class Stage:
    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Instructions with their first line, grouped in stages; comments and continuations
    handled, heredocs not (plinth's images have none, R24)."""
    escape = "\\"
    if m := re.match(r"\s*#\s*escape\s*=\s*(\S)", text):
        escape = m.group(1)
    instructions: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not buffer:
            start = number
        if stripped.endswith(escape):
            buffer += stripped[:-1].rstrip() + " "
            continue
        buffer += stripped
        keyword, _, args = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        buffer = ""
    if buffer:
        keyword, _, args = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(base=words[0] if words else "", name=name, line=ins.line))
        elif stages:
            stages[-1].instructions.append(ins)
    return stages


def dockerfile_env(ins: Instruction) -> dict[str, str]:
    """ENV/ARG pairs (`ENV A=1 B=2`, legacy `ENV A 1`, `ARG A=1`)."""
    words = split_shell(ins.args)
    if ins.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    out: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        out[name] = value if sep else ""
    return out


def split_shell(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return command.split()


# --------------------------------------------------------------------------- dependencies


@dataclass(frozen=True)
class Requirement:
    name: str  # normalised (PEP 503)
    extras: frozenset[str]
    path: str
    line: int
    dev: bool


_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[([^\]]*)\])?")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(spec: str, path: str, line: int, dev: bool) -> Requirement | None:
    m = _REQ.match(spec)
    if not m:
        return None
    extras = frozenset(normalise(e.strip()) for e in (m.group(3) or "").split(",") if e.strip())
    return Requirement(normalise(m.group(1)), extras, path, line, dev)


def _line_containing(lines: list[str], needle: str) -> int:
    for number, text in enumerate(lines, start=1):
        if needle in text:
            return number
    return 1


def pyproject_requirements(text: str, path: str) -> list[Requirement]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    lines = text.splitlines()
    found: list[tuple[str, bool]] = []
    project = data.get("project", {})
    found += [(s, False) for s in project.get("dependencies", []) if isinstance(s, str)]
    for group in project.get("optional-dependencies", {}).values():
        found += [(s, True) for s in group if isinstance(s, str)]
    for group in data.get("dependency-groups", {}).values():
        found += [(s, True) for s in group if isinstance(s, str)]
    poetry = data.get("tool", {}).get("poetry", {})
    for name, value in poetry.get("dependencies", {}).items():
        extras = value.get("extras", []) if isinstance(value, dict) else []
        found.append((f"{name}[{','.join(extras)}]" if extras else name, False))
    out = []
    for spec, dev in found:
        req = parse_requirement(spec, path, _line_containing(lines, spec.split(";")[0]), dev)
        if req:
            out.append(req)
    return out


def requirements_txt(text: str, path: str) -> list[Requirement]:
    dev = bool(re.search(r"dev|test|lint|docs", path.rsplit("/", 1)[-1]))
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        spec = raw.split("#", 1)[0].strip()
        if not spec or spec.startswith("-"):
            continue
        req = parse_requirement(spec, path, number, dev)
        if req:
            out.append(req)
    return out


# --------------------------------------------------------------------------- the repository


class Repo:
    """The audited directory: files found once, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._text: dict[str, str | None] = {}

    @cached_property
    def files(self) -> list[str]:
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            rel_dir = os.path.relpath(dirpath, self.root)
            prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
            out.extend(prefix + name for name in sorted(filenames))
        return out

    def text(self, rel: str) -> str | None:
        if rel not in self._text:
            try:
                self._text[rel] = (self.root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._text[rel] = None
        return self._text[rel]

    def exists(self, rel: str) -> bool:
        return rel in self._file_set

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def named(self, pattern: str) -> list[str]:
        rx = re.compile(pattern)
        return [f for f in self.files if rx.search(f.rsplit("/", 1)[-1])]

    @cached_property
    def python_files(self) -> list[str]:
        return [f for f in self.files if f.endswith(".py")]

    @cached_property
    def dockerfiles(self) -> list[str]:
        found = self.named(r"^(Dockerfile|Containerfile)([._-].*)?$|\.(Dockerfile|Containerfile)$")
        return [f for f in found if not f.endswith(TEMPLATE_SUFFIXES)]

    @cached_property
    def yaml_files(self) -> list[str]:
        return [f for f in self.files if f.endswith((".yaml", ".yml"))]

    @cached_property
    def compose_files(self) -> list[str]:
        return [
            f
            for f in self.yaml_files
            if re.match(r"^(docker-)?compose([._-].*)?\.ya?ml$", f.rsplit("/", 1)[-1])
        ]

    @cached_property
    def requirements(self) -> list[Requirement]:
        out: list[Requirement] = []
        for rel in self.files:
            name = rel.rsplit("/", 1)[-1]
            if name == "pyproject.toml":
                out += pyproject_requirements(self.text(rel) or "", rel)
            elif re.match(r"^requirements.*\.(txt|in)$", name):
                out += requirements_txt(self.text(rel) or "", rel)
        return out

    def requirement(self, name: str, *, runtime: bool = True) -> Requirement | None:
        for req in self.requirements:
            if req.name == name and not (runtime and req.dev):
                return req
        return None

    @cached_property
    def _project_dirs(self) -> list[str]:
        """Folders holding a Python project (pyproject.toml, setup.py/cfg), deepest first."""
        names = {"pyproject.toml", "setup.py", "setup.cfg"}
        dirs = {f.rpartition("/")[0] for f in self.files if f.rsplit("/", 1)[-1] in names}
        return sorted(dirs, key=lambda d: -d.count("/") - (1 if d else 0))

    def project_root(self, rel: str) -> str:
        """The folder of the project a file belongs to ("" for the repository root)."""
        for d in self._project_dirs:
            if d and (rel == d or rel.startswith(d + "/")):
                return d
        return ""

    def lines(self, rel: str) -> list[str]:
        return (self.text(rel) or "").splitlines()

    def walk_text(self, suffixes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        for rel in self.files:
            if rel.endswith(suffixes):
                text = self.text(rel)
                if text is not None:
                    yield rel, text
