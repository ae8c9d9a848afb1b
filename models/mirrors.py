"""Mirrors: the same article of a site in another script or encoding is the same article.

People's Daily and its provincial channels serve Traditional copies (``/big5/`` paths,
``big5.`` hosts, half of them Big5 bytes) of their Simplified articles. Most fold to the
original's fingerprint (OpenCC ``t2s`` plus :data:`models.fingerprint.VARIANT_FOLDS`), but
not all: a character Big5 cannot encode arrives as ``?`` or is dropped, a converter writes
a variant no table knows. Such a copy must still become an alias of its original, never a
second article (and, :mod:`models.repository` sees to it, never a version: a version is a
change of the text in one script).

So an item that matched no article by URL or fingerprint is compared with the articles
its text shares a near-duplicate band key with (:mod:`models.near_copies`' index, plus
this batch's new articles): it is the same article as one whose text is at least
:data:`MIRROR_SIMILARITY` alike (Jaccard of the shingle sets) when the two are a mirror
pair: their scripts differ or one has a mirror URL, and they come from the same site,
or one has a mirror URL, or they carry the same headline. Near copies on *other* sites
(syndication) stay distinct articles, linked in clusters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.items import Article as ArticleItem
from models.dedup import NearDupBand, NearDupSignature
from models.fingerprint import normalise_text
from models.near_copies import Sketch, estimated_similarities, jaccard, shingles, sketches
from models.repository import rows_in
from models.schema import Article, Site

#: Jaccard similarity from which a mirror pair is one article: copies differing only in the
#: characters one encoding lacks sit above 0.95; edited reposts of a site's own story lower.
MIRROR_SIMILARITY = 0.9
#: Signature estimates this far under :data:`MIRROR_SIMILARITY` are not checked exactly.
_ESTIMATE_MARGIN = 0.1
#: URLs of script mirrors: ``/big5/`` or ``/gate/big5/`` paths, ``big5.`` or ``tw.`` hosts.
MIRROR_URL = re.compile(r"^[a-z]+://(?:big5|tw|fanti)\.|/(?:gate/)?big5/", re.IGNORECASE)


@dataclass(slots=True)
class _Text:
    """What a mirror pair is judged on, for a stored article or an item of the batch."""

    site: str
    script: str
    title: str
    mirror_url: bool
    sketch: Sketch


def _text(item: ArticleItem, found: Sketch) -> _Text:
    return _Text(
        site=item.site,
        script=item.script,
        title=normalise_text(item.simplified.get("title") or item.title or ""),
        mirror_url=any(MIRROR_URL.search(url) for url in (item.url, item.canonical_url) if url),
        sketch=found,
    )


def is_mirror_pair(a: _Text, b: _Text) -> bool:
    """Whether two texts stand in a mirror relation (their similarity aside)."""
    mirror_url = a.mirror_url or b.mirror_url
    if a.script == b.script and not mirror_url:
        return False
    return bool(a.site and a.site == b.site) or mirror_url or bool(a.title and a.title == b.title)


class MirrorFinder:
    """For one batch: the stored or earlier-in-batch article each item mirrors, if any.

    :meth:`read` looks up the stored candidates of every item at once (band keys, then
    signatures, then the few texts worth an exact check); :meth:`find` decides item by
    item in batch order and :meth:`created` adds a new article of the batch as a candidate
    for the items after it.
    """

    def __init__(self, session: Session, items: Sequence[ArticleItem]) -> None:
        self.sketches = dict(zip(map(id, items), sketches(_body(item) for item in items), strict=True))
        self.stored: dict[int, _Text] = {}
        #: The batch items' texts, made once by :meth:`find` for :meth:`created`.
        self.texts: dict[int, _Text] = {}
        self.candidates: dict[int, list[int]] = {}
        #: Band key → this batch's new articles (key, text) indexed under it.
        self.batch: dict[int, list[tuple[object, _Text]]] = {}
        self._read(session, items)

    def _read(self, session: Session, items: Sequence[ArticleItem]) -> None:
        wanted = [(item, found) for item in items if (found := self.sketches[id(item)]) is not None]
        keys = list({key for _, found in wanted for key in found.keys})
        members: dict[int, set[int]] = {}
        for key, article_id in rows_in(session, select(NearDupBand.key, NearDupBand.article_id), NearDupBand.key, keys):
            members.setdefault(key, set()).add(article_id)
        ids = sorted({article_id for found in members.values() for article_id in found})
        signatures = dict(rows_in(session, select(NearDupSignature.article_id, NearDupSignature.signature),
                                  NearDupSignature.article_id, ids))
        likely: set[int] = set()
        for item, found in wanted:
            others = sorted({a for key in found.keys for a in members.get(key, ())} & signatures.keys())
            if not others:
                continue
            estimates = estimated_similarities(found.signature, np.array(
                [np.frombuffer(signatures[other], dtype="<u4") for other in others]))
            close = [others[row] for row in np.flatnonzero(estimates >= MIRROR_SIMILARITY - _ESTIMATE_MARGIN)]
            self.candidates[id(item)] = close
            likely.update(close)
        query = (select(Article.id, Site.name, Article.script, Article.title_simplified, Article.canonical_url,
                        Article.body_simplified)
                 .join(Site, Site.id == Article.site_id, isouter=True))
        for article_id, site, script, title, url, body in rows_in(session, query, Article.id, sorted(likely)):
            found = sketches([body or ""])[0]
            if found is not None:
                self.stored[article_id] = _Text(site or "", script, normalise_text(title or ""),
                                                bool(MIRROR_URL.search(url or "")), found)

    def find(self, item: ArticleItem) -> tuple[int | None, object | None]:
        """``(stored article id, None)`` or ``(None, batch key)`` of the article ``item`` mirrors; both ``None`` if none."""
        found = self.sketches.get(id(item))
        if found is None:
            return None, None
        text = self.texts[id(item)] = _text(item, found)
        best: tuple[float, int | None, object | None] = (0.0, None, None)
        for article_id in self.candidates.get(id(item), ()):
            other = self.stored.get(article_id)
            if other is not None and is_mirror_pair(text, other):
                best = max(best, (_similarity(text, other), article_id, None), key=lambda b: b[0])
        sharing = {id(entry[0]): entry for band in found.keys for entry in self.batch.get(band, ())}
        for key, other in sharing.values():
            if is_mirror_pair(text, other):
                best = max(best, (_similarity(text, other), None, key), key=lambda b: b[0])
        similarity, article_id, key = best
        return (article_id, key) if similarity >= MIRROR_SIMILARITY else (None, None)

    def created(self, key: object, item: ArticleItem) -> None:
        """Offer the batch's new article ``key`` (made from ``item``) to the items after it."""
        found = self.sketches.get(id(item))
        if found is not None:
            entry = (key, self.texts.get(id(item)) or _text(item, found))
            for band in set(found.keys):
                self.batch.setdefault(band, []).append(entry)


def _body(item: ArticleItem) -> str:
    return item.simplified.get("body") or item.body


def _similarity(a: _Text, b: _Text) -> float:
    if estimated_similarities(a.sketch.signature, b.sketch.signature[None, :])[0] < MIRROR_SIMILARITY - _ESTIMATE_MARGIN:
        return 0.0
    return jaccard(shingles(a.sketch.text), shingles(b.sketch.text))
