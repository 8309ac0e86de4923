"""Inline suppressions (`# plinth: ignore[R7] reason`, in Python, Dockerfiles, YAML, Procfiles
and TOML alike) and the baseline an old repository adopts doctor with."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from .files import Repo
from .model import Finding, finding

SUFFIXES = (".py", ".yaml", ".yml", ".toml", ".sh", ".cfg", ".ini", ".txt", ".dockerfile")
IGNORE = re.compile(r"#\s*plinth:\s*ignore\[([A-Za-z0-9_, ]+)\]\s*(.*)$")


def _suppressions(repo: Repo, rel: str) -> dict[int, tuple[set[str], str]]:
    out: dict[int, tuple[set[str], str]] = {}
    for number, text in enumerate(repo.lines(rel), start=1):
        m = IGNORE.search(text)
        if m:
            ids = {i.strip().upper() for i in m.group(1).split(",") if i.strip()}
            out[number] = (ids, m.group(2).strip())
    return out


def apply_suppressions(repo: Repo, findings: list[Finding]) -> list[Finding]:
    """Drop findings suppressed on their line or the line above (a suppression without a
    reason still suppresses, and is reported on its own by `reasonless`)."""
    cache: dict[str, dict[int, tuple[set[str], str]]] = {}
    kept = []
    for f in findings:
        marks = cache.setdefault(f.path, _suppressions(repo, f.path))
        if not any(n in marks and f.rule in marks[n][0] for n in (f.line, f.line - 1)):
            kept.append(f)
    return kept


def reasonless(repo: Repo) -> list[Finding]:
    """Every suppression that gives no reason (C21)."""
    out = []
    dockerfiles = set(repo.dockerfiles)
    for rel in repo.files:
        readable = "." not in rel.rsplit("/", 1)[-1] or rel.endswith(SUFFIXES) or rel in dockerfiles
        text = repo.text(rel) if readable else None
        if text is None:
            continue
        if "plinth:" not in text:
            continue
        for number, (ids, reason) in _suppressions(repo, rel).items():
            if not reason:
                out.append(
                    finding(
                        "C21",
                        rel,
                        number,
                        f"`plinth: ignore[{','.join(sorted(ids))}]` gives no reason.",
                        "Say why the rule does not apply here: `# plinth: "
                        f"ignore[{','.join(sorted(ids))}] <reason>`.",
                    )
                )
    return out


# --------------------------------------------------------------------------- baseline


def fingerprint(repo: Repo, f: Finding) -> str:
    """Stable across edits elsewhere in the file: the rule, the file and the text of the line."""
    lines = repo.lines(f.path)
    text = lines[f.line - 1].strip() if 0 < f.line <= len(lines) else ""
    return hashlib.sha256(f"{f.rule}\0{f.path}\0{text}".encode()).hexdigest()[:20]


def write_baseline(repo: Repo, findings: list[Finding], path: Path) -> None:
    rows = sorted(
        ({"rule": f.rule, "path": f.path, "fingerprint": fingerprint(repo, f)} for f in findings),
        key=lambda r: (r["path"], r["rule"], r["fingerprint"]),
    )
    path.write_text(json.dumps({"version": 1, "findings": rows}, indent=2) + "\n", encoding="utf-8")


def load_baseline(path: Path) -> Counter[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ValueError(f"{path} is not a plinth doctor baseline")
    return Counter(str(row["fingerprint"]) for row in data["findings"])


def apply_baseline(repo: Repo, findings: list[Finding], baseline: Counter[str]) -> list[Finding]:
    """Findings not in the baseline (each baselined fingerprint absorbs one finding)."""
    left = Counter(baseline)
    out = []
    for f in findings:
        fp = fingerprint(repo, f)
        if left[fp] > 0:
            left[fp] -= 1
        else:
            out.append(f)
    return out
