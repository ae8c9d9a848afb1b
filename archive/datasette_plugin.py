"""Datasette plugin: the archive's Chinese search, usable from Datasette.

Datasette's own search box hands the typed text to FTS5, whose tokenizer sees 南通市 as
one token, while the index holds characters and bigrams (:mod:`models.tokens`); it
would find nothing. So this plugin registers the query translator as SQL functions on
every connection and offers a canned query ``search`` (its SQL lives in
``datasette-metadata.json``, also usable as ``--metadata`` for titles and descriptions)
on every database that has the search index:

* ``newsarchive_fts(q)``: the FTS5 MATCH expression of the query's required tokens;
  ``""`` (which matches nothing, where NULL would be an FTS5 syntax error) when it has
  none (an empty query, only exclusions), and the canned query then skips the index;
* ``newsarchive_found(q, title, body)``: 1 when the normalised title/body (columns of
  ``article_search``) match the whole query: phrases, longer terms and exclusions;
* ``newsarchive_exact(q)``: 1 when the index alone decides (only 1–2 character words or
  single Latin words, no exclusions and no ``OR``), so the canned query skips ``newsarchive_found``,
  which would copy every candidate's body into Python;
* ``newsarchive_title_hits(q, title)``: the number of terms in the title, ranked by first;
* ``newsarchive_snippet(q, body, body_simplified)``: the text around the first match,
  matches marked 【like this】.

The canned query ranks every candidate (simple SQL an archivist can adapt, rather than
the two-step plan of :mod:`archive.search`): about half a second for a character found
in most of 100,000 articles, hence ``--setting sql_time_limit_ms`` for big archives.

Registered through the ``datasette`` entry point in ``pyproject.toml`` (install the
``datasette`` extra); run ``datasette data/archive.db --metadata archive/datasette-metadata.json``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasette import hookimpl

from archive.filters import fts_expression
from archive.index_tables import FTS_TABLE
from archive.query import Query, found_in, parse_query, title_hits
from archive.snippet import mark, match_pattern, snippet

METADATA = Path(__file__).with_name("datasette-metadata.json")
#: The database the metadata file describes (the default archive is data/archive.db).
METADATA_DATABASE = "archive"


@lru_cache(maxsize=64)  # the functions run once per row with the same query
def _parse(text: str | None) -> Query:
    """The parsed query; a :class:`archive.query.QueryError` (too many terms) fails the
    SQL statement, which Datasette shows as an error."""
    return parse_query(text or "")


#: What :func:`fts` gives for a query without tokens.
NO_TOKENS = '""'


def fts(text: str | None) -> str:
    tokens = [token for term in _parse(text).required for token in term.tokens]
    return fts_expression(tokens) if tokens else NO_TOKENS


def found(text: str | None, title: str | None, body: str | None) -> int:
    return int(found_in(_parse(text), title or "", body or ""))


def exact(text: str | None) -> int:
    query = _parse(text)
    return int(not query.excluded and not query.alternatives and all(term.exact for term in query.required))


def hits_in_title(text: str | None, title: str | None) -> int:
    return title_hits(_parse(text), title or "")


def snippet_of(text: str | None, body: str | None, body_simplified: str | None) -> str:
    pattern = match_pattern(term.runs for term in _parse(text).wanted)
    shown, spans = snippet(body or "", body_simplified or "", pattern)
    return mark(shown, spans, "【", "】")


_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "newsarchive_fts": (1, fts),
    "newsarchive_found": (3, found),
    "newsarchive_exact": (1, exact),
    "newsarchive_title_hits": (2, hits_in_title),
    "newsarchive_snippet": (3, snippet_of),
}


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    for name, (arguments, function) in _FUNCTIONS.items():
        conn.create_function(name, arguments, function, deterministic=True)


@hookimpl
def canned_queries(datasette: Any, database: str) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def for_archives() -> dict[str, Any]:
        if not await datasette.get_database(database).table_exists(FTS_TABLE):
            return {}
        return json.loads(METADATA.read_text(encoding="utf-8"))["databases"][METADATA_DATABASE]["queries"]

    return for_archives
