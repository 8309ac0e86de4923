"""Every router of the service, assembled in one place."""

from fastapi import APIRouter

from . import health
from .items.router import router as items_router

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(items_router)
