"""Batch storage behaves exactly like storing items one by one, with fewer statements."""

from __future__ import annotations

import random
import subprocess
import sys
import unicodedata

import numpy as np
import pytest
from opencc import OpenCC
from sqlalchemy import event, select, tuple_

from models.boilerplate import folded_substantive_text, substantive_text
from models.engine import make_engine, session_factory, upgrade_to_head
from models.fingerprint import VARIANT_FOLDS, normalise_text
from models.near_copies import dedup_text, shingle_hashes, shingles, signature, sketch
from models.repository import IN_CHUNK, JSON_LIST_FROM, KnownNames, one_of, rows_in, store_articles, store_captures
from models.schema import Article, ArticlePerson, ArticleUrl, ArticleVersion, Capture, Person, VersionCapture
from tests.archive_items import BODY, BODY_TRADITIONAL, OTHER_BODY, make_article, make_capture
from tests.services import REPO

A = "http://a.cn/1.html"
#: Long enough to be sketched for near duplicates (over 200 word characters).
LONG_BODY = "\n".join([BODY, OTHER_BODY, BODY[::-1], OTHER_BODY[::-1]])
PAGE = b"<html><body><p>page one</p></body></html>"


def mixed_items():
    """Items that interact: repeats, edits, reposts, a mirror and its original, short pages."""
    later = "2024-03-02T10:00:00+00:00"
    traditional = OpenCC("t2s").convert(BODY_TRADITIONAL)
    return [
        make_article(A, page_digests=[make_capture(A, PAGE).digest]),
        make_article(A, fetched_at=later),  # same URL, same text: unchanged
        make_article("http://mirror.cn/1.html"),  # same text, other URL: duplicate
        make_article(A, body=BODY + "\n补充一段。", authors=["赵六"], fetched_at=later),  # changed
        make_article("http://mirror.cn/2.html", body=BODY + "\n补充一段。"),  # matches the *new* text
        make_article("http://tw.cn/1.html", body=BODY_TRADITIONAL, script="zh-Hant", simplified={"body": traditional},
                     editors=["王五", "陳七"]),
        make_article("http://cn.cn/1.html", body=traditional, site="cn.cn"),  # its original: promoted
        make_article("http://b.cn/1.html", body="图片新闻"),
        make_article("http://b.cn/2.html", body="图片新闻"),  # too short to merge
        make_article("http://c.cn/1.html", body=OTHER_BODY, page_urls=["http://c.cn/1.html", "http://c.cn/1-2.html"]),
        make_article("http://c.cn/1-2.html", body=OTHER_BODY, page_urls=["http://c.cn/1-2.html"]),  # by page URL
    ]


def snapshot(url: str) -> dict:
    """The archive's content with ids replaced by the canonical URL of their article."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        canonical = dict(session.execute(select(Article.id, Article.canonical_url)).all())
        versions = dict(session.execute(select(ArticleVersion.id, ArticleVersion.article_id)).all())
        result = {
            "articles": sorted(session.execute(select(
                Article.canonical_url, Article.fingerprint, Article.current_version, Article.last_seen, Article.title,
                Article.body, Article.script,
            )).all()),
            "urls": sorted((u, canonical[a]) for u, a in session.execute(select(ArticleUrl.url, ArticleUrl.article_id))),
            "versions": sorted(
                (canonical[a], n, f, item["url"]) for a, n, f, item in session.execute(select(
                    ArticleVersion.article_id, ArticleVersion.number, ArticleVersion.fingerprint, ArticleVersion.item
                ))
            ),
            "credits": sorted(
                (canonical[a], role, pos, name) for a, role, pos, name in session.execute(
                    select(ArticlePerson.article_id, ArticlePerson.role, ArticlePerson.position, Person.name)
                    .join(Person, Person.id == ArticlePerson.person_id)
                )
            ),
            "people": sorted(session.execute(select(Person.name, Person.name_simplified)).all()),
            "pages": sorted(
                (canonical[versions[v]], page, capture is not None)
                for v, page, capture in session.execute(
                    select(VersionCapture.version_id, VersionCapture.page, VersionCapture.capture_id)
                )
            ),
        }
    engine.dispose()
    return result


def store_in(url: str, batches: list[list]) -> list[tuple[str, str]]:
    """Store ``batches`` (captures first, as the pipeline does); (outcome, canonical URL) per item."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    names = KnownNames()
    outcomes = []
    for batch in batches:
        with sessions.begin() as session:
            store_captures(session, [make_capture(A, PAGE)] if batch is batches[0] else [])
            outcomes += store_articles(session, batch, names)
    with sessions() as session:
        canonical = dict(session.execute(select(Article.id, Article.canonical_url)).all())
    engine.dispose()
    return [(o.outcome + ("+promoted" if o.promoted else ""), canonical[o.article_id]) for o in outcomes]


def test_one_batch_stores_what_one_item_at_a_time_stores(migrated_db_url, tmp_path) -> None:
    one_by_one = f"sqlite:///{tmp_path / 'one_by_one.db'}"
    upgrade_to_head(one_by_one)
    items = mixed_items()
    expected = store_in(one_by_one, [[item] for item in items])
    assert [o for o, _ in expected] == [
        "new", "unchanged", "duplicate", "changed", "duplicate", "new", "duplicate+promoted", "new", "new", "new",
        "unchanged",
    ]
    assert store_in(migrated_db_url, [items]) == expected
    assert snapshot(migrated_db_url) == snapshot(one_by_one)


def test_names_are_looked_up_once_per_writer(migrated_db_url) -> None:
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    names = KnownNames()
    with sessions.begin() as session:
        store_articles(session, [make_article(A)], names)
    assert set(names.sites) == {"people.com.cn"} and set(names.people) == {"张三", "李四", "王五"}
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *args: statements.append(sql))
    with sessions.begin() as session:
        store_articles(session, [make_article("http://a.cn/2.html", body=OTHER_BODY)], names)
    assert not [sql for sql in statements if "FROM site" in sql or "FROM person" in sql], statements
    names.forget()
    assert names.sites == {} and names.people == {}
    engine.dispose()


def test_rows_in_finds_exactly_the_listed_rows_by_a_column_or_a_pair_of_columns(migrated_db_url) -> None:
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    captures = [make_capture(f"http://a.cn/{n}.html", f"page {n}".encode()) for n in range(IN_CHUNK + 100)]
    with sessions.begin() as session:
        store_captures(session, captures)
    with sessions() as session:
        ids = dict(session.execute(select(Capture.url, Capture.id)).all())
        listed = [ids[c.url] for c in captures[::2]]
        by_id = rows_in(session, select(Capture.id, Capture.url), Capture.id, [*listed, max(ids.values()) + 1])
        assert sorted(by_id) == sorted((ids[c.url], c.url) for c in captures[::2])
        pairs = [(c.digest, c.url) for c in captures[1::2]] + [(captures[0].digest, captures[2].url)]  # one mismatched
        by_pair = rows_in(session, select(Capture.url), tuple_(Capture.digest, Capture.url), pairs,
                          row=lambda url: url)
        assert sorted(by_pair) == sorted(c.url for c in captures[1::2])
        by_name = rows_in(session, select(Capture.id), Capture.url, [captures[5].url, "http://a.cn/none.html"],
                          row=lambda capture_id: capture_id)
        assert by_name == [ids[captures[5].url]]
        assert rows_in(session, select(Capture.id), Capture.id, []) == []
    engine.dispose()


def test_one_of_selects_exactly_the_listed_ids_whether_few_or_many(migrated_db_url) -> None:
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    captures = [make_capture(f"http://a.cn/{n}.html", f"page {n}".encode()) for n in range(3 * JSON_LIST_FROM)]
    with sessions.begin() as session:
        store_captures(session, captures)
    with sessions() as session:
        ids = sorted(session.scalars(select(Capture.id)))
        for listed in (ids[:3], ids[::2], [*ids[1::2], ids[-1] + 1]):  # few, many, many with one unknown
            found = session.scalars(select(Capture.id).where(one_of(session, Capture.id, listed)))
            assert sorted(found) == [i for i in listed if i in ids]
    engine.dispose()


def test_revisits_within_one_batch_point_at_the_first_copy(migrated_db_url) -> None:
    engine = make_engine(migrated_db_url)
    sessions = session_factory(engine)
    item = make_article(A, page_digests=[make_capture(A, PAGE).digest])
    with sessions.begin() as session:
        store_articles(session, [item])  # the version waits for its page
        store_captures(session, [
            make_capture(A, PAGE),
            make_capture(A, PAGE, fetched_at="2024-03-02T10:00:00+00:00"),
            make_capture("http://b.cn/x.html", PAGE),
        ])
    with sessions() as session:
        first, revisit, other = session.scalars(select(Capture).order_by(Capture.id)).all()
        assert (first.url, revisit.url, other.url) == (A, A, "http://b.cn/x.html")  # ids follow fetch order
        assert first.body is not None and first.revisit_of_id is None
        assert revisit.body is None and revisit.revisit_of_id == first.id
        assert other.body is not None and other.revisit_of_id is None
        assert session.scalars(select(VersionCapture.capture_id)).one() == first.id
    engine.dispose()


def reference_normalise(text: str) -> str:
    """The fingerprint's definition, character by character."""
    folded = unicodedata.normalize("NFKC", text).translate(str.maketrans(VARIANT_FOLDS))
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(("P", "Z", "S", "C")))


def test_normalise_text_keeps_its_definition() -> None:
    rng = random.Random(7)
    samples = [BODY, BODY_TRADITIONAL, "Cafe\u0301 ２０２２年，e\u0300\n①㈱ ＡＢＣ\t_x", ""]
    samples += ["".join(chr(rng.randrange(0x30000)) for _ in range(200)) for _ in range(50)]
    for text in samples:
        text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
        assert normalise_text(text) == reference_normalise(text)


def test_folded_substantive_text_equals_folding_the_substantive_text() -> None:
    body = "（责任编辑：王五）\nＡＢＣ，Cafe\u0301。\n\ne\u0301 ①\n版权所有，未经授权禁止转载。\n" + BODY
    assert folded_substantive_text(body) == unicodedata.normalize("NFKC", substantive_text(body))
    assert "王五" not in folded_substantive_text(body) and "ABC" in folded_substantive_text(body)


def test_text_and_shingle_set_give_the_same_signature() -> None:
    text = dedup_text(BODY + "\n" + OTHER_BODY)
    assert len(shingle_hashes(text)) == len(shingles(text))
    found = sketch(LONG_BODY)
    assert found is not None and found.shingle_count == len(shingles(found.text))
    assert np.array_equal(found.signature, signature(shingles(found.text)))


def test_band_keys_are_the_same_in_another_process() -> None:
    body = LONG_BODY
    code = (
        "import sys; from models.near_copies import sketch; "
        f"print(sketch({body!r}).keys)"
    )
    other = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    found = sketch(body)
    assert found is not None and other.stdout.strip() == str(found.keys)


@pytest.mark.parametrize("count", [0, 1])
def test_empty_and_single_batches(migrated_db_url, count) -> None:
    engine = make_engine(migrated_db_url)
    with session_factory(engine).begin() as session:
        assert len(store_articles(session, [make_article(A)] * count)) == count
        store_captures(session, [])
    engine.dispose()
