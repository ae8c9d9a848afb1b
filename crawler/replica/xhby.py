"""A small local 新华报业网 (www.xhby.net), for running the ``xhby`` spider offline.

The home page's navigation links three channel pages, and shows the two newest
headlines; each channel page lists its articles. Articles live at
``/content/s<24 hex>.html``, the one form of the real site known from public links. How
the real home, channel and article pages look was not seen, so this markup (channel
paths ``/channel/<name>.html``, a plain article page with ``h1``, a dateline with
``来源：`` and the text in ``div.article-content``) is the replica's own and the spider
reads articles with the generic extractor. Pages are written for the replica.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from crawler.replica.pages import ReplicaPage

#: (path, name) of the channel pages.
CHANNELS = (("/channel/jiangsu.html", "江苏"), ("/channel/economy.html", "经济"), ("/channel/culture.html", "文化"))
PER_CHANNEL = 4
NEWEST = datetime(2024, 5, 20, 10, 15)
PLACES = ("南京", "苏州", "无锡", "常州", "镇江", "扬州", "泰州", "南通", "盐城", "淮安", "宿迁", "徐州")
ROBOTS_TXT = b"User-agent: *\nDisallow: /search/\n"


@dataclass(frozen=True, slots=True)
class XhbyArticle:
    """Ground truth for one replica article."""

    path: str
    title: str
    published_at: str
    body: str
    channel: str

    @property
    def day(self) -> str:
        return self.published_at[:10]


@dataclass(slots=True)
class XhbySite:
    """Served pages of the site, with the articles a crawl of it should archive."""

    pages: dict[str, ReplicaPage] = field(default_factory=dict)
    articles: list[XhbyArticle] = field(default_factory=list)
    channel_paths: list[str] = field(default_factory=lambda: [path for path, _ in CHANNELS])

    def crawl_commands(self, base_url: str) -> list[str]:
        """The ``newsarchive crawl`` that archives the site, for ``replica serve`` to print."""
        return [f"newsarchive crawl xhby -a base_url={base_url}   # {len(self.articles)} articles"]


def build_xhby_site() -> XhbySite:
    """Three channels of four articles each, a week apart, newest first."""
    site = XhbySite()
    site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", ROBOTS_TXT)
    for index in range(len(CHANNELS) * PER_CHANNEL):
        channel, name = CHANNELS[index % len(CHANNELS)]
        place = PLACES[index % len(PLACES)]
        when = NEWEST - timedelta(days=7 * index, hours=index % 3)
        article = XhbyArticle(
            path=f"/content/s{hashlib.sha1(str(index).encode()).hexdigest()[:24]}.html",
            title=f"{place}：{name}领域再添新亮点",
            published_at=when.strftime("%Y-%m-%d %H:%M"),
            body=f"记者从{place}市获悉，当地{name}领域今年以来持续发力，多项指标位居全省前列。\n"
                 f"下一步，{place}将继续优化服务，推动{name}事业高质量发展。",
            channel=channel,
        )
        site.articles.append(article)
        site.pages[article.path] = _html(_article_html(article))
    for channel, name in CHANNELS:
        listed = [a for a in site.articles if a.channel == channel]
        items = "\n".join(f'<li><a href="{a.path}">{escape(a.title)}</a><span>{a.day}</span></li>' for a in listed)
        site.pages[channel] = _html(_page(f"{name}_新华报业网", f'<div class="list"><ul>\n{items}\n</ul></div>'))
    top = "".join(f'<li><a href="https://www.xhby.net{a.path}">{escape(a.title)}</a></li>' for a in site.articles[:1])
    top += "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in site.articles[1:2])
    site.pages["/"] = _html(_page("新华报业网", f'<div class="focus"><ul>{top}</ul></div>'))
    return site


def _html(text: str) -> ReplicaPage:
    return ReplicaPage(status=200, content_type="text/html; charset=utf-8", body=text.encode("utf-8"))


def _page(title: str, main: str) -> str:
    nav = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name in CHANNELS)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li>{nav}<li><a href="http://www.jschina.com.cn/">中国江苏网</a></li></ul></div>
{main}
<div class="footer">新华报业网 版权所有</div></body></html>"""


def _article_html(article: XhbyArticle) -> str:
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in article.body.split("\n"))
    return _page(f"{article.title}_新华报业网", f"""<div class="article">
<h1>{escape(article.title)}</h1>
<div class="info"><span>{article.published_at}</span> <span>来源：新华日报</span></div>
<div class="article-content">{paragraphs}</div></div>""")
