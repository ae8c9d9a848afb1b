"""Shared access to the labelled corpus in ../shared/corpus for the site tests (skips when absent)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def require_corpus() -> Path:
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"labelled corpus not found at {CORPUS}")
    return CORPUS


def manifest() -> list[dict[str, str]]:
    with (require_corpus() / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def page_url(row: dict[str, str]) -> str:
    """The page's URL from the manifest, or a made-up one on the site's host when unknown."""
    return row["page_url"] or f"http://www.{row['site']}/unknown/{Path(row['file']).stem}.html"


def label_for(row: dict[str, str]) -> dict[str, Any] | None:
    path = CORPUS / "expected" / (row["file"][len("raw/") : -len(".html")] + ".json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def bigram_f1(pred: str, label: str) -> float:
    """F1 of character bigrams with whitespace removed (paragraph splitting does not matter)."""

    def grams(text: str) -> Counter[str]:
        text = "".join(text.split())
        return Counter(text[i : i + 2] for i in range(len(text) - 1))

    p, q = grams(pred), grams(label)
    overlap = sum((p & q).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(q.values())
    return 2 * precision * recall / (precision + recall)


def set_f1(pred: list[str], label: list[str]) -> float:
    if not pred and not label:
        return 1.0
    overlap = len(set(pred) & set(label))
    return 2 * overlap / (len(set(pred)) + len(set(label))) if overlap else 0.0
