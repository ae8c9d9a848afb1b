"""The SQL views for archivists who prefer SQL (or Datasette) to the command line.

The views are created by migrations (``article_flat`` by ``0002_search``, its times
by ``0009_article_zone_views``;
``article_people`` and ``article_urls`` by ``0005_views``); this module is their
documentation, field by field. ``docs/sql.md`` is rendered from it
(:func:`render_markdown`), and a test checks both that the rendering is current and that
every database's views have exactly the columns documented here, so the documentation
cannot drift from the SQL.

Times in ``article_flat`` are ISO 8601 text in China time, the zone the articles are
dated in, printed alike by both databases (``0009_article_zone_views``); the tables
themselves store instants (see docs/archive.md, "Times").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class View:
    name: str
    description: str
    #: (column, meaning), in the view's column order.
    columns: tuple[tuple[str, str], ...]
    example: str


ARTICLE_FLAT = View(
    "article_flat",
    "One row per article, with its people and URLs flattened into text: the view to filter, "
    "sort and export from a spreadsheet or Datasette.",
    (
        ("id", "article id (stable; the `id` of exports)"),
        ("canonical_url", "the article's canonical URL (first page)"),
        ("site", "site name, e.g. `people.com.cn`"),
        ("title", "headline as published"),
        ("subtitle", "subtitle (副标题), or NULL"),
        ("published_at", "publication time in China time, `2020-05-27T01:33:00+08:00`, or the day "
                         "`2022-02-13` when the page gave only the day (see Times)"),
        ("source", "source as printed (来源), e.g. 新华日报, or NULL"),
        ("authors", "authors in page order, joined with 、, or NULL when none"),
        ("editors", "editors (责任编辑) in page order, joined with 、, or NULL when none"),
        ("urls", "every URL the article was seen under, one per line, in the order first stored"),
        ("script", "`zh-Hans` or `zh-Hant`: the script the page was published in"),
        ("pages", "number of pages the article was split over"),
        ("printed_page", "newspaper page (版面) for e-paper articles, or NULL"),
        ("body", "text as published, paragraphs separated by newlines"),
        ("first_seen", "when the crawler first stored the article (China time, as `published_at`)"),
        ("last_seen", "when the crawler last saw it (China time)"),
        ("version", "number of the current text version (1 = never changed)"),
    ),
    "SELECT title, published_at, authors FROM article_flat WHERE editors LIKE '%王五%' ORDER BY published_at DESC;",
)

ARTICLE_PEOPLE = View(
    "article_people",
    "One row per credit: an author or editor of an article. Join to `article_flat` on "
    "`article_id = id` to count or list articles by person.",
    (
        ("article_id", "the article (`article_flat.id`)"),
        ("role", "`author` or `editor`"),
        ("position", "0-based order within the role, as on the page"),
        ("name", "the name as printed"),
        ("name_simplified", "the name in Simplified script (match Traditional spellings with this)"),
    ),
    "SELECT name, count(*) AS articles FROM article_people WHERE role = 'editor' GROUP BY name ORDER BY articles DESC;",
)

ARTICLE_URLS = View(
    "article_urls",
    "One row per URL an article was seen under (its pages, reposts, old addresses): which "
    "article does this URL belong to?",
    (
        ("article_id", "the article (`article_flat.id`)"),
        ("url", "the URL"),
        ("is_canonical", "1 (true) for the article's canonical URL, else 0 (false)"),
    ),
    "SELECT article_id FROM article_urls WHERE url = 'http://js.people.com.cn/n2/2024/0110/c1-1.html';",
)

VIEWS = (ARTICLE_FLAT, ARTICLE_PEOPLE, ARTICLE_URLS)

_INTRO = """# SQL views

Read-only views over the archive for SQL users (`sqlite3 data/archive.db`, `psql`,
Datasette). Rendered from `archive/views.py`; edit that, not this file.

**Times** in `article_flat` are ISO 8601 text in China time (UTC+8), the zone the
articles are dated in, the same on SQLite and PostgreSQL: `2020-05-27T01:33:00+08:00`,
or `2022-02-13` for a dateline that gives only the day. They sort correctly as text.
The tables underneath store instants: PostgreSQL `timestamptz`, SQLite UTC text
`YYYY-MM-DD HH:MM:SS.ffffff` (see `docs/archive.md`, Times).

**Full-text search** needs the Chinese tokenizer, so use `newsarchive search`, or in
Datasette the canned query `search` (`pip install -e '.[datasette]'`, then
`datasette data/archive.db --metadata archive/datasette-metadata.json`). The query
translator is also available there as SQL functions: `newsarchive_fts(q)`,
`newsarchive_found(q, title, body)`, `newsarchive_title_hits(q, title)` and
`newsarchive_snippet(q, body, body_simplified)` (see `archive/datasette_plugin.py`).
The `article` table keeps a Simplified twin only where it differs from the body
(`body_simplified_if_differs`, else empty): the Simplified body is
`coalesce(nullif(body_simplified_if_differs, ''), body)`.
The canned query ranks every candidate, so a very common single character in a large
archive (half a second at 100,000 articles) can pass Datasette's default 1 s limit on a
busy machine: add `--setting sql_time_limit_ms 5000`, or use `newsarchive search`.
"""


def render_markdown() -> str:
    """``docs/sql.md``."""
    parts = [_INTRO]
    for view in VIEWS:
        rows = "\n".join(f"| `{column}` | {meaning} |" for column, meaning in view.columns)
        parts.append(
            f"\n## `{view.name}`\n\n{view.description}\n\n| column | meaning |\n|---|---|\n{rows}\n\n"
            f"```sql\n{view.example}\n```\n"
        )
    return "".join(parts)


if __name__ == "__main__":
    print(render_markdown(), end="")
