"""The one content fingerprint that decides whether two pages carry the same article.

Reposts of an article on another URL (or in Traditional script on a sister site) differ
in markup, spacing and punctuation but not in wording, so the hash is taken over the
Simplified body with whitespace, punctuation and other non-word characters removed.
Very short bodies (a photo caption, an empty page) are too alike to prove anything, so
they are marked not *matchable*: their hash still detects a changed text of the same
article but must never merge two different URLs into one article.

Every stored text is fingerprinted, so the normalisation works on the text's code points
with numpy (see :func:`fold` and :class:`CharacterFilter`) rather than character by
character in Python; what it computes is defined by :mod:`unicodedata` (NFKC, general
categories) and by one table beside OpenCC, :data:`VARIANT_FOLDS`.

Why the table: a Traditional mirror is matched on its OpenCC ``t2s`` form, but OpenCC is
not symmetric. A mirror site's converter may write 宁 as 甯 (張甯浩), and ``t2s`` leaves 甯
alone because it is also a character of its own (a surname); Taiwan and Hong Kong
converters write variants (衞, 枱) that ``t2s`` keeps too. So the fold also maps every
character that OpenCC's ``t2s`` leaves unchanged although its dictionaries list it as a
form of another Simplified character (``TSCharacters`` candidates after the first,
``STCharacters`` Traditional forms, ``TWVariants``/``HKVariants``) to that character,
both in the original and in the mirror. Folding only decides equality, never display,
so a rare merge of two real characters (像/象) costs nothing.
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from crawler.items import Article

#: Bodies with fewer characters than this after normalisation never match by fingerprint.
MIN_MATCHABLE_CHARS = 50

#: Size of the caches of per-body work (:func:`fold` here, the substantive text in
#: :mod:`models.boilerplate`): a store batch takes every body's fingerprint, then checks
#: and sketches them one by one, so a cache smaller than a batch's articles would fold
#: each body again. A batch holds at most ``NEWSARCHIVE_STORE_BATCH_SIZE`` items (a test
#: keeps this above the default); bodies are kilobytes, so the caches take a few MB.
STORE_BATCH_CACHE = 1024

#: Fullwidth forms of ASCII ``!`` … ``~`` (U+FF01–U+FF5E): NFKC maps each back by this offset.
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_OFFSET = 0xFF01, 0xFF5E, 0xFEE0
#: U+3000, which NFKC maps to a space.
_IDEOGRAPHIC_SPACE = 0x3000

#: Characters OpenCC's ``t2s`` leaves unchanged and the Simplified character each is a form of
#: (derived from OpenCC 1.1's dictionaries as the module docstring says; chains resolved).
VARIANT_FOLDS = dict(zip(
    "么仝伕俱像叚哩唚喆坏堃座彷待拏揹敍斲暱枱椀沈淼潀澂濬燄牠犇瑯甦甯痺睪瞭礆祇筦簷籐粧糭絜緪耈耑耡荳菉菓著薰藉蘗衞衹覆觔迺邨鎗阪隄颚鲶龢",
    "幺同夫具象假里吣哲坯坤坐仿呆拿背叙斫昵台碗沉渺潨澄浚焰它奔琅苏宁痹睾了硷只管檐藤妆粽洁縆耇专锄豆绿果着熏借檗卫只复斤乃村枪坂堤腭鲇和",
    strict=True,
))
#: :data:`VARIANT_FOLDS` as a code point table over the range its characters lie in.
_VARIANT_RANGE = max(map(ord, VARIANT_FOLDS)) + 1
_VARIANT_TABLE = np.arange(_VARIANT_RANGE, dtype=np.uint32)
_VARIANT_TABLE[[ord(k) for k in VARIANT_FOLDS]] = [ord(v) for v in VARIANT_FOLDS.values()]
_VARIANT_TRANSLATION = str.maketrans(VARIANT_FOLDS)

#: Unicode categories dropped before hashing: punctuation, separators, symbols, controls.
_IGNORED_CATEGORIES = ("P", "Z", "S", "C")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """SHA-256 hex ``digest`` of the normalised text, and whether it may identify an article."""

    digest: str
    matchable: bool


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a uint32 array (a view of its UTF-32 encoding; lone
    surrogates, which a ``str`` may hold, included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def from_code_points(codes: np.ndarray) -> str:
    """The text of a uint32 array of code points (the inverse of :func:`code_points`)."""
    return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


class CharacterFilter:
    """Keeps the characters of a text that ``keep`` accepts, asking ``keep`` once per code point.

    Answers are kept in a table of every code point, filled as characters first occur
    (asking for all 1.1 million at start-up would cost almost a second; news text uses a
    few thousand), so after the first articles a text is filtered with two numpy
    look-ups: an eighth of the time ``str.translate`` took with a dict of dropped ones.
    The zeroed table takes memory only where written.
    """

    _UNKNOWN, _KEPT, _DROPPED = 0, 1, 2

    def __init__(self, keep: Callable[[str], bool]) -> None:
        self._keep = keep
        self._kinds = np.zeros(sys.maxunicode + 1, dtype=np.uint8)

    def code_points(self, text: str) -> np.ndarray:
        """The code points of the kept characters of ``text``, in order."""
        codes = code_points(text)
        kinds = self._kinds[codes]
        if not kinds.all():
            new = np.unique(codes[kinds == self._UNKNOWN])
            self._kinds[new] = [self._KEPT if self._keep(chr(code)) else self._DROPPED for code in new.tolist()]
            kinds = self._kinds[codes]
        return codes[kinds == self._KEPT]

    def __call__(self, text: str) -> str:
        """``text`` with only its kept characters."""
        return from_code_points(self.code_points(text))


_WORD_CHARACTERS = CharacterFilter(lambda ch: not unicodedata.category(ch).startswith(_IGNORED_CATEGORIES))


def normalise_text(text: str) -> str:
    """Text reduced to its word characters: NFKC-folded (full-width digits and letters
    become ASCII, so ``２０２２`` equals ``2022``), without whitespace or punctuation."""
    return word_characters(fold(text))


@lru_cache(maxsize=STORE_BATCH_CACHE)
def fold(text: str) -> str:
    """NFKC form of ``text``, cached: NFKC is the costly step of every text comparison and
    one body is folded for its fingerprint, its boilerplate check and its near-duplicate
    sketch. (``"\\n"`` never combines with a neighbour, so folding a whole body and then
    splitting it into paragraphs equals folding each paragraph.)

    Chinese text is seldom NFKC-normal as published only because of its fullwidth
    punctuation, digits and letters, ideographic spaces and ellipses. Those are first
    replaced by their compatibility decompositions, which cannot change the result (NFKC
    begins by decomposing every character so), and the text is normalised only if it
    still needs it: checking is cheap (a replica body folds in 17 µs instead of 100).
    Variant characters are folded too (:data:`VARIANT_FOLDS`).
    """
    codes = code_points(text).copy()
    codes[(codes >= _FULLWIDTH_FIRST) & (codes <= _FULLWIDTH_LAST)] -= _FULLWIDTH_OFFSET
    codes[codes == _IDEOGRAPHIC_SPACE] = ord(" ")
    in_range = codes < _VARIANT_RANGE
    codes[in_range] = _VARIANT_TABLE[codes[in_range]]
    decomposed = from_code_points(codes).replace("\u2026", "...")
    if unicodedata.is_normalized("NFKC", decomposed):
        return decomposed
    # compatibility ideographs (U+F900…) normalise to unified ones that may be variants
    return unicodedata.normalize("NFKC", decomposed).translate(_VARIANT_TRANSLATION)


def word_characters(folded: str) -> str:
    """An NFKC-folded text without the characters of :data:`_IGNORED_CATEGORIES`."""
    return _WORD_CHARACTERS(folded)


def text_fingerprint(text: str) -> Fingerprint:
    """Fingerprint of an already-Simplified body text."""
    normalised = normalise_text(text)
    digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest()
    return Fingerprint(digest=digest, matchable=len(normalised) >= MIN_MATCHABLE_CHARS)


def article_fingerprint(item: Article) -> Fingerprint:
    """Fingerprint of an article: its Simplified body when the normalise pipeline filled
    one, else the body as published."""
    return text_fingerprint(item.simplified.get("body") or item.body)
