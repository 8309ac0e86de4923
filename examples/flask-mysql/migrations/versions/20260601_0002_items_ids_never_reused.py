"""items ids are never reused on SQLite

Without AUTOINCREMENT, SQLite hands the largest id out again once its row is deleted; PostgreSQL
and MySQL never reuse an id. SQLite cannot change that in place: the table is copied into a new
one (Alembic's batch mode). Nothing to do on the other databases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-06-01 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate_items(*, autoincrement: bool) -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "items", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _recreate_items(autoincrement=True)


def downgrade() -> None:
    _recreate_items(autoincrement=False)
