"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health
from .items.router import router as items_router

# Included one by one on the app: a router nested in another costs a match level per request.
ROUTERS: list[APIRouter] = [
    health.router,
    items_router,
]
