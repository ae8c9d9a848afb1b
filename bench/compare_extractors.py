"""Adapters that score trafilatura and GNE on our corpus, next to our own extractor.

Each adapter takes the page text (decoded by the evaluator with the encoding our
extractor chose, so encoding detection does not decide the match) and the page URL, and
maps the tool's output onto our field names as fairly as we can:

* trafilatura 2.3.1 ``bare_extraction(..., with_metadata=True)``: ``title``, ``date``
  (asked for date *and* time, so minute-precision labels can match when htmldate finds a
  time), ``author`` (``"; "``-separated), ``text``. Its ``sitename`` is the site's name
  (e.g. "人民网版权所有"), not the 来源 a label's ``source`` means, so it is not mapped.
* GNE 0.4.3 ``GeneralNewsExtractor().extract(html)``: ``title``, ``publish_time`` (the
  page's own string, read into ISO here), ``author``, ``content``.

Fields a tool does not produce are left out and score as missing.

Run as a script for the side-by-side table: ``python bench/compare_extractors.py CORPUS_DIR
[--json]`` (the same as ``newsarchive eval CORPUS_DIR --compare``).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from crawler.evaluation import Prediction, TextExtractor
from crawler.parsing.dates import parse_date_value

#: Separators between names in a tool's author string.
_NAME_SEPARATORS = re.compile(r"[;；,，、/|\s]+")
#: An XML declaration naming an encoding: lxml refuses it on already-decoded text.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def split_names(text: str | None) -> list[str]:
    """Split a tool's single author string into names (our fields are lists)."""
    return [name for name in _NAME_SEPARATORS.split(text or "") if name]


def loose_iso(text: str | None) -> str | None:
    """Read a date string as a tool returned it into ISO 8601 with our own date reader
    (:func:`crawler.parsing.dates.parse_date_value`: Beijing time unless a zone is given),
    so a tool is not marked down for printing ``2022年02月13日`` instead of ISO."""
    found = parse_date_value(text or "")
    return found.iso if found else None


def trafilatura_extractor() -> TextExtractor:
    """Adapter for trafilatura 2.3.1 (imported here: it is a bench-only dependency)."""
    import trafilatura
    from trafilatura.settings import set_date_params

    date_params = {**set_date_params(), "outputformat": "%Y-%m-%dT%H:%M:%S"}

    def extract(html: str, url: str) -> Prediction:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, date_extraction_params=date_params
        )
        if doc is None:
            return {}
        return {
            "title": doc.title,
            "published_at": loose_iso(doc.date),
            "authors": split_names(doc.author),
            "body": doc.text or "",
        }

    return extract


def gne_extractor() -> TextExtractor:
    """Adapter for GNE 0.4.3 (imported here: it is a bench-only dependency)."""
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def extract(html: str, url: str) -> Prediction:
        result: dict[str, Any] = extractor.extract(_XML_DECLARATION.sub("", html, count=1))
        return {
            "title": result.get("title"),
            "published_at": loose_iso(result.get("publish_time")),
            "authors": split_names(result.get("author")),
            "body": result.get("content") or "",
        }

    return extract


def comparison_tools() -> dict[str, TextExtractor]:
    """The tools ``newsarchive eval --compare`` scores, in column order."""
    return {"trafilatura": trafilatura_extractor(), "gne": gne_extractor()}


if __name__ == "__main__":
    from cli.main import main

    sys.exit(main(["eval", *sys.argv[1:], "--compare"]))
