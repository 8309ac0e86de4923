"""The matrix in tests/matrix.py must cover every choice of every question in copier.yml."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
import yaml
from helpers import REPO_ROOT
from matrix import ANSWER_SETS, CI_AXES, CI_SETS, DEEP_AXES, DEEP_SETS, REGISTRY, AnswerSet


def questions() -> dict[str, dict[str, Any]]:
    path = REPO_ROOT / "copier.yml"
    assert path.is_file(), "copier.yml is missing"
    data = yaml.safe_load(path.read_text()) or {}
    return {
        k: v
        for k, v in data.items()
        if not k.startswith("_") and isinstance(v, dict) and v.get("when") is not False
    }


def choice_validators(question: dict[str, Any]) -> dict[str, str]:
    """value -> the choice's validator template (choices without one are absent)."""
    choices = question["choices"]
    items = choices.values() if isinstance(choices, dict) else choices
    return {
        str(v["value"]): v["validator"] for v in items if isinstance(v, dict) and v.get("validator")
    }


def reachable(key: str, value: str) -> bool:
    """False when the choice's validator disables it for every framework copier.yml offers, so
    no answer set can render it yet (e.g. server=daphne before Django is offered). As soon as a
    framework accepts it, the matrix must cover it."""
    qs = questions()
    validator = choice_validators(qs[key]).get(value)
    if validator is None or key == "framework":
        return True
    env = jinja2.Environment()
    return any(
        not env.from_string(validator).render(framework=framework).strip()
        for framework in choice_values(qs["framework"])
    )


def choice_values(question: dict[str, Any]) -> list[Any]:
    choices = question["choices"]
    values = choices.values() if isinstance(choices, dict) else choices
    result = []
    for value in values:
        if isinstance(value, dict):  # {value: ..., validator: ...}
            value = value["value"]
        elif isinstance(value, list):  # [label, value]
            value = value[1]
        result.append(str(value))
    return result


def effective(answer_set: AnswerSet, key: str, question: dict[str, Any]) -> str | None:
    """The value a set gives ``key``: explicit, else a literal default (templated: unknown)."""
    if key in answer_set.data:
        return str(answer_set.data[key])
    if question.get("multiselect"):
        return None
    default = question.get("default")
    if default is None or (isinstance(default, str) and ("{{" in default or "{%" in default)):
        return None
    return str(default)


def test_copier_yml_has_choice_questions() -> None:
    assert any("choices" in q for q in questions().values()), "no choice question found"


def test_every_choice_is_in_the_matrix() -> None:
    missing = []
    for key, question in questions().items():
        if "choices" in question:
            wanted = choice_values(question)
        elif question.get("type") == "bool":
            wanted = ["True", "False"]
        else:
            continue
        seen = set()
        for s in ANSWER_SETS:
            if question.get("multiselect"):
                seen.update(map(str, s.data.get(key, question.get("default") or [])))
            else:
                seen.add(effective(s, key, question))
        missing += [
            f"{key}={value}" for value in wanted if value not in seen and reachable(key, value)
        ]
    assert not missing, f"tests/matrix.py covers no answer set with: {', '.join(missing)}"


def test_answer_sets_only_use_known_questions_and_choices() -> None:
    """Every set of the registry (matrix, server proofs, golden samples, ...)."""
    qs = questions()
    problems = []
    for s in REGISTRY:
        for key, value in s.answers.items():
            if key not in qs:
                problems.append(f"{s.name}: unknown question {key!r}")
            elif "choices" in qs[key]:
                values = value if qs[key].get("multiselect") else [value]
                problems += [
                    f"{s.name}: {key}={v!r} is not a choice"
                    for v in values
                    if str(v) not in choice_values(qs[key])
                ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("axis", DEEP_AXES)
def test_deep_tier_boots_every_value(axis: str) -> None:
    qs = questions()
    if axis not in qs or "choices" not in qs[axis]:
        pytest.fail(f"copier.yml has no choice question {axis!r} (update DEEP_AXES)")
    seen = {effective(s, axis, qs[axis]) for s in DEEP_SETS}
    missing = [v for v in choice_values(qs[axis]) if v not in seen and reachable(axis, v)]
    assert not missing, f"no deep answer set boots {axis}={missing}"


@pytest.mark.parametrize("axis", CI_AXES)
def test_ci_workflow_runs_every_value_for_every_framework(axis: str) -> None:
    """tests/test_ci_steps.py runs the generated CI workflow (mypy strict included) for CI_SETS:
    each framework must meet every value of `axis` that copier.yml offers it."""
    qs = questions()
    env = jinja2.Environment()
    validators = choice_validators(qs[axis])
    celery_only = axis in {"broker", "result_backend"}  # asked only with task_queue=celery
    seen = {
        (s.data.get("framework"), effective(s, axis, qs[axis]))
        for s in CI_SETS
        if not celery_only or s.data.get("task_queue") == "celery"
    }
    missing = [
        f"{framework} x {axis}={value}"
        for framework in choice_values(qs["framework"])
        for value in choice_values(qs[axis])
        if not env.from_string(validators.get(value, "")).render(framework=framework).strip()
        and (framework, value) not in seen
    ]
    assert not missing, f"CI_SETS (tests/matrix.py) never runs the workflow for: {missing}"
