"""The guided mode's recommendation rules (plinth.recommend): every workload gives an answer set
that copier.yml accepts, every decision cites rules that exist in docs/RULES.md."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from helpers import REPO_ROOT

from plinth.recommend import Workload, recommend, rules_cited
from plinth.template import Refusal, TemplateSource, load_questions, refusals, resolve_answers

QUESTIONS = load_questions(REPO_ROOT)
DEPLOYS = [
    tuple(combo)
    for size in (1, 2, 3)
    for combo in itertools.combinations(["compose", "kubernetes", "cloud-run"], size)
]
WORKLOADS = [
    Workload(handlers, batteries, long_lived, jobs, deploy, database)
    for handlers, batteries, long_lived, jobs, deploy, database in itertools.product(
        ["io", "cpu"], [False, True], [False, True], ["none", "background", "scheduled"],
        DEPLOYS, ["postgresql", "mysql", "sqlite", "none"],
    )
]  # fmt: skip


def refused_by(answers: dict, refusal: Refusal) -> bool:
    if answers.get(refusal.question) != refusal.value:
        return False
    for key, value in refusal.when.items():
        given = answers.get(key)
        if isinstance(value, list):
            if not set(value) <= set(given or []):
                return False
        elif given != value:
            return False
    return True


def test_every_workload_gets_an_answer_set_copier_yml_accepts() -> None:
    matrix = refusals(REPO_ROOT, QUESTIONS)
    choices = {q.key: q.values for q in QUESTIONS if q.choices}
    for workload in WORKLOADS:
        answers = recommend(workload).answers
        for key, value in answers.items():
            allowed = choices.get(key)
            if allowed is not None:
                values = value if isinstance(value, list) else [value]
                assert set(values) <= set(allowed), (workload, key, value)
        assert not [r for r in matrix if refused_by(answers, r)], workload


def test_rules_cited_exist_in_the_rulebook() -> None:
    rulebook = (REPO_ROOT / "docs" / "RULES.md").read_text()
    defined = set(re.findall(r"^- (R\d+)\.", rulebook, re.MULTILINE))
    cited = set().union(*(rules_cited(recommend(w).decisions) for w in WORKLOADS))
    assert cited and cited <= defined, cited - defined


@pytest.mark.parametrize(
    ("workload", "expected", "rules"),
    [
        (Workload(), {"framework": "fastapi", "server": "gunicorn-uvicorn", "task_queue": "none"},
         {"R8"}),
        (Workload(handlers="cpu"), {"framework": "flask", "server": "gunicorn", "workload": "cpu"},
         {"R8", "R14"}),
        (Workload(batteries=True), {"framework": "django", "server": "gunicorn",
                                    "workload": "io"}, {"R1", "R8"}),
        (Workload(batteries=True, long_lived=True),
         {"framework": "django", "server": "gunicorn-uvicorn"}, {"R2"}),
        (Workload(handlers="cpu", long_lived=True),
         {"framework": "fastapi", "server": "gunicorn-uvicorn"}, {"R14"}),
        (Workload(jobs="scheduled", deploy=("kubernetes",)),
         {"task_queue": "celery", "broker": "redis", "celery_beat": True}, {"R20", "R22"}),
        (Workload(jobs="background", deploy=("cloud-run",)), {"task_queue": "none"}, {"R14"}),
        (Workload(database="sqlite", deploy=("kubernetes",)), {"database": "postgresql"},
         {"R17"}),
    ],
    ids=["io", "cpu", "django", "django-websockets", "cpu-websockets", "scheduled",
         "cloud-run-jobs", "sqlite-k8s"],
)  # fmt: skip
def test_recommendation(workload: Workload, expected: dict, rules: set[str]) -> None:
    rec = recommend(workload)
    assert rec.answers | expected == rec.answers
    assert rules <= rules_cited(rec.decisions)
    assert all(d.reason and d.rules for d in rec.decisions)


def test_cpu_bound_decision_reads_like_the_rulebook() -> None:
    server = next(d for d in recommend(Workload(handlers="cpu")).decisions if d.key == "server")
    assert server.line() == (
        "server = gunicorn: CPU-bound requests: sync gunicorn workers, 2xC+1; heavy work belongs "
        "in Celery (R8, R14)"
    )


@pytest.mark.parametrize("workload", [Workload(handlers="cpu", batteries=True, jobs="scheduled"),
                                      Workload(long_lived=True, deploy=("cloud-run",))],
                         ids=["django-cpu-beat", "fastapi-cloud-run"])  # fmt: skip
def test_copier_itself_accepts_recommendations(workload: Workload, template_repo: Path) -> None:
    answers = recommend(workload).answers
    resolved = resolve_answers(TemplateSource(str(template_repo), "HEAD", "test"), answers)
    for key, value in answers.items():
        assert resolved.answers[key] == value, key
