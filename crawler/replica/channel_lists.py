"""Other list layouts of a people.com.cn channel, as the real Jiangsu channel has them.

The normal replica lists every article under one column (``/GB/360302/index*.html``).
The real channel also has nested city lists (南京 ``/GB/361417/359575/index.html``,
张家港 ``/GB/361417/359576/359764/359765/index.html``, reached from the city hub
``/GB/361417/index.html``), a home page that pages on by itself (``/index2.html``,
``/index3.html``), and pager and article links carrying fragments (``index2.html#fy01``,
``…html#liuyan``). :func:`spread_over_nested_lists` re-lays the built site's articles
over those lists so that each list holds articles no other list links: a crawl that
misses one kind of list misses its articles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.replica.pages import ReplicaPage
from crawler.replica.site import COLUMN, ExpectedArticle, ReplicaSite
from crawler.replica.templates import render_link_page, render_list_page

#: City hub and nested city lists (paths from public crawlers of js.people.com.cn).
CITY_HUB = "/GB/361417/index.html"
CITY_LISTS = {
    "南京": "/GB/361417/359575/",
    "张家港": "/GB/361417/359576/359764/359765/",
}
#: Articles per page of the nested lists and of the home page's own pager.
PAGE_SIZE = 6
_DAY = re.compile(r"/n\d?/(\d{4})/(\d\d)(\d\d)/")


def _entry(article: ExpectedArticle, fragment: str = "") -> tuple[str, str, str]:
    """(title, href, date text) as list pages show an article (date from its URL)."""
    year, month, day = _DAY.search(article.path).groups()
    return article.title, article.path + fragment, f"{year}年{month}月{day}日"


def _gbk_page(html: str) -> ReplicaPage:
    return ReplicaPage(200, "text/html; charset=GB2312", html.encode("gbk", errors="xmlcharrefreplace"))


def _paged_list(site: ReplicaSite, folder: str, title: str, articles: Sequence[ExpectedArticle],
                boxes: Sequence[tuple[str, str, list[tuple[str, str]]]] = ()) -> list[str]:
    """List pages ``folder``index.html, index2.html … of ``articles``; pager links are
    relative and carry the ``#fy01`` fragment, every third article link ``#liuyan``."""
    chunks = [articles[i : i + PAGE_SIZE] for i in range(0, len(articles), PAGE_SIZE)] or [[]]
    names = ["index.html"] + [f"index{n}.html" for n in range(2, len(chunks) + 1)]
    hrefs = [f"{name}#fy01" for name in names]
    for number, (name, chunk) in enumerate(zip(names, chunks), 1):
        entries = [_entry(a, "#liuyan" if i % 3 == 2 else "") for i, a in enumerate(chunk)]
        side = boxes if number == 1 else ()
        site.pages[folder + name] = _gbk_page(render_list_page(title, "GB2312", entries, hrefs, number, side_boxes=side))
        site.non_articles[folder + name] = "channel list page"
    return [folder + name for name in names]


def spread_over_nested_lists(site: ReplicaSite) -> None:
    """Re-lay the articles: a quarter each on the column list, the two city lists and the
    home page's pager (see the module docstring). The crawl starts from ``/``."""
    articles = site.canonical_articles
    quarter = max(1, len(articles) // 4)
    column, nanjing, zjg, home = (articles[:quarter], articles[quarter : 2 * quarter],
                                  articles[2 * quarter : 3 * quarter], articles[3 * quarter :])
    for path in site.list_pages:
        del site.pages[path]
        site.non_articles.pop(path, None)
    column_folder = site.list_pages[0].rsplit("/", 1)[0] + "/"
    big5_box = ("box_big5", "繁體版", [(m.title, m.path) for m in site.mirrors])
    lists = _paged_list(site, column_folder, COLUMN, column, [big5_box])
    for city, folder in CITY_LISTS.items():
        lists += _paged_list(site, folder, f"{city}新闻", nanjing if city == "南京" else zjg)
    hub_links = [(city, folder.removeprefix("/GB/361417/") + "index.html") for city, folder in CITY_LISTS.items()]
    site.pages[CITY_HUB] = _gbk_page(render_link_page("地市频道", "GB2312", hub_links, css="p2j_list"))
    site.non_articles[CITY_HUB] = "city hub list page"
    channels = ("p1_list", "频道", [(COLUMN, lists[0]), ("地市", CITY_HUB)])
    home_pages = _paged_list(site, "/", "江苏频道", home, [channels])
    site.pages["/"] = site.pages["/index.html"]
    site.non_articles["/"] = "channel home page"
    site.list_pages = ["/", CITY_HUB, *lists, *home_pages[1:]]
    site.missing_paths = []  # the dead link lived on the old list pages


def move_to_old_urls(site: ReplicaSite, every: int = 3) -> list[str]:
    """Serve every ``every``-th single-page article (not mirrored) at the pre-2015 ``/n/…``
    form of its URL instead of ``/n2/…``, and link it so; returns the new paths."""
    mirrored = {m.mirror_of for m in site.mirrors}
    chosen = [a for a in site.canonical_articles if a.pages == 1 and a.path not in mirrored][::every]
    moved = []
    for article in chosen:
        old, new = article.path, article.path.replace("/n2/", "/n/", 1)
        site.pages[new] = site.pages[old]
        del site.pages[old]
        article.paths = [new]
        moved.append((old.encode(), new.encode()))
    for path in ["/", *site.list_pages]:
        page = site.pages[path]
        body = page.body
        for old_bytes, new_bytes in moved:
            body = body.replace(old_bytes, new_bytes)
        site.pages[path] = ReplicaPage(page.status, page.content_type, body, page.headers)
    return [new.decode() for _, new in moved]

