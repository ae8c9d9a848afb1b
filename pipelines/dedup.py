"""Near-duplicate detection: link syndicated and lightly edited copies into clusters.

Exact identity (same URL, or same normalised text → one article) is decided by
:func:`models.repository.store_articles`. What remains are *distinct* publications of
nearly the same text: a provincial site re-publishing a story with its own byline, a
changed sentence, a "来源" line. Each keeps its own article row; this module links them.

How: the article's Simplified body without boilerplate paragraphs (see
:mod:`models.boilerplate`), normalised like the fingerprint, is cut into overlapping
:data:`SHINGLE_CHARS`-character shingles; a datasketch :class:`~datasketch.MinHash`
signature of the shingle set is split into :data:`BANDS` bands of :data:`ROWS` values
and each band's hash is stored in the archive (:class:`models.dedup.NearDupBand`).
A new text's candidates are the articles sharing any band key — one indexed look-up,
never a scan — then filtered by the similarity the signatures estimate, then verified
by the exact Jaccard similarity of the two shingle sets. Verified copies join one
cluster (:class:`models.dedup.NearDupCluster`), merging clusters the new text bridges.

Why these numbers: on the replica's generated articles, 5-character shingles put
unrelated articles at Jaccard ≤ 0.20 and edited copies at ≥ 0.95, so the default
threshold 0.5 sits in the wide gap. 42 bands × 3 rows make a text with similarity J a
candidate with probability 1 − (1 − J³)⁴²: 0.996 at 0.5, 0.93 at 0.4, 0.29 at 0.2 and
0.005 at 0.05 (unrelated real news sits lower still), so copies at the threshold are
not missed while candidates stay few; every candidate costs one signature comparison.
The band layout does not depend on the threshold, so changing the setting never
invalidates the stored index. Texts under :data:`MIN_CHARS` characters are never
clustered: short notices share too much wording to prove a copy.

Where it runs: inside the store pipeline's batch transaction
(:class:`pipelines.store.StorePipeline` calls :meth:`NearDuplicateLinker.link` right
after :func:`~models.repository.store_articles`), because linking needs the article ids
the store assigns, and the index must commit atomically with the articles it describes
(spooled batches replay through the same path).

Setting ``NEWSARCHIVE_NEAR_DUP_THRESHOLD`` (default 0.5): the Jaccard similarity of
shingle sets from which two texts count as copies; between 0.4 (below that the band
index misses too many pairs) and 1.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from crawler.items import Article as ArticleItem
from models.boilerplate import substantive_text
from models.dedup import NearDupBand, NearDupCluster, NearDupMember, NearDupSignature
from models.repository import StoreOutcome
from models.schema import Article

SHINGLE_CHARS = 5
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
#: Fixed seed: signatures are persisted, so every process must draw the same permutations.
MINHASH_SEED = 20200412
MIN_CHARS = 200
_NON_WORD = re.compile(r"[\W_]+")
DEFAULT_THRESHOLD = 0.5
MIN_THRESHOLD = 0.4
#: Candidates whose signature-estimated similarity is this far below the threshold are
#: dropped before the exact check (128 permutations estimate J within ±0.05 typically).
ESTIMATE_MARGIN = 0.15


def dedup_text(body: str) -> str:
    """The text near-duplicates are compared on: substantive paragraphs, NFKC-folded,
    without whitespace, punctuation or symbols (like the fingerprint's normalisation,
    but with one C-level regex: it runs on every stored text and on every candidate)."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", substantive_text(body)))


def shingles(text: str) -> set[str]:
    """Overlapping :data:`SHINGLE_CHARS`-character pieces of an already normalised text."""
    return {text[i : i + SHINGLE_CHARS] for i in range(len(text) - SHINGLE_CHARS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@cache
def _permutations() -> Any:
    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED).permutations


def signature(pieces: set[str]) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32 values) of a shingle set.

    CRC-32 hashes the shingles: datasketch pre-mixes inputs with the MurmurHash3
    finaliser, so a fast stable hash is enough, and it is ~10x faster than SHA-1.
    """
    minhash = MinHash(
        num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=zlib.crc32, permutations=_permutations(), scheme="affine32"
    )
    minhash.update_batch([piece.encode("utf-8") for piece in pieces])
    return minhash.hashvalues.astype("<u4")


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: a hash of the band number and its ``ROWS`` values."""
    raw = values.astype("<u4").tobytes()
    width = ROWS * 4
    return [
        int.from_bytes(
            hashlib.blake2b(bytes([band]) + raw[band * width : (band + 1) * width], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature values: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(frozen=True, slots=True)
class Sketch:
    """A text ready for near-duplicate matching: its shingles, signature and band keys."""

    shingles: set[str]
    signature: np.ndarray
    keys: list[int]


def sketch(body: str) -> Sketch | None:
    """The sketch of a Simplified body, or ``None`` when it is too short to be clustered."""
    text = dedup_text(body)
    if len(text) < MIN_CHARS:
        return None
    pieces = shingles(text)
    values = signature(pieces)
    return Sketch(pieces, values, band_keys(values))


@dataclass(frozen=True, slots=True)
class NearMatch:
    """``article_id`` was found to be a near copy of ``other_id`` with Jaccard ``similarity``."""

    article_id: int
    other_id: int
    similarity: float


def _decode(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u4")


class NearDuplicateLinker:
    """Finds near copies of newly stored texts through the persisted index and links them."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not MIN_THRESHOLD <= threshold <= 1:
            raise ValueError(
                f"NEWSARCHIVE_NEAR_DUP_THRESHOLD={threshold} is out of range: use a Jaccard similarity "
                f"between {MIN_THRESHOLD} and 1 (default {DEFAULT_THRESHOLD})"
            )
        self.threshold = threshold

    @classmethod
    def from_settings(cls, settings: Any) -> NearDuplicateLinker:
        """Read ``NEWSARCHIVE_NEAR_DUP_THRESHOLD`` from Scrapy settings."""
        return cls(settings.getfloat("NEWSARCHIVE_NEAR_DUP_THRESHOLD", DEFAULT_THRESHOLD))

    def link(self, session: Session, items: Sequence[ArticleItem], outcomes: Sequence[StoreOutcome]) -> list[NearMatch]:
        """Index the texts the store just wrote and cluster them with their near copies.

        Only ``new`` and ``changed`` outcomes carry a text the index has not seen;
        items are handled in order, so copies within one batch find each other.
        """
        matches: list[NearMatch] = []
        now = datetime.now(UTC)
        for item, outcome in zip(items, outcomes, strict=True):
            if outcome.outcome not in ("new", "changed"):
                continue
            if outcome.outcome == "changed":
                _drop_from_index(session, outcome.article_id)
            found = sketch(item.simplified.get("body") or item.body)
            if found is None:
                continue
            copies = self._copies(session, outcome.article_id, found)
            _add_to_index(session, outcome.article_id, found)
            if copies:
                _cluster(session, outcome.article_id, copies, now)
                matches.extend(NearMatch(outcome.article_id, other, sim) for other, sim in copies)
        return matches

    def _copies(self, session: Session, article_id: int, new: Sketch) -> list[tuple[int, float]]:
        """Articles whose text is a near copy of ``new``: ``(article id, Jaccard)``, best first."""
        candidates = session.scalars(
            select(NearDupBand.article_id)
            .where(NearDupBand.key.in_(new.keys), NearDupBand.article_id != article_id)
            .distinct()
        ).all()
        if not candidates:
            return []
        signatures = session.execute(
            select(NearDupSignature.article_id, NearDupSignature.signature).where(
                NearDupSignature.article_id.in_(candidates)
            )
        )
        floor = self.threshold - ESTIMATE_MARGIN
        likely = [aid for aid, raw in signatures if estimated_similarity(new.signature, _decode(raw)) >= floor]
        if not likely:
            return []
        bodies = session.execute(select(Article.id, Article.body_simplified).where(Article.id.in_(likely)))
        scored = ((aid, round(jaccard(new.shingles, shingles(dedup_text(body))), 4)) for aid, body in bodies)
        return sorted((s for s in scored if s[1] >= self.threshold), key=lambda s: (-s[1], s[0]))


def _add_to_index(session: Session, article_id: int, new: Sketch) -> None:
    """Core inserts: thousands of rows per batch, no ORM bookkeeping needed."""
    session.execute(
        insert(NearDupSignature),
        [{"article_id": article_id, "signature": new.signature.tobytes(), "shingles": len(new.shingles)}],
    )
    session.execute(insert(NearDupBand), [{"key": key, "article_id": article_id} for key in set(new.keys)])


def _drop_from_index(session: Session, article_id: int) -> None:
    """Remove an article's old text from the index (its keys are recomputed from the stored
    signature, so the delete goes through the primary key)."""
    raw = session.scalar(select(NearDupSignature.signature).where(NearDupSignature.article_id == article_id))
    if raw is None:
        return
    session.execute(
        delete(NearDupBand).where(NearDupBand.key.in_(band_keys(_decode(raw))), NearDupBand.article_id == article_id)
    )
    session.execute(delete(NearDupSignature).where(NearDupSignature.article_id == article_id))


def _cluster(session: Session, article_id: int, copies: list[tuple[int, float]], now: datetime) -> None:
    """Put ``article_id`` and its copies in one cluster, merging the clusters they were in."""
    ids = [article_id, *(other for other, _ in copies)]
    members = {m.article_id: m for m in session.scalars(select(NearDupMember).where(NearDupMember.article_id.in_(ids)))}
    cluster_ids = sorted({m.cluster_id for m in members.values()})
    if cluster_ids:
        target, merged = cluster_ids[0], cluster_ids[1:]
        if merged:
            session.execute(
                update(NearDupMember).where(NearDupMember.cluster_id.in_(merged)).values(cluster_id=target),
                execution_options={"synchronize_session": "fetch"},
            )
            session.execute(delete(NearDupCluster).where(NearDupCluster.id.in_(merged)))
    else:
        cluster = NearDupCluster(created_at=now)
        session.add(cluster)
        session.flush()
        target = cluster.id
    best, best_similarity = copies[0]
    if article_id not in members:
        session.add(
            NearDupMember(
                article_id=article_id, cluster_id=target, linked_to_id=best, similarity=best_similarity, joined_at=now
            )
        )
    session.add_all(
        NearDupMember(article_id=other, cluster_id=target, linked_to_id=article_id, similarity=similarity, joined_at=now)
        for other, similarity in copies
        if other not in members
    )
