"""Named variations of the replica site, applied after the normal site is built.

A variant is a function that edits a freshly built :class:`~crawler.replica.site.ReplicaSite`
in place: it may add or replace pages (``site.pages[path] = page`` or
``site.pages.defer(path, maker)``), add ground truth to ``site.articles`` and record
non-articles or dead links. Keeping each variant a small function here means new test
scenarios (mirror hosts, tracking parameters, syndication, corrections, broken
templates) never touch the normal build. Variants must draw randomness only from
``random.Random(f"{site.seed}:{name}")`` so they stay deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from crawler.replica.site import ReplicaSite

#: The editors line of both article templates (``<div class="edit …">(责编：…)</div>``).
_EDITORS_LINE = re.compile(rb'<div class="edit[^"]*">.*?</div>\n?', re.DOTALL)


def normal(site: ReplicaSite) -> None:
    """The site as built: no changes."""


def broken_template(site: ReplicaSite) -> None:
    """A template change that loses a field: the editors line vanished from every article
    page (the health checks must notice the coverage drop)."""
    for article in site.articles:
        for path in article.paths:
            page = site.pages[path]
            site.pages[path] = replace(page, body=_EDITORS_LINE.sub(b"", page.body))
        article.editors = []


#: Variant name → function editing the built site; ``build_site(variant=name)`` looks here.
VARIANTS: dict[str, Callable[[ReplicaSite], None]] = {
    "normal": normal,
    "broken_template": broken_template,
}
