"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health

# Included one by one on the app: a router nested in another costs a match level per request.
ROUTERS: list[APIRouter] = [
    health.router,
]
