"""Shared access to the labelled corpus in ../shared/corpus for the site tests (skips when absent).

Pages are scored with the same functions as ``newsarchive eval`` (``crawler.evaluation``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from crawler.evaluation import bigram_f1, set_f1
from tests.services import CORPUS, require_corpus

__all__ = ["CORPUS", "bigram_f1", "label_for", "manifest", "page_url", "require_corpus", "set_f1"]


def manifest() -> list[dict[str, str]]:
    with (require_corpus() / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def page_url(row: dict[str, str]) -> str:
    """The page's URL from the manifest, or a made-up one on the site's host when unknown."""
    return row["page_url"] or f"http://www.{row['site']}/unknown/{Path(row['file']).stem}.html"


def label_for(row: dict[str, str]) -> dict[str, Any] | None:
    path = CORPUS / "expected" / (row["file"][len("raw/") : -len(".html")] + ".json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
