"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health

# `create_app` includes each one; a router may include routers of its own.
ROUTERS: list[APIRouter] = [
    health.router,
]
