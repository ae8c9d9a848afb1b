"""Near-duplicate tables: the persisted MinHash-LSH index and the clusters it builds.

Syndicated copies of an article on other sites are distinct publications, so each keeps
its own :class:`~models.schema.Article` row; these tables only *link* them. The LSH
index lives in the archive (not in a crawler's memory) so that copies are found across
runs and across crawler processes, and it is looked up by key (``near_dup_band``'s
primary key starts with ``key``), so finding candidates never scans a table.
See :mod:`models.near_copies` for how rows are written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from models.schema import Base
from models.types import AwareDateTime


class NearDupSignature(Base):
    """An article's MinHash signature over the shingles of its current text.

    ``signature`` holds the minimum hash values as little-endian uint32s (4 bytes per
    permutation); ``shingles`` is how many distinct shingles the text had.
    """

    __tablename__ = "near_dup_signature"

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[int] = mapped_column(Integer)


class NearDupBand(Base):
    """One LSH band of a signature: ``key`` is a 64-bit hash of (band number, band values).

    Two articles sharing any key are near-duplicate *candidates*, verified before linking.
    On SQLite the table is its primary key (``WITHOUT ROWID``): a rowid table would keep
    every (key, article) pair twice, once in the table and once in the key's index, and
    42 pairs an article made that 1.7 KB of it.
    """

    __tablename__ = "near_dup_band"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class NearDupCluster(Base):
    """A group of articles carrying (nearly) the same text on different pages or sites."""

    __tablename__ = "near_dup_cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class NearDupMember(Base):
    """An article's place in a cluster (an article is in at most one).

    ``similarity`` is the Jaccard similarity of the shingle sets of this article and
    ``linked_to_id``, the member it was found to copy (or to be copied by).
    """

    __tablename__ = "near_dup_member"

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("near_dup_cluster.id", ondelete="CASCADE"), index=True)
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="SET NULL"))
    similarity: Mapped[float] = mapped_column(Float)
    joined_at: Mapped[datetime] = mapped_column(AwareDateTime)
