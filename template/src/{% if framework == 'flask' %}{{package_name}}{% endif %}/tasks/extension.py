"""Celery as a Flask extension, the Flask docs' pattern: the factory calls `init_celery(app)`,
and every task runs inside this Flask app's context, so task code can use what views use
(`current_app`, `db.get_session()`).

The web process only publishes; the worker builds the same Flask app (`tasks/worker.py`) and runs
the tasks with it.
"""

import atexit
from typing import Any

from celery import Celery
from flask import Flask, current_app

from ..settings import Settings
from .app import ReliableTask, close_broker_pools, create_celery, load_broker_client


def init_celery(app: Flask, settings: Settings) -> Celery:
    class FlaskTask(ReliableTask):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return super().__call__(*args, **kwargs)

    celery = create_celery(settings, task_cls=FlaskTask)
    load_broker_client(celery)
    # WSGI has no lifespan: the broker pool goes when the worker process exits (R16).
    atexit.register(close_broker_pools, celery)
    app.extensions["celery"] = celery
    return celery


def get_celery() -> Celery:
    """The current app's Celery, for views that publish tasks or read their state."""
    celery: Celery = current_app.extensions["celery"]
    return celery
