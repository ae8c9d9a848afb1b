"""Chinese-aware normalisation and tokens for the search index.

Neither SQLite's tokenizers nor PostgreSQL's parsers segment Chinese (and trigrams miss
the 1- and 2-character words most queries consist of), so text is tokenised here, the
same way for both databases and for queries (it lives beside the write side, which
indexes with it; the read side imports it to parse queries, never the reverse):

* text is NFKC-normalised (full-width ``２０２２`` → ``2022``) and case-folded; callers
  pass the OpenCC Simplified form, so both scripts meet in one;
* it is cut into *runs*: maximal stretches of letters/digits of one kind, CJK or other
  (``5G网络`` → ``5g``, ``网络``); everything else only separates runs;
* the *normalised text* is the runs joined by single spaces, with a space at each end,
  so a substring test on it is exact matching for phrases and whole Latin words;
* *tokens* (what the FTS5/GIN index holds) are every CJK character, every CJK bigram
  and every other run: a 1- or 2-character term is one token, a longer one needs all of
  its bigrams (then a substring test on the normalised text confirms);
* PostgreSQL indexes each token as a 32-bit *code* (:func:`token_codes`), less than half
  the bytes of a tsvector lexeme: a character or bigram of the Basic Multilingual Plane
  (nearly all Chinese text) has a code of its own; any other token (a Latin word, a rare
  ideograph) a hashed code it may share, so a term with one is confirmed on the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from operator import add

import numpy as np

from models.fingerprint import code_points

#: Code points from here up (CJK radicals, kana, ideographs, Hangul …) are written
#: without spaces between words, so they are indexed as characters and bigrams.
CJK_START = 0x2E80
#: Longer Latin/digit runs (hashes, base64 left in a body) are not tokens: PostgreSQL
#: refuses lexemes over 2 KB, and nobody searches for them as words.
MAX_WORD_LENGTH = 64

#: Letters and digits (``\w`` without the underscore is exactly ``str.isalnum``).
_WORDS = re.compile(r"[^\W_]+")
#: A word cut where it changes between CJK and other characters.
_KINDS = re.compile(f"[{chr(CJK_START)}-\U0010ffff]+|[^{chr(CJK_START)}-\U0010ffff]+")


def is_cjk(char: str) -> bool:
    return ord(char) >= CJK_START


def runs(text: str) -> list[str]:
    """The normalised runs of ``text`` (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [part for word in _WORDS.findall(folded) for part in _KINDS.findall(word)]


def join_runs(parts: Iterable[str]) -> str:
    """Runs as normalised text: single spaces between, one at each end."""
    return f" {' '.join(parts)} "


def normalise(text: str | None) -> str:
    """The normalised text searched by substring (``" "`` for no text)."""
    return join_runs(runs(text or ""))


def run_tokens(run: str) -> list[str]:
    """Index tokens of one run: characters and bigrams for CJK, the word itself otherwise."""
    if not is_cjk(run[0]):
        return [run] if len(run) <= MAX_WORD_LENGTH else []
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def text_tokens(*normalised_texts: str) -> set[str]:
    """The distinct tokens of normalised texts.

    A set, unordered: the index keeps no positions (FTS5 ``detail=none``; a tsvector
    sorts its lexemes), so order would only cost a sort per article. Written out rather
    than built from :func:`run_tokens` because index rebuilds spend most of their time here.
    """
    tokens: set[str] = set()
    for text in normalised_texts:
        for run in text.split():
            if is_cjk(run[0]):
                tokens.update(run)
                tokens.update(map(add, run, run[1:]))
            elif len(run) <= MAX_WORD_LENGTH:
                tokens.add(run)
    return tokens


_FIRST_CJK = chr(CJK_START)


def cjk_characters(*normalised_texts: str) -> set[str]:
    """The 1-character CJK tokens of normalised texts (those of :func:`text_tokens`): in
    normalised text a CJK character is always part of a CJK run, so this is every
    distinct character from :data:`CJK_START` up, found without cutting runs or bigrams."""
    return {char for char in set().union(*normalised_texts) if char >= _FIRST_CJK}


#: CJK code points below the supplementary planes: each, and each pair, gets a code of its own.
_PLANE = 0x10000 - CJK_START
#: Codes from here on are hashed (shared) ones.
_OWN_CODES = _PLANE * (_PLANE + 1)
_SHARED_CODES = 2**32 - _OWN_CODES


def has_own_code(token: str) -> bool:
    """Whether no other token has this token's code (see :func:`token_codes`)."""
    return len(token) <= 2 and all(CJK_START <= ord(char) < 0x10000 for char in token)


def token_codes(tokens: Iterable[str]) -> list[int]:
    """The signed 32-bit codes of ``tokens`` (PostgreSQL ``integer``), sorted: a BMP CJK
    character ``a`` is ``a``, a bigram ``ab`` is ``_PLANE + a * _PLANE + b`` (offsets from
    :data:`CJK_START`), anything else a BLAKE2 hash into the codes above those."""
    return token_code_array(tokens).tolist()


def token_code_array(tokens: Iterable[str]) -> np.ndarray:
    """:func:`token_codes` as a sorted int32 array.

    Computed on all tokens at once, because every stored article's hundreds of tokens
    pass through here on PostgreSQL (a loop over characters cost more than the rest of
    indexing): the tokens' code points are read from one UTF-32 encoding of them all,
    each token's first and second code point picked out by its offset, and only the
    tokens without a code of their own (Latin words, rare ideographs: few in Chinese
    text) are hashed one by one.
    """
    tokens = tokens if isinstance(tokens, list | tuple) else list(tokens)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    # two out-of-range points after the last token: every token's first and second can be read
    points = np.append(code_points("".join(tokens)).astype(np.int64) - CJK_START, (-1, -1))
    starts = np.cumsum(lengths) - lengths
    first, second = points[starts], points[starts + 1]
    pair = lengths == 2
    own = (first >= 0) & (first < _PLANE) & ((lengths == 1) | pair & (second >= 0) & (second < _PLANE))
    codes = np.where(pair, _PLANE + first * _PLANE + second, first)
    for index in np.flatnonzero(~own).tolist():
        digest = hashlib.blake2b(tokens[index].encode(), digest_size=8).digest()
        codes[index] = _OWN_CODES + int.from_bytes(digest, "big") % _SHARED_CODES
    codes -= 2**31
    codes.sort()
    return codes.astype(np.int32)
