"""``newsarchive show``: an article with its URLs, versions, diff and near-duplicate cluster."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from cli.main import main
from crawler.replica.content import generate_article
from models.engine import make_engine, session_factory, upgrade_to_head
from models.store import store_batch
from pipelines.normalise import normalise
from tests.archive_items import make_article

URL = "http://js.people.com.cn/n2/2020/0401/c360302-1.html"
COPY = "http://www.xhby.net/n2/2020/0402/c1-2.html"


def paragraphs(seed: int) -> list[str]:
    content = generate_article(random.Random(f"show-test:{seed}"), datetime(2020, 4, 1, 9), min_chars=600)
    return [b for b in content.blocks if isinstance(b, str)]


@pytest.fixture
def archive(sqlite_url: str) -> str:
    """One article in two versions (a corrected last paragraph) and a syndicated copy."""
    upgrade_to_head(sqlite_url)
    text = paragraphs(1)
    corrected = [*text[:-1], text[-1] + "（此文有更正）"]
    copy = ["本网讯" + text[0], *text[1:]]
    batches = [
        [make_article(URL, title="原标题", body="\n".join(text))],
        [make_article(URL, title="更正后的标题", body="\n".join(corrected), fetched_at="2024-03-02T10:00:00+00:00")],
        [make_article(COPY, site="xhby.net", body="\n".join(copy))],
    ]
    engine = make_engine(sqlite_url)
    for batch in batches:
        items = [normalise(item) for item in batch]
        with session_factory(engine).begin() as session:
            store_batch(session, items, [])
    engine.dispose()
    return sqlite_url


def test_text_view_lists_urls_versions_and_cluster(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", archive, "show", URL + "?from=timeline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("article 1  更正后的标题")
    assert "URLs (2)" in out and "https://js.people.com.cn/n2/2020/0401/c360302-1.html  (canonical)" in out
    assert f"  {URL}\n" in out  # the URL as fetched is kept beside the canonical one
    assert "versions (2)" in out
    assert "  1  2024-03-01T10:00:00+00:00" in out and " *  2  2024-03-02T10:00:00+00:00" in out
    assert "near-duplicate cluster" in out and "xhby.net" in out


def test_json_view_and_diff(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", archive, "show", "1", "--json", "--diff", "1", "2"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert [v["number"] for v in view["versions"]] == [1, 2] and view["current_version"] == 2
    assert [v["title"] for v in view["versions"]] == ["原标题", "更正后的标题"]
    members = {m["article_id"]: m for m in view["cluster"]["members"]}
    assert set(members) == {1, 2} and 0.5 < members[2]["similarity"] < 1 and members[2]["linked_to"] == 1
    changes = [line for line in view["diff"] if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changes[:2] == ["-title: 原标题", "+title: 更正后的标题"]
    assert len(changes) == 4 and changes[3].endswith("（此文有更正）") and changes[3].startswith("+body: ")


def test_article_without_copies_or_history(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(archive)
    with session_factory(engine).begin() as session:
        store_batch(session, [normalise(make_article("http://a.cn/solo.html", body="短讯"))], [])
    engine.dispose()
    assert main(["--db", archive, "show", "http://a.cn/solo.html"]) == 0
    out = capsys.readouterr().out
    assert "versions (1)" in out and "near-duplicates: none known" in out


def test_unknown_article_and_version_are_clear_errors(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", archive, "show", "http://nowhere.cn/1.html"]) == 1
    assert "no article 'http://nowhere.cn/1.html'" in capsys.readouterr().err
    assert main(["--db", archive, "show", "1", "--diff", "1", "7"]) == 1
    assert "article 1 has no version 7; its versions are [1, 2]" in capsys.readouterr().err


def test_unavailable_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "show", "1"]) == 2
    assert "127.0.0.1:1" in capsys.readouterr().err
