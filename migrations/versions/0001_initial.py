"""initial: every archive table

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28

Written out in full (not importing ``models``) so this migration keeps meaning what it
meant when the models change later. Time columns are ``DateTime(timezone=True)``: the
database type behind :class:`models.types.AwareDateTime`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

URL = sa.String(length=2048)
DIGEST = sa.String(length=64)


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _id(table: str) -> tuple[sa.Column, sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def upgrade() -> None:
    op.create_table(
        "site",
        *_id("site"),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.UniqueConstraint("name", name="uq_site_name"),
    )
    op.create_table(
        "person",
        *_id("person"),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_simplified", sa.String(length=255), nullable=False),
        sa.UniqueConstraint("name", name="uq_person_name"),
    )
    op.create_index("ix_person_name_simplified", "person", ["name_simplified"])

    op.create_table(
        "capture",
        *_id("capture"),
        sa.Column("url", URL, nullable=False),
        sa.Column("fetched_at", _time(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("request_method", sa.String(length=16), nullable=False),
        sa.Column("request_headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("revisit_of_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["revisit_of_id"], ["capture.id"], name="fk_capture_revisit_of_id_capture"),
    )
    op.create_index("ix_capture_url", "capture", ["url"])
    op.create_index("ix_capture_digest_url", "capture", ["digest", "url"])

    op.create_table(
        "crawl_job",
        *_id("crawl_job"),
        sa.Column("spider", sa.String(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("started_at", _time(), nullable=False),
        sa.Column("finished_at", _time(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
    )
    op.create_index("ix_crawl_job_started_at", "crawl_job", ["started_at"])

    op.create_table(
        "article",
        *_id("article"),
        sa.Column("canonical_url", URL, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("pretitle", sa.Text(), nullable=True),
        sa.Column("subtitle", sa.Text(), nullable=True),
        sa.Column("original_title", sa.Text(), nullable=True),
        sa.Column("published_at", _time(), nullable=True),
        sa.Column("published_at_raw", sa.Text(), nullable=True),
        sa.Column("published_precision", sa.String(length=16), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("breadcrumbs", sa.JSON(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("printed_page", sa.Text(), nullable=True),
        sa.Column("script", sa.String(length=16), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("title_simplified", sa.Text(), nullable=True),
        sa.Column("body_simplified", sa.Text(), nullable=False),
        sa.Column("source_simplified", sa.Text(), nullable=True),
        sa.Column("fingerprint", DIGEST, nullable=False),
        sa.Column("first_seen", _time(), nullable=False),
        sa.Column("last_seen", _time(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name="fk_article_site_id_site"),
        sa.UniqueConstraint("canonical_url", name="uq_article_canonical_url"),
    )
    op.create_index("ix_article_site_id", "article", ["site_id"])
    op.create_index("ix_article_published_at", "article", ["published_at"])
    op.create_index("ix_article_fingerprint", "article", ["fingerprint"])

    op.create_table(
        "article_person",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_article_person_article_id_article", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_article_person_person_id_person"),
        sa.PrimaryKeyConstraint("article_id", "role", "position", name="pk_article_person"),
    )
    op.create_index("ix_article_person_person_id", "article_person", ["person_id"])

    op.create_table(
        "article_url",
        *_id("article_url"),
        sa.Column("url", URL, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_article_url_article_id_article", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("url", name="uq_article_url_url"),
    )
    op.create_index("ix_article_url_article_id", "article_url", ["article_id"])

    op.create_table(
        "article_version",
        *_id("article_version"),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("fetched_at", _time(), nullable=False),
        sa.Column("fingerprint", DIGEST, nullable=False),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_article_version_article_id_article", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("article_id", "number", name="uq_article_version_article_id_number"),
    )

    op.create_table(
        "version_capture",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["capture_id"], ["capture.id"], name="fk_version_capture_capture_id_capture"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["article_version.id"],
            name="fk_version_capture_version_id_article_version",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "page", name="pk_version_capture"),
    )
    op.create_index("ix_version_capture_digest", "version_capture", ["digest"])
    op.create_index("ix_version_capture_capture_id", "version_capture", ["capture_id"])


def downgrade() -> None:
    # Dependants first; dropping a table drops its indexes with it.
    for table in (
        "version_capture",
        "article_version",
        "article_url",
        "article_person",
        "article",
        "crawl_job",
        "capture",
        "person",
        "site",
    ):
        op.drop_table(table)
