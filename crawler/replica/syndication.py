"""A second provincial replica site that re-publishes some of the first site's articles.

Syndication is how one story reaches many provincial sites: the copy carries the
re-publishing site's own credit line, a changed lead and a trimmed sentence, so its
text is *nearly* the original's. :func:`build_syndication_site` builds such a site
(another channel node, served by its own :class:`~crawler.replica.server.ReplicaServer`)
whose ground truth says which of its articles copy which original, so tests can check
that near-duplicate detection links exactly those pairs and nothing else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from crawler.replica.rewrite import edit_article
from crawler.replica.site import ExpectedArticle, ReplicaSite, build_site

#: Channel node of the second site (its list pages are ``/GB/{node}/index.html``).
SYNDICATION_NODE = "186806"
#: Credit line the re-publishing site adds under every copy.
CREDIT = "（来源：人民网-江苏频道）"
#: Lead the re-publishing site puts before the first paragraph.
LEAD = "（本网讯）"


@dataclass(frozen=True, slots=True)
class SyndicatedCopy:
    """The article at ``path`` on the second site re-publishes ``source_path`` of the first."""

    path: str
    source_path: str


def build_syndication_site(
    source: ReplicaSite, *, seed: int = 20200707, articles: int = 40, copies: int = 6
) -> tuple[ReplicaSite, list[SyndicatedCopy]]:
    """A second site of ``articles`` articles, ``copies`` of which are edited copies of
    single-page articles of ``source``; returns the site and which article copies which.

    Copies replace articles of the second site that have no Traditional mirror, so every
    other article of both sites stays an unrelated text.
    """
    site = build_site(seed, articles, channel_node=SYNDICATION_NODE)
    rng = random.Random(f"{seed}:syndication")
    originals = [a for a in source.canonical_articles if a.pages == 1 and a.kind == "article"]
    mirrored = {m.mirror_of for m in site.mirrors}
    slots = [
        i for i, a in enumerate(site.articles)
        if a.mirror_of is None and a.pages == 1 and a.kind == "article" and a.path not in mirrored
    ]
    if copies > min(len(originals), len(slots)):
        raise ValueError(f"cannot place {copies} copies: use more articles on both sites")
    made = []
    for original, index in zip(rng.sample(originals, copies), sorted(rng.sample(slots, copies))):
        path = site.articles[index].path
        _republish(site, index, source, original, rng)
        made.append(SyndicatedCopy(path=path, source_path=original.path))
    return site, made


def _republish(site: ReplicaSite, index: int, source: ReplicaSite, original: ExpectedArticle, rng: random.Random) -> None:
    """Serve an edited copy of ``original`` in place of ``site.articles[index]``."""
    path = site.articles[index].path
    site.pages[path] = source.pages[original.path]
    site.articles[index] = replace(original, paths=[path])
    edit_article(site, index, edited_paragraphs(original.body.split("\n"), rng), boilerplate=[CREDIT])


def edited_paragraphs(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The copy's paragraphs: a lead before the first and the last sentence of one middle
    paragraph dropped (the credit line is served after them as boilerplate)."""
    edited = [LEAD + paragraphs[0], *paragraphs[1:]]
    middle = [i for i in range(1, len(edited) - 1) if edited[i].count("。") >= 2]
    if middle:
        i = rng.choice(middle)
        sentences = edited[i].rstrip("。").split("。")
        edited[i] = "。".join(sentences[:-1]) + "。"
    return edited
