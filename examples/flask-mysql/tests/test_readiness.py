"""The readiness runner (`readiness.py`, R18) every framework's `/health/ready` uses: every check
at once, one deadline for them all, each check's own state."""

import asyncio
import threading
import time

from my_service.readiness import Readiness, run_async, run_blocking

DEADLINE = 0.5


class Outage:
    """Three checks that hang until released, one that passes and one that fails."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def hang(self) -> None:
        self.release.wait(10)

    async def hang_async(self) -> None:
        await asyncio.sleep(10)

    async def hang_on_a_thread(self) -> None:
        # A thread cannot be cancelled: the runner must stop waiting for it all the same.
        await asyncio.to_thread(self.release.wait, 10)


def passes() -> None:
    return None


def fails() -> None:
    raise ConnectionRefusedError("refused")


async def passes_async() -> None:
    await asyncio.sleep(0)


async def fails_async() -> None:
    await asyncio.sleep(0)
    raise ConnectionRefusedError("refused")


EXPECTED = {
    "status": "unavailable",
    "checks": {"hung-1": "down", "hung-2": "down", "hung-3": "down", "up": "ok", "refused": "down"},
}


def test_blocking_checks_share_one_deadline() -> None:
    outage = Outage()
    checks = {"hung-1": outage.hang, "hung-2": outage.hang, "hung-3": outage.hang}
    started = time.monotonic()
    try:
        ready = run_blocking(checks | {"up": passes, "refused": fails}, within=DEADLINE)
    finally:
        outage.release.set()
    elapsed = time.monotonic() - started
    assert ready.model_dump() == EXPECTED
    assert ready.status_code == 503
    assert DEADLINE <= elapsed < 2 * DEADLINE  # one deadline, not one per hung check


def test_async_checks_share_one_deadline() -> None:
    outage = Outage()
    checks = {
        "hung-1": outage.hang_async,
        "hung-2": outage.hang_on_a_thread,
        "hung-3": outage.hang_on_a_thread,
        "up": passes_async,
        "refused": fails_async,
    }

    async def probe() -> tuple[Readiness, float]:
        started = time.monotonic()
        try:
            return await run_async(checks, within=DEADLINE), time.monotonic() - started
        finally:
            outage.release.set()  # the threads end, so the event loop can close

    ready, elapsed = asyncio.run(probe())
    assert ready.model_dump() == EXPECTED
    assert ready.status_code == 503
    assert DEADLINE <= elapsed < 2 * DEADLINE


def test_ready_when_every_check_passes() -> None:
    blocking = run_blocking({"a": passes, "b": passes}, within=DEADLINE)
    awaited = asyncio.run(run_async({"a": passes_async, "b": passes_async}, within=DEADLINE))
    for ready in (blocking, awaited):
        assert ready.model_dump() == {"status": "ok", "checks": {"a": "ok", "b": "ok"}}
        assert ready.status_code == 200


def test_no_checks_is_ready_at_once() -> None:
    assert run_blocking({}, within=DEADLINE).model_dump() == {"status": "ok", "checks": {}}
    assert asyncio.run(run_async({}, within=DEADLINE)).status_code == 200
