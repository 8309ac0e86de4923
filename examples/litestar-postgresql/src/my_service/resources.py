"""Every pooled resource of an ASGI worker, opened and closed in one place (R13, R15, R16)."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import anyio.to_thread
import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .db import create_engine, create_sessionmaker, ping
from .health import ReadinessCheck
from .settings import Settings

logger = structlog.stdlib.get_logger(__name__)


@dataclass(frozen=True)
class Resources:
    """What the lifespan puts on `app.state`, one attribute per field, for the dependencies."""

    http_client: httpx.AsyncClient
    readiness_checks: dict[str, ReadinessCheck]
    sessions: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    """Open the pools of one worker process (each worker runs its own lifespan: pools are per
    worker, R16) and close them all on the way out."""
    # Sync handlers and blocking calls run in the anyio thread pool, sized here (R13).
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.thread_pool_size
    readiness_checks: dict[str, ReadinessCheck] = {}
    async with AsyncExitStack() as stack:
        http_client = await stack.enter_async_context(
            httpx.AsyncClient(timeout=settings.http_timeout_seconds)
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
