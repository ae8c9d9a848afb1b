"""``newsarchive show``: an article with its URLs, versions, diff and near-duplicate cluster."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest
from sqlalchemy import select

from opencc import OpenCC

from cli.main import main
from models.schema import ArticleVersion
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
    assert out.startswith("article 1  [people.com.cn]  zh-Hans\n  更正后的标题\n")
    assert "URLs (2)" in out and f"  {URL}  (canonical)" in out  # the URL as served is shown
    assert "  https://js.people.com.cn/n2/2020/0401/c360302-1.html\n" in out  # its https form is one of its URLs
    assert "versions (2)" in out
    assert "  1  2024-03-01T18:00:00+08:00" in out and " *  2  2024-03-02T18:00:00+08:00" in out  # China time
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


TRADITIONAL = OpenCC("s2t").convert


@pytest.fixture
def whole(sqlite_url: str) -> str:
    """One Traditional article with every field a page can give."""
    upgrade_to_head(sqlite_url)
    body = "\n".join(paragraphs(2))
    item = make_article(
        "http://hk.people.com.cn/n2/2020/0401/c1-9.html", pretitle="一線調研", title="香港經濟穩步復甦",
        subtitle="多家企業赴港上市", original_title="兩地合作更加緊密", source="大公報", authors=["陳明", "李強"],
        editors=["黃麗"], body=TRADITIONAL(body), printed_page="A2",
    )
    engine = make_engine(sqlite_url)
    with session_factory(engine).begin() as session:
        store_batch(session, [normalise(item)], [])
    engine.dispose()
    return sqlite_url


def test_show_prints_the_whole_article_as_published(whole: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", whole, "show", "1"]) == 0
    out = capsys.readouterr().out
    head = out.split("\n\n")[0]
    assert head.splitlines()[1:4] == ["  一線調研", "  香港經濟穩步復甦", "  多家企業赴港上市"]
    for line in ("source 大公報", "authors 陳明、李強", "editors 黃麗", "original title 兩地合作更加緊密",
                 "printed page A2", "2022-02-13T07:48:00+08:00  (printed: 2022年02月13日07:48)"):
        assert line in head
    assert TRADITIONAL(paragraphs(2)[0]) in out and TRADITIONAL(paragraphs(2)[-1]) in out


def test_simplified_prints_the_simplified_twin(whole: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", whole, "show", "1", "--simplified"]) == 0
    out = capsys.readouterr().out
    assert "  香港经济稳步复苏" in out and paragraphs(2)[1] in out and TRADITIONAL(paragraphs(2)[1]) not in out


def test_json_carries_the_whole_article(whole: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", whole, "show", "1", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert (view["pretitle"], view["subtitle"], view["original_title"]) == ("一線調研", "多家企業赴港上市", "兩地合作更加緊密")
    assert (view["source"], view["authors"], view["editors"]) == ("大公報", ["陳明", "李強"], ["黃麗"])
    assert view["body"] == TRADITIONAL("\n".join(paragraphs(2))) and view["body_simplified"].startswith(paragraphs(2)[0][:10])


def test_a_diff_between_scripts_shows_only_real_changes(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Version 2 is the Traditional text of version 1 with one paragraph corrected: only that
    paragraph is a change, not every line that differs in script."""
    upgrade_to_head(sqlite_url)
    text = paragraphs(3)
    engine = make_engine(sqlite_url)
    with session_factory(engine).begin() as session:
        store_batch(session, [normalise(make_article(body="\n".join(text)))], [])
    with session_factory(engine).begin() as session:
        first = session.scalars(select(ArticleVersion)).one()
        corrected = [*text[:-1], text[-1] + "（更正）"]
        item = {**first.item, "title": TRADITIONAL(first.item["title"]), "body": TRADITIONAL("\n".join(corrected)),
                "script": "zh-Hant"}
        session.add(ArticleVersion(article_id=first.article_id, number=2, fetched_at=first.fetched_at,
                                   fingerprint="0" * 64, item=item))
    engine.dispose()
    assert main(["--db", sqlite_url, "show", "1", "--json", "--diff", "1", "2"]) == 0
    diff = json.loads(capsys.readouterr().out)["diff"]
    changes = [line for line in diff if line[:1] in ("+", "-") and not line.startswith(("+++", "---"))]
    assert len(changes) == 2 and changes[1].endswith("（更正）")
