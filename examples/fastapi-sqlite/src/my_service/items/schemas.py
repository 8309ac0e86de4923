"""The items API's input and output, the same for every framework.

Ids and paging are bounded by what the `items.id` column holds (a 4-byte integer on PostgreSQL
and MySQL), so a request can never reach the database driver with a number it would overflow on:
anything outside is refused as invalid input (422), like any other constraint below.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_ID = 2**31 - 1

ItemId = Annotated[int, Field(ge=1, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]

# No NUL characters (PostgreSQL text cannot hold them); a name has one character that is not a
# space, tab or line break. Patterns spell their classes out, so that every regex engine (the
# service's, an OpenAPI client's) reads them alike.
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00]*[^\x00\t\n\r ][^\x00]*$"),
]
Description = Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$")]


def _aware(value: datetime) -> datetime:
    # SQLite keeps timestamps without an offset; every database here stores them in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Timestamp = Annotated[datetime, AfterValidator(_aware)]


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: Limit = 20
    offset: Offset = 0


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None


class ItemUpdate(BaseModel):
    """A partial update: only the fields given change. A name cannot be removed, so a null name
    leaves it as it is; a null description removes the description."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None

    def changes(self) -> dict[str, Any]:
        changes = self.model_dump(exclude_unset=True)
        if changes.get("name", "") is None:
            del changes["name"]
        return changes


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    created_at: Timestamp
    updated_at: Timestamp


class ItemPage(BaseModel):
    items: list[ItemRead]
    total: int = Field(ge=0)
    limit: int
    offset: int
