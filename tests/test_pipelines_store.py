"""StorePipeline: batching, stats, spooling when the database is down, concurrent writers."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from cli.main import main
from crawler.items import Article as ArticleItem
from crawler.items import NotArticle
from models.capture_store import capture_body
from models.engine import make_engine, session_factory
from models.migrate import current_revisions, head_revisions
from models.repository import store_articles, store_captures
from models.safekeeping import QuarantinedItem
from models.schema import Article, ArticleUrl, Capture
from pipelines.normalise import normalise
from pipelines.spool import Spool, decode_item, encode_item
from pipelines.store import StorePipeline
from tests.archive_items import OTHER_BODY, make_article, make_capture
from tests.fault_crawl import small_server, small_site  # noqa: F401
from tests.services import REPO

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/archive"


def make_pipeline(url: str, spool_dir, batch_size: int = 50, max_wait: float = 3600) -> StorePipeline:
    crawler = get_crawler(
        settings_dict={
            "NEWSARCHIVE_DATABASE_URL": url,
            "NEWSARCHIVE_STORE_BATCH_SIZE": batch_size,
            "NEWSARCHIVE_STORE_MAX_WAIT": max_wait,
            "NEWSARCHIVE_SPOOL_DIR": str(spool_dir),
        }
    )
    return StorePipeline.from_crawler(crawler)


def items():
    page = b"<html><body>\xc4\xcf\xbe\xa9</body></html>"  # GB2312 bytes, not valid UTF-8
    capture = make_capture("http://a.cn/1.html", page)
    return [
        capture,
        make_article("http://a.cn/1.html", page_digests=[capture.digest]),
        make_article("http://a.cn/2.html", body=OTHER_BODY),
        make_article("http://mirror.cn/1.html"),  # same text as the first: a duplicate alias
    ]


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        result = session.scalar(select(func.count(Article.id))), session.scalar(select(func.count(Capture.id)))
    engine.dispose()
    return result


def run(pipeline: StorePipeline, batch) -> None:
    pipeline.open_spider()
    for item in batch:
        assert pipeline.process_item(item) is item
    pipeline.close_spider()


def test_items_are_stored_in_batches_with_stats(migrated_db_url, tmp_path):
    pipeline = make_pipeline(migrated_db_url, tmp_path / "spool", batch_size=2)
    pipeline.open_spider()
    batch = items()
    pipeline.process_item(batch[0])
    assert counts(migrated_db_url) == (0, 0)  # held until the batch is full
    pipeline.process_item(batch[1])
    assert counts(migrated_db_url) == (1, 1)
    pipeline.process_item(NotArticle(url="http://a.cn/list.html", reason="list page"))  # passed over
    for item in batch[2:]:
        pipeline.process_item(item)
    pipeline.close_spider()
    assert counts(migrated_db_url) == (2, 1)
    stats = pipeline.stats.get_stats()
    assert stats["newsarchive/articles/new"] == 2
    assert stats["newsarchive/articles/duplicate"] == 1
    assert stats["newsarchive/captures/stored"] == 1
    assert "newsarchive/store/spooled" not in stats


def one_outage(monkeypatch) -> None:
    """The connection drops during the next batch's captures, then works again."""
    outage = [OperationalError("INSERT ...", {}, Exception("server closed the connection unexpectedly"))]

    def flaky_store_captures(session, captures):
        if outage:
            raise outage.pop()
        store_captures(session, captures)

    monkeypatch.setattr("models.store.store_captures", flaky_store_captures)


def test_unreachable_database_spools_and_next_start_replays(migrated_db_url, tmp_path, caplog, monkeypatch):
    """The database is away when the crawl starts and during its batches: everything is
    spooled under the database's URL, and the next crawl into that archive stores it."""
    spool_dir = tmp_path / "spool"
    engine = make_engine(migrated_db_url)
    monkeypatch.setattr(StorePipeline, "_prepare_archive", lambda self: None)  # as if it could not be asked
    down = make_pipeline(migrated_db_url, spool_dir)
    down.engine = make_engine(UNREACHABLE)  # every batch meets a database that is not there
    down.sessions = session_factory(down.engine)
    with caplog.at_level(logging.WARNING, logger="pipelines.store"):
        run(down, items())
    monkeypatch.undo()
    assert down.stats.get_value("newsarchive/store/spooled") == 4
    assert any("kept them in" in r.getMessage() for r in caplog.records)
    assert len(Spool(spool_dir).pending()) == 1

    up = make_pipeline(migrated_db_url, spool_dir)
    up.open_spider()  # replays before anything new arrives
    assert counts(migrated_db_url) == (2, 1)
    assert Spool(spool_dir).pending() == []
    up.close_spider()
    assert up.stats.get_value("newsarchive/store/replayed") == 4
    assert up.stats.get_value("newsarchive/articles/duplicate") == 1
    with session_factory(engine)() as session:
        capture_id = session.scalar(select(Capture.id))
        assert capture_body(session, capture_id) == items()[0].body  # bytes survived the spool
    engine.dispose()


def test_spooled_items_are_replayed_only_into_the_archive_they_were_fetched_for(
    migrated_db_url, tmp_path, monkeypatch, capsys
):
    """Two archives, one spool folder: the batch archive A could not take waits for A;
    a crawl into B (a new database) neither stores it nor counts it, A's next crawl does."""
    spool_dir = tmp_path / "spool"
    one_outage(monkeypatch)
    run(make_pipeline(migrated_db_url, spool_dir), items())
    assert counts(migrated_db_url) == (0, 0) and Spool(spool_dir).pending_items() == 4

    other = f"sqlite:///{tmp_path / 'other.db'}"
    unrelated = make_pipeline(other, spool_dir)
    run(unrelated, [])
    assert counts(other) == (0, 0) and unrelated.stats.get_value("newsarchive/store/replayed") is None
    capsys.readouterr()
    assert main(["--db", other, "stats", "--spool", str(spool_dir)]) == 0
    assert "items spooled" not in capsys.readouterr().out
    assert main(["--db", migrated_db_url, "stats", "--spool", str(spool_dir)]) == 0
    assert "4 items spooled" in capsys.readouterr().out

    owner = make_pipeline(migrated_db_url, spool_dir)
    run(owner, [])
    assert owner.stats.get_value("newsarchive/store/replayed") == 4
    assert counts(migrated_db_url) == (2, 1) and Spool(spool_dir).pending_items() == 0


def test_a_batch_older_than_the_max_wait_is_written_at_the_next_item(migrated_db_url, tmp_path, monkeypatch):
    """A slow crawl's articles reach the archive within NEWSARCHIVE_STORE_MAX_WAIT, not
    only once a large batch has filled."""
    clock = [1000.0]
    monkeypatch.setattr("pipelines.store.time.monotonic", lambda: clock[0])
    pipeline = make_pipeline(migrated_db_url, tmp_path / "spool", batch_size=500, max_wait=10)
    pipeline.open_spider()
    first, second, third = items()[:3]
    pipeline.process_item(first)
    clock[0] += 9.9
    pipeline.process_item(second)
    assert counts(migrated_db_url) == (0, 0)  # younger than the max wait: still held
    clock[0] += 0.2
    pipeline.process_item(third)
    assert counts(migrated_db_url) == (2, 1)
    assert pipeline.batch == []
    pipeline.close_spider()


def test_spool_is_replayed_after_the_next_good_batch(migrated_db_url, tmp_path, monkeypatch):
    """The connection drops during one batch; the next batch succeeds and brings the
    spooled one in behind it."""
    one_outage(monkeypatch)
    pipeline = make_pipeline(migrated_db_url, tmp_path / "spool", batch_size=1)
    pipeline.open_spider()
    first, second = items()[1:3]
    pipeline.process_item(first)
    assert pipeline.stats.get_value("newsarchive/store/spooled") == 1
    assert counts(migrated_db_url) == (0, 0)
    pipeline.process_item(second)
    assert pipeline.stats.get_value("newsarchive/store/replayed") == 1
    assert counts(migrated_db_url) == (2, 0)
    pipeline.close_spider()


def test_concurrent_writer_collision_is_retried(migrated_db_url, tmp_path):
    """Another crawler stores the same article between our look-up and our insert: the
    unique key fires, the batch is stored again and finds the other's article."""
    item = make_article("http://a.cn/1.html")
    pipeline = make_pipeline(migrated_db_url, tmp_path / "spool")
    other_engine = make_engine(migrated_db_url)

    pending = [item]

    def other_crawler_commits_first(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT") and pending:  # our first write
            with session_factory(other_engine).begin() as other:
                store_articles(other, [pending.pop()])

    event.listen(pipeline.engine, "before_cursor_execute", other_crawler_commits_first)
    run(pipeline, [item])
    other_engine.dispose()
    assert pipeline.stats.get_value("newsarchive/store/retries") == 1
    assert pipeline.stats.get_value("newsarchive/articles/unchanged") == 1
    assert pipeline.stats.get_value("newsarchive/store/spooled") is None
    assert counts(migrated_db_url) == (1, 0)


def test_spool_lines_round_trip(tmp_path):
    for item in items():
        assert decode_item(encode_item(item)) == item


def test_spool_skips_files_claimed_by_another_process(tmp_path):
    spool = Spool(tmp_path, url=UNREACHABLE)
    path = spool.append(items()[1:2])
    path.rename(path.with_name(path.name + ".replaying-1"))  # pid 1 is alive: a real claim
    assert spool.replay(lambda batch: pytest.fail("claimed file replayed twice")) == 0


def test_failed_replay_keeps_the_file(tmp_path):
    spool = Spool(tmp_path, url=UNREACHABLE)
    spool.append(items()[1:2])

    def fail(batch):
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        spool.replay(fail)
    assert len(spool.pending()) == 1
    assert spool.replay(lambda batch: None) == 1
    assert spool.pending() == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_article_and_its_mirror_stored_at_the_same_moment_stay_one_article(migrated_db_url, tmp_path):
    """Two workers: one stores the Simplified page, the other its Traditional mirror (another
    URL, the same text), while the first is between its look-ups and its writes. Neither
    can see the other's uncommitted row, so only taking turns keeps one article."""
    original = make_article("http://js.people.com.cn/n2/2022/0213/c360301-9.html")
    mirror = make_article("http://js.people.com.cn/big5/n2/2022/0213/c360301-9.html", script="zh-Hant")
    first = make_pipeline(migrated_db_url, tmp_path / "a", batch_size=1)
    second = make_pipeline(migrated_db_url, tmp_path / "b", batch_size=1)
    other = threading.Thread(target=second.process_item, args=(mirror,))

    def other_worker_stores_meanwhile(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT") and not other.is_alive() and other.ident is None:
            other.start()
            other.join(timeout=3)  # without turns it commits its own copy now; with them it waits for us

    first.process_item(make_article("http://js.people.com.cn/n2/2022/0213/c360301-1.html", body=OTHER_BODY))
    # site and people are stored now: the only collision left is the article itself
    event.listen(first.engine, "before_cursor_execute", other_worker_stores_meanwhile)
    first.process_item(original)
    other.join(timeout=30)
    first.close_spider()
    second.close_spider()
    assert counts(migrated_db_url) == (2, 0)
    assert first.stats.get_value("newsarchive/articles/new") == 2
    assert second.stats.get_value("newsarchive/articles/duplicate") == 1


def hostile_batch() -> tuple[list, dict[str, str]]:
    """Every value that used to cost a whole batch, beside good items; returns the batch
    (normalised, as the crawl's pipelines pass it) and ``{url: what must become of it}``."""
    long_url = "http://a.cn/search.html?q=" + "x" * (2_083 - 26)  # the longest Scrapy fetches; https in identity form
    assert len(long_url) == 2_083
    longer = "http://a.cn/list.html?q=" + "y" * 3_000  # longer than any URL a crawl fetches
    capture = make_capture(long_url, b"<html>long</html>")
    fate = {
        "http://a.cn/good-1.html": "stored",
        long_url: "stored",
        "http://a.cn/nul.html": "stored-sanitised",
        "http://a.cn/surrogate.html": "stored-sanitised",
        longer: "quarantined",
        "http://a.cn/overflow.html": "quarantined",
        "http://a.cn/good-2.html": "stored",
    }
    batch = [
        make_capture("http://a.cn/good-1.html", b"<html>1</html>"),
        make_article("http://a.cn/good-1.html"),
        capture,
        make_article(long_url, body=OTHER_BODY + "长", page_digests=[capture.digest]),
        make_article("http://a.cn/nul.html", title="JSON-LD\x00标题", body=OTHER_BODY + "零"),
        make_article("http://a.cn/surrogate.html", title="标题\ud800", authors=["张\udc00三"], body=OTHER_BODY + "代"),
        make_capture(longer, b"<html>longer</html>"),
        make_article(longer, body=OTHER_BODY + "超"),
        make_article("http://a.cn/overflow.html", body=OTHER_BODY + "溢", pages=2**64),  # no integer column holds it
        make_article("http://a.cn/good-2.html", body=OTHER_BODY),
    ]
    return [normalise(item) if isinstance(item, ArticleItem) else item for item in batch], fate


def test_a_bad_value_never_costs_its_batch(migrated_db_url, tmp_path, capsys):
    """NUL, an unpaired surrogate, a 2,083-character URL and a 3,000-character one, and a
    value the database itself refuses, in one batch: every good item is stored, every
    bad one stored without the bad characters or quarantined with its reason."""
    batch, fate = hostile_batch()
    pipeline = make_pipeline(migrated_db_url, tmp_path / "spool", batch_size=len(batch))
    run(pipeline, batch)

    engine = make_engine(migrated_db_url)
    with session_factory(engine)() as session:
        stored = {url: article for url, article in session.execute(
            select(ArticleUrl.url, Article).join(Article, Article.id == ArticleUrl.article_id))}
        held = {row.url: row for row in session.scalars(select(QuarantinedItem).where(QuarantinedItem.kind == "article"))}
        held_pages = list(session.execute(select(QuarantinedItem.url, QuarantinedItem.reason)
                                          .where(QuarantinedItem.kind == "capture")))
        capture_urls = set(session.scalars(select(Capture.url)))
    engine.dispose()
    for url, expected in fate.items():
        if expected == "quarantined":
            assert url in held and url not in stored, url
            assert decode_item(held[url].item).url == url  # the whole item is kept
        else:
            assert url in stored and url not in held, url
    longer = max(fate, key=len)
    assert "3024 characters" in held[longer].reason
    assert held_pages == [(longer, held[longer].reason)]
    assert held["http://a.cn/overflow.html"].reason  # the database's own words
    assert stored["http://a.cn/nul.html"].title == "JSON-LD标题"
    assert stored["http://a.cn/surrogate.html"].title == "标题"
    for url in ("http://a.cn/nul.html", "http://a.cn/surrogate.html"):
        assert any(p["kind"] == "bad_characters" for p in stored[url].problems)
    assert len(max(capture_urls, key=len)) == 2_083
    assert pipeline.stats.get_value("newsarchive/store/quarantined") == 3
    assert pipeline.stats.get_value("newsarchive/store/spooled") is None
    assert pipeline.stats.get_value("newsarchive/store/received") == pipeline.stats.get_value(
        "newsarchive/store/kept") == len(batch)
    assert main(["--db", migrated_db_url, "stats", "--spool", str(tmp_path / "spool")]) == 0
    assert "3 items quarantined" in capsys.readouterr().out


def test_plain_scrapy_crawl_on_a_new_database_brings_the_schema_to_head_and_stores(
    db_url, tmp_path, small_site, small_server
):
    """``scrapy crawl people`` from the repository root, as the README shows, into a
    database no migration has touched: the store pipeline migrates it like ``newsarchive
    crawl`` does, so every article is stored, none spooled."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "people", "-a", "channel=js", "-a", f"base_url={small_server.base_url}",
         "-s", f"NEWSARCHIVE_DATABASE_URL={db_url}", "-s", f"NEWSARCHIVE_SPOOL_DIR={tmp_path / 'spool'}",
         "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert current_revisions(db_url) == head_revisions()
    assert counts(db_url)[0] == len(small_site.canonical_articles)
    assert Spool(tmp_path / "spool").pending_items() == 0
