"""One check for every site template's real corpus pages: exact title, date, source and editors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.items import Article
from crawler.sites.registry import extract
from tests.corpus_support import CORPUS, bigram_f1, label_for, manifest, page_url

#: Fields the issue requires to be exact (1.0) on a template's own pages, plus the rest we read exactly.
EXACT_FIELDS = ("title", "pretitle", "subtitle", "original_title", "published_at", "source", "authors", "editors",
                "breadcrumbs", "pages", "script")


def corpus_rows(site: str) -> list[Any]:
    """Manifest rows of one corpus site as pytest params (one skipped param when the corpus is absent)."""
    if not (CORPUS / "MANIFEST.tsv").exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [pytest.param(row, id=Path(row["file"]).stem) for row in manifest() if row["site"] == site]


def check_against_label(row: dict[str, str], template: str) -> Article:
    """Extract the page as the crawler would and compare it with its label, field by field."""
    label = label_for(row)
    assert label is not None, f"no label for {row['file']}"
    article = extract(page_url(row), (CORPUS / row["file"]).read_bytes())
    assert isinstance(article, Article), article
    assert article.template == template
    for name in EXACT_FIELDS:
        assert getattr(article, name) == label[name], name
    assert bigram_f1(article.body, label["body"]) >= 0.95
    return article
