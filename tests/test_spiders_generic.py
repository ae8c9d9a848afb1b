"""End to end: the generic spider archives the people.com.cn replica with the generic template."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from crawler.spiders.generic import GenericSpider
from tests.conftest import run_cli


def test_every_replica_article_is_archived_and_list_pages_are_skipped(
    tmp_path: Path, replica_site: ReplicaSite, replica_server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    start = replica_server.base_url + replica_site.list_pages[0]
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "generic", "-a", f"start_url={start}",
                     "-a", "depth=20", "-a", r"allow=/(GB|n2)/")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    with sqlite3.connect(db_file) as conn:
        urls = {u for (u,) in conn.execute("select url from article_url")}
        templates = {t for (t,) in conn.execute("select distinct template from article")}
        stored = conn.execute("select count(*) from article").fetchone()[0]
    wanted = [a for a in replica_site.canonical_articles if a.path.startswith("/n2/")]
    assert wanted
    assert [a.path for a in wanted if replica_server.base_url + a.path not in urls] == []
    assert templates == {"generic"}
    # list pages and the special-topic index were fetched (that is how articles were found) but not stored
    skipped = {replica_server.base_url + p for p in replica_site.non_articles}
    assert not skipped & urls
    assert all(replica_server.hits[p] >= 1 for p in replica_site.list_pages)
    assert stored == len(wanted)  # later pages of multi-page articles are merged, not stored on their own
    assert "not articles" in result.stdout


def test_allow_and_depth_limit_what_is_followed(tmp_path: Path, replica_site: ReplicaSite,
                                                replica_server: ReplicaServer) -> None:
    start = replica_server.base_url + replica_site.list_pages[0]
    result = run_cli("--db", f"sqlite:///{tmp_path / 'a.db'}", "crawl", "generic", "-a", f"start_url={start}",
                     "-a", "depth=1", "-a", "allow=/nothing-matches-this/")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert sum(replica_server.hits.values()) <= 2  # the start page (and robots.txt) only


def test_bad_arguments_say_what_to_give() -> None:
    with pytest.raises(ValueError, match="start_url"):
        GenericSpider(start_url="www.example.cn")
    with pytest.raises(ValueError, match="depth"):
        GenericSpider(start_url="http://www.example.cn/", depth="deep")
    with pytest.raises(ValueError, match="allow"):
        GenericSpider(start_url="http://www.example.cn/", allow="(")
