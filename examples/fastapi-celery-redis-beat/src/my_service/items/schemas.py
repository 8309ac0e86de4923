"""The items API's rules, the same for every framework: each framework's routes take their input
with these types and models, and restate none of the constraints.

Ids and paging are bounded by what the `items.id` column holds (a 4-byte integer on PostgreSQL
and MySQL), so a request can never reach the database driver with a number it would overflow on:
anything outside is refused as invalid input (422), like any other constraint below. The bounds
are `annotated_types` constraints, which pydantic, FastAPI, Django Ninja and Litestar's own
parameter parsing all enforce and document.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

MAX_ID = 2**31 - 1
DEFAULT_LIMIT = 20

ItemId = Annotated[int, Interval(ge=1, le=MAX_ID)]
Limit = Annotated[int, Interval(ge=1, le=100)]
Offset = Annotated[int, Interval(ge=0, le=MAX_ID)]

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

    limit: Limit = DEFAULT_LIMIT
    offset: Offset = 0


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None


class ItemUpdate(BaseModel):
    """A partial update: only the fields given change. A null description removes the
    description; a name cannot be removed, so a null name is invalid input (422), and the
    OpenAPI document says the name is a string."""

    model_config = ConfigDict(extra="forbid")

    name: Name | SkipJsonSchema[None] = None
    description: Description | None = None

    @field_validator("name")
    @classmethod
    def _name_is_not_null(cls, name: str | None) -> str:
        # Runs only for a name the request gave (an absent one keeps its default).
        if name is None:
            raise ValueError("a name cannot be removed")
        return name

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


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
