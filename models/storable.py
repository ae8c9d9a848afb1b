"""Making items storable before the database sees them.

Why: a page is hostile input, and one value a database cannot hold used to cost the
whole batch it arrived in (PostgreSQL refuses NUL characters in text, lone UTF-16
surrogates cannot be encoded at all, and a URL longer than its column raises). Every
such value is handled here, item by item, so it never reaches a transaction:

* NUL characters and lone surrogates (from JSON-LD ``\\u0000`` / ``\\ud800`` escapes, or a
  page's own bytes) are removed from every text of an article, and a ``bad_characters``
  problem names the fields;
* a value longer than its column that the article can do without (a canonical URL, the
  URL of a later page, a credited name, the encoding's name) is left out, with an
  ``over_long`` problem;
* an item whose own URL or site is longer than its column cannot be stored at all: it is
  refused with a reason, and the caller quarantines it (:mod:`models.safekeeping`).

Integers are not bounded here: the parsers make them, not the pages.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from crawler.items import Article, Capture, Image, Problem
from models.repository import item_urls
from models.schema import URL_LENGTH

#: Characters no archive text may hold: NUL, and UTF-16 surrogates (a valid ``str`` only
#: holds them unpaired, which no UTF-8 encoder accepts).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: How much longer than its URL an identity URL may be without percent-encoding
#: (``https`` for ``http``, a trailing slash): below the limit by more, it cannot be too long.
_IDENTITY_SLACK = 16
#: Column lengths (``models.schema``) of values a page decides.
NAME_LENGTH = 255
ENCODING_LENGTH = 32

_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


def without_bad_characters(text: str) -> str:
    """``text`` without NUL and unpaired surrogates."""
    return _UNSTORABLE.sub("", text)


def remove_bad_characters(article: Article) -> Article:
    """Remove NUL and lone surrogates from every text of ``article`` (in place, idempotent),
    recording a ``bad_characters`` problem that names the fields they were in."""
    touched = []
    for name in _ARTICLE_FIELDS:
        value = getattr(article, name)
        cleaned = _clean(value)
        if cleaned is not value:
            setattr(article, name, cleaned)
            touched.append(name)
    if touched:
        article.add_problem(
            "bad_characters",
            f"NUL or unpaired surrogate characters removed from {', '.join(touched)}: no database can store them",
        )
    return article


def make_storable(item: Article | Capture) -> str | None:
    """Fix ``item`` in place so the archive can hold it; the reason it cannot, or ``None``."""
    if len(item.url) > URL_LENGTH:
        return _too_long(item.url)
    if isinstance(item, Capture):
        return None
    remove_bad_characters(item)
    if len(item.site) > NAME_LENGTH:
        return f"its site name has {len(item.site)} characters, more than the archive's {NAME_LENGTH}"
    if len(item.canonical_url) > URL_LENGTH:
        item.add_problem("over_long", f"canonical URL of {len(item.canonical_url)} characters left out", "canonical_url")
        item.canonical_url = item.url
    long_pages = [url for url in item.page_urls if len(url) > URL_LENGTH]
    if long_pages:
        item.add_problem("over_long", f"{len(long_pages)} page URLs over {URL_LENGTH} characters left out", "page_urls")
        item.page_urls = [url for url in item.page_urls if len(url) <= URL_LENGTH]
    for name in ("authors", "editors"):
        _drop_long_names(item, name)
    if item.encoding is not None and len(item.encoding) > ENCODING_LENGTH:
        item.add_problem("over_long", f"encoding name of {len(item.encoding)} characters left out", "encoding")
        item.encoding = None
    if _may_grow_too_long(item.url) or _may_grow_too_long(item.canonical_url):
        identity = item_urls(item)[0]
        return _too_long(identity) if len(identity) > URL_LENGTH else None
    return None


def _may_grow_too_long(url: str) -> bool:
    """Whether the identity form of ``url`` might not fit: it is near the limit, or holds
    characters that percent-encoding multiplies (the exact check costs a canonicalisation)."""
    return len(url) > URL_LENGTH - _IDENTITY_SLACK or not url.isascii()


def _too_long(url: str) -> str:
    return f"its URL has {len(url)} characters, more than the archive's {URL_LENGTH}"


def _drop_long_names(item: Article, name: str) -> None:
    """Leave out credited names longer than a person's name column (with their Simplified twins)."""
    names: list[str] = getattr(item, name)
    keep = [i for i, person in enumerate(names) if len(person) <= NAME_LENGTH]
    if len(keep) == len(names):
        return
    item.add_problem("over_long", f"{len(names) - len(keep)} names over {NAME_LENGTH} characters left out", name)
    setattr(item, name, [names[i] for i in keep])
    simplified = item.simplified.get(name)
    if simplified is not None and len(simplified) == len(names):
        item.simplified[name] = [simplified[i] for i in keep]


def _has_bad_characters(text: str) -> bool:
    """Whether ``text`` holds a NUL or an unpaired surrogate: two C-speed scans (UTF-8
    encoding refuses exactly the surrogates), some 30 times cheaper than the regex on
    Chinese text."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _clean(value: Any) -> Any:
    """``value`` without unstorable characters: the same object when it had none (so the
    caller can tell), else a cleaned copy. Walks lists, dicts, images and problems."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value) if _has_bad_characters(value) else value
    if isinstance(value, list):
        cleaned = [_clean(v) for v in value]
        return value if all(c is v for c, v in zip(cleaned, value, strict=True)) else cleaned
    if isinstance(value, dict):
        pairs = {k: _clean(v) for k, v in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    if isinstance(value, Image):
        url, caption = _clean(value.url), _clean(value.caption)
        return value if url is value.url and caption is value.caption else Image(url=url, caption=caption)
    if isinstance(value, Problem):
        detail = _clean(value.detail)
        return value if detail is value.detail else Problem(kind=value.kind, detail=detail, field=value.field)
    return value
