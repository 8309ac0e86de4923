"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health
from .digests.router import router as digests_router
from .items.router import router as items_router
from .tasks.router import router as tasks_router

# Plain routers (no nested routers, no lifespans): `create_app` puts their routes on the app itself.
ROUTERS: list[APIRouter] = [
    health.router,
    items_router,
    digests_router,
    tasks_router,
]
