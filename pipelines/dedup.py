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
A new text's candidates are the articles sharing any band key — indexed look-ups,
never a scan, one set for the whole batch — then filtered by the similarity the
signatures estimate, then verified by the exact Jaccard similarity of the two shingle
sets. Verified copies join one cluster (:class:`models.dedup.NearDupCluster`), merging
clusters the new text bridges.

Hashing is vectorised, because it runs on every stored text: the text's code points are
cut into shingle windows with numpy and each window is hashed with FNV-1a over its
code points plus the MurmurHash3 64-bit finaliser (:func:`shingle_hashes`), which is
stable across processes and machines (signatures are persisted); band keys are mixed the
same way. :data:`INDEX_FORMAT` salts the band keys, so keys written by an earlier hashing
scheme never match the current ones: an archive indexed before a format change still
works but does not find copies among its older texts (nothing is deployed yet, so there
is no rebuild command).

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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from crawler.items import Article as ArticleItem
from models.boilerplate import folded_substantive_text
from models.dedup import NearDupBand, NearDupCluster, NearDupMember, NearDupSignature
from models.repository import StoreOutcome, rows_in
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
#: Salt of the band keys: change it whenever shingle hashing or key mixing changes.
INDEX_FORMAT = 2
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def dedup_text(body: str) -> str:
    """The text near-duplicates are compared on: substantive paragraphs, NFKC-folded,
    without whitespace, punctuation or symbols (like the fingerprint's normalisation,
    but with one C-level regex: it runs on every stored text and on every candidate)."""
    return _NON_WORD.sub("", folded_substantive_text(body))


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


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, element-wise (uint64 arithmetic wraps, as intended)."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the text's :func:`shingles` (one per shingle,
    collisions aside), computed over all windows at once."""
    if len(text) < SHINGLE_CHARS:
        return np.empty(0, dtype=np.uint64)
    return _window_hashes(np.lib.stride_tricks.sliding_window_view(_code_points(text), SHINGLE_CHARS))


def _window_hashes(windows: np.ndarray) -> np.ndarray:
    hashes = np.full(len(windows), _FNV_OFFSET, dtype=np.uint64)
    for column in range(SHINGLE_CHARS):
        hashes = (hashes ^ windows[:, column]) * _FNV_PRIME
    return np.unique(_fmix64(hashes))


def signature(pieces: Iterable[str]) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32 values) of a set of shingles from :func:`shingles`."""
    ordered = sorted(set(pieces))
    codes = _code_points("".join(ordered)).reshape(len(ordered), SHINGLE_CHARS)
    return _signature(_window_hashes(codes))


def _signature(hashes: np.ndarray) -> np.ndarray:
    """datasketch's vectorised MinHash over already hashed shingles (their top 32 bits)."""
    minhash = MinHash(
        num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=int, permutations=_permutations(), scheme="affine32"
    )
    minhash.update_batch((hashes >> np.uint64(32)).tolist())
    return minhash.hashvalues.astype("<u4")


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: a hash of the band number, its ``ROWS`` values and
    :data:`INDEX_FORMAT`."""
    rows = values.astype(np.uint64).reshape(BANDS, ROWS)
    keys = _fmix64(np.arange(BANDS, dtype=np.uint64) + np.uint64(INDEX_FORMAT << 32))
    for column in range(ROWS):
        keys = _fmix64((keys ^ rows[:, column]) * _FNV_PRIME)
    return keys.view(np.int64).tolist()


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature values: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(frozen=True, slots=True)
class Sketch:
    """A text ready for near-duplicate matching: the compared text (its shingle strings are
    only built to verify a candidate), how many distinct shingles it has, its signature
    and band keys."""

    text: str
    shingle_count: int
    signature: np.ndarray
    keys: list[int]


def sketch(body: str) -> Sketch | None:
    """The sketch of a Simplified body, or ``None`` when it is too short to be clustered."""
    text = dedup_text(body)
    if len(text) < MIN_CHARS:
        return None
    hashes = shingle_hashes(text)
    values = _signature(hashes)
    return Sketch(text, len(hashes), values, band_keys(values))


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

        Only ``new`` and ``changed`` outcomes carry a text the index has not seen. Items
        are matched in order, exactly as if linked one by one (copies within one batch
        find each other; a changed text leaves the index at its turn), but the stored
        index is read with one set of look-ups and written with bulk statements.
        """
        texts = [
            (outcome, sketch(item.simplified.get("body") or item.body))
            for item, outcome in zip(items, outcomes, strict=True)
            if outcome.outcome in ("new", "changed")
        ]
        if not texts:
            return []
        index = _BatchIndex.read(session, texts)
        matches: list[NearMatch] = []
        now = datetime.now(UTC)
        for outcome, found in texts:
            if outcome.outcome == "changed":
                index.drop(outcome.article_id)
            if found is None:
                continue
            copies = self._copies(session, outcome.article_id, found, index)
            index.add(outcome.article_id, found)
            if copies:
                _cluster(session, outcome.article_id, copies, now)
                matches.extend(NearMatch(outcome.article_id, other, sim) for other, sim in copies)
        index.write(session)
        return matches

    def _copies(self, session: Session, article_id: int, new: Sketch, index: _BatchIndex) -> list[tuple[int, float]]:
        """Articles whose text is a near copy of ``new``: ``(article id, Jaccard)``, best first."""
        floor = self.threshold - ESTIMATE_MARGIN
        likely = [
            other
            for other, values in index.candidates(new.keys, article_id)
            if estimated_similarity(new.signature, values) >= floor
        ]
        if not likely:
            return []
        pieces = shingles(new.text)
        bodies = session.execute(select(Article.id, Article.body_simplified).where(Article.id.in_(likely)))
        scored = ((aid, round(jaccard(pieces, shingles(dedup_text(body))), 4)) for aid, body in bodies)
        return sorted((s for s in scored if s[1] >= self.threshold), key=lambda s: (-s[1], s[0]))


class _BatchIndex:
    """The stored LSH index as one batch sees it while matching its items in order.

    Read once for the whole batch (band rows for every key of the batch, signatures of
    every article they name), then kept current in memory: texts of this batch are added
    as they are matched, and a changed article's stored text leaves at its turn.
    :meth:`write` stores the net change with bulk statements.
    """

    def __init__(self, stored_keys: dict[int, list[int]], stored: dict[int, np.ndarray]) -> None:
        self.stored_keys = stored_keys
        self.stored = stored
        #: Stored articles whose text this batch replaced (their rows are deleted on write).
        self.dropped: set[int] = set()
        self.added: dict[int, Sketch] = {}
        self.added_keys: dict[int, set[int]] = {}

    @classmethod
    def read(cls, session: Session, texts: list[tuple[StoreOutcome, Sketch | None]]) -> _BatchIndex:
        keys = list({key for _, found in texts if found is not None for key in found.keys})
        stored_keys: dict[int, list[int]] = {}
        for key, article_id in rows_in(session, select(NearDupBand.key, NearDupBand.article_id), NearDupBand.key, keys):
            stored_keys.setdefault(key, []).append(article_id)
        ids = {article_id for ids in stored_keys.values() for article_id in ids}
        ids |= {outcome.article_id for outcome, _ in texts if outcome.outcome == "changed"}
        stored = {
            article_id: _decode(raw)
            for article_id, raw in rows_in(
                session,
                select(NearDupSignature.article_id, NearDupSignature.signature),
                NearDupSignature.article_id,
                sorted(ids),
            )
        }
        return cls(stored_keys, stored)

    def candidates(self, keys: list[int], article_id: int) -> list[tuple[int, np.ndarray]]:
        """Articles sharing a band key with ``keys`` (``article_id`` aside), with their signatures."""
        found = {other for key in keys for other in self.stored_keys.get(key, ()) if other not in self.dropped}
        found |= {other for key in keys for other in self.added_keys.get(key, ())}
        found.discard(article_id)
        return [
            (other, self.added[other].signature if other in self.added else self.stored[other])
            for other in sorted(found)
        ]

    def drop(self, article_id: int) -> None:
        self.dropped.add(article_id)
        old = self.added.pop(article_id, None)
        for key in old.keys if old is not None else ():
            self.added_keys[key].discard(article_id)

    def add(self, article_id: int, found: Sketch) -> None:
        self.added[article_id] = found
        for key in found.keys:
            self.added_keys.setdefault(key, set()).add(article_id)

    def write(self, session: Session) -> None:
        """Delete the replaced texts' rows (by primary key: their keys are recomputed from the
        stored signatures), then insert this batch's texts: Core executemany, no ORM bookkeeping."""
        replaced = sorted(self.dropped & self.stored.keys())
        if replaced:
            band = NearDupBand.__table__
            session.execute(
                delete(band).where(band.c.key == bindparam("old_key"), band.c.article_id == bindparam("old_id")),
                [
                    {"old_key": key, "old_id": article_id}
                    for article_id in replaced
                    for key in set(band_keys(self.stored[article_id]))
                ],
            )
            signature_table = NearDupSignature.__table__
            session.execute(
                delete(signature_table).where(signature_table.c.article_id == bindparam("old_id")),
                [{"old_id": article_id} for article_id in replaced],
            )
        if not self.added:
            return
        session.execute(insert(NearDupSignature.__table__), [
            {"article_id": article_id, "signature": found.signature.tobytes(), "shingles": found.shingle_count}
            for article_id, found in self.added.items()
        ])
        session.execute(insert(NearDupBand.__table__), [
            {"key": key, "article_id": article_id}
            for article_id, found in self.added.items()
            for key in set(found.keys)
        ])


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
