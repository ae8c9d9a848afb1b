"""The one content fingerprint that decides whether two pages carry the same article.

Reposts of an article on another URL (or in Traditional script on a sister site) differ
in markup, spacing and punctuation but not in wording, so the hash is taken over the
Simplified body with whitespace, punctuation and other non-word characters removed.
Very short bodies (a photo caption, an empty page) are too alike to prove anything, so
they are marked not *matchable*: their hash still detects a changed text of the same
article but must never merge two different URLs into one article.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from crawler.items import Article

#: Bodies with fewer characters than this after normalisation never match by fingerprint.
MIN_MATCHABLE_CHARS = 50

#: Unicode categories dropped before hashing: punctuation, separators, symbols, controls.
_IGNORED_CATEGORIES = ("P", "Z", "S", "C")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """SHA-256 hex ``digest`` of the normalised text, and whether it may identify an article."""

    digest: str
    matchable: bool


#: ``str.translate`` table deleting every ignored character seen so far, and every
#: character already classified either way. Filled lazily (a table of all 1.1 million
#: code points would cost a second at start-up): news text uses a few thousand
#: distinct characters, so after the first articles a text is only scanned in C.
_DELETE: dict[int, None] = {}
_CLASSIFIED: set[str] = set()


def normalise_text(text: str) -> str:
    """Text reduced to its word characters: NFKC-folded (full-width digits and letters
    become ASCII, so ``２０２２`` equals ``2022``), without whitespace or punctuation."""
    return word_characters(fold(text))


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """NFKC form of ``text``, cached: NFKC is the costly step of every text comparison and
    one body is folded for its fingerprint, its boilerplate check and its near-duplicate
    sketch. (``"\n"`` never combines with a neighbour, so folding a whole body and then
    splitting it into paragraphs equals folding each paragraph.)"""
    return unicodedata.normalize("NFKC", text)


def word_characters(folded: str) -> str:
    """An NFKC-folded text without the characters of :data:`_IGNORED_CATEGORIES`."""
    for ch in set(folded).difference(_CLASSIFIED):
        if unicodedata.category(ch).startswith(_IGNORED_CATEGORIES):
            _DELETE[ord(ch)] = None
        _CLASSIFIED.add(ch)
    return folded.translate(_DELETE)


def text_fingerprint(text: str) -> Fingerprint:
    """Fingerprint of an already-Simplified body text."""
    normalised = normalise_text(text)
    digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest()
    return Fingerprint(digest=digest, matchable=len(normalised) >= MIN_MATCHABLE_CHARS)


def article_fingerprint(item: Article) -> Fingerprint:
    """Fingerprint of an article: its Simplified body when the normalise pipeline filled
    one, else the body as published."""
    return text_fingerprint(item.simplified.get("body") or item.body)
