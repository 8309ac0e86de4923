"""Structured logs: one JSON object per line, for our code and for the server's loggers.

Our own loggers (structlog) render and write straight to stdout: no stdlib `LogRecord` per event,
which keeps the per-request access line cheap. The standard library's loggers (uvicorn, gunicorn,
SQLAlchemy, Celery) go through one handler that renders them with the same processors.

Every line logged while a request is served carries its id: the request middleware sets
`REQUEST_ID`. Anything else a handler binds with `structlog.contextvars.bind_contextvars` is added
too, for the rest of that request.
"""

import json
import logging
import sys
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, WrappedLogger

from .settings import LogFormat, settings_or_exit

# One variable of our own: setting it costs a fraction of a microsecond per request, where
# structlog's bind_contextvars and clear_contextvars cost about 2 us (docs/serving.md C19).
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def accepted_request_id(candidate: str) -> str | None:
    """A caller's X-Request-ID, if it is short and printable, so that logs stay clean."""
    return candidate if 0 < len(candidate) <= 128 and candidate.isprintable() else None


# Orchestrator probes hit these every few seconds per replica: their successes are not logged (a
# failing readiness check logs its own warning, and any 4xx/5xx is logged as usual).
QUIET_PATHS = frozenset({"/health", "/health/ready"})


def access_logged(path: str, status: int) -> bool:
    """Whether a finished request gets an access line: every request middleware asks this."""
    return status >= 400 or path not in QUIET_PATHS


def reset_thread_context(request_id: str | None = None) -> None:
    """At the start and end of a request served on a worker thread, which keeps its context from
    one request to the next (Django's middleware): drop what the previous request bound and set the
    request id (none at the end). ASGI requests each get a fresh context, and Flask's middleware
    runs each request in a copy of its thread's context: they only set it."""
    structlog.contextvars.clear_contextvars()
    REQUEST_ID.set(request_id)


def add_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    if (request_id := REQUEST_ID.get()) is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


_SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    add_request_id,
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


class NamedWriteLogger(structlog.WriteLogger):
    """A `WriteLogger` that keeps the name it was created with, for the `logger` key."""

    def __init__(self, name: str, file: TextIO) -> None:
        super().__init__(file)
        self.name = name


class NamedWriteLoggerFactory:
    def __init__(self, file: TextIO) -> None:
        self._file = file

    def __call__(self, *args: Any) -> NamedWriteLogger:
        return NamedWriteLogger(str(args[0]) if args else "", self._file)


def configure_logging(level: str = "INFO", fmt: LogFormat = "json") -> None:
    """Configure structlog and route the standard library's loggers to the same output."""
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.processors.format_exc_info, _renderer(fmt)],
        logger_factory=NamedWriteLoggerFactory(sys.stdout),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    root.handlers[:] = [stdlib_handler(fmt)]
    root.setLevel(numeric_level)
    # Server loggers propagate to the root handler instead of printing plain text.
    for name in ("uvicorn", "uvicorn.error", "gunicorn.error"):
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    # The request middleware logs each request with its id; the server's access log would repeat
    # it. With no handler to reach, uvicorn does not even build its line: disabling the logger
    # alone still cost about 2 us per request (docs/serving.md C19).
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True


def stdlib_handler(fmt: LogFormat = "json") -> logging.Handler:
    """The one handler for the standard library's loggers, rendering like our own."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED_PROCESSORS,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _renderer(fmt),
            ],
        )
    )
    return handler


def server_handler() -> logging.Handler:
    """`stdlib_handler` at the configured LOG_LEVEL and LOG_FORMAT, for a server process that never
    loads the app (gunicorn's master, uvicorn's and granian's supervisors): their logging config,
    `serving/server_logging.json`, names it, so their own lines come out like the app's. The
    file opens the root logger down to DEBUG: this handler's level is the filter. An invalid
    setting exits here with its one line: logging's dictConfig would reword it as "Unable to
    configure handler"."""
    settings = settings_or_exit()
    handler = stdlib_handler(settings.log_format)
    handler.setLevel(settings.log_level.upper())
    return handler


# One encoder for every line. structlog's JSONRenderer hands `json.dumps` a `default=`, and
# json.dumps then builds a new encoder for each call: about 30,000 instructions of an access line's
# 109,000 (docs/serving.md C19). Same output; a value JSON cannot hold is written as its repr.
_JSON = json.JSONEncoder(default=repr)


def render_json(_: WrappedLogger, __: str, event_dict: EventDict) -> str:
    return _JSON.encode(event_dict)


def _renderer(fmt: LogFormat) -> structlog.typing.Processor:
    if fmt == "json":
        return render_json
    return structlog.dev.ConsoleRenderer(colors=False)
