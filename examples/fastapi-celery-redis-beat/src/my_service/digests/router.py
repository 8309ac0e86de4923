from functools import partial

from fastapi import APIRouter, status
from starlette.concurrency import run_in_threadpool

from ..deps import CeleryApp
from ..errors import JSONBodyRoute
from .schemas import DigestRequest, TaskAccepted
from .tasks import COMPUTE_DIGEST, digest_task_id

router = APIRouter(prefix="/digests", tags=["digests"], route_class=JSONBodyRoute)


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_digest(payload: DigestRequest, celery: CeleryApp) -> TaskAccepted:
    task_id = digest_task_id(payload.text, payload.rounds)
    # Publishing is network I/O on kombu's blocking client: keep it off the event loop (R12).
    send = partial(
        celery.send_task, COMPUTE_DIGEST, args=(payload.text, payload.rounds), task_id=task_id
    )
    await run_in_threadpool(send)
    return TaskAccepted(task_id=task_id, status_url=f"/tasks/{task_id}")
