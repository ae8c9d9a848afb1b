"""Turn page bytes into text by what the bytes ARE, not by what the page claims.

Chinese news pages lie about their charset in both directions (GB2312 declared on
UTF-8 pages and the reverse), so a declaration is only a hint: a codec is accepted
when it decodes the bytes strictly. GB2312/GBK are read as GB18030, their superset,
so rare characters in names do not break a page. Big5 bytes almost always *also*
decode as GB18030 (to nonsense), so when both legacy codecs succeed the text that
reads as common Chinese wins.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from crawler.items import Problem

#: Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Declared names that are subsets of a wider codec we decode with instead.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
}

#: ``charset=`` in a <meta> tag, or ``encoding=`` in an XML declaration / CleanEval ``<text>`` wrapper,
#: matched in lower-cased bytes at the places its keywords occur.
_DECLARATION_KEYWORDS = (b"charset", b"encoding")
_DECLARATION = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([a-z0-9_.:-]{2,30})""")

#: How far into the page a charset declaration is looked for.
_SNIFF_BYTES = 4096

#: Codecs tried after UTF-8 and the declaration, in order.
_FALLBACKS = ("gb18030", "big5hkscs")

#: How many CJK characters are enough to judge which legacy codec reads as Chinese.
_SAMPLE_CHARS = 3000
#: Runs of characters from the CJK radicals block (U+2E80) up: what the sample is made of.
_CJK_RUNS = re.compile(r"[\u2e80-\U0010ffff]+")


#: WHATWG MIME sniffing's "binary data bytes": control bytes no text page holds.
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
#: How much of the body is looked at, and the share of binary data bytes from which it is binary data.
_BINARY_SAMPLE = 1024
_BINARY_SHARE = 0.05


def looks_binary(body: bytes) -> bool:
    """Whether ``body`` is binary data (an image, an archive) rather than a text page.

    Compressed and image data hold a control byte in every eight or so; a text page holds
    none, except a stray NUL or two that a CMS let into a ``<title>``, which must not cost
    the page. So the share of such bytes in the first KB decides, not their presence.
    UTF-16 and UTF-32 text with a byte-order mark is text.
    """
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = body[:_BINARY_SAMPLE]
    binary = len(head) - len(head.translate(None, _BINARY_BYTES))
    return binary > _BINARY_SHARE * len(head)


@dataclass(slots=True)
class Decoded:
    """Page text plus the codec that produced it and anything that went wrong."""

    text: str
    encoding: str
    problems: list[Problem] = field(default_factory=list)


def normalise_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, upgraded to its superset; ``None`` if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(body: bytes) -> list[str]:
    """Charsets the page itself declares near its start (meta tags, wrappers), normalised, in order."""
    found: list[str] = []
    for match in _declarations(body[:_SNIFF_BYTES].lower()):
        name = normalise_charset(match.group(1).decode("ascii", "ignore"))
        if name and name not in found:
            found.append(name)
    return found


def _declarations(head: bytes) -> Iterator[re.Match[bytes]]:
    """``_DECLARATION.finditer(head)``, tried only where a keyword occurs.

    A declaration is looked for on every page that is not UTF-8, and a regex search
    that starts at every ``c`` and ``e`` of the markup cost more than decoding the page.
    """
    starts = sorted(start for keyword in _DECLARATION_KEYWORDS for start in _occurrences(head, keyword))
    end = 0
    for start in starts:
        if start >= end and (match := _DECLARATION.match(head, start)):
            end = match.end()
            yield match


def _occurrences(data: bytes, part: bytes) -> Iterator[int]:
    start = data.find(part)
    while start >= 0:
        yield start
        start = data.find(part, start + 1)


def decode_html(body: bytes, declared: str | None = None) -> Decoded:
    """Decode page bytes; ``declared`` is the HTTP header charset, if any.

    Never raises and never returns mojibake silently: when no candidate decodes the
    bytes strictly, the least-damaged reading is returned with an ``encoding`` problem.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _decode_lenient(body[len(bom):], codec)
    truncated = _strict_utf8(body)
    if truncated is not None:
        return truncated
    candidates = _candidates(body, declared)
    readings = [(codec, text) for codec in candidates if (text := _strict(body, codec)) is not None]
    if len(readings) == 1:
        return Decoded(text=readings[0][1], encoding=readings[0][0])
    if readings:
        hint = candidates[0]
        codec, text = max(readings, key=lambda r: _chinese_score(r[1]) + (0.1 if r[0] == hint else 0.0))
        return Decoded(text=text, encoding=codec)
    return _best_damaged(body, ["utf-8", *candidates])


def _candidates(body: bytes, declared: str | None) -> list[str]:
    ordered = [normalise_charset(declared), *declared_charsets(body), *_FALLBACKS]
    out: list[str] = []
    for codec in ordered:
        if codec and codec != "utf-8" and codec not in out:
            out.append(codec)
    return out


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _strict_utf8(body: bytes) -> Decoded | None:
    """UTF-8 reading, tolerating only a character cut off by a truncated download."""
    try:
        return Decoded(text=body.decode("utf-8"), encoding="utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.start < len(body) - 3:
            return None
        head = _strict(body[: exc.start], "utf-8")
        if head is None:
            return None
        problem = Problem(kind="truncated", detail="the page bytes end inside a UTF-8 character; the download was cut short")
        return Decoded(text=head, encoding="utf-8", problems=[problem])


def _decode_lenient(body: bytes, codec: str) -> Decoded:
    text = body.decode(codec, errors="replace")
    problems = []
    if "\ufffd" in text and _strict(body, codec) is None:
        problems.append(_encoding_problem(codec))
    return Decoded(text=text, encoding=codec, problems=problems)


def _best_damaged(body: bytes, codecs_to_try: list[str]) -> Decoded:
    readings = [(codec, body.decode(codec, errors="replace")) for codec in dict.fromkeys(codecs_to_try)]
    codec, text = min(readings, key=lambda r: r[1].count("\ufffd"))
    return Decoded(text=text, encoding=codec, problems=[_encoding_problem(codec)])


def _encoding_problem(codec: str) -> Problem:
    return Problem(
        kind="encoding",
        detail=f"bytes are not valid in any candidate encoding; decoded as {codec} with replacement "
        "characters - check the page's real charset and add it as declared_encoding",
    )


def _chinese_score(text: str) -> float:
    """Share of CJK characters that are common in Simplified (GB2312 level 1) or Traditional (Big5 level 1).

    Legacy bytes read with the wrong codec scatter over rare characters, kana and the
    private-use area, so the right reading scores clearly higher.
    """
    sample = "".join(_CJK_RUNS.findall(text))[:_SAMPLE_CHARS]
    if not sample:
        return 0.0
    return sum(map(_common_characters().__contains__, sample)) / len(sample)


@functools.cache
def _common_characters() -> frozenset[str]:
    """Every character :func:`_is_common` accepts: the GB2312 and Big5 level-1 rows, decoded.

    Built once (a few milliseconds), on the first page that two legacy codecs both read:
    testing each of the 6,000 sampled characters by encoding it twice cost milliseconds a page.
    """
    rows = [  # (codec, level-1 lead bytes, trail bytes)
        ("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
        ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
    ]
    found: set[str] = set()
    for codec, leads, trails in rows:
        for lead in leads:
            pairs = [bytes((lead, trail)) for trail in trails]
            row = _strict(b"".join(pairs), codec)
            if row is not None and len(row) == len(pairs):  # every pair one character: the row at once
                found.update(row)
            else:
                found.update(char for pair in pairs if (char := _strict(pair, codec)) is not None and len(char) == 1)
    return frozenset(char for char in found if _is_common(char))


def _is_common(char: str) -> bool:
    try:
        gb = char.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        big5 = char.encode("big5")
        return 0xA4 <= big5[0] <= 0xC6
    except UnicodeEncodeError:
        return False
