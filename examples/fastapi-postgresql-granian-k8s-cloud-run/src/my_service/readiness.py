"""Readiness checks (R18), run the same way by every framework's `/health/ready`.

A check is a callable that returns while its dependency answers and raises while it does not.
Every check starts at once, and all of them share ONE deadline, `READINESS_TIMEOUT_SECONDS`: a
probe answers within that time however many dependencies hang. A check that has not finished by
then is reported down and left to end on its own (its own timeouts end it); the probe does not
wait for it.

`run_async` is for the async frameworks (the checks are coroutines on the event loop), and
`run_blocking` for the threaded ones (each check on a thread of its own).
"""

import asyncio
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import wait as wait_for_futures
from typing import Literal

import structlog
from pydantic import BaseModel

AsyncCheck = Callable[[], Awaitable[None]]
BlockingCheck = Callable[[], None]
CheckState = Literal["ok", "down"]

logger = structlog.stdlib.get_logger(__name__)

# Checks still running after their probe gave up on them: kept referenced until they end.
_abandoned: set[asyncio.Task[None]] = set()


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckState]

    @property
    def status_code(self) -> int:
        return 200 if self.status == "ok" else 503


def report(results: Mapping[str, BaseException | None]) -> Readiness:
    """Each check's state from its failure (None: it passed); one failure makes it unavailable."""
    checks: dict[str, CheckState] = {}
    for name, failure in results.items():
        if failure is None:
            checks[name] = "ok"
        else:
            logger.warning("readiness check failed", check=name, error=repr(failure))
            checks[name] = "down"
    return Readiness(status="unavailable" if "down" in checks.values() else "ok", checks=checks)


def _timed_out(seconds: float) -> TimeoutError:
    return TimeoutError(f"no answer within {seconds} s")


async def _run(check: AsyncCheck) -> None:
    await check()


async def run_async(checks: Mapping[str, AsyncCheck], *, within: float) -> Readiness:
    """Run `checks` concurrently on the running event loop, `within` seconds in all."""
    tasks = {name: asyncio.create_task(_run(check)) for name, check in checks.items()}
    try:
        if tasks:
            await asyncio.wait(tasks.values(), timeout=within)
    finally:
        for task in tasks.values():
            if not task.done():  # past the deadline, or the probe itself was cancelled
                task.cancel()
                _abandoned.add(task)
                task.add_done_callback(_forget)
    results: dict[str, BaseException | None] = {
        name: _outcome(task) if task.done() else _timed_out(within) for name, task in tasks.items()
    }
    return report(results)


def _outcome(task: asyncio.Task[None]) -> BaseException | None:
    return asyncio.CancelledError() if task.cancelled() else task.exception()


def _forget(task: asyncio.Task[None]) -> None:
    _abandoned.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved


def run_blocking(checks: Mapping[str, BlockingCheck], *, within: float) -> Readiness:
    """Run `checks` at once, each on a daemon thread of its own, `within` seconds in all. Daemon
    threads: a check that hangs holds neither the request nor the process's exit."""
    futures = {name: _start(name, check) for name, check in checks.items()}
    if futures:
        wait_for_futures(futures.values(), timeout=within)
    results: dict[str, BaseException | None] = {
        name: future.exception(timeout=0) if future.done() else _timed_out(within)
        for name, future in futures.items()
    }
    return report(results)


def _start(name: str, check: BlockingCheck) -> Future[None]:
    future: Future[None] = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            check()
        except BaseException as exc:  # any failure means "not ready"
            future.set_exception(exc)
        else:
            future.set_result(None)

    threading.Thread(target=run, name=f"readiness-{name}", daemon=True).start()
    return future
