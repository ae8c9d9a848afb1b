"""Archivists' query syntax, parsed into plain values that are only ever bound as parameters.

Syntax: whitespace-separated terms must all match (``AND`` between them is allowed and
ignored); ``a OR b`` matches either (``OR`` binds its two neighbours, so ``南通 OR 苏州 产业``
needs 产业 and one of the cities); ``"quoted text"`` is a phrase (its words in this order, with nothing but
spaces or punctuation between); ``-term`` or ``-"phrase"`` excludes. Any other
character, FTS operators and SQL included, is just text: it either becomes part of a
term or, being punctuation, separates words. Queries are matched in OpenCC Simplified
form, so Traditional queries find Simplified text and the reverse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.tokens import is_cjk, join_runs, run_tokens, runs
from crawler.parsing.chinese import to_simplified

#: More terms than this is not a search but a paste; refuse rather than build a huge query.
MAX_TERMS = 32
#: A long term needs only some of its bigrams to narrow the candidates (the substring test
#: decides); spreading this many across it keeps the index query small for pasted paragraphs.
MAX_TOKENS_PER_TERM = 16

_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


class QueryError(ValueError):
    """A query that cannot be run; the message says how to change it."""


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to find: ``needle`` in the normalised text, narrowed by index ``tokens``.

    ``exact`` means the tokens alone decide (a 1–2 character CJK word or one Latin word),
    so no substring test is needed. ``runs`` are the Simplified, normalised words, used
    for highlighting.
    """

    needle: str
    tokens: tuple[str, ...]
    exact: bool
    runs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Query:
    """``required`` terms must all match, ``excluded`` none, and of each ``alternatives``
    group (terms joined by ``OR``) at least one."""

    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    alternatives: tuple[tuple[Term, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.required and not self.excluded and not self.alternatives

    @property
    def wanted(self) -> tuple[Term, ...]:
        """Every term a hit may contain (for highlighting and title ranking)."""
        return self.required + tuple(term for group in self.alternatives for term in group)

    @property
    def groups(self) -> tuple[tuple[Term, ...], ...]:
        """The positive conditions: each a group of which one term must match."""
        return tuple((term,) for term in self.required) + self.alternatives


def parse_query(text: str) -> Query:
    """Parse ``text``; raises :class:`QueryError` for a query with too many terms."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the last word was OR and a positive term precedes it
    for match in _TERM.finditer(to_simplified(text or "")):
        negated, phrase, word = match.groups()
        if phrase is None and word in ("AND", "OR"):
            joining = word == "OR" and bool(groups)
            continue
        term = make_term(phrase if phrase is not None else word)
        if term is None:
            continue
        if negated:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    count = sum(map(len, groups)) + len(excluded)
    if count > MAX_TERMS:
        raise QueryError(
            f"the query has {count} terms; at most {MAX_TERMS} are supported: "
            'shorten it, or put a long passage in quotes to search it as one phrase'
        )
    required = tuple(group[0] for group in groups if len(group) == 1)
    alternatives = tuple(tuple(dict.fromkeys(group)) for group in groups if len(group) > 1)
    return Query(required, tuple(excluded), alternatives)


def make_term(text: str) -> Term | None:
    """A term for Simplified ``text``; ``None`` when it has no letters or digits."""
    parts = runs(text)
    if not parts:
        return None
    needle = join_runs(parts)
    # Pad only at Latin ends: Latin words match whole, CJK text matches anywhere.
    needle = needle[0 if not is_cjk(parts[0][0]) else 1 :]
    needle = needle[: len(needle) if not is_cjk(parts[-1][-1]) else -1]
    tokens = list(dict.fromkeys(t for part in parts for t in _term_tokens(part)))
    exact = len(parts) == 1 and len(tokens) == 1
    return Term(needle=needle, tokens=_spread(tokens), exact=exact, runs=tuple(parts))


def _term_tokens(run: str) -> list[str]:
    """Tokens a run must have in the index: itself when short, else its bigrams."""
    if is_cjk(run[0]) and len(run) > 1:
        return [run[i : i + 2] for i in range(len(run) - 1)]
    return run_tokens(run)


def _spread(tokens: list[str]) -> tuple[str, ...]:
    if len(tokens) <= MAX_TOKENS_PER_TERM:
        return tuple(tokens)
    step = len(tokens) / MAX_TOKENS_PER_TERM
    return tuple(tokens[int(i * step)] for i in range(MAX_TOKENS_PER_TERM))


def found_in(query: Query, title: str, body: str) -> bool:
    """Whether normalised ``title``/``body`` (as stored in ``article_search``) match ``query``:
    the test the database applies, in Python, for callers that cannot build the SQL
    (the Datasette plugin). A term is found when its needle is in either text; for a
    1–2 character or single-word term that is the same as its index token being there."""
    def has(term: Term) -> bool:
        return term.needle in title or term.needle in body

    return all(any(map(has, group)) for group in query.groups) and not any(map(has, query.excluded))


def title_hits(query: Query, title: str) -> int:
    """How many of the query's positive groups the normalised title matches (search ranks by this first)."""
    return sum(any(term.needle in title for term in group) for group in query.groups)
