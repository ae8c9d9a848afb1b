"""url room: URL columns hold a 2,083-character URL in its identity form too

Revision ID: 0010_url_room
Revises: 0009_article_zone_views
Create Date: 2026-12-03

Why: an article's identity URL is its fetched URL in canonical form, always https
(``crawler.parsing.urls.canonicalize``), so a 2,083-character http URL — the longest
Scrapy fetches — becomes 2,084 characters, one more than ``0007_safekeeping`` made room
for. 2,100 leaves room for such forms and stays far below PostgreSQL's B-tree entry
limit (about 2,700 bytes) for the unique URL indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations.url_columns import set_url_length

revision: str = "0010_url_room"
down_revision: str | Sequence[str] | None = "0009_article_zone_views"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LENGTH, NEW_LENGTH = 2083, 2100


def upgrade() -> None:
    set_url_length(OLD_LENGTH, NEW_LENGTH)


def downgrade() -> None:
    set_url_length(NEW_LENGTH, OLD_LENGTH)
