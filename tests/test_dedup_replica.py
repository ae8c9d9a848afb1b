"""Deduplication end to end on the replica: URL variants, mirror hosts, syndicated copies
on a second site and corrected articles, each with known answers from the replica's truth."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite, build_site
from crawler.replica.syndication import SYNDICATION_NODE, build_syndication_site
from crawler.replica.variants import CORRECTION, TRACKING_QUERIES
from models.dedup import NearDupMember
from models.engine import make_engine, session_factory
from models.schema import Article, ArticleUrl, ArticleVersion
from tests.conftest import run_cli

ARTICLES = 40


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return build_site(articles=ARTICLES)


@pytest.fixture(scope="module")
def server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    """One server for the module, so every crawl sees the same host and port; tests swap
    ``server.site`` to serve a variant under the same URLs."""
    with ReplicaServer(site, port=0) as running:
        yield running


def crawl(db: str, base_url: str, *extra: str) -> str:
    result = run_cli("--db", db, "crawl", "people", "-a", "channel=js", "-a", f"base_url={base_url}",
                     "-a", "incremental=off", *extra)
    assert result.returncode in (0, 1), result.stderr[-3000:]  # 1: health warnings only
    assert "crawl people: finished" in result.stdout, result.stdout + result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory: pytest.TempPathFactory, site: ReplicaSite, server: ReplicaServer) -> Path:
    """The normal site crawled once; tests work on copies of this archive."""
    server.site = site
    db_file = tmp_path_factory.mktemp("first") / "archive.db"
    crawl(f"sqlite:///{db_file}", server.base_url)
    return db_file


@pytest.fixture
def archive(first_crawl: Path, tmp_path: Path, site: ReplicaSite, server: ReplicaServer) -> Iterator[str]:
    db_file = tmp_path / "archive.db"
    shutil.copy(first_crawl, db_file)
    server.site = site
    yield f"sqlite:///{db_file}"
    server.site = site


def url_map(db: str) -> dict[str, int]:
    engine = make_engine(db)
    with session_factory(engine)() as session:
        rows = dict(session.execute(select(ArticleUrl.url, ArticleUrl.article_id)).all())
    engine.dispose()
    return rows


def version_counts(db: str) -> dict[int, int]:
    engine = make_engine(db)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(ArticleVersion.article_id, func.count(ArticleVersion.id)).group_by(ArticleVersion.article_id)
        )
        counts = dict(rows.all())
    engine.dispose()
    return counts


def test_tracking_links_on_a_mirror_host_add_aliases_not_articles(
    archive: str, server: ReplicaServer, site: ReplicaSite
) -> None:
    before = url_map(archive)
    articles = len(set(before.values()))
    assert articles == len(site.canonical_articles)

    # the same pages under another name of the host, linked with tracking queries
    server.site = build_site(articles=ARTICLES, variant="tracking_links")
    mirror_base = server.base_url.replace("127.0.0.1", "localhost")
    stdout = crawl(archive, mirror_base)

    assert "articles new       0" in stdout
    assert "articles changed   0" in stdout
    after = url_map(archive)
    assert len(set(after.values())) == articles
    queries = tuple(q.decode() for q in TRACKING_QUERIES)
    for truth in site.canonical_articles:
        seen_as = {mirror_base + truth.path + q for q in queries} & after.keys()
        assert seen_as, truth.path
        assert {after[url] for url in seen_as} == {before[server.base_url + truth.path]}, truth.path


def test_syndicated_copies_are_clustered_with_their_originals(
    archive: str, server: ReplicaServer, site: ReplicaSite, capsys: pytest.CaptureFixture[str]
) -> None:
    second, copies = build_syndication_site(site, articles=ARTICLES, copies=6)
    with ReplicaServer(second, port=0) as other:
        crawl(archive, other.base_url, "-a", f"lists=/GB/{SYNDICATION_NODE}/index.html")
        other_base = other.base_url
    urls = url_map(archive)
    first_base = server.base_url

    engine = make_engine(archive)
    with session_factory(engine)() as session:
        assert session.query(Article).count() == len(site.canonical_articles) + len(second.canonical_articles)
        members = session.scalars(select(NearDupMember)).all()
    engine.dispose()
    clusters: dict[int, set[int]] = {}
    for member in members:
        clusters.setdefault(member.cluster_id, set()).add(member.article_id)
    expected = {frozenset({urls[first_base + c.source_path], urls[other_base + c.path]}) for c in copies}
    assert {frozenset(ids) for ids in clusters.values()} == expected  # each copy with its original, nothing else
    assert all(0.5 <= m.similarity < 1 for m in members)

    assert main(["--db", archive, "show", other_base + copies[0].path + "?from=timeline", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["id"] == urls[other_base + copies[0].path]
    assert {m["article_id"] for m in view["cluster"]["members"]} == {
        urls[first_base + copies[0].source_path], view["id"]
    }
    assert main(["--db", archive, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["clusters"] == len(copies) and stats["clustered"] == 2 * len(copies)


def test_corrected_articles_get_a_new_version_and_keep_the_old(
    archive: str, server: ReplicaServer, site: ReplicaSite, capsys: pytest.CaptureFixture[str]
) -> None:
    before = version_counts(archive)
    server.site = corrected = build_site(articles=ARTICLES, variant="corrected")
    stdout = crawl(archive, server.base_url)
    changed = [new for old, new in zip(site.articles, corrected.articles) if old.body != new.body]
    assert changed
    assert f"articles changed   {len(changed)}" in stdout
    urls = url_map(archive)
    engine = make_engine(archive)
    with session_factory(engine)() as session:
        for truth in corrected.canonical_articles:
            article = session.get_one(Article, urls[server.base_url + truth.path])
            versions = session.scalars(
                select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.number)
            ).all()
            if truth in changed:  # corrected articles have no Traditional mirror: one earlier version
                assert [v.number for v in versions] == [1, 2], truth.path
                assert CORRECTION not in versions[0].item["body"] and versions[1].item["body"] == article.body
                assert article.body.replace(" ", "") == truth.body.replace(" ", "")
            else:
                assert len(versions) == before[article.id], truth.path
    engine.dispose()

    assert main(["--db", archive, "show", server.base_url + changed[0].path, "--diff", "1", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    added = [line for line in lines if line.startswith("+body:")]
    removed = [line for line in lines if line.startswith("-body:")]
    assert len(added) == len(removed) == 1 and added[0].endswith(CORRECTION)
