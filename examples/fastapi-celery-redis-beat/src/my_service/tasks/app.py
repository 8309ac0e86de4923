"""The Celery application, configured from the same `Settings` as the web app (R20-R22).

The web process builds one with `create_celery(settings)` in its lifespan, to publish; the Celery
processes load `my_service.tasks.worker`, which builds it from the environment.
"""

import asyncio
import contextlib
from typing import Any

from celery import Celery, Task
from celery.signals import setup_logging
from kombu import pools

from ..logs import configure_logging
from ..serving.concurrency import allotment, workers_for
from ..settings import Settings, get_settings
from .schedule import BEAT_SCHEDULE

# Modules holding tasks; the worker imports them at start.
TASK_MODULES = ["my_service.digests.tasks", "my_service.tasks.schedule"]

# Errors worth retrying: the broker, a database or a remote service was briefly unreachable.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (ConnectionError, TimeoutError)


class ReliableTask(Task):  # type: ignore[type-arg]
    """Base of every task: retries transient errors with exponential backoff and jitter (R20).

    The backoff ceiling comes from the settings (`task_annotations` below), because the Redis
    visibility timeout must exceed it (R21).
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_jitter = True
    max_retries = 5


def worker_concurrency(settings: Settings) -> int:
    """Pool processes: the override, else one per CPU of the container's allotment, capped by its
    memory. The allotment comes from serving/concurrency.py, the one place that reads cgroups (R7).
    """
    if settings.celery_worker_concurrency is not None:
        return settings.celery_worker_concurrency
    return workers_for(allotment(), kind="async")


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": settings.celery_broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": settings.celery_broker_connect_timeout_seconds,
        "broker_transport_options": {
            "visibility_timeout": settings.celery_visibility_timeout_seconds,
            # kombu scans for expired unacked messages every 10 s but, by default, only on every
            # 10th sweep: a killed worker's tasks would wait up to 100 s more. Scan every sweep.
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": settings.celery_broker_connect_timeout_seconds,
        },
        "result_backend": settings.celery_result_backend,
        "result_backend_transport_options": {
            "visibility_timeout": settings.celery_visibility_timeout_seconds,
        },
        "result_expires": settings.celery_result_expires_seconds,
        "result_extended": True,
        # R20: a message is acknowledged after its task ran, so a killed worker loses nothing.
        "task_acks_late": settings.celery_task_acks_late,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": settings.celery_default_queue,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        "task_soft_time_limit": settings.celery_task_soft_time_limit_seconds,
        "task_time_limit": settings.celery_task_time_limit_seconds,
        "task_track_started": True,
        "task_annotations": {"*": {"retry_backoff_max": settings.celery_retry_backoff_max_seconds}},
        "worker_concurrency": worker_concurrency(settings),
        "worker_hijack_root_logger": False,
        "include": TASK_MODULES,
        "beat_schedule": BEAT_SCHEDULE,
    }


def create_celery(
    settings: Settings, task_cls: str | type[Task[Any, Any]] = f"{__name__}:ReliableTask"
) -> Celery:
    """`task_cls`, the base class of every task, derives from `ReliableTask` (R20)."""
    app = Celery(settings.app_name, task_cls=task_cls, set_as_current=False)
    app.config_from_object(celery_config(settings))
    return app


@setup_logging.connect
def _use_our_logging(**_: object) -> None:
    """Celery's processes log through structlog, like the web app, not through Celery's handlers."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


def close_broker_pools(app: Celery) -> None:
    """Lifespan teardown (R16): close the pooled broker connections this process published on.
    `Celery.close()` alone only forgets the pool and leaves its sockets open."""
    # The producers' connections come from this pool (celery-types types it without the method).
    app.pool.force_close_all()  # type: ignore[attr-defined]
    # kombu keeps that pool, and the producers on it, per broker URL for the whole process:
    # forget the closed ones, or an app started later in this process (the next test) gets them.
    broker = app.connection_for_write()
    for group in (pools.producers, pools.connections):
        with contextlib.suppress(KeyError):
            del group[broker]
    app.close()


def load_broker_client(app: Celery) -> None:
    """Import the broker's client library now (no network): it takes about a second, which the
    first readiness probe would otherwise spend against its timeout."""
    with app.connection_for_write() as connection:
        _ = connection.transport


def connect_to_broker(app: Celery) -> None:
    """Readiness (R18): open a fresh connection, one attempt, no retry sleeps. kombu's client
    blocks: call it on a thread, never on an event loop (R12)."""
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0)


async def ping_broker(app: Celery) -> None:
    await asyncio.to_thread(connect_to_broker, app)
