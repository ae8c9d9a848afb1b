"""Near-duplicate detection: link syndicated and lightly edited copies into clusters.

Exact identity (same URL, or same normalised text → one article) is decided by
:func:`models.repository.store_articles`. What remains are *distinct* publications of
nearly the same text: a provincial site re-publishing a story with its own byline, a
changed sentence, a "来源" line. Each keeps its own article row; this module links them.

How: the article's Simplified body without boilerplate paragraphs (see
:mod:`models.boilerplate`), normalised like the fingerprint, is cut into overlapping
:data:`SHINGLE_CHARS`-character shingles; a MinHash signature of the shingle set
(datasketch's "affine32" scheme, bit for bit) is split into :data:`BANDS` bands of
:data:`ROWS` values and each band's hash is stored in the archive
(:class:`models.dedup.NearDupBand`).
A new text's candidates are the articles sharing any band key — indexed look-ups,
never a scan, one set for the whole batch — then filtered by the similarity the
signatures estimate, then verified by the exact Jaccard similarity of the two shingle
sets. Verified copies join one cluster (:class:`models.dedup.NearDupCluster`), merging
clusters the new text bridges.

Hashing is vectorised, because it runs on every stored text: the text's code points are
cut into shingle windows with numpy and each window is hashed with FNV-1a over its
code points plus the MurmurHash3 64-bit finaliser (:func:`shingle_hashes`), which is
stable across processes and machines (signatures are persisted); the MinHash
permutations run on all shingle hashes at once (datasketch itself, which converts value
by value in Python and loads scipy, only checks the signatures in the tests) and band
keys are mixed like the shingles. :data:`INDEX_FORMAT` salts the band keys, so keys
written by an earlier hashing scheme never match the current ones: an archive indexed
before a format change still works but does not find copies among its older texts
(nothing is deployed yet, so there is no rebuild command).

Why these numbers: on the replica's generated articles, 5-character shingles put
unrelated articles at Jaccard ≤ 0.20 and edited copies at ≥ 0.95, so the default
threshold 0.5 sits in the wide gap. 42 bands × 3 rows make a text with similarity J a
candidate with probability 1 − (1 − J³)⁴²: 0.996 at 0.5, 0.93 at 0.4, 0.29 at 0.2 and
0.005 at 0.05 (unrelated real news sits lower still), so copies at the threshold are
not missed while candidates stay few; every candidate costs one signature comparison.
The band layout does not depend on the threshold, so changing the setting never
invalidates the stored index. Texts under :data:`MIN_CHARS` characters are never
clustered: short notices share too much wording to prove a copy.

Where it runs: inside every batch's transaction, in :func:`models.store.store_batch`
right after :func:`~models.repository.store_articles`, because linking needs the article
ids the store assigns, and the index must commit atomically with the articles it
describes (crawls, spool replays and reparse all store through it).

Setting ``NEWSARCHIVE_NEAR_DUP_THRESHOLD`` (default in :mod:`crawler.default_settings`): the Jaccard similarity of
shingle sets from which two texts count as copies; between 0.4 (below that the band
index misses too many pairs) and 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from crawler.default_settings import default, read
from crawler.items import Article as ArticleItem
from models.boilerplate import folded_substantive_text
from models.dedup import NearDupBand, NearDupCluster, NearDupMember, NearDupSignature
from models.fingerprint import STORE_BATCH_CACHE, CharacterFilter, code_points, from_code_points
from models.pg_arrays import Int8Array, send_int_arrays
from models.repository import IN_CHUNK, StoreOutcome
from models.schema import Article

SHINGLE_CHARS = 5
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
#: Fixed seed: signatures are persisted, so every process must draw the same permutations.
MINHASH_SEED = 20200412
MIN_CHARS = 200
DEFAULT_THRESHOLD: float = default("NEWSARCHIVE_NEAR_DUP_THRESHOLD")
MIN_THRESHOLD = 0.4
#: Candidates whose signature-estimated similarity is this far below the threshold are
#: dropped before the exact check (128 permutations estimate J within ±0.05 typically).
ESTIMATE_MARGIN = 0.15
#: Salt of the band keys: change it whenever shingle hashing or key mixing changes.
INDEX_FORMAT = 2
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


#: What near-duplicates are compared on: letters and digits (``str.isalnum``; Python's
#: ``\w`` is that and ``_``). Like the fingerprint's word characters, but without
#: combining marks.
_LETTERS_AND_DIGITS = CharacterFilter(str.isalnum)


def dedup_text(body: str) -> str:
    """The text near-duplicates are compared on: substantive paragraphs, NFKC-folded,
    only their letters and digits (no whitespace, punctuation, symbols or marks)."""
    return from_code_points(_LETTERS_AND_DIGITS.code_points(folded_substantive_text(body)))


def shingles(text: str) -> set[str]:
    """Overlapping :data:`SHINGLE_CHARS`-character pieces of an already normalised text."""
    return {text[i : i + SHINGLE_CHARS] for i in range(len(text) - SHINGLE_CHARS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``NUM_PERM`` affine permutations ``h ↦ a·h + b mod 2³²`` (``a`` odd, so each is a
    bijection) of datasketch's "affine32" scheme, drawn exactly as datasketch 2 draws them
    for :data:`MINHASH_SEED`: the stored signatures were made with these."""
    draw = np.random.RandomState(MINHASH_SEED)
    a = draw.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, element-wise, in place on a fresh array (uint64
    arithmetic wraps, as intended)."""
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    values ^= values >> np.uint64(33)
    return values


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, element-wise, in place on a fresh array."""
    values ^= values >> np.uint32(16)
    values *= np.uint32(0x85EBCA6B)
    values ^= values >> np.uint32(13)
    values *= np.uint32(0xC2B2AE35)
    values ^= values >> np.uint32(16)
    return values


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the text's :func:`shingles` (one per shingle,
    collisions aside), computed over all windows at once."""
    return _text_shingle_hashes(code_points(text))


def _text_shingle_hashes(codes: np.ndarray) -> np.ndarray:
    """:func:`shingle_hashes` of the text with these code points."""
    windows = len(codes) - SHINGLE_CHARS + 1
    if windows <= 0:
        return np.empty(0, dtype=np.uint64)
    return _hash_columns([codes[offset : offset + windows] for offset in range(SHINGLE_CHARS)])


def _hash_columns(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Sorted distinct hashes of shingles given column by column: ``columns[i]`` holds the
    i-th code point of every shingle."""
    hashes = columns[0] ^ _FNV_OFFSET
    hashes *= _FNV_PRIME
    for column in columns[1:]:
        hashes ^= column
        hashes *= _FNV_PRIME
    hashes = _fmix64(hashes)
    hashes.sort()  # then drop repeats: what np.unique does, at a third of its cost here
    first = np.ones(len(hashes), dtype=bool)
    np.not_equal(hashes[1:], hashes[:-1], out=first[1:])
    return hashes[first]


def signature(pieces: Iterable[str]) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32 values) of a set of shingles from :func:`shingles`."""
    ordered = sorted(set(pieces))
    codes = code_points("".join(ordered)).reshape(len(ordered), SHINGLE_CHARS)
    return _signature(_hash_columns(codes.T))


def _signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash of already hashed shingles (their top 32 bits), bit for bit what datasketch's
    ``MinHash(scheme="affine32").update_batch`` computes: each value is pre-mixed with the
    32-bit finaliser, then every permutation's minimum is taken over all of them (an empty
    set gets the maximum, 2³² − 1, everywhere). Direct numpy, because datasketch converts
    every value in Python and importing it loads scipy."""
    a, b = _permutations()
    permuted = np.multiply.outer(a, _fmix32((hashes >> np.uint64(32)).astype(np.uint32)))
    permuted += b[:, None]
    return permuted.min(axis=1, initial=np.iinfo(np.uint32).max).astype("<u4")


@cache
def _band_seeds() -> np.ndarray:
    """Each band's key before its values are mixed in: its number and :data:`INDEX_FORMAT`, mixed."""
    return _fmix64(np.arange(BANDS, dtype=np.uint64) + np.uint64(INDEX_FORMAT << 32))


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: a hash of the band number, its ``ROWS`` values and
    :data:`INDEX_FORMAT`."""
    return _band_keys(values[np.newaxis])[0].tolist()


def _band_keys(signatures: np.ndarray) -> np.ndarray:
    """:func:`band_keys` of every row of ``signatures`` at once (int64, a row of keys each):
    for a single signature, numpy's call overhead costs more than the arithmetic."""
    rows = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    keys = _band_seeds()
    for column in range(ROWS):
        keys = keys ^ rows[:, :, column]  # a new array: the cached seeds stay as they are
        keys *= _FNV_PRIME
        keys = _fmix64(keys)
    return keys.view(np.int64)


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature values: an unbiased estimate of the Jaccard similarity."""
    return float(estimated_similarities(a, b[np.newaxis])[0])


def estimated_similarities(signature: np.ndarray, others: np.ndarray) -> np.ndarray:
    """:func:`estimated_similarity` of ``signature`` with each row of ``others`` at once
    (a text may have dozens of candidates: comparing them one numpy call at a time cost
    several times more)."""
    return np.count_nonzero(others == signature, axis=1) / len(signature)


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
    return sketches([body])[0]


def sketches(bodies: Iterable[str]) -> list[Sketch | None]:
    """:func:`sketch` of every body, the band keys of all mixed at once."""
    signed = [_signed(body) for body in bodies]
    signatures = np.array([values for _, _, values in filter(None, signed)]).reshape(-1, NUM_PERM)
    keys = iter(_band_keys(signatures).tolist())
    return [
        None if found is None else Sketch(from_code_points(found[0]), found[1], found[2], next(keys))
        for found in signed
    ]


@lru_cache(maxsize=STORE_BATCH_CACHE)
def _signed(body: str) -> tuple[np.ndarray, int, np.ndarray] | None:
    """A body's compared text (as code points), its number of distinct shingles and its
    signature; ``None`` when it is too short to be clustered. Cached: a batch's new texts
    are sketched for mirror matching (:mod:`models.mirrors`) and again for linking."""
    codes = _LETTERS_AND_DIGITS.code_points(folded_substantive_text(body))
    if len(codes) < MIN_CHARS:
        return None
    hashes = _text_shingle_hashes(codes)
    return codes, len(hashes), _signature(hashes)


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
        return cls(read(settings, "NEWSARCHIVE_NEAR_DUP_THRESHOLD"))

    def link(self, session: Session, items: Sequence[ArticleItem], outcomes: Sequence[StoreOutcome]) -> list[NearMatch]:
        """Index the texts the store just wrote and cluster them with their near copies.

        Only ``new`` and ``changed`` outcomes, and originals that replaced their mirror's
        text (``promoted``), carry a text the index has not seen. Items
        are matched in order, exactly as if linked one by one (copies within one batch
        find each other; a changed text leaves the index at its turn), but the stored
        index is read with one set of look-ups and written with bulk statements.
        """
        fresh = [
            (outcome, item.simplified.get("body") or item.body)
            for item, outcome in zip(items, outcomes, strict=True)
            if outcome.stores_text
        ]
        if not fresh:
            return []
        texts = list(zip((outcome for outcome, _ in fresh), sketches(body for _, body in fresh), strict=True))
        index = _BatchIndex.read(session, texts)
        matches: list[NearMatch] = []
        now = datetime.now(UTC)
        for outcome, found in texts:
            if outcome.outcome == "changed" or outcome.promoted:
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
        others, signatures = index.candidates(new.keys, article_id)
        if not others:
            return []
        estimates = estimated_similarities(new.signature, signatures)
        likely = [others[row] for row in np.flatnonzero(estimates >= self.threshold - ESTIMATE_MARGIN).tolist()]
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

    def __init__(self, members: dict[int, set[int]], stored: dict[int, np.ndarray], shared: set[int]) -> None:
        #: Band key → articles now indexed under it (only keys of this batch's texts).
        self.members = members
        #: Keys of more than one text of this batch: only those of an added text can be
        #: looked up again (by a later text), so only those are listed in :attr:`members`.
        self.shared = shared
        #: Signatures as stored before this batch, by article.
        self.stored = stored
        #: Signatures of the texts now indexed: the stored ones, replaced by this batch's.
        self.signatures = dict(stored)
        #: Stored articles whose text this batch replaced (their rows are deleted on write).
        self.dropped: set[int] = set()
        self.added: dict[int, Sketch] = {}

    @classmethod
    def read(cls, session: Session, texts: list[tuple[StoreOutcome, Sketch | None]]) -> _BatchIndex:
        texts_per_key = Counter(key for _, found in texts if found is not None for key in set(found.keys))
        keys = list(texts_per_key)
        members: dict[int, set[int]] = {}
        for key, article_id in _select_in(session, 'SELECT "key", article_id FROM near_dup_band', '"key"', keys):
            members.setdefault(key, set()).add(article_id)
        ids = {article_id for ids in members.values() for article_id in ids}
        ids |= {outcome.article_id for outcome, _ in texts if outcome.outcome == "changed" or outcome.promoted}
        stored = {
            article_id: _decode(raw)
            for article_id, raw in _select_in(
                session, "SELECT article_id, signature FROM near_dup_signature", "article_id", sorted(ids)
            )
        }
        return cls(members, stored, {key for key, count in texts_per_key.items() if count > 1})

    def candidates(self, keys: list[int], article_id: int) -> tuple[list[int], np.ndarray]:
        """Articles sharing a band key with ``keys`` (``article_id`` aside), by id, and
        their signatures (one row each)."""
        found: set[int] = set()
        for key in keys:
            found.update(self.members.get(key, ()))
        found.discard(article_id)
        others = sorted(found)
        return others, np.array([self.signatures[other] for other in others])

    def drop(self, article_id: int) -> None:
        """Take an article's text out of the index (its stored text's keys are recomputed
        from its stored signature)."""
        old = self.added.pop(article_id, None)
        if article_id in self.stored:
            self.dropped.add(article_id)
            self._unlist(article_id, band_keys(self.stored[article_id]))
        if old is not None:
            self._unlist(article_id, old.keys)

    def add(self, article_id: int, found: Sketch) -> None:
        self.added[article_id] = found
        self.signatures[article_id] = found.signature
        for key in self.shared.intersection(found.keys):
            self.members.setdefault(key, set()).add(article_id)

    def _unlist(self, article_id: int, keys: list[int]) -> None:
        for key in keys:
            self.members.get(key, set()).discard(article_id)

    def write(self, session: Session) -> None:
        """Delete the replaced texts' rows (by primary key: their keys are recomputed from the
        stored signatures), then insert this batch's texts in multi-row statements."""
        replaced = sorted(self.dropped)
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
        _insert_rows(session, "near_dup_signature", ("article_id", "signature", "shingles"), [
            (article_id, found.signature.tobytes(), found.shingle_count) for article_id, found in self.added.items()
        ])
        _insert_rows(session, "near_dup_band", ('"key"', "article_id"), [
            (key, article_id) for article_id, found in self.added.items() for key in set(found.keys)
        ])


def _select_in(session: Session, query: str, column: str, values: Sequence[int]) -> list[Any]:
    """Rows of ``query`` (a ``SELECT … FROM``) whose integer ``column`` is one of ``values``:
    ``IN`` lists of at most :data:`~models.repository.IN_CHUNK` on SQLite, one ``= ANY``
    array on PostgreSQL (see :func:`_execute_arrays`)."""
    if _on_postgresql(session):
        return _execute_arrays(session, f"{query} WHERE {column} = ANY(%s)", [values])
    return _execute_chunked(session, f"{query} WHERE {column} IN ({{}})", values)


def _insert_rows(session: Session, table: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (values for the columns ``names``): multi-row ``VALUES`` in chunks on
    SQLite, one ``INSERT … SELECT FROM unnest(arrays)`` on PostgreSQL."""
    if not rows:
        return
    if _on_postgresql(session):
        marks = ", ".join(["%s"] * len(names))
        _execute_arrays(session, f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM unnest({marks})",
                        list(zip(*rows, strict=True)))
        return
    _execute_chunked(session, f"INSERT INTO {table} ({', '.join(names)}) VALUES {{}}",
                     [value for row in rows for value in row], width=len(names))


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _execute_arrays(session: Session, statement: str, columns: Sequence[Sequence[Any]]) -> list[Any]:
    """Run ``statement`` on PostgreSQL with one array parameter per column (integers as
    ``bigint[]`` in binary, :mod:`models.pg_arrays`; bytes as ``bytea[]``); returns the
    rows of a ``SELECT``. One short statement for the whole batch: psycopg caches its
    parsing and the server its plan, where chunks of 900 placeholders cost the client
    more to parse (24 ms each) than the server spent executing them."""
    session.flush()
    send_int_arrays(session)
    parameters = tuple(
        list(values) if values and isinstance(values[0], bytes) else Int8Array(values) for values in columns
    )
    result = session.connection().exec_driver_sql(statement, parameters)
    return list(result) if result.returns_rows else []


def _execute_chunked(session: Session, statement: str, values: Sequence[Any], width: int = 1) -> list[Any]:
    """Run ``statement`` on the session's SQLite connection for ``values`` taken ``width``
    at a time, at most :data:`~models.repository.IN_CHUNK` parameters per statement:
    ``{}`` becomes ``?, ?, …`` (an ``IN`` list) or, for ``width`` > 1, ``(?, ?), (?, ?), …``
    (rows of a multi-row ``VALUES``). Returns the rows of a ``SELECT``.

    The statement goes to the DB-API driver as is: a batch looks up and inserts some ten
    thousand band keys, and SQLAlchemy's per-parameter work (expanding ``IN`` lists,
    executemany bookkeeping) cost more CPU than the database's own. Longer statements
    would save SQLite a little time but fill sqlite3's statement cache with large
    programs (60 MB more at the peak of ``bench.dedup``). The session is flushed first,
    as :meth:`Session.execute` would.
    """
    session.flush()
    connection = session.connection()
    group = "?" if width == 1 else f"({', '.join(['?'] * width)})"
    step = IN_CHUNK // width * width
    rows: list[Any] = []
    for start in range(0, len(values), step):
        chunk = tuple(values[start : start + step])
        result = connection.exec_driver_sql(statement.format(", ".join([group] * (len(chunk) // width))), chunk)
        if result.returns_rows:
            rows.extend(result)
    return rows


def _cluster(session: Session, article_id: int, copies: list[tuple[int, float]], now: datetime) -> None:
    """Put ``article_id`` and its copies in one cluster, merging the clusters they were in.

    Core statements on the tables: ORM objects would cost a unit-of-work flush at every
    link, several times the statements' own cost.
    """
    member, cluster = NearDupMember.__table__, NearDupCluster.__table__
    ids = [article_id, *(other for other, _ in copies)]
    clusters = dict(
        session.execute(select(member.c.article_id, member.c.cluster_id).where(member.c.article_id.in_(ids))).all()
    )
    cluster_ids = sorted(set(clusters.values()))
    if cluster_ids:
        target, merged = cluster_ids[0], cluster_ids[1:]
        if merged:
            session.execute(update(member).where(member.c.cluster_id.in_(merged)).values(cluster_id=target))
            session.execute(delete(cluster).where(cluster.c.id.in_(merged)))
    else:
        target = session.execute(insert(cluster).values(created_at=now)).inserted_primary_key[0]
    best, best_similarity = copies[0]
    joined = [(article_id, best, best_similarity)] if article_id not in clusters else []
    joined += [(other, article_id, similarity) for other, similarity in copies if other not in clusters]
    if joined:
        session.execute(insert(member), [
            {"article_id": joining, "cluster_id": target, "linked_to_id": linked_to, "similarity": similarity,
             "joined_at": now}
            for joining, linked_to, similarity in joined
        ])
