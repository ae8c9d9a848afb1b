"""A small local e-paper edition (电子版) for testing the ``epaper`` spider without the network.

One edition of an imitation 新华日报 (paper code ``xhrb``) on :data:`EDITION_DAY`: three
layout pages (``/pc/layout/YYYYMM/DD/node_N.html``: page list, preview map, article
list) and ten article pages (``/pc/con/YYYYMM/DD/content_N.html``). Half the articles
use the skin whose headline block names the printed page; the others (the
``#Title``/``#SubTitle`` skin) do not, so the spider must carry the page name over
from the layout page. Layout pages also link the previous day's edition, which a
one-day crawl must not follow. The markup is written for the replica, modelled on the
e-paper system's structure and class names, not copied from real pages.

:func:`build_epaper_site` returns an object :class:`crawler.replica.server.ReplicaServer`
serves like a people.com.cn replica (it only reads ``pages``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from crawler.replica.pages import ReplicaPage

EDITION_DAY = date(2022, 3, 1)
PAPER = "xhrb"
#: (page number, page name) of the edition's printed pages.
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


@dataclass(slots=True)
class EpaperSite:
    """Served pages of one edition, with the articles a crawl of it should archive."""

    pages: dict[str, ReplicaPage] = field(default_factory=dict)
    articles: list[EpaperArticle] = field(default_factory=list)
    layout_paths: list[str] = field(default_factory=list)
    #: Linked from every layout page, outside the edition: a one-day crawl must not fetch it.
    previous_edition_path: str = ""


def build_epaper_site(day: date = EDITION_DAY) -> EpaperSite:
    """The edition of ``day``: three layout pages and ten articles, UTF-8 as the real system serves."""
    edition = f"{day:%Y%m}/{day:%d}"
    site = EpaperSite(previous_edition_path=f"/pc/layout/{date.fromordinal(day.toordinal() - 1):%Y%m/%d}/node_1.html")
    site.layout_paths = [f"/pc/layout/{edition}/node_{number}.html" for number, _ in PRINTED_PAGES]
    names = {number: f"第{number}版：{name}" for number, name in PRINTED_PAGES}
    for index, (number, title, author, first, second) in enumerate(STORIES):
        article = EpaperArticle(
            path=f"/pc/con/{edition}/content_{_FIRST_CONTENT_ID + index}.html",
            title=title,
            printed_page=names[number],
            published_at=f"{day.isoformat()}T00:00:00+08:00",
            authors=[author],
            body=f"{first}\n{second}",
            shows_printed_page=index % 2 == 0,
        )
        site.articles.append(article)
        site.pages[article.path] = _html_page(_article_html(article, day))
    for (number, _), path in zip(PRINTED_PAGES, site.layout_paths, strict=True):
        on_page = [a for a in site.articles if a.printed_page == names[number]]
        site.pages[path] = _html_page(_layout_html(site, names, number, on_page))
    return site


def _html_page(html: str) -> ReplicaPage:
    return ReplicaPage(status=200, content_type="text/html; charset=utf-8", body=html.encode("utf-8"))


def _relative(path: str) -> str:
    """Links as the system writes them: relative to ``/pc/layout/YYYYMM/DD/`` (three levels up to ``/pc/``)."""
    return "../../../" + path.removeprefix("/pc/")


def _layout_html(site: EpaperSite, names: dict[int, str], number: int, articles: list[EpaperArticle]) -> str:
    page_list = "\n".join(
        f'<p><a href="{_relative(path)}">{escape(names[n])}</a></p>'
        for (n, _), path in zip(PRINTED_PAGES, site.layout_paths, strict=True)
    )
    areas = "".join(f'<area shape="rect" coords="0,{i * 50},300,{i * 50 + 40}" href="{_relative(a.path)}">'
                    for i, a in enumerate(reversed(articles)))
    items = "\n".join(f'<li><a href="{_relative(a.path)}">{escape(a.title)}</a></li>' for a in articles)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>新华日报数字报</title></head>
<body>
<div class="Chunkiconlist">{page_list}
<p><a href="{_relative(site.previous_edition_path)}">上一期</a></p></div>
<div class="newspaper-pic"><img src="../../../images/page_{number}.jpg" usemap="#PagePicMap">
<map name="PagePicMap">{areas}</map></div>
<div class="newslisttit"><em>{escape(names[number])}</em></div>
<div id="articlelist"><ul>
{items}
</ul></div>
</body></html>"""


def _article_html(article: EpaperArticle, day: date) -> str:
    paragraphs = "\n".join(f"<p>　　{escape(line)}</p>" for line in article.body.split("\n"))
    content = f'<div id="ozoom"><founder-content>\n{paragraphs}\n</founder-content></div>'
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
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(article.title)}</title></head>
<body>
<div class="top"><a href="../../../layout/{day:%Y%m/%d}/node_1.html">返回版面</a></div>
{heading}
<div class="footer">新华日报社出版 版权所有，未经授权不得转载</div>
</body></html>"""
