"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health
from .items.router import router as items_router

# `create_app` includes each one; a router may include routers of its own.
ROUTERS: list[APIRouter] = [
    health.router,
    items_router,
]
