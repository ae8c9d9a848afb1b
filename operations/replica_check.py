"""Compare an archive with the replica's ground truth: did a crawl archive every article once?

The demo prints this; the end-to-end tests assert on it. It reads the archive only
through the models, and the replica only through its ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.replica.site import ReplicaSite
from models.schema import Article, ArticlePerson, ArticleUrl

CHECKED_FIELDS = ("title", "published_at", "source", "editors")


@dataclass
class ReplicaCheck:
    """How the archive matches the replica: counts, and the paths of every mismatch."""

    expected: int = 0
    archived: int = 0
    missing: list[str] = field(default_factory=list)
    merged_wrongly: list[str] = field(default_factory=list)
    mirrors_expected: int = 0
    mirrors_linked: int = 0
    articles_in_archive: int = 0
    filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKED_FIELDS, 0))
    expected_filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKED_FIELDS, 0))
    wrong: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in CHECKED_FIELDS})

    @property
    def ok(self) -> bool:
        return (
            self.archived == self.expected
            and not self.merged_wrongly
            and self.mirrors_linked == self.mirrors_expected
            and not any(self.wrong.values())
        )

    def lines(self) -> list[str]:
        rows = [
            f"replica articles archived  {self.archived} of {self.expected}"
            + (f"  (missing: {', '.join(self.missing[:5])}…)" if self.missing else ""),
            f"articles in the archive    {self.articles_in_archive}",
            f"Traditional mirrors linked {self.mirrors_linked} of {self.mirrors_expected} (stored as aliases, not new rows)",
        ]
        for name in CHECKED_FIELDS:
            wrong = self.wrong[name]
            rows.append(
                f"  {name:<14} filled {self.filled[name]:>4} of {self.expected_filled[name]:>4} where the page has it"
                + (f"; {len(wrong)} differ, e.g. {wrong[0]}" if wrong else "")
            )
        return rows


def check_archive(session: Session, site: ReplicaSite, base_url: str) -> ReplicaCheck:
    """Look up every replica article by URL and compare the checked fields with the truth."""
    report = ReplicaCheck(articles_in_archive=session.scalar(select(func.count(Article.id))) or 0)
    ids_by_path: dict[str, int] = {}
    for truth in site.canonical_articles:
        report.expected += 1
        article = _article_at(session, base_url + truth.path)
        if article is None:
            report.missing.append(truth.path)
            continue
        if article.id in ids_by_path.values():
            report.merged_wrongly.append(truth.path)
        ids_by_path[truth.path] = article.id
        report.archived += 1
        actual = {
            "title": article.title,
            "published_at": article.published_at,
            "source": article.source,
            "editors": _editors(session, article.id),
        }
        wanted = {
            "title": truth.title,
            "published_at": datetime.fromisoformat(truth.published_at) if truth.published_at else None,
            "source": truth.source,
            "editors": truth.editors,
        }
        for name in CHECKED_FIELDS:
            if wanted[name]:
                report.expected_filled[name] += 1
                report.filled[name] += bool(actual[name])
            if actual[name] != wanted[name] and (actual[name] or wanted[name]):
                report.wrong[name].append(f"{truth.path}: {actual[name]!r} != {wanted[name]!r}")
    for mirror in site.mirrors:
        report.mirrors_expected += 1
        article = _article_at(session, base_url + mirror.path)
        if article is not None and article.id == ids_by_path.get(mirror.mirror_of or ""):
            report.mirrors_linked += 1
    return report


def _article_at(session: Session, url: str) -> Article | None:
    return session.scalars(select(Article).join(ArticleUrl).where(ArticleUrl.url == url)).first()


def _editors(session: Session, article_id: int) -> list[str]:
    rows = session.scalars(
        select(ArticlePerson)
        .where(ArticlePerson.article_id == article_id, ArticlePerson.role == "editor")
        .order_by(ArticlePerson.position)
    )
    return [row.person.name for row in rows]
