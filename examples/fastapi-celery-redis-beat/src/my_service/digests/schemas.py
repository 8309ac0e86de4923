from pydantic import BaseModel, Field


class DigestRequest(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    rounds: int = Field(default=100_000, ge=1, le=10_000_000)


class TaskAccepted(BaseModel):
    task_id: str
    status_url: str
