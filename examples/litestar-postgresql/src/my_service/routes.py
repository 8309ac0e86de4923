"""Every route handler of the service, assembled in one place."""

from litestar.types import ControllerRouterHandler

from .health import HealthController
from .items.controller import ItemController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    HealthController,
    ItemController,
]
