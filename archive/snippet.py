"""Snippets with the matched words marked, cut from the text as published.

Matching happens on the Simplified form; OpenCC t2s maps character for character in
almost all text, so positions found there are used on the published text whenever the
two have the same length (otherwise the snippet shows the Simplified text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Characters of context shown before the first match, and snippet length.
CONTEXT_BEFORE = 30
SNIPPET_LENGTH = 120


def match_pattern(term_runs: Iterable[tuple[str, ...]]) -> re.Pattern[str] | None:
    """A case-insensitive pattern for any of the terms (runs may be separated by
    punctuation or spaces, as the search allows)."""
    alternatives = [r"[\W_]*".join(re.escape(run) for run in runs) for runs in term_runs if runs]
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)), re.IGNORECASE)


def snippet(published: str, simplified: str, pattern: re.Pattern[str] | None) -> tuple[str, list[tuple[int, int]]]:
    """A window of the text around the first match and the (start, end) offsets of every
    match inside it; the start of the text when nothing matches (e.g. a title hit)."""
    searched = unicodedata.normalize("NFKC", simplified)
    shown = published if len(published) == len(searched) else searched
    found = list(pattern.finditer(searched)) if pattern else []
    start = max(0, found[0].start() - CONTEXT_BEFORE) if found else 0
    end = start + SNIPPET_LENGTH
    spans = [(m.start() - start, min(m.end(), end) - start) for m in found if start <= m.start() < end]
    return shown[start:end].replace("\n", " "), spans


def mark(text: str, spans: list[tuple[int, int]], before: str, after: str) -> str:
    """``text`` with ``before``/``after`` around each span."""
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], before, text[start:end], after]
        last = end
    out.append(text[last:])
    return "".join(out)
