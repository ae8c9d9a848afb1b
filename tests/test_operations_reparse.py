"""``newsarchive reparse``: archived articles re-read from their captures, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cli.main import main
from crawler.items import Article as ArticleItem
from crawler.replica.site import ExpectedArticle, ReplicaSite
from models.engine import make_engine, session_factory
from models.dedup import NearDupBand, NearDupMember
from models.near_copies import sketch
from models.schema import Article, ArticlePerson, ArticleUrl, ArticleVersion, Capture, VersionCapture
from models.store import store_batch
from operations.reparse import ReparseError, reparse
from pipelines.normalise import normalise
from tests.archive_items import make_article, make_capture
from tests.replica_archive import BASE_URL, archive_articles, parsed


def squeeze(text: str) -> str:
    """Runs of spaces as one: the parser tidies spacing the replica leaves double."""
    return " ".join(text.split())


def old_parser(item: ArticleItem) -> None:
    """What a buggy parser stored: a site suffix in the title, no editors, only page 1's body."""
    item.title = f"{item.title}--人民网"
    item.editors = []
    item.body = item.body.split("\n")[0]
    item.simplified = {}


def sample(site: ReplicaSite) -> list[ExpectedArticle]:
    """Two single-page articles and a multi-page one, all with editors."""
    singles = [a for a in site.canonical_articles if a.pages == 1 and a.editors][:2]
    multi = [a for a in site.canonical_articles if a.pages > 1 and a.editors][:1]
    assert len(singles) == 2 and multi
    return singles + multi


def article_at(session, url: str) -> Article:
    return session.scalars(select(Article).join(ArticleUrl).where(ArticleUrl.url == url)).one()


def editors(session, article_id: int) -> list[str]:
    rows = session.scalars(select(ArticlePerson).where(ArticlePerson.article_id == article_id,
                                                       ArticlePerson.role == "editor").order_by(ArticlePerson.position))
    return [row.person.name for row in rows]


def test_reparse_repairs_every_field_from_the_captures_and_keeps_the_old_text(
    migrated_db_url: str, replica_site: ReplicaSite
) -> None:
    truths = sample(replica_site)
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        archive_articles(session, replica_site, truths, damage=old_parser)
        captures_before = session.scalar(select(func.count(Capture.id)))

    progress: list[tuple[int, int]] = []
    result = reparse(sessions, batch_size=2, progress=lambda done, total: progress.append((done, total)))

    assert (result.articles, result.changed, result.unchanged) == (3, 3, 0)
    assert progress == [(2, 3), (3, 3)]
    with sessions() as session:
        for truth in truths:
            article = article_at(session, BASE_URL + truth.path)
            assert article.title == truth.title
            assert article.body == parsed(replica_site, truth).body  # today's parser, every page
            assert all(squeeze(paragraph) in squeeze(article.body) for paragraph in truth.body.split("\n"))
            assert editors(session, article.id) == truth.editors
            assert article.current_version == 2
            first = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                                                 ArticleVersion.number == 1)).one()
            assert first.item["title"] == f"{truth.title}--人民网"  # history kept
        assert session.scalar(select(func.count(Capture.id))) == captures_before  # nothing fetched or stored
    engine.dispose()


def test_reparse_twice_changes_nothing_the_second_time(migrated_db_url: str, replica_site: ReplicaSite) -> None:
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        archive_articles(session, replica_site, sample(replica_site), damage=old_parser)
    reparse(sessions)
    again = reparse(sessions)
    assert (again.articles, again.changed, again.unchanged) == (3, 0, 3)
    with sessions() as session:
        assert session.scalar(select(func.count(ArticleVersion.id))) == 6
    engine.dispose()


def test_reparse_of_one_site_leaves_the_others(migrated_db_url: str, replica_site: ReplicaSite) -> None:
    truths = sample(replica_site)
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)

    def elsewhere(item: ArticleItem) -> None:
        old_parser(item)
        item.site = "xhby.net"

    with sessions.begin() as session:
        archive_articles(session, replica_site, truths[:1], damage=elsewhere)
        archive_articles(session, replica_site, truths[1:], damage=old_parser)
    result = reparse(sessions, "xhby.net")
    assert (result.articles, result.changed) == (1, 1)
    with sessions() as session:
        assert article_at(session, BASE_URL + truths[0].path).title == truths[0].title
        assert article_at(session, BASE_URL + truths[1].path).title.endswith("--人民网")
    with pytest.raises(ReparseError, match="'example.org'.*sites archived: .*xhby.net"):
        reparse(sessions, "example.org")
    engine.dispose()


def test_an_article_whose_capture_is_missing_is_left_alone(migrated_db_url: str, replica_site: ReplicaSite) -> None:
    truth = sample(replica_site)[0]
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)

    def unknown_page(item: ArticleItem) -> None:
        old_parser(item)
        item.page_digests = ["0" * 64]

    with sessions.begin() as session:
        archive_articles(session, replica_site, [truth], damage=unknown_page)
    result = reparse(sessions)
    assert (result.missing_captures, result.changed) == (1, 0)
    with sessions() as session:
        assert article_at(session, BASE_URL + truth.path).title == f"{truth.title}--人民网"
    engine.dispose()


#: An article under a site header's login box, which an older parser rejected as a login page.
_ONCE_REJECTED = (
    "<html><head><meta charset='utf-8'><title>暴雨过后：城区积水全部排干_示范新闻网</title></head><body>"
    "<div class='top'><form><input name='u'><input type='password' name='p'></form></div>"
    "<h1>暴雨过后：城区积水全部排干</h1><div class='info'>2024-05-20 08:10 来源：示范日报</div>"
    "<div class='text'><p>昨夜暴雨过后，城区十二处积水点今晨全部排干。</p>"
    "<p>市政部门出动抽水车四十台次，道路交通已恢复正常。</p>"
    "<p>气象台预计本周后几天以多云天气为主，最高气温将回升到三十度。</p></div></body></html>"
).encode("utf-8")


def test_reparse_recovers_an_article_once_rejected_from_its_kept_capture(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    url = "http://news.example.cn/a/10.html"
    with sessions.begin() as session:  # what a crawl kept of a page it rejected: the capture alone
        store_batch(session, [], [make_capture(url, _ONCE_REJECTED),
                                  make_capture("http://news.example.cn/list.html", b"<html><body><a href='/a/10.html'>x</a></body></html>")])
    result = reparse(sessions)
    assert (result.rejected_pages, result.recovered) == (2, 1)
    with sessions() as session:
        article = article_at(session, url)
        assert article.title == "暴雨过后：城区积水全部排干"
        assert session.scalar(select(func.count(VersionCapture.capture_id))) == 1  # linked to its capture
    again = reparse(sessions)  # now an article's page: not re-read as a rejected one
    assert (again.articles, again.rejected_pages, again.recovered) == (1, 1, 0)
    engine.dispose()


def test_cli_reparse_prints_the_summary(sqlite_url: str, replica_site: ReplicaSite,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "db", "upgrade"]) == 0
    engine = make_engine(sqlite_url)
    with session_factory(engine).begin() as session:
        archive_articles(session, replica_site, sample(replica_site), damage=old_parser)
    engine.dispose()
    capsys.readouterr()
    assert main(["--db", sqlite_url, "reparse"]) == 0
    out = capsys.readouterr().out
    assert "reparsed 3 articles" in out and "changed            3" in out
    assert main(["--db", sqlite_url, "reparse", "--site", "nowhere.cn"]) == 2
    assert "no site 'nowhere.cn'" in capsys.readouterr().err


def test_a_reparsed_article_joins_its_near_copies_and_leaves_the_index_of_its_old_text(
    migrated_db_url: str, replica_site: ReplicaSite
) -> None:
    """The old parser stored an unrelated text; reparse reads the real one. The article
    must now be clustered with its syndicated copy (stored meanwhile under another URL),
    and its old text's band rows must be gone, not kept beside the new ones."""
    truth = sample(replica_site)[0]
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    right = parsed(replica_site, truth)
    wrong_body = "\n".join(f"第{n}段：这是旧解析器误读的导航栏和推荐阅读文字，与本文无关，编号{n * 7919}。" for n in range(40))

    def unrelated_text(item: ArticleItem) -> None:
        item.body = wrong_body
        item.simplified = {}

    copy = normalise(make_article("http://copy.example.cn/a.html", site="copy.example.cn",
                                  title=right.title, body="本网讯" + (right.simplified.get("body") or right.body)))
    with sessions.begin() as session:
        archive_articles(session, replica_site, [truth], damage=unrelated_text)
        store_batch(session, [copy], [])

    assert reparse(sessions).changed == 1
    with sessions() as session:
        mine = article_at(session, BASE_URL + truth.path).id
        copy_id = article_at(session, copy.url).id
        members = dict(session.execute(select(NearDupMember.article_id, NearDupMember.cluster_id)).all())
        assert members.get(mine) is not None and members.get(mine) == members.get(copy_id)
        keys = set(session.scalars(select(NearDupBand.key).where(NearDupBand.article_id == mine)))
        assert keys == set(sketch(article_at(session, BASE_URL + truth.path).body_simplified).keys)
        assert not keys & set(sketch(wrong_body).keys)
    engine.dispose()
