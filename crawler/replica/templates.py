"""HTML renderers imitating people.com.cn provincial channel pages.

Two article templates are imitated because the real channel serves both: the *current*
one (``#rwb_navpath``, ``div.rm_txt_con``, ``div.col-1-1`` dateline, ``div.zdfy`` pager)
and the *older* one (``div.text_title``, ``div.box01 div.fl`` dateline, ``div#rwb_zw``).
Both carry the noise a parser must ignore: navigation, share widgets, related-news
lists, footers and a hidden ``div.otitle``. Renderers return ``str``; the site decides
the byte encoding. The markup is written for the replica, modelled on the real
structure and class names, not copied from real pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from crawler.replica.content import ArticleContent, Block, Figure

CURRENT = "current"
OLDER = "older"

#: (link text, href) pairs.
Links = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ArticleLayout:
    """How one article is laid out on the site.

    ``page_blocks[i]`` are the body blocks shown on page ``i + 1`` (at ``page_paths[i]``);
    ``dateline=False`` drops the dateline and the date/source meta tags altogether.
    ``indent`` is ``"style"`` (``text-indent`` CSS) or ``"fullwidth"`` (leading U+3000
    spaces inside the paragraph), the two ways the real site indents paragraphs.
    """

    template: str
    charset: str
    page_paths: tuple[str, ...]
    page_blocks: tuple[tuple[Block, ...], ...]
    breadcrumbs: tuple[tuple[str, str], ...]
    node: str
    content_id: str
    related: tuple[tuple[str, str], ...] = ()
    dateline: bool = True
    indent: str = "style"


def _head(title: str, charset: str, metas: dict[str, str]) -> str:
    tags = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in metas.items())
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="content-type" content="text/html;charset={charset}"/>\n'
        '<meta content="all" name="robots" />\n'
        f"<title>{escape(title)}</title>\n{tags}"
        '<link href="http://www.people.com.cn/img/2020wbc/css/page202102.css" type="text/css" rel="stylesheet" media="all" />\n'
        "</head>\n"
    )


_TOPNAV = (
    ("首页", "http://www.people.com.cn/"), ("时政", "http://politics.people.com.cn/"),
    ("经济", "http://finance.people.com.cn/"), ("社会", "http://society.people.com.cn/"),
    ("江苏频道", "/"), ("观点", "http://opinion.people.com.cn/"), ("图片", "http://pic.people.com.cn/"),
)


def _topnav() -> str:
    items = "".join(f'<li><a href="{h}" target="_blank">{t}</a></li>' for t, h in _TOPNAV)
    return (
        '<body>\n<div class="main">\n<div class="header cf"><div class="layout">'
        '<a href="http://www.people.cn" target="_blank"><img src="/img/2020wbc/imgs/logo.png" alt="人民网" /></a>'
        '</div></div>\n<div class="rm_nav cf" id="rm_topnav"><div class="layout rm_nav_con cf">'
        f'<ul class="cf">{items}</ul></div></div>\n'
    )


def _footer() -> str:
    return (
        '<div class="rm_footer cf"><p><a href="http://www.people.com.cn/GB/50142/104580/index.html" target="_blank">'
        "人民日报社概况</a> | <a href=\"http://www.people.com.cn/GB/46264/index.html\" target=\"_blank\">关于人民网</a>"
        ' | <a href="/admin/login.html">网站管理</a></p>'
        "<p>人民网版权所有，未经书面授权禁止使用</p><p>Copyright &copy; 1997-2020 by www.people.com.cn. all rights reserved</p>"
        "</div>\n</div>\n"
        '<script src="http://www.people.com.cn/img/2020wbc/js/static1.js" type="text/javascript" charset="utf-8"></script>\n'
        "</body>\n</html>\n"
    )


def _link_list(links: Links) -> str:
    return "".join(f'<li><a href="{h}" target="_blank">{escape(t)}</a></li>' for t, h in links)


def _navpath(breadcrumbs: Links) -> str:
    return "&gt;&gt;".join(f'<a href="{h}" class="clink">{escape(t)}</a>' for t, h in breadcrumbs)


def _dateline(content: ArticleContent, separator: str) -> str:
    when = content.published.strftime("%Y年%m月%d日%H:%M")
    source = escape(content.source)
    if content.source.startswith("人民网"):
        source = f'<a href="/" target="_blank">{source}</a>'
    return f"{when}{separator}来源：{source}"


def _blocks_html(blocks: Sequence[Block], indent: str) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Figure):
            out.append(
                f'<p style="text-align: center;"><img src="{block.src}" alt="" width="600" height="400" /></p>\n'
            )
            if block.caption:
                out.append(f'<p class="pictext" style="text-align: center;">{escape(block.caption)}</p>\n')
        elif indent == "fullwidth":
            out.append(f"<p>\u3000\u3000{escape(block)}</p>")
        else:
            out.append(f'<p style="text-indent: 2em;">\n\t{escape(block)}</p>\n')
    return "".join(out)


def _pager(paths: Sequence[str], page_no: int) -> str:
    """``div.zdfy`` pager ``【1】【2】…`` plus the next-page table the real pages carry."""
    if len(paths) == 1:
        return '<div class="zdfy clearfix"></div><center><table border="0" align="center" width="40%"><tr></tr></table></center>\n'
    numbers = "".join(f'<a href="{p}">【{i}】</a>' for i, p in enumerate(paths, 1))
    following = (
        f'<td width="50%" align="center"><a href="{paths[page_no]}">下一页</a></td>' if page_no < len(paths) else ""
    )
    return (
        f'<div class="zdfy clearfix">{numbers}</div>'
        f'<center><table border="0" align="center" width="40%"><tr>{following}</tr></table></center>\n'
    )


def _editors(content: ArticleContent, css: str) -> str:
    if not content.editors:
        return ""
    return f'<div class="edit {css}">(责编：{"、".join(map(escape, content.editors))})</div>\n'


def _otitle(content: ArticleContent, page_no: int) -> str:
    if content.original_title is None or page_no != 1:
        return ""
    return f'<div class="otitle" style="display:none">原标题：{escape(content.original_title)}</div>'


def _article_metas(content: ArticleContent, layout: ArticleLayout) -> dict[str, str]:
    metas = {"catalogs": f"L_{layout.node}", "contentid": f"L_{layout.content_id}"}
    if layout.dateline:
        metas["publishdate"] = content.published.strftime("%Y-%m-%d")
        metas["source"] = f"来源：{content.source}"
    return metas


def _heading(tag: str, css: str, text: str | None) -> str:
    return f'<{tag} class="{css}">{escape(text or "")}</{tag}>\n'


def _current_body(content: ArticleContent, layout: ArticleLayout, page_no: int) -> str:
    dateline = f'<div class="col-1-1">\n{_dateline(content, " | ")}\n</div>\n' if layout.dateline else ""
    return (
        f'<div class="layout route cf" id="rwb_navpath">\n{_navpath(layout.breadcrumbs)}\n</div>\n'
        '<div class="layout rm_txt cf">\n<div class="col col-1">\n'
        + _heading("h3", "pre", content.pretitle)
        + f'<h1 id="newstit">{escape(content.title)}</h1>\n'
        + _heading("h4", "sub", content.subtitle)
        + f'<div class="author cf">{escape(content.author_line or "")}</div>\n'
        + f'<div class="channel cf">\n{dateline}<div class="col-1-2 fr"><span class="rm_type"><i>小字号</i></span></div>\n</div>\n'
        + '<div class="rm_txt_con cf">\n<div class="bza"><span></span><p></p></div>\n<div class="box_pic"></div>\n'
        + _otitle(content, page_no)
        + _blocks_html(layout.page_blocks[page_no - 1], layout.indent)
        + _pager(layout.page_paths, page_no)
        + '<div class="box_pic"></div>\n'
        + _editors(content, "cf")
        + '<p class="paper_num"><em class="section-common-share-wrap">分享让更多人看到 '
        '<i class="btn_share_common"><img src="/img/2020wbc/imgs/share.png" alt=""></i> </em></p>\n</div>\n'
        "<style>\n.rm_txt_con div.otitle { display: none;}\n</style>\n"
        f'<div class="rm_relevant cf box_news">\n<h5><span></span>相关新闻</h5>\n<ul>{_link_list(layout.related)}</ul>\n</div>\n'
        "</div>\n</div>\n"
    )


def _older_body(content: ArticleContent, layout: ArticleLayout, page_no: int) -> str:
    dateline = f'<div class="fl">{_dateline(content, "&nbsp;&nbsp;")}</div>\n' if layout.dateline else ""
    return (
        f'<div class="w1000 clearfix"><span id="rwb_navpath">{_navpath(layout.breadcrumbs)}</span></div>\n'
        '<div class="clearfix w1000_320 text_title">\n'
        + _heading("h3", "pre", content.pretitle)
        + f"<h1>{escape(content.title)}</h1>\n"
        + _heading("h4", "sub", content.subtitle)
        + f'<div class="box01">\n{dateline}'
        '<div class="fr"><div class="message" id="rwb_bbstop"><a href="http://bbs1.people.com.cn/" target="_blank">'
        "我要留言</a></div></div>\n</div>\n</div>\n"
        '<div class="clearfix w1000_320 text_con">\n<div class="fl text_con_left">\n'
        '<div class="box_con" id="rwb_zw">\n<div class="box_pic"></div>\n'
        + _otitle(content, page_no)
        + _blocks_html(layout.page_blocks[page_no - 1], layout.indent)
        + _pager(layout.page_paths, page_no)
        + '<div class="box_pic"></div>\n'
        + _editors(content, "clearfix")
        + "</div>\n"
        '<div class="box_share"><span>分享到：</span><a class="share_wx">微信</a><a class="share_wb">微博</a></div>\n'
        f'<div class="clearfix box_news"><h2>相关新闻</h2><ul>{_link_list(layout.related)}</ul></div>\n'
        "</div>\n</div>\n"
    )


def render_article_page(content: ArticleContent, layout: ArticleLayout, page_no: int) -> str:
    """Page ``page_no`` (1-based) of an article in ``layout.template``."""
    body = {CURRENT: _current_body, OLDER: _older_body}[layout.template](content, layout, page_no)
    title = f"{content.title}--{layout.breadcrumbs[1][0]}--{layout.breadcrumbs[0][0]}"
    return _head(title, layout.charset, _article_metas(content, layout)) + _topnav() + body + _footer()


def _list_pager(page_paths: Sequence[str], page_no: int, window: int = 10) -> str:
    """Numbered pager with 首页/上一页/下一页/尾页 around a window of page numbers."""
    first = max(1, min(page_no - window // 2, len(page_paths) - window + 1))
    parts = [f'<a href="{page_paths[0]}">首页</a>']
    if page_no > 1:
        parts.append(f'<a href="{page_paths[page_no - 2]}">上一页</a>')
    for number in range(first, min(first + window, len(page_paths) + 1)):
        css = ' class="common_current"' if number == page_no else ""
        parts.append(f'<a href="{page_paths[number - 1]}"{css}>{number}</a>')
    if page_no < len(page_paths):
        parts.append(f'<a href="{page_paths[page_no]}">下一页</a>')
    parts.append(f'<a href="{page_paths[-1]}">尾页</a>')
    return f'<div class="page_n clearfix">{"".join(parts)}</div>\n'


def _side_box(css: str, heading: str, links: Links) -> str:
    return f'<div class="{css}"><h3>{heading}</h3><ul>{_link_list(links)}</ul></div>\n' if links else ""


def render_list_page(
    column: str,
    charset: str,
    entries: Sequence[tuple[str, str, str]],
    page_paths: Sequence[str],
    page_no: int,
    *,
    side_boxes: Sequence[tuple[str, str, Links]] = (),
) -> str:
    """A channel list page: ``entries`` are (title, href, date text), newest first.

    ``side_boxes`` are (css class, heading, links) boxes in the right column, such as
    the 繁體版 box and a special-topic box on the first page.
    """
    items = "".join(f"<li><a href='{h}' target=_blank>{escape(t)}</a><em>{d}</em></li>\n" for t, h, d in entries)
    boxes = "".join(_side_box(css, heading, links) for css, heading, links in side_boxes)
    return (
        _head(f"{column}--江苏频道--人民网", charset, {"filetype": "1"})
        + _topnav()
        + f'<div class="w1000 ej_box clearfix">\n<div class="p2j_list fl">\n<div class="title"><h2>{column}</h2></div>\n'
        f'<ul class="list_16 mt10">\n{items}</ul>\n'
        + _list_pager(page_paths, page_no)
        + f'</div>\n<div class="fr p2j_right">\n{boxes}</div>\n</div>\n'
        + _footer()
    )


def render_link_page(title: str, charset: str, links: Links, *, css: str = "zt_list") -> str:
    """A page that is only a titled list of links (special-topic index, channel home)."""
    return (
        _head(f"{title}--江苏频道--人民网", charset, {"filetype": "2"})
        + _topnav()
        + f'<div class="w1000 {css}">\n<h2>{escape(title)}</h2>\n<ul>{_link_list(links)}</ul>\n</div>\n'
        + _footer()
    )


def render_error_page(status: int, message: str) -> str:
    """Plain error page body (404 and the like)."""
    return f"<html><head><title>{status} {message}</title></head><body><h1>{status} {message}</h1></body></html>\n"
