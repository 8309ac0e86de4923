"""Application factory and the one lifespan that owns every pooled resource (R16)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .errors import EXCEPTION_HANDLERS
from .logs import configure_logging
from .middleware import RequestContextMiddleware
from .resources import open_resources
from .routes import ROUTERS
from .settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings) as resources:
            for name, value in vars(resources).items():
                setattr(app.state, name, value)
            yield

    app = FastAPI(
        title=settings.app_name,
        lifespan=lifespan,
        docs_url=None if settings.environment == "production" else "/docs",
        redoc_url=None,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    # Handlers read these settings through `deps.AppSettings`. (Not dependency_overrides: any
    # override makes FastAPI do extra work on every request.)
    app.state.settings = settings
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    return app
