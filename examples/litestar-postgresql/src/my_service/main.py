"""Application factory and the one lifespan that owns every pooled resource (R16)."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import anyio.to_thread
import httpx
import structlog
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

from .db import create_engine, create_sessionmaker, ping
from .deps import DEPENDENCIES
from .errors import EXCEPTION_HANDLERS
from .health import ReadinessCheck
from .logs import configure_logging
from .middleware import RequestContextMiddleware
from .routes import ROUTE_HANDLERS
from .settings import Settings, get_settings

logger = structlog.stdlib.get_logger(__name__)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # Each worker process runs this once: pools are per worker (R16). Sync handlers and
        # blocking calls run in the anyio thread pool, sized here (R13).
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

    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            **DEPENDENCIES,
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title=settings.app_name,
            version="0.1.0",
            # The schema is always served at /schema/openapi.json; the UI only outside production.
            render_plugins=[JsonRenderPlugin()]
            if settings.environment == "production"
            else [SwaggerRenderPlugin(), JsonRenderPlugin()],
        ),
        logging_config=None,  # logs.configure_logging owns the handlers
        debug=False,
    )
    # Middleware passed as `middleware=[...]` runs around route handlers only, so a request that
    # matches no route (404, 405) would get no request id and no log line. Wrapping the app's
    # ASGI handler, as Litestar's own OpenTelemetry plugin does, covers every request.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    return app
