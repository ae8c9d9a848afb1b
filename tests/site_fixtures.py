"""The small hand-written site pages in tests/fixtures/sites, read as the crawler would get them."""

from __future__ import annotations

from pathlib import Path

from crawler.items import Article
from crawler.sites.registry import extract

FIXTURES = Path(__file__).parent / "fixtures" / "sites"


def load_article(name: str, url: str, encoding: str = "utf-8") -> Article:
    """Extract fixture ``name`` served as ``url``, its text encoded in ``encoding`` (GBK, Big5 …)."""
    result = extract(url, (FIXTURES / name).read_text(encoding="utf-8").encode(encoding))
    assert isinstance(result, Article), result
    return result
