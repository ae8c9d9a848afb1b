"""Local e-paper editions (电子版) in each URL generation, for running the ``epaper`` spider offline.

The e-paper system changed its URLs and markup over the years, and archives hold all
of them; the replica serves one small edition per generation, on different days, from
one server (each paper's paths are distinct, as on the real hosts):

==========  ======  ==========  ===============================================================
generation  paper   day         layout page / article page
==========  ======  ==========  ===============================================================
``pc``      xhrb    2022-03-01  ``/pc/layout/202203/01/node_N.html`` / ``/pc/con/202203/01/content_N.html``
``newxh``   xhrb    2012-06-18  ``/newxh/html/2012-06/18/node_N.htm`` / ``…/content_N.htm``
``mp2``     xhrb    2015-05-11  ``/mp2/html/2015-05/11/node_N.htm`` / ``…/content_N.htm``
``html``    hnrb    2019-04-02  ``/html/2019-04/02/node_N.htm`` / ``…/content_N_M.htm``
==========  ======  ==========  ===============================================================

Markup follows what public crawlers of the real pages read (``../shared/sites/REAL-MARKUP.md``):
the page list as ``.Chunkiconlist p a`` (pc) or ``a#pageLink`` (html systems) with names
``第01版：要闻`` or ``01版：要闻``; the article list and the preview map's areas; article
pages with the headline block ``div.newsdetatit`` (``h3``, then lines for author, date
and ``来源：``) and the text in ``div.newsdetatext`` inside ``<founder-content>`` or
between ``<!--enpcontent-->`` markers; 海南日报's older pages with ``<founder-title>``
elements. Half the pc articles use the ``#Title`` skin, which does not name the printed
page, so the spider must carry the page name over from the layout page. Layout pages
also link the previous day's edition, which a one-day crawl must not follow. The pages
are written for the replica, not copied from real ones.

:func:`build_epaper_site` returns an object :class:`crawler.replica.server.ReplicaServer`
serves like a people.com.cn replica (it only reads ``pages``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from crawler.replica.pages import ReplicaPage

#: The pc-generation edition (the one the first replica served; tests and docs name it).
EDITION_DAY = date(2022, 3, 1)
PAPER = "xhrb"
#: (page number, page name) of an edition's printed pages.
PRINTED_PAGES = ((1, "要闻"), (2, "江苏新闻"), (3, "评论"))
#: (page number, headline, author, first paragraph, second paragraph).
STORIES = (
    (1, "全省重大项目集中开工", "王小明", "3月1日，全省重大项目集中开工仪式在南京举行，总投资超过两千亿元。", "项目涵盖先进制造、新型基础设施和民生工程等领域。"),
    (1, "春耕备耕有序推进", "李华", "连日来，各地农民抢抓晴好天气，开展小麦追肥和田间管理。", "农业部门组织技术人员下田指导，确保春耕生产顺利进行。"),
    (1, "新能源汽车产量增长明显", "赵强", "今年前两个月，全省新能源汽车产量同比增长六成以上。", "多家整车企业扩大产能，带动上下游配套企业加快发展。"),
    (1, "城市更新行动全面启动", "陈亮", "今年全省将改造老旧小区一千余个，惠及居民三十多万户。", "改造内容包括管网更新、加装电梯和完善社区服务设施。"),
    (2, "运河沿线新添十座驿站", "周明", "近日，运河沿线新建的十座骑行驿站陆续投入使用。", "驿站提供饮水、充电和休憩服务，由废旧厂房改造而成。"),
    (2, "老街区改造保留历史风貌", "吴芳", "老街区改造工程坚持修旧如旧，保留了传统街巷格局。", "改造后的街区引入非遗工坊和特色小店，吸引大批游客。"),
    (2, "社区食堂让老人吃上热乎饭", "郑伟", "社区食堂开业一个月来，每天为两百多位老人提供午餐。", "食堂实行分餐定价，八十岁以上老人还可享受优惠。"),
    (3, "以实干托举民生温度", "孙磊", "民生无小事，枝叶总关情，办好每一件实事需要久久为功。", "只有把群众的急难愁盼放在心上，才能赢得群众的认可。"),
    (3, "让创新活力竞相迸发", "钱坤", "创新是引领发展的第一动力，营造良好生态至关重要。", "要让各类创新主体敢闯敢试，让创新成果更快落地。"),
    (3, "擦亮生态文明底色", "冯雪", "生态环境是最普惠的民生福祉，保护生态就是保护生产力。", "要坚持系统治理，守护好一江清水和万里蓝天。"),
)
_FIRST_CONTENT_ID = 1001


@dataclass(frozen=True, slots=True)
class EpaperArticle:
    """Ground truth for one replica article: what a perfect crawl archives for it."""

    path: str
    title: str
    printed_page: str
    published_at: str
    authors: list[str]
    body: str
    shows_printed_page: bool
    generation: str = "pc"
    paper: str = PAPER


@dataclass(frozen=True, slots=True)
class Generation:
    """One URL generation of the e-paper system: where its pages live and how they look."""

    name: str
    paper: str
    day: date
    #: Layout and article paths of an edition day, ``{node}`` / ``{article}`` left to fill.
    layout: str
    article: str
    #: How the page list names a printed page: ``第01版：要闻`` or ``01版：要闻``.
    page_name: Callable[[int, str], str]
    #: Stories of the edition (indexes into :data:`STORIES`).
    stories: tuple[int, ...]


GENERATIONS: tuple[Generation, ...] = (
    Generation("pc", "xhrb", EDITION_DAY, "/pc/layout/{ym}/{d}/node_{node}.html", "/pc/con/{ym}/{d}/content_{article}.html",
               lambda n, name: f"第{n}版：{name}", tuple(range(len(STORIES)))),
    Generation("newxh", "xhrb", date(2012, 6, 18), "/newxh/html/{y}-{m}/{d}/node_{node}.htm",
               "/newxh/html/{y}-{m}/{d}/content_{article}.htm", lambda n, name: f"{n:02d}版：{name}", (0, 1, 4, 7)),
    Generation("mp2", "xhrb", date(2015, 5, 11), "/mp2/html/{y}-{m}/{d}/node_{node}.htm",
               "/mp2/html/{y}-{m}/{d}/content_{article}.htm", lambda n, name: f"第{n:02d}版：{name}", (2, 5, 8)),
    Generation("html", "hnrb", date(2019, 4, 2), "/html/{y}-{m}/{d}/node_{node}.htm",
               "/html/{y}-{m}/{d}/content_{node}_{article}.htm", lambda n, name: f"第{n:02d}版：{name}", (3, 6, 9)),
)


@dataclass(slots=True)
class EpaperSite:
    """Served pages of the editions, with the articles a crawl of them should archive."""

    pages: dict[str, ReplicaPage] = field(default_factory=dict)
    articles: list[EpaperArticle] = field(default_factory=list)
    layout_paths: list[str] = field(default_factory=list)
    #: Linked from every layout page, outside the edition: a one-day crawl must not fetch them.
    previous_edition_paths: list[str] = field(default_factory=list)
    #: generation name → (paper code, edition day).
    editions: dict[str, tuple[str, date]] = field(default_factory=dict)

    @property
    def previous_edition_path(self) -> str:
        """The pc edition's link to the day before."""
        return self.previous_edition_paths[0]

    def crawl_commands(self, base_url: str) -> list[str]:
        """One ``newsarchive crawl`` per edition, for ``replica serve`` to print."""
        return [f"newsarchive crawl epaper -a paper={paper} -a date={day} -a base_url={base_url}   # {name}: "
                f"{len(self.of(name))} articles" for name, (paper, day) in self.editions.items()]

    def of(self, generation: str) -> list[EpaperArticle]:
        """The articles of one generation's edition."""
        return [a for a in self.articles if a.generation == generation]


def build_epaper_site() -> EpaperSite:
    """One edition per generation (:data:`GENERATIONS`), UTF-8 as the real system serves."""
    site = EpaperSite()
    for generation in GENERATIONS:
        _add_edition(site, generation)
    return site


def _paths(pattern: str, day: date, **parts: object) -> str:
    return pattern.format(ym=f"{day:%Y%m}", y=f"{day:%Y}", m=f"{day:%m}", d=f"{day:%d}", **parts)


def _add_edition(site: EpaperSite, gen: Generation) -> None:
    day = gen.day
    site.editions[gen.name] = (gen.paper, day)
    numbers = sorted({STORIES[i][0] for i in gen.stories})
    layouts = {n: _paths(gen.layout, day, node=n) for n in numbers}
    names = {n: gen.page_name(n, dict(PRINTED_PAGES)[n]) for n in numbers}
    site.layout_paths.extend(layouts.values())
    previous = _paths(gen.layout, day - timedelta(days=1), node=numbers[0])
    site.previous_edition_paths.append(previous)
    articles = []
    for index, story in enumerate(gen.stories):
        number, title, author, first, second = STORIES[story]
        article = EpaperArticle(
            path=_paths(gen.article, day, node=number, article=_FIRST_CONTENT_ID + index),
            title=title,
            printed_page=names[number],
            published_at=f"{day.isoformat()}T00:00:00+08:00",
            authors=[author],
            body=f"{first}\n{second}",
            shows_printed_page=gen.name != "pc" or index % 2 == 0,
            generation=gen.name,
            paper=gen.paper,
        )
        articles.append(article)
        site.pages[article.path] = _html_page(_ARTICLE_SKINS[gen.name](article, day))
    site.articles.extend(articles)
    for number, path in layouts.items():
        on_page = [a for a in articles if a.printed_page == names[number]]
        links = [(_relative(path, layouts[n]), names[n]) for n in numbers]
        site.pages[path] = _html_page(_layout_html(gen, path, links, names[number], on_page, _relative(path, previous)))


def _html_page(html: str) -> ReplicaPage:
    return ReplicaPage(status=200, content_type="text/html; charset=utf-8", body=html.encode("utf-8"))


def _relative(here: str, target: str) -> str:
    """``target`` as the system links it from ``here``: relative, ``../`` up to the common directory."""
    source, goal = here.split("/")[1:-1], target.split("/")[1:]
    common = 0
    while common < len(source) and common < len(goal) - 1 and source[common] == goal[common]:
        common += 1
    return "../" * (len(source) - common) + "/".join(goal[common:])


def _layout_html(gen: Generation, path: str, links: list[tuple[str, str]], name: str,
                 articles: list[EpaperArticle], previous: str) -> str:
    if gen.name == "pc":
        page_list = "\n".join(f'<p><a href="{href}">{escape(text)}</a></p>' for href, text in links)
        pages = f'<div class="Chunkiconlist">{page_list}\n<p><a href="{previous}">上一期</a></p></div>'
    else:
        page_list = "\n".join(f'<tr><td><a id="pageLink" href="{href}">{escape(text)}</a></td></tr>' for href, text in links)
        pages = f'<table>{page_list}</table>\n<a href="{previous}">上一期</a>'
    areas = "".join(f'<area shape="rect" coords="0,{i * 50},300,{i * 50 + 40}" href="{_relative(path, a.path)}">'
                    for i, a in enumerate(reversed(articles)))
    if gen.name == "html":
        items = "\n".join(f'<div id="{a.path.rsplit("/", 1)[1][:-4]}"><a href="{_relative(path, a.path)}">'
                          f'{escape(a.title)}</a></div>' for a in articles)
    else:
        items = "<ul>\n" + "\n".join(f'<li><h3><a href="{_relative(path, a.path)}">{escape(a.title)}</a></h3></li>'
                                     for a in articles) + "\n</ul>"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>数字报</title></head>
<body>
{pages}
<div class="newspaper-pic"><img src="page.jpg" usemap="#PagePicMap">
<map name="PagePicMap">{areas}</map></div>
<div class="newslisttit"><em>{escape(name)}</em></div>
<div class="newslist" id="titleList">{items}</div>
</body></html>"""


def _pc_article(article: EpaperArticle, day: date) -> str:
    """Today's pc system: two skins, the ``newsdetatit`` one naming the printed page."""
    content = f'<div id="ozoom"><founder-content>\n{_paragraphs(article)}\n</founder-content></div>'
    if article.shows_printed_page:
        heading = f"""<div class="newsdetatit">
<h3>{escape(article.title)}</h3>
<p><span class="Author">本报记者 {escape(article.authors[0])}</span> <span>{day:%Y年%m月%d日}</span> <span>{escape(article.printed_page)}</span></p>
</div>
<div class="newsdetatext">{content}</div>"""
    else:
        heading = f"""<div class="totalTitle"><p class="introtitle" id="PreTitle"></p>
<h2 id="Title">{escape(article.title)}</h2><p class="subtitle" id="SubTitle"></p></div>
<p class="author">记者 {escape(article.authors[0])}</p>
<span id="paperdate">{day:%Y年%m月%d日}</span>
{content}"""
    return _article_page(article, f'<div class="top"><a href="../../../layout/{day:%Y%m/%d}/node_1.html">返回版面</a></div>\n{heading}')


def _html_system_article(article: EpaperArticle, day: date) -> str:
    """xh.xhby.net's html systems: ``newsdetatit`` with date and 来源 lines; text in founder-content
    (mp2) or between ``<!--enpcontent-->`` markers (newxh)."""
    if article.generation == "mp2":
        text = f"<founder-content>\n{_paragraphs(article)}\n</founder-content>"
    else:
        text = f"<!--enpcontent-->{_paragraphs(article)}<!--/enpcontent-->"
    return _article_page(article, f"""<div class="newsdetatit">
<p class="intro"></p>
<h3>{escape(article.title)}</h3>
<p class="sub"></p>
<p><span>本报记者 {escape(article.authors[0])}</span></p>
<p><span>{day:%Y年%m月%d日}</span> <span>来源：新华日报</span> <span>{escape(article.printed_page)}</span></p>
</div>
<div class="newsdetatext">{text}<!--enpproperty <date>{day:%Y-%m-%d}</date><title>{escape(article.title)}</title>/enpproperty--></div>""")


def _founder_tags_article(article: EpaperArticle, day: date) -> str:
    """The older Founder html system of other papers: fields in ``<founder-…>`` elements."""
    return _article_page(article, f"""<table><tr><td class="font01">{escape(article.printed_page)}</td></tr></table>
<table><tr><td><founder-title>{escape(article.title)}</founder-title></td></tr>
<tr><td><founder-author>本报记者 {escape(article.authors[0])}</founder-author> <span>{day:%Y年%m月%d日}</span></td></tr>
<tr><td><div id="ozoom"><founder-content>{_paragraphs(article)}</founder-content></div></td></tr></table>""")


_ARTICLE_SKINS: dict[str, Callable[[EpaperArticle, date], str]] = {
    "pc": _pc_article, "newxh": _html_system_article, "mp2": _html_system_article, "html": _founder_tags_article,
}


def _paragraphs(article: EpaperArticle) -> str:
    return "\n".join(f"<p>　　{escape(line)}</p>" for line in article.body.split("\n"))


def _article_page(article: EpaperArticle, content: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(article.title)}</title></head>
<body>
{content}
<div class="footer">报社出版 版权所有，未经授权不得转载</div>
</body></html>"""
