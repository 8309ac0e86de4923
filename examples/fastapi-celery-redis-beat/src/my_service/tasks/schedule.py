"""Periodic tasks. Beat publishes them on schedule; it must run as exactly one process (R22)."""

from typing import Any

import structlog
from celery import shared_task

logger = structlog.stdlib.get_logger(__name__)

# Name -> what beat sends and how often (seconds or `celery.schedules.crontab`).
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "heartbeat": {"task": "tasks.heartbeat", "schedule": 60.0},
}


@shared_task(name="tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Proves beat and a worker are alive: alert when this log line stops."""
    logger.info("heartbeat")
