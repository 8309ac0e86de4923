"""The Celery configuration the worker runs with (R20-R22)."""

import pytest
from pydantic import ValidationError

from my_service.serving.concurrency import allotment, workers_for
from my_service.settings import Settings
from my_service.tasks.app import celery_config, create_celery, worker_concurrency


def test_messages_survive_a_dead_worker() -> None:
    config = celery_config(Settings(environment="test"))
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["broker_connection_retry_on_startup"] is True
    assert config["broker_transport_options"]["visibility_timeout"] == 1800
    assert config["result_backend_transport_options"]["visibility_timeout"] == 1800


def test_only_json_and_utc() -> None:
    app = create_celery(Settings(environment="test"))
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert str(app.conf.timezone) == "UTC"
    assert app.conf.enable_utc is True
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_concurrency_follows_the_cpu_allotment() -> None:
    assert worker_concurrency(Settings(environment="test")) == workers_for(allotment(), "async")
    assert worker_concurrency(Settings(environment="test", celery_worker_concurrency=3)) == 3


def test_soft_time_limit_must_be_below_the_hard_one() -> None:
    with pytest.raises(ValidationError, match="SOFT_TIME_LIMIT"):
        Settings(celery_task_soft_time_limit_seconds=300, celery_task_time_limit_seconds=300)


def test_visibility_timeout_must_outlast_the_longest_task() -> None:
    with pytest.raises(ValidationError, match="VISIBILITY_TIMEOUT"):
        Settings(celery_visibility_timeout_seconds=300)
