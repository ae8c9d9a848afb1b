"""A small hand-written archive for search and export tests: four articles in both
scripts, several sites, sources and people (no corpus text copied)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawler.items import Article
from models.engine import make_engine, session_factory, upgrade_to_head
from models.store import store_batch
from pipelines.normalise import normalise
from tests.archive_items import OTHER_BODY, make_article

NANTONG = "https://js.people.com.cn/n2/2024/0110/c1-1.html"
HONGKONG = "https://hk.people.com.cn/n2/2024/0201/c2-2.html"
SUZHOU = "https://xhby.net/2023/1201/3.html"
FORUM = "https://news.cn/tech/2024/0305/4.html"


def sample_articles() -> list[Article]:
    return [
        make_article(
            NANTONG,
            title="南通推进产业升级",
            body="南通市今年推动5G网络建设，产业发展加快。\n全市新增高新技术企业三百家，带动就业明显增加。",
            published_at="2024-01-10T09:00:00+08:00",
            source="新华日报",
            authors=["张三"],
            editors=["王五"],
        ),
        make_article(
            HONGKONG,
            title="香港經濟穩步復甦",
            body="香港特區政府公布最新數據，產業結構持續優化。\n多家南通企業赴港上市，兩地合作更加緊密，市場信心回升。",
            published_at="2024-02-01T10:30:00+08:00",
            source="大公報",
            authors=["陳明"],
            editors=["黃麗"],
        ),
        make_article(
            SUZHOU,
            site="xhby.net",
            title="苏州人才政策",
            body=OTHER_BODY,
            published_at="2023-12-01T08:00:00+08:00",
            source="新华日报客户端",
            authors=[],
            editors=["李四"],
        ),
        make_article(
            FORUM,
            site="news.cn",
            title="AI与大数据论坛举行",
            body="论坛讨论了AI应用和GPT-4模型的发展前景，2024年将建设新的数据中心，吸引更多科技企业落户。",
            published_at="2024-03-05T14:00:00+08:00",
            source="新华网",
            authors=["赵六"],
            editors=[],
        ),
    ]


def store(sessions: sessionmaker[Session], items: list[Article]) -> list[int]:
    """Store and index items as the store pipeline does; returns their article ids."""
    with sessions.begin() as session:
        outcomes = store_batch(session, [normalise(item) for item in items], []).outcomes
    return [o.article_id for o in outcomes]


def sample_archive(url: str) -> sessionmaker[Session]:
    """Migrate ``url`` and fill it with :func:`sample_articles`."""
    upgrade_to_head(url)
    sessions = session_factory(make_engine(url))
    store(sessions, sample_articles())
    return sessions
