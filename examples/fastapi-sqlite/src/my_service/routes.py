"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health
from .items.router import router as items_router

# Plain routers (no nested routers, no lifespans): `create_app` puts their routes on the app itself.
ROUTERS: list[APIRouter] = [
    health.router,
    items_router,
]
