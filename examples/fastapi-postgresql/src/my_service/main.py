"""Application factory and the one lifespan that owns every pooled resource (R16)."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import anyio.to_thread
import httpx
import structlog
from fastapi import FastAPI

from .db import create_engine, create_sessionmaker, ping
from .health import ReadinessCheck
from .logs import configure_logging
from .middleware import RequestContextMiddleware
from .routes import ROUTERS
from .settings import Settings, get_settings

logger = structlog.stdlib.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Each worker process runs this once: pools are per worker (R16).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.thread_pool_size
        readiness_checks: dict[str, ReadinessCheck] = {}
        async with AsyncExitStack() as stack:
            app.state.http_client = await stack.enter_async_context(
                httpx.AsyncClient(timeout=settings.http_timeout_seconds)
            )
            engine = create_engine(settings)
            stack.push_async_callback(engine.dispose)
            app.state.sessions = create_sessionmaker(engine)
            readiness_checks["database"] = lambda: ping(engine)
            app.state.readiness_checks = readiness_checks
            logger.info("started", environment=settings.environment)
            yield
        logger.info("stopped")

    app = FastAPI(
        title=settings.app_name,
        lifespan=lifespan,
        docs_url=None if settings.environment == "production" else "/docs",
        redoc_url=None,
    )
    # Handlers read these settings through `deps.AppSettings`. (Not dependency_overrides: any
    # override makes FastAPI do extra work on every request.)
    app.state.settings = settings
    app.add_middleware(RequestContextMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    return app
