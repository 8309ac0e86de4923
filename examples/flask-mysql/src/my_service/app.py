"""Application factory: settings, logging, database, blueprints and error handlers.

Gunicorn imports `wsgi:app` in each worker after the fork, so everything created here (the
database engine and its pool) belongs to one worker process (R16).
"""

import structlog
from flask import Flask

from .db import init_db, ping
from .errors import register_error_handlers
from .logs import configure_logging
from .readiness import BlockingCheck
from .request_context import register_request_context
from .routes import register_blueprints
from .settings import Settings, get_settings

logger = structlog.stdlib.get_logger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    app = Flask(__name__)
    # Werkzeug answers 413 before reading a body that declares more, and stops one that sends more.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["settings"] = settings
    readiness_checks: dict[str, BlockingCheck] = {}
    engine = init_db(app, settings)
    readiness_checks["database"] = lambda: ping(engine)
    app.extensions["readiness_checks"] = readiness_checks

    register_request_context(app)
    register_error_handlers(app)
    register_blueprints(app)
    logger.info("started", environment=settings.environment)
    return app
