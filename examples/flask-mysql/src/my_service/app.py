"""Application factory: settings, logging, database, blueprints and error handlers.

Gunicorn imports `wsgi:app` in each worker after the fork, so everything created here (the
database engine and its pool) belongs to one worker process (R16).

The app is flask-openapi's `OpenAPI`, a Flask subclass: its blueprints' views declare their
input as pydantic models (`path`, `query`, `body`), which it validates, and their responses, and
it writes the OpenAPI document served at `/openapi.json`. It is the maintained Flask extension
that builds on pydantic v2, as the shared schemas do, and it keeps Flask's app factory and
blueprints; marshmallow-based ones (APIFlask, flask-smorest) would restate every schema.
"""

from typing import Any

import structlog
from flask_openapi.openapi import OpenAPI

from .contract import ValidationErrorResponse
from .db import init_db, ping
from .errors import JSONBodyRequest, invalid_input, register_error_handlers
from .logs import configure_logging
from .readiness import BlockingCheck
from .request_context import register_request_context
from .routes import register_blueprints
from .settings import Settings, get_settings

logger = structlog.stdlib.get_logger(__name__)


class ServiceApp(OpenAPI):
    """flask-openapi's app: bodies read by the error contract (`errors.JSONBodyRequest`), and an
    OpenAPI document that lists a 422 only where one can be answered."""

    request_class = JSONBodyRequest

    @property
    def api_doc(self) -> dict[str, Any]:
        document: dict[str, Any] = super().api_doc
        # flask-openapi adds a 422 (a list of `validation_error_model`) to every operation that
        # declares none; the views that take input declare theirs (`errors.INVALID`), and the
        # others cannot answer 422.
        for path_item in document["paths"].values():
            for operation in path_item.values():
                invalid = operation["responses"].get("422")
                if invalid and "$ref" not in invalid["content"]["application/json"]["schema"]:
                    del operation["responses"]["422"]
        return document

    def openapi_document(self) -> dict[str, Any]:
        return self.api_doc


def create_app(settings: Settings | None = None) -> ServiceApp:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    app = ServiceApp(
        __name__,
        info={"title": settings.app_name, "version": "0.1.0"},
        doc_ui=False,  # no UI bundled; the document is served below
        validation_error_model=ValidationErrorResponse,
        validation_error_callback=invalid_input,
    )
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
    app.add_url_rule("/openapi.json", view_func=app.openapi_document)
    logger.info("started", environment=settings.environment)
    return app
