"""article zone views: article_flat shows its times in China time, as text both databases print alike

Revision ID: 0009_article_zone_views
Revises: 0008_url_script
Create Date: 2026-12-03

``article_flat`` (``0002_search``) passed the stored times through: naive UTC text on
SQLite, ``timestamptz`` printed in the session's zone on PostgreSQL, so the same article
read ``2020-05-26 17:33:00`` in Datasette and ``2020-05-27 01:33:00+08`` in psql, and a
day-only dateline showed the evening before. Now ``published_at``, ``first_seen`` and
``last_seen`` are ISO 8601 text in China time, ``2020-05-27T01:33:00+08:00`` on both
(sortable: one zone, one format), and a day-only dateline is ``2022-02-13``. Written out
in full (not importing ``models``) so it keeps meaning what it meant.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_article_zone_views"
down_revision: str | Sequence[str] | None = "0008_url_script"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: People of one role, in page order, joined with "、"; every URL, one per line (as 0002).
_PEOPLE = {
    "sqlite": (
        "(SELECT group_concat(name, '、') FROM (SELECT p.name FROM article_person ap JOIN person p "
        "ON p.id = ap.person_id WHERE ap.article_id = a.id AND ap.role = '{role}' ORDER BY ap.position))"
    ),
    "postgresql": (
        "(SELECT string_agg(p.name, '、' ORDER BY ap.position) FROM article_person ap JOIN person p "
        "ON p.id = ap.person_id WHERE ap.article_id = a.id AND ap.role = '{role}')"
    ),
}
_URLS = {
    "sqlite": (
        "(SELECT group_concat(url, char(10)) FROM (SELECT u.url FROM article_url u "
        "WHERE u.article_id = a.id ORDER BY u.id))"
    ),
    "postgresql": "(SELECT string_agg(u.url, chr(10) ORDER BY u.id) FROM article_url u WHERE u.article_id = a.id)",
}
#: A stored time as ISO text in China time (UTC+8, fixed like the Python side).
_CHINA_TIME = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%S', {column}, '+8 hours') || '+08:00'",
    "postgresql": "to_char({column} AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+08:00'",
}
_CHINA_DAY = {
    "sqlite": "date({column}, '+8 hours')",
    "postgresql": "to_char({column} AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM-DD')",
}


def _article_flat(dialect: str, zoned: bool) -> str:
    people = _PEOPLE[dialect]

    def time(column: str) -> str:
        return _CHINA_TIME[dialect].format(column=column) if zoned else column

    published = (
        f"CASE WHEN a.published_precision = 'day' THEN {_CHINA_DAY[dialect].format(column='a.published_at')} "
        f"ELSE {time('a.published_at')} END" if zoned else "a.published_at"
    )
    return f"""
CREATE VIEW article_flat AS
SELECT a.id, a.canonical_url, s.name AS site, a.title, a.subtitle, {published} AS published_at, a.source,
       {people.format(role="author")} AS authors,
       {people.format(role="editor")} AS editors,
       {_URLS[dialect]} AS urls,
       a.script, a.pages, a.printed_page, a.body,
       {time("a.first_seen")} AS first_seen, {time("a.last_seen")} AS last_seen, a.current_version AS version
FROM article a JOIN site s ON s.id = a.site_id
"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS article_flat")
    op.execute(_article_flat(op.get_bind().dialect.name, zoned=True))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS article_flat")
    op.execute(_article_flat(op.get_bind().dialect.name, zoned=False))
