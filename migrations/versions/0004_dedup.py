"""dedup: persisted MinHash-LSH index (signatures, band keys) and near-duplicate clusters

Revision ID: 0004_dedup
Revises: 0003_operations
Create Date: 2026-11-28

Written out in full (not importing ``models``) so it keeps meaning what it meant; the
tables are described in :mod:`models.dedup`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_dedup"
down_revision: str | Sequence[str] | None = "0003_operations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _article(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["article.id"], name=f"fk_{table}_{column}_article", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "near_dup_signature",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        _article("article_id", "near_dup_signature", "CASCADE"),
        sa.PrimaryKeyConstraint("article_id", name="pk_near_dup_signature"),
    )
    op.create_table(
        "near_dup_band",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        _article("article_id", "near_dup_band", "CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id", name="pk_near_dup_band"),
    )
    op.create_table(
        "near_dup_cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_near_dup_cluster"),
    )
    op.create_table(
        "near_dup_member",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("linked_to_id", sa.Integer(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("joined_at", _time(), nullable=False),
        _article("article_id", "near_dup_member", "CASCADE"),
        _article("linked_to_id", "near_dup_member", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["near_dup_cluster.id"], name="fk_near_dup_member_cluster_id_near_dup_cluster",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_near_dup_member"),
    )
    op.create_index("ix_near_dup_member_cluster_id", "near_dup_member", ["cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_near_dup_member_cluster_id", table_name="near_dup_member")
    op.drop_table("near_dup_member")
    op.drop_table("near_dup_cluster")
    op.drop_table("near_dup_band")
    op.drop_table("near_dup_signature")
