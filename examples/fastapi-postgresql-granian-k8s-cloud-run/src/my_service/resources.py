"""Every pooled resource of an ASGI worker, opened and closed in one place (R13, R15, R16)."""

import os
import ssl
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import anyio.to_thread
import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .db import create_engine, create_sessionmaker, ping
from .readiness import AsyncCheck
from .settings import Settings

logger = structlog.stdlib.get_logger(__name__)


@dataclass(frozen=True)
class Resources:
    """What the lifespan puts on `app.state`, one attribute per field, for the dependencies."""

    http_client: httpx.AsyncClient
    readiness_checks: dict[str, AsyncCheck]
    sessions: async_sessionmaker[AsyncSession]


def outbound_tls() -> ssl.SSLContext | bool:
    """How the HTTP client verifies servers: against the OS's hashed CA directory, read one issuer
    at a time during handshakes. httpx's default, loading a whole CA bundle, costs every worker
    30-80 ms and 2 MB at start (docs/serving.md C17); it stays where there is no such
    directory (macOS, Windows) or SSL_CERT_FILE names a bundle."""
    capath = ssl.get_default_verify_paths().capath
    if capath is None or os.environ.get("SSL_CERT_FILE"):
        return True
    return ssl.create_default_context(capath=capath)


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    """Open the pools of one worker process (each worker runs its own lifespan: pools are per
    worker, R16) and close them all on the way out."""
    # Sync handlers and blocking calls run in the anyio thread pool, sized here (R13).
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.thread_pool_size
    readiness_checks: dict[str, AsyncCheck] = {}
    async with AsyncExitStack() as stack:
        http_client = await stack.enter_async_context(
            httpx.AsyncClient(timeout=settings.http_timeout_seconds, verify=outbound_tls())
        )
        engine = create_engine(settings)
        stack.push_async_callback(engine.dispose)
        readiness_checks["database"] = lambda: ping(engine)
        logger.info("started", environment=settings.environment)
        yield Resources(
            http_client=http_client,
            readiness_checks=readiness_checks,
            sessions=create_sessionmaker(engine),
        )
    logger.info("stopped")
