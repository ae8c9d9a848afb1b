"""Database outage: the archive's PostgreSQL goes away mid-crawl and comes back.

A TCP proxy (tests/proxy.py) stands between the crawl and the real server, so the
outage is cut and healed without touching the server other tests use.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, make_url, select

from cli.main import main
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from models.engine import make_engine, session_factory
from models.schema import Article
from operations.replica_check import check_archive
from pipelines.spool import Spool
from tests.archive_items import make_article
from tests.fault_crawl import INTERRUPTIBLE, crawl_args, small_server, small_site, start_cli, wait_for  # noqa: F401
from tests.proxy import TcpProxy


def stored_articles(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(func.count(Article.id))) or 0
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_outage_mid_crawl_spools_then_stores_everything(
    migrated_db_url: str, tmp_path: Path, small_site: ReplicaSite, small_server: ReplicaServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = make_url(migrated_db_url)
    site_port = urlsplit(small_server.base_url).port
    assert site_port
    log = tmp_path / "crawl.log"
    spool_dir = tmp_path / "spool"
    with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as database, \
            TcpProxy("127.0.0.1", site_port, delay=0.02) as slow_site:
        through_proxy = server.set(host="127.0.0.1", port=database.port).render_as_string(hide_password=False)
        crawl = start_cli([*crawl_args(through_proxy, f"http://{slow_site.address}", tmp_path), *INTERRUPTIBLE], log)
        wait_for(lambda: stored_articles(migrated_db_url) >= 5, "5 articles were stored", crawl)

        database.cut()
        slow_site.delay = 0.3  # the crawl must outlast the outage, to show it replays the spool itself
        wait_for(lambda: "refused a batch" in log.read_text(errors="replace"), "a batch was spooled", crawl)
        wait_for(lambda: Spool(spool_dir).pending_items() >= 20, "20 items were spooled", crawl)
        capsys.readouterr()
        during = main(["--db", through_proxy, "stats", "--spool", str(spool_dir)])
        told = capsys.readouterr().err
        database.restore()
        slow_site.delay = 0.02

        assert crawl.wait(timeout=120) == 0, log.read_text(errors="replace")[-4000:]

    assert during == 2 and "is unavailable" in told and f"spooled in {spool_dir}" in told
    output = log.read_text(errors="replace")
    assert "from the spool" in output  # replayed by the same crawl once the database answered
    assert Spool(spool_dir).pending_items() == 0
    engine = make_engine(migrated_db_url)
    with session_factory(engine)() as session:
        report = check_archive(session, small_site, f"http://{slow_site.address}")
    engine.dispose()
    assert report.missing == [] and report.merged_wrongly == []
    assert report.articles_in_archive == report.expected == len(small_site.canonical_articles)


def test_stats_shows_items_waiting_in_the_spool(sqlite_url: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    spool = Spool(tmp_path / "spool", url=sqlite_url)
    spool.append([make_article("http://js.people.com.cn/n2/2022/0213/c1-1.html"),
                  make_article("http://js.people.com.cn/n2/2022/0213/c1-2.html")])
    spool.append([make_article("http://js.people.com.cn/n2/2022/0213/c1-3.html")])
    assert main(["--db", sqlite_url, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "stats", "--spool", str(spool.directory)]) == 0
    assert f"3 items spooled in {spool.directory}" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "stats", "--json", "--spool", str(tmp_path / "empty")]) == 0
    assert '"spooled": 0' in capsys.readouterr().out
