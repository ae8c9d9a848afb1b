"""One article as an archivist inspects it: the article itself, its URLs, its versions, its near-duplicates.

The same story reaches the archive under many URLs, in several texts over time, and as
copies on other sites; :func:`article_view` gathers the whole article (headline with
kicker and subtitle, dateline, source, people, 原标题, body as published and its
Simplified twin) and all three, so ``newsarchive show`` can answer "what did it say,
where was it published, what changed, and who else ran it". Times are in the article's
zone (:mod:`archive.times`). A version diff (:func:`version_diff`) compares two stored
texts line by line, both in Simplified script, so a Traditional mirror that became the
first version does not mark every line changed.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.records import people_of
from archive.times import shown_time
from crawler.parsing.chinese import to_simplified
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
    people = people_of(session, [article.id]).get(article.id, {})
    return {
        "id": article.id,
        "canonical_url": article.canonical_url,
        "site": article.site.name,
        "pretitle": article.pretitle,
        "title": article.title,
        "subtitle": article.subtitle,
        "original_title": article.original_title,
        "published_at": shown_time(article.published_at, article.published_precision),
        "published_at_raw": article.published_at_raw,
        "published_precision": article.published_precision,
        "source": article.source,
        "authors": people.get("author", []),
        "editors": people.get("editor", []),
        "script": article.script,
        "pages": article.pages,
        "printed_page": article.printed_page,
        "breadcrumbs": article.breadcrumbs,
        "body": article.body,
        "title_simplified": article.title_simplified,
        "body_simplified": article.body_simplified,
        "images": article.images,
        "problems": article.problems,
        "first_seen": shown_time(article.first_seen),
        "last_seen": shown_time(article.last_seen),
        "current_version": article.current_version,
        "urls": list(urls),
        "versions": [
            {
                "number": v.number,
                "fetched_at": shown_time(v.fetched_at),
                "fingerprint": v.fingerprint,
                "title": v.item.get("title"),
                "script": v.item.get("script"),
                "body_chars": len(v.item.get("body") or ""),
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
                "published_at": shown_time(article.published_at, article.published_precision),
                "similarity": member.similarity,
                "linked_to": member.linked_to_id,
            }
            for member, article in rows
        ],
    }


def version_diff(session: Session, article_id: int, old: int, new: int) -> list[str]:
    """Unified diff of versions ``old`` → ``new`` of an article, field by field (body
    line by paragraph), both in Simplified script: a change of script alone is no change.
    Raises ``LookupError`` naming the versions that exist."""
    texts = {number: [to_simplified(line) for line in version_lines(session, article_id, number)] for number in (old, new)}
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

