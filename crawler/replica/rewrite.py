"""Edit the text of rendered replica article pages (for variants that change articles).

Variants work on the built site, whose article pages exist only as rendered bytes; these
helpers swap paragraph texts inside those bytes and keep the ground truth in step, so a
corrected or re-published article is served and expected consistently.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from crawler.replica.pages import ReplicaPage
from crawler.replica.site import ExpectedArticle, ReplicaSite

#: Markup of an extra body paragraph, as the replica templates write paragraphs.
PARAGRAPH = '<p style="text-indent: 2em;">\n\t{}</p>\n'


def rewrite_paragraphs(html: str, changes: dict[str, str]) -> str:
    """``html`` with each paragraph text in ``changes`` (old → new, unescaped) replaced once.

    Raises ``ValueError`` naming the paragraph when it is not on the page verbatim, so a
    variant never silently serves a page that disagrees with its ground truth.
    """
    for old, new in changes.items():
        escaped = escape(old)
        if escaped not in html:
            raise ValueError(f"paragraph not found on the page: {old[:30]!r}…")
        html = html.replace(escaped, new if new.startswith("</p>") else escape(new), 1)
    return html


def append_paragraph(last: str, extra: str) -> str:
    """Replacement text for the paragraph ``last`` that adds the paragraph ``extra`` after it
    (pass the result as the new text of ``last`` to :func:`rewrite_paragraphs`)."""
    return escape(last) + "</p>\n" + PARAGRAPH.format(escape(extra))[: -len("</p>\n")]


def edit_article(site: ReplicaSite, index: int, body: list[str], changes: dict[str, str], **truth: object) -> None:
    """Serve ``site.articles[index]`` (a single-page article) with ``changes`` applied to its
    paragraphs, and record ``body`` (the new paragraphs) and ``truth`` fields as expected."""
    article = site.articles[index]
    page = site.pages[article.path]
    html = rewrite_paragraphs(page.body.decode(_codec(article)), changes)
    site.pages[article.path] = replace(page, body=html.encode(_codec(article), errors="xmlcharrefreplace"))
    site.articles[index] = replace(article, body="\n".join(body), **truth)


def _codec(article: ExpectedArticle) -> str:
    return "gb18030" if article.encoding == "gbk" else article.encoding
