"""Structured logs: one JSON object per line, for our code and for the server's loggers.

Our own loggers (structlog) render and write straight to stdout: no stdlib `LogRecord` per event,
which keeps the per-request access line cheap. The standard library's loggers (uvicorn, gunicorn,
SQLAlchemy, Celery) go through one handler that renders them with the same processors.
"""

import logging
import sys
from typing import Any, TextIO

import structlog

from .settings import LogFormat

_SHARED_PROCESSORS: list[structlog.typing.Processor] = [
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
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.processors.format_exc_info, renderer],
        logger_factory=NamedWriteLoggerFactory(sys.stdout),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    # Server loggers propagate to the root handler instead of printing plain text.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error"):
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    # The request middleware logs each request with its id; the server's access log would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
