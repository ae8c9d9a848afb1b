"""One article as an archivist inspects it: its URLs, its versions, its near-duplicates.

The same story reaches the archive under many URLs, in several texts over time, and as
copies on other sites; :func:`article_view` gathers all three so ``newsarchive show``
can answer "where was this published, what changed, and who else ran it". A version
diff (:func:`version_diff`) compares two stored texts line by line.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.parsing.urls import canonicalize
from models.dedup import NearDupMember
from models.schema import Article, ArticleUrl, ArticleVersion

#: Item fields compared by a version diff, in the order they are shown.
DIFF_FIELDS = ("title", "subtitle", "source", "authors", "editors", "published_at", "body")


def find_article(session: Session, id_or_url: str) -> Article | None:
    """The article with this id, or seen under this URL (any variant of it: tracking
    parameters, http/https, page 2 … are looked up by their canonical form)."""
    if id_or_url.isdigit():
        return session.get(Article, int(id_or_url))
    for url in dict.fromkeys((id_or_url, canonicalize(id_or_url))):
        article = session.scalars(select(Article).join(ArticleUrl).where(ArticleUrl.url == url)).first()
        if article is not None:
            return article
    return None


def article_view(session: Session, article: Article) -> dict[str, Any]:
    """The article as a JSON-ready dict: identity, URLs, versions (oldest first) and its
    near-duplicate cluster (``None`` when it has no known copy)."""
    urls = session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article.id).order_by(ArticleUrl.id))
    versions = session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.number)
    )
    return {
        "id": article.id,
        "canonical_url": article.canonical_url,
        "site": article.site.name,
        "title": article.title,
        "published_at": _iso(article.published_at),
        "script": article.script,
        "first_seen": _iso(article.first_seen),
        "last_seen": _iso(article.last_seen),
        "current_version": article.current_version,
        "urls": list(urls),
        "versions": [
            {
                "number": v.number,
                "fetched_at": _iso(v.fetched_at),
                "fingerprint": v.fingerprint,
                "title": v.item.get("title"),
                "script": v.item.get("script"),
                "body_chars": len(v.body),
            }
            for v in versions
        ],
        "cluster": _cluster(session, article.id),
    }


def _cluster(session: Session, article_id: int) -> dict[str, Any] | None:
    cluster_id = session.scalar(select(NearDupMember.cluster_id).where(NearDupMember.article_id == article_id))
    if cluster_id is None:
        return None
    rows = session.execute(
        select(NearDupMember, Article)
        .join(Article, Article.id == NearDupMember.article_id)
        .where(NearDupMember.cluster_id == cluster_id)
        .order_by(Article.published_at, Article.id)
    )
    return {
        "id": cluster_id,
        "members": [
            {
                "article_id": article.id,
                "site": article.site.name,
                "canonical_url": article.canonical_url,
                "title": article.title,
                "published_at": _iso(article.published_at),
                "similarity": member.similarity,
                "linked_to": member.linked_to_id,
            }
            for member, article in rows
        ],
    }


def version_diff(session: Session, article_id: int, old: int, new: int) -> list[str]:
    """Unified diff of versions ``old`` → ``new`` of an article, field by field (body
    line by paragraph). Raises ``LookupError`` naming the versions that exist."""
    texts = {number: version_lines(session, article_id, number) for number in (old, new)}
    return list(difflib.unified_diff(texts[old], texts[new], f"version {old}", f"version {new}", lineterm=""))


def version_lines(session: Session, article_id: int, number: int) -> list[str]:
    """The lines a diff compares for one version (``field: value``, the body a line per
    paragraph). Raises ``LookupError`` naming the versions that exist."""
    version = session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id, ArticleVersion.number == number)
    )
    if version is None:
        numbers = session.scalars(
            select(ArticleVersion.number).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.number)
        ).all()
        raise LookupError(f"article {article_id} has no version {number}; its versions are {numbers}")
    return _diff_lines(version.item)


def _diff_lines(item: dict[str, Any]) -> list[str]:
    lines = []
    for name in DIFF_FIELDS:
        value = item.get(name)
        if name == "body":
            lines += [f"body: {paragraph}" for paragraph in (value or "").split("\n")]
        else:
            lines.append(f"{name}: {'、'.join(value) if isinstance(value, list) else value}")
    return lines


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
