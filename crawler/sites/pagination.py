"""Assemble the pages of one multi-page article into one Article.

Sites split long articles over ``…-2.html`` pages; the archive keeps one item per
article, so the spider extracts every page and merges them here: metadata comes from
the first page (later pages repeat or lack it), content is concatenated in page order.
"""

from __future__ import annotations

import copy

from crawler.items import Article


def merge_pages(pages: list[Article]) -> Article:
    """One Article from its pages in page order; ``pages[0]`` provides the metadata.

    Raises :class:`ValueError` on an empty list: there is no article to return.
    """
    if not pages:
        raise ValueError("merge_pages needs at least the first page of the article")
    merged = copy.deepcopy(pages[0])
    if len(pages) == 1:
        return merged
    merged.body = "\n".join(page.body for page in pages if page.body)
    merged.body_html = "\n".join(page.body_html for page in pages if page.body_html)
    merged.images = [copy.deepcopy(image) for page in pages for image in page.images]
    merged.page_digests = [digest for page in pages for digest in page.page_digests]
    fetched = [page.url for page in pages]
    # Page 1 knows every page URL from its pager; keep that list when it covers what was fetched.
    known = merged.page_urls if set(fetched) <= set(merged.page_urls) else fetched
    merged.page_urls = list(known)
    merged.pages = max(len(pages), len(known))
    for page in pages[1:]:
        for problem in page.problems:
            merged.add_problem(problem.kind, problem.detail, problem.field)
    return merged
