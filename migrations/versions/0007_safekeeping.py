"""safekeeping: the archive's UUID, the quarantine, URL columns as long as Scrapy's URLs

Revision ID: 0007_safekeeping
Revises: 0006_capture_offload
Create Date: 2026-12-03

Why: spooled items must only be replayed into the archive they were fetched for
(``archive_identity``, one row written here, at creation for new archives); items the
database refuses one by one are kept, not dropped (``quarantined_item``); and Scrapy
fetches URLs up to 2,083 characters (``URLLENGTH_LIMIT``), which the 2,048-character URL
columns refused on PostgreSQL (see :mod:`migrations.url_columns`).
Written out in full (not importing ``models``) so it keeps meaning what it meant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from migrations.url_columns import set_url_length

revision: str = "0007_safekeeping"
down_revision: str | Sequence[str] | None = "0006_capture_offload"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LENGTH, NEW_LENGTH = 2048, 2083


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    identity = op.create_table(
        "archive_identity",
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name="pk_archive_identity"),
    )
    created = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        created = created.replace(tzinfo=None)  # stored as UTC text, like models.types.AwareDateTime
    op.bulk_insert(identity, [{"uuid": str(uuid.uuid4()), "created_at": created}])
    op.create_table(
        "quarantined_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("quarantined_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_item"),
    )
    op.create_index("ix_quarantined_item_quarantined_at", "quarantined_item", ["quarantined_at"])
    set_url_length(OLD_LENGTH, NEW_LENGTH)


def downgrade() -> None:
    set_url_length(NEW_LENGTH, OLD_LENGTH)
    op.drop_index("ix_quarantined_item_quarantined_at", table_name="quarantined_item")
    op.drop_table("quarantined_item")
    op.drop_table("archive_identity")
