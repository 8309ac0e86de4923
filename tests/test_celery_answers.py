"""The task-queue answers: the result backend's default follows the broker (fast tier)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import render
from matrix import BASE


@pytest.mark.parametrize(("broker", "backend"), [("redis", "redis"), ("rabbitmq", "none")])
def test_result_backend_default_follows_the_broker(
    template_repo: Path, tmp_path: Path, broker: str, backend: str
) -> None:
    """Redis broker: results in the same Redis. RabbitMQ: no second stateful service unasked."""
    dst = render(template_repo, tmp_path / "p", {**BASE, "task_queue": "celery", "broker": broker})
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["result_backend"] == backend
    package = dst / "src" / "acme_orders" / "tasks"
    assert (package / "status.py").exists() == (backend != "none")


def test_no_task_queue_renders_no_celery(template_repo: Path, tmp_path: Path) -> None:
    dst = render(template_repo, tmp_path / "p", {**BASE, "task_queue": "none"})
    assert not (dst / "src" / "acme_orders" / "tasks").exists()
    assert "celery" not in (dst / "pyproject.toml").read_text()
    assert "worker:" not in (dst / "compose.yaml").read_text()
