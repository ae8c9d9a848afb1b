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

from collections.abc import Callable

from crawler.replica.site import ReplicaSite


def normal(site: ReplicaSite) -> None:
    """The site as built: no changes."""


#: Variant name → function editing the built site; ``build_site(variant=name)`` looks here.
VARIANTS: dict[str, Callable[[ReplicaSite], None]] = {
    "normal": normal,
}
