"""The task-queue answers: the result backend's default follows the broker (fast tier)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from matrix import BASE


def render(copie: Any, template_repo: Path, answers: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """A render of the working-tree snapshot through pytest-copie: its folder and its answers."""
    result = copie.copy(extra_answers={**BASE, **answers}, template_dir=template_repo)
    assert result.exception is None, result.exception
    return Path(result.project_dir), result.answers


@pytest.mark.parametrize(("broker", "backend"), [("redis", "redis"), ("rabbitmq", "none")])
def test_result_backend_default_follows_the_broker(
    copie: Any, template_repo: Path, broker: str, backend: str
) -> None:
    """Redis broker: results in the same Redis. RabbitMQ: no second stateful service unasked."""
    dst, answers = render(copie, template_repo, {"task_queue": "celery", "broker": broker})
    assert answers["result_backend"] == backend
    package = dst / "src" / "acme_orders" / "tasks"
    assert (package / "status.py").exists() == (backend != "none")


def test_no_task_queue_renders_no_celery(copie: Any, template_repo: Path) -> None:
    dst, _ = render(copie, template_repo, {"task_queue": "none"})
    assert not (dst / "src" / "acme_orders" / "tasks").exists()
    assert "celery" not in (dst / "pyproject.toml").read_text()
    assert "worker:" not in (dst / "compose.yaml").read_text()
