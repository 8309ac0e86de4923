"""A task's state and result, read from the result backend (a blocking call: run it in a thread)."""

from typing import Literal

from celery import Celery
from celery.result import AsyncResult
from pydantic import BaseModel, JsonValue

# PENDING also means "unknown id": the backend keeps nothing before a task starts.
TaskState = Literal[
    "PENDING",
    "RECEIVED",
    "STARTED",
    "RETRY",
    "SUCCESS",
    "FAILURE",
    "REVOKED",
    "REJECTED",
    "IGNORED",
]


class TaskStatus(BaseModel):
    task_id: str
    state: TaskState
    result: JsonValue = None
    error: str | None = None


def read_status(app: Celery, task_id: str) -> TaskStatus:
    outcome: AsyncResult = app.AsyncResult(task_id)  # type: ignore[type-arg]
    state = outcome.state
    if state == "SUCCESS":
        return TaskStatus(task_id=task_id, state=state, result=outcome.result)
    if state == "FAILURE":
        # The exception's type only: its message may carry data the client must not see.
        return TaskStatus(task_id=task_id, state=state, error=type(outcome.result).__name__)
    return TaskStatus(task_id=task_id, state=state)
