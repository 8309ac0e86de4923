from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from ..deps import CeleryApp
from .status import TaskStatus, read_status

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("/{task_id}")
async def get_task_status(task_id: str, celery: CeleryApp) -> TaskStatus:
    # The result backend's client blocks: keep it off the event loop (R12).
    return await run_in_threadpool(read_status, celery, task_id)
