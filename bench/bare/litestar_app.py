"""A bare Litestar app with the generated service's `/health`, and nothing else. bench/run.py
copies it into the rendered project as `<package>._bench_bare` and serves it under the same
command."""

from litestar import Litestar, get


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[health])
