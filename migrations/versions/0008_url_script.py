"""url script: the script (zh-Hans or zh-Hant) each article URL was published in

Revision ID: 0008_url_script
Revises: 0007_safekeeping
Create Date: 2026-12-03

A Traditional mirror of a Simplified article is stored as another URL of the same article
(not a new article, not a version), so ``article.script`` says only how the displayed text
is written. ``article_url.script`` keeps what each URL served, so ``search --script
zh-Hant`` finds the articles published in Traditional too. Rows stored before this
revision get the article's script on their canonical URL; their other URLs stay NULL
(unknown) until they are seen again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_url_script"
down_revision: str | Sequence[str] | None = "0007_safekeeping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("article_url", sa.Column("script", sa.String(16), nullable=True))
    op.execute(
        "UPDATE article_url SET script = (SELECT article.script FROM article WHERE article.id = article_url.article_id"
        " AND article.canonical_url = article_url.url)"
    )


def downgrade() -> None:
    # Not a batch (table copy) on SQLite: that would break the views over article_url.
    op.drop_column("article_url", "script")
