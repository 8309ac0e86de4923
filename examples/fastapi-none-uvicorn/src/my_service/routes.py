"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health

# Plain routers (no nested routers, no lifespans): `create_app` puts their routes on the app itself.
ROUTERS: list[APIRouter] = [
    health.router,
]
