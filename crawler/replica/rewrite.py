"""Edit the text of rendered replica article pages (for variants that change articles).

Variants work on the built site, whose article pages exist only as rendered bytes; these
helpers swap paragraph texts inside those bytes and keep the ground truth in step, so a
corrected or re-published article is served and expected consistently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from html import escape

from crawler.replica.site import ExpectedArticle, ReplicaSite

#: Markup of an added body paragraph, as the replica templates write paragraphs.
PARAGRAPH = '<p style="text-indent: 2em;">\n\t{}</p>\n'


def rewrite_body(html: str, old: list[str], new: list[str]) -> str:
    """``html`` with body paragraphs ``old`` turned into ``new``.

    ``new`` lists the paragraphs in order: the first ``len(old)`` replace their
    counterparts (unchanged ones stay), any beyond are added after the last one. Raises
    ``ValueError`` when a paragraph is not on the page verbatim, so a variant never
    serves a page that disagrees with its ground truth.
    """
    if len(new) < len(old):
        raise ValueError("rewrite_body replaces or adds paragraphs; it does not remove them")
    for before, after in zip(old, new):
        if before != after:
            html = _replace_once(html, escape(before) + "</p>", escape(after) + "</p>")
    end = html.index("</p>", _position(html, escape(new[len(old) - 1]) + "</p>")) + len("</p>")
    added = "".join(PARAGRAPH.format(escape(text)) for text in new[len(old) :])
    return html[:end] + "\n" + added + html[end:] if added else html


def edit_article(
    site: ReplicaSite, index: int, paragraphs: list[str], boilerplate: Sequence[str] = (), **truth: object
) -> None:
    """Serve ``site.articles[index]`` (a single-page article) with body ``paragraphs``
    (see :func:`rewrite_body`) and record them, plus any ``truth`` fields, as expected.

    ``boilerplate`` paragraphs (a "来源" credit line…) are served after the body but are
    not expected in it: the labelling rules leave them out of the article text.
    """
    article = site.articles[index]
    page = site.pages[article.path]
    served = [*paragraphs, *boilerplate]
    html = rewrite_body(page.body.decode(_codec(article)), article.body.split("\n"), served)
    site.pages[article.path] = replace(page, body=html.encode(article.encoding, errors="xmlcharrefreplace"))
    site.articles[index] = replace(article, body="\n".join(paragraphs), **truth)


def _position(html: str, needle: str) -> int:
    position = html.find(needle)
    if position < 0:
        raise ValueError(f"paragraph not found on the page: {needle[:30]!r}…")
    return position


def _replace_once(html: str, old: str, new: str) -> str:
    position = _position(html, old)
    return html[:position] + new + html[position + len(old) :]


def _codec(article: ExpectedArticle) -> str:
    """Codec to read a page with: GB18030 is the superset browsers use for GBK pages."""
    return "gb18030" if article.encoding == "gbk" else article.encoding
