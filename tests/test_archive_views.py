"""The documented SQL views: columns exactly as documented, on both databases, with the
people and URLs of the sample archive flattened as described."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from archive.views import VIEWS, render_markdown
from tests.archive_search_items import HONGKONG, NANTONG, sample_archive

DOCS = Path(__file__).resolve().parents[1] / "docs" / "sql.md"


@pytest.fixture
def archive(db_url):
    return sample_archive(db_url)


def test_docs_are_rendered_from_the_view_descriptions():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), "run: python -m archive.views > docs/sql.md"


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
def test_view_has_exactly_the_documented_columns_and_its_example_runs(archive, view):
    with archive() as session:
        columns = list(session.execute(text(f"SELECT * FROM {view.name}")).keys())
        session.execute(text(view.example)).all()
    assert columns == [name for name, _ in view.columns]


def test_article_flat_joins_people_and_urls(archive):
    with archive() as session:
        row = session.execute(text("SELECT * FROM article_flat WHERE canonical_url = :u"), {"u": NANTONG}).mappings().one()
    assert (row["authors"], row["editors"], row["urls"].split("\n")) == ("张三", "王五", [NANTONG])
    assert row["site"] == "people.com.cn" and row["title"] == "南通推进产业升级" and row["version"] == 1


def test_article_people_has_one_row_per_credit(archive):
    with archive() as session:
        rows = session.execute(
            text(
                "SELECT p.role, p.position, p.name, p.name_simplified FROM article_people p "
                "JOIN article_flat a ON a.id = p.article_id WHERE a.canonical_url = :u ORDER BY p.role, p.position"
            ),
            {"u": HONGKONG},
        ).all()
    assert [tuple(row) for row in rows] == [("author", 0, "陳明", "陈明"), ("editor", 0, "黃麗", "黄丽")]


def test_article_urls_marks_the_canonical_url(archive):
    with archive() as session:
        rows = session.execute(text("SELECT url, is_canonical FROM article_urls WHERE url = :u"), {"u": NANTONG}).all()
    assert [(url, bool(canonical)) for url, canonical in rows] == [(NANTONG, True)]
