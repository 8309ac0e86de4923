"""One audit: read the repository, run the rules and ruff, suppress, select, baseline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import template
from .files import Repo
from .model import RULES, Finding
from .ruff import RuffRun
from .rules import Audit, run_rules
from .suppress import apply_baseline, apply_suppressions, reasonless


@dataclass
class Result:
    root: Path
    findings: list[Finding]
    files: int
    python_files: int
    ruff: bool
    template: str | None = None  # "plinth v0.3.0 (abc123...)" for a generated service
    notes: list[str] = field(default_factory=list)


def expand(ids: list[str]) -> set[str]:
    """Rule ids from `--select/--ignore` (comma-separated, case-insensitive); `R2-R5` ranges.
    Raises ValueError on an id that is not a rule."""
    out: set[str] = set()
    for raw in ids:
        for part in filter(None, (p.strip().upper() for p in raw.split(","))):
            if "-" in part:
                lo, _, hi = part.partition("-")
                if lo[:1] == hi[:1] and lo[1:].isdigit() and hi[1:].isdigit():
                    got = {
                        f"{lo[0]}{n}" for n in range(int(lo[1:]), int(hi[1:]) + 1)
                    } & RULES.keys()
                    if got:
                        out |= got
                        continue
            if part not in RULES:
                raise ValueError(f"unknown rule {part!r}; rules: {', '.join(RULES)}")
            out.add(part)
    return out


def generated_from(root: Path) -> str | None:
    path = root / ".copier-answers.yml"
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(answers, dict) or not template.is_plinth_answers(answers):
        return None
    return template.template_version(answers)


def audit(
    root: Path,
    *,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    baseline: Counter[str] | None = None,
    use_ruff: bool = True,
) -> Result:
    ruff_run = RuffRun(root) if use_ruff else None
    repo = Repo(root)
    findings = run_rules(Audit(repo))
    ruff = ruff_run.findings() if ruff_run else None
    if ruff:
        at = {(f.path, f.line) for f in ruff}
        findings = [f for f in findings if not (f.rule == "R12" and (f.path, f.line) in at)] + ruff
    findings = apply_suppressions(repo, findings) + reasonless(repo)
    if select:
        findings = [f for f in findings if f.rule in select]
    if ignore:
        findings = [f for f in findings if f.rule not in ignore]
    unique: dict[tuple[str, str, int, str], Finding] = {}
    for f in findings:
        unique.setdefault((f.rule, f.path, f.line, f.message), f)
    findings = sorted(unique.values(), key=Finding.sort_key)
    if baseline is not None:
        findings = apply_baseline(repo, findings, baseline)
    notes = []
    if ruff is None and use_ruff:
        notes.append("ruff was not found: blocking calls are checked by plinth's own analysis only")
    return Result(
        root,
        findings,
        len(repo.files),
        len(repo.python_files),
        ruff is not None,
        generated_from(root),
        notes,
    )


def to_json(result: Result) -> dict[str, Any]:
    return {
        "root": str(result.root),
        "template": result.template,
        "files": result.files,
        "findings": [
            {
                "rule": f.rule,
                "title": f.title,
                "severity": f.severity.label,
                "path": f.path,
                "line": f.line,
                "message": f.message,
                "fix": f.fix,
                "source": f.source,
            }
            for f in result.findings
        ],
    }
