"""Run with a generated FastAPI service's Python: a router that includes a router and has a
lifespan works in its app (`create_app` uses `include_router`). Argument: the package name."""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import import_module

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

package = sys.argv[1]
routes = import_module(f"{package}.routes")
create_app = import_module(f"{package}.main").create_app
events: list[str] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    events.append("started")
    yield
    events.append("stopped")


inner = APIRouter(prefix="/inner")


@inner.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


outer = APIRouter(prefix="/outer", lifespan=lifespan)
outer.include_router(inner)
routes.ROUTERS.append(outer)
with TestClient(create_app()) as client:
    assert client.get("/outer/inner/ping").json() == {"ok": True}
    assert client.get("/health").status_code == 200
    assert events == ["started"]
assert events == ["started", "stopped"], events
print("nested router ok")
