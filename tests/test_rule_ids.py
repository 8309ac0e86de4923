"""Every rule id a generated service cites resolves in its own docs/serving.md, and the rule text
there is the rulebook's (docs/RULES.md, copied to includes/rules/ by scripts/rule_includes.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import REPO_ROOT, project_files
from matrix import BY_NAME, AnswerSet, params

Render = Callable[[AnswerSet], Path]

# Each framework, each server kind (async, gthread, sync, single), WSGI and ASGI Django, Celery on
# each broker, Kubernetes and Cloud Run.
SETS = [
    BY_NAME[name]
    for name in (
        "defaults",
        "fastapi-sqlite-uvicorn-py312",
        "fastapi-none-hypercorn-py312",
        "django-postgresql-gunicorn-py313",
        "django-mysql-daphne-py312",
        "django-none-gunicorn-sync-py312",
        "flask-postgresql-gunicorn-py313",
        "flask-none-granian-cpu-py312",
        "litestar-none-gunicorn-asgi-py312",
        "celery-redis-beat-flower",
        "django-celery-rabbitmq-flower",
        "flask-celery-rabbitmq-none-k8s",
        "litestar-celery-rabbitmq-flower",
    )
]
# "R8", a range "R7-R9" (or with an en dash), or "C19"; not a quoted ruff code such as "C4".
CITED = re.compile(r'(?<!["\w])([RC])(\d+)(?:[-\u2013]\1?(\d+))?\b')
HEADING = re.compile(r"^### ([RC]\d+)\b", re.MULTILINE)


# "R1-R25" names the rulebook's whole span (README's closing line), not rules the service cites.
WHOLE_RULEBOOK = ("R", "1", "25")


def cited_ids(text: str) -> set[str]:
    ids = set()
    for letter, first, last in CITED.findall(text):
        if (letter, first, last) != WHOLE_RULEBOOK:
            ids |= {f"{letter}{n}" for n in range(int(first), int(last or first) + 1)}
    return ids


def test_cited_ids_are_read_with_ranges() -> None:
    text = 'workers (R7-R9), R20\u2013R22 and C19; select = ["C4", "E"]; see R12; R1-R25.'
    assert cited_ids(text) == {"R7", "R8", "R9", "R20", "R21", "R22", "C19", "R12"}


def test_rule_includes_match_the_rulebook() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "rule_includes.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("answer_set", params(SETS))
def test_every_cited_rule_id_resolves_in_docs_serving(
    rendered: Render, answer_set: AnswerSet
) -> None:
    project = rendered(answer_set)
    serving = project / "docs" / "serving.md"
    headings = HEADING.findall(serving.read_text())
    assert len(headings) == len(set(headings)), "a rule is rendered twice"
    cited: dict[str, list[str]] = {}
    for path in project_files(project):
        if path == serving:
            continue
        for rule_id in cited_ids(path.read_text(errors="replace")):
            cited.setdefault(rule_id, []).append(str(path.relative_to(project)))
    missing = {rule_id: files for rule_id, files in cited.items() if rule_id not in headings}
    assert not missing, f"cited but not in docs/serving.md: {missing}"
